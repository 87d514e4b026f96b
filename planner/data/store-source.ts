/**
 * The store's tables as the planner's `TableSource`s (the thin layer between store/vectors.ts
 * and planner/data/vector.ts). A `ReadView` is one consistent snapshot; the adapter reads it
 * and never writes.
 *
 * | store vector        | planner vector                                           |
 * |---------------------|----------------------------------------------------------|
 * | float64 (Int/Float) | number, zero-copy when the batch has no deleted row      |
 * | bigint64 (Int)      | value (normalised Int: numbers within ±2^53, bigint past) |
 * | date (Int32Array)   | number (copied to Float64Array)                          |
 * | bool                | bool, zero-copy                                          |
 * | rowId (FK)          | number Int: `rowIds` zero-copy, `values` made on read    |
 * | dictionary          | dict (codes viewed as Int32Array: codes stay below 2^31) |
 *
 * The `id` column (column 0) is the row id. Labelled nulls read as NULL.
 */
import { normalizeInt, type Scalar, type Value } from '../../common/index.js';
import type { ColumnVector, ReadView, TableView } from '../../store/index.js';
import type { ColumnInfo, RangeBound, RelationSource, RowIds, TableSource } from './source.js';
import { gather, withNulls, type Batch, type Vector } from './vector.js';

/**
 * A foreign key's row ids as a number vector whose Float64Array is made on first read: grouping
 * and FK lookups read `rowIds` and never pay for the copy.
 */
function rowIdVector(ids: Uint32Array, validity: Uint8Array | undefined, length: number): Vector {
  let values: Float64Array | undefined;
  return {
    kind: 'number',
    type: 'Int',
    length,
    get values(): Float64Array {
      values ??= new Float64Array(ids);
      return values;
    },
    validity,
    rowIds: ids,
  };
}

function convert(vector: ColumnVector, length: number): Vector {
  switch (vector.kind) {
    case 'float64':
      return {
        kind: 'number',
        type: vector.type,
        length,
        values: vector.values,
        validity: vector.validity,
      };
    case 'bigint64': {
      const values: Value[] = new Array<Value>(length);
      const validity = vector.validity;
      for (let row = 0; row < length; row++) {
        values[row] =
          validity === undefined || ((validity[row >>> 3]! >>> (row & 7)) & 1) === 1
            ? normalizeInt(vector.values[row]!)
            : null;
      }
      return { kind: 'value', type: 'Int', length, values };
    }
    case 'date':
      return {
        kind: 'number',
        type: 'Date',
        length,
        values: new Float64Array(vector.values),
        validity: vector.validity,
      };
    case 'bool':
      return {
        kind: 'bool',
        type: 'Bool',
        length,
        values: vector.values,
        validity: vector.validity,
      };
    case 'rowId':
      return rowIdVector(vector.values, vector.validity, length);
    case 'dictionary':
      return {
        kind: 'dict',
        type: vector.type,
        length,
        codes: new Int32Array(vector.codes.buffer, vector.codes.byteOffset, vector.codes.length),
        dictionary: vector.dictionary,
        validity: vector.validity,
      };
  }
}

export class StoreTableSource implements TableSource {
  readonly name: string;
  readonly columns: readonly ColumnInfo[];

  /** Row ids are 0 … rowIdLimit − 1; `dense` when none is deleted (a view never changes). */
  private readonly rowIdLimit: number;
  private readonly dense: boolean;

  constructor(private readonly view: TableView) {
    this.name = view.entity;
    this.rowIdLimit = view.rowCount;
    this.dense = view.activeRowCount === view.rowCount;
    this.columns = [
      { name: 'id', type: 'Int', role: 'id', target: undefined, notNull: true },
      ...view.definition.columns.map((column): ColumnInfo =>
        column.type.kind === 'foreignKey'
          ? {
              name: column.name,
              type: 'Int',
              role: 'foreignKey',
              target: column.type.target,
              notNull: column.notNull,
            }
          : {
              name: column.name,
              type: column.type.scalar,
              role: 'attribute',
              target: undefined,
              notNull: column.notNull,
            },
      ),
    ];
  }

  rowCount(): number {
    return this.view.activeRowCount;
  }

