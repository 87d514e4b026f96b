/**
 * Column vectors: what the executor moves between operators (STYLE.md §4: typed arrays plus a
 * validity bitmap, no row objects on the hot path).
 *
 * | kind     | types                     | payload                                            |
 * |----------|---------------------------|----------------------------------------------------|
 * | number   | Int (all within ±2^53−1), Float, Date (days) | Float64Array                     |
 * | bool     | Bool                      | Uint8Array, 0 or 1 per row                         |
 * | dict     | String, Uuid, Decimal     | Int32Array codes into a shared string dictionary   |
 * | value    | any (Int beyond ±2^53−1 as bigint, strings, decimals) | an array of values, null = NULL |
 * | const    | any                       | one value repeated `length` times                  |
 *
 * Validity is an Arrow-style bitmap (bit i of byte i>>3, least significant bit first; 1 = not
 * null), or undefined when no row is null. `value` vectors carry their nulls inline (`null`),
 * `const` vectors are null when their value is null. The payload at a null position is
 * meaningless but always a valid number (0) so that kernels may compute over it and mask later.
 */
import {
  assert,
  assertNever,
  INT64_MAX,
  INT64_MIN,
  normalizeInt,
  type Scalar,
  type ScalarType,
  type Value,
} from '../../common/index.js';

export type Validity = Uint8Array;

export interface NumberVector {
  readonly kind: 'number';
  readonly type: 'Int' | 'Float' | 'Date';
  readonly length: number;
  readonly values: Float64Array;
  readonly validity: Validity | undefined;
  /**
   * The same values as unsigned 32-bit integers, when the vector holds a foreign key's row ids
   * read from the store: kernels that index by the value (grouping, FK lookups) read these
   * directly, and `values` is converted only when something reads it.
   */
  readonly rowIds?: Uint32Array | undefined;
}

export interface BoolVector {
  readonly kind: 'bool';
  readonly type: 'Bool';
  readonly length: number;
  readonly values: Uint8Array;
  readonly validity: Validity | undefined;
}

export interface DictVector {
  readonly kind: 'dict';
  readonly type: 'String' | 'Uuid' | 'Decimal';
  readonly length: number;
  readonly codes: Int32Array;
  readonly dictionary: readonly string[];
  readonly validity: Validity | undefined;
}

export interface ValueVector {
  readonly kind: 'value';
  readonly type: ScalarType;
  readonly length: number;
  readonly values: readonly Value[];
}

export interface ConstVector {
  readonly kind: 'const';
  readonly type: ScalarType;
  readonly length: number;
  readonly value: Value;
}

export type Vector = NumberVector | BoolVector | DictVector | ValueVector | ConstVector;

/** A batch of rows: one vector per column, all of `length` rows. */
export interface Batch {
  readonly length: number;
  readonly columns: readonly Vector[];
}

// ── validity bitmaps ──────────────────────────────────────────────────────────────────────────

export function validityBytes(length: number): number {
  return (length + 7) >>> 3;
}

/** A bitmap with every row valid. */
export function allValid(length: number): Validity {
  const bits = new Uint8Array(validityBytes(length)).fill(0xff);
  return bits;
}

export function isValidAt(validity: Validity | undefined, index: number): boolean {
  return validity === undefined || ((validity[index >>> 3] ?? 0) & (1 << (index & 7))) !== 0;
}

export function setValid(validity: Validity, index: number, valid: boolean): void {
  const byte = index >>> 3;
  const bit = 1 << (index & 7);
  if (valid) validity[byte] = (validity[byte] ?? 0) | bit;
  else validity[byte] = (validity[byte] ?? 0) & ~bit;
}

/** The rows valid in both (undefined when both are all-valid). */
export function andValidity(
  a: Validity | undefined,
  b: Validity | undefined,
  length: number,
): Validity | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const bytes = validityBytes(length);
  const result = new Uint8Array(bytes);
  for (let index = 0; index < bytes; index++) result[index] = (a[index] ?? 0) & (b[index] ?? 0);
  return result;
}

/** Count of null rows. */
export function nullCount(vector: Vector): number {
  switch (vector.kind) {
    case 'number':
    case 'bool':
    case 'dict': {
      const validity = vector.validity;
      if (validity === undefined) return 0;
      let valid = 0;
      for (let index = 0; index < vector.length; index++) {
        if (((validity[index >>> 3] ?? 0) & (1 << (index & 7))) !== 0) valid++;
      }
      return vector.length - valid;
    }
    case 'value': {
      let nulls = 0;
      for (const value of vector.values) if (value === null) nulls++;
      return nulls;
    }
    case 'const':
      return vector.value === null ? vector.length : 0;
    default:
      return assertNever(vector, 'vector');
  }
}

