/**
 * Hash keys for rows: grouping, DISTINCT, set operations, hash joins and IN (subquery).
 * One column keys by the value itself (a JavaScript Map compares by SameValueZero, so 0 and
 * -0 meet, and equal bigints meet); several columns key by a string that tags each value with
 * its kind and length, so no two different rows share a key. Values are canonical engine
 * values (normalised Int, canonical Decimal text), so equal values have equal keys.
 */
import type { Value } from '../../common/index.js';
import { valueAt, type Vector } from '../data/vector.js';

export type RowKey = Value | string;

function part(value: Value): string {
  if (value === null) return 'N';
  switch (typeof value) {
    case 'number':
      return `n${value === 0 ? 0 : value}`;
    case 'bigint':
      return `n${value}`;
    case 'boolean':
      return value ? 'T' : 'F';
    case 'string':
      return `s${value.length}:${value}`;
  }
}

/** The key of row `row` over `vectors`. */
export function rowKey(vectors: readonly Vector[], row: number): RowKey {
  if (vectors.length === 1) {
    const value = valueAt(vectors[0]!, row);
    return typeof value === 'number' && value === 0 ? 0 : value;
  }
  let key = '';
  for (const vector of vectors) key += part(valueAt(vector, row));
  return key;
}

/** Whether any of the row's values is NULL (NULL never joins). */
export function rowHasNull(vectors: readonly Vector[], row: number): boolean {
  for (const vector of vectors) if (valueAt(vector, row) === null) return true;
  return false;
}
