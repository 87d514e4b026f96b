/**
 * Arrow columns → catrust values, for `import_parquet`: which Arrow types go into which column
 * types, the column types a file implies for `create`, and the conversion of one batch's
 * column into a staging builder.
 *
 * | column type | accepted Arrow types                                                      |
 * |-------------|---------------------------------------------------------------------------|
 * | Int         | Int8 … Int64, Uint8 … Uint64 (within signed 64 bits)                      |
 * | Float       | any integer or floating-point type                                        |
 * | Bool        | Bool                                                                      |
 * | Date        | Date32 (days), Date64 (milliseconds, whole days)                          |
 * | String      | Utf8, LargeUtf8, Utf8View (and dictionary-encoded strings)                |
 * | Uuid        | Utf8 (validated, lower-cased), FixedSizeBinary(16)                        |
 * | Decimal     | Decimal128/256 (exact), Utf8 (parsed), any integer type                   |
 * | foreign key | any integer type: the target's row id                                     |
 *
 * For `create`, a field's `catrust.type` metadata (written by `export_parquet`) restores Uuid
 * and Decimal; otherwise integers → Int, floats → Float, Bool, dates → Date, strings → String,
 * decimals → Decimal, FixedSizeBinary(16) → Uuid. Other Arrow types (timestamps, binary,
 * lists, structs, …) are refused with E_IMPORT naming the column.
 */
import {
  DataType,
  DateUnit,
  type Decimal,
  type Field,
  type FixedSizeBinary,
  type Vector,
} from 'apache-arrow';
import {
  INT64_MAX,
  INT64_MIN,
  limits,
  normalizeInt,
  parseDecimalLiteral,
  parseUuidLiteral,
  ValueError,
  type ScalarType,
} from '../../common/index.js';
import type { BuilderType, ColumnBuilder } from './column-builder.js';
import { CATRUST_TYPE_KEY } from './arrow-columns.js';

const MS_PER_DAY = 86_400_000;

type Source = 'int' | 'float' | 'bool' | 'date' | 'string' | 'decimal' | 'uuidBinary';

/** What kind of Arrow column this is, or undefined when no catrust type takes it. */
function sourceOf(type: DataType): Source | undefined {
  if (DataType.isDictionary(type)) return sourceOf(type.dictionary);
  if (DataType.isInt(type)) return 'int';
  if (DataType.isFloat(type)) return 'float';
  if (DataType.isBool(type)) return 'bool';
  if (DataType.isDate(type)) return 'date';
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type) || DataType.isUtf8View(type)) {
    return 'string';
  }
  if (DataType.isDecimal(type)) return 'decimal';
  if (DataType.isFixedSizeBinary(type) && (type as FixedSizeBinary).byteWidth === 16) {
    return 'uuidBinary';
  }
  return undefined;
}

const ACCEPTS: Readonly<Record<BuilderType, readonly Source[]>> = {
  Int: ['int'],
  Float: ['int', 'float'],
  Bool: ['bool'],
  Date: ['date'],
  String: ['string'],
  Uuid: ['string', 'uuidBinary'],
  Decimal: ['decimal', 'string', 'int'],
  RowId: ['int'],
};

/** Whether an Arrow column of `type` can go into a column of `target`. */
export function accepts(target: BuilderType, type: DataType): boolean {
  const source = sourceOf(type);
  return source !== undefined && ACCEPTS[target].includes(source);
}

/** The column type `create` gives an Arrow field, or undefined when none fits. */
export function inferScalar(field: Field): ScalarType | undefined {
  const source = sourceOf(field.type);
  const declared = field.metadata.get(CATRUST_TYPE_KEY);
  if (source === 'string' && (declared === 'Uuid' || declared === 'Decimal')) return declared;
  switch (source) {
    case undefined:
      return undefined;
    case 'int':
      return 'Int';
    case 'float':
      return 'Float';
    case 'bool':
      return 'Bool';
    case 'date':
      return 'Date';
    case 'string':
      return 'String';
    case 'decimal':
      return 'Decimal';
    case 'uuidBinary':
      return 'Uuid';
  }
}

function integerOf(value: unknown): number | bigint {
  if (typeof value === 'bigint') {
    if (value < INT64_MIN || value > INT64_MAX) {
      throw new ValueError(`${value} is outside the signed 64-bit range of an Int`);
    }
    return normalizeInt(value);
  }
  return value as number;
}

