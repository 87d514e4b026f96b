/**
 * Conversions between catrust's types, as PostgreSQL does them (CAST, `::`, and the implicit
 * promotions the binder inserts): which casts exist, which are implicit, and the text form of
 * every value (PostgreSQL's output format, used by `::text`, the text table, CSV and pgwire).
 */
import {
  formatDate,
  INT64_MAX,
  INT64_MIN,
  normalizeInt,
  parseDateLiteral,
  parseDecimalLiteral,
  parseUuidLiteral,
  ValueError,
  type Scalar,
  type ScalarType,
  type Value,
} from '../../common/index.js';
import { PlanError } from '../errors.js';
import { sqlTypeName } from '../types.js';
import { decimalFromFloat, decimalToBigInt, roundDecimal } from './decimal-ops.js';

/** Implicit promotions (PostgreSQL's implicit casts among our types): Int → Decimal → Float. */
export function canCoerceImplicitly(from: ScalarType, to: ScalarType): boolean {
  if (from === to) return true;
  if (from === 'Int') return to === 'Float' || to === 'Decimal';
  if (from === 'Decimal') return to === 'Float';
  return false;
}

/** Explicit casts that exist (others are E_SQL_TYPE "cannot cast type date to bigint"). */
export function canCast(from: ScalarType, to: ScalarType): boolean {
  if (from === to || from === 'String' || to === 'String') return true;
  const numeric = (type: ScalarType): boolean =>
    type === 'Int' || type === 'Float' || type === 'Decimal';
  if (numeric(from) && numeric(to)) return true;
  if ((from === 'Int' && to === 'Bool') || (from === 'Bool' && to === 'Int')) return true;
  return false;
}

function outOfRange(what: string): PlanError {
  return new PlanError('E_SQL_OUT_OF_RANGE', `${what} out of range`);
}

/** An exact integer (bigint) to the engine's Int, checked against signed 64 bits. */
export function intFromBigInt(value: bigint): number | bigint {
  if (value < INT64_MIN || value > INT64_MAX) throw outOfRange('bigint');
  return normalizeInt(value);
}

/** Round half to even, as PostgreSQL's float8 → int8 (rint). */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const difference = value - floor;
  if (difference > 0.5) return floor + 1;
  if (difference < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

const BOOL_TEXT: ReadonlyMap<string, boolean> = new Map([
  ['t', true],
  ['true', true],
  ['y', true],
  ['yes', true],
  ['on', true],
  ['1', true],
  ['f', false],
  ['false', false],
  ['n', false],
  ['no', false],
  ['off', false],
  ['0', false],
]);

function invalidText(type: string, text: string): ValueError {
  return new ValueError(`invalid input syntax for type ${type}: ${JSON.stringify(text)}`);
}

/** Parse text as a value of `type`, with PostgreSQL's input rules (surrounding spaces allowed). */
export function parseText(type: ScalarType, text: string): Scalar {
  const trimmed = text.trim();
  switch (type) {
    case 'String':
      return text;
    case 'Int': {
      if (!/^[+-]?[0-9]+$/.test(trimmed)) throw invalidText('bigint', text);
      return intFromBigInt(BigInt(trimmed));
    }
    case 'Float': {
      const lower = trimmed.toLowerCase();
      if (lower === 'nan' || lower.includes('inf')) {
        throw new ValueError(
          `catrust's Float holds finite numbers only, found ${JSON.stringify(text)}`,
        );
      }
      if (!/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(trimmed)) {
        throw invalidText('double precision', text);
      }
      const value = Number(trimmed);
      if (!Number.isFinite(value)) throw outOfRange(`"${trimmed}" is`);
      return value;
    }
    case 'Bool': {
      const value = BOOL_TEXT.get(trimmed.toLowerCase());
      if (value === undefined) throw invalidText('boolean', text);
      return value;
    }
    case 'Date':
      return parseDateLiteral(trimmed);
    case 'Uuid':
      return parseUuidLiteral(trimmed);
    case 'Decimal':
      try {
        return parseDecimalLiteral(trimmed);
      } catch {
        throw invalidText('numeric', text);
      }
  }
}

/** PostgreSQL's float8 output: shortest round-trip digits, exponent form outside 1e-4 ≤ |x| < 1e15. */
export function formatFloat(value: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e15 || magnitude < 1e-4) {
    const [mantissa, exponent] = value.toExponential().split('e');
    const sign = exponent?.startsWith('-') ? '-' : '+';
    const digits = (exponent ?? '0').replace(/^[+-]/, '').padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  return String(value);
}

/** The text form of a value, as PostgreSQL prints it (`true`, `2024-01-31`, `1e+20`). */
export function valueToText(type: ScalarType, value: Scalar): string {
  switch (type) {
    case 'String':
    case 'Uuid':
    case 'Decimal':
      return value as string;
    case 'Int':
      return String(value);
    case 'Float':
      return formatFloat(value as number);
    case 'Bool':
      return value === true ? 'true' : 'false';
    case 'Date':
      return formatDate(value as number);
  }
}

/** Convert a non-null value of type `from` to `to` (the cast must exist: see `canCast`). */
export function castScalar(value: Scalar, from: ScalarType, to: ScalarType): Scalar {
  if (from === to) return value;
  if (to === 'String') return valueToText(from, value);
  if (from === 'String') return parseText(to, value as string);
  switch (to) {
    case 'Int':
      if (from === 'Float') {
        const rounded = roundHalfEven(value as number);
        // NaN fits no integer: PostgreSQL says "bigint out of range" too.
        if (
          Number.isNaN(rounded) ||
          rounded < -9223372036854775808 ||
          rounded >= 9223372036854775808
        )
          throw outOfRange('bigint');
        return Number.isSafeInteger(rounded) ? rounded : intFromBigInt(BigInt(rounded));
      }
      if (from === 'Decimal') {
        const rounded = roundDecimal(value as string, 0, 'halfAwayFromZero');
        const exact = decimalToBigInt(rounded);
        if (exact === undefined) throw outOfRange('bigint');
        return intFromBigInt(exact);
      }
      if (from === 'Bool') return value === true ? 1 : 0;
      break;
    case 'Float':
      if (from === 'Int' || from === 'Decimal') {
        const result = Number(value);
        if (!Number.isFinite(result)) throw outOfRange('double precision');
        return result;
      }
      break;
    case 'Decimal':
      if (from === 'Int') return String(value);
      if (from === 'Float') return decimalFromFloat(value as number);
      break;
    case 'Bool':
      if (from === 'Int') return value !== 0 && value !== 0n;
      break;
    case 'Date':
    case 'Uuid':
      break;
  }
  throw new PlanError('E_SQL_TYPE', `cannot cast type ${sqlTypeName(from)} to ${sqlTypeName(to)}`, {
    sqlstate: '42846',
  });
}

export function castValue(value: Value, from: ScalarType, to: ScalarType): Value {
  return value === null ? null : castScalar(value, from, to);
}
