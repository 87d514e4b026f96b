/**
 * A saturated catalog instance as tables the planner queries: one table per entity, its rows in
 * the instance's row order (so row r of an entity has `id` r), one column per attribute (its
 * storage type) and per foreign key (the target row's id), in schema order: attributes first,
 * then foreign keys.
 *
 * `instanceDatabase` builds in-memory tables (labelled nulls read as NULL there, as in SQL);
 * `loadInstanceIntoStore` writes the same rows into store tables in one transaction, keeping
 * labelled nulls as the store's labelled nulls (their terms stay readable).
 */
import type { SaturatedInstance, Schema } from '../catalog/index.js';
import {
  foreignKeyColumn,
  labelledNull,
  scalarColumn,
  tableDefinition,
  type ColumnInput,
  type Database,
  type InputValue,
  type TableDefinition,
  type Transaction,
} from '../store/index.js';
import { MemoryDatabase, MemoryTable, type MemoryColumnSpec } from './data/memory-table.js';
import type { Value } from '../common/index.js';

/** The store definitions of a schema's entities (attributes, then foreign keys). */
export function schemaTableDefinitions(schema: Schema): TableDefinition[] {
  return schema.entities.map((entity) =>
    tableDefinition(entity.name, [
      ...schema
        .attributesOf(entity.name)
        .map((attribute) =>
          scalarColumn(attribute.name, attribute.storageType, { notNull: attribute.notNull }),
        ),
      ...schema
        .foreignKeysOf(entity.name)
        .map((foreignKey) =>
          foreignKeyColumn(foreignKey.name, foreignKey.target, { notNull: true }),
        ),
    ]),
  );
}

/** The store definitions of an instance's entities (attributes, then foreign keys). */
export function instanceTableDefinitions(instance: SaturatedInstance): TableDefinition[] {
  return schemaTableDefinitions(instance.schema);
}

/** The instance as in-memory tables. */
export function instanceDatabase(instance: SaturatedInstance): MemoryDatabase {
  const database = new MemoryDatabase();
  const definitions = instanceTableDefinitions(instance);
  instance.tables.forEach((table, tableIndex) => {
    const definition = definitions[tableIndex]!;
    const specs: MemoryColumnSpec[] = definition.columns.map((column) =>
      column.type.kind === 'foreignKey'
        ? {
            name: column.name,
            type: 'Int',
            role: 'foreignKey',
            target: column.type.target,
            notNull: true,
          }
        : { name: column.name, type: column.type.scalar, notNull: column.notNull },
    );
    const memory = new MemoryTable(table.entity, specs, Math.max(8, table.rowCount));
    const columns: Value[][] = [
      ...[...table.attributes.values()].map((column) =>
        Array.from({ length: table.rowCount }, (_, row) => column.values[row] ?? null),
      ),
      ...[...table.foreignKeys.values()].map((targets) => Array.from(targets, (target) => target)),
    ];
    memory.insertColumns(columns);
    database.add(memory);
  });
  return database;
}

/**
 * Append an instance's rows to existing store tables of its entities, inside `transaction`:
 * labelled nulls stay labelled nulls, and a foreign key's row id is shifted by `base` of its
 * target entity (the rows the target table held before, so that the ids line up when tables
 * already have rows). Returns the rows appended per entity.
 */
export function appendInstanceRows(
  transaction: Transaction,
  instance: SaturatedInstance,
  base: ReadonlyMap<string, number> = new Map(),
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const table of instance.tables) {
    counts[table.entity] = table.rowCount;
    if (table.rowCount === 0) continue;
    const columns: Record<string, ColumnInput> = {};
    for (const [name, column] of table.attributes) {
      const values: InputValue[] = new Array<InputValue>(table.rowCount);
      for (let row = 0; row < table.rowCount; row++) {
        const label = column.labels[row];
        values[row] = label === undefined ? (column.values[row] ?? null) : labelledNull(label);
      }
      columns[name] = values;
    }
    for (const [name, targets] of table.foreignKeys) {
      const shift = base.get(instance.schema.foreignKey(table.entity, name)?.target ?? '') ?? 0;
      columns[name] = shift === 0 ? Array.from(targets) : Array.from(targets, (row) => row + shift);
    }
    transaction.appendColumns(table.entity, columns, table.rowCount);
  }
  return counts;
}

/** Create the instance's tables in a store database and append its rows (one transaction). */
export async function loadInstanceIntoStore(
  database: Database,
  instance: SaturatedInstance,
): Promise<void> {
  const transaction = await database.begin();
  try {
    transaction.createTables(instanceTableDefinitions(instance));
    appendInstanceRows(transaction, instance);
    await transaction.commit();
  } catch (error) {
    transaction.rollback();
    throw error;
  }
}
