/**
 * Read access to one column of one table as a view sees it: typed-array vectors per batch,
 * single values by row id, a gather of values at many row ids (what a foreign-key join needs:
 * follow the FK column's row ids into the target's columns), and labelled-null terms.
 */
import { normalizeInt, type ScalarType, type Value } from '../common/index.js';
import { bitmapBytes, clearBit, fullBitmap, getBit, setBit } from './bitmap.js';
import { allocateValues, CHUNK_MASK, CHUNK_SHIFT, rowsInChunk, type Chunk } from './chunk.js';
import { StoreError } from './errors.js';
import type { ColumnDefinition } from './schema.js';
import type { TableSource } from './table-state.js';
import { labelledNull, type LabelledNull } from './values.js';
import type { ColumnVector, DictionaryType, Representation } from './vectors.js';

export class ColumnView {
  readonly definition: ColumnDefinition;
  readonly representation: Representation;
  private readonly chunks: readonly Chunk[];
  private readonly strings: readonly string[] | undefined;

  constructor(
    private readonly source: TableSource,
    readonly columnIndex: number,
  ) {
    this.definition = source.definition.columns[columnIndex]!;
    this.representation = source.columnRepresentation(columnIndex);
    this.chunks = source.columnChunks(columnIndex);
    this.strings = source.columnDictionary(columnIndex)?.strings;
  }

  get name(): string {
    return this.definition.name;
  }

  /** The scalar type; undefined for a foreign key (whose values are row ids of `target`). */
  get scalarType(): ScalarType | undefined {
    return this.definition.type.kind === 'scalar' ? this.definition.type.scalar : undefined;
  }

  /** The entity a foreign-key column points to; undefined for an attribute. */
  get target(): string | undefined {
    return this.definition.type.kind === 'foreignKey' ? this.definition.type.target : undefined;
  }

  get rowCount(): number {
    return this.source.rowCount;
  }

  /** The dictionary of a String/Uuid/Decimal column (shared, append-only). */
  get dictionary(): readonly string[] | undefined {
    return this.strings;
  }

  private checkRow(rowId: number): void {
    if (!Number.isInteger(rowId) || rowId < 0 || rowId >= this.source.rowCount) {
      throw new StoreError(
        'E_STORE_ROW',
        `${this.source.definition.entity} has no row ${rowId} (rows 0..${this.source.rowCount - 1})`,
      );
    }
  }

  isNull(rowId: number): boolean {
    this.checkRow(rowId);
    const validity = this.chunks[rowId >>> CHUNK_SHIFT]!.validity;
    return validity !== undefined && !getBit(validity, rowId & CHUNK_MASK);
  }

  /** The value at `rowId`: the engine form of common/scalar.ts, a row id for a foreign key, or null. */
  value(rowId: number): Value {
    this.checkRow(rowId);
    return this.valueUnchecked(rowId);
  }

  /** `value` without the range check, for callers that iterate known row ids. */
  valueUnchecked(rowId: number): Value {
    const chunk = this.chunks[rowId >>> CHUNK_SHIFT]!;
    const offset = rowId & CHUNK_MASK;
    if (chunk.validity !== undefined && !getBit(chunk.validity, offset)) return null;
    const slot = chunk.values[offset]!;
    switch (this.representation) {
      case 'float64':
      case 'date':
      case 'rowId':
        return slot as number;
      case 'bigint64':
        return normalizeInt(slot as bigint);
      case 'bool':
        return slot === 1;
      case 'dictionary':
        return this.strings![slot as number]!;
    }
  }

  /** The labelled-null term at `rowId`, or undefined when the row holds a value or a plain NULL. */
  label(rowId: number): string | undefined {
    this.checkRow(rowId);
    return this.chunks[rowId >>> CHUNK_SHIFT]!.labels?.get(rowId & CHUNK_MASK);
  }

  /** The value, or the labelled null itself where there is one. */
  valueOrLabel(rowId: number): Value | LabelledNull {
    const term = this.label(rowId);
    return term === undefined ? this.valueUnchecked(rowId) : labelledNull(term);
  }

  /** Every labelled null of the column: row id → term, ascending by row id. */
  labels(): Map<number, string> {
    const result = new Map<number, string>();
    this.chunks.forEach((chunk, chunkIndex) => {
      if (chunk.labels === undefined) return;
      const rows = rowsInChunk(this.source.rowCount, chunkIndex);
      const entries = [...chunk.labels].filter(([offset]) => offset < rows);
      entries.sort((a, b) => a[0] - b[0]);
      for (const [offset, term] of entries)
        result.set(chunkIndex * (CHUNK_MASK + 1) + offset, term);
    });
    return result;
  }

  /** Number of batches (chunks) of the table. */
  get batchCount(): number {
    return Math.ceil(this.source.rowCount / (CHUNK_MASK + 1));
  }

