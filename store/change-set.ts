/**
 * The WAL entry of one commit: the net effect of a transaction, not the calls it made.
 *
 *   {"s":<lsn>,"ops":[
 *     {"op":"drop","entity":"E"},
 *     {"op":"create","tables":[<table definition>,…]},
 *     {"op":"insert","entity":"E","row":<first row id>,"count":<n>,
 *        "columns":{"<name>":<encoded column>,…},"deleted":[<offsets deleted again>]?},
 *     {"op":"update","entity":"E","column":"<name>","rows":[<row ids>],"values":<encoded column>},
 *     {"op":"delete","entity":"E","rows":[<row ids>]}
 *   ]}
 *
 * Ops apply in order: drops, creates, then per table its inserts, updates and deletes.
 * Encoded columns are described in column-codec.ts; a bulk column's bytes are in the record's
 * binary payload (wal-blob.ts), which the entry's ops refer to by offset. A base entry (a compacted WAL) has the same
 * ops and no "s". Replay goes through the ordinary write path (checks included) inside one
 * transaction, so a damaged or hand-made entry cannot put bad values into a table.
 */
import { assert } from '../common/index.js';
import { setBit } from './bitmap.js';
import {
  CodecError,
  decodeColumn,
  encodeColumnRange,
  encodeColumnRows,
  type EncodedColumn,
} from './column-codec.js';
import type { DatabaseDraft } from './database-draft.js';
import type { WalBlob } from './wal-blob.js';
import type { ReadView } from './read-view.js';
import { parseTableDefinition, type ColumnDefinition, type TableDefinition } from './schema.js';
import type { Transaction } from './transaction.js';
import { labelledNull, type ColumnInput, type InputValue } from './values.js';

export type ChangeOp =
  | { readonly op: 'drop'; readonly entity: string }
  | { readonly op: 'create'; readonly tables: readonly TableDefinition[] }
  | {
      readonly op: 'insert';
      readonly entity: string;
      readonly row: number;
      readonly count: number;
      readonly columns: Readonly<Record<string, EncodedColumn>>;
      readonly deleted?: readonly number[];
    }
  | {
      readonly op: 'update';
      readonly entity: string;
      readonly column: string;
      readonly rows: readonly number[];
      readonly values: EncodedColumn;
    }
  | { readonly op: 'delete'; readonly entity: string; readonly rows: readonly number[] };

/**
 * The ops of a transaction's draft; `view` is the transaction's view (reads the drafts). Bulk
 * columns' bytes go to `blob` (the record's binary payload) when given, else into base64.
 */
export function changeOps(draft: DatabaseDraft, view: ReadView, blob?: WalBlob): ChangeOp[] {
  const ops: ChangeOp[] = [];
  for (const entity of draft.dropped.keys()) ops.push({ op: 'drop', entity });
  const created = draft.created.map((entity) => draft.tables.get(entity)!.definition);
  if (created.length > 0) ops.push({ op: 'create', tables: created });
  for (const [entity, table] of draft.tables) {
    const tableView = view.table(entity);
    if (table.rowCount > table.baseRowCount) {
      ops.push(
        insertOp(tableView, table.baseRowCount, table.rowCount - table.baseRowCount, false, blob),
      );
    }
    table.definition.columns.forEach((column, columnIndex) => {
      if (table.changedColumn(columnIndex) === undefined) return;
      const rows = [...table.updatedRows(columnIndex)];
      if (rows.length === 0) return;
      ops.push({
        op: 'update',
        entity,
        column: column.name,
        rows,
        values: encodeColumnRows(tableView.column(columnIndex), rows, blob),
      });
    });
    if (table.deletedBaseRows.length > 0) {
      const rows = [...table.deletedBaseRows].sort((a, b) => a - b);
      ops.push({ op: 'delete', entity, rows });
    }
  }
  return ops;
}

