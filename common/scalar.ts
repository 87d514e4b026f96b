/**
 * The seven attribute types of catrust and how their values are held in memory.
 *
 * | type    | in-engine value                        | JSON (replies, `run --json`)              |
 * |---------|----------------------------------------|-------------------------------------------|
 * | String  | string                                 | string                                    |
 * | Int     | number when |v| ≤ 2^53−1, else bigint  | number, or a string outside ±(2^53−1)     |
 * | Float   | number (IEEE-754 f64, finite)          | number                                    |
 * | Bool    | boolean                                | boolean                                   |
 * | Date    | number: days since 1970-01-01          | "YYYY-MM-DD"                              |
 * | Uuid    | string, lower-case 8-4-4-4-12          | string                                    |
 * | Decimal | string, canonical (see decimal.ts)     | string                                    |
 *
 * An Int is *normalised*: a value that fits in a safe integer is always a number and never a
 * bigint, so `===` on two normalised Ints of equal value is true. NULL is `null`, outside
 * `Scalar`. Labelled nulls (Skolem terms) are not values of this module: the catalog and the
 * store carry them beside the value.
 */
import { CatrustError, type CatrustErrorOptions, type ErrorLocation } from './errors.js';
import { canonicalDecimal, compareDecimal } from './decimal.js';

export type ScalarType = 'String' | 'Int' | 'Float' | 'Bool' | 'Date' | 'Uuid' | 'Decimal';

export const SCALAR_TYPES: readonly ScalarType[] = Object.freeze([
  'String',
  'Int',
  'Float',
  'Bool',
  'Date',
  'Uuid',
  'Decimal',
]);

export function isScalarType(name: string): name is ScalarType {
  return (SCALAR_TYPES as readonly string[]).includes(name);
}

export type Scalar = string | number | bigint | boolean;
export type Value = Scalar | null;

/** A value that is not of its type, or a literal out of range. */
export class ValueError extends CatrustError {
  constructor(message: string, options: CatrustErrorOptions = {}) {
    super('E_VALUE', message, { sqlstate: '22P02', ...options });
  }
}

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);
const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);

/** Normalise an integer to the engine's Int form (number when safe, else bigint). */
export function normalizeInt(value: bigint | number): number | bigint {
  if (typeof value === 'number') return value;
  return value >= SAFE_MIN && value <= SAFE_MAX ? Number(value) : value;
}

const INT_PATTERN = /^[+-]?[0-9]+$/;

/** Parse a decimal integer literal, exact, range-checked to signed 64 bits. */
export function parseIntLiteral(text: string, location?: ErrorLocation): number | bigint {
  if (!INT_PATTERN.test(text)) {
    throw new ValueError(`expected an Int literal, found ${JSON.stringify(text)}`, { location });
  }
  const value = BigInt(text);
  if (value < INT64_MIN || value > INT64_MAX) {
    throw new ValueError(`Int literal ${text} is outside the signed 64-bit range`, {
      location,
      sqlstate: '22003',
    });
  }
  return normalizeInt(value);
}

const FLOAT_PATTERN = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;

export function parseFloatLiteral(text: string, location?: ErrorLocation): number {
  if (!FLOAT_PATTERN.test(text)) {
    throw new ValueError(`expected a Float literal, found ${JSON.stringify(text)}`, { location });
  }
  const value = Number(text);
  if (!Number.isFinite(value)) {
    throw new ValueError(`Float literal ${text} is outside the range of a 64-bit float`, {
      location,
      sqlstate: '22003',
    });
  }
  return value;
}

export function parseBoolLiteral(text: string, location?: ErrorLocation): boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new ValueError(`expected a Bool literal (true or false), found ${JSON.stringify(text)}`, {
    location,
  });
}

const MS_PER_DAY = 86_400_000;

/** The digits of `text` from `start` to `end` as a number, or -1 if one is not a digit. */
function digits(text: string, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i) - 48;
    if (code < 0 || code > 9) return -1;
    value = value * 10 + code;
  }
  return value;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Parse an ISO 8601 calendar date `YYYY-MM-DD` (years 0001–9999) to days since 1970-01-01. */
export function parseDateLiteral(text: string, location?: ErrorLocation): number {
  const year =
    text.length === 10 && text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45
      ? digits(text, 0, 4)
      : -1;
  const month = year < 0 ? -1 : digits(text, 5, 7);
  const day = month < 0 ? -1 : digits(text, 8, 10);
  if (day < 0) {
    throw new ValueError(`expected a Date literal YYYY-MM-DD, found ${JSON.stringify(text)}`, {
      location,
      sqlstate: '22007',
    });
  }
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new ValueError(`${JSON.stringify(text)} is not a valid calendar date`, {
      location,
      sqlstate: '22008',
    });
  }
  return daysFromCivil(year, month, day);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Days since 1970-01-01 to `YYYY-MM-DD`. */
