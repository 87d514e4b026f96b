/**
 * Writing a migration's result into the target schema's tables, inside the caller's
 * transaction: tables made from `schemaTableDefinitions` when missing (an existing table must
 * have that definition), every row replaced (soft-deleted, new rows appended from the table's
 * row count on, so foreign keys are shifted by it), or — for sigma_delta — the engine's
 * appends, deletes and updates applied.
 */
import { assert } from '../../../common/index.js';
import type { SaturatedInstance, Schema } from '../../../catalog/index.js';
import {
  describeColumnType,
  labelledNull,
  sameDefinition,
  type ColumnDefinition,
  type ColumnInput,
  type InputValue,
  type Transaction,
} from '../../../store/index.js';
import { appendInstanceRows, schemaTableDefinitions } from '../../instance-loader.js';
import { FunctorError } from '../errors.js';
import type { CodedColumn, TargetWrite } from './sigma-engine.js';
import { deleteRows } from './system-tables.js';
import type { EntityStats } from './types.js';

/** Create the schema's missing tables; a typed error when an existing one differs. */
export function ensureTargetTables(transaction: Transaction, schema: Schema): void {
  const view = transaction.view;
  const missing = [];
  for (const definition of schemaTableDefinitions(schema)) {
    if (!view.hasTable(definition.entity)) {
      missing.push(definition);
      continue;
    }
    const existing = view.table(definition.entity).definition;
    if (!sameDefinition(existing, definition)) {
      const describe = (columns: typeof definition.columns): string =>
        columns.map((column) => `${column.name} ${describeColumnType(column.type)}`).join(', ');
      throw new FunctorError(
        'E_FUNCTOR_MISMATCH',
        `the table of \`${definition.entity}\` has the columns (${describe(existing.columns)}), ` +
          `but schema \`${schema.name}\` needs (${describe(definition.columns)})`,
        { hint: `drop the table ${definition.entity} or migrate into a schema that fits it` },
      );
    }
  }
  if (missing.length > 0) transaction.createTables(missing);
}

/** Soft-delete every row of the schema's tables; returns each table's row count (the base). */
export function clearTables(transaction: Transaction, schema: Schema): Map<string, number> {
  const base = new Map<string, number>();
  for (const entity of schema.entities) {
    deleteRows(transaction, entity.name);
    base.set(entity.name, transaction.view.table(entity.name).rowCount);
  }
  return base;
}

/** Replace the schema's rows with the instance's; per entity rows written and labelled nulls. */
export function replaceWithInstance(
  transaction: Transaction,
  instance: SaturatedInstance,
): Map<string, { rows: number; nulls: number }> {
  ensureTargetTables(transaction, instance.schema);
  const base = clearTables(transaction, instance.schema);
  appendInstanceRows(transaction, instance, base);
  const written = new Map<string, { rows: number; nulls: number }>();
  for (const table of instance.tables) {
    let nulls = 0;
    for (const column of table.attributes.values()) {
      for (let row = 0; row < table.rowCount; row++) if (column.labels[row] !== undefined) nulls++;
    }
    written.set(table.entity, { rows: table.rowCount, nulls });
  }
  return written;
}

/**
 * Set `column` of `rows[i]` to `values[i]`, one update per distinct value: the store checks a
 * value once for all its rows (an update of many foreign keys to few rows, as merges give).
 */
export function updateByValue(
  transaction: Transaction,
  entity: string,
  column: string,
  rows: readonly number[],
  values: readonly number[],
): void {
  const byValue = new Map<number, number[]>();
  rows.forEach((rowId, index) => {
    const value = values[index] as number;
    let group = byValue.get(value);
    if (group === undefined) byValue.set(value, (group = []));
    group.push(rowId);
  });
  for (const [value, group] of byValue) transaction.update(entity, group, { [column]: value });
}

/** Apply the engine's writes to the target tables (which exist). */
export function applyTargetWrites(transaction: Transaction, writes: readonly TargetWrite[]): void {
  for (const write of writes) {
    if (write.deleteRows.length > 0) transaction.delete(write.entity, write.deleteRows);
    for (const update of write.foreignKeyUpdates) {
      updateByValue(transaction, write.entity, update.column, update.rows, update.values);
    }
    for (const update of write.labelUpdates) {
      transaction.update(write.entity, update.rows, { [update.column]: update.value });
    }
    if (write.appendCount > 0) appendNewRows(transaction, write);
  }
}

