/**
 * A JSON export (json-export.ts: `{"lsn","tables":[{"definition","rowCount","rows":[{"id",
 * "values"}]}]}`) read back into an empty database, in one transaction: the tables created
 * from their definitions, every row at its own row id (so foreign keys, which hold row ids,
 * stay right), labelled nulls `{"label": term}` kept. The export leaves deleted rows out; the
 * ids they held are filled with placeholder rows that are deleted in the same transaction, so
 * the ids of the rows after them do not move. Placeholders hold NULL, or for a NOT NULL
 * column the type's zero (`""`, 0, false, 1970-01-01, the nil UUID, row 0), and no value of
 * the export.
 *
 * Everything is checked before it is used: a document that is not an export, a row id out of
 * order or range, a value of the wrong type are E_STORE_CORRUPT naming the place in the
 * document; the transaction then writes nothing.
 */
import { CatrustError, valueFromJson, type ScalarType } from '../common/index.js';
import { corruptError } from './errors.js';
import { parseTableDefinition, type ColumnDefinition, type TableDefinition } from './schema.js';
import type { Transaction } from './transaction.js';
import { labelledNull, type InputValue, type RowInput } from './values.js';

/** The JSON of each type's placeholder value in a NOT NULL column. */
const PLACEHOLDERS: Readonly<Record<ScalarType, unknown>> = {
  String: '',
  Int: 0,
  Float: 0,
  Bool: false,
  Date: '1970-01-01',
  Uuid: '00000000-0000-0000-0000-000000000000',
  Decimal: '0',
};

interface ImportedTable {
  readonly definition: TableDefinition;
  readonly rowCount: number;
  readonly rows: readonly { readonly id: number; readonly values: Record<string, unknown> }[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRowId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** The document's tables, checked; E_STORE_CORRUPT at the first problem. */
function readTables(document: unknown, file: string): ImportedTable[] {
  const bad = (place: string, message: string): Error =>
    corruptError(file, `${file}: ${place}: ${message}`, {}, 'the file must be a persist document');
  if (!isRecord(document) || !Array.isArray(document['tables'])) {
    throw bad('the document', 'expected an object with a "tables" array');
  }
  return document['tables'].map((table: unknown, tableIndex): ImportedTable => {
    const place = `tables[${tableIndex}]`;
    if (!isRecord(table) || !Array.isArray(table['rows']) || !isRowId(table['rowCount'])) {
      throw bad(place, 'expected {"definition", "rowCount", "rows"}');
    }
    let definition: TableDefinition;
    try {
      definition = parseTableDefinition(table['definition']);
    } catch (error) {
      if (!(error instanceof CatrustError)) throw error;
      throw bad(`${place}.definition`, error.bareMessage);
    }
    const rowCount = table['rowCount'];
    let previous = -1;
    const rows = table['rows'].map((row: unknown, rowIndex) => {
      const rowPlace = `${place}.rows[${rowIndex}]`;
      if (!isRecord(row) || !isRowId(row['id']) || !isRecord(row['values'])) {
        throw bad(rowPlace, 'expected {"id": <row id>, "values": {…}}');
      }
      if (row['id'] <= previous || row['id'] >= rowCount) {
        throw bad(
          rowPlace,
          `row id ${row['id']} is out of order or not below rowCount ${rowCount}`,
        );
      }
      previous = row['id'];
      return { id: row['id'], values: row['values'] };
    });
    return { definition, rowCount, rows };
  });
}

/** One value of the document as a store input (labelled nulls kept). */
function inputValue(
  column: ColumnDefinition,
  json: unknown,
  place: string,
  file: string,
): InputValue {
  if (json === undefined || json === null) return null;
  if (isRecord(json)) {
    if (typeof json['label'] === 'string' && Object.keys(json).length === 1) {
      return labelledNull(json['label']);
    }
    throw corruptError(file, `${file}: ${place}: expected a value or {"label": term}`);
  }
  if (column.type.kind === 'foreignKey') {
    if (isRowId(json)) return json;
    throw corruptError(file, `${file}: ${place}: expected a row id of ${column.type.target}`);
  }
  try {
    return valueFromJson(column.type.scalar, json, place);
  } catch (error) {
    if (!(error instanceof CatrustError)) throw error;
    throw corruptError(file, `${file}: ${place}: ${error.bareMessage}`);
  }
}

function placeholderRow(definition: TableDefinition): RowInput {
  const row: Record<string, InputValue> = {};
  for (const column of definition.columns) {
    if (!column.notNull) row[column.name] = null;
    else if (column.type.kind === 'foreignKey') row[column.name] = 0;
    else row[column.name] = valueFromJson(column.type.scalar, PLACEHOLDERS[column.type.scalar], '');
  }
  return row;
}

/**
 * Write the export `document` (parsed JSON, from `file`) into `transaction`, whose database
 * must not have its tables yet. Returns the tables and active rows written.
 */
export function importJson(
  transaction: Transaction,
  document: unknown,
  file: string,
): { tables: number; rows: number } {
  const tables = readTables(document, file);
  transaction.createTables(tables.map((table) => table.definition));
  let rowsWritten = 0;
  tables.forEach((table, tableIndex) => {
    const { definition } = table;
    const inputs: RowInput[] = [];
    const placeholders: number[] = [];
    const filler = placeholderRow(definition);
    let next = 0;
    table.rows.forEach((row, rowIndex) => {
      for (; next < row.id; next++) {
        placeholders.push(next);
        inputs.push(filler);
      }
      const input: Record<string, InputValue> = {};
      for (const column of definition.columns) {
        const place = `tables[${tableIndex}].rows[${rowIndex}].values.${column.name}`;
        input[column.name] = inputValue(column, row.values[column.name], place, file);
      }
      inputs.push(input);
      next = row.id + 1;
    });
    for (; next < table.rowCount; next++) {
      placeholders.push(next);
      inputs.push(filler);
    }
    if (inputs.length > 0) transaction.insertRows(definition.entity, inputs);
    if (placeholders.length > 0) transaction.delete(definition.entity, placeholders);
    rowsWritten += table.rows.length;
  });
  return { tables: tables.length, rows: rowsWritten };
}
