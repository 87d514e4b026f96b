/**
 * An in-memory table of typed columns implementing `TableSource`: for virtual tables (a
 * pg_catalog emulation, query results kept as relations), for loading rows that have no store
 * behind them, and for tests. Numbers live in Float64Arrays, strings in a per-column dictionary,
 * so scans hand out zero-copy views when no row is deleted.
 *
 * Indexes are lazy, as the store's are: an equality index (a Map from value to row ids) and a
 * sorted index (row ids ordered by value) are built on the first lookup and dropped by writes.
 */
import {
  assert,
  compareValues,
  limits,
  LimitError,
  type Scalar,
  type ScalarType,
  type Value,
} from '../../common/index.js';
import type { ColumnInfo, RangeBound, RelationSource, RowIds, TableSource } from './source.js';
import {
  allValid,
  isValidAt,
  setValid,
  validityBytes,
  type Batch,
  type Validity,
  type Vector,
} from './vector.js';
import { compareNumbers, compareText } from '../expr/compare.js';

const SAFE_MAX = Number.MAX_SAFE_INTEGER;

/** One stored column. */
class StoredColumn {
  numbers: Float64Array | undefined;
  bools: Uint8Array | undefined;
  codes: Int32Array | undefined;
  dictionary: string[] | undefined;
  private codeOf: Map<string, number> | undefined;
  /** Exact values when an Int beyond ±2^53−1 was stored (then `numbers` is unused). */
  values: Value[] | undefined;
  validity: Validity | undefined;
  capacity: number;

  constructor(
    readonly type: ScalarType,
    capacity: number,
  ) {
    this.capacity = capacity;
    if (type === 'Int' || type === 'Float' || type === 'Date')
      this.numbers = new Float64Array(capacity);
    else if (type === 'Bool') this.bools = new Uint8Array(capacity);
    else {
      this.codes = new Int32Array(capacity);
      this.dictionary = [];
      this.codeOf = new Map();
    }
  }

  grow(capacity: number): void {
    if (capacity <= this.capacity) return;
    if (this.numbers !== undefined) {
      const next = new Float64Array(capacity);
      next.set(this.numbers);
      this.numbers = next;
    }
    if (this.bools !== undefined) {
      const next = new Uint8Array(capacity);
      next.set(this.bools);
      this.bools = next;
    }
    if (this.codes !== undefined) {
      const next = new Int32Array(capacity);
      next.set(this.codes);
      this.codes = next;
    }
    if (this.validity !== undefined) {
      const next = allValid(capacity);
      next.set(this.validity);
      this.validity = next;
    }
    this.capacity = capacity;
  }

  set(row: number, value: Value): void {
    if (value === null) {
      this.validity ??= allValid(this.capacity);
      setValid(this.validity, row, false);
      if (this.values !== undefined) this.values[row] = null;
      return;
    }
    if (this.validity !== undefined) setValid(this.validity, row, true);
    if (this.values !== undefined) {
      this.values[row] = value;
      return;
    }
    if (this.numbers !== undefined) {
      if (typeof value === 'bigint' || Math.abs(value as number) > SAFE_MAX) {
        this.widen()[row] = value;
        return;
      }
      this.numbers[row] = value as number;
    } else if (this.bools !== undefined) {
      this.bools[row] = value === true ? 1 : 0;
    } else {
      assert(
        this.codes !== undefined && this.dictionary !== undefined && this.codeOf !== undefined,
      );
      const text = value as string;
      let code = this.codeOf.get(text);
      if (code === undefined) {
        code = this.dictionary.length;
        this.dictionary.push(text);
        this.codeOf.set(text, code);
      }
      this.codes[row] = code;
    }
  }

  /** Switch to exact values (an Int beyond ±2^53−1 arrived). */
  private widen(): Value[] {
    assert(this.numbers !== undefined);
    const values: Value[] = new Array<Value>(this.capacity).fill(null);
    for (let row = 0; row < this.capacity; row++) {
      values[row] = isValidAt(this.validity, row) ? (this.numbers[row] ?? 0) : null;
    }
    this.values = values;
    return values;
  }

  get(row: number): Value {
    if (!isValidAt(this.validity, row)) return null;
    if (this.values !== undefined) return this.values[row] ?? null;
    if (this.numbers !== undefined) return this.numbers[row] ?? 0;
    if (this.bools !== undefined) return this.bools[row] === 1;
    assert(this.codes !== undefined && this.dictionary !== undefined);
    return this.dictionary[this.codes[row] ?? 0] ?? null;
  }

