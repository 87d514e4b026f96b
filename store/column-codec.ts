/**
 * Column values in WAL entries. Two forms of one JSON object, chosen by size:
 *
 * - plain (fewer than PLAIN_ROWS_MAX rows, readable): `{"v":[…]}` — a JSON value per row: Int a
 *   number, or a string outside ±(2^53−1); Float a number; Bool; Date days since 1970-01-01;
 *   a foreign key the target row id; String/Uuid/Decimal a string; NULL `null`; a labelled
 *   null `{"l":"<term>"}`.
 * - binary (bulk): `{"t":"f64"|"i64"|"i32"|"u8"|"u32","b":<values>}` plus `"d":[…]` (the
 *   strings the u32 codes index, for String/Uuid/Decimal), `"z":<validity bitmap, LSB first,
 *   1 = present>` when a row is NULL, and `"l":[[i,"<term>"],…]` for labelled nulls (i counts
 *   from 0 within the encoded rows). The values and the bitmap are little-endian bytes: in
 *   record format 2 (written now) a `[offset, bytes]` reference into the record's binary
 *   payload (wal-blob.ts); in format 1 (older WALs, still read) a base64 string.
 *
 * Decoding is strict (lengths, types, dictionary codes): a WAL may come from a file the user
 * names. Values are checked again by the write path they are replayed through.
 */
import { bitmapBytes, getBit } from './bitmap.js';
import type { ColumnView } from './column-view.js';
import { blobPart, type BlobRange, type WalBlob } from './wal-blob.js';
import type { ColumnVector } from './vectors.js';
import { labelledNull, type ColumnInput, type InputValue } from './values.js';

/** Below this many rows a column is written in the plain form. */
export const PLAIN_ROWS_MAX = 32;

export type EncodedColumn =
  | { readonly v: readonly unknown[] }
  | {
      readonly t: 'f64' | 'i64' | 'i32' | 'u8' | 'u32';
      readonly b: string | BlobRange;
      readonly d?: readonly string[];
      readonly z?: string | BlobRange;
      readonly l?: readonly (readonly [number, string])[];
    };

/** A decoded column: the input for the write path, and labelled nulls by offset. */
export interface DecodedColumn {
  readonly input: ColumnInput;
  readonly labels: readonly (readonly [number, string])[];
}

export class CodecError extends Error {}

function plainValue(column: ColumnView, rowId: number): unknown {
  const term = column.label(rowId);
  if (term !== undefined) return { l: term };
  const value = column.valueUnchecked(rowId);
  return typeof value === 'bigint' ? value.toString() : value;
}

function bytesOf(values: ArrayBufferView): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

const TYPE_TAGS = {
  float64: 'f64',
  bigint64: 'i64',
  date: 'i32',
  bool: 'u8',
  rowId: 'u32',
  dictionary: 'u32',
} as const;

type TypedValues = Float64Array | BigInt64Array | Int32Array | Uint8Array | Uint32Array;

/**
 * Encode the column's values at `rows` (row ids, any order). With `blob`, the binary form's
 * bytes go to the record's payload (format 2); without, into base64 (format 1).
 */
export function encodeColumnRows(
  column: ColumnView,
  rows: ArrayLike<number>,
  blob?: WalBlob,
): EncodedColumn {
  const count = rows.length;
  if (count < PLAIN_ROWS_MAX) {
    const values = new Array<unknown>(count);
    for (let index = 0; index < count; index++) values[index] = plainValue(column, rows[index]!);
    return { v: values };
  }
  const gathered = column.gather(rows);
  return encodeBinary(column, vectorParts(gathered), count, (index) => rows[index]!, blob);
}

/**
 * Encode rows first .. first + count − 1. Rows at which `purged(offset)` holds are written as
 * NULL with no label (compaction's purge of deleted rows: their values leave the file, and a
 * string only they used leaves the dictionary). With `blob` (format 2) the values are not
 * copied: the payload holds views of the column's chunks.
 */
export function encodeColumnRange(
  column: ColumnView,
  first: number,
  count: number,
  purged?: (offset: number) => boolean,
  blob?: WalBlob,
): EncodedColumn {
  if (count < PLAIN_ROWS_MAX) {
    const values = new Array<unknown>(count);
    for (let index = 0; index < count; index++) {
      values[index] = purged?.(index) === true ? null : plainValue(column, first + index);
    }
    return { v: values };
  }
  const parts =
    purged === undefined
      ? column.rangeParts(first, count)
      : vectorParts(purgeVector(column.slice(first, count), count, purged));
  return encodeBinary(column, parts, count, (index) => first + index, blob, purged);
}

