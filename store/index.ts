/**
 * store/ — catrust's column store: one table per entity, typed columns, soft delete, lazy
 * indexes, transactions, a checksummed WAL, columnar snapshots, encryption. Other folders
 * import only from this file.
 *
 * ## Reading (the planner's contract)
 *
 * - `db.view()` → `ReadView`: the committed, durable state, pinned (a consistent snapshot for
 *   as long as it is held); `transaction.view` → the transaction's own state, uncommitted
 *   writes included. No other view ever sees uncommitted writes.
 * - `view.table(entity)` → `TableView`: dense row ids `0 .. rowCount − 1` (deleted rows keep
 *   their ids), `activeRowCount`, `isActive(rowId)`, `activeRowIds()`, `row(rowId)`.
 * - `table.scan(columns)` yields `ColumnBatch`es of at most `limits.batchRowsMax` rows, aligned
 *   to multiples of it: per requested column a typed array + validity bitmap (vectors.ts has
 *   the table of representations: Float/Int → Float64Array, Int past ±2^53 → BigInt64Array,
 *   Date → Int32Array days, Bool → Uint8Array, FK → Uint32Array row ids, String/Uuid/Decimal
 *   → Uint32Array codes + dictionary), the batch's row range and its deleted bitmap.
 *   `table.batch(k, columns)` reads batch k directly.
 * - `table.column(name)` → `ColumnView`: `value(rowId)`, `vector(batchIndex)`,
 *   `gather(rowIds)` (an FK join is a gather at the FK's row ids), `label(rowId)` for
 *   labelled nulls, `dictionary`.
 * - `table.lookupEqual(column, value)` (hash index, O(1)) and `table.lookupRange(column,
 *   range)` (sorted index, O(log n) + matches, value order), both built on first use and kept
 *   up to date by commits; `table.statistics()` / `columnStatistics(column)` for the optimizer.
 * - Vectors are views into store memory: never write into them. A batch read from a view stays
 *   valid while held (writers copy chunks before changing them).
 * - Reads may throw `StoreError` E_STORE_CORRUPT: a snapshot column is read and verified on
 *   first use.
 *
 * ## Writing
 *
 * `await db.begin()` → `Transaction` (O(1); one writer at a time, others wait up to a timeout,
 * then E_STORE_BUSY): `createTables`, `dropTable`, `insert`, `insertRows`, `appendColumns`
 * (bulk, columnar), `update`, `updateColumn`, `delete` (optionally cascading), `deleteWhere`,
 * then `await commit()` (acknowledged once durable) or `rollback()`. `appendColumns` takes
 * String/Uuid/Decimal columns as codes into a scanned column's dictionary without re-interning
 * its strings (see `ColumnInput`). `db.insert(…)` and the
 * other shortcuts run one autocommit transaction each. Foreign keys are checked at commit.
 *
 * ## Durability
 *
 * `Store.open(dataDirectory)` manages named databases in a directory: `create(name, tables,
 * { passphrase? })`, `open(name, { repair?, passphrase?, autoCompactBytes? })`, `list()`,
 * `drop(name)`, `close()`. A database there commits through a checksummed WAL with group
 * commit (acknowledged after fdatasync) and has `compact()` (background, GDPR purge of deleted
 * values), `snapshot()` (Snapshot V2, columns loaded lazily on reopen), `rotateKey(passphrase)`
 * (AES-256-GCM, Argon2id), `close()`, and `recovery` (what opening it found: torn tail
 * truncated, entries dropped by repair, snapshot used). `exportJson(view)` dumps a whole
 * database. `createMemoryDatabase()` makes one without files. docs/storage.md describes the
 * formats.
 */
export { StoreError, type StoreErrorCode } from './errors.js';
export {
  describeColumnType,
  foreignKeyColumn,
  parseTableDefinition,
  sameDefinition,
  scalarColumn,
  tableDefinition,
  type ColumnDefinition,
  type ColumnType,
  type TableDefinition,
} from './schema.js';
export {
  isLabelledNull,
  labelledNull,
  type ColumnInput,
  type InputValue,
  type LabelledNull,
  type RowInput,
  type RowRecord,
} from './values.js';
export {
  activeOffsets,
  isValidAt,
  vectorLength,
  type ColumnBatch,
  type ColumnVector,
  type DictionaryType,
  type Representation,
} from './vectors.js';
export { getBit as bitmapGet, countBits as bitmapCount } from './bitmap.js';
export { ReadView } from './read-view.js';
export {
  TableView,
  type ColumnStatistics,
  type ScanOptions,
  type TableStatistics,
  type ValueRange,
} from './table-view.js';
export { ColumnView } from './column-view.js';
export {
  Transaction,
  type CommitResult,
  type DeleteOptions,
  type RowRange,
} from './transaction.js';
export { Database, LOCK_TIMEOUT_MS_DEFAULT, type BeginOptions } from './database.js';
export type { IndexReport } from './index-manager.js';
export { createMemoryDatabase } from './memory-database.js';
export { exportJson, type JsonExport } from './json-export.js';
export { Store, WAL_FILE, type CreateOptions, type OpenOptions } from './data-directory.js';
export type { KeyDerivationCosts } from './encryption.js';
export type { WalRecoveryReport, WalRecoveryOptions } from './wal-recovery.js';
export type { WalWriter } from './wal-writer.js';
export { SNAPSHOT_FILE, type CompactionReport, type SnapshotReport } from './database-files.js';
export {
  copyDatabase,
  restoreDatabase,
  retellStoreError,
  type CopyReport,
  type RestoreOptions,
  type RestoreReport,
  type RestoreSource,
} from './restore.js';
export { purgeStatus, type EntityPurgeStatus, type PurgeStatus } from './purge-status.js';
export { exportJsonText } from './json-export-text.js';
