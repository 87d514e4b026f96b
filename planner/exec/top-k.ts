/**
 * Row order under ORDER BY keys, and top-k selection: the best `k` rows of a batch through a
 * bounded heap over row indexes instead of a full sort. When the first key is a number vector
 * its values (direction and NULL placement folded in) sit in one Float64Array, so the common
 * test of a row against the heap's worst row is one array read and one comparison; ties on it
 * fall through to every key and finally to the row index, so the selection is stable (ties keep
 * batch order) and equals the first `k` rows of a stable full sort. Floats follow PostgreSQL:
 * NaN equals NaN and sorts above every other number (NULLs are still placed by NULLS
 * FIRST/LAST).
 */
import type { Value } from '../../common/index.js';
import { valueAt, type Batch } from '../data/vector.js';
import { compareNumbers, compareScalars } from '../expr/compare.js';
import type { SortKey } from '../logical/plan.js';
import type { ExecutionEnvironment } from './environment.js';
import { evaluate, type Layout } from './evaluate.js';

export interface RowOrder {
  /** Negative when row `a` sorts before row `b` (a total order: ties by row index). */
  readonly compare: (a: number, b: number) => number;
  /**
   * The first key as a number per row, ascending in sort order (DESC negated, NULL as ±∞ on
   * its side, NaN as +∞ ascending and −∞ descending), when the first key is a number vector:
   * `primary[a] < primary[b]` means `a` sorts first; equal values (NULL or NaN against ±∞)
   * are decided by `compare`. It never holds NaN, so `<` and `>` on it are a total order.
   */
  readonly primary: Float64Array | undefined;
}

/** The comparator of a batch's rows under sort keys. */
export function rowOrder(
  batch: Batch,
  keys: readonly SortKey[],
  layout: Layout,
  env: ExecutionEnvironment,
): RowOrder {
  let primary: Float64Array | undefined;
  const comparators = keys.map((key, index): ((a: number, b: number) => number) => {
    const vector = evaluate(key.expr, batch, layout, env);
    const direction = key.descending ? -1 : 1;
    const nullOrder = key.nullsFirst ? -1 : 1;
    if (vector.kind === 'number') {
      const values = vector.values;
      const validity = vector.validity;
      if (index === 0) {
        primary = new Float64Array(batch.length);
        const nullRank = key.nullsFirst ? -Infinity : Infinity;
        // NaN sorts after every number: last ascending, first descending.
        const nanRank = direction * Infinity;
        for (let row = 0; row < batch.length; row++) {
          const ranked = direction * values[row]!;
          primary[row] =
            validity !== undefined && (validity[row >>> 3]! & (1 << (row & 7))) === 0
              ? nullRank
              : Number.isNaN(ranked)
                ? nanRank
                : ranked;
        }
      }
      return (a, b) => {
        if (validity !== undefined) {
          const validA = (validity[a >>> 3]! & (1 << (a & 7))) !== 0;
          const validB = (validity[b >>> 3]! & (1 << (b & 7))) !== 0;
          if (!validA || !validB) return validA === validB ? 0 : validA ? -nullOrder : nullOrder;
        }
        return direction * compareNumbers(values[a]!, values[b]!);
      };
    }
    const values: Value[] = new Array<Value>(batch.length);
    for (let row = 0; row < batch.length; row++) values[row] = valueAt(vector, row);
    const type = key.expr.type;
    return (a, b) => {
      const x = values[a] ?? null;
      const y = values[b] ?? null;
      if (x === null || y === null) return x === y ? 0 : x === null ? nullOrder : -nullOrder;
      return direction * compareScalars(type, x, y);
    };
  });
  const compare = (a: number, b: number): number => {
    for (const comparator of comparators) {
      const compared = comparator(a, b);
      if (compared !== 0) return compared;
    }
    return a - b;
  };
  return { compare, primary };
}

