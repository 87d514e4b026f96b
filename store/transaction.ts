/**
 * A transaction: the write API. Begin is O(1) — a transaction holds its base version and a
 * draft that copies chunk references of a table on its first write to it, and chunks on their
 * first change. Its writes are visible to its own `view` only; `commit` checks foreign keys,
 * appends one WAL entry (all or nothing after a crash), waits for the fsync, and then makes the
 * new version visible to every reader. One transaction writes a database at a time: `begin`
 * waits for the writer lock (see Database.begin).
 *
 * Write methods are synchronous (they only change the draft) and check everything they can
 * immediately — types, NOT NULL, row ids — with typed errors naming entity, row and attribute;
 * a failed call leaves the transaction as it was before the call. Foreign keys are checked at
 * commit (foreign-keys.ts).
 */
import { StoreError } from './errors.js';
import { appendColumn, columnInputLength, inputValueAt } from './bulk-append.js';
import type { DatabaseDraft } from './database-draft.js';
import { referencesTo, rowBitmap, rowsReferring } from './foreign-keys.js';
import { ReadView } from './read-view.js';
import { parseTableDefinition, type TableDefinition } from './schema.js';
import type { TableDraft } from './table-draft.js';
import type { IndexAccess, TableView } from './table-view.js';
import { checkValue, type CheckedValue } from './value-check.js';
import type { ColumnInput, RowInput } from './values.js';
import { didYouMean } from '../common/index.js';

export interface CommitResult {
  /** The commit's log sequence number; 0 when the transaction changed nothing. */
  readonly lsn: number;
}

/** Rows appended by one call: ids first .. first + count − 1. */
export interface RowRange {
  readonly first: number;
  readonly count: number;
}

export interface DeleteOptions {
  /** Also delete (recursively) every active row whose foreign key points at a deleted row. */
  readonly cascade?: boolean | undefined;
}

/** What the database does with a finished transaction. */
export interface TransactionOwner {
  commitTransaction(transaction: Transaction): Promise<CommitResult>;
  rollbackTransaction(transaction: Transaction): void;
}

type TransactionState = 'active' | 'committing' | 'committed' | 'rolled back';

export class Transaction {
  private state: TransactionState = 'active';
  private readonly readView: ReadView;

  constructor(
    private readonly owner: TransactionOwner,
    readonly draft: DatabaseDraft,
    indexes: IndexAccess,
  ) {
    this.readView = new ReadView(draft.base, draft, indexes);
  }

  /** The database as this transaction sees it: its base plus its own writes. */
  get view(): ReadView {
    this.checkActive();
    return this.readView;
  }

  get isActive(): boolean {
    return this.state === 'active';
  }

  private checkActive(): void {
    if (this.state !== 'active') {
      throw new StoreError('E_STORE_TRANSACTION', `the transaction is ${this.state}`);
    }
  }

  // ── schema ──────────────────────────────────────────────────────────────────────────────

  /** Create tables; foreign keys may point at tables created in the same call (or earlier). */
  createTables(definitions: readonly TableDefinition[]): void {
    this.checkActive();
    const parsed = definitions.map((definition) => parseTableDefinition(definition));
    const names = new Set<string>();
    for (const definition of parsed) {
      if (names.has(definition.entity) || this.draft.source(definition.entity) !== undefined) {
        throw new StoreError(
          'E_STORE_DUPLICATE',
          `a table for entity ${definition.entity} exists already`,
        );
      }
      names.add(definition.entity);
    }
    for (const definition of parsed) {
      for (const column of definition.columns) {
        if (column.type.kind !== 'foreignKey') continue;
        const target = column.type.target;
        if (!names.has(target) && this.draft.source(target) === undefined) {
          throw new StoreError(
            'E_STORE_SCHEMA',
            `${definition.entity}.${column.name} refers to entity ${target}, which has no table`,
            { hint: didYouMean(target, [...names, ...this.draft.entities()]) },
          );
        }
      }
    }
    for (const definition of parsed) this.draft.createTable(definition);
  }

  createTable(definition: TableDefinition): void {
    this.createTables([definition]);
  }

  /** Drop a table; refused while another remaining table has a foreign key to it. */
  dropTable(entity: string): void {
    this.checkActive();
    if (this.draft.source(entity) === undefined) throw this.draft.unknownEntity(entity);
    for (const other of this.draft.entities()) {
      if (other === entity) continue;
      const source = this.draft.source(other)!;
      const column = source.definition.columns.find(
        (candidate) => candidate.type.kind === 'foreignKey' && candidate.type.target === entity,
      );
      if (column !== undefined) {
        throw new StoreError(
          'E_STORE_FOREIGN_KEY',
          `cannot drop ${entity}: ${other}.${column.name} refers to it`,
          { hint: `drop ${other} first` },
        );
      }
    }
    this.draft.dropTable(entity);
  }

