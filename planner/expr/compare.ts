/**
 * Orderings the executor sorts and compares with. Text is ordered by Unicode code point (the
 * "C" collation, as DuckDB and PostgreSQL with `COLLATE "C"` do): JavaScript's `<` orders by
 * UTF-16 code unit, which differs only when a surrogate pair meets a character in
 * U+E000–U+FFFF, so the fast path is `<` and the slow path runs only for that case.
 */
import { assertNever, compareDecimal, type Scalar, type ScalarType } from '../../common/index.js';
import type { CompareOp } from './expr.js';

export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    const x = a.charCodeAt(index);
    const y = b.charCodeAt(index);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Surrogates (D800–DFFF) encode code points above FFFF: they sort after E000–FFFF.
      const xSurrogate = x <= 0xdfff;
      const ySurrogate = y <= 0xdfff;
      if (xSurrogate !== ySurrogate) return xSurrogate ? 1 : -1;
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}

/**
 * PostgreSQL's float8 order, a total order: NaN equals NaN and sorts above every other number
 * (JavaScript's `<` and `===` say false for any NaN). The NaN test runs only when neither `<`
 * nor `>` holds and the values differ, so ordinary numbers pay nothing for it.
 */
export function compareNumbers(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  // One or both are NaN.
  return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
}

/** Total order on two non-null values of one type. */
export function compareScalars(type: ScalarType, a: Scalar, b: Scalar): number {
  switch (type) {
    case 'String':
    case 'Uuid':
      return compareText(a as string, b as string);
    case 'Decimal':
      return compareDecimal(a as string, b as string);
    case 'Bool':
      return Number(a) - Number(b);
    case 'Float':
      return compareNumbers(a as number, b as number);
    case 'Int':
    case 'Date':
      return a < b ? -1 : a > b ? 1 : 0;
  }
}

/** Whether `a op b` holds, given `order` = the sign of comparing a with b. */
export function compareHolds(op: CompareOp, order: number): boolean {
  switch (op) {
    case '=':
      return order === 0;
    case '<>':
      return order !== 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
    default:
      return assertNever(op, 'comparison');
  }
}

/** `a op b` ≡ `b FLIPPED[op] a`. */
export const FLIPPED: Readonly<Record<CompareOp, CompareOp>> = {
  '=': '=',
  '<>': '<>',
  '<': '>',
  '<=': '>=',
  '>': '<',
  '>=': '<=',
};
