/**
 * Reading stored rows for the Σ engine: the source rows a step applies (active rows from a first
 * row id on, batch by batch), the first active row of a result table, and the foreign keys of a
 * stored result row, read when the chase first touches it.
 */
import { limits, type Value } from '../../../common/index.js';
import type { Mapping } from '../../../catalog/index.js';
import { bitmapGet, isValidAt, type ColumnView, type TableView } from '../../../store/index.js';
import { vectorValue } from './read-instance.js';
import { NONE } from '../row-closure.js';

/** The source rows of one entity that a step applies, and their nodes. */
export interface SourcePart {
  readonly entity: string;
  readonly table: TableView;
  readonly from: number;
  readonly to: number;
  readonly targetEntity: number;
  /** Node of each row from..to−1 (NONE when deleted). */
  readonly nodes: Int32Array;
  readonly firstNode: number;
  readonly active: number;
  /** The active row ids applied, ascending (node firstNode + i is row activeRows[i]). */
  readonly activeRows: Uint32Array;
  readonly map: ColumnView | undefined;
}

/** Reads the foreign keys of a stored target row (a node) from its table, on first use. */
export function storedRowLoader(
  target: Mapping['target'],
  tables: readonly (TableView | undefined)[],
  entityBase: Int32Array,
): (node: number, entity: number, values: readonly Int32Array[]) => void {
  const columns = target.entities.map((entity) =>
    target.foreignKeysOf(entity.name).map((fk) => ({
      index: fk.index,
      column: tables[entity.index]?.column(fk.name),
      targetBase: entityBase[target.entity(fk.target)?.index as number] as number,
    })),
  );
  return (node, entity, values) => {
    const rowId = node - (entityBase[entity] as number);
    for (const { index, column, targetBase } of columns[entity] ?? []) {
      const value = column?.valueUnchecked(rowId);
      // The closure's arrays hold node + 1 (0: none).
      (values[index] as Int32Array)[node] = typeof value === 'number' ? targetBase + value + 1 : 0;
    }
  };
}

export const BATCH_SHIFT = Math.log2(limits.batchRowsMax);

/** The first active row of a table (its row count when none is). */
export function firstActiveRow(table: TableView): number {
  for (let batchIndex = 0; batchIndex < table.batchCount; batchIndex++) {
    const deleted = table.deletedBitmap(batchIndex);
    const start = batchIndex << BATCH_SHIFT;
    if (deleted === undefined) return start;
    const rows = Math.min(limits.batchRowsMax, table.rowCount - start);
    for (let byte = 0; byte < deleted.length; byte++) {
      if (deleted[byte] === 0xff) continue;
      for (let offset = byte * 8; offset < Math.min(rows, byte * 8 + 8); offset++) {
        if (!bitmapGet(deleted, offset)) return start + offset;
      }
    }
  }
  return table.rowCount;
}

/** Active row ids of `table` in from .. to − 1, ascending. */
export function activeRowsIn(table: TableView, from: number, to: number): Uint32Array {
  if (from === 0 && to === table.rowCount) return table.activeRowIds();
  const rows: number[] = [];
  for (let rowId = from; rowId < to; rowId++) if (table.isActive(rowId)) rows.push(rowId);
  return Uint32Array.from(rows);
}

/**
 * Call `visit` for each active row of `source` from its first new row, with the column's value
 * and, for a String/Uuid/Decimal column, its code in `column.dictionary` (−1 otherwise or NULL).
 */
export function forEachNewRow(
  source: SourcePart,
  column: ColumnView,
  visit: (rowId: number, value: Value, isNull: boolean, code: number) => void,
): void {
  if (source.active === 0) return;
  const shift = Math.log2(limits.batchRowsMax);
  const first = source.from >>> shift;
  const last = (source.to - 1) >>> shift;
  for (let batch = first; batch <= last; batch++) {
    const vector = column.vector(batch);
    const start = batch << shift;
    const from = Math.max(source.from, start);
    const to = Math.min(source.to, start + limits.batchRowsMax);
    for (let rowId = from; rowId < to; rowId++) {
      if ((source.nodes[rowId - source.from] as number) === NONE) continue;
      const offset = rowId - start;
      if (!isValidAt(vector, offset)) visit(rowId, null, true, -1);
      else if (vector.kind === 'dictionary') {
        const code = vector.codes[offset] as number;
        visit(rowId, vector.dictionary[code] as string, false, code);
      } else visit(rowId, vectorValue(vector, offset), false, -1);
    }
  }
}