  /** Rows [start, end) as a vector: views, not copies, when `start` is a multiple of 8. */
  view(start: number, end: number): Vector {
    const length = end - start;
    const validity =
      this.validity === undefined
        ? undefined
        : start % 8 === 0
          ? this.validity.subarray(start >>> 3, (start >>> 3) + validityBytes(length))
          : this.copyValidity(start, length);
    if (this.values !== undefined) {
      return { kind: 'value', type: this.type, length, values: this.values.slice(start, end) };
    }
    if (this.numbers !== undefined) {
      return {
        kind: 'number',
        type: this.type as 'Int' | 'Float' | 'Date',
        length,
        values: this.numbers.subarray(start, end),
        validity,
      };
    }
    if (this.bools !== undefined) {
      return {
        kind: 'bool',
        type: 'Bool',
        length,
        values: this.bools.subarray(start, end),
        validity,
      };
    }
    assert(this.codes !== undefined && this.dictionary !== undefined);
    return {
      kind: 'dict',
      type: this.type as 'String' | 'Uuid' | 'Decimal',
      length,
      codes: this.codes.subarray(start, end),
      dictionary: this.dictionary,
      validity,
    };
  }

  private copyValidity(start: number, length: number): Validity {
    const result = allValid(length);
    for (let row = 0; row < length; row++) {
      if (!isValidAt(this.validity, start + row)) setValid(result, row, false);
    }
    return result;
  }

  /** The rows at `rows` (row ids, already checked active; -1 gives NULL). */
  gather(rows: Int32Array, count: number): Vector {
    let validity: Validity | undefined;
    const markNull = (index: number): void => {
      validity ??= allValid(count);
      setValid(validity, index, false);
    };
    if (this.values !== undefined) {
      const values: Value[] = new Array<Value>(count);
      for (let index = 0; index < count; index++) {
        const row = rows[index] ?? -1;
        values[index] = row < 0 ? null : (this.values[row] ?? null);
      }
      return { kind: 'value', type: this.type, length: count, values };
    }
    const sourceValidity = this.validity;
    if (this.numbers !== undefined) {
      const values = new Float64Array(count);
      for (let index = 0; index < count; index++) {
        const row = rows[index] ?? -1;
        if (row < 0 || !isValidAt(sourceValidity, row)) markNull(index);
        else values[index] = this.numbers[row] ?? 0;
      }
      return {
        kind: 'number',
        type: this.type as 'Int' | 'Float' | 'Date',
        length: count,
        values,
        validity,
      };
    }
    if (this.bools !== undefined) {
      const values = new Uint8Array(count);
      for (let index = 0; index < count; index++) {
        const row = rows[index] ?? -1;
        if (row < 0 || !isValidAt(sourceValidity, row)) markNull(index);
        else values[index] = this.bools[row] ?? 0;
      }
      return { kind: 'bool', type: 'Bool', length: count, values, validity };
    }
    assert(this.codes !== undefined && this.dictionary !== undefined);
    const codes = new Int32Array(count);
    for (let index = 0; index < count; index++) {
      const row = rows[index] ?? -1;
      if (row < 0 || !isValidAt(sourceValidity, row)) markNull(index);
      else codes[index] = this.codes[row] ?? 0;
    }
    return {
      kind: 'dict',
      type: this.type as 'String' | 'Uuid' | 'Decimal',
      length: count,
      codes,
      dictionary: this.dictionary,
      validity,
    };
  }
}

function keyOf(value: Scalar): Scalar {
  return value;
}

export interface MemoryColumnSpec {
  readonly name: string;
  readonly type: ScalarType;
  readonly role?: 'attribute' | 'foreignKey';
  readonly target?: string;
  readonly notNull?: boolean;
}

export class MemoryTable implements TableSource {
  readonly columns: readonly ColumnInfo[];
  private readonly stored: StoredColumn[];
  private rows = 0;
  private deleted: Uint8Array | undefined;
  private deletedCount = 0;
  private equalityIndexes = new Map<number, Map<Scalar, number[]>>();
  private sortedIndexes = new Map<number, Uint32Array>();
  /** Lookups that built an index (for tests and EXPLAIN ANALYZE). */
  indexBuilds = 0;

  constructor(
    readonly name: string,
    columns: readonly MemoryColumnSpec[],
    capacity = 1024,
  ) {
    this.columns = [
      { name: 'id', type: 'Int', role: 'id', target: undefined, notNull: true },
      ...columns.map((column) => ({
        name: column.name,
        type: column.type,
        role: column.role ?? 'attribute',
        target: column.target,
        notNull: column.notNull ?? false,
      })),
    ];
    this.stored = columns.map((column) => new StoredColumn(column.type, Math.max(8, capacity)));
  }

