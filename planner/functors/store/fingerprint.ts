/**
 * Content fingerprints of stored tables, for sigma_delta's checkpoints: per column, a 64-bit
 * hash of the active rows `0 .. toRow − 1` — validity, value (a dictionary column's string, not
 * its code, so a snapshot's re-encoding changes nothing) and labelled-null term — folded over
 * the table's chunks in order. The column names and types are part of it.
 *
 * Why a content hash: the store has no durable per-table change counter (its statistics counter
 * restarts at a snapshot), and an update or delete of an old source row must send sigma_delta
 * back to a full Σ.
 *
 * Why it is cheap after the first time: a full chunk of a committed table never changes in
 * place (a writer copies a chunk before changing a row it holds, and deletes copy the chunk's
 * deleted bitmap), so the hash of a full chunk is cached under the identity of its buffers
 * (values, validity, deleted bitmap) for as long as they live, and a fingerprint costs one
 * lookup per unchanged chunk plus the rows of changed and partial chunks. A string's hash is
 * computed once per dictionary entry.
 */
import { checkDeadline, limits } from '../../../common/index.js';
import { bitmapGet, type ColumnVector, type TableView } from '../../../store/index.js';

const BATCH_ROWS = limits.batchRowsMax;
const BATCH_ROWS_SHIFT = Math.log2(BATCH_ROWS);

const stringHashes = new WeakMap<readonly string[], { lanes: Uint32Array; count: number }>();
const chunkHashes = new WeakMap<ArrayBufferLike, Map<string, readonly [number, number]>>();
const bufferIds = new WeakMap<object, number>();
let nextBufferId = 1;

function identity(object: object): number {
  let id = bufferIds.get(object);
  if (id === undefined) {
    id = nextBufferId++;
    bufferIds.set(object, id);
  }
  return id;
}

function bufferKey(array: { buffer: ArrayBufferLike; byteOffset: number } | undefined): string {
  return array === undefined ? '-' : `${identity(array.buffer)}@${array.byteOffset}`;
}

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
    const from = cached?.count ?? 0;
    let lanes = cached?.lanes ?? new Uint32Array(0);
    if (lanes.length < dictionary.length * 2) {
      const grown = new Uint32Array(Math.max(64, dictionary.length * 3));
      grown.set(lanes.subarray(0, from * 2));
      lanes = grown;
    }
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
  return (Math.imul((hash ^ word) >>> 0, 0x9e3779b1) ^ (hash >>> 13)) >>> 0;
}

function mixB(hash: number, word: number): number {
  return (Math.imul((hash + word) | 0, 0x85ebca6b) ^ (hash >>> 16)) >>> 0;
}

/** The words of a vector's values: 2 per row for 64-bit values, else 1. */
function wordsOf(vector: ColumnVector): { words: Uint32Array; width: number } | undefined {
  switch (vector.kind) {
    case 'float64':
    case 'bigint64':
      return {
        words: new Uint32Array(
          vector.values.buffer,
          vector.values.byteOffset,
          vector.values.length * 2,
        ),
        width: 2,
      };
    case 'date':
      return {
        words: new Uint32Array(
          vector.values.buffer,
          vector.values.byteOffset,
          vector.values.length,
        ),
        width: 1,
      };
    case 'rowId':
      return { words: vector.values, width: 1 };
    case 'bool':
      return { words: Uint32Array.from(vector.values), width: 1 };
    case 'dictionary':
      return undefined;
  }
}