function decimalText(vector: Vector, index: number): string {
  const type = vector.type as Decimal;
  const data = vector.data[0]!;
  const words = data.values as unknown as Uint32Array;
  const stride = type.bitWidth / 32;
  // Arrow JS slices a fixed-width buffer to its data's offset already (as `get` reads it).
  const start = index * stride;
  let unsigned = 0n;
  for (let word = stride - 1; word >= 0; word--) {
    unsigned = (unsigned << 32n) | BigInt(words[start + word]!);
  }
  const bits = BigInt(type.bitWidth);
  const signed = unsigned >= 1n << (bits - 1n) ? unsigned - (1n << bits) : unsigned;
  const digits = (signed < 0n ? -signed : signed).toString().padStart(type.scale + 1, '0');
  const point = digits.length - type.scale;
  const text = type.scale === 0 ? digits : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return parseDecimalLiteral(signed < 0n ? `-${text}` : text);
}

function uuidText(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Append row `index` of `vector` (a valid, non-null value) to `builder` as `target`; a
 * ValueError says what is wrong with the value. The column's type was checked by `accepts`.
 */
function appendArrowValue(
  builder: ColumnBuilder,
  target: BuilderType,
  vector: Vector,
  index: number,
): void {
  const source = sourceOf(vector.type)!;
  if (source === 'decimal') {
    const text = decimalText(vector, index);
    if (target === 'Decimal') builder.appendString(text);
    return;
  }
  const value: unknown = vector.get(index);
  switch (target) {
    case 'Int': {
      const integer = integerOf(value);
      if (typeof integer === 'bigint') builder.appendBigInt(integer);
      else builder.appendNumber(integer);
      return;
    }
    case 'Float':
      builder.appendNumber(Number(value) + 0);
      return;
    case 'Bool':
      builder.appendNumber(value === true ? 1 : 0);
      return;
    case 'Date': {
      const ms = value instanceof Date ? value.getTime() : Number(value);
      if (ms % MS_PER_DAY !== 0) {
        throw new ValueError(`expected a whole day, found ${new Date(ms).toISOString()}`);
      }
      builder.appendNumber(ms / MS_PER_DAY);
      return;
    }
    case 'String':
      builder.appendString(value as string);
      return;
    case 'Uuid':
      builder.appendString(
        source === 'uuidBinary' ? uuidText(value as Uint8Array) : parseUuidLiteral(value as string),
      );
      return;
    case 'Decimal':
      builder.appendString(parseDecimalLiteral(String(value)));
      return;
    case 'RowId': {
      const rowId = Number(value);
      if (!(rowId >= 0 && rowId <= limits.tableRowsMax)) {
        throw new ValueError(
          `expected a row id between 0 and ${limits.tableRowsMax}, found ${rowId}`,
        );
      }
      builder.appendNumber(rowId);
      return;
    }
  }
}

const TWO_TO_32 = 4_294_967_296;
/** The high 32-bit half of every safe integer lies in −2^21 … 2^21 − 1. */
const SAFE_HIGH = 2 ** 21;
/** The halves are read low word first: only where typed arrays are little-endian. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Appends row `index` of one column of one batch to its builder. */
export type ArrowReader = (index: number) => void;

/**
 * A reader for one column of one batch. Integers, floats and Date32 days are read from the
 * typed arrays themselves — an Int64 as two 32-bit halves, so a value within ±(2^53−1) never
 * becomes a BigInt —; every other case goes through `appendArrowValue`.
 */
export function arrowReader(
  builder: ColumnBuilder,
  target: BuilderType,
  vector: Vector,
): ArrowReader {
  const generic: ArrowReader = (index) => appendArrowValue(builder, target, vector, index);
  if (vector.data.length !== 1 || (target !== 'Int' && target !== 'Float' && target !== 'Date')) {
    return generic;
  }
  const type = vector.type;
  const values: unknown = vector.data[0]!.values;
  if (target === 'Date') {
    return DataType.isDate(type) && values instanceof Int32Array && type.unit === DateUnit.DAY
      ? (index) => builder.appendNumber(values[index]!)
      : generic;
  }
  if (values instanceof BigInt64Array && LITTLE_ENDIAN) {
    const halves = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
    return (index) => {
      const high = halves[2 * index + 1]!;
      // Within these halves the sum is exact; −2^53 itself is one past the safe range.
      const value =
        high < SAFE_HIGH && high >= -SAFE_HIGH
          ? high * TWO_TO_32 + (halves[2 * index]! >>> 0)
          : NaN;
      if (Number.isSafeInteger(value)) builder.appendNumber(value);
      else generic(index);
    };
  }
  if (
    values instanceof Int32Array ||
    values instanceof Int16Array ||
    values instanceof Int8Array ||
    values instanceof Uint32Array ||
    values instanceof Uint16Array ||
    (values instanceof Uint8Array && DataType.isInt(type)) ||
    (values instanceof Float64Array && target === 'Float') ||
    (values instanceof Float32Array && target === 'Float')
  ) {
    const numbers = values as ArrayLike<number>;
    return target === 'Float'
      ? (index) => builder.appendNumber(numbers[index]! + 0)
      : (index) => builder.appendNumber(numbers[index]!);
  }
  return generic;
}