/**
 * An insert op for rows first .. first + count − 1 of a table as `table` reads them. With
 * `purge`, deleted rows are written as NULL (compaction: their values leave the file). With
 * `blob`, bulk columns' bytes go to the record's binary payload.
 */
export function insertOp(
  table: ReturnType<ReadView['table']>,
  first: number,
  count: number,
  purge = false,
  blob?: WalBlob,
): ChangeOp {
  const deleted: number[] = [];
  if (table.activeRowCount < table.rowCount) {
    for (let offset = 0; offset < count; offset++) {
      if (!table.isActive(first + offset)) deleted.push(offset);
    }
  }
  const purged =
    purge && deleted.length > 0
      ? (offset: number): boolean => !table.isActive(first + offset)
      : undefined;
  const columns: Record<string, EncodedColumn> = {};
  table.definition.columns.forEach((column, columnIndex) => {
    columns[column.name] = encodeColumnRange(table.column(columnIndex), first, count, purged, blob);
  });
  return deleted.length > 0
    ? { op: 'insert', entity: table.entity, row: first, count, columns, deleted }
    : { op: 'insert', entity: table.entity, row: first, count, columns };
}

/** A structural problem in an entry; the caller names the file and line. */
export class EntryError extends Error {}

function record(json: unknown, what: string): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new EntryError(`${what} must be an object`);
  }
  return json as Record<string, unknown>;
}

function text(json: Record<string, unknown>, field: string): string {
  const value = json[field];
  if (typeof value !== 'string') throw new EntryError(`${field} must be a string`);
  return value;
}

function rowList(json: Record<string, unknown>, field: string): number[] {
  const value = json[field];
  if (
    !Array.isArray(value) ||
    !value.every((row) => Number.isInteger(row) && (row as number) >= 0)
  ) {
    throw new EntryError(`${field} must be a list of row ids`);
  }
  return value as number[];
}

function count(json: Record<string, unknown>, field: string): number {
  const value = json[field];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new EntryError(`${field} must be a non-negative integer`);
  }
  return value;
}

function columnKind(column: ColumnDefinition): { int: boolean; dictionary: boolean } {
  const scalar = column.type.kind === 'scalar' ? column.type.scalar : undefined;
  return {
    int: scalar === 'Int',
    dictionary: scalar === 'String' || scalar === 'Uuid' || scalar === 'Decimal',
  };
}

function decode(
  json: unknown,
  rows: number,
  column: ColumnDefinition,
  payload: Uint8Array | undefined,
): ReturnType<typeof decodeColumn> {
  try {
    return decodeColumn(json, rows, columnKind(column), payload);
  } catch (error) {
    if (error instanceof CodecError)
      throw new EntryError(`column ${column.name}: ${error.message}`);
    throw error;
  }
}

/** A stand-in value for a purged (deleted) row of a NOT NULL column. */
function placeholder(column: ColumnDefinition): InputValue {
  if (column.type.kind === 'foreignKey') return 0;
  switch (column.type.scalar) {
    case 'Bool':
      return false;
    case 'String':
      return '';
    case 'Uuid':
      return '00000000-0000-0000-0000-000000000000';
    case 'Decimal':
      return '0';
    default:
      return 0;
  }
}

/** Let the NOT NULL check pass on tombstones: the rows are deleted right after. */
function fillTombstones(
  input: ColumnInput,
  deleted: readonly number[],
  column: ColumnDefinition,
): ColumnInput {
  if (!column.notNull || deleted.length === 0) return input;
  if (Array.isArray(input)) {
    const values = [...(input as InputValue[])];
    for (const offset of deleted) if (values[offset] === null) values[offset] = placeholder(column);
    return values;
  }
  const withValidity = input as { validity?: Uint8Array | undefined };
  if (withValidity.validity !== undefined) {
    for (const offset of deleted) setBit(withValidity.validity, offset);
  }
  if ('codes' in input && input.dictionary.length === 0 && withValidity.validity !== undefined) {
    return { ...input, dictionary: [placeholder(column) as string] };
  }
  return input;
}

