/**
 * A transaction's private, writable version of one table. It starts as a copy of the committed
 * state's chunk lists (references only: O(chunks), not O(rows)) and copies a chunk the first
 * time it changes a row below `baseRowCount` in it. Rows at or past `baseRowCount` are invisible
 * to every published version, so appends write into the shared tail chunk in place — this is
 * what makes single-row inserts cheap. Only one draft exists per database at a time (one writer).
 *
 * The draft remembers what changed, for the WAL entry and for index maintenance at commit:
 * appended rows are `baseRowCount .. rowCount − 1`; updated older rows are bits in `dirty`
 * bitmaps per column and chunk; deleted older rows are listed in `deletedBaseRows`.
 */
import { assert, limits, LimitError } from '../common/index.js';
import { bitmapBytes, clearBit, fullBitmap, getBit, setBit } from './bitmap.js';
import {
  Chunk,
  CHUNK_MASK,
  CHUNK_ROWS,
  CHUNK_SHIFT,
  chunkCapacityFor,
  chunkCount,
  newChunk,
} from './chunk.js';
import { Dictionary } from './dictionary.js';
import type { CheckedValue } from './value-check.js';
import { ColumnState, columnIndexMap, Lazy, TableState, type TableSource } from './table-state.js';
import type { TableDefinition } from './schema.js';
import { initialRepresentation, type Representation } from './vectors.js';

const DELETED_BITMAP_BYTES = bitmapBytes(CHUNK_ROWS);

export class ColumnDraft {
  representation: Representation;
  readonly dictionary: Dictionary | undefined;
  readonly chunks: Chunk[];
  /** owned[k]: chunk k is this draft's private copy (or new), writable anywhere. */
  readonly owned: boolean[];
  /** Chunk index → bitmap of rows below baseRowCount whose value this draft changed. */
  readonly dirty = new Map<number, Uint8Array>();

  constructor(
    representation: Representation,
    dictionary: Dictionary | undefined,
    chunks: readonly Chunk[],
  ) {
    this.representation = representation;
    this.dictionary = dictionary;
    this.chunks = [...chunks];
    this.owned = new Array<boolean>(chunks.length).fill(false);
  }

  /** Int columns switch from Float64Array to BigInt64Array when a value leaves ±(2^53−1). */
  upgradeToBigInt(): void {
    assert(this.representation === 'float64');
    for (let chunkIndex = 0; chunkIndex < this.chunks.length; chunkIndex++) {
      const chunk = this.chunks[chunkIndex]!;
      const source = chunk.values as Float64Array;
      const values = new BigInt64Array(source.length);
      for (let offset = 0; offset < source.length; offset++) {
        const value = source[offset]!;
        values[offset] = Number.isSafeInteger(value) ? BigInt(value) : 0n;
      }
      this.chunks[chunkIndex] = new Chunk(
        values,
        chunk.validity?.slice(),
        chunk.labels === undefined ? undefined : new Map(chunk.labels),
      );
      this.owned[chunkIndex] = true;
    }
    this.representation = 'bigint64';
  }
}

export class TableDraft implements TableSource {
  readonly tableId: number;
  readonly definition: TableDefinition;
  readonly columnIndexByName: ReadonlyMap<string, number>;
  readonly base: TableState | undefined;
  readonly baseRowCount: number;
  rowCount: number;
  activeRowCount: number;
  /** Rows below baseRowCount this draft deleted, in the order deleted. */
  readonly deletedBaseRows: number[] = [];
  private readonly columnDrafts: (ColumnDraft | undefined)[];
  private deleted: (Uint8Array | undefined)[] | undefined;
  private deletedOwned: boolean[] | undefined;
  private modifications = 0;

