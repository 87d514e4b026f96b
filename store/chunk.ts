/**
 * A column is a list of chunks of `CHUNK_ROWS` rows (the last one shorter), so that a writer
 * copies only the chunks it changes (copy-on-write: a transaction's begin costs nothing, and a
 * reader holding an older version keeps reading the chunks it had). Chunk k holds rows
 * k × CHUNK_ROWS .. (k+1) × CHUNK_ROWS − 1; a scan batch is one chunk, so batches cost no copy.
 *
 * A chunk's arrays have a capacity (grown by doubling up to CHUNK_ROWS) beyond the rows any
 * published version counts; only the single writer writes there, and readers never read past
 * their version's row count.
 */
import { limits } from '../common/index.js';
import { assert } from '../common/index.js';
import { bitmapBytes } from './bitmap.js';
import type { Representation } from './vectors.js';

export const CHUNK_ROWS = limits.batchRowsMax;
export const CHUNK_SHIFT = Math.log2(CHUNK_ROWS);
export const CHUNK_MASK = CHUNK_ROWS - 1;
assert(Number.isInteger(CHUNK_SHIFT), 'limits.batchRowsMax must be a power of two');

/** Smallest chunk allocated: small tables (a CQL instance's few rows) stay small. */
const CHUNK_ROWS_MIN = 16;

export type ChunkValues = Float64Array | BigInt64Array | Int32Array | Uint8Array | Uint32Array;

export class Chunk {
  constructor(
    /** Value slots; `values.length` is the chunk's capacity. */
    public values: ChunkValues,
    /** Bit = 1 when the row has a value; undefined when every row has one. */
    public validity: Uint8Array | undefined,
    /** Offset within the chunk → labelled-null term. */
    public labels: Map<number, string> | undefined,
  ) {}

  get capacity(): number {
    return this.values.length;
  }

  /** A private copy with at least `capacity` slots. */
  clone(capacity = this.capacity): Chunk {
    const values = allocateValues(representationOf(this.values), capacity);
    const kept = Math.min(capacity, this.capacity);
    copyValues(values, this.values, kept);
    let validity: Uint8Array | undefined;
    if (this.validity !== undefined) {
      validity = new Uint8Array(bitmapBytes(capacity));
      validity.set(this.validity.subarray(0, bitmapBytes(kept)));
    }
    const labels = this.labels === undefined ? undefined : new Map(this.labels);
    return new Chunk(values, validity, labels);
  }
}

function copyValues(target: ChunkValues, source: ChunkValues, count: number): void {
  (target as Float64Array).set((source as Float64Array).subarray(0, count));
}

/** The representation a value array belongs to, for allocation only (Int32 = date, …). */
function representationOf(values: ChunkValues): Representation {
  if (values instanceof Float64Array) return 'float64';
  if (values instanceof BigInt64Array) return 'bigint64';
  if (values instanceof Int32Array) return 'date';
  if (values instanceof Uint32Array) return 'rowId';
  return 'bool';
}

export function allocateValues(representation: Representation, capacity: number): ChunkValues {
  switch (representation) {
    case 'float64':
      return new Float64Array(capacity);
    case 'bigint64':
      return new BigInt64Array(capacity);
    case 'date':
      return new Int32Array(capacity);
    case 'bool':
      return new Uint8Array(capacity);
    case 'rowId':
    case 'dictionary':
      return new Uint32Array(capacity);
  }
}

export function newChunk(representation: Representation, capacity: number): Chunk {
  return new Chunk(allocateValues(representation, capacity), undefined, undefined);
}

/** Capacity to hold `rows` rows of one chunk: a power of two between CHUNK_ROWS_MIN and CHUNK_ROWS. */
export function chunkCapacityFor(rows: number): number {
  let capacity = CHUNK_ROWS_MIN;
  while (capacity < rows) capacity *= 2;
  return Math.min(capacity, CHUNK_ROWS);
}

export function chunkCount(rowCount: number): number {
  return Math.ceil(rowCount / CHUNK_ROWS);
}

/** Rows of chunk `chunkIndex` counted by a version of `rowCount` rows. */
export function rowsInChunk(rowCount: number, chunkIndex: number): number {
  return Math.max(0, Math.min(CHUNK_ROWS, rowCount - chunkIndex * CHUNK_ROWS));
}
