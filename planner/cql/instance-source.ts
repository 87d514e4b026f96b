/**
 * A saturated instance (catalog) as tables the planner can query: one `MemoryTable` per entity,
 * named as the entity, with `id` (the row's position in the run JSON order, so ids agree with
 * `catrust run --json`), one column per attribute and one per foreign key (the target's id).
 * A labelled null is SQL NULL here: SQL has no labelled nulls, and comparing one is unknown.
 */
import { canonicalOrder, type SaturatedInstance } from '../../catalog/index.js';
import type { Value } from '../../common/index.js';
import { MemoryDatabase, MemoryTable } from '../data/memory-table.js';

export function instanceToRelations(instance: SaturatedInstance): MemoryDatabase {
  const positions = canonicalOrder(instance);
  const database = new MemoryDatabase();
  for (const table of instance.tables) {
    const attributes = [...table.attributes.values()];
    const foreignKeys = instance.schema.foreignKeysOf(table.entity);
    const memory = new MemoryTable(
      table.entity,
      [
        ...attributes.map((column) => ({
          name: column.attribute.name,
          type: column.attribute.storageType,
          notNull: column.attribute.notNull,
        })),
        ...foreignKeys.map((fk) => ({
          name: fk.name,
          type: 'Int' as const,
          role: 'foreignKey' as const,
          target: fk.target,
          notNull: true,
        })),
      ],
      table.rowCount,
    );
    const order = positions.get(table.entity) as Int32Array;
    const byPosition = new Int32Array(table.rowCount);
    order.forEach((position, row) => (byPosition[position] = row));
    const columns: Value[][] = [
      ...attributes.map((column) =>
        Array.from(byPosition, (row) =>
          column.labels[row] !== undefined ? null : (column.values[row] ?? null),
        ),
      ),
      ...foreignKeys.map((fk) => {
        const ids = table.foreignKeys.get(fk.name) as Int32Array;
        const target = positions.get(fk.target) as Int32Array;
        return Array.from(byPosition, (row) => target[ids[row] as number] as number);
      }),
    ];
    if (columns.length === 0) {
      for (let row = 0; row < table.rowCount; row++) memory.insert([]);
    } else {
      memory.insertColumns(columns);
    }
    database.add(memory);
  }
  return database;
}