interface VectorParts {
  /** The value slots (codes for a dictionary column), in row order. */
  readonly values: readonly TypedValues[];
  readonly validity: Uint8Array | undefined;
}

function vectorParts(vector: ColumnVector): VectorParts {
  return {
    values: [vector.kind === 'dictionary' ? vector.codes : vector.values],
    validity: vector.validity,
  };
}

/** A copy of `vector` with the purged rows NULL and their value slots zero. */
function purgeVector(
  vector: ColumnVector,
  count: number,
  purged: (offset: number) => boolean,
): ColumnVector {
  const values = vector.kind === 'dictionary' ? vector.codes.slice() : vector.values.slice();
  const validity = new Uint8Array(bitmapBytes(count));
  if (vector.validity === undefined) validity.fill(0xff);
  else validity.set(vector.validity.subarray(0, validity.length));
  for (let offset = 0; offset < count; offset++) {
    if (!purged(offset)) continue;
    validity[offset >>> 3]! &= ~(1 << (offset & 7));
    if (values instanceof BigInt64Array) values[offset] = 0n;
    else values[offset] = 0;
  }
  return vector.kind === 'dictionary'
    ? { ...vector, codes: values as Uint32Array, validity }
    : ({ ...vector, values, validity } as ColumnVector);
}

/**
 * The codes of a dictionary column renumbered to a dictionary of only the strings these rows
 * use (in order of first use). NULL rows get code 0.
 */
function localCodes(
  parts: readonly Uint32Array[],
  validity: Uint8Array | undefined,
  dictionary: readonly string[],
  count: number,
): { codes: Uint32Array; strings: string[] } {
  const strings: string[] = [];
  const codes = new Uint32Array(count);
  // A dense translation table when the dictionary is not much larger than the rows (one
  // typed-array load per row), a map otherwise (a huge dictionary, few rows).
  const dense = dictionary.length <= 4 * count + 1024;
  const table = dense ? new Int32Array(dictionary.length).fill(-1) : undefined;
  const map = dense ? undefined : new Map<number, number>();
  let index = 0;
  for (const part of parts) {
    for (let step = 0; step < part.length; step++, index++) {
      if (validity !== undefined && !getBit(validity, index)) continue;
      const code = part[step]!;
      let local = table !== undefined ? table[code]! : (map!.get(code) ?? -1);
      if (local < 0) {
        local = strings.length;
        strings.push(dictionary[code]!);
        if (table !== undefined) table[code] = local;
        else map!.set(code, local);
      }
      codes[index] = local;
    }
  }
  return { codes, strings };
}

function encodeBinary(
  column: ColumnView,
  parts: VectorParts,
  count: number,
  rowAt: (index: number) => number,
  blob: WalBlob | undefined,
  purged?: (offset: number) => boolean,
): EncodedColumn {
  const labels: [number, string][] = [];
  const labelled = column.labels();
  if (labelled.size > 0) {
    for (let index = 0; index < count; index++) {
      if (purged?.(index) === true) continue;
      const term = labelled.get(rowAt(index));
      if (term !== undefined) labels.push([index, term]);
    }
  }
  const tag = TYPE_TAGS[column.representation];
  const bytes = (values: readonly ArrayBufferView[]): string | BlobRange =>
    blob !== undefined
      ? blob.add(values)
      : (values.length === 1 ? bytesOf(values[0]!) : Buffer.concat(values.map(bytesOf))).toString(
          'base64',
        );
  let b: string | BlobRange;
  let d: string[] | undefined;
  if (column.representation === 'dictionary') {
    const local = localCodes(
      parts.values as readonly Uint32Array[],
      parts.validity,
      column.dictionary!,
      count,
    );
    b = bytes([local.codes]);
    d = local.strings;
  } else {
    b = bytes(parts.values);
  }
  const encoded: {
    t: typeof tag;
    b: string | BlobRange;
    d?: string[];
    z?: string | BlobRange;
    l?: [number, string][];
  } = { t: tag, b };
  if (d !== undefined) encoded.d = d;
  if (parts.validity !== undefined) encoded.z = bytes([parts.validity]);
  if (labels.length > 0) encoded.l = labels;
  return encoded;
}

/**
 * The bytes of a binary column's part: a `[offset, bytes]` reference into the record's
 * payload (format 2) or a base64 string (format 1). Not a copy for a reference.
 */
function decodeBytes(
  json: unknown,
  bytes: number,
  what: string,
  payload: Uint8Array | undefined,
): Uint8Array {
  if (typeof json !== 'string') {
    const part = blobPart(json, payload, bytes);
    if (typeof part === 'string') throw new CodecError(`${what}: ${part}`);
    return part;
  }
  const buffer = Buffer.from(json, 'base64');
  if (buffer.length !== bytes || buffer.toString('base64') !== json) {
    throw new CodecError(`${what}: expected ${bytes} bytes of base64`);
  }
  return buffer;
}