/** Hash of the active rows 0 .. rows − 1 of one chunk of one column. */
function chunkLanes(
  table: TableView,
  columnIndex: number,
  batchIndex: number,
  rows: number,
  deleted: Uint8Array | undefined,
): readonly [number, number] {
  const column = table.column(columnIndex);
  const vector = column.vector(batchIndex);
  const values = vector.kind === 'dictionary' ? vector.codes : vector.values;
  // A full chunk is immutable once committed. In a transaction's draft it may still be a tail
  // chunk the committed version shares, filled in place (a rollback would leave its buffer to
  // be refilled with other rows): cache only chunks the draft's base had full or did not have.
  const baseRows = table.draft === undefined ? undefined : table.draft.baseRowCount;
  const start = batchIndex << BATCH_ROWS_SHIFT;
  const cacheable =
    rows === BATCH_ROWS &&
    (baseRows === undefined || baseRows <= start || baseRows >= start + BATCH_ROWS);
  const dictionaryId = vector.kind === 'dictionary' ? identity(vector.dictionary) : 0;
  const key = `${values.byteOffset}|${bufferKey(vector.validity)}|${bufferKey(deleted)}|${rows}|${dictionaryId}`;
  const cached = chunkHashes.get(values.buffer)?.get(key);
  if (cached !== undefined) return cached;
  const validity = vector.validity;
  const typed = wordsOf(vector);
  const dictionary = vector.kind === 'dictionary' ? dictionaryHashes(vector.dictionary) : undefined;
  const codes = vector.kind === 'dictionary' ? vector.codes : undefined;
  let a = 0x243f6a88;
  let b = 0x85a308d3;
  for (let offset = 0; offset < rows; offset++) {
    if (deleted !== undefined && bitmapGet(deleted, offset)) continue;
    if (validity !== undefined && !bitmapGet(validity, offset)) {
      const label = column.label(start + offset);
      a = mixA(a, label === undefined ? 0x6e756c6c : hashString(label, 0x811c9dc5));
      b = mixB(b, label === undefined ? 0x4e554c4c : hashString(label, 0x2545f491));
    } else if (codes !== undefined && dictionary !== undefined) {
      const code = codes[offset] as number;
      a = mixA(a, dictionary[code * 2] as number);
      b = mixB(b, dictionary[code * 2 + 1] as number);
    } else if (typed !== undefined && typed.width === 2) {
      const low = typed.words[offset * 2] as number;
      const high = typed.words[offset * 2 + 1] as number;
      a = mixA(mixA(a, low), high);
      b = mixB(mixB(b, high), low);
    } else if (typed !== undefined) {
      const word = typed.words[offset] as number;
      a = mixA(a, word);
      b = mixB(b, word);
    }
  }
  const lanes = [a, b] as const;
  if (cacheable) {
    let byKey = chunkHashes.get(values.buffer);
    if (byKey === undefined) chunkHashes.set(values.buffer, (byKey = new Map()));
    byKey.set(key, lanes);
  }
  return lanes;
}

/** The fingerprint of the active rows `0 .. toRow − 1` of every column, with the column names. */
export function tableFingerprint(table: TableView, toRow: number, deadline?: number): string {
  const columnCount = table.definition.columns.length;
  const lanes = new Uint32Array(columnCount * 2);
  for (let columnIndex = 0; columnIndex < columnCount; columnIndex++) {
    lanes[columnIndex * 2] = 0x243f6a88;
    lanes[columnIndex * 2 + 1] = 0x85a308d3;
  }
  const batches = Math.ceil(Math.min(toRow, table.rowCount) / BATCH_ROWS);
  for (let batchIndex = 0; batchIndex < batches; batchIndex++) {
    checkDeadline(deadline, `fingerprinting ${table.entity}`);
    const rows = Math.min(BATCH_ROWS, toRow - (batchIndex << BATCH_ROWS_SHIFT));
    const deleted = table.deletedBitmap(batchIndex);
    if (deleted !== undefined && table.batch(batchIndex, []).activeRowCount === 0) continue;
    for (let columnIndex = 0; columnIndex < columnCount; columnIndex++) {
      const [a, b] = chunkLanes(table, columnIndex, batchIndex, rows, deleted);
      lanes[columnIndex * 2] = mixA(mixA(lanes[columnIndex * 2] as number, a), batchIndex);
      lanes[columnIndex * 2 + 1] = mixB(mixB(lanes[columnIndex * 2 + 1] as number, b), rows);
    }
  }
  const columns = table.definition.columns
    .map((column) =>
      column.type.kind === 'scalar'
        ? `${column.name}:${column.type.scalar}`
        : `${column.name}->${column.type.target}`,
    )
    .join(',');
  return `${columns}|${Array.from(lanes, (lane) => lane.toString(16).padStart(8, '0')).join('')}`;
}
