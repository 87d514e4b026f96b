/**
 * Reading a column's values as comparable keys, for indexes and statistics: numbers (floats,
 * safe Ints, days, row ids, booleans as 0/1), bigints (Int columns past ±2^53) or strings
 * (dictionary columns; Decimal compared numerically). `keyOf` turns a lookup value into the
 * column's key form, or undefined when no row can equal it.
 */
import { compareDecimal, type Scalar, type ScalarType } from '../common/index.js';
import { getBit } from './bitmap.js';
import { CHUNK_MASK, CHUNK_SHIFT, type Chunk } from './chunk.js';
import type { Dictionary } from './dictionary.js';
import type { Representation } from './vectors.js';

export type OrderKey = number | bigint | string;

export class ValueOrder {
  readonly compare: (a: OrderKey, b: OrderKey) => number;

  constructor(
    readonly representation: Representation,
    readonly scalarType: ScalarType | undefined,
    private readonly strings: readonly string[] | undefined,
  ) {
    this.compare =
      scalarType === 'Decimal'
        ? (a, b) => compareDecimal(a as string, b as string)
        : (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  }

  static of(
    representation: Representation,
    scalarType: ScalarType | undefined,
    dictionary: Dictionary | undefined,
  ): ValueOrder {
    return new ValueOrder(representation, scalarType, dictionary?.strings);
  }

  /** The key of a row, or undefined when it is NULL. */
  keyAt(chunks: readonly Chunk[], rowId: number): OrderKey | undefined {
    const chunk = chunks[rowId >>> CHUNK_SHIFT]!;
    const offset = rowId & CHUNK_MASK;
    if (chunk.validity !== undefined && !getBit(chunk.validity, offset)) return undefined;
    const slot = chunk.values[offset]!;
    return this.representation === 'dictionary' ? this.strings![slot as number]! : slot;
  }

  /** The physical slot a lookup value is stored as (dictionary: its code), for hashing. */
  physicalKeyOf(value: Scalar, dictionary: Dictionary | undefined): number | bigint | undefined {
    const key = this.keyOf(value);
    if (key === undefined) return undefined;
    if (this.representation === 'dictionary') return dictionary!.code(key as string);
    if (this.representation === 'bigint64') return typeof key === 'bigint' ? key : BigInt(key);
    if (typeof key === 'bigint') return undefined;
    return key === 0 ? 0 : (key as number);
  }

  /** A lookup value in key form; undefined when the value cannot be in this column. */
  keyOf(value: Scalar): OrderKey | undefined {
    switch (this.representation) {
      case 'bool':
        return typeof value === 'boolean' ? (value ? 1 : 0) : undefined;
      case 'dictionary':
        return typeof value === 'string' ? value : undefined;
      case 'bigint64':
        if (typeof value === 'bigint') return value;
        return typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : undefined;
      case 'float64':
        if (typeof value === 'bigint') return this.scalarType === 'Int' ? value : undefined;
        return typeof value === 'number' ? value : undefined;
      case 'date':
      case 'rowId':
        return typeof value === 'number' ? value : undefined;
    }
  }

  /** A key back in the engine's value form (for statistics). */
  toScalar(key: OrderKey): Scalar {
    if (this.representation === 'bool') return key === 1;
    if (typeof key === 'bigint') {
      return key >= BigInt(Number.MIN_SAFE_INTEGER) && key <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(key)
        : key;
    }
    return key;
  }
}