/** A typed array of `count` values holding a copy of `buffer` (aligned, owned by the caller). */
function typedFrom(
  tag: string,
  buffer: Uint8Array,
  count: number,
): Float64Array | BigInt64Array | Int32Array | Uint8Array | Uint32Array {
  const copy = new ArrayBuffer(buffer.length);
  new Uint8Array(copy).set(buffer);
  switch (tag) {
    case 'f64':
      return new Float64Array(copy, 0, count);
    case 'i64':
      return new BigInt64Array(copy, 0, count);
    case 'i32':
      return new Int32Array(copy, 0, count);
    case 'u8':
      return new Uint8Array(copy, 0, count);
    case 'u32':
      return new Uint32Array(copy, 0, count);
    default:
      throw new CodecError(`unknown column encoding ${JSON.stringify(tag)}`);
  }
}

const WIDTHS: Readonly<Record<string, number>> = { f64: 8, i64: 8, i32: 4, u8: 1, u32: 4 };

function decodePlainValue(json: unknown): InputValue {
  if (json === null || typeof json === 'number' || typeof json === 'boolean') return json;
  if (typeof json === 'string') return json;
  if (typeof json === 'object' && !Array.isArray(json)) {
    const term = (json as { l?: unknown }).l;
    if (typeof term === 'string' && Object.keys(json).length === 1) return labelledNull(term);
  }
  throw new CodecError(`unexpected value ${JSON.stringify(json)?.slice(0, 80)}`);
}

/**
 * Decode `count` rows of a column. `kind.int` says an Int column (whose plain strings are big
 * integers); `kind.dictionary` a String/Uuid/Decimal one (binary form with `d`). `payload` is
 * the binary payload of the record the column belongs to (format 2). The result owns its
 * arrays (copies, never views of the payload).
 */
export function decodeColumn(
  json: unknown,
  count: number,
  kind: { readonly int: boolean; readonly dictionary: boolean },
  payload?: Uint8Array,
): DecodedColumn {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new CodecError('a column must be an object');
  }
  const record = json as Record<string, unknown>;
  if ('v' in record) {
    const values = record['v'];
    if (!Array.isArray(values) || values.length !== count) {
      throw new CodecError(`expected ${count} plain values`);
    }
    const input = values.map((value: unknown) => {
      const decoded = decodePlainValue(value);
      if (kind.int && typeof decoded === 'string') {
        if (!/^-?[0-9]+$/.test(decoded)) throw new CodecError(`bad Int ${decoded}`);
        return BigInt(decoded);
      }
      return decoded;
    });
    return { input, labels: [] };
  }
  const tag = record['t'];
  if (typeof tag !== 'string' || WIDTHS[tag] === undefined) {
    throw new CodecError(`unknown column encoding ${JSON.stringify(tag)}`);
  }
  const values = typedFrom(
    tag,
    decodeBytes(record['b'], count * WIDTHS[tag]!, 'values', payload),
    count,
  );
  let validity: Uint8Array | undefined;
  if (record['z'] !== undefined) {
    validity = new Uint8Array(decodeBytes(record['z'], bitmapBytes(count), 'validity', payload));
  }
  const labels: [number, string][] = [];
  const labelsJson = record['l'];
  if (labelsJson !== undefined) {
    if (!Array.isArray(labelsJson)) throw new CodecError('labels must be an array');
    for (const entry of labelsJson as unknown[]) {
      if (
        !Array.isArray(entry) ||
        entry.length !== 2 ||
        !Number.isInteger(entry[0]) ||
        (entry[0] as number) < 0 ||
        (entry[0] as number) >= count ||
        typeof entry[1] !== 'string'
      ) {
        throw new CodecError('a label must be [offset, term]');
      }
      labels.push([entry[0] as number, entry[1] as string]);
    }
  }
  if (kind.dictionary) {
    const dictionary = record['d'];
    if (
      tag !== 'u32' ||
      !Array.isArray(dictionary) ||
      !dictionary.every((s) => typeof s === 'string')
    ) {
      throw new CodecError('a dictionary column needs u32 codes and a dictionary of strings');
    }
    return {
      input: { codes: values as Uint32Array, dictionary: dictionary as string[], validity },
      labels,
    };
  }
  if (record['d'] !== undefined) throw new CodecError('a dictionary on a non-string column');
  return { input: { values, validity }, labels };
}
