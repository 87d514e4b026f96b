/**
 * Columnar bulk append (`Transaction.appendColumns`): whole columns in, checked and copied chunk
 * by chunk in tight loops over typed arrays. This is the fast path for loading data (CSV,
 * Parquet, Σ results, benchmarks); arrays of values take the per-value path.
 */
import { limits, normalizeInt } from '../common/index.js';
import { clearBit, getBit } from './bitmap.js';
import { CHUNK_MASK, CHUNK_ROWS, CHUNK_SHIFT } from './chunk.js';
import { Dictionary } from './dictionary.js';
import { StoreError, valueError } from './errors.js';
import { describeColumnType, type ColumnDefinition } from './schema.js';
import type { TableDraft } from './table-draft.js';
import { checkValue, DATE_DAYS_MAX, DATE_DAYS_MIN } from './value-check.js';
import type { ColumnInput } from './values.js';

type TypedValues = Float64Array | BigInt64Array | Int32Array | Uint8Array | Uint32Array;

function isTypedValues(input: unknown): input is TypedValues {
  return (
    input instanceof Float64Array ||
    input instanceof BigInt64Array ||
    input instanceof Int32Array ||
    input instanceof Uint8Array ||
    input instanceof Uint32Array
  );
}

/** Number of rows a column input holds. */
export function columnInputLength(input: ColumnInput): number {
  if (Array.isArray(input) || isTypedValues(input)) return input.length;
  if ('codes' in input) return input.codes.length;
  return (input as { values: TypedValues }).values.length;
}

/**
 * Write `input` into rows `first .. first + count − 1` of column `columnIndex` (rows reserved
 * by the caller). Throws a typed error naming the first bad row; the caller then truncates.
 */
export function appendColumn(
  table: TableDraft,
  columnIndex: number,
  first: number,
  count: number,
  input: ColumnInput | undefined,
): void {
  const column = table.definition.columns[columnIndex]!;
  if (input === undefined) {
    if (column.notNull && count > 0) {
      throw valueError(
        'E_STORE_NOT_NULL',
        { entity: table.entity, row: first, attribute: column.name },
        'NULL in a NOT NULL column (the column is missing)',
      );
    }
    for (let row = first; row < first + count; row++) table.writeValue(columnIndex, row, null);
    return;
  }
  if (Array.isArray(input)) {
    for (let index = 0; index < count; index++) {
      const row = first + index;
      const value = checkValue(column, input[index], {
        entity: table.entity,
        row,
        attribute: column.name,
      });
      table.writeValue(columnIndex, row, value);
    }
    return;
  }
  if (isTypedValues(input)) {
    appendTyped(table, columnIndex, column, first, count, input, undefined);
    return;
  }
  if ('codes' in input) {
    appendDictionary(table, columnIndex, column, first, count, input);
    return;
  }
  const typed = input as { values: TypedValues; validity?: Uint8Array | undefined };
  appendTyped(table, columnIndex, column, first, count, typed.values, typed.validity);
}

function mismatch(
  table: TableDraft,
  column: ColumnDefinition,
  row: number,
  found: string,
): StoreError {
  return valueError(
    'E_STORE_TYPE',
    { entity: table.entity, row, attribute: column.name },
    `expected ${describeColumnType(column.type)}, found ${found}`,
  );
}

/** What `checkTyped` found besides errors. */
interface TypedFindings {
  /** An Int input holds a value outside ±(2^53−1): the column needs BigInt64. */
  readonly needsBigInt: boolean;
  /** A Float64Array input holds −0 (stored as 0, the engine's form). */
  readonly negativeZero: boolean;
}

const NOTHING_FOUND: TypedFindings = { needsBigInt: false, negativeZero: false };
const NEGATIVE_ZERO: TypedFindings = { needsBigInt: false, negativeZero: true };
const NEEDS_BIG_INT: TypedFindings = { needsBigInt: true, negativeZero: false };

