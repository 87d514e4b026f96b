/**
 * Read access to one table as one view sees it (the committed state at the view's LSN, or a
 * transaction's own state). See vectors.ts for the batch layout and read-view.ts for views.
 *
 * Row ids are dense, `0 .. rowCount − 1`; deleted rows keep their ids (soft delete) and are
 * skipped by `scan` consumers through `batch.deleted`, by `activeRowIds`, `row` and lookups.
 */
import { didYouMean, type Scalar, type ScalarType, type Value } from '../common/index.js';
import { bitmapBytes, countBits, getBit } from './bitmap.js';
import { CHUNK_MASK, CHUNK_ROWS, CHUNK_SHIFT, chunkCount, rowsInChunk } from './chunk.js';
import { ColumnView } from './column-view.js';
import { StoreError } from './errors.js';
import type { TableDefinition } from './schema.js';
import type { TableDraft } from './table-draft.js';
import type { TableSource } from './table-state.js';

import type { LabelledNull, RowRecord } from './values.js';
import type { ColumnBatch, ColumnVector } from './vectors.js';

/** Bounds of a range lookup; a missing bound is open. Inclusive bounds by default. */
export interface ValueRange {
  readonly lower?: Scalar | undefined;
  readonly lowerInclusive?: boolean | undefined;
  readonly upper?: Scalar | undefined;
  readonly upperInclusive?: boolean | undefined;
  /** Return rows in descending value order. */
  readonly descending?: boolean | undefined;
}

/** What the optimizer may know about a column without scanning it. */
export interface ColumnStatistics {
  readonly column: string;
  /** NULLs (labelled nulls included) among active rows. */
  readonly nullCount: number;
  /** Estimated distinct non-null values among active rows (HyperLogLog, ~2% error; exact for dictionaries). */
  readonly distinctEstimate: number;
  /** Smallest and largest non-null value among active rows; null when there is none. */
  readonly min: Scalar | null;
  readonly max: Scalar | null;
  /** Statistics are recomputed after ~10% of the table changed: this is the row count they saw. */
  readonly computedAtRowCount: number;
}

export interface TableStatistics {
  readonly entity: string;
  readonly rowCount: number;
  readonly activeRowCount: number;
  readonly columns: readonly ColumnStatistics[];
}

/** Index lookups and statistics, answered by the database's index manager. */
export interface IndexAccess {
  lookupEqual(view: TableView, columnIndex: number, value: Scalar): Uint32Array;
  lookupRange(view: TableView, columnIndex: number, range: ValueRange): Uint32Array;
  statistics(view: TableView, columnIndex: number): ColumnStatistics;
  /** True when the equality index of the column is built (EXPLAIN can say so). */
  hasEqualityIndex(view: TableView, columnIndex: number): boolean;
  hasRangeIndex(view: TableView, columnIndex: number): boolean;
}

export interface ScanOptions {
  /** First batch to read (default 0). */
  readonly fromBatch?: number;
  /** One past the last batch to read (default: every batch). */
  readonly toBatch?: number;
}

export class TableView {
  private readonly columnViews: (ColumnView | undefined)[];

  constructor(
    readonly source: TableSource,
    /** Commit sequence number of the committed state the view reads (its base, in a transaction). */
    readonly lsn: number,
    /** The transaction's draft of this table, when the view belongs to a transaction that wrote it. */
    readonly draft: TableDraft | undefined,
    private readonly indexes: IndexAccess,
  ) {
    this.columnViews = new Array<ColumnView | undefined>(source.definition.columns.length);
  }

  get entity(): string {
    return this.source.definition.entity;
  }

  get definition(): TableDefinition {
    return this.source.definition;
  }

  /** Row ids 0 .. rowCount − 1 exist; deleted rows included. */
  get rowCount(): number {
    return this.source.rowCount;
  }

  get activeRowCount(): number {
    return this.source.activeRowCount;
  }

  /** Number of batches of `limits.batchRowsMax` rows (the last may be shorter). */
  get batchCount(): number {
    return chunkCount(this.source.rowCount);
  }

  get columnNames(): readonly string[] {
    return this.source.definition.columns.map((column) => column.name);
  }

  columnIndex(name: string): number {
    const columnIndex = this.source.columnIndexByName.get(name);
    if (columnIndex === undefined) {
      throw new StoreError('E_STORE_UNKNOWN_COLUMN', `${this.entity} has no column ${name}`, {
        hint: didYouMean(name, this.columnNames),
      });
    }
    return columnIndex;
  }

  hasColumn(name: string): boolean {
    return this.source.columnIndexByName.has(name);
  }

  column(nameOrIndex: string | number): ColumnView {
    const columnIndex =
      typeof nameOrIndex === 'number' ? nameOrIndex : this.columnIndex(nameOrIndex);
    let view = this.columnViews[columnIndex];
    if (view === undefined) {
      if (columnIndex < 0 || columnIndex >= this.columnViews.length) {
        throw new StoreError(
          'E_STORE_UNKNOWN_COLUMN',
          `${this.entity} has no column #${columnIndex}`,
        );
      }
      view = new ColumnView(this.source, columnIndex);
      this.columnViews[columnIndex] = view;
    }
    return view;
  }

  /** True when the row exists and is not deleted. */
  isActive(rowId: number): boolean {
    if (!Number.isInteger(rowId) || rowId < 0 || rowId >= this.source.rowCount) return false;
    const bitmap = this.source.deletedChunks()[rowId >>> CHUNK_SHIFT];
    return bitmap === undefined || !getBit(bitmap, rowId & CHUNK_MASK);
  }

