/**
 * The database's indexes and statistics, all lazy: nothing is built until a lookup needs it
 * (after loading or recovery nothing is rebuilt up front). Indexes describe the latest
 * committed version; commits maintain the built ones incrementally (appends are added, updated
 * rows are listed again under their new value) or drop them when a commit appended more rows
 * than the index holds (rebuilding then is cheaper: see bench/RESULTS.md). Lookups re-check
 * every candidate against the view asking (row count, deleted bit, current value), so one index
 * serves the committed view of any LSN since its build and a transaction's view, whose own
 * changed rows are checked directly. A view older than the index's build falls back to a scan.
 */
import type { Scalar } from '../common/index.js';
import { getBit } from './bitmap.js';
import {
  CHUNK_MASK,
  CHUNK_ROWS,
  CHUNK_SHIFT,
  chunkCount,
  rowsInChunk,
  type Chunk,
} from './chunk.js';
import type { DatabaseDraft } from './database-draft.js';
import type { Dictionary } from './dictionary.js';
import { HashPostings } from './hash-postings.js';
import { inBounds, RangeIndex, type RangeBounds } from './range-index.js';
import { computeColumnStatistics } from './statistics.js';
import type { DatabaseVersion, TableSource, TableState } from './table-state.js';
import type { ColumnStatistics, IndexAccess, TableView, ValueRange } from './table-view.js';
import { ValueOrder, type OrderKey } from './value-order.js';
import type { Representation } from './vectors.js';

/** An equality index is rebuilt once this share of its entries is stale. */
const STALE_FRACTION_MAX = 0.5;
/** Statistics are recomputed once this share of the table changed since. */
const STATISTICS_CHANGE_FRACTION = 0.1;
const STATISTICS_CHANGE_MIN = 1000;

interface EqualityIndex {
  readonly postings: HashPostings;
  readonly representation: Representation;
  readonly dictionary: Dictionary | undefined;
  readonly builtLsn: number;
  stale: number;
}

interface CachedStatistics {
  readonly statistics: ColumnStatistics;
  readonly modificationCount: number;
}

export interface IndexReport {
  readonly entity: string;
  readonly column: string;
  readonly kind: 'equality' | 'range';
  readonly bytes: number;
}

function physicalAt(chunks: readonly Chunk[], rowId: number): number | bigint | undefined {
  const chunk = chunks[rowId >>> CHUNK_SHIFT]!;
  const offset = rowId & CHUNK_MASK;
  if (chunk.validity !== undefined && !getBit(chunk.validity, offset)) return undefined;
  return chunk.values[offset]!;
}

function isActiveIn(source: TableSource, rowId: number): boolean {
  const bitmap = source.deletedChunks()[rowId >>> CHUNK_SHIFT];
  return bitmap === undefined || !getBit(bitmap, rowId & CHUNK_MASK);
}

/** Rows a transaction changed in a column: its appended rows and its updated older rows. */
function draftRows(view: TableView, columnIndex: number): number[] {
  const draft = view.draft;
  if (draft === undefined) return [];
  const rows: number[] = [];
  for (let row = draft.baseRowCount; row < draft.rowCount; row++) rows.push(row);
  for (const row of draft.updatedRows(columnIndex)) rows.push(row);
  return rows;
}

function isDraftDirty(view: TableView, columnIndex: number, rowId: number): boolean {
  const column = view.draft?.changedColumn(columnIndex);
  if (column === undefined) return false;
  const bitmap = column.dirty.get(rowId >>> CHUNK_SHIFT);
  return bitmap !== undefined && getBit(bitmap, rowId & CHUNK_MASK);
}

export class IndexManager implements IndexAccess {
  private readonly equality = new Map<string, EqualityIndex>();
  private readonly ranges = new Map<string, RangeIndex>();
  private readonly statisticsCache = new Map<string, CachedStatistics>();

  constructor(private readonly latest: () => DatabaseVersion) {}