// ── reading values ────────────────────────────────────────────────────────────────────────────

/** The value at a row (engine form: normalised Int, days for Date). For the edges, not hot loops. */
export function valueAt(vector: Vector, index: number): Value {
  switch (vector.kind) {
    case 'number':
      return isValidAt(vector.validity, index) ? (vector.values[index] ?? 0) : null;
    case 'bool':
      return isValidAt(vector.validity, index) ? vector.values[index] === 1 : null;
    case 'dict':
      return isValidAt(vector.validity, index)
        ? (vector.dictionary[vector.codes[index] ?? 0] ?? null)
        : null;
    case 'value':
      return vector.values[index] ?? null;
    case 'const':
      return vector.value;
    default:
      return assertNever(vector, 'vector');
  }
}

export function isNullAt(vector: Vector, index: number): boolean {
  switch (vector.kind) {
    case 'number':
    case 'bool':
    case 'dict':
      return !isValidAt(vector.validity, index);
    case 'value':
      return vector.values[index] === null;
    case 'const':
      return vector.value === null;
    default:
      return assertNever(vector, 'vector');
  }
}

export function constVector(type: ScalarType, value: Value, length: number): ConstVector {
  return { kind: 'const', type, value, length };
}

// ── building vectors ──────────────────────────────────────────────────────────────────────────

const SAFE_MAX = Number.MAX_SAFE_INTEGER;

/**
 * Appends values of one type and yields the most compact vector: Int/Float/Date as numbers
 * (an Int beyond ±2^53−1 turns the vector into a `value` vector), Bool as bytes, strings as a
 * `value` vector (dictionaries are made by the store and kept by gathers, not rebuilt here).
 */
export class VectorBuilder {
  private numbers: Float64Array | undefined;
  private bools: Uint8Array | undefined;
  private values: Value[] | undefined;
  private validity: Validity | undefined;
  private count = 0;

  constructor(
    readonly type: ScalarType,
    private capacity = 1024,
  ) {
    if (type === 'Int' || type === 'Float' || type === 'Date') {
      this.numbers = new Float64Array(capacity);
    } else if (type === 'Bool') {
      this.bools = new Uint8Array(capacity);
    } else {
      this.values = [];
    }
  }

  get length(): number {
    return this.count;
  }

  private grow(): void {
    this.capacity *= 2;
    if (this.numbers !== undefined) {
      const next = new Float64Array(this.capacity);
      next.set(this.numbers);
      this.numbers = next;
    }
    if (this.bools !== undefined) {
      const next = new Uint8Array(this.capacity);
      next.set(this.bools);
      this.bools = next;
    }
    if (this.validity !== undefined) {
      const next = new Uint8Array(validityBytes(this.capacity));
      next.set(this.validity);
      this.validity = next;
    }
  }

  private markNull(): void {
    if (this.validity === undefined) {
      this.validity = allValid(this.capacity);
      // Bits past `count` are set too; they are overwritten as rows are appended.
    }
    setValid(this.validity, this.count, false);
  }

  /** Switch from the number payload to a value array (an Int beyond ±2^53−1 arrived). */
  private widen(): void {
    assert(this.numbers !== undefined);
    const values: Value[] = new Array<Value>(this.count);
    for (let index = 0; index < this.count; index++) {
      values[index] = isValidAt(this.validity, index) ? (this.numbers[index] ?? 0) : null;
    }
    this.values = values;
    this.numbers = undefined;
    this.validity = undefined;
  }

  append(value: Value): void {
    if (this.values !== undefined) {
      this.values.push(value);
      this.count++;
      return;
    }
    if (this.count === this.capacity) this.grow();
    if (value === null) {
      this.markNull();
      if (this.numbers !== undefined) this.numbers[this.count] = 0;
      else if (this.bools !== undefined) this.bools[this.count] = 0;
      this.count++;
      return;
    }
    if (this.validity !== undefined) setValid(this.validity, this.count, true);
    if (this.numbers !== undefined) {
      if (typeof value === 'bigint' || (typeof value === 'number' && Math.abs(value) > SAFE_MAX)) {
        this.widen();
        this.append(value);
        return;
      }
      this.numbers[this.count] = value as number;
    } else if (this.bools !== undefined) {
      this.bools[this.count] = value === true ? 1 : 0;
    }
    this.count++;
  }