/** Row order of a whole batch (stable: ties keep the batch's order). */
export function sortOrder(
  batch: Batch,
  keys: readonly SortKey[],
  layout: Layout,
  env: ExecutionEnvironment,
): Int32Array {
  const { compare, primary } = rowOrder(batch, keys, layout, env);
  const order = new Int32Array(batch.length);
  for (let row = 0; row < batch.length; row++) order[row] = row;
  if (primary === undefined) return order.sort(compare);
  return order.sort((a, b) => {
    const x = primary[a]!;
    const y = primary[b]!;
    return x < y ? -1 : x > y ? 1 : compare(a, b);
  });
}

/**
 * The best `keep` rows of a batch in sort order (all rows, sorted, when it has no more): a
 * max-heap of `keep` row indexes whose root is the worst kept row; a row enters only when it
 * sorts before the root.
 */
export function selectTop(
  batch: Batch,
  keys: readonly SortKey[],
  keep: number,
  layout: Layout,
  env: ExecutionEnvironment,
): Int32Array {
  const length = batch.length;
  if (keep >= length) return sortOrder(batch, keys, layout, env);
  const { compare, primary } = rowOrder(batch, keys, layout, env);
  // Positive when `a` sorts after `b`.
  const after =
    primary === undefined
      ? compare
      : (a: number, b: number): number => {
          const x = primary[a]!;
          const y = primary[b]!;
          return x < y ? -1 : x > y ? 1 : compare(a, b);
        };
  if (keep === 0) return new Int32Array(0);
  const heap = new Int32Array(keep);
  let size = 0;
  const siftDown = (): void => {
    let index = 0;
    const moving = heap[0]!;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && after(heap[right]!, heap[left]!) > 0 ? right : left;
      if (after(heap[child]!, moving) <= 0) break;
      heap[index] = heap[child]!;
      index = child;
    }
    heap[index] = moving;
  };
  for (let row = 0; row < length; row++) {
    if (size < keep) {
      // Sift up: the worst row rises to the root.
      let index = size++;
      while (index > 0) {
        const parent = (index - 1) >> 1;
        if (after(row, heap[parent]!) <= 0) break;
        heap[index] = heap[parent]!;
        index = parent;
      }
      heap[index] = row;
      continue;
    }
    const worst = heap[0]!;
    if (primary !== undefined) {
      // The common rejection: one read and one comparison (ties ask every key).
      const value = primary[row]!;
      const bound = primary[worst]!;
      if (!(value < bound) && (value > bound || compare(row, worst) > 0)) continue;
    } else if (compare(row, worst) > 0) continue;
    heap[0] = row;
    siftDown();
  }
  return heap.subarray(0, size).sort(after);
}

/**
 * Rows of `batch` that can still enter a full top-k whose worst kept row has first-key value
 * `worst`: one pass over the first key when it is a number vector (ties kept, NULLs kept only
 * when they sort first, NaN ranked above every number); undefined when no such pre-filter
 * applies.
 */
export function topKCandidates(
  batch: Batch,
  key: SortKey,
  worst: Value,
  layout: Layout,
  env: ExecutionEnvironment,
): Int32Array | undefined {
  if (typeof worst !== 'number') return undefined;
  const vector = evaluate(key.expr, batch, layout, env);
  if (vector.kind !== 'number') return undefined;
  const values = vector.values;
  const validity = vector.validity;
  const indexes = new Int32Array(batch.length);
  let count = 0;
  for (let row = 0; row < batch.length; row++) {
    if (validity !== undefined && (validity[row >>> 3]! & (1 << (row & 7))) === 0) {
      if (key.nullsFirst) indexes[count++] = row;
      continue;
    }
    const value = values[row]!;
    if (key.descending ? value >= worst : value <= worst) indexes[count++] = row;
    // `>=`/`<=` are false for NaN on either side; PostgreSQL ranks NaN above every number.
    else if (
      Number.isNaN(worst)
        ? !key.descending || Number.isNaN(value)
        : key.descending && Number.isNaN(value)
    )
      indexes[count++] = row;
  }
  return indexes.subarray(0, count);
}
