/**
 * Immutable versions of columns and tables. A committed database version is a map of
 * `TableState`s; a commit makes new states for the tables it touched and shares the rest, and
 * a new state shares every chunk it did not change. A state's content may be lazy (a column of
 * a snapshot is read and verified on first use), but once loaded it never changes.
 */
import type { ScalarType } from '../common/index.js';
import type { Chunk } from './chunk.js';
import type { Dictionary } from './dictionary.js';
import type { ColumnDefinition, TableDefinition } from './schema.js';
import type { Representation } from './vectors.js';

export interface ColumnContent {
  readonly chunks: readonly Chunk[];
  /** Present exactly when the representation is `dictionary`. */
  readonly dictionary: Dictionary | undefined;
}

/** A value computed once on first use; `load` runs at most once (unless it throws). */
export class Lazy<T> {
  private value: T | undefined;
  private loader: (() => T) | undefined;

  constructor(valueOrLoader: T | (() => T), isLoader: boolean) {
    if (isLoader) this.loader = valueOrLoader as () => T;
    else this.value = valueOrLoader as T;
  }

  get loaded(): boolean {
    return this.loader === undefined;
  }

  get(): T {
    const loader = this.loader;
    if (loader !== undefined) {
      this.value = loader();
      this.loader = undefined;
    }
    return this.value as T;
  }
}

export class ColumnState {
  constructor(
    readonly definition: ColumnDefinition,
    readonly representation: Representation,
    private readonly content: Lazy<ColumnContent>,
  ) {}

  static loaded(
    definition: ColumnDefinition,
    representation: Representation,
    content: ColumnContent,
  ): ColumnState {
    return new ColumnState(definition, representation, new Lazy(content, false));
  }

  get scalarType(): ScalarType | undefined {
    return this.definition.type.kind === 'scalar' ? this.definition.type.scalar : undefined;
  }

  get isLoaded(): boolean {
    return this.content.loaded;
  }

  chunks(): readonly Chunk[] {
    return this.content.get().chunks;
  }

  dictionary(): Dictionary | undefined {
    return this.content.get().dictionary;
  }
}

/** What a read view reads: a committed `TableState`, or a transaction's `TableDraft`. */
export interface TableSource {
  readonly tableId: number;
  readonly definition: TableDefinition;
  readonly columnIndexByName: ReadonlyMap<string, number>;
  readonly rowCount: number;
  readonly activeRowCount: number;
  columnChunks(columnIndex: number): readonly Chunk[];
  columnRepresentation(columnIndex: number): Representation;
  columnDictionary(columnIndex: number): Dictionary | undefined;
  deletedChunks(): readonly (Uint8Array | undefined)[];
}

export class TableState implements TableSource {
  constructor(
    /** In-memory identity of the table across its versions (a dropped and re-created table gets a new one). */
    readonly tableId: number,
    readonly definition: TableDefinition,
    readonly columnIndexByName: ReadonlyMap<string, number>,
    /** Row ids 0 .. rowCount − 1 exist (deleted ones included). */
    readonly rowCount: number,
    readonly activeRowCount: number,
    readonly columns: readonly ColumnState[],
    /** One bitmap per chunk (bit = 1: deleted), undefined for a chunk without deleted rows. */
    private readonly deletedContent: Lazy<readonly (Uint8Array | undefined)[]>,
    /** Rows inserted, updated or deleted since the table was created: drives statistics refresh. */
    readonly modificationCount: number,
  ) {}

  get entity(): string {
    return this.definition.entity;
  }

  deletedChunks(): readonly (Uint8Array | undefined)[] {
    return this.deletedContent.get();
  }

  columnChunks(columnIndex: number): readonly Chunk[] {
    return this.columns[columnIndex]!.chunks();
  }

  columnRepresentation(columnIndex: number): Representation {
    return this.columns[columnIndex]!.representation;
  }

  columnDictionary(columnIndex: number): Dictionary | undefined {
    return this.columns[columnIndex]!.dictionary();
  }

  get isFullyLoaded(): boolean {
    return this.deletedContent.loaded && this.columns.every((column) => column.isLoaded);
  }
}

export function columnIndexMap(definition: TableDefinition): ReadonlyMap<string, number> {
  return new Map(definition.columns.map((column, columnIndex) => [column.name, columnIndex]));
}

/** An immutable state of a whole database: the tables and the commit sequence number. */
export class DatabaseVersion {
  constructor(
    /** Log sequence number of the last commit this version includes (0: none). */
    readonly lsn: number,
    readonly tables: ReadonlyMap<string, TableState>,
  ) {}
}