  private orderOf(source: TableSource, columnIndex: number): ValueOrder {
    const definition = source.definition.columns[columnIndex]!;
    return ValueOrder.of(
      source.columnRepresentation(columnIndex),
      definition.type.kind === 'scalar' ? definition.type.scalar : undefined,
      source.columnDictionary(columnIndex),
    );
  }

  /** The latest committed state of the view's table, when it is the same table. */
  private latestStateOf(view: TableView): { state: TableState; lsn: number } | undefined {
    const latest = this.latest();
    const state = latest.tables.get(view.entity);
    if (state === undefined || state.tableId !== view.source.tableId) return undefined;
    return { state, lsn: latest.lsn };
  }

  // ── equality ────────────────────────────────────────────────────────────────────────────

  private equalityFor(
    view: TableView,
    columnIndex: number,
    build: boolean,
  ): EqualityIndex | undefined {
    const latest = this.latestStateOf(view);
    if (latest === undefined) return undefined;
    const { state, lsn } = latest;
    const key = `${state.tableId}:${columnIndex}`;
    let index = this.equality.get(key);
    if (
      index !== undefined &&
      (index.representation !== state.columnRepresentation(columnIndex) ||
        index.dictionary !== state.columnDictionary(columnIndex) ||
        index.stale > Math.max(1024, index.postings.entries * STALE_FRACTION_MAX))
    ) {
      this.equality.delete(key);
      index = undefined;
    }
    if (index === undefined) {
      if (!build) return undefined;
      index = this.buildEquality(state, columnIndex, lsn);
      this.equality.set(key, index);
    }
    const source = view.source;
    if (
      view.lsn < index.builtLsn ||
      source.columnRepresentation(columnIndex) !== index.representation ||
      source.columnDictionary(columnIndex) !== index.dictionary
    ) {
      return undefined;
    }
    return index;
  }

  private buildEquality(state: TableState, columnIndex: number, lsn: number): EqualityIndex {
    const representation = state.columnRepresentation(columnIndex);
    const postings = new HashPostings(representation === 'bigint64', state.activeRowCount);
    const chunks = state.columnChunks(columnIndex);
    const deleted = state.deletedChunks();
    for (let chunkIndex = 0; chunkIndex < chunkCount(state.rowCount); chunkIndex++) {
      const chunk = chunks[chunkIndex]!;
      const deletedBits = deleted[chunkIndex];
      const first = chunkIndex * CHUNK_ROWS;
      const rows = rowsInChunk(state.rowCount, chunkIndex);
      for (let offset = 0; offset < rows; offset++) {
        if (deletedBits !== undefined && getBit(deletedBits, offset)) continue;
        if (chunk.validity !== undefined && !getBit(chunk.validity, offset)) continue;
        postings.add(chunk.values[offset]!, first + offset);
      }
    }
    return {
      postings,
      representation,
      dictionary: state.columnDictionary(columnIndex),
      builtLsn: lsn,
      stale: 0,
    };
  }

  hasEqualityIndex(view: TableView, columnIndex: number): boolean {
    return this.equalityFor(view, columnIndex, false) !== undefined;
  }

  lookupEqual(view: TableView, columnIndex: number, value: Scalar): Uint32Array {
    const source = view.source;
    const order = this.orderOf(source, columnIndex);
    const key = order.physicalKeyOf(value, source.columnDictionary(columnIndex));
    if (key === undefined) return new Uint32Array(0);
    const chunks = source.columnChunks(columnIndex);
    const index = this.equalityFor(view, columnIndex, true);
    if (index === undefined) return this.scanEqual(source, chunks, key);
    const rowCount = source.rowCount;
    const postings = index.postings.rows(key);
    const inTransaction = view.draft !== undefined;
    // The common case (a committed view, one posting) allocates nothing but its answer.
    if (!inTransaction && postings.length <= 1) {
      const row = postings[0];
      return row !== undefined &&
        row < rowCount &&
        isActiveIn(source, row) &&
        physicalAt(chunks, row) === key
        ? Uint32Array.of(row)
        : new Uint32Array(0);
    }
    const found: number[] = [];
    for (const row of postings) {
      if (row >= rowCount || !isActiveIn(source, row) || physicalAt(chunks, row) !== key) continue;
      if (inTransaction && isDraftDirty(view, columnIndex, row)) continue;
      found.push(row);
    }
    if (inTransaction) {
      for (const row of draftRows(view, columnIndex)) {
        if (isActiveIn(source, row) && physicalAt(chunks, row) === key) found.push(row);
      }
    }
    return sortedUnique(found);
  }