  // ── rows ────────────────────────────────────────────────────────────────────────────────

  private checkRow(table: TableDraft, row: RowInput, rowId: number): CheckedValue[] {
    const columns = table.definition.columns;
    let known = 0;
    for (const column of columns) if (Object.hasOwn(row, column.name)) known++;
    if (known !== Object.keys(row).length) {
      const unknown = Object.keys(row).find((name) => !table.columnIndexByName.has(name))!;
      throw new StoreError('E_STORE_UNKNOWN_COLUMN', `${table.entity} has no column ${unknown}`, {
        hint: didYouMean(
          unknown,
          columns.map((column) => column.name),
        ),
        details: { entity: table.entity, row: rowId, attribute: unknown },
      });
    }
    return columns.map((column) =>
      checkValue(column, row[column.name], {
        entity: table.entity,
        row: rowId,
        attribute: column.name,
      }),
    );
  }

  /** Insert one row; missing columns are NULL. Returns its row id. */
  insert(entity: string, row: RowInput): number {
    this.checkActive();
    const table = this.draft.tableForWrite(entity);
    const values = this.checkRow(table, row, table.rowCount);
    return table.appendRow(values);
  }

  /** Insert rows (all or none). */
  insertRows(entity: string, rows: readonly RowInput[]): RowRange {
    this.checkActive();
    const table = this.draft.tableForWrite(entity);
    const first = table.rowCount;
    const active = table.activeRowCount;
    try {
      for (let index = 0; index < rows.length; index++) {
        table.appendRow(this.checkRow(table, rows[index]!, first + index));
      }
    } catch (error) {
      table.truncateTo(first, active);
      throw error;
    }
    return { first, count: rows.length };
  }

  /**
   * Append whole columns (the fast bulk path, all or none): column name → values, typed arrays
   * or dictionary codes (see ColumnInput). Missing columns are NULL. Every given column must
   * hold `rowCount` rows (default: the length of the first given column).
   */
  appendColumns(
    entity: string,
    columns: Readonly<Record<string, ColumnInput>>,
    rowCount?: number,
  ): RowRange {
    this.checkActive();
    const table = this.draft.tableForWrite(entity);
    const names = Object.keys(columns);
    for (const name of names) {
      if (!table.columnIndexByName.has(name)) {
        throw new StoreError('E_STORE_UNKNOWN_COLUMN', `${entity} has no column ${name}`, {
          hint: didYouMean(
            name,
            table.definition.columns.map((column) => column.name),
          ),
        });
      }
    }
    const firstName = names[0];
    const count =
      rowCount ?? (firstName === undefined ? 0 : columnInputLength(columns[firstName]!));
    for (const name of names) {
      if (columnInputLength(columns[name]!) < count) {
        throw new StoreError(
          'E_STORE_TYPE',
          `column ${entity}.${name} holds fewer than ${count} rows`,
        );
      }
    }
    const active = table.activeRowCount;
    const first = table.reserveRows(count);
    try {
      table.definition.columns.forEach((column, columnIndex) => {
        appendColumn(table, columnIndex, first, count, columns[column.name]);
      });
    } catch (error) {
      table.truncateTo(first, active);
      throw error;
    }
    return { first, count };
  }

  private activeRowsOf(
    table: TableDraft,
    rowIds: number | readonly number[] | Uint32Array,
  ): number[] {
    const list = typeof rowIds === 'number' ? [rowIds] : Array.from(rowIds);
    for (const rowId of list) {
      if (
        !Number.isInteger(rowId) ||
        rowId < 0 ||
        rowId >= table.rowCount ||
        table.isDeleted(rowId)
      ) {
        throw new StoreError('E_STORE_ROW', `${table.entity} has no active row ${rowId}`, {
          details: { entity: table.entity, row: rowId },
        });
      }
    }
    return list;
  }

  /** Set columns of existing active rows (all or none). Returns the number of rows updated. */
  update(
    entity: string,
    rowIds: number | readonly number[] | Uint32Array,
    changes: RowInput,
  ): number {
    this.checkActive();
    const table = this.draft.tableForWrite(entity);
    const rows = this.activeRowsOf(table, rowIds);
    const updates: [number, CheckedValue][] = [];
    for (const name of Object.keys(changes)) {
      const columnIndex = table.columnIndexByName.get(name);
      if (columnIndex === undefined) {
        throw new StoreError('E_STORE_UNKNOWN_COLUMN', `${entity} has no column ${name}`, {
          hint: didYouMean(
            name,
            table.definition.columns.map((column) => column.name),
          ),
        });
      }
      const column = table.definition.columns[columnIndex]!;
      updates.push([
        columnIndex,
        checkValue(column, changes[name], { entity, row: rows[0] ?? -1, attribute: name }),
      ]);
    }
    for (const rowId of rows) {
      for (const [columnIndex, value] of updates) table.writeValue(columnIndex, rowId, value);
    }
    return rows.length;
  }

