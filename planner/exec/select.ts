/**
 * Filters as selection vectors: `selectRows` writes the indexes of the rows a predicate keeps
 * (TRUE, not FALSE or NULL) without building a Bool vector first. A comparison of a number
 * vector with a number constant (select-numbers.ts: branch-free, eight rows a step), or of a
 * dictionary vector with a string constant, runs as one loop that appends matching row
 * indexes; an AND narrows the selection conjunct by conjunct, testing later conjuncts only on
 * the rows still selected. Anything else evaluates the predicate to a Bool vector and collects
 * its TRUE rows.
 */
import { valueAt, type Batch, type Vector } from '../data/vector.js';
import { compareHolds, compareScalars, FLIPPED } from '../expr/compare.js';
import type { CompareOp, Expr } from '../expr/expr.js';
import type { ExecutionEnvironment } from './environment.js';
import { evaluate, type Layout } from './evaluate.js';
import { countNumbers, selectNumbers } from './select-numbers.js';

/** The same over a dictionary vector: one comparison per dictionary entry, then a lookup per row. */
function selectDictionary(
  op: CompareOp,
  type: 'String' | 'Uuid',
  vector: Extract<Vector, { kind: 'dict' }>,
  constant: string,
  rows: Int32Array | undefined,
  count: number,
  out: Int32Array,
): number {
  const dictionary = vector.dictionary;
  const matches = new Uint8Array(dictionary.length);
  for (let code = 0; code < dictionary.length; code++) {
    matches[code] = compareHolds(op, compareScalars(type, dictionary[code]!, constant)) ? 1 : 0;
  }
  const codes = vector.codes;
  const validity = vector.validity;
  let kept = 0;
  for (let index = 0; index < count; index++) {
    const row = rows === undefined ? index : rows[index]!;
    if (validity !== undefined && (validity[row >>> 3]! & (1 << (row & 7))) === 0) continue;
    if (matches[codes[row]!] === 1) out[kept++] = row;
  }
  return kept;
}

/**
 * A comparison between a column-like side and a constant, run as a selection; undefined when
 * the operands are not a number vector against a number or a dictionary against a string.
 */
function selectComparison(
  expr: Extract<Expr, { kind: 'Compare' }>,
  batch: Batch,
  layout: Layout,
  env: ExecutionEnvironment,
  rows: Int32Array | undefined,
  count: number,
  out: Int32Array,
): number | undefined {
  let left = evaluate(expr.left, batch, layout, env);
  let right = evaluate(expr.right, batch, layout, env);
  let op = expr.op;
  if (left.kind === 'const' && right.kind !== 'const') {
    [left, right] = [right, left];
    op = FLIPPED[op];
  }
  if (right.kind !== 'const') return undefined;
  if (right.value === null) return 0;
  if (left.kind === 'number' && typeof right.value === 'number' && !Number.isNaN(right.value)) {
    return selectNumbers(op, left, right.value, rows, count, out);
  }
  const type = expr.left.type;
  if (
    left.kind === 'dict' &&
    typeof right.value === 'string' &&
    (type === 'String' || type === 'Uuid')
  ) {
    return selectDictionary(op, type, left, right.value, rows, count, out);
  }
  return undefined;
}

/** A column, constant or parameter: evaluating it twice costs nothing. */
function isCheap(expr: Expr): boolean {
  return expr.kind === 'Column' || expr.kind === 'Literal' || expr.kind === 'Parameter';
}

/**
 * How many rows of `batch` satisfy `predicate` when it is one comparison of a number column
 * with a number constant (a bare `count(*)` reads nothing else): the counting kernels, no
 * selection written. Undefined otherwise, for `selectRows`.
 */
export function countRows(
  predicate: Expr,
  batch: Batch,
  layout: Layout,
  env: ExecutionEnvironment,
): number | undefined {
  if (predicate.kind !== 'Compare' || !isCheap(predicate.left) || !isCheap(predicate.right)) {
    return undefined;
  }
  let left = evaluate(predicate.left, batch, layout, env);
  let right = evaluate(predicate.right, batch, layout, env);
  let op = predicate.op;
  if (left.kind === 'const' && right.kind !== 'const') {
    [left, right] = [right, left];
    op = FLIPPED[op];
  }
  if (right.kind !== 'const') return undefined;
  if (right.value === null) return 0;
  if (left.kind !== 'number' || typeof right.value !== 'number' || Number.isNaN(right.value)) {
    return undefined;
  }
  return countNumbers(op, left, right.value, batch.length);
}

/** Rows of `rows` (or of the whole batch) where a Bool vector is TRUE. */
function selectTrue(
  keep: Vector,
  rows: Int32Array | undefined,
  count: number,
  out: Int32Array,
): number {
  let kept = 0;
  if (keep.kind === 'bool') {
    const values = keep.values;
    const validity = keep.validity;
    for (let index = 0; index < count; index++) {
      const row = rows === undefined ? index : rows[index]!;
      if (
        values[row] === 1 &&
        (validity === undefined || (validity[row >>> 3]! & (1 << (row & 7))) !== 0)
      ) {
        out[kept++] = row;
      }
    }
    return kept;
  }
  for (let index = 0; index < count; index++) {
    const row = rows === undefined ? index : rows[index]!;
    if (valueAt(keep, row) === true) out[kept++] = row;
  }
  return kept;
}

/**
 * Write to `out` (at least `batch.length` long) the ascending indexes of the rows where
 * `predicate` is TRUE; returns how many.
 */
export function selectRows(
  predicate: Expr,
  batch: Batch,
  layout: Layout,
  env: ExecutionEnvironment,
  out: Int32Array,
): number {
  const conjuncts =
    predicate.kind === 'Logical' && predicate.op === 'and' ? predicate.args : [predicate];
  let rows: Int32Array | undefined;
  let count = batch.length;
  for (let index = 0; index < conjuncts.length; index++) {
    const conjunct = conjuncts[index]!;
    // Narrowing in place is safe: each row index is read before the same or a later slot is written.
    const kept =
      conjunct.kind === 'Compare'
        ? selectComparison(conjunct, batch, layout, env, rows, count, out)
        : undefined;
    if (kept !== undefined) {
      rows = out;
      count = kept;
    } else if (index === 0 || conjuncts.length === 1) {
      count = selectTrue(evaluate(conjunct, batch, layout, env), rows, count, out);
      rows = out;
    } else {
      // A later conjunct that is not a simple comparison: the rest of the AND is evaluated
      // on the whole batch, as the Bool-vector AND does, and narrows the selection.
      const rest: Expr =
        index === conjuncts.length - 1
          ? conjunct
          : { kind: 'Logical', op: 'and', args: conjuncts.slice(index), type: 'Bool' };
      count = selectTrue(evaluate(rest, batch, layout, env), rows, count, out);
      return count;
    }
    if (count === 0) return 0;
  }
  return count;
}
