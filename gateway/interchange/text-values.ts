/**
 * CSV fields → values: one conversion per column type, appended straight into a staging
 * builder, and the type inference of `import_csv` with `create`.
 *
 * An empty field is NULL (of every type, String included). Fields of the non-String types
 * are trimmed of surrounding blanks first; a String keeps its field verbatim. Bool takes the
 * spellings PostgreSQL takes (true/false, t/f, yes/no, y/n, on/off, 1/0, any case). A foreign
 * key takes the target's row id, a non-negative integer.
 */
import {
  limits,
  parseDateLiteral,
  parseDecimalLiteral,
  parseFloatLiteral,
  parseIntLiteral,
  parseUuidLiteral,
  ValueError,
  type ScalarType,
} from '../../common/index.js';
import type { BuilderType, ColumnBuilder } from './column-builder.js';

/** Up to 15 digits: always a safe integer, parsed without BigInt. */
const SMALL_INT = /^[+-]?[0-9]{1,15}$/;
const INT = /^[+-]?[0-9]+$/;
const FLOAT = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;
const DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

const BOOL_SPELLINGS: ReadonlyMap<string, boolean> = new Map([
  ['true', true],
  ['t', true],
  ['yes', true],
  ['y', true],
  ['on', true],
  ['1', true],
  ['false', false],
  ['f', false],
  ['no', false],
  ['n', false],
  ['off', false],
  ['0', false],
]);

function parseBool(text: string): boolean {
  const value = BOOL_SPELLINGS.get(text.toLowerCase());
  if (value === undefined) {
    throw new ValueError(
      `expected a Bool (true/false, t/f, yes/no, on/off, 1/0), found ${JSON.stringify(text)}`,
    );
  }
  return value;
}

function parseRowId(text: string): number {
  if (!INT.test(text)) {
    throw new ValueError(`expected a row id (an integer ≥ 0), found ${JSON.stringify(text)}`);
  }
  const value = Number(text);
  if (value < 0 || value > limits.tableRowsMax) {
    throw new ValueError(`expected a row id between 0 and ${limits.tableRowsMax}, found ${text}`);
  }
  return value;
}

/** Convert `field` (not empty) to `type` and append it; a ValueError says what was wrong. */
export function appendText(builder: ColumnBuilder, type: BuilderType, field: string): void {
  if (type === 'String') {
    builder.appendString(field);
    return;
  }
  const text = field.trim();
  switch (type) {
    case 'Int': {
      if (SMALL_INT.test(text)) {
        builder.appendNumber(Number(text));
        return;
      }
      const value = parseIntLiteral(text);
      if (typeof value === 'bigint') builder.appendBigInt(value);
      else builder.appendNumber(value);
      return;
    }
    case 'Float':
      // `+ 0` turns −0 into 0, the engine's form.
      builder.appendNumber(parseFloatLiteral(text) + 0);
      return;
    case 'Bool':
      builder.appendNumber(parseBool(text) ? 1 : 0);
      return;
    case 'Date':
      builder.appendNumber(parseDateLiteral(text));
      return;
    case 'Uuid':
      builder.appendString(parseUuidLiteral(text));
      return;
    case 'Decimal':
      builder.appendString(parseDecimalLiteral(text));
      return;
    case 'RowId':
      builder.appendNumber(parseRowId(text));
      return;
  }
}

/**
 * What the fields of one column seen so far say its type is. `Empty` until a non-empty field:
 * a column of only empty fields becomes String. Int ⊂ Float; any other mix is String.
 */
export type InferredType = 'Empty' | 'Int' | 'Float' | 'Bool' | 'Date' | 'String';

function classify(field: string): InferredType {
  const text = field.trim();
  if (INT.test(text)) {
    // An integer past the signed 64-bit range is still a number: a Float.
    if (SMALL_INT.test(text)) return 'Int';
    try {
      parseIntLiteral(text);
      return 'Int';
    } catch {
      return 'Float';
    }
  }
  if (FLOAT.test(text) && Number.isFinite(Number(text))) return 'Float';
  const lower = text.toLowerCase();
  if (lower === 'true' || lower === 'false') return 'Bool';
  if (DATE.test(text)) {
    try {
      parseDateLiteral(text);
      return 'Date';
    } catch {
      return 'String';
    }
  }
  return 'String';
}

/** The type of a column after one more (non-empty) field. */
export function widen(current: InferredType, field: string): InferredType {
  if (current === 'String') return 'String';
  const next = classify(field);
  if (current === 'Empty' || current === next) return next;
  if ((current === 'Int' && next === 'Float') || (current === 'Float' && next === 'Int')) {
    return 'Float';
  }
  return 'String';
}

export function inferredScalar(type: InferredType): ScalarType {
  return type === 'Empty' ? 'String' : type;
}
