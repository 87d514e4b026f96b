/**
 * A JSON export of a whole database as one view sees it:
 *
 *   {"lsn":<n>,"tables":[{"definition":<table definition>,"rowCount":<n>,
 *     "rows":[{"id":<row id>,"values":{"<column>":<value>,…}},…]},…]}
 *
 * Values in their JSON form (common/scalar.ts `valueToJson`: Int past ±2^53 and Decimal as
 * strings, Date as YYYY-MM-DD), a foreign key as the target's row id, a labelled null as
 * `{"label":"<term>"}`, NULL as null. Deleted rows are left out; row ids are kept so that
 * foreign keys still resolve.
 */
import { valueToJson } from '../common/index.js';
import type { ReadView } from './read-view.js';
import { isLabelledNull } from './values.js';

export interface JsonExport {
  readonly lsn: number;
  readonly tables: readonly {
    readonly definition: unknown;
    readonly rowCount: number;
    readonly rows: readonly { readonly id: number; readonly values: Record<string, unknown> }[];
  }[];
}

export function exportJson(view: ReadView): JsonExport {
  return {
    lsn: view.lsn,
    tables: view.entities().map((entity) => {
      const table = view.table(entity);
      const columns = table.definition.columns;
      const rows = [...table.rows({ labels: true })].map((row) => {
        const values: Record<string, unknown> = {};
        for (const column of columns) {
          const value = row.values[column.name]!;
          if (isLabelledNull(value)) values[column.name] = { label: value.term };
          else if (column.type.kind === 'foreignKey') values[column.name] = value;
          else values[column.name] = valueToJson(column.type.scalar, value);
        }
        return { id: row.id, values };
      });
      return { definition: table.definition, rowCount: table.rowCount, rows };
    }),
  };
}
