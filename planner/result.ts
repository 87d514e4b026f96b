/**
 * Query results: columns `{name, type}` and the batches the executor produced. Rows become
 * objects only here, at the edge (STYLE.md §4): as arrays of engine values, as the JSON shape
 * every front door prints (`{"columns":[{"name","type"}],"rows":[[…]]}`, values through
 * common/scalar.ts `valueToJson`: Int outside ±2^53 and Decimal as strings, Date as
 * YYYY-MM-DD, NULL as null), as a psql-style text table, or as CSV (RFC 4180).
 */
import { valueToJson, type ScalarType, type Value } from '../common/index.js';
import { valueAt, type Batch } from './data/vector.js';
import { valueToText } from './expr/cast.js';

export interface ResultColumn {
  readonly name: string;
  /** catrust's type (String, Int, Float, Bool, Date, Uuid, Decimal); `sqlTypeName` gives text, int8, … */
  readonly type: ScalarType;
}

export interface QueryResult {
  readonly columns: readonly ResultColumn[];
  readonly batches: readonly Batch[];
  readonly rowCount: number;
}

export type JsonCell = string | number | boolean | null;

export interface ResultJson {
  readonly columns: readonly { readonly name: string; readonly type: ScalarType }[];
  readonly rows: JsonCell[][];
}

/** Every row as an array of engine values (normalised Int, days for Date, decimal text). */
export function resultRows(result: QueryResult): Value[][] {
  const rows: Value[][] = [];
  for (const batch of result.batches) {
    for (let row = 0; row < batch.length; row++) {
      rows.push(batch.columns.map((vector) => valueAt(vector, row)));
    }
  }
  return rows;
}

export function resultToJson(result: QueryResult): ResultJson {
  return {
    columns: result.columns.map((column) => ({ name: column.name, type: column.type })),
    rows: resultRows(result).map((row) =>
      row.map((value, index) => valueToJson(result.columns[index]!.type, value)),
    ),
  };
}

/** A cell as PostgreSQL's text output prints it (NULL as an empty string). */
export function cellText(type: ScalarType, value: Value): string {
  return value === null ? '' : valueToText(type, value);
}

/** A psql-style aligned table with a row count footer. */
export function resultToText(result: QueryResult): string {
  const header = result.columns.map((column) => column.name);
  const rows = resultRows(result).map((row) =>
    row.map((value, index) => cellText(result.columns[index]!.type, value)),
  );
  const widths = header.map((name, index) =>
    Math.max(name.length, ...rows.map((row) => row[index]!.length)),
  );
  const rightAligned = result.columns.map(
    (column) => column.type === 'Int' || column.type === 'Float' || column.type === 'Decimal',
  );
  const line = (cells: readonly string[], alignRight: boolean): string =>
    cells
      .map((cell, index) =>
        alignRight && rightAligned[index] === true
          ? cell.padStart(widths[index]!)
          : cell.padEnd(widths[index]!),
      )
      .join(' | ')
      .trimEnd();
  const out = [
    line(
      header.map((name, index) => {
        const padding = widths[index]! - name.length;
        return ' '.repeat(Math.floor(padding / 2)) + name;
      }),
      false,
    ),
    widths.map((width) => '-'.repeat(width)).join('-+-'),
    ...rows.map((row) => line(row, true)),
    `(${rows.length} row${rows.length === 1 ? '' : 's'})`,
  ];
  return `${out.join('\n')}\n`;
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) || text === '' ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV with a header line; NULL is an empty unquoted field, the empty string is `""`. */
export function resultToCsv(result: QueryResult): string {
  const lines = [result.columns.map((column) => csvField(column.name)).join(',')];
  for (const row of resultRows(result)) {
    lines.push(
      row
        .map((value, index) =>
          value === null ? '' : csvField(valueToText(result.columns[index]!.type, value)),
        )
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
