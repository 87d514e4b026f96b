/**
 * The system tables the stored functors keep beside the data, written in the migration's own
 * transaction so that they commit (or roll back) with the rows they describe — a crash can never
 * leave a lineage record without its rows, or a sigma_delta checkpoint ahead of its result:
 *
 * | table                         | one row per                      | columns                   |
 * |-------------------------------|----------------------------------|---------------------------|
 * | `_catrust_lineage`            | migration, in the order run      | ts, functor, mapping,     |
 * |                               |                                  | source_schema,            |
 * |                               |                                  | target_schema,            |
 * |                               |                                  | entity_stats (JSON),      |
 * |                               |                                  | duration_ms               |
 * | `_catrust_sigma_checkpoint`   | (mapping, source or target       | mapping, role, entity,    |
 * |                               | entity) of a Σ result            | row_count, active_rows,   |
 * |                               |                                  | fingerprint, map_table    |
 * | `_catrust_sigma_labels`       | source labelled null whose class | mapping, label,           |
 * |                               | in the result is not itself      | resolution (JSON)         |
 * | `_catrust_sigma_map_<hash>`   | source row (row i = row i)       | target (result row id)    |
 *
 * The map tables hold Σ's unit, source row → result row id. A plain Int, not a foreign key: a
 * foreign key would stop users from deleting or dropping result rows (and show the system
 * rows among a result row's references); a result changed by anyone else fails the
 * checkpoint's fingerprint instead, and sigma_delta then runs a full Σ.
 * Every name starts with `SYSTEM_TABLE_PREFIX`; they stay ordinary tables, queryable by SQL.
 */
import {
  scalarColumn,
  tableDefinition,
  type ColumnInput,
  type ReadView,
  type TableDefinition,
  type Transaction,
} from '../../../store/index.js';
import type { Value } from '../../../common/index.js';

export const SYSTEM_TABLE_PREFIX = '_catrust_';
export const LINEAGE_TABLE = `${SYSTEM_TABLE_PREFIX}lineage`;
export const CHECKPOINT_TABLE = `${SYSTEM_TABLE_PREFIX}sigma_checkpoint`;
export const LABELS_TABLE = `${SYSTEM_TABLE_PREFIX}sigma_labels`;
const MAP_TABLE_PREFIX = `${SYSTEM_TABLE_PREFIX}sigma_map_`;

export function lineageDefinition(): TableDefinition {
  return tableDefinition(LINEAGE_TABLE, [
    scalarColumn('ts', 'String', { notNull: true }),
    scalarColumn('functor', 'String', { notNull: true }),
    scalarColumn('mapping', 'String', { notNull: true }),
    scalarColumn('source_schema', 'String', { notNull: true }),
    scalarColumn('target_schema', 'String', { notNull: true }),
    scalarColumn('entity_stats', 'String', { notNull: true }),
    scalarColumn('duration_ms', 'Float', { notNull: true }),
  ]);
}

export function checkpointDefinition(): TableDefinition {
  return tableDefinition(CHECKPOINT_TABLE, [
    scalarColumn('mapping', 'String', { notNull: true }),
    scalarColumn('role', 'String', { notNull: true }),
    scalarColumn('entity', 'String', { notNull: true }),
    scalarColumn('row_count', 'Int', { notNull: true }),
    scalarColumn('active_rows', 'Int', { notNull: true }),
    scalarColumn('fingerprint', 'String', { notNull: true }),
    scalarColumn('map_table', 'String'),
  ]);
}

export function labelsDefinition(): TableDefinition {
  return tableDefinition(LABELS_TABLE, [
    scalarColumn('mapping', 'String', { notNull: true }),
    scalarColumn('label', 'String', { notNull: true }),
    scalarColumn('resolution', 'String', { notNull: true }),
  ]);
}

export function mapDefinition(name: string): TableDefinition {
  return tableDefinition(name, [scalarColumn('target', 'Int')]);
}

/** The map table of (mapping, source entity): a fixed-length name, whatever the names' lengths. */
export function mapTableName(mapping: string, sourceEntity: string): string {
  return `${MAP_TABLE_PREFIX}${hashHex(`${mapping}\u0000${sourceEntity}`)}`;
}

function hashHex(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** Map-table rows as a typed column: row ids, NULL (validity bit 0) where −1 (a deleted row). */
export function mapColumn(targets: Int32Array): ColumnInput {
  const values = new Float64Array(targets.length);
  let validity: Uint8Array | undefined;
  for (let index = 0; index < targets.length; index++) {
    const target = targets[index] as number;
    if (target >= 0) {
      values[index] = target;
      continue;
    }
    if (validity === undefined) validity = new Uint8Array((targets.length + 7) >>> 3).fill(0xff);
    validity[index >>> 3] = (validity[index >>> 3] as number) & ~(1 << (index & 7));
  }
  return { values, validity };
}

/** Create the table unless it exists (in the transaction). */
export function ensureTable(transaction: Transaction, definition: TableDefinition): void {
  if (!transaction.view.hasTable(definition.entity)) transaction.createTable(definition);
}

/** Soft-delete the active rows of `entity` for which `keep` is false (all rows by default). */
export function deleteRows(
  transaction: Transaction,
  entity: string,
  select?: (rowId: number) => boolean,
): number {
  const table = transaction.view.table(entity);
  if (table.activeRowCount === 0) return 0;
  if (select === undefined) return transaction.delete(entity, table.activeRowIds());
  const rows: number[] = [];
  for (const rowId of table.activeRowIds()) if (select(rowId)) rows.push(rowId);
  return rows.length === 0 ? 0 : transaction.delete(entity, rows);
}

/** Active rows of a system table as records of plain values (system tables are small). */
export function readRows(view: ReadView, entity: string): Record<string, Value>[] {
  if (!view.hasTable(entity)) return [];
  const table = view.table(entity);
  const columns = table.columnNames.map((name) => table.column(name));
  const rows: Record<string, Value>[] = [];
  for (const rowId of table.activeRowIds()) {
    const row: Record<string, Value> = {};
    for (const column of columns) row[column.name] = column.valueUnchecked(rowId);
    rows.push(row);
  }
  return rows;
}

/** The row ids of active rows of a system table whose `mapping` column is `mapping`. */
export function rowsOfMapping(view: ReadView, entity: string, mapping: string): number[] {
  if (!view.hasTable(entity)) return [];
  const table = view.table(entity);
  const column = table.column('mapping');
  const rows: number[] = [];
  for (const rowId of table.activeRowIds()) {
    if (column.valueUnchecked(rowId) === mapping) rows.push(rowId);
  }
  return rows;
}
