/**
 * Checking one input value against its column: the type, NOT NULL, and the form the engine
 * keeps (Int normalised, Float −0 as 0, Uuid lower-cased, Decimal canonical). Errors name the
 * entity, row and attribute. Foreign-key targets are checked when the transaction commits
 * (see foreign-keys.ts), so rows may point at rows inserted later in the same transaction.
 */
import {
  canonicalDecimal,
  INT64_MAX,
  INT64_MIN,
  limits,
  normalizeInt,
  type Value,
} from '../common/index.js';
import { valueError, type ValuePlace } from './errors.js';
import { describeColumnType, type ColumnDefinition } from './schema.js';
import { isLabelledNull, type LabelledNull } from './values.js';

/** A checked value: the engine form, NULL, or a labelled null. */
export type CheckedValue = Value | LabelledNull;

/** Days since 1970-01-01 of 0001-01-01 and 9999-12-31, the range of a Date. */
export const DATE_DAYS_MIN = -719_162;
export const DATE_DAYS_MAX = 2_932_896;

/** Longest labelled-null term kept, in UTF-16 code units. */
const LABEL_CHARS_MAX = 64 * 1024;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UUID_PATTERN_ANY_CASE =
  /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function describe(value: unknown): string {
  if (typeof value === 'bigint') return `bigint ${value}`;
  if (typeof value === 'string') return `string ${JSON.stringify(value.slice(0, 80))}`;
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return `${typeof value} ${String(value)}`;
}

export function checkValue(
  column: ColumnDefinition,
  input: unknown,
  place: ValuePlace,
): CheckedValue {
  if (input === null || input === undefined) {
    if (column.notNull) {
      throw valueError('E_STORE_NOT_NULL', place, 'NULL in a NOT NULL column');
    }
    return null;
  }
  if (isLabelledNull(input)) {
    if (column.notNull) {
      throw valueError(
        'E_STORE_NOT_NULL',
        place,
        `labelled null ${input.term} in a NOT NULL column`,
      );
    }
    if (input.term.length > LABEL_CHARS_MAX) {
      throw valueError('E_STORE_TYPE', place, `labelled null term longer than ${LABEL_CHARS_MAX}`);
    }
    return input;
  }
  const mismatch = (): Error =>
    valueError(
      'E_STORE_TYPE',
      place,
      `expected ${describeColumnType(column.type)}, found ${describe(input)}`,
    );
  const type = column.type;
  if (type.kind === 'foreignKey') {
    if (typeof input !== 'number' || !Number.isInteger(input) || input < 0) throw mismatch();
    if (input > limits.tableRowsMax) throw mismatch();
    return input;
  }
  switch (type.scalar) {
    case 'Float':
      if (typeof input !== 'number' || !Number.isFinite(input)) throw mismatch();
      return input === 0 ? 0 : input;
    case 'Int':
      if (typeof input === 'number') {
        if (!Number.isSafeInteger(input)) throw mismatch();
        return input === 0 ? 0 : input;
      }
      if (typeof input === 'bigint') {
        if (input < INT64_MIN || input > INT64_MAX) {
          throw valueError(
            'E_STORE_TYPE',
            place,
            `Int ${input} is outside the signed 64-bit range`,
          );
        }
        return normalizeInt(input);
      }
      throw mismatch();
    case 'Bool':
      if (typeof input !== 'boolean') throw mismatch();
      return input;
    case 'Date':
      if (
        typeof input !== 'number' ||
        !Number.isInteger(input) ||
        input < DATE_DAYS_MIN ||
        input > DATE_DAYS_MAX
      ) {
        throw valueError(
          'E_STORE_TYPE',
          place,
          `expected a Date (days since 1970-01-01 between ${DATE_DAYS_MIN} and ${DATE_DAYS_MAX}), found ${describe(input)}`,
        );
      }
      return input === 0 ? 0 : input;
    case 'String':
      if (typeof input !== 'string') throw mismatch();
      return input;
    case 'Uuid':
      if (typeof input !== 'string') throw mismatch();
      if (UUID_PATTERN.test(input)) return input;
      if (UUID_PATTERN_ANY_CASE.test(input)) return input.toLowerCase();
      throw mismatch();
    case 'Decimal': {
      if (typeof input !== 'string') throw mismatch();
      const canonical = canonicalDecimal(input);
      if (canonical === undefined) throw mismatch();
      return canonical;
    }
  }
}
