/**
 * What a scan hands the executor: batches of columns, each column a typed array plus a validity
 * bitmap. This file is the read contract with the planner; it changes only by adding.
 *
 * | column type        | representation | vector                                                |
 * |--------------------|----------------|-------------------------------------------------------|
 * | Float              | `float64`      | Float64Array                                          |
 * | Int (all |v|<2^53) | `float64`      | Float64Array holding exact integers                   |
 * | Int (any larger)   | `bigint64`     | BigInt64Array — the column upgrades itself for good   |
 * |                    |                | the first time a value outside ±(2^53−1) is written   |
 * | Date               | `date`         | Int32Array, days since 1970-01-01                     |
 * | Bool               | `bool`         | Uint8Array, 0 or 1                                    |
 * | foreign key        | `rowId`        | Uint32Array of the target table's row ids             |
 * | String/Uuid/Decimal| `dictionary`   | Uint32Array codes into `dictionary` (strings; Uuid    |
 * |                    |                | lower-case, Decimal canonical as in common/decimal.ts)|
 *
 * Validity: when `validity` is undefined every row of the vector has a value; otherwise bit i
 * (LSB first, see bitmap.ts) is 1 when row i has a value and 0 when it is NULL (a bitmap may
 * be all ones). The value slot of a NULL row holds 0 (or code 0) and must not be read. Values
 * of deleted rows are meaningless (compaction purges them to NULL even in NOT NULL columns). A labelled null (a Skolem term such
 * as `e1.manager.salary`) is a NULL here; `ColumnView.label(rowId)` gives its term.
 *
 * Vectors are views into the store's memory: never write into them. They stay valid and
 * unchanged for as long as the caller holds them (writers copy a chunk before changing it).
 */
import type { ScalarType } from '../common/index.js';
import { getBit } from './bitmap.js';

export type Representation = 'float64' | 'bigint64' | 'date' | 'bool' | 'rowId' | 'dictionary';

export type DictionaryType = 'String' | 'Uuid' | 'Decimal';

export type ColumnVector =
  | {
      readonly kind: 'float64';
      readonly type: 'Float' | 'Int';
      readonly values: Float64Array;
      readonly validity: Uint8Array | undefined;
    }
  | {
      readonly kind: 'bigint64';
      readonly type: 'Int';
      readonly values: BigInt64Array;
      readonly validity: Uint8Array | undefined;
    }
  | {
      readonly kind: 'date';
      readonly type: 'Date';
      readonly values: Int32Array;
      readonly validity: Uint8Array | undefined;
    }
  | {
      readonly kind: 'bool';
      readonly type: 'Bool';
      readonly values: Uint8Array;
      readonly validity: Uint8Array | undefined;
    }
  | {
      readonly kind: 'rowId';
      /** The entity whose row ids the values are. */
      readonly target: string;
      readonly values: Uint32Array;
      readonly validity: Uint8Array | undefined;
    }
  | {
      readonly kind: 'dictionary';
      readonly type: DictionaryType;
      readonly codes: Uint32Array;
      /** Shared and append-only: it may hold more entries than these codes use. */
      readonly dictionary: readonly string[];
      readonly validity: Uint8Array | undefined;
    };

/**
 * A batch of rows `startRow .. startRow + rowCount - 1` of one table: one vector per requested
 * column, in the requested order, each of length `rowCount`. Batches are aligned to
 * `limits.batchRowsMax` rows (batch k starts at row k × batchRowsMax), so reading one costs no
 * copy. Deleted rows are inside the range: skip them with `deleted` or `activeOffsets(batch)`.
 */
export interface ColumnBatch {
  readonly startRow: number;
  readonly rowCount: number;
  readonly columns: readonly ColumnVector[];
  /** Bit i = 1 when row startRow + i is deleted; undefined when no row of the batch is. */
  readonly deleted: Uint8Array | undefined;
  /** Rows of the batch that are not deleted. */
  readonly activeRowCount: number;
}

/** Number of rows in a vector. */
export function vectorLength(vector: ColumnVector): number {
  return vector.kind === 'dictionary' ? vector.codes.length : vector.values.length;
}

export function isValidAt(vector: ColumnVector, offset: number): boolean {
  return vector.validity === undefined || getBit(vector.validity, offset);
}

/** Offsets (0-based within the batch) of the batch's active rows, ascending. */
export function activeOffsets(batch: ColumnBatch): Uint32Array {
  const offsets = new Uint32Array(batch.activeRowCount);
  const deleted = batch.deleted;
  if (deleted === undefined) {
    for (let offset = 0; offset < batch.rowCount; offset++) offsets[offset] = offset;
    return offsets;
  }
  let count = 0;
  for (let offset = 0; offset < batch.rowCount; offset++) {
    if (((deleted[offset >>> 3]! >>> (offset & 7)) & 1) === 0) offsets[count++] = offset;
  }
  return offsets;
}

/** The representation a column of a given type starts with. */
export function initialRepresentation(type: ScalarType | undefined): Representation {
  switch (type) {
    case undefined:
      return 'rowId';
    case 'Float':
    case 'Int':
      return 'float64';
    case 'Date':
      return 'date';
    case 'Bool':
      return 'bool';
    case 'String':
    case 'Uuid':
    case 'Decimal':
      return 'dictionary';
  }
}
