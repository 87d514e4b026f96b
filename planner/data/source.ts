/**
 * What the planner reads: a database of tables, each a set of typed columns addressed by row id.
 * The store's tables are adapted to this interface (planner/store-source.ts); the planner's own
 * `MemoryTable` implements it too, for virtual tables (pg_catalog emulation, query results kept
 * as relations) and for tests.
 *
 * Every table has an `id` column (Int, the row id), one column per attribute and one per
 * foreign key, whose values are row ids of the target table (ARCHITECTURE.md, issue 5).
 */
import type { Scalar, ScalarType } from '../../common/index.js';
import type { Batch } from './vector.js';

export type ColumnRole = 'id' | 'attribute' | 'foreignKey';

export interface ColumnInfo {
  /** As spelled in the schema (CQL names are case-sensitive; SQL matches unquoted names case-insensitively). */
  readonly name: string;
  readonly type: ScalarType;
  readonly role: ColumnRole;
  /** The target table of a foreign key. */
  readonly target: string | undefined;
  readonly notNull: boolean;
}

/** A bound of a range lookup. */
export interface RangeBound {
  readonly value: Scalar;
  readonly inclusive: boolean;
}

/** Row ids, ascending unless said otherwise. */
export type RowIds = Uint32Array;

export interface TableSource {
  readonly name: string;
  /** The columns, `id` first. */
  readonly columns: readonly ColumnInfo[];
  /** Active (not deleted) rows. */
  rowCount(): number;
  /**
   * The active rows' values of the given columns, in row-id order, in batches of at most
   * `batchRowsMax` rows. A batch's `columns[k]` holds `columnIndexes[k]`.
   */
  scan(columnIndexes: readonly number[], batchRowsMax: number): Iterable<Batch>;
  /**
   * The values of the given columns at the given row ids, in that order; a row id that is not
   * an active row gives NULL in every column (so that an FK lookup of a dangling id is a miss).
   */
  fetch(rowIds: RowIds, count: number, columnIndexes: readonly number[]): Batch;
  /** Whether `rowId` is an active row. */
  hasRow(rowId: number): boolean;
  /** Active row ids whose column equals `value`, through an equality (hash) index built on first use. */
  lookupEqual(columnIndex: number, value: Scalar): RowIds;
  /** Active row ids whose column is within the bounds, through a sorted index built on first use; ascending by value. */
  lookupRange(
    columnIndex: number,
    lower: RangeBound | undefined,
    upper: RangeBound | undefined,
  ): RowIds;
  /** Whether lookups on this column are cheap (an index exists or can be built). */
  indexable(columnIndex: number): boolean;
  /** Estimated number of distinct non-null values of a column (statistics; undefined when unknown). */
  distinctEstimate(columnIndex: number): number | undefined;
}

/** A set of tables the SQL and CQL front ends resolve names against. */
export interface RelationSource {
  /** Table names, as spelled. */
  tableNames(): readonly string[];
  /** The table of that exact name, or undefined. Schema-qualified names pass `schema`. */
  table(name: string, schema?: string): TableSource | undefined;
}
