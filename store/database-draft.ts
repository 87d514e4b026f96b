/**
 * A transaction's private view of the whole database: the committed version it began on, plus
 * drafts of the tables it wrote, created or dropped. Creating a draft costs nothing until a
 * table is written (begin is O(1)).
 */
import { StoreError } from './errors.js';
import type { TableDefinition } from './schema.js';
import { TableDraft } from './table-draft.js';
import type { DatabaseVersion, TableSource, TableState } from './table-state.js';
import { didYouMean } from '../common/index.js';

export class DatabaseDraft {
  /** Tables written or created by the transaction. */
  readonly tables = new Map<string, TableDraft>();
  /** Committed tables the transaction dropped (a re-created one also appears in `tables`). */
  readonly dropped = new Map<string, TableState>();
  /** Entities created by the transaction, in order. */
  readonly created: string[] = [];

  constructor(
    readonly base: DatabaseVersion,
    private readonly allocateTableId: () => number,
  ) {}

  get hasChanges(): boolean {
    if (this.dropped.size > 0 || this.created.length > 0) return true;
    for (const draft of this.tables.values()) if (draft.hasChanges) return true;
    return false;
  }

  source(entity: string): TableSource | undefined {
    const draft = this.tables.get(entity);
    if (draft !== undefined) return draft;
    if (this.dropped.has(entity)) return undefined;
    return this.base.tables.get(entity);
  }

  entities(): string[] {
    const names: string[] = [];
    for (const entity of this.base.tables.keys()) {
      if (!this.dropped.has(entity)) names.push(entity);
    }
    for (const entity of this.created) if (!names.includes(entity)) names.push(entity);
    return names;
  }

  unknownEntity(entity: string): StoreError {
    return new StoreError('E_STORE_UNKNOWN_ENTITY', `no table for entity ${entity}`, {
      hint: didYouMean(entity, this.entities()),
    });
  }

  /** The draft of a table, made on its first write. */
  tableForWrite(entity: string): TableDraft {
    let draft = this.tables.get(entity);
    if (draft !== undefined) return draft;
    const base = this.dropped.has(entity) ? undefined : this.base.tables.get(entity);
    if (base === undefined) throw this.unknownEntity(entity);
    draft = new TableDraft(base.tableId, base.definition, base);
    this.tables.set(entity, draft);
    return draft;
  }

  createTable(definition: TableDefinition): TableDraft {
    if (this.source(definition.entity) !== undefined) {
      throw new StoreError(
        'E_STORE_DUPLICATE',
        `a table for entity ${definition.entity} exists already`,
      );
    }
    const draft = new TableDraft(this.allocateTableId(), definition, undefined);
    this.tables.set(definition.entity, draft);
    this.created.push(definition.entity);
    return draft;
  }

  dropTable(entity: string): void {
    const source = this.source(entity);
    if (source === undefined) throw this.unknownEntity(entity);
    this.tables.delete(entity);
    const createdAt = this.created.indexOf(entity);
    if (createdAt >= 0) {
      this.created.splice(createdAt, 1);
    } else {
      const base = this.base.tables.get(entity);
      if (base !== undefined) this.dropped.set(entity, base);
    }
  }
}