  constructor(tableId: number, definition: TableDefinition, base: TableState | undefined) {
    this.tableId = tableId;
    this.definition = definition;
    this.base = base;
    this.columnIndexByName = base?.columnIndexByName ?? columnIndexMap(definition);
    this.baseRowCount = base?.rowCount ?? 0;
    this.rowCount = this.baseRowCount;
    this.activeRowCount = base?.activeRowCount ?? 0;
    this.columnDrafts = new Array<ColumnDraft | undefined>(definition.columns.length);
    if (base === undefined) {
      for (let columnIndex = 0; columnIndex < definition.columns.length; columnIndex++) {
        const column = definition.columns[columnIndex]!;
        const scalar = column.type.kind === 'scalar' ? column.type.scalar : undefined;
        const representation = initialRepresentation(scalar);
        this.columnDrafts[columnIndex] = new ColumnDraft(
          representation,
          representation === 'dictionary' ? new Dictionary() : undefined,
          [],
        );
      }
      this.deleted = [];
      this.deletedOwned = [];
    }
  }

  get entity(): string {
    return this.definition.entity;
  }

  get isNew(): boolean {
    return this.base === undefined;
  }

  // ── TableSource ─────────────────────────────────────────────────────────────────────────

  columnChunks(columnIndex: number): readonly Chunk[] {
    const draft = this.columnDrafts[columnIndex];
    return draft !== undefined ? draft.chunks : this.base!.columnChunks(columnIndex);
  }

  columnRepresentation(columnIndex: number): Representation {
    const draft = this.columnDrafts[columnIndex];
    return draft !== undefined
      ? draft.representation
      : this.base!.columnRepresentation(columnIndex);
  }

  columnDictionary(columnIndex: number): Dictionary | undefined {
    const draft = this.columnDrafts[columnIndex];
    return draft !== undefined ? draft.dictionary : this.base!.columnDictionary(columnIndex);
  }

  deletedChunks(): readonly (Uint8Array | undefined)[] {
    return this.deleted ?? this.base!.deletedChunks();
  }

  // ── what changed ────────────────────────────────────────────────────────────────────────

  /** The column's draft when this transaction changed it, else undefined. */
  changedColumn(columnIndex: number): ColumnDraft | undefined {
    return this.columnDrafts[columnIndex];
  }

  /** Rows below baseRowCount whose value in this column the draft changed, ascending. */
  *updatedRows(columnIndex: number): IterableIterator<number> {
    const draft = this.columnDrafts[columnIndex];
    if (draft === undefined) return;
    const chunkIndexes = [...draft.dirty.keys()].sort((a, b) => a - b);
    for (const chunkIndex of chunkIndexes) {
      const bitmap = draft.dirty.get(chunkIndex)!;
      const first = chunkIndex * CHUNK_ROWS;
      for (let byteIndex = 0; byteIndex < bitmap.length; byteIndex++) {
        const byte = bitmap[byteIndex]!;
        if (byte === 0) continue;
        for (let bit = 0; bit < 8; bit++) {
          if ((byte >>> bit) & 1) yield first + byteIndex * 8 + bit;
        }
      }
    }
  }

  get hasChanges(): boolean {
    return this.modifications > 0 || this.base === undefined;
  }

  // ── writes ──────────────────────────────────────────────────────────────────────────────

  private columnForWrite(columnIndex: number): ColumnDraft {
    let draft = this.columnDrafts[columnIndex];
    if (draft === undefined) {
      const state = this.base!.columns[columnIndex]!;
      draft = new ColumnDraft(state.representation, state.dictionary(), state.chunks());
      this.columnDrafts[columnIndex] = draft;
    }
    return draft;
  }

  /**
   * The chunk holding `rowId`, made writable there: copied when shared and the row is visible
   * to published versions, or when a structure must be added or grown (validity bitmap, label
   * map, capacity) — a shared chunk's structures are never changed in place.
   */
  private chunkForWrite(
    column: ColumnDraft,
    rowId: number,
    needsValidity: boolean,
    needsLabels: boolean,
  ): Chunk {
    const chunkIndex = rowId >>> CHUNK_SHIFT;
    const offset = rowId & CHUNK_MASK;
    let chunk = column.chunks[chunkIndex];
    if (chunk === undefined) {
      while (column.chunks.length < chunkIndex) {
        column.chunks.push(newChunk(column.representation, CHUNK_ROWS));
        column.owned.push(true);
      }
      chunk = newChunk(column.representation, chunkCapacityFor(offset + 1));
      column.chunks[chunkIndex] = chunk;
      column.owned[chunkIndex] = true;
    } else {
      const owned = column.owned[chunkIndex] === true;
      const tooSmall = offset >= chunk.capacity;
      const structural =
        (needsValidity && chunk.validity === undefined) ||
        (needsLabels && chunk.labels === undefined);
      if (tooSmall || (!owned && (rowId < this.baseRowCount || structural))) {
        chunk = chunk.clone(tooSmall ? chunkCapacityFor(offset + 1) : chunk.capacity);
        column.chunks[chunkIndex] = chunk;
        column.owned[chunkIndex] = true;
      }
    }
    if (needsValidity && chunk.validity === undefined) {
      chunk.validity = fullBitmap(chunk.capacity);
    }
    if (needsLabels && chunk.labels === undefined) chunk.labels = new Map();
    return chunk;
  }