  private scanEqual(
    source: TableSource,
    chunks: readonly Chunk[],
    key: number | bigint,
  ): Uint32Array {
    const found: number[] = [];
    const deleted = source.deletedChunks();
    for (let chunkIndex = 0; chunkIndex < chunkCount(source.rowCount); chunkIndex++) {
      const chunk = chunks[chunkIndex]!;
      const values = chunk.values;
      const deletedBits = deleted[chunkIndex];
      const first = chunkIndex * CHUNK_ROWS;
      const rows = rowsInChunk(source.rowCount, chunkIndex);
      for (let offset = 0; offset < rows; offset++) {
        if (values[offset] !== key) continue;
        if (chunk.validity !== undefined && !getBit(chunk.validity, offset)) continue;
        if (deletedBits !== undefined && getBit(deletedBits, offset)) continue;
        found.push(first + offset);
      }
    }
    return Uint32Array.from(found);
  }

  // ── range ───────────────────────────────────────────────────────────────────────────────

  private rangeFor(view: TableView, columnIndex: number, build: boolean): RangeIndex | undefined {
    const latest = this.latestStateOf(view);
    if (latest === undefined) return undefined;
    const { state, lsn } = latest;
    const key = `${state.tableId}:${columnIndex}`;
    let index = this.ranges.get(key);
    if (
      index !== undefined &&
      (index.order.representation !== state.columnRepresentation(columnIndex) ||
        index.built.columnDictionary(columnIndex) !== state.columnDictionary(columnIndex) ||
        index.needsRebuild)
    ) {
      this.ranges.delete(key);
      index = undefined;
    }
    if (index === undefined) {
      if (!build) return undefined;
      index = RangeIndex.build(state, columnIndex, this.orderOf(state, columnIndex), lsn);
      this.ranges.set(key, index);
    }
    if (
      view.lsn < index.builtLsn ||
      view.source.columnRepresentation(columnIndex) !== index.order.representation ||
      view.source.columnDictionary(columnIndex) !== index.built.columnDictionary(columnIndex)
    ) {
      return undefined;
    }
    return index;
  }

  hasRangeIndex(view: TableView, columnIndex: number): boolean {
    return this.rangeFor(view, columnIndex, false) !== undefined;
  }

  lookupRange(view: TableView, columnIndex: number, range: ValueRange): Uint32Array {
    const source = view.source;
    const order = this.orderOf(source, columnIndex);
    const lower = range.lower === undefined ? undefined : order.keyOf(range.lower);
    const upper = range.upper === undefined ? undefined : order.keyOf(range.upper);
    if (
      (range.lower !== undefined && lower === undefined) ||
      (range.upper !== undefined && upper === undefined)
    ) {
      return new Uint32Array(0);
    }
    const bounds: RangeBounds = {
      lower,
      lowerInclusive: range.lowerInclusive ?? true,
      upper,
      upperInclusive: range.upperInclusive ?? true,
    };
    const chunks = source.columnChunks(columnIndex);
    const index = this.rangeFor(view, columnIndex, true);
    let result: Uint32Array;
    if (index === undefined) {
      result = this.scanRange(source, chunks, order, bounds);
    } else {
      const [from, to] = index.span(bounds);
      const main: number[] = [];
      const rowCount = source.rowCount;
      for (let position = from; position < to; position++) {
        const row = index.sorted[position]!;
        if (row >= rowCount || index.isExcluded(row) || !isActiveIn(source, row)) continue;
        if (isDraftDirty(view, columnIndex, row)) continue;
        main.push(row);
      }
      const extraRows = new Set<number>();
      for (const row of index.tail)
        if (row < rowCount && !isDraftDirty(view, columnIndex, row)) extraRows.add(row);
      for (const row of draftRows(view, columnIndex)) extraRows.add(row);
      const extras: [OrderKey, number][] = [];
      for (const row of extraRows) {
        if (!isActiveIn(source, row)) continue;
        const key = order.keyAt(chunks, row);
        if (key !== undefined && inBounds(order, key, bounds)) extras.push([key, row]);
      }
      result =
        extras.length === 0 ? Uint32Array.from(main) : mergeByKey(main, extras, order, chunks);
    }
    return range.descending === true ? reverseByKey(result, order, chunks) : result;
  }