  /** The deleted bitmap of batch `batchIndex` (bit = 1: deleted), or undefined when none is. */
  deletedBitmap(batchIndex: number): Uint8Array | undefined {
    const bitmap = this.source.deletedChunks()[batchIndex];
    if (bitmap === undefined) return undefined;
    return bitmap.subarray(0, bitmapBytes(rowsInChunk(this.source.rowCount, batchIndex)));
  }

  /** One batch of the given columns (by name or index). */
  batch(batchIndex: number, columns: readonly (string | number)[]): ColumnBatch {
    const rowCount = rowsInChunk(this.source.rowCount, batchIndex);
    const vectors: ColumnVector[] = columns.map((column) => this.column(column).vector(batchIndex));
    const deleted = this.deletedBitmap(batchIndex);
    const deletedCount = deleted === undefined ? 0 : countBits(deleted, rowCount);
    return {
      startRow: batchIndex * CHUNK_ROWS,
      rowCount,
      columns: vectors,
      deleted: deletedCount === 0 ? undefined : deleted,
      activeRowCount: rowCount - deletedCount,
    };
  }

  /** Batches of the given columns, in row-id order. Batches with no active row are skipped. */
  *scan(columns: readonly (string | number)[], options: ScanOptions = {}): Generator<ColumnBatch> {
    const columnIndexes = columns.map((column) =>
      typeof column === 'number' ? column : this.columnIndex(column),
    );
    const last = Math.min(options.toBatch ?? this.batchCount, this.batchCount);
    for (let batchIndex = options.fromBatch ?? 0; batchIndex < last; batchIndex++) {
      const batch = this.batch(batchIndex, columnIndexes);
      if (batch.activeRowCount > 0) yield batch;
    }
  }

  /** Row ids of every active row, ascending. */
  activeRowIds(): Uint32Array {
    const result = new Uint32Array(this.source.activeRowCount);
    const deletedChunks = this.source.deletedChunks();
    let count = 0;
    for (let batchIndex = 0; batchIndex < this.batchCount; batchIndex++) {
      const first = batchIndex * CHUNK_ROWS;
      const rows = rowsInChunk(this.source.rowCount, batchIndex);
      const deleted = deletedChunks[batchIndex];
      for (let offset = 0; offset < rows; offset++) {
        if (deleted === undefined || !getBit(deleted, offset)) result[count++] = first + offset;
      }
    }
    return count === result.length ? result : result.subarray(0, count);
  }

  /**
   * The active row `rowId` as an object (column name → value), or undefined when it does not
   * exist or is deleted. With `labels: true` a labelled null comes back as the LabelledNull.
   */
  row(rowId: number, options: { readonly labels?: boolean } = {}): RowRecord | undefined {
    if (!this.isActive(rowId)) return undefined;
    const record: Record<string, Value | LabelledNull> = {};
    for (let columnIndex = 0; columnIndex < this.columnViews.length; columnIndex++) {
      const column = this.column(columnIndex);
      record[column.name] =
        options.labels === true ? column.valueOrLabel(rowId) : column.valueUnchecked(rowId);
    }
    return record;
  }

  /** Every active row, ascending by row id. */
  *rows(options: { readonly labels?: boolean } = {}): Generator<{ id: number; values: RowRecord }> {
    for (const rowId of this.activeRowIds()) {
      yield { id: rowId, values: this.row(rowId, options)! };
    }
  }

  /**
   * Active rows whose column equals `value`, ascending by row id, through the column's hash
   * index (built on first use, then kept up to date by commits). NULL never equals anything.
   */
  lookupEqual(column: string | number, value: Scalar): Uint32Array {
    const columnIndex = typeof column === 'number' ? column : this.columnIndex(column);
    return this.indexes.lookupEqual(this, columnIndex, value);
  }

  /**
   * Active rows whose column is within `range`, in value order (ties by row id), through the
   * column's sorted index (built on first use). NULLs are never in a range.
   */
  lookupRange(column: string | number, range: ValueRange): Uint32Array {
    const columnIndex = typeof column === 'number' ? column : this.columnIndex(column);
    return this.indexes.lookupRange(this, columnIndex, range);
  }

  hasEqualityIndex(column: string | number): boolean {
    const columnIndex = typeof column === 'number' ? column : this.columnIndex(column);
    return this.indexes.hasEqualityIndex(this, columnIndex);
  }

  hasRangeIndex(column: string | number): boolean {
    const columnIndex = typeof column === 'number' ? column : this.columnIndex(column);
    return this.indexes.hasRangeIndex(this, columnIndex);
  }

  columnStatistics(column: string | number): ColumnStatistics {
    const columnIndex = typeof column === 'number' ? column : this.columnIndex(column);
    return this.indexes.statistics(this, columnIndex);
  }

  statistics(): TableStatistics {
    return {
      entity: this.entity,
      rowCount: this.rowCount,
      activeRowCount: this.activeRowCount,
      columns: this.source.definition.columns.map((_, columnIndex) =>
        this.columnStatistics(columnIndex),
      ),
    };
  }

  /** The scalar type of a column, undefined for a foreign key. */
  scalarTypeOf(column: string | number): ScalarType | undefined {
    return this.column(column).scalarType;
  }
}