/** NULLs and labelled nulls of a column of values: a validity bitmap and offsets by term. */
function nullsOf(values: readonly InputValue[]): {
  validity: Uint8Array | undefined;
  labels: Map<string, number[]>;
  labelCount: number;
} {
  const labels = new Map<string, number[]>();
  let validity: Uint8Array | undefined;
  let labelCount = 0;
  for (let index = 0; index < values.length; index++) {
    const value = values[index] ?? null;
    if (value !== null && typeof value !== 'object') continue;
    validity ??= new Uint8Array((values.length + 7) >>> 3).fill(0xff);
    validity[index >>> 3] = (validity[index >>> 3] as number) & ~(1 << (index & 7));
    if (value === null) continue;
    labelCount++;
    let offsets = labels.get(value.term);
    if (offsets === undefined) labels.set(value.term, (offsets = []));
    offsets.push(index);
  }
  return { validity, labels, labelCount };
}

/** Bits start .. end − 1 of a bitmap, from bit 0. */
function sliceBits(
  bits: Uint8Array | undefined,
  start: number,
  end: number,
): Uint8Array | undefined {
  if (bits === undefined) return undefined;
  const slice = new Uint8Array((end - start + 7) >>> 3);
  for (let index = start; index < end; index++) {
    if ((((bits[index >>> 3] as number) >>> (index & 7)) & 1) === 1) {
      const bit = index - start;
      slice[bit >>> 3] = (slice[bit >>> 3] as number) | (1 << (bit & 7));
    }
  }
  return slice;
}

/** Rows start .. end − 1 of a column input (codes then index `dictionary` when given). */
function sliceInput(
  input: ColumnInput,
  start: number,
  end: number,
  dictionary: readonly string[] | undefined,
): ColumnInput {
  if (Array.isArray(input)) return (input as readonly InputValue[]).slice(start, end);
  if (
    input instanceof Float64Array ||
    input instanceof BigInt64Array ||
    input instanceof Int32Array ||
    input instanceof Uint8Array ||
    input instanceof Uint32Array
  ) {
    return input.subarray(start, end);
  }
  if ('codes' in input) {
    return {
      codes: input.codes.subarray(start, end),
      dictionary: dictionary ?? input.dictionary,
      validity: sliceBits(input.validity, start, end),
    };
  }
  const typed = input as {
    readonly values: Float64Array | BigInt64Array | Int32Array | Uint8Array | Uint32Array;
    readonly validity?: Uint8Array | undefined;
  };
  return {
    values: typed.values.subarray(start, end),
    validity: sliceBits(typed.validity, start, end),
  };
}

/**
 * Runs of rows in which each coded column's strings come from one dictionary (a Σ of two
 * entities into one: a run per source entity), with the dictionary number per column.
 */
function codedRuns(
  coded: readonly [string, CodedColumn][],
  count: number,
): { start: number; end: number; numbers: number[] }[] {
  const runs: { start: number; end: number; numbers: number[] }[] = [];
  let start = 0;
  let numbers = coded.map(() => 0);
  for (let index = 0; index < count; index++) {
    for (let column = 0; column < coded.length; column++) {
      const number = (coded[column] as [string, CodedColumn])[1].dictionaryOf[index] as number;
      if (number === 0 || number === numbers[column]) continue;
      if (numbers[column] !== 0) {
        runs.push({ start, end: index, numbers });
        start = index;
        numbers = coded.map(() => 0);
      }
      numbers[column] = number;
    }
  }
  runs.push({ start, end: count, numbers });
  return runs;
}

/**
 * Append a write's new rows. Attribute columns go in the store's fast forms: codes into the
 * source columns' store dictionaries where the engine kept them (the store translates each
 * entry once instead of interning every string again), else `fastColumn`; labelled nulls are
 * NULL there and set by one update per term afterwards.
 */
function appendNewRows(transaction: Transaction, write: TargetWrite): void {
  const table = transaction.view.table(write.entity);
  const count = write.appendCount;
  const columns: Record<string, ColumnInput> = {};
  const labelled: [string, Map<string, number[]>][] = [];
  const mixed: [string, CodedColumn][] = [];
  for (const [name, values] of Object.entries(write.columns)) {
    if (values instanceof Uint32Array) {
      columns[name] = values;
      continue;
    }
    const coded = write.coded[name];
    if (coded !== undefined) {
      const nulls = nullsOf(values);
      // Many labels would be many updates: then the values path decides.
      if (nulls.labelCount * 8 <= count) {
        columns[name] = {
          codes: coded.codes,
          dictionary: coded.dictionaries[0] as readonly string[],
          validity: nulls.validity,
        };
        if (nulls.labels.size > 0) labelled.push([name, nulls.labels]);
        if (coded.dictionaries.length > 1) mixed.push([name, coded]);
        continue;
      }
    }
    const fast = fastColumn(table.column(name).definition, values);
    columns[name] = fast.input;
    if (fast.labels.size > 0) labelled.push([name, fast.labels]);
  }
  let first: number;
  if (mixed.length === 0) first = transaction.appendColumns(write.entity, columns, count).first;
  else {
    first = -1;
    for (const run of codedRuns(mixed, count)) {
      const slice: Record<string, ColumnInput> = {};
      for (const [name, input] of Object.entries(columns))
        slice[name] = sliceInput(input, run.start, run.end, undefined);
      mixed.forEach(([name, coded], column) => {
        slice[name] = sliceInput(
          columns[name] as ColumnInput,
          run.start,
          run.end,
          coded.dictionaries[Math.max(1, run.numbers[column] as number) - 1],
        );
      });
      const range = transaction.appendColumns(write.entity, slice, run.end - run.start);
      if (first < 0) first = range.first;
    }
  }
  for (const [name, labels] of labelled) {
    for (const [term, offsets] of labels) {
      transaction.update(
        write.entity,
        offsets.map((offset) => first + offset),
        { [name]: labelledNull(term) },
      );
    }
  }
  // The engine numbered the new rows from the table's row count (foreign keys included).
  assert(
    first === write.appendBase,
    `rows of ${write.entity} appended at ${first}, expected ${write.appendBase}`,
  );
}

