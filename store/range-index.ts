/**
 * The sorted index of one column: the row ids of every non-null active row at build time,
 * ordered by value (ties by row id), plus a tail of rows appended or updated since. A range
 * lookup is a binary search in the sorted part — O(log n) — then a walk over the matches,
 * skipping rows that were updated since (listed in `excluded`, their new value is in the tail);
 * tail rows are checked one by one and merged in. When the tail passes
 * max(RANGE_TAIL_MIN, sorted / RANGE_TAIL_FRACTION) the index is rebuilt (bench/RESULTS.md has
 * the measurements behind these numbers).
 */
import { getBit, setBit } from './bitmap.js';
import { CHUNK_MASK, CHUNK_ROWS, CHUNK_SHIFT, chunkCount, rowsInChunk } from './chunk.js';
import {
  sortableBigInt64,
  sortableFloat64,
  sortRowsByKey32,
  sortRowsByKey64,
} from './radix-sort.js';
import type { TableState } from './table-state.js';
import type { OrderKey, ValueOrder } from './value-order.js';

export const RANGE_TAIL_MIN = 4096;
export const RANGE_TAIL_FRACTION = 8;

/** Active rows with a value in a column of a state: ids and count. */
function valuedRows(state: TableState, columnIndex: number): Uint32Array {
  const rows = new Uint32Array(state.activeRowCount);
  const chunks = state.columnChunks(columnIndex);
  const deleted = state.deletedChunks();
  let count = 0;
  for (let chunkIndex = 0; chunkIndex < chunkCount(state.rowCount); chunkIndex++) {
    const chunk = chunks[chunkIndex]!;
    const deletedBits = deleted[chunkIndex];
    const validity = chunk.validity;
    const first = chunkIndex * CHUNK_ROWS;
    const rowsHere = rowsInChunk(state.rowCount, chunkIndex);
    for (let offset = 0; offset < rowsHere; offset++) {
      if (deletedBits !== undefined && getBit(deletedBits, offset)) continue;
      if (validity !== undefined && !getBit(validity, offset)) continue;
      rows[count++] = first + offset;
    }
  }
  return rows.subarray(0, count);
}

/** Row ids of the valued active rows of a column, sorted by value. */
export function sortColumnRows(
  state: TableState,
  columnIndex: number,
  order: ValueOrder,
): Uint32Array {
  const rows = valuedRows(state, columnIndex);
  const chunks = state.columnChunks(columnIndex);
  const count = rows.length;
  switch (order.representation) {
    case 'float64':
    case 'bigint64': {
      const high = new Uint32Array(count);
      const low = new Uint32Array(count);
      for (let index = 0; index < count; index++) {
        const row = rows[index]!;
        const slot = chunks[row >>> CHUNK_SHIFT]!.values[row & CHUNK_MASK]!;
        if (order.representation === 'float64') sortableFloat64(slot as number, high, low, index);
        else sortableBigInt64(slot as bigint, high, low, index);
      }
      return sortRowsByKey64(high, low, rows);
    }
    case 'date':
    case 'bool':
    case 'rowId': {
      const keys = new Uint32Array(count);
      const flip = order.representation === 'date' ? 0x8000_0000 : 0;
      for (let index = 0; index < count; index++) {
        const row = rows[index]!;
        keys[index] =
          ((chunks[row >>> CHUNK_SHIFT]!.values[row & CHUNK_MASK] as number) ^ flip) >>> 0;
      }
      return sortRowsByKey32(keys, rows);
    }
    case 'dictionary': {
      const strings = state.columnDictionary(columnIndex)!.strings;
      const used = new Uint8Array(strings.length);
      const codes = new Uint32Array(count);
      for (let index = 0; index < count; index++) {
        const row = rows[index]!;
        const code = chunks[row >>> CHUNK_SHIFT]!.values[row & CHUNK_MASK] as number;
        codes[index] = code;
        used[code] = 1;
      }
      const distinct: number[] = [];
      for (let code = 0; code < strings.length; code++) if (used[code] === 1) distinct.push(code);
      distinct.sort((a, b) => order.compare(strings[a]!, strings[b]!));
      const rank = new Uint32Array(strings.length);
      distinct.forEach((code, position) => (rank[code] = position));
      for (let index = 0; index < count; index++) codes[index] = rank[codes[index]!]!;
      return sortRowsByKey32(codes, rows);
    }
  }
}