  /**
   * The writable chunk `chunkIndex` of a column, able to hold offsets below `rowsNeeded`, with a
   * validity bitmap when asked. For bulk writes of rows at or past baseRowCount.
   */
  chunkForAppend(
    columnIndex: number,
    chunkIndex: number,
    rowsNeeded: number,
    needsValidity: boolean,
  ): Chunk {
    const column = this.columnForWrite(columnIndex);
    const lastRow = chunkIndex * CHUNK_ROWS + rowsNeeded - 1;
    assert(lastRow >= this.baseRowCount);
    const chunk = this.chunkForWrite(column, lastRow, needsValidity, false);
    return chunk;
  }

  /** The column's draft, made on first write (bulk writers use it to check the representation). */
  columnDraftForWrite(columnIndex: number): ColumnDraft {
    return this.columnForWrite(columnIndex);
  }

  /** Store a checked value at `rowId` (an existing row, or the row being appended). */
  writeValue(columnIndex: number, rowId: number, value: CheckedValue): void {
    const column = this.columnForWrite(columnIndex);
    if (typeof value === 'bigint' && column.representation === 'float64') {
      column.upgradeToBigInt();
    }
    const isNull = value === null || typeof value === 'object';
    const chunk = this.chunkForWrite(column, rowId, isNull, isNull && value !== null);
    const offset = rowId & CHUNK_MASK;
    if (isNull) {
      clearBit(chunk.validity!, offset);
      writeSlot(column, chunk, offset, null);
      if (value === null) chunk.labels?.delete(offset);
      else chunk.labels!.set(offset, value.term);
    } else {
      if (chunk.validity !== undefined) setBit(chunk.validity, offset);
      chunk.labels?.delete(offset);
      writeSlot(column, chunk, offset, value);
    }
    if (rowId < this.baseRowCount) {
      const chunkIndex = rowId >>> CHUNK_SHIFT;
      let dirty = column.dirty.get(chunkIndex);
      if (dirty === undefined) {
        dirty = new Uint8Array(DELETED_BITMAP_BYTES);
        column.dirty.set(chunkIndex, dirty);
      }
      setBit(dirty, offset);
      this.modifications++;
    }
  }

  /** Append one row of checked values (in column order); returns its row id. */
  appendRow(values: readonly CheckedValue[]): number {
    const rowId = this.reserveRows(1);
    for (let columnIndex = 0; columnIndex < values.length; columnIndex++) {
      this.writeValue(columnIndex, rowId, values[columnIndex]!);
    }
    return rowId;
  }

  /**
   * Make room for `count` new rows and return the first row id; the caller writes every column
   * of every new row (an unwritten slot may hold a rolled-back transaction's leftovers).
   */
  reserveRows(count: number): number {
    const first = this.rowCount;
    if (first + count > limits.tableRowsMax) {
      throw new LimitError(
        'tableRowsMax',
        limits.tableRowsMax,
        first + count,
        `rows of ${this.entity}`,
      );
    }
    const deleted = this.deleted ?? this.base!.deletedChunks();
    const lastChunk = chunkCount(first + count);
    for (let chunkIndex = first >>> CHUNK_SHIFT; chunkIndex < lastChunk; chunkIndex++) {
      const bitmap = deleted[chunkIndex];
      if (bitmap === undefined) continue;
      // Slots past baseRowCount are invisible to published versions: clear them in place.
      const from = Math.max(first, chunkIndex * CHUNK_ROWS) & CHUNK_MASK;
      const to = Math.min(first + count - chunkIndex * CHUNK_ROWS, CHUNK_ROWS);
      for (let offset = from; offset < to; offset++) clearBit(bitmap, offset);
    }
    this.rowCount = first + count;
    this.activeRowCount += count;
    this.modifications += count;
    return first;
  }

