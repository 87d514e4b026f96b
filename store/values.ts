/**
 * Values as the store's write API takes them, and labelled nulls.
 *
 * Values are engine values of common/scalar.ts (Int a number when safe else a bigint, Date days
 * since the epoch, Uuid lower-case, Decimal canonical), `null`, or a labelled null: a Skolem
 * term that CQL carries where a value is unknown but named (`e1.manager.salary`). The store
 * keeps a labelled null as NULL in the validity bitmap plus the term in a side map of its
 * column; SQL sees NULL, the CLI prints the term, and the term is durable in WAL and snapshot.
 * A foreign-key column takes the target table's row id (a non-negative integer).
 */
import type { Value } from '../common/index.js';

export interface LabelledNull {
  readonly kind: 'labelledNull';
  readonly term: string;
}

export function labelledNull(term: string): LabelledNull {
  return Object.freeze({ kind: 'labelledNull', term });
}

export function isLabelledNull(value: unknown): value is LabelledNull {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'labelledNull' &&
    typeof (value as { term?: unknown }).term === 'string'
  );
}

/** One value given to insert or update. `undefined` (a missing key) means NULL on insert. */
export type InputValue = Value | LabelledNull;

/** A row given to insert or update: column name → value. */
export type RowInput = Readonly<Record<string, InputValue | undefined>>;

/** A row read back: column name → value (labelled nulls as `null`, or as terms on request). */
export type RowRecord = Record<string, Value | LabelledNull>;

/**
 * A whole column given to a bulk append (`Transaction.appendColumns`): an array of values, a
 * typed array of the column's representation (see vectors.ts), or dictionary codes. A typed
 * form may carry a validity bitmap (bit = 1: value present).
 *
 * Codes may index any array of strings; each distinct entry the rows use is checked and
 * interned once per call. When `dictionary` is a store column's own dictionary (a
 * `ColumnVector`'s or `ColumnView`'s, of any table or database), the translation of its
 * entries into the target column is kept with the target's dictionary: each entry is checked
 * and interned once for good, and a later append of the same source (grown or not) only
 * translates codes. Codes of the target column's own dictionary are copied as they are.
 */
export type ColumnInput =
  | readonly InputValue[]
  | Float64Array
  | BigInt64Array
  | Int32Array
  | Uint8Array
  | Uint32Array
  | {
      readonly values: Float64Array | BigInt64Array | Int32Array | Uint8Array | Uint32Array;
      readonly validity?: Uint8Array | undefined;
    }
  | {
      readonly codes: Uint32Array;
      readonly dictionary: readonly string[];
      readonly validity?: Uint8Array | undefined;
    };