  /**
   * Set one column of existing active rows to one value per row (`values[i]` for `rowIds[i]`):
   * an UPDATE whose new values the planner computed. All or none.
   */
  updateColumn(
    entity: string,
    column: string,
    rowIds: readonly number[] | Uint32Array,
    values: ColumnInput,
  ): number {
    this.checkActive();
    const table = this.draft.tableForWrite(entity);
    const rows = this.activeRowsOf(table, rowIds);
    const columnIndex = table.columnIndexByName.get(column);
    if (columnIndex === undefined) {
      throw new StoreError('E_STORE_UNKNOWN_COLUMN', `${entity} has no column ${column}`, {
        hint: didYouMean(
          column,
          table.definition.columns.map((candidate) => candidate.name),
        ),
      });
    }
    if (columnInputLength(values) < rows.length) {
      throw new StoreError(
        'E_STORE_TYPE',
        `${rows.length} rows but fewer values for ${entity}.${column}`,
      );
    }
    const definition = table.definition.columns[columnIndex]!;
    const checked = rows.map((rowId, index) =>
      checkValue(definition, inputValueAt(values, index, definition), {
        entity,
        row: rowId,
        attribute: column,
      }),
    );
    rows.forEach((rowId, index) => table.writeValue(columnIndex, rowId, checked[index]!));
    return rows.length;
  }

  /** Soft-delete active rows. With `cascade`, rows referring to them go too. Returns the count. */
  delete(
    entity: string,
    rowIds: number | readonly number[] | Uint32Array,
    options: DeleteOptions = {},
  ): number {
    this.checkActive();
    const table = this.draft.tableForWrite(entity);
    let rows = this.activeRowsOf(table, rowIds);
    // Row ids in ascending order (as scans give them) hold no duplicate: no set needed.
    for (let index = 1; index < rows.length; index++) {
      if (rows[index]! <= rows[index - 1]!) {
        rows = [...new Set(rows)];
        break;
      }
    }
    if (options.cascade !== true) {
      for (const rowId of rows) table.markDeleted(rowId);
      return rows.length;
    }
    return this.deleteCascading(entity, rows);
  }

  private deleteCascading(entity: string, rows: number[]): number {
    let deleted = 0;
    const pending: [string, number[]][] = [[entity, rows]];
    while (pending.length > 0) {
      const [name, candidates] = pending.pop()!;
      const table = this.draft.tableForWrite(name);
      const fresh = candidates.filter((rowId) => !table.isDeleted(rowId));
      if (fresh.length === 0) continue;
      for (const rowId of fresh) table.markDeleted(rowId);
      deleted += fresh.length;
      const targets = rowBitmap(table.rowCount, fresh);
      for (const reference of referencesTo(this.readView, name)) {
        const referring = rowsReferring(reference, targets, fresh);
        if (referring.length > 0) pending.push([reference.table.entity, referring]);
      }
    }
    return deleted;
  }

  /** Soft-delete the active rows for which `predicate` holds. Returns the count. */
  deleteWhere(
    entity: string,
    predicate: (rowId: number, table: TableView) => boolean,
    options: DeleteOptions = {},
  ): number {
    this.checkActive();
    const view = this.readView.table(entity);
    const rows: number[] = [];
    for (const rowId of view.activeRowIds()) if (predicate(rowId, view)) rows.push(rowId);
    return rows.length === 0 ? 0 : this.delete(entity, rows, options);
  }

  // ── end ─────────────────────────────────────────────────────────────────────────────────

  /** Check foreign keys, write the WAL entry, wait for it to be durable, publish. */
  async commit(): Promise<CommitResult> {
    this.checkActive();
    this.state = 'committing';
    try {
      const result = await this.owner.commitTransaction(this);
      this.state = 'committed';
      return result;
    } catch (error) {
      if (this.state === 'committing') this.state = 'rolled back';
      throw error;
    }
  }

  /** Discard every write of the transaction. Rolling back twice is harmless. */
  rollback(): void {
    if (this.state !== 'active') return;
    this.state = 'rolled back';
    this.owner.rollbackTransaction(this);
  }
}