  /** The vector of batch `batchIndex` (rows batchIndex × batchRowsMax …), without copying. */
  vector(batchIndex: number): ColumnVector {
    const rows = rowsInChunk(this.source.rowCount, batchIndex);
    const chunk = this.chunks[batchIndex];
    if (chunk === undefined || rows === 0) {
      throw new StoreError(
        'E_STORE_ROW',
        `${this.source.definition.entity} has no batch ${batchIndex} (${this.batchCount} batches)`,
      );
    }
    const validity = chunk.validity?.subarray(0, bitmapBytes(rows));
    return this.makeVector(chunk.values.subarray(0, rows), validity);
  }

  private makeVector(
    values: Float64Array | BigInt64Array | Int32Array | Uint8Array | Uint32Array,
    validity: Uint8Array | undefined,
  ): ColumnVector {
    switch (this.representation) {
      case 'float64':
        return {
          kind: 'float64',
          type: this.scalarType === 'Int' ? 'Int' : 'Float',
          values: values as Float64Array,
          validity,
        };
      case 'bigint64':
        return { kind: 'bigint64', type: 'Int', values: values as BigInt64Array, validity };
      case 'date':
        return { kind: 'date', type: 'Date', values: values as Int32Array, validity };
      case 'bool':
        return { kind: 'bool', type: 'Bool', values: values as Uint8Array, validity };
      case 'rowId':
        return { kind: 'rowId', target: this.target!, values: values as Uint32Array, validity };
      case 'dictionary':
        return {
          kind: 'dictionary',
          type: this.scalarType as DictionaryType,
          codes: values as Uint32Array,
          dictionary: this.strings!,
          validity,
        };
    }
  }

  /** Rows first .. first + count − 1 as one vector (copied). */
  slice(first: number, count: number): ColumnVector {
    if (count > 0) {
      this.checkRow(first);
      this.checkRow(first + count - 1);
    }
    const values = allocateValues(this.representation, count);
    let validity: Uint8Array | undefined;
    let index = 0;
    while (index < count) {
      const row = first + index;
      const chunk = this.chunks[row >>> CHUNK_SHIFT]!;
      const offset = row & CHUNK_MASK;
      const rows = Math.min(count - index, CHUNK_MASK + 1 - offset);
      (values as Uint32Array).set(
        (chunk.values as Uint32Array).subarray(offset, offset + rows),
        index,
      );
      if (chunk.validity !== undefined) {
        if (validity === undefined) validity = fullBitmap(count);
        for (let step = 0; step < rows; step++) {
          if (!getBit(chunk.validity, offset + step)) clearBit(validity, index + step);
        }
      }
      index += rows;
    }
    return this.makeVector(values, validity);
  }

  /**
   * Rows first .. first + count − 1 without copying the values: the value slots as views into
   * the chunks, in row order (their concatenation is the range), and a validity bitmap of the
   * range (a copy; undefined when every row has a value). For writers of files (the WAL's
   * binary payload): the views stay unchanged while the view's version is held.
   */
  rangeParts(
    first: number,
    count: number,
  ): {
    readonly values: readonly (
      Float64Array | BigInt64Array | Int32Array | Uint8Array | Uint32Array
    )[];
    readonly validity: Uint8Array | undefined;
  } {
    if (count > 0) {
      this.checkRow(first);
      this.checkRow(first + count - 1);
    }
    const values: (Float64Array | BigInt64Array | Int32Array | Uint8Array | Uint32Array)[] = [];
    let validity: Uint8Array | undefined;
    let index = 0;
    while (index < count) {
      const row = first + index;
      const chunk = this.chunks[row >>> CHUNK_SHIFT]!;
      const offset = row & CHUNK_MASK;
      const rows = Math.min(count - index, CHUNK_MASK + 1 - offset);
      values.push(chunk.values.subarray(offset, offset + rows));
      if (chunk.validity !== undefined) {
        if (validity === undefined) validity = fullBitmap(count);
        for (let step = 0; step < rows; step++) {
          if (!getBit(chunk.validity, offset + step)) clearBit(validity, index + step);
        }
      }
      index += rows;
    }
    return { values, validity };
  }

  /**
   * The values at `rowIds[0 .. count − 1]` as one vector (copied). Row ids must be below the
   * view's row count; a foreign-key join gathers the target's columns at the FK's row ids.
   */
  gather(rowIds: ArrayLike<number>, count = rowIds.length): ColumnVector {
    const values = allocateValues(this.representation, count);
    let validity: Uint8Array | undefined;
    const chunks = this.chunks;
    const rowCount = this.source.rowCount;
    for (let index = 0; index < count; index++) {
      const rowId = rowIds[index]!;
      if (!(rowId >= 0 && rowId < rowCount)) this.checkRow(rowId);
      const chunk = chunks[rowId >>> CHUNK_SHIFT]!;
      const offset = rowId & CHUNK_MASK;
      (values as Float64Array)[index] = (chunk.values as Float64Array)[offset]!;
      if (chunk.validity !== undefined && !getBit(chunk.validity, offset)) {
        if (validity === undefined) {
          validity = new Uint8Array(bitmapBytes(count));
          for (let before = 0; before < index; before++) setBit(validity, before);
        }
      } else if (validity !== undefined) {
        setBit(validity, index);
      }
    }
    return this.makeVector(values, validity);
  }
}
