/**
 * Content fingerprints of stored tables, for sigma_delta's checkpoints: a 64-bit streaming hash
 * per column over the active rows of a row range, in row-id order — validity, value (a
 * dictionary column's string, not its code, so re-encoding by a snapshot changes nothing) and
 * labelled-null term. Streaming, so the fingerprint of rows 0..n−1 extends to 0..m−1 by hashing
 * only rows n..m−1.
 *
 * Why a content hash: the store has no durable per-table change counter (its statistics counter
 * restarts at a snapshot), and an update of an old source row must send sigma_delta back to a
 * full Σ. Hashing costs one pass over the columns (no row objects); a string's hash is computed
 * once per dictionary entry and cached for as long as the dictionary lives.
 */
import { checkDeadline, limits } from '../../../common/index.js';
import { bitmapGet, type TableView } from '../../../store/index.js';

const BATCH_ROWS_SHIFT = Math.log2(limits.batchRowsMax);

/** Per column, two 32-bit lanes. */
export type Fingerprint = Uint32Array;

const stringHashes = new WeakMap<readonly string[], { lanes: Uint32Array; count: number }>();

function hashString(text: string, seed: number): number {
  let hash = seed ^ text.length;
  for (let index = 0; index < text.length; index++) {
    hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  }
  return hash >>> 0;
}

function dictionaryHashes(dictionary: readonly string[]): Uint32Array {
  let cached = stringHashes.get(dictionary);
  if (cached === undefined || cached.count < dictionary.length) {
    const lanes = new Uint32Array(Math.max(16, dictionary.length * 2 + 64));
    const from = cached?.count ?? 0;
    if (cached !== undefined) lanes.set(cached.lanes.subarray(0, from * 2));
    for (let code = from; code < dictionary.length; code++) {
      const text = dictionary[code] as string;
      lanes[code * 2] = hashString(text, 0x811c9dc5);
      lanes[code * 2 + 1] = hashString(text, 0x2545f491);
    }
    cached = { lanes, count: dictionary.length };
    stringHashes.set(dictionary, cached);
  }
  return cached.lanes;
}

function mixA(hash: number, word: number): number {
  return Math.imul((hash ^ word) >>> 0, 0x9e3779b1) ^ (hash >>> 13);
}

function mixB(hash: number, word: number): number {
  return Math.imul((hash + word) | 0, 0x85ebca6b) ^ (hash >>> 16);
}

/** A fresh fingerprint of `columnCount` columns. */
export function emptyFingerprint(columnCount: number): Fingerprint {
  const lanes = new Uint32Array(columnCount * 2);
  for (let column = 0; column < columnCount; column++) {
    lanes[column * 2] = 0x243f6a88;
    lanes[column * 2 + 1] = 0x85a308d3;
  }
  return lanes;
}

/**
 * Extend `fingerprint` (of rows before `fromRow`) with the active rows `fromRow .. toRow − 1`
 * of every column of `table`. Returns a new array.
 */
export function extendFingerprint(
  table: TableView,
  fingerprint: Fingerprint,
  fromRow: number,
  toRow: number,
  deadline?: number,
): Fingerprint {
  const result = Uint32Array.from(fingerprint);
  if (toRow <= fromRow) return result;
  const columnCount = table.definition.columns.length;
  const firstBatch = fromRow >>> BATCH_ROWS_SHIFT;
  const lastBatch = (toRow - 1) >>> BATCH_ROWS_SHIFT;
  for (let batchIndex = firstBatch; batchIndex <= lastBatch; batchIndex++) {
    checkDeadline(deadline, `fingerprinting ${table.entity}`);
    const start = batchIndex << BATCH_ROWS_SHIFT;
    const from = Math.max(fromRow, start) - start;
    const to = Math.min(toRow, start + (1 << BATCH_ROWS_SHIFT)) - start;
    const deleted = table.deletedBitmap(batchIndex);
    for (let columnIndex = 0; columnIndex < columnCount; columnIndex++) {
      const column = table.column(columnIndex);
      const vector = column.vector(batchIndex);
      let a = result[columnIndex * 2] as number;
      let b = result[columnIndex * 2 + 1] as number;
      const validity = vector.validity;
      let words: Uint32Array | undefined;
      let width = 1;
      let dictionary: Uint32Array | undefined;
      let codes: Uint32Array | undefined;
      switch (vector.kind) {
        case 'float64':
        case 'bigint64':
          words = new Uint32Array(
            vector.values.buffer,
            vector.values.byteOffset,
            vector.values.length * 2,
          );
          width = 2;
          break;
        case 'date':
          words = new Uint32Array(
            vector.values.buffer,
            vector.values.byteOffset,
            vector.values.length,
          );
          break;
        case 'rowId':
          words = vector.values;
          break;
        case 'bool':
          words = Uint32Array.from(vector.values);
          break;
        case 'dictionary':
          dictionary = dictionaryHashes(vector.dictionary);
          codes = vector.codes;
          break;
      }
      for (let offset = from; offset < to; offset++) {
        if (deleted !== undefined && bitmapGet(deleted, offset)) continue;
        if (validity !== undefined && !bitmapGet(validity, offset)) {
          const label = column.label(start + offset);
          a = mixA(a, label === undefined ? 0x6e756c6c : hashString(label, 0x811c9dc5));
          b = mixB(b, label === undefined ? 0x4e554c4c : hashString(label, 0x2545f491));
          continue;
        }
        if (codes !== undefined && dictionary !== undefined) {
          const code = codes[offset] as number;
          a = mixA(a, dictionary[code * 2] as number);
          b = mixB(b, dictionary[code * 2 + 1] as number);
        } else if (width === 2) {
          const low = (words as Uint32Array)[offset * 2] as number;
          const high = (words as Uint32Array)[offset * 2 + 1] as number;
          a = mixA(mixA(a, low), high);
          b = mixB(mixB(b, high), low);
        } else {
          const word = (words as Uint32Array)[offset] as number;
          a = mixA(a, word);
          b = mixB(b, word);
        }
      }
      result[columnIndex * 2] = a;
      result[columnIndex * 2 + 1] = b;
    }
  }
  return result;
}

/** The fingerprint of the active rows `0 .. toRow − 1`, with the column names in it. */
export function tableFingerprint(table: TableView, toRow: number, deadline?: number): string {
  return formatFingerprint(
    table,
    extendFingerprint(table, emptyFingerprint(table.definition.columns.length), 0, toRow, deadline),
  );
}

/** `names|hex…`: the column names and types, then the lanes. */
export function formatFingerprint(table: TableView, fingerprint: Fingerprint): string {
  const columns = table.definition.columns
    .map((column) =>
      column.type.kind === 'scalar'
        ? `${column.name}:${column.type.scalar}`
        : `${column.name}->${column.type.target}`,
    )
    .join(',');
  return `${columns}|${Array.from(fingerprint, (lane) => lane.toString(16).padStart(8, '0')).join('')}`;
}

/** The lanes of a formatted fingerprint, or undefined when its columns are not the table's. */
export function parseFingerprint(table: TableView, text: string): Fingerprint | undefined {
  const bar = text.lastIndexOf('|');
  const expected = formatFingerprint(table, new Uint32Array(0));
  if (bar < 0 || text.slice(0, bar + 1) !== expected) return undefined;
  const hex = text.slice(bar + 1);
  const count = table.definition.columns.length * 2;
  if (hex.length !== count * 8) return undefined;
  const lanes = new Uint32Array(count);
  for (let lane = 0; lane < count; lane++) {
    lanes[lane] = Number.parseInt(hex.slice(lane * 8, lane * 8 + 8), 16);
  }
  return lanes;
}