  finish(): Vector {
    const length = this.count;
    if (this.values !== undefined) {
      return { kind: 'value', type: this.type, length, values: this.values };
    }
    const validity =
      this.validity === undefined ? undefined : this.validity.slice(0, validityBytes(length));
    if (this.numbers !== undefined) {
      return {
        kind: 'number',
        type: this.type as 'Int' | 'Float' | 'Date',
        length,
        values: this.numbers.slice(0, length),
        validity,
      };
    }
    assert(this.bools !== undefined);
    return { kind: 'bool', type: 'Bool', length, values: this.bools.slice(0, length), validity };
  }
}

export function vectorFromValues(type: ScalarType, values: readonly Value[]): Vector {
  const builder = new VectorBuilder(type, Math.max(16, values.length));
  for (const value of values) builder.append(value);
  return builder.finish();
}

/** Values of a vector as an array (the edge: results, tests). */
export function vectorValues(vector: Vector): Value[] {
  const values: Value[] = new Array<Value>(vector.length);
  for (let index = 0; index < vector.length; index++) values[index] = valueAt(vector, index);
  return values;
}

// ── reshaping ─────────────────────────────────────────────────────────────────────────────────

function gatherValidity(
  validity: Validity | undefined,
  indexes: ArrayLike<number>,
  count: number,
): Validity | undefined {
  if (validity === undefined) return undefined;
  const result = new Uint8Array(validityBytes(count));
  let anyNull = false;
  for (let row = 0; row < count; row++) {
    const source = indexes[row] ?? 0;
    if (((validity[source >>> 3] ?? 0) & (1 << (source & 7))) !== 0) {
      result[row >>> 3] = (result[row >>> 3] ?? 0) | (1 << (row & 7));
    } else {
      anyNull = true;
    }
  }
  return anyNull ? result : undefined;
}

/** The rows at `indexes` (the first `count` of them), in that order. */
export function gather(vector: Vector, indexes: ArrayLike<number>, count = indexes.length): Vector {
  switch (vector.kind) {
    case 'number': {
      const values = new Float64Array(count);
      const source = vector.values;
      for (let row = 0; row < count; row++) values[row] = source[indexes[row] ?? 0] ?? 0;
      return {
        kind: 'number',
        type: vector.type,
        length: count,
        values,
        validity: gatherValidity(vector.validity, indexes, count),
      };
    }
    case 'bool': {
      const values = new Uint8Array(count);
      const source = vector.values;
      for (let row = 0; row < count; row++) values[row] = source[indexes[row] ?? 0] ?? 0;
      return {
        kind: 'bool',
        type: 'Bool',
        length: count,
        values,
        validity: gatherValidity(vector.validity, indexes, count),
      };
    }
    case 'dict': {
      const codes = new Int32Array(count);
      const source = vector.codes;
      for (let row = 0; row < count; row++) codes[row] = source[indexes[row] ?? 0] ?? 0;
      return {
        kind: 'dict',
        type: vector.type,
        length: count,
        codes,
        dictionary: vector.dictionary,
        validity: gatherValidity(vector.validity, indexes, count),
      };
    }
    case 'value': {
      const values: Value[] = new Array<Value>(count);
      const source = vector.values;
      for (let row = 0; row < count; row++) values[row] = source[indexes[row] ?? 0] ?? null;
      return { kind: 'value', type: vector.type, length: count, values };
    }
    case 'const':
      return { ...vector, length: count };
    default:
      return assertNever(vector, 'vector');
  }
}

/**
 * Rows at `indexes`, where an index of -1 gives NULL (the unmatched side of an outer join).
 */
export function gatherOrNull(vector: Vector, indexes: Int32Array, count: number): Vector {
  let anyMissing = false;
  for (let row = 0; row < count; row++) {
    if ((indexes[row] ?? 0) < 0) {
      anyMissing = true;
      break;
    }
  }
  if (!anyMissing) return gather(vector, indexes, count);
  const safe = new Int32Array(count);
  for (let row = 0; row < count; row++) safe[row] = Math.max(0, indexes[row] ?? 0);
  if (vector.length === 0) {
    return constVector(vector.type, null, count);
  }
  const gathered = gather(vector, safe, count);
  return withNulls(gathered, (row) => (indexes[row] ?? 0) < 0);
}