  *scan(columnIndexes: readonly number[], _batchRowsMax: number): Iterable<Batch> {
    const storeColumns = columnIndexes.filter((index) => index > 0).map((index) => index - 1);
    // The store needs at least one column to produce batches; read the first when only `id` is asked.
    const read = storeColumns.length === 0 && this.columns.length > 1 ? [0] : storeColumns;
    if (read.length === 0) {
      const ids = this.view.activeRowIds();
      if (ids.length > 0) yield this.fetch(ids, ids.length, columnIndexes);
      return;
    }
    for (const batch of this.view.scan(read)) {
      const rowCount = batch.rowCount;
      const vectors = batch.columns.map((vector) => convert(vector, rowCount));
      let position = 0;
      const full: Vector[] = columnIndexes.map((columnIndex) => {
        if (columnIndex === 0) {
          const values = new Float64Array(rowCount);
          for (let offset = 0; offset < rowCount; offset++)
            values[offset] = batch.startRow + offset;
          return { kind: 'number', type: 'Int', length: rowCount, values, validity: undefined };
        }
        return vectors[storeColumns.length === 0 ? 0 : position++]!;
      });
      if (batch.deleted === undefined) {
        yield { length: rowCount, columns: full };
        continue;
      }
      const active = new Int32Array(batch.activeRowCount);
      let count = 0;
      for (let offset = 0; offset < rowCount; offset++) {
        if (((batch.deleted[offset >>> 3]! >>> (offset & 7)) & 1) === 0) active[count++] = offset;
      }
      yield { length: count, columns: full.map((vector) => gather(vector, active, count)) };
    }
  }

  fetch(rowIds: RowIds, count: number, columnIndexes: readonly number[]): Batch {
    const safe = new Uint32Array(count);
    const missing = new Uint8Array(count);
    let anyMissing = false;
    for (let index = 0; index < count; index++) {
      const rowId = rowIds[index]!;
      if (this.hasRow(rowId)) safe[index] = rowId;
      else {
        missing[index] = 1;
        anyMissing = true;
      }
    }
    const columns = columnIndexes.map((columnIndex): Vector => {
      let vector: Vector;
      if (columnIndex === 0) {
        vector = {
          kind: 'number',
          type: 'Int',
          length: count,
          values: new Float64Array(safe),
          validity: undefined,
        };
      } else if (this.view.rowCount === 0) {
        return { kind: 'const', type: this.columns[columnIndex]!.type, value: null, length: count };
      } else {
        vector = convert(this.view.column(columnIndex - 1).gather(safe, count), count);
      }
      return anyMissing ? withNulls(vector, (row) => missing[row] === 1) : vector;
    });
    return { length: count, columns };
  }

  hasRow(rowId: number): boolean {
    return (
      Number.isInteger(rowId) &&
      rowId >= 0 &&
      rowId < this.rowIdLimit &&
      (this.dense || this.view.isActive(rowId))
    );
  }

  lookupEqual(columnIndex: number, value: Scalar): RowIds {
    if (columnIndex === 0) {
      const rowId = Number(value);
      return this.hasRow(rowId) ? Uint32Array.of(rowId) : new Uint32Array(0);
    }
    return this.view.lookupEqual(columnIndex - 1, value);
  }

  lookupRange(
    columnIndex: number,
    lower: RangeBound | undefined,
    upper: RangeBound | undefined,
  ): RowIds {
    if (columnIndex === 0) {
      const ids = this.view.activeRowIds();
      return ids.filter((rowId) => {
        if (
          lower !== undefined &&
          (lower.inclusive ? rowId < Number(lower.value) : rowId <= Number(lower.value))
        )
          return false;
        if (
          upper !== undefined &&
          (upper.inclusive ? rowId > Number(upper.value) : rowId >= Number(upper.value))
        )
          return false;
        return true;
      });
    }
    return this.view.lookupRange(columnIndex - 1, {
      lower: lower?.value,
      lowerInclusive: lower?.inclusive,
      upper: upper?.value,
      upperInclusive: upper?.inclusive,
    });
  }

  indexable(_columnIndex: number): boolean {
    return true;
  }

  distinctEstimate(columnIndex: number): number | undefined {
    if (columnIndex === 0) return this.view.activeRowCount;
    return this.view.columnStatistics(columnIndex - 1).distinctEstimate;
  }
}

/** Every entity of a store read view, as tables the SQL front end resolves names against. */
export class StoreRelationSource implements RelationSource {
  private readonly tables = new Map<string, StoreTableSource>();
  constructor(private readonly view: ReadView) {}

  tableNames(): readonly string[] {
    return this.view.entities();
  }

  table(name: string, _schema?: string): TableSource | undefined {
    if (!this.view.hasTable(name)) return undefined;
    let table = this.tables.get(name);
    if (table === undefined) {
      table = new StoreTableSource(this.view.table(name));
      this.tables.set(name, table);
    }
    return table;
  }
}