  private scanRange(
    source: TableSource,
    chunks: readonly Chunk[],
    order: ValueOrder,
    bounds: RangeBounds,
  ): Uint32Array {
    const found: [OrderKey, number][] = [];
    const deleted = source.deletedChunks();
    for (let row = 0; row < source.rowCount; row++) {
      const bitmap = deleted[row >>> CHUNK_SHIFT];
      if (bitmap !== undefined && getBit(bitmap, row & CHUNK_MASK)) continue;
      const key = order.keyAt(chunks, row);
      if (key !== undefined && inBounds(order, key, bounds)) found.push([key, row]);
    }
    found.sort((a, b) => order.compare(a[0], b[0]) || a[1] - b[1]);
    return Uint32Array.from(found, ([, row]) => row);
  }

  // ── statistics ──────────────────────────────────────────────────────────────────────────

  statistics(view: TableView, columnIndex: number): ColumnStatistics {
    const draft = view.draft;
    if (draft !== undefined && draft.base === undefined) {
      return computeColumnStatistics(draft, columnIndex);
    }
    const state = (draft?.base ?? view.source) as TableState;
    const key = `${state.tableId}:${columnIndex}`;
    const cached = this.statisticsCache.get(key);
    const allowed = Math.max(STATISTICS_CHANGE_MIN, state.rowCount * STATISTICS_CHANGE_FRACTION);
    if (
      cached !== undefined &&
      Math.abs(state.modificationCount - cached.modificationCount) <= allowed
    ) {
      return cached.statistics;
    }
    const statistics = computeColumnStatistics(state, columnIndex);
    this.statisticsCache.set(key, { statistics, modificationCount: state.modificationCount });
    return statistics;
  }

  // ── maintenance ─────────────────────────────────────────────────────────────────────────

  /** Keep built indexes in step with a commit that produced `version` from `draft`. */
  afterCommit(draft: DatabaseDraft, version: DatabaseVersion): void {
    if (this.equality.size === 0 && this.ranges.size === 0) return;
    for (const dropped of draft.dropped.values()) this.forgetTable(dropped.tableId);
    for (const [entity, table] of draft.tables) {
      if (table.isNew) continue;
      const state = version.tables.get(entity)!;
      table.definition.columns.forEach((_, columnIndex) => {
        const key = `${table.tableId}:${columnIndex}`;
        const equality = this.equality.get(key);
        const range = this.ranges.get(key);
        if (equality === undefined && range === undefined) return;
        const appended = table.rowCount - table.baseRowCount;
        const representation = state.columnRepresentation(columnIndex);
        const dictionary = state.columnDictionary(columnIndex);
        const changed =
          (equality !== undefined &&
            (equality.representation !== representation || equality.dictionary !== dictionary)) ||
          (range !== undefined &&
            (range.order.representation !== representation ||
              range.built.columnDictionary(columnIndex) !== dictionary));
        const indexRows = equality?.postings.entries ?? range!.sorted.length;
        if (changed || appended > Math.max(CHUNK_ROWS, indexRows)) {
          this.equality.delete(key);
          this.ranges.delete(key);
          return;
        }
        const chunks = state.columnChunks(columnIndex);
        for (let row = table.baseRowCount; row < table.rowCount; row++) {
          const value = physicalAt(chunks, row);
          if (value === undefined || !isActiveIn(state, row)) continue;
          equality?.postings.add(value, row);
          range?.appended(row);
        }
        for (const row of table.updatedRows(columnIndex)) {
          range?.updated(row);
          if (equality === undefined) continue;
          equality.stale++;
          const value = physicalAt(chunks, row);
          if (value !== undefined) equality.postings.add(value, row);
        }
      });
    }
  }