  /** Undo appends past `rowCount` (a bulk insert that failed half-way). */
  truncateTo(rowCount: number, activeRowCount: number): void {
    assert(rowCount >= this.baseRowCount && rowCount <= this.rowCount);
    this.rowCount = rowCount;
    this.activeRowCount = activeRowCount;
  }

  isDeleted(rowId: number): boolean {
    const bitmap = this.deletedChunks()[rowId >>> CHUNK_SHIFT];
    return bitmap !== undefined && getBit(bitmap, rowId & CHUNK_MASK);
  }

  /** Soft-delete an active row. */
  markDeleted(rowId: number): void {
    assert(rowId < this.rowCount && !this.isDeleted(rowId));
    if (this.deleted === undefined) {
      this.deleted = [...this.base!.deletedChunks()];
      this.deletedOwned = new Array<boolean>(this.deleted.length).fill(false);
    }
    const chunkIndex = rowId >>> CHUNK_SHIFT;
    let bitmap = this.deleted[chunkIndex];
    if (bitmap === undefined) {
      bitmap = new Uint8Array(DELETED_BITMAP_BYTES);
      while (this.deleted.length < chunkIndex) this.deleted.push(undefined);
      this.deleted[chunkIndex] = bitmap;
      this.deletedOwned![chunkIndex] = true;
    } else if (this.deletedOwned![chunkIndex] !== true && rowId < this.baseRowCount) {
      bitmap = bitmap.slice();
      this.deleted[chunkIndex] = bitmap;
      this.deletedOwned![chunkIndex] = true;
    }
    setBit(bitmap, rowId & CHUNK_MASK);
    this.activeRowCount--;
    this.modifications++;
    if (rowId < this.baseRowCount) this.deletedBaseRows.push(rowId);
  }

  /** The committed state this draft becomes. The draft must not be used afterwards. */
  publish(): TableState {
    const base = this.base;
    const columns = this.definition.columns.map((definition, columnIndex) => {
      const draft = this.columnDrafts[columnIndex];
      if (draft === undefined) return base!.columns[columnIndex]!;
      return ColumnState.loaded(definition, draft.representation, {
        chunks: draft.chunks.slice(0, chunkCount(this.rowCount)),
        dictionary: draft.dictionary,
      });
    });
    const deleted = this.deleted ?? base!.deletedChunks();
    return new TableState(
      this.tableId,
      this.definition,
      this.columnIndexByName,
      this.rowCount,
      this.activeRowCount,
      columns,
      new Lazy<readonly (Uint8Array | undefined)[]>(
        deleted.slice(0, chunkCount(this.rowCount)),
        false,
      ),
      (base?.modificationCount ?? 0) + this.modifications,
    );
  }
}

function writeSlot(column: ColumnDraft, chunk: Chunk, offset: number, value: CheckedValue): void {
  const values = chunk.values;
  switch (column.representation) {
    case 'float64':
      (values as Float64Array)[offset] = value === null ? 0 : (value as number);
      return;
    case 'bigint64':
      (values as BigInt64Array)[offset] = value === null ? 0n : BigInt(value as number | bigint);
      return;
    case 'date':
      (values as Int32Array)[offset] = value === null ? 0 : (value as number);
      return;
    case 'bool':
      (values as Uint8Array)[offset] = value === true ? 1 : 0;
      return;
    case 'rowId':
      (values as Uint32Array)[offset] = value === null ? 0 : (value as number);
      return;
    case 'dictionary':
      (values as Uint32Array)[offset] =
        value === null ? 0 : column.dictionary!.intern(value as string);
      return;
  }
}
