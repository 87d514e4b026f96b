/**
 * A read view: the database as one reader sees it. `Database.view()` pins the latest durable
 * committed version — a query reading it sees one consistent state however long it runs and
 * whatever commits meanwhile. `Transaction.view` reads the transaction's own state: its base
 * version plus its uncommitted writes (which no other view ever sees).
 */
import { StoreError } from './errors.js';
import type { DatabaseDraft } from './database-draft.js';
import type { TableDefinition } from './schema.js';
import { TableDraft } from './table-draft.js';
import type { DatabaseVersion } from './table-state.js';
import { TableView, type IndexAccess } from './table-view.js';
import { didYouMean } from '../common/index.js';

export class ReadView {
  private readonly tableViews = new Map<string, TableView>();

  constructor(
    private readonly version: DatabaseVersion,
    private readonly draft: DatabaseDraft | undefined,
    private readonly indexes: IndexAccess,
  ) {}

  /** The commit sequence number of the committed state read (a transaction's: its base). */
  get lsn(): number {
    return this.version.lsn;
  }

  /** True for a transaction's view (uncommitted writes included). */
  get inTransaction(): boolean {
    return this.draft !== undefined;
  }

  /** Entities with a table, in creation order. */
  entities(): string[] {
    return this.draft !== undefined ? this.draft.entities() : [...this.version.tables.keys()];
  }

  hasTable(entity: string): boolean {
    return this.draft !== undefined
      ? this.draft.source(entity) !== undefined
      : this.version.tables.has(entity);
  }

  definitions(): TableDefinition[] {
    return this.entities().map((entity) => this.table(entity).definition);
  }

  /** The table of `entity`; a typed error (with a suggestion) when there is none. */
  table(entity: string): TableView {
    if (this.draft === undefined) {
      let view = this.tableViews.get(entity);
      if (view === undefined) {
        const state = this.version.tables.get(entity);
        if (state === undefined) throw this.unknown(entity);
        view = new TableView(state, this.version.lsn, undefined, this.indexes);
        this.tableViews.set(entity, view);
      }
      return view;
    }
    // A transaction's tables change as it writes: build the view on every call (cheap).
    const source = this.draft.source(entity);
    if (source === undefined) throw this.unknown(entity);
    return new TableView(
      source,
      this.version.lsn,
      source instanceof TableDraft ? source : undefined,
      this.indexes,
    );
  }

  private unknown(entity: string): StoreError {
    return new StoreError('E_STORE_UNKNOWN_ENTITY', `no table for entity ${entity}`, {
      hint: didYouMean(entity, this.entities()),
    });
  }
}