  /** Forget everything about a table (dropped, or replaced by compaction). */
  forgetTable(tableId: number): void {
    const prefix = `${tableId}:`;
    for (const map of [this.equality, this.ranges, this.statisticsCache]) {
      for (const key of [...map.keys()]) if (key.startsWith(prefix)) map.delete(key);
    }
  }

  forgetAll(): void {
    this.equality.clear();
    this.ranges.clear();
    this.statisticsCache.clear();
  }

  /** Built indexes and their sizes (stats, EXPLAIN, memory reports). */
  report(version: DatabaseVersion): IndexReport[] {
    const names = new Map<number, TableState>();
    for (const state of version.tables.values()) names.set(state.tableId, state);
    const report: IndexReport[] = [];
    const describe = (key: string, kind: 'equality' | 'range', bytes: number): void => {
      const [tableId, columnIndex] = key.split(':').map(Number) as [number, number];
      const state = names.get(tableId);
      if (state === undefined) return;
      report.push({
        entity: state.entity,
        column: state.definition.columns[columnIndex]!.name,
        kind,
        bytes,
      });
    };
    for (const [key, index] of this.equality) describe(key, 'equality', index.postings.bytes);
    for (const [key, index] of this.ranges) describe(key, 'range', index.bytes);
    return report;
  }
}

function sortedUnique(rows: number[]): Uint32Array {
  const sorted = Uint32Array.from(rows).sort();
  let count = 0;
  for (let index = 0; index < sorted.length; index++) {
    if (index === 0 || sorted[index] !== sorted[index - 1]) sorted[count++] = sorted[index]!;
  }
  return sorted.subarray(0, count);
}

function mergeByKey(
  main: readonly number[],
  extras: [OrderKey, number][],
  order: ValueOrder,
  chunks: readonly Chunk[],
): Uint32Array {
  extras.sort((a, b) => order.compare(a[0], b[0]) || a[1] - b[1]);
  const result = new Uint32Array(main.length + extras.length);
  let mainIndex = 0;
  let extraIndex = 0;
  let count = 0;
  while (mainIndex < main.length || extraIndex < extras.length) {
    if (extraIndex >= extras.length) {
      result[count++] = main[mainIndex++]!;
      continue;
    }
    if (mainIndex >= main.length) {
      result[count++] = extras[extraIndex++]![1];
      continue;
    }
    const row = main[mainIndex]!;
    const [extraKey, extraRow] = extras[extraIndex]!;
    const side = order.compare(order.keyAt(chunks, row)!, extraKey) || row - extraRow;
    if (side <= 0) result[count++] = main[mainIndex++]!;
    else {
      result[count++] = extraRow;
      extraIndex++;
    }
  }
  return result;
}

/** Descending value order, ties still ascending by row id. */
function reverseByKey(rows: Uint32Array, order: ValueOrder, chunks: readonly Chunk[]): Uint32Array {
  const result = new Uint32Array(rows.length);
  let end = rows.length;
  let count = 0;
  while (end > 0) {
    let start = end - 1;
    const key = order.keyAt(chunks, rows[start]!)!;
    while (start > 0 && order.compare(order.keyAt(chunks, rows[start - 1]!)!, key) === 0) start--;
    for (let position = start; position < end; position++) result[count++] = rows[position]!;
    end = start;
  }
  return result;
}