/** Check every present value of a typed input (a −0 found on the way is reported). */
function checkTyped(
  table: TableDraft,
  column: ColumnDefinition,
  first: number,
  count: number,
  values: TypedValues,
  validity: Uint8Array | undefined,
): TypedFindings {
  const type = column.type;
  const present = (index: number): boolean => validity === undefined || getBit(validity, index);
  const bad = (index: number, found: string): never => {
    throw mismatch(table, column, first + index, found);
  };
  if (type.kind === 'foreignKey') {
    if (!(values instanceof Uint32Array)) bad(0, `a ${values.constructor.name}`);
    for (let index = 0; index < count; index++) {
      if (values[index]! > limits.tableRowsMax && present(index))
        bad(index, `row id ${values[index]}`);
    }
    return NOTHING_FOUND;
  }
  switch (type.scalar) {
    case 'Float': {
      if (!(values instanceof Float64Array)) return bad(0, `a ${values.constructor.name}`);
      let negativeZero = false;
      for (let index = 0; index < count; index++) {
        const value = values[index]!;
        if (value - value !== 0 && present(index)) bad(index, `number ${value}`);
        // Zero is rare in most data: the division runs only for it.
        if (value === 0 && 1 / value < 0) negativeZero = true;
      }
      return negativeZero ? NEGATIVE_ZERO : NOTHING_FOUND;
    }
    case 'Int': {
      if (values instanceof Float64Array) {
        // Math.floor compiles to one instruction; `value % 1` is a call to fmod per row.
        let negativeZero = false;
        for (let index = 0; index < count; index++) {
          const value = values[index]!;
          if (
            (Math.floor(value) !== value || Math.abs(value) > Number.MAX_SAFE_INTEGER) &&
            present(index)
          ) {
            bad(index, `number ${value}`);
          }
          if (value === 0 && 1 / value < 0) negativeZero = true;
        }
        return negativeZero ? NEGATIVE_ZERO : NOTHING_FOUND;
      }
      if (values instanceof BigInt64Array) {
        for (let index = 0; index < count; index++) {
          if (typeof normalizeInt(values[index]!) === 'bigint' && present(index)) {
            return NEEDS_BIG_INT;
          }
        }
        return NOTHING_FOUND;
      }
      return bad(0, `a ${values.constructor.name}`);
    }
    case 'Date': {
      if (!(values instanceof Int32Array)) return bad(0, `a ${values.constructor.name}`);
      for (let index = 0; index < count; index++) {
        const value = values[index]!;
        if ((value < DATE_DAYS_MIN || value > DATE_DAYS_MAX) && present(index)) {
          bad(index, `day ${value} (outside 0001-01-01 .. 9999-12-31)`);
        }
      }
      return NOTHING_FOUND;
    }
    case 'Bool': {
      if (!(values instanceof Uint8Array)) return bad(0, `a ${values.constructor.name}`);
      for (let index = 0; index < count; index++) {
        if (values[index]! > 1 && present(index)) bad(index, `byte ${values[index]}`);
      }
      return NOTHING_FOUND;
    }
    default:
      return bad(0, `a ${values.constructor.name} (give codes and a dictionary)`);
  }
}

function appendTyped(
  table: TableDraft,
  columnIndex: number,
  column: ColumnDefinition,
  first: number,
  count: number,
  values: TypedValues,
  validity: Uint8Array | undefined,
): void {
  if (values.length < count || (validity !== undefined && validity.length * 8 < count)) {
    throw new StoreError('E_STORE_TYPE', `column ${column.name}: input shorter than ${count} rows`);
  }
  if (column.notNull && validity !== undefined) {
    for (let index = 0; index < count; index++) {
      if (!getBit(validity, index)) {
        throw valueError(
          'E_STORE_NOT_NULL',
          { entity: table.entity, row: first + index, attribute: column.name },
          'NULL in a NOT NULL column',
        );
      }
    }
  }
  const { needsBigInt, negativeZero } = checkTyped(table, column, first, count, values, validity);
  const draft = table.columnDraftForWrite(columnIndex);
  if (needsBigInt && draft.representation === 'float64') draft.upgradeToBigInt();
  const representation = draft.representation;
  let index = 0;
  while (index < count) {
    const row = first + index;
    const chunkIndex = row >>> CHUNK_SHIFT;
    const offset = row & CHUNK_MASK;
    const rows = Math.min(count - index, CHUNK_ROWS - offset);
    const chunk = table.chunkForAppend(
      columnIndex,
      chunkIndex,
      offset + rows,
      validity !== undefined,
    );
    const target = chunk.values;
    if (representation === 'bigint64' && !(values instanceof BigInt64Array)) {
      const source = values as Float64Array;
      const bigints = target as BigInt64Array;
      for (let step = 0; step < rows; step++)
        bigints[offset + step] = BigInt(source[index + step]!);
    } else if (representation === 'float64' && values instanceof BigInt64Array) {
      const floats = target as Float64Array;
      for (let step = 0; step < rows; step++) floats[offset + step] = Number(values[index + step]!);
    } else if (representation === 'float64' && negativeZero) {
      // `+ 0` turns −0 into 0, the engine's form.
      const floats = target as Float64Array;
      const source = values as Float64Array;
      for (let step = 0; step < rows; step++) floats[offset + step] = source[index + step]! + 0;
    } else {
      (target as Uint32Array).set((values as Uint32Array).subarray(index, index + rows), offset);
    }
    if (chunk.validity !== undefined) {
      for (let step = 0; step < rows; step++) {
        const present = validity === undefined || getBit(validity, index + step);
        const bit = offset + step;
        if (present) chunk.validity[bit >>> 3]! |= 1 << (bit & 7);
        else {
          clearBit(chunk.validity, bit);
          zeroSlot(target, bit);
        }
      }
    }
    chunk.labels?.forEach((_, labelOffset) => {
      if (labelOffset >= offset && labelOffset < offset + rows) chunk.labels!.delete(labelOffset);
    });
    index += rows;
  }
}