/** The vector with extra rows set to NULL. */
export function withNulls(vector: Vector, isNull: (row: number) => boolean): Vector {
  const length = vector.length;
  switch (vector.kind) {
    case 'number':
    case 'bool':
    case 'dict': {
      const validity = vector.validity === undefined ? allValid(length) : vector.validity.slice();
      for (let row = 0; row < length; row++) if (isNull(row)) setValid(validity, row, false);
      return { ...vector, validity };
    }
    case 'value':
      return {
        ...vector,
        values: vector.values.map((value, row) => (isNull(row) ? null : value)),
      };
    case 'const': {
      const builder = new VectorBuilder(vector.type, Math.max(1, length));
      for (let row = 0; row < length; row++) builder.append(isNull(row) ? null : vector.value);
      return builder.finish();
    }
    default:
      return assertNever(vector, 'vector');
  }
}

export function sliceVector(vector: Vector, start: number, end: number): Vector {
  const count = Math.max(0, end - start);
  if (start === 0 && end === vector.length) return vector;
  const indexes = new Int32Array(count);
  for (let row = 0; row < count; row++) indexes[row] = start + row;
  return gather(vector, indexes, count);
}

export function sliceBatch(batch: Batch, start: number, end: number): Batch {
  if (start === 0 && end >= batch.length) return batch;
  const clampedEnd = Math.min(end, batch.length);
  return {
    length: Math.max(0, clampedEnd - start),
    columns: batch.columns.map((column) => sliceVector(column, start, clampedEnd)),
  };
}

export function gatherBatch(batch: Batch, indexes: ArrayLike<number>, count: number): Batch {
  return { length: count, columns: batch.columns.map((column) => gather(column, indexes, count)) };
}

/** Concatenate vectors of one type (for materialising a build side or a sort input). */
export function concatVectors(type: ScalarType, vectors: readonly Vector[]): Vector {
  let total = 0;
  for (const vector of vectors) total += vector.length;
  if (vectors.length === 1 && vectors[0] !== undefined) return vectors[0];
  const allNumber = vectors.every((vector) => vector.kind === 'number');
  if (allNumber && vectors.length > 0) {
    const values = new Float64Array(total);
    let validity: Validity | undefined;
    let offset = 0;
    for (const vector of vectors) {
      assert(vector.kind === 'number');
      values.set(vector.values, offset);
      if (vector.validity !== undefined) {
        validity ??= allValid(total);
        for (let row = 0; row < vector.length; row++) {
          if (!isValidAt(vector.validity, row)) setValid(validity, offset + row, false);
        }
      }
      offset += vector.length;
    }
    return {
      kind: 'number',
      type: type as 'Int' | 'Float' | 'Date',
      length: total,
      values,
      validity,
    };
  }
  const first = vectors[0];
  const sameDictionary =
    first !== undefined &&
    first.kind === 'dict' &&
    vectors.every((vector) => vector.kind === 'dict' && vector.dictionary === first.dictionary);
  if (sameDictionary) {
    const codes = new Int32Array(total);
    let validity: Validity | undefined;
    let offset = 0;
    for (const vector of vectors) {
      assert(vector.kind === 'dict');
      codes.set(vector.codes, offset);
      if (vector.validity !== undefined) {
        validity ??= allValid(total);
        for (let row = 0; row < vector.length; row++) {
          if (!isValidAt(vector.validity, row)) setValid(validity, offset + row, false);
        }
      }
      offset += vector.length;
    }
    return {
      kind: 'dict',
      type: first.type,
      length: total,
      codes,
      dictionary: first.dictionary,
      validity,
    };
  }
  const builder = new VectorBuilder(type, Math.max(16, total));
  for (const vector of vectors) {
    for (let row = 0; row < vector.length; row++) builder.append(valueAt(vector, row));
  }
  return builder.finish();
}

/** Bytes a vector holds, for the per-query memory limit (an estimate for strings). */
export function vectorBytes(vector: Vector): number {
  switch (vector.kind) {
    case 'number':
      return vector.values.byteLength + (vector.validity?.byteLength ?? 0);
    case 'bool':
      return vector.values.byteLength + (vector.validity?.byteLength ?? 0);
    case 'dict':
      return vector.codes.byteLength + (vector.validity?.byteLength ?? 0);
    case 'value':
      return vector.length * 24;
    case 'const':
      return 16;
    default:
      return assertNever(vector, 'vector');
  }
}

/** Check an exact Int against the signed 64-bit range; normalised form. */
export function checkedInt(value: bigint): number | bigint | undefined {
  if (value < INT64_MIN || value > INT64_MAX) return undefined;
  return normalizeInt(value);
}

export type { Scalar };