export interface RangeBounds {
  readonly lower: OrderKey | undefined;
  readonly lowerInclusive: boolean;
  readonly upper: OrderKey | undefined;
  readonly upperInclusive: boolean;
}

export function inBounds(order: ValueOrder, key: OrderKey, bounds: RangeBounds): boolean {
  if (bounds.lower !== undefined) {
    const side = order.compare(key, bounds.lower);
    if (side < 0 || (side === 0 && !bounds.lowerInclusive)) return false;
  }
  if (bounds.upper !== undefined) {
    const side = order.compare(key, bounds.upper);
    if (side > 0 || (side === 0 && !bounds.upperInclusive)) return false;
  }
  return true;
}

export class RangeIndex {
  /** Rows updated since the build: their place in `sorted` is stale. */
  private readonly excluded: Uint8Array;
  /** Rows appended or updated since the build (may repeat). */
  readonly tail: number[] = [];

  constructor(
    /** The immutable state the sorted part was built from; binary search reads its values. */
    readonly built: TableState,
    readonly columnIndex: number,
    readonly order: ValueOrder,
    readonly sorted: Uint32Array,
    /** LSN of the version built from: older views cannot use the index. */
    readonly builtLsn: number,
  ) {
    this.excluded = new Uint8Array((built.rowCount + 7) >>> 3);
  }

  static build(state: TableState, columnIndex: number, order: ValueOrder, lsn: number): RangeIndex {
    return new RangeIndex(
      state,
      columnIndex,
      order,
      sortColumnRows(state, columnIndex, order),
      lsn,
    );
  }

  get needsRebuild(): boolean {
    return this.tail.length > Math.max(RANGE_TAIL_MIN, this.sorted.length / RANGE_TAIL_FRACTION);
  }

  get bytes(): number {
    return this.sorted.byteLength + this.excluded.byteLength + this.tail.length * 8;
  }

  isExcluded(rowId: number): boolean {
    return rowId < this.built.rowCount && getBit(this.excluded, rowId);
  }

  appended(rowId: number): void {
    this.tail.push(rowId);
  }

  updated(rowId: number): void {
    if (rowId < this.built.rowCount) setBit(this.excluded, rowId);
    this.tail.push(rowId);
  }

  /** Positions [from, to) of `sorted` whose build-time values lie within the bounds. */
  span(bounds: RangeBounds): [number, number] {
    const chunks = this.built.columnChunks(this.columnIndex);
    const keyAt = (position: number): OrderKey => this.order.keyAt(chunks, this.sorted[position]!)!;
    let from = 0;
    let to = this.sorted.length;
    if (bounds.lower !== undefined) {
      const lower = bounds.lower;
      from = this.search((key) => {
        const side = this.order.compare(key, lower);
        return bounds.lowerInclusive ? side >= 0 : side > 0;
      }, keyAt);
    }
    if (bounds.upper !== undefined) {
      const upper = bounds.upper;
      to = this.search((key) => {
        const side = this.order.compare(key, upper);
        return bounds.upperInclusive ? side > 0 : side >= 0;
      }, keyAt);
    }
    return [from, Math.max(from, to)];
  }

  /** First position whose key satisfies a monotone predicate (false … false true … true). */
  private search(
    isAfter: (key: OrderKey) => boolean,
    keyAt: (position: number) => OrderKey,
  ): number {
    let low = 0;
    let high = this.sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (isAfter(keyAt(middle))) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}