function zeroSlot(values: TypedValues, offset: number): void {
  if (values instanceof BigInt64Array) values[offset] = 0n;
  else values[offset] = 0;
}

function appendDictionary(
  table: TableDraft,
  columnIndex: number,
  column: ColumnDefinition,
  first: number,
  count: number,
  input: {
    readonly codes: Uint32Array;
    readonly dictionary: readonly string[];
    readonly validity?: Uint8Array | undefined;
  },
): void {
  const draft = table.columnDraftForWrite(columnIndex);
  if (draft.representation !== 'dictionary') {
    throw mismatch(table, column, first, 'dictionary codes');
  }
  const { codes, dictionary: local, validity } = input;
  if (codes.length < count) {
    throw new StoreError('E_STORE_TYPE', `column ${column.name}: input shorter than ${count} rows`);
  }
  const own = draft.dictionary!;
  // Codes of the column's own dictionary are its codes; codes of another store dictionary go
  // through the translation kept in the column's dictionary (each entry checked and interned
  // once, ever); other dictionaries through a translation for this call. Either way each
  // distinct entry is checked and interned once, then codes are translated in a tight loop.
  const identity = local === own.strings;
  const translate = identity
    ? undefined
    : Dictionary.owns(local)
      ? own.translation(local)
      : new Uint32Array(local.length);
  const plainString = column.type.kind === 'scalar' && column.type.scalar === 'String';
  for (let index = 0; index < count; index++) {
    if (validity !== undefined && !getBit(validity, index)) {
      if (column.notNull) {
        throw valueError(
          'E_STORE_NOT_NULL',
          { entity: table.entity, row: first + index, attribute: column.name },
          'NULL in a NOT NULL column',
        );
      }
      continue;
    }
    const code = codes[index]!;
    if (code >= local.length) {
      throw mismatch(
        table,
        column,
        first + index,
        `code ${code} past the dictionary's ${local.length} entries`,
      );
    }
    if (translate === undefined || translate[code] !== 0) continue;
    const value = local[code];
    const checked =
      plainString && typeof value === 'string'
        ? value
        : checkValue(column, value, {
            entity: table.entity,
            row: first + index,
            attribute: column.name,
          });
    translate[code] = own.intern(checked as string) + 1;
  }
  let index = 0;
  while (index < count) {
    const row = first + index;
    const chunkIndex = row >>> CHUNK_SHIFT;
    const offset = row & CHUNK_MASK;
    const rows = Math.min(count - index, CHUNK_ROWS - offset);
    const chunk = table.chunkForAppend(
      columnIndex,
      chunkIndex,
      offset + rows,
      validity !== undefined,
    );
    const target = chunk.values as Uint32Array;
    if (translate === undefined) target.set(codes.subarray(index, index + rows), offset);
    else {
      // A NULL row's slot (translated from 0 to 2^32 − 1) is zeroed with its validity below.
      for (let step = 0; step < rows; step++)
        target[offset + step] = translate[codes[index + step]!]! - 1;
    }
    if (chunk.validity !== undefined) {
      for (let step = 0; step < rows; step++) {
        const bit = offset + step;
        if (validity === undefined || getBit(validity, index + step)) {
          chunk.validity[bit >>> 3]! |= 1 << (bit & 7);
        } else {
          clearBit(chunk.validity, bit);
          target[bit] = 0;
        }
      }
    }
    chunk.labels?.forEach((_, labelOffset) => {
      if (labelOffset >= offset && labelOffset < offset + rows) chunk.labels!.delete(labelOffset);
    });
    index += rows;
  }
}

/** The value at `index` of a column input, as the per-value write path takes it. */
export function inputValueAt(input: ColumnInput, index: number, column: ColumnDefinition): unknown {
  if (Array.isArray(input)) return input[index];
  let values: TypedValues;
  let validity: Uint8Array | undefined;
  if (isTypedValues(input)) {
    values = input;
  } else if ('codes' in input) {
    if (input.validity !== undefined && !getBit(input.validity, index)) return null;
    const code = input.codes[index];
    return code === undefined ? undefined : input.dictionary[code];
  } else {
    const typed = input as { values: TypedValues; validity?: Uint8Array | undefined };
    values = typed.values;
    validity = typed.validity;
  }
  if (validity !== undefined && !getBit(validity, index)) return null;
  const value = values[index];
  if (
    column.type.kind === 'scalar' &&
    column.type.scalar === 'Bool' &&
    values instanceof Uint8Array
  ) {
    return value === 1 ? true : value === 0 ? false : value;
  }
  return value;
}
