/**
 * Foreign keys are checked when a transaction commits (deferred, as SQL's DEFERRABLE INITIALLY
 * DEFERRED): rows may point at rows inserted later in the same transaction, and a transaction
 * may delete a row and re-point the rows that referred to it. At commit, every foreign-key value
 * the transaction wrote must name an active row of the target, and no active row may point at a
 * row the transaction deleted. `cascade` deletes follow references at delete time instead.
 */
import { assert } from '../common/index.js';
import { getBit, setBit } from './bitmap.js';
import { CHUNK_MASK, CHUNK_ROWS, CHUNK_SHIFT } from './chunk.js';
import { StoreError, valueError } from './errors.js';
import type { ReadView } from './read-view.js';
import type { DatabaseDraft } from './database-draft.js';
import type { TableView } from './table-view.js';

/** Lookups through an existing index beat a scan below this many deleted rows. */
const INDEX_PROBES_MAX = 256;

interface Reference {
  readonly table: TableView;
  readonly columnIndex: number;
}

/** Every foreign-key column (of any table of the view) that points at `entity`. */
export function referencesTo(view: ReadView, entity: string): Reference[] {
  const references: Reference[] = [];
  for (const other of view.entities()) {
    const table = view.table(other);
    table.definition.columns.forEach((column, columnIndex) => {
      if (column.type.kind === 'foreignKey' && column.type.target === entity) {
        references.push({ table, columnIndex });
      }
    });
  }
  return references;
}

/**
 * Active rows of `reference.table` whose foreign key holds one of `targets` (a bitmap over the
 * target's row ids with `count` bits set), ascending. Uses a built index when few rows match.
 */
export function rowsReferring(
  reference: Reference,
  targets: Uint8Array,
  targetRows: number[],
): number[] {
  const { table, columnIndex } = reference;
  if (targetRows.length <= INDEX_PROBES_MAX && table.hasEqualityIndex(columnIndex)) {
    const found: number[] = [];
    for (const target of targetRows) found.push(...table.lookupEqual(columnIndex, target));
    return found.sort((a, b) => a - b);
  }
  const found: number[] = [];
  for (const batch of table.scan([columnIndex])) {
    const vector = batch.columns[0]!;
    const values = vector.kind === 'rowId' ? vector.values : undefined;
    if (values === undefined) continue;
    const { validity } = vector;
    const deleted = batch.deleted;
    for (let offset = 0; offset < batch.rowCount; offset++) {
      const target = values[offset]!;
      if (target >= targets.length * 8 || !getBit(targets, target)) continue;
      if (validity !== undefined && !getBit(validity, offset)) continue;
      if (deleted !== undefined && getBit(deleted, offset)) continue;
      found.push(batch.startRow + offset);
    }
  }
  return found;
}

export function rowBitmap(rowCount: number, rows: Iterable<number>): Uint8Array {
  const bitmap = new Uint8Array((rowCount + 7) >>> 3);
  for (const row of rows) setBit(bitmap, row);
  return bitmap;
}

/** The deferred checks of a transaction about to commit; throws E_STORE_FOREIGN_KEY. */
export function checkForeignKeys(draft: DatabaseDraft, view: ReadView): void {
  for (const tableDraft of draft.tables.values()) {
    const table = view.table(tableDraft.entity);
    tableDraft.definition.columns.forEach((column, columnIndex) => {
      if (column.type.kind !== 'foreignKey') return;
      if (tableDraft.changedColumn(columnIndex) === undefined && !tableDraft.isNew) return;
      const target = view.hasTable(column.type.target) ? view.table(column.type.target) : undefined;
      const check = (row: number): void => {
        if (!table.isActive(row)) return;
        const value = table.column(columnIndex).valueUnchecked(row);
        if (value === null) return;
        if (target === undefined || !target.isActive(value as number)) {
          throw valueError(
            'E_STORE_FOREIGN_KEY',
            { entity: table.entity, row, attribute: column.name },
            `no active ${column.type.kind === 'foreignKey' ? column.type.target : ''} row ${value as number}`,
          );
        }
      };
      // Appended rows, a batch at a time: a value naming an existing row with no deleted bit
      // passes in the tight loop; anything else (NULL, deleted rows) takes the full check.
      const targetRows = target?.rowCount ?? 0;
      const targetDeleted = target?.source.deletedChunks() ?? [];
      const targetDeletedNone = targetDeleted.every((bitmap) => bitmap === undefined);
      const columnView = table.column(columnIndex);
      for (let first = tableDraft.baseRowCount; first < tableDraft.rowCount;) {
        const start = first & CHUNK_MASK;
        const count = Math.min(CHUNK_ROWS - start, tableDraft.rowCount - first);
        const vector = columnView.vector(first >>> CHUNK_SHIFT);
        assert(vector.kind === 'rowId', 'a foreign key column holds row ids');
        const values = vector.values;
        if (targetDeletedNone) {
          // No deleted target row: a value below the target's row count is valid.
          for (let offset = start; offset < start + count; offset++) {
            if (values[offset]! >= targetRows) check(first - start + offset);
          }
        } else {
          for (let offset = start; offset < start + count; offset++) {
            const value = values[offset]!;
            if (value < targetRows) {
              const bitmap = targetDeleted[value >>> CHUNK_SHIFT];
              if (bitmap === undefined || !getBit(bitmap, value & CHUNK_MASK)) continue;
            }
            check(first - start + offset);
          }
        }
        first += count;
      }
      for (const row of tableDraft.updatedRows(columnIndex)) check(row);
    });
  }
  // Restrict: no active row may still point at a row deleted by this transaction.
  for (const tableDraft of draft.tables.values()) {
    if (tableDraft.deletedBaseRows.length === 0) continue;
    const targets = rowBitmap(tableDraft.rowCount, tableDraft.deletedBaseRows);
    for (const reference of referencesTo(view, tableDraft.entity)) {
      const referring = rowsReferring(reference, targets, tableDraft.deletedBaseRows);
      const row = referring[0];
      if (row === undefined) continue;
      const column = reference.table.definition.columns[reference.columnIndex]!;
      const deletedRow = reference.table
        .column(reference.columnIndex)
        .valueUnchecked(row) as number;
      throw new StoreError(
        'E_STORE_FOREIGN_KEY',
        `${tableDraft.entity} row ${deletedRow} is deleted but ${reference.table.entity} row ${row} attribute ${column.name} still refers to it`,
        {
          hint: 'delete or re-point the referring rows in the same transaction, or delete with cascade',
          details: {
            entity: reference.table.entity,
            row,
            attribute: column.name,
            target: tableDraft.entity,
            targetRow: deletedRow,
          },
        },
      );
    }
  }
}

export function isDeletedIn(deleted: readonly (Uint8Array | undefined)[], rowId: number): boolean {
  const bitmap = deleted[rowId >>> CHUNK_SHIFT];
  return bitmap !== undefined && getBit(bitmap, rowId & CHUNK_MASK);
}