  rowCount(): number {
    return this.rows - this.deletedCount;
  }

  /** Append one row (attribute and foreign-key values in column order, without `id`); returns its id. */
  insert(values: readonly Value[]): number {
    assert(values.length === this.stored.length, 'row width');
    if (this.rows >= limits.tableRowsMax) {
      throw new LimitError(
        'tableRowsMax',
        limits.tableRowsMax,
        this.rows + 1,
        `rows of ${this.name}`,
      );
    }
    const row = this.rows;
    for (let column = 0; column < this.stored.length; column++) {
      const stored = this.stored[column];
      assert(stored !== undefined);
      if (row >= stored.capacity) stored.grow(stored.capacity * 2);
      stored.set(row, values[column] ?? null);
    }
    if (this.deleted !== undefined && row >= this.deleted.length) {
      const next = new Uint8Array(Math.max(this.deleted.length * 2, row + 1));
      next.set(this.deleted);
      this.deleted = next;
    }
    this.rows++;
    this.invalidate();
    return row;
  }

  /** Bulk append: `columns[k]` holds the values of column k+1 for every new row. */
  insertColumns(columns: readonly (readonly Value[])[]): void {
    const count = columns[0]?.length ?? 0;
    const first = this.rows;
    for (let column = 0; column < this.stored.length; column++) {
      const stored = this.stored[column];
      const values = columns[column];
      assert(stored !== undefined && values !== undefined && values.length === count);
      let capacity = stored.capacity;
      while (capacity < first + count) capacity *= 2;
      stored.grow(capacity);
      for (let row = 0; row < count; row++) stored.set(first + row, values[row] ?? null);
    }
    this.rows += count;
    this.invalidate();
  }

  delete(rowId: number): boolean {
    if (!this.hasRow(rowId)) return false;
    this.deleted ??= new Uint8Array(Math.max(8, this.rows));
    this.deleted[rowId] = 1;
    this.deletedCount++;
    this.invalidate();
    return true;
  }

  private invalidate(): void {
    this.equalityIndexes.clear();
    this.sortedIndexes.clear();
  }

  hasRow(rowId: number): boolean {
    return (
      Number.isInteger(rowId) &&
      rowId >= 0 &&
      rowId < this.rows &&
      (this.deleted === undefined || this.deleted[rowId] !== 1)
    );
  }

  private column(columnIndex: number): StoredColumn | undefined {
    return columnIndex === 0 ? undefined : this.stored[columnIndex - 1];
  }

  private idVector(start: number, end: number, rows?: Int32Array): Vector {
    const length = rows === undefined ? end - start : end;
    const values = new Float64Array(length);
    if (rows === undefined) for (let row = 0; row < length; row++) values[row] = start + row;
    else for (let row = 0; row < length; row++) values[row] = rows[row] ?? 0;
    return { kind: 'number', type: 'Int', length, values, validity: undefined };
  }

  *scan(columnIndexes: readonly number[], batchRowsMax: number): Iterable<Batch> {
    const step = Math.max(8, batchRowsMax - (batchRowsMax % 8));
    for (let start = 0; start < this.rows; start += step) {
      const end = Math.min(this.rows, start + step);
      if (this.deletedCount === 0) {
        yield {
          length: end - start,
          columns: columnIndexes.map((columnIndex) => {
            const stored = this.column(columnIndex);
            return stored === undefined ? this.idVector(start, end) : stored.view(start, end);
          }),
        };
        continue;
      }
      const rows = new Int32Array(end - start);
      let count = 0;
      for (let row = start; row < end; row++) if (this.deleted?.[row] !== 1) rows[count++] = row;
      if (count === 0) continue;
      yield {
        length: count,
        columns: columnIndexes.map((columnIndex) => {
          const stored = this.column(columnIndex);
          return stored === undefined ? this.idVector(0, count, rows) : stored.gather(rows, count);
        }),
      };
    }
  }

  fetch(rowIds: RowIds, count: number, columnIndexes: readonly number[]): Batch {
    const rows = new Int32Array(count);
    for (let index = 0; index < count; index++) {
      const rowId = rowIds[index] ?? 0;
      rows[index] = this.hasRow(rowId) ? rowId : -1;
    }
    return {
      length: count,
      columns: columnIndexes.map((columnIndex) => {
        const stored = this.column(columnIndex);
        if (stored !== undefined) return stored.gather(rows, count);
        const values = new Float64Array(count);
        let validity: Validity | undefined;
        for (let index = 0; index < count; index++) {
          const row = rows[index] ?? -1;
          if (row < 0) {
            validity ??= allValid(count);
            setValid(validity, index, false);
          } else values[index] = row;
        }
        return { kind: 'number', type: 'Int', length: count, values, validity };
      }),
    };
  }

