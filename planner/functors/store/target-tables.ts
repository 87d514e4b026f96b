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
import type { TargetWrite } from './sigma-engine.js';
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
    if (write.appendCount > 0) {
      const table = transaction.view.table(write.entity);
      const columns: Record<string, ColumnInput> = {};
      const labelled: [string, Map<string, number[]>][] = [];
      for (const [name, values] of Object.entries(write.columns)) {
        if (values instanceof Uint32Array) {
          columns[name] = values;
          continue;
        }
        const fast = fastColumn(table.column(name).definition, values);
        columns[name] = fast.input;
        if (fast.labels.size > 0) labelled.push([name, fast.labels]);
      }
      const range = transaction.appendColumns(write.entity, columns, write.appendCount);
      for (const [name, labels] of labelled) {
        for (const [term, offsets] of labels) {
          transaction.update(
            write.entity,
            offsets.map((offset) => range.first + offset),
            { [name]: labelledNull(term) },
          );
        }
      }
      // The engine numbered the new rows from the table's row count (foreign keys included).
      assert(
        range.first === write.appendBase,
        `rows of ${write.entity} appended at ${range.first}, expected ${write.appendBase}`,
      );
    }
  }
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
