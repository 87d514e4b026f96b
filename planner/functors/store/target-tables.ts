/**
 * Writing a migration's result into the target schema's tables, inside the caller's
 * transaction: tables made from `schemaTableDefinitions` when missing (an existing table must
 * have that definition), every row replaced (soft-deleted, new rows appended from the table's
 * row count on, so foreign keys are shifted by it), or — for sigma_delta — the engine's
 * appends, deletes and updates applied.
 */
import type { SaturatedInstance, Schema } from '../../../catalog/index.js';
import { describeColumnType, sameDefinition, type Transaction } from '../../../store/index.js';
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

/** Apply the engine's writes to the target tables (which exist). */
export function applyTargetWrites(transaction: Transaction, writes: readonly TargetWrite[]): void {
  for (const write of writes) {
    if (write.deleteRows.length > 0) transaction.delete(write.entity, write.deleteRows);
    for (const update of write.foreignKeyUpdates) {
      transaction.updateColumn(write.entity, update.column, update.rows, update.values);
    }
    for (const update of write.labelUpdates) {
      transaction.update(write.entity, update.rows, { [update.column]: update.value });
    }
    if (write.appendCount > 0) {
      const range = transaction.appendColumns(write.entity, write.columns, write.appendCount);
      if (range.first !== write.appendBase) {
        throw new FunctorError(
          'E_FUNCTOR_MISMATCH',
          `rows of ${write.entity} were appended at ${range.first}, expected ${write.appendBase}`,
        );
      }
    }
  }
}

export function statsRecord(entries: Iterable<[string, EntityStats]>): Record<string, EntityStats> {
  const record: Record<string, EntityStats> = {};
  for (const [entity, stats] of entries) record[entity] = stats;
  return record;
}
