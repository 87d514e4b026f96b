/**
 * `information_schema.tables` and `information_schema.columns` (the SQL standard's catalog
 * views, which tools and drivers query to list tables and columns), built from the relation
 * source the query runs against: one row per entity, one per column (`id`, attributes, foreign
 * keys), with PostgreSQL's type names.
 */
import type { ScalarType } from '../../common/index.js';
import { MemoryTable } from './memory-table.js';
import type { RelationSource, TableSource } from './source.js';

const DATA_TYPES: Readonly<Record<ScalarType, string>> = {
  String: 'text',
  Int: 'bigint',
  Float: 'double precision',
  Bool: 'boolean',
  Date: 'date',
  Uuid: 'uuid',
  Decimal: 'numeric',
};

export const INFORMATION_SCHEMA_TABLES = ['tables', 'columns'] as const;

/** The view `name` (lower case) of `information_schema` over `source`, or undefined. */
export function informationSchemaTable(
  source: RelationSource,
  name: string,
): TableSource | undefined {
  const tables = source
    .tableNames()
    .map((tableName) => source.table(tableName))
    .filter((table): table is TableSource => table !== undefined);
  if (name === 'tables') {
    const view = new MemoryTable('tables', [
      { name: 'table_catalog', type: 'String' },
      { name: 'table_schema', type: 'String' },
      { name: 'table_name', type: 'String' },
      { name: 'table_type', type: 'String' },
    ]);
    for (const table of tables) view.insert(['catrust', 'public', table.name, 'BASE TABLE']);
    return view;
  }
  if (name === 'columns') {
    const view = new MemoryTable('columns', [
      { name: 'table_catalog', type: 'String' },
      { name: 'table_schema', type: 'String' },
      { name: 'table_name', type: 'String' },
      { name: 'column_name', type: 'String' },
      { name: 'ordinal_position', type: 'Int' },
      { name: 'data_type', type: 'String' },
      { name: 'is_nullable', type: 'String' },
    ]);
    for (const table of tables) {
      table.columns.forEach((column, index) => {
        view.insert([
          'catrust',
          'public',
          table.name,
          column.name,
          index + 1,
          DATA_TYPES[column.type],
          column.notNull ? 'NO' : 'YES',
        ]);
      });
    }
    return view;
  }
  return undefined;
}
