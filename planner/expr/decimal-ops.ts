/**
 * Decimal operations beyond common/decimal.ts (which adds, subtracts, multiplies, divides and
 * compares): negation, modulo, rounding and the conversions the executor needs. Decimals are
 * canonical strings (see common/decimal.ts), so results go through `formatScaled`.
 */
import { formatScaled, parseScaled, type ScaledDecimal } from '../../common/index.js';
import { PlanError } from '../errors.js';

function scaled(text: string): ScaledDecimal {
  const value = parseScaled(text);
  if (value === undefined) throw new PlanError('E_SQL_VALUE', `invalid numeric value "${text}"`);
  return value;
}

export function negateDecimal(text: string): string {
  const value = scaled(text);
  return formatScaled({ unscaled: -value.unscaled, scale: value.scale });
}

export function absDecimal(text: string): string {
  return text.startsWith('-') ? text.slice(1) : text;
}

export function signDecimal(text: string): string {
  const value = scaled(text);
  return value.unscaled > 0n ? '1' : value.unscaled < 0n ? '-1' : '0';
}

/** a mod b with the sign of a (PostgreSQL's numeric %). */
export function modDecimal(a: string, b: string): string {
  const x = scaled(a);
  const y = scaled(b);
  if (y.unscaled === 0n) throw new PlanError('E_SQL_DIVISION_BY_ZERO', 'division by zero');
  const scale = Math.max(x.scale, y.scale);
  const xs = x.unscaled * 10n ** BigInt(scale - x.scale);
  const ys = y.unscaled * 10n ** BigInt(scale - y.scale);
  return formatScaled({ unscaled: xs % ys, scale });
}

/** Integer division truncated toward zero, as a decimal integer. */
export function truncDivDecimal(a: string, b: string): string {
  const x = scaled(a);
  const y = scaled(b);
  if (y.unscaled === 0n) throw new PlanError('E_SQL_DIVISION_BY_ZERO', 'division by zero');
  const scale = Math.max(x.scale, y.scale);
  const xs = x.unscaled * 10n ** BigInt(scale - x.scale);
  const ys = y.unscaled * 10n ** BigInt(scale - y.scale);
  return formatScaled({ unscaled: xs / ys, scale: 0 });
}

export type RoundingMode = 'halfAwayFromZero' | 'truncate' | 'floor' | 'ceiling';

/** Round to `digits` places after the point (negative digits round left of the point). */
export function roundDecimal(text: string, digits: number, mode: RoundingMode): string {
  const value = scaled(text);
  if (value.scale <= digits) return text;
  const drop = BigInt(value.scale - digits);
  const divisor = 10n ** drop;
  let quotient = value.unscaled / divisor;
  const remainder = value.unscaled % divisor;
  if (remainder !== 0n) {
    switch (mode) {
      case 'halfAwayFromZero': {
        const twice = (remainder < 0n ? -remainder : remainder) * 2n;
        if (twice >= divisor) quotient += value.unscaled < 0n ? -1n : 1n;
        break;
      }
      case 'truncate':
        break;
      case 'floor':
        if (value.unscaled < 0n) quotient -= 1n;
        break;
      case 'ceiling':
        if (value.unscaled > 0n) quotient += 1n;
        break;
    }
  }
  if (digits >= 0) return formatScaled({ unscaled: quotient, scale: digits });
  return formatScaled({ unscaled: quotient * 10n ** BigInt(-digits), scale: 0 });
}

/** An exact integer decimal to bigint, or undefined when it has a fraction. */
export function decimalToBigInt(text: string): bigint | undefined {
  const value = scaled(text);
  if (value.scale !== 0) return undefined;
  return value.unscaled;
}

/**
 * A finite float as a decimal: its shortest round-trip digits (PostgreSQL 12+ prints float8 the
 * same way, so `x::float8::numeric::text` agrees with `x::float8::text` up to exponent form).
 */
export function decimalFromFloat(value: number): string {
  const text = String(value);
  const parsed = parseScaled(text);
  if (parsed === undefined) throw new PlanError('E_SQL_VALUE', `cannot convert ${text} to numeric`);
  return formatScaled(parsed);
}