/**
 * Apply one entry's ops through `transaction` (replay); `payload` is the record's binary
 * payload (format 2), which bulk columns refer to. Structural problems throw EntryError; bad
 * values throw the write path's StoreError.
 */
export function applyOps(transaction: Transaction, opsJson: unknown, payload?: Uint8Array): void {
  if (!Array.isArray(opsJson)) throw new EntryError('ops must be an array');
  for (const opJson of opsJson as unknown[]) {
    const op = record(opJson, 'an op');
    switch (op['op']) {
      case 'drop':
        transaction.dropTable(text(op, 'entity'));
        break;
      case 'create': {
        const tables = op['tables'];
        if (!Array.isArray(tables)) throw new EntryError('tables must be an array');
        transaction.createTables(tables.map((table: unknown) => parseTableDefinition(table)));
        break;
      }
      case 'insert':
        applyInsert(transaction, op, payload);
        break;
      case 'update': {
        const entity = text(op, 'entity');
        const columnName = text(op, 'column');
        const rows = rowList(op, 'rows');
        const table = transaction.view.table(entity);
        const column = table.definition.columns[table.columnIndex(columnName)]!;
        const decoded = decode(op['values'], rows.length, column, payload);
        transaction.updateColumn(entity, columnName, rows, decoded.input);
        applyLabels(transaction, entity, column, decoded.labels, (offset) => rows[offset]!);
        break;
      }
      case 'delete':
        transaction.delete(text(op, 'entity'), rowList(op, 'rows'));
        break;
      default:
        throw new EntryError(`unknown op ${JSON.stringify(op['op'])}`);
    }
  }
}

function applyInsert(
  transaction: Transaction,
  op: Record<string, unknown>,
  payload: Uint8Array | undefined,
): void {
  const entity = text(op, 'entity');
  const first = count(op, 'row');
  const rows = count(op, 'count');
  const table = transaction.view.table(entity);
  if (first !== table.rowCount) {
    throw new EntryError(
      `insert into ${entity} at row ${first}, but the table has ${table.rowCount} rows`,
    );
  }
  const deleted = op['deleted'] === undefined ? [] : rowList(op, 'deleted');
  if (deleted.some((offset) => offset >= rows))
    throw new EntryError('deleted offset past the rows');
  const columnsJson = record(op['columns'], 'columns');
  const inputs: Record<string, ColumnInput> = {};
  const labels: [ColumnDefinition, readonly (readonly [number, string])[]][] = [];
  for (const column of table.definition.columns) {
    const json = columnsJson[column.name];
    if (json === undefined)
      throw new EntryError(`insert into ${entity} misses column ${column.name}`);
    const decoded = decode(json, rows, column, payload);
    inputs[column.name] = fillTombstones(decoded.input, deleted, column);
    if (decoded.labels.length > 0) labels.push([column, decoded.labels]);
  }
  if (Object.keys(columnsJson).length !== table.definition.columns.length) {
    throw new EntryError(`insert into ${entity} has columns the table does not have`);
  }
  const range = transaction.appendColumns(entity, inputs, rows);
  assert(range.first === first);
  for (const [column, columnLabels] of labels) {
    applyLabels(transaction, entity, column, columnLabels, (offset) => first + offset);
  }
  if (deleted.length > 0)
    transaction.delete(
      entity,
      deleted.map((offset) => first + offset),
    );
}

function applyLabels(
  transaction: Transaction,
  entity: string,
  column: ColumnDefinition,
  labels: readonly (readonly [number, string])[],
  rowAt: (offset: number) => number,
): void {
  if (labels.length === 0) return;
  transaction.updateColumn(
    entity,
    column.name,
    labels.map(([offset]) => rowAt(offset)),
    labels.map(([, term]) => labelledNull(term)),
  );
}