export function formatDate(days: number): string {
  const date = new Date(days * MS_PER_DAY);
  const year = String(date.getUTCFullYear()).padStart(4, '0');
  const month = String(date.getUTCMonth() + 1).padStart(2, '0');
  const day = String(date.getUTCDate()).padStart(2, '0');
  return `${year}-${month}-${day}`;
}

const UUID_PATTERN =
  /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Validate a UUID (8-4-4-4-12 hex digits, any case) and lower-case it. */
export function parseUuidLiteral(text: string, location?: ErrorLocation): string {
  if (!UUID_PATTERN.test(text)) {
    throw new ValueError(
      `expected a Uuid literal like 123e4567-e89b-12d3-a456-426614174000, found ${JSON.stringify(text)}`,
      { location },
    );
  }
  return text.toLowerCase();
}

export function parseDecimalLiteral(text: string, location?: ErrorLocation): string {
  const canonical = canonicalDecimal(text);
  if (canonical === undefined) {
    throw new ValueError(`expected a Decimal literal, found ${JSON.stringify(text)}`, {
      location,
    });
  }
  return canonical;
}

/** Parse the text form of a value of `type` (CSV cells, CQL literals, pgwire text params). */
export function parseValue(type: ScalarType, text: string, location?: ErrorLocation): Scalar {
  switch (type) {
    case 'String':
      return text;
    case 'Int':
      return parseIntLiteral(text, location);
    case 'Float':
      return parseFloatLiteral(text, location);
    case 'Bool':
      return parseBoolLiteral(text, location);
    case 'Date':
      return parseDateLiteral(text, location);
    case 'Uuid':
      return parseUuidLiteral(text, location);
    case 'Decimal':
      return parseDecimalLiteral(text, location);
  }
}

/** The text form of a value: the inverse of `parseValue`. */
export function formatValue(type: ScalarType, value: Scalar): string {
  if (type === 'Date' && typeof value === 'number') return formatDate(value);
  return String(value);
}

/**
 * A JSON value of a request (NDJSON insert, import) to an engine value of `type`.
 * Int accepts a safe-integer number or a decimal string; Date a `YYYY-MM-DD` string;
 * Decimal a string or a finite number. Anything else is a typed error naming `field`.
 */
export function valueFromJson(type: ScalarType, json: unknown, field: string): Value {
  const location: ErrorLocation = { kind: 'field', field };
  if (json === null) return null;
  const mismatch = (): ValueError =>
    new ValueError(`expected a ${type} value, found ${describeJson(json)}`, { location });
  switch (type) {
    case 'String':
      if (typeof json !== 'string') throw mismatch();
      return json;
    case 'Int':
      if (typeof json === 'number') {
        if (!Number.isSafeInteger(json)) throw mismatch();
        return json;
      }
      if (typeof json === 'string') return parseIntLiteral(json, location);
      throw mismatch();
    case 'Float':
      if (typeof json === 'number' && Number.isFinite(json)) return json;
      if (typeof json === 'string') return parseFloatLiteral(json, location);
      throw mismatch();
    case 'Bool':
      if (typeof json !== 'boolean') throw mismatch();
      return json;
    case 'Date':
      if (typeof json !== 'string') throw mismatch();
      return parseDateLiteral(json, location);
    case 'Uuid':
      if (typeof json !== 'string') throw mismatch();
      return parseUuidLiteral(json, location);
    case 'Decimal':
      if (typeof json === 'number' && Number.isFinite(json)) {
        return parseDecimalLiteral(String(json), location);
      }
      if (typeof json === 'string') return parseDecimalLiteral(json, location);
      throw mismatch();
  }
}

function describeJson(json: unknown): string {
  if (Array.isArray(json)) return 'an array';
  if (typeof json === 'object') return 'an object';
  return `${typeof json} ${JSON.stringify(json)}`;
}

/** An engine value to its JSON form (the table in this file's header). */
export function valueToJson(type: ScalarType, value: Value): string | number | boolean | null {
  if (value === null) return null;
  switch (type) {
    case 'Int':
      return typeof value === 'bigint' ? value.toString() : (value as number);
    case 'Date':
      return formatDate(value as number);
    case 'Decimal':
    case 'String':
    case 'Uuid':
      return value as string;
    case 'Float':
      return value as number;
    case 'Bool':
      return value as boolean;
  }
}

/** Total order on two non-null values of one type, for sorting and range indexes. */
export function compareValues(type: ScalarType, a: Scalar, b: Scalar): number {
  switch (type) {
    case 'Decimal':
      return compareDecimal(a as string, b as string);
    case 'Bool':
      return Number(a) - Number(b);
    case 'Int':
      // Mixed number/bigint comparison is exact in JavaScript.
      return a < b ? -1 : a > b ? 1 : 0;
    default:
      return a < b ? -1 : a > b ? 1 : 0;
  }
}