  /** The value of one cell (tests, small virtual tables). */
  valueAt(rowId: number, columnIndex: number): Value {
    const stored = this.column(columnIndex);
    return stored === undefined ? rowId : stored.get(rowId);
  }

  indexable(_columnIndex: number): boolean {
    return true;
  }

  lookupEqual(columnIndex: number, value: Scalar): RowIds {
    if (columnIndex === 0) {
      const rowId = typeof value === 'number' ? value : Number(value);
      return this.hasRow(rowId) ? Uint32Array.of(rowId) : new Uint32Array(0);
    }
    let index = this.equalityIndexes.get(columnIndex);
    if (index === undefined) {
      index = new Map();
      this.indexBuilds++;
      const stored = this.column(columnIndex);
      assert(stored !== undefined);
      for (let row = 0; row < this.rows; row++) {
        if (this.deleted?.[row] === 1) continue;
        const cell = stored.get(row);
        if (cell === null) continue;
        const key = keyOf(cell);
        const list = index.get(key);
        if (list === undefined) index.set(key, [row]);
        else list.push(row);
      }
      this.equalityIndexes.set(columnIndex, index);
    }
    return Uint32Array.from(index.get(keyOf(value)) ?? []);
  }

  lookupRange(
    columnIndex: number,
    lower: RangeBound | undefined,
    upper: RangeBound | undefined,
  ): RowIds {
    const info = this.columns[columnIndex];
    assert(info !== undefined);
    const type = info.type;
    const stored = this.column(columnIndex);
    const valueOf = (row: number): Value => (stored === undefined ? row : stored.get(row));
    // Float in PostgreSQL's order (NaN above every number), so a range never reaches a NaN row.
    const compare = (a: Scalar, b: Scalar): number =>
      type === 'String'
        ? compareText(a as string, b as string)
        : type === 'Float'
          ? compareNumbers(a as number, b as number)
          : compareValues(type, a, b);
    let sorted = this.sortedIndexes.get(columnIndex);
    if (sorted === undefined) {
      this.indexBuilds++;
      const rows: number[] = [];
      for (let row = 0; row < this.rows; row++) {
        if (this.deleted?.[row] !== 1 && valueOf(row) !== null) rows.push(row);
      }
      rows.sort((a, b) => compare(valueOf(a) as Scalar, valueOf(b) as Scalar) || a - b);
      sorted = Uint32Array.from(rows);
      this.sortedIndexes.set(columnIndex, sorted);
    }
    const index = sorted;
    const firstAtLeast = (bound: RangeBound): number => {
      let low = 0;
      let high = index.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        const order = compare(valueOf(index[middle] ?? 0) as Scalar, bound.value);
        if (order < 0 || (order === 0 && !bound.inclusive)) low = middle + 1;
        else high = middle;
      }
      return low;
    };
    const firstAbove = (bound: RangeBound): number => {
      let low = 0;
      let high = index.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        const order = compare(valueOf(index[middle] ?? 0) as Scalar, bound.value);
        if (order < 0 || (order === 0 && bound.inclusive)) low = middle + 1;
        else high = middle;
      }
      return low;
    };
    const start = lower === undefined ? 0 : firstAtLeast(lower);
    const end = upper === undefined ? index.length : firstAbove(upper);
    return index.slice(start, Math.max(start, end));
  }

  distinctEstimate(columnIndex: number): number | undefined {
    if (columnIndex === 0) return this.rowCount();
    const stored = this.column(columnIndex);
    if (stored?.dictionary !== undefined) return stored.dictionary.length;
    return undefined;
  }
}

/** A `RelationSource` over a fixed set of tables, names matched as given. */
export class MemoryDatabase implements RelationSource {
  private readonly byName = new Map<string, TableSource>();

  constructor(tables: readonly TableSource[] = []) {
    for (const table of tables) this.add(table);
  }

  add(table: TableSource): void {
    this.byName.set(table.name, table);
  }

  tableNames(): readonly string[] {
    return [...this.byName.keys()];
  }

  table(name: string, _schema?: string): TableSource | undefined {
    return this.byName.get(name);
  }
}