export function statsRecord(entries: Iterable<[string, EntityStats]>): Record<string, EntityStats> {
  const record: Record<string, EntityStats> = {};
  for (const [entity, stats] of entries) record[entity] = stats;
  return record;
}

/**
 * A column of values in the store's fast bulk form where its type allows (dictionary codes for
 * String, typed arrays for Float, Int within ±2^53, Date and Bool, with a validity bitmap), so
 * the store does not check and box each value; labelled nulls are NULL there and returned by
 * term with their offsets, for one update per term afterwards. Values as given when that would
 * not pay (many labels, an unusual value).
 */
export function fastColumn(
  definition: ColumnDefinition,
  values: readonly InputValue[],
): { input: ColumnInput; labels: Map<string, number[]> } {
  const labels = new Map<string, number[]>();
  const slow = { input: values, labels: new Map<string, number[]>() };
  if (definition.type.kind !== 'scalar') return slow;
  const scalar = definition.type.scalar;
  const count = values.length;
  const validity = new Uint8Array((count + 7) >>> 3).fill(0xff);
  let nulls = 0;
  let labelCount = 0;
  const markNull = (index: number): void => {
    validity[index >>> 3] = (validity[index >>> 3] as number) & ~(1 << (index & 7));
    nulls++;
  };
  const note = (value: InputValue, index: number): boolean => {
    if (value === null) {
      markNull(index);
      return true;
    }
    if (typeof value === 'object') {
      markNull(index);
      labelCount++;
      let offsets = labels.get(value.term);
      if (offsets === undefined) labels.set(value.term, (offsets = []));
      offsets.push(index);
      return true;
    }
    return false;
  };
  const done = (input: ColumnInput): { input: ColumnInput; labels: Map<string, number[]> } =>
    labelCount * 8 > count ? slow : { input, labels };
  switch (scalar) {
    case 'String': {
      // Identity codes over the values themselves: the store interns each string once anyway,
      // and a second dictionary here would cost a map insertion per row.
      const codes = new Uint32Array(count);
      const dictionary = new Array<string>(count);
      for (let index = 0; index < count; index++) {
        const value = values[index] ?? null;
        codes[index] = index;
        dictionary[index] = '';
        if (note(value, index)) continue;
        if (typeof value !== 'string') return slow;
        dictionary[index] = value;
      }
      return done({ codes, dictionary, validity: nulls > 0 ? validity : undefined });
    }
    case 'Int':
    case 'Float': {
      const typed = new Float64Array(count);
      for (let index = 0; index < count; index++) {
        const value = values[index] ?? null;
        if (note(value, index)) continue;
        if (typeof value !== 'number') return slow;
        typed[index] = value;
      }
      return done({ values: typed, validity: nulls > 0 ? validity : undefined });
    }
    case 'Date': {
      const typed = new Int32Array(count);
      for (let index = 0; index < count; index++) {
        const value = values[index] ?? null;
        if (note(value, index)) continue;
        if (typeof value !== 'number') return slow;
        typed[index] = value;
      }
      return done({ values: typed, validity: nulls > 0 ? validity : undefined });
    }
    case 'Bool': {
      const typed = new Uint8Array(count);
      for (let index = 0; index < count; index++) {
        const value = values[index] ?? null;
        if (note(value, index)) continue;
        if (typeof value !== 'boolean') return slow;
        typed[index] = value ? 1 : 0;
      }
      return done({ values: typed, validity: nulls > 0 ? validity : undefined });
    }
    case 'Uuid':
    case 'Decimal':
      return slow;
  }
}
