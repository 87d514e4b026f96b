/**
 * The executor: each logical node becomes a generator of column batches (pull-based, so LIMIT
 * stops its input early). Scans, filters and projections stream; joins materialise their right
 * side, aggregation, sorting and DISTINCT hold what they must. Every batch's columns are in the
 * order of the node's `output`.
 */
import { assertNever, limits, type Value } from '../../common/index.js';
import {
  concatVectors,
  constVector,
  gatherBatch,
  sliceBatch,
  valueAt,
  VectorBuilder,
  type Batch,
} from '../data/vector.js';
import { PlanError } from '../errors.js';
import { compareScalars } from '../expr/compare.js';
import type { Expr } from '../expr/expr.js';
import type { LogicalPlan, SortKey } from '../logical/plan.js';
import { executeAggregate } from './aggregate.js';
import type { ExecutionEnvironment } from './environment.js';
import { evaluate, layoutOf, type Layout } from './evaluate.js';
import { executeJoin } from './join.js';
import { rowKey, type RowKey } from './row-key.js';

const EMPTY_LAYOUT: Layout = new Map();
const ONE_ROW: Batch = { length: 1, columns: [] };

/** Evaluate an expression that reads no input column (LIMIT, index lookup values). */
export function evaluateConstant(expr: Expr, env: ExecutionEnvironment): Value {
  return valueAt(evaluate(expr, ONE_ROW, EMPTY_LAYOUT, env), 0);
}

export function executePlan(
  plan: LogicalPlan,
  env: ExecutionEnvironment,
  batchRowsMax: number = limits.batchRowsMax,
): Iterable<Batch> {
  const batches = executeNode(plan, env, batchRowsMax);
  const statistics = env.statistics;
  if (statistics === undefined) return batches;
  return measured(plan, batches, env);
}

function* measured(
  plan: LogicalPlan,
  batches: Iterable<Batch>,
  env: ExecutionEnvironment,
): Generator<Batch> {
  const statistics = env.statistics!;
  let entry = statistics.get(plan);
  if (entry === undefined) {
    entry = { rows: 0, batches: 0, timeMs: 0 };
    statistics.set(plan, entry);
  }
  const iterator = batches[Symbol.iterator]();
  for (;;) {
    const start = performance.now();
    const next = iterator.next();
    entry.timeMs += performance.now() - start;
    if (next.done === true) return;
    entry.rows += next.value.length;
    entry.batches++;
    yield next.value;
  }
}

function executeNode(
  plan: LogicalPlan,
  env: ExecutionEnvironment,
  batchRowsMax: number,
): Iterable<Batch> {
  switch (plan.kind) {
    case 'Scan':
      return scan(plan, env, batchRowsMax);
    case 'Values':
      return values(plan, env);
    case 'Filter':
      return filter(
        executePlan(plan.input, env, batchRowsMax),
        plan.predicate,
        layoutOf(plan.input.output),
        env,
      );
    case 'Project':
      return project(plan, executePlan(plan.input, env, batchRowsMax), env);
    case 'Join':
      return executeJoin(plan, executePlan(plan.left, env, batchRowsMax), env, batchRowsMax);
    case 'Aggregate':
      return executeAggregate(plan, executePlan(plan.input, env, batchRowsMax), env, batchRowsMax);
    case 'Sort':
      return sort(
        plan.input,
        plan.keys,
        undefined,
        executePlan(plan.input, env, batchRowsMax),
        env,
        batchRowsMax,
      );
    case 'TopK': {
      const limit = nonNegative(evaluateConstant(plan.limit, env), 'LIMIT');
      const offset =
        plan.offset === undefined
          ? 0
          : (nonNegative(evaluateConstant(plan.offset, env), 'OFFSET') ?? 0);
      return limitBatches(
        sort(
          plan.input,
          plan.keys,
          limit === undefined ? undefined : limit + offset,
          executePlan(plan.input, env, batchRowsMax),
          env,
          batchRowsMax,
        ),
        limit,
        offset,
      );
    }
    case 'Limit': {
      const limit =
        plan.limit === undefined
          ? undefined
          : nonNegative(evaluateConstant(plan.limit, env), 'LIMIT');
      const offset =
        plan.offset === undefined
          ? 0
          : (nonNegative(evaluateConstant(plan.offset, env), 'OFFSET') ?? 0);
      return limitBatches(executePlan(plan.input, env, batchRowsMax), limit, offset);
    }
    case 'Distinct':
      return distinct(executePlan(plan.input, env, batchRowsMax), env);
    case 'SetOperation':
      return setOperation(plan, env, batchRowsMax);
    default:
      return assertNever(plan, 'plan node');
  }
}

function nonNegative(value: Value, clause: string): number | undefined {
  if (value === null) return undefined;
  const number = Number(value);
  if (number < 0) {
    throw new PlanError('E_SQL_VALUE', `${clause} must not be negative`, { sqlstate: '2201W' });
  }
  return number;
}

// ── leaves ──────────────────────────────────────────────────────────────────────────────────

function* scan(
  plan: Extract<LogicalPlan, { kind: 'Scan' }>,
  env: ExecutionEnvironment,
  batchRowsMax: number,
): Generator<Batch> {
  const columnIndexes = plan.columns.map((column) => column.columnIndex);
  const layout = layoutOf(plan.columns);
  const access = plan.access;
  let batches: Iterable<Batch>;
  switch (access.kind) {
    case 'full':
      batches = plan.table.scan(columnIndexes, batchRowsMax);
      break;
    case 'indexEqual': {
      const value = evaluateConstant(access.value, env);
      const rowIds =
        value === null ? new Uint32Array(0) : plan.table.lookupEqual(access.columnIndex, value);
      batches = fetchBatches(plan, rowIds, columnIndexes, batchRowsMax);
      break;
    }
    case 'indexRange': {
      const bound = (
        side: typeof access.lower,
      ): { value: Value; inclusive: boolean } | undefined =>
        side === undefined
          ? undefined
          : { value: evaluateConstant(side.value, env), inclusive: side.inclusive };
      const lower = bound(access.lower);
      const upper = bound(access.upper);
      if (lower?.value === null || upper?.value === null) {
        batches = [];
        break;
      }
      const rowIds = plan.table.lookupRange(
        access.columnIndex,
        lower === undefined ? undefined : { value: lower.value!, inclusive: lower.inclusive },
        upper === undefined ? undefined : { value: upper.value!, inclusive: upper.inclusive },
      );
      batches = fetchBatches(plan, rowIds, columnIndexes, batchRowsMax);
      break;
    }
    default:
      return assertNever(access, 'scan access');
  }
  if (env.deadline !== undefined) batches = deadlineChecked(batches, env);
  if (plan.filter === undefined) {
    yield* batches;
    return;
  }
  yield* filter(batches, plan.filter, layout, env);
}

/** The batches of a scan, checking the query's deadline before each. */
function* deadlineChecked(batches: Iterable<Batch>, env: ExecutionEnvironment): Generator<Batch> {
  for (const batch of batches) {
    env.checkDeadline();
    yield batch;
  }
}

function* fetchBatches(
  plan: Extract<LogicalPlan, { kind: 'Scan' }>,
  rowIds: Uint32Array,
  columnIndexes: readonly number[],
  batchRowsMax: number,
): Generator<Batch> {
  for (let start = 0; start < rowIds.length; start += batchRowsMax) {
    const slice = rowIds.subarray(start, Math.min(rowIds.length, start + batchRowsMax));
    yield plan.table.fetch(slice, slice.length, columnIndexes);
  }
}

function* values(
  plan: Extract<LogicalPlan, { kind: 'Values' }>,
  env: ExecutionEnvironment,
): Generator<Batch> {
  if (plan.rows.length === 0) return;
  const builders = plan.output.map(
    (column) => new VectorBuilder(column.type, Math.max(8, plan.rows.length)),
  );
  for (const row of plan.rows) {
    row.forEach((expr, index) => builders[index]!.append(evaluateConstant(expr, env)));
  }
  yield { length: plan.rows.length, columns: builders.map((builder) => builder.finish()) };
}

// ── streaming operators ─────────────────────────────────────────────────────────────────────

function* filter(
  input: Iterable<Batch>,
  predicate: Expr,
  layout: Layout,
  env: ExecutionEnvironment,
): Generator<Batch> {
  for (const batch of input) {
    const keep = evaluate(predicate, batch, layout, env);
    const indexes = new Int32Array(batch.length);
    let count = 0;
    if (keep.kind === 'bool') {
      const values = keep.values;
      const validity = keep.validity;
      for (let row = 0; row < batch.length; row++) {
        if (
          values[row] === 1 &&
          (validity === undefined || (validity[row >>> 3]! & (1 << (row & 7))) !== 0)
        ) {
          indexes[count++] = row;
        }
      }
    } else {
      for (let row = 0; row < batch.length; row++)
        if (valueAt(keep, row) === true) indexes[count++] = row;
    }
    if (count === 0) continue;
    yield count === batch.length ? batch : gatherBatch(batch, indexes, count);
  }
}

function* project(
  plan: Extract<LogicalPlan, { kind: 'Project' }>,
  input: Iterable<Batch>,
  env: ExecutionEnvironment,
): Generator<Batch> {
  const layout = layoutOf(plan.input.output);
  for (const batch of input) {
    yield {
      length: batch.length,
      columns: plan.items.map((item) => evaluate(item.expr, batch, layout, env)),
    };
  }
}

function* limitBatches(
  input: Iterable<Batch>,
  limit: number | undefined,
  offset: number,
): Generator<Batch> {
  if (limit === 0) return;
  let skip = offset;
  let remaining = limit ?? Number.POSITIVE_INFINITY;
  for (const batch of input) {
    let start = 0;
    if (skip > 0) {
      start = Math.min(skip, batch.length);
      skip -= start;
    }
    if (start >= batch.length) continue;
    const end = Math.min(batch.length, start + remaining);
    remaining -= end - start;
    yield sliceBatch(batch, start, end);
    if (remaining <= 0) return;
  }
}

function* distinct(input: Iterable<Batch>, env: ExecutionEnvironment): Generator<Batch> {
  const seen = new Set<RowKey>();
  for (const batch of input) {
    const indexes = new Int32Array(batch.length);
    let count = 0;
    for (let row = 0; row < batch.length; row++) {
      const key = rowKey(batch.columns, row);
      if (seen.has(key)) continue;
      seen.add(key);
      indexes[count++] = row;
    }
    env.reserve(count * 32);
    if (count > 0) yield count === batch.length ? batch : gatherBatch(batch, indexes, count);
  }
}

// ── sort ────────────────────────────────────────────────────────────────────────────────────

/** Concatenate batches of one plan's output into one. */
function collect(plan: LogicalPlan, input: Iterable<Batch>, env: ExecutionEnvironment): Batch {
  const batches: Batch[] = [];
  let length = 0;
  for (const batch of input) {
    batches.push(batch);
    length += batch.length;
    env.reserve(batch.length * 16 * Math.max(1, batch.columns.length));
  }
  return {
    length,
    columns: plan.output.map((column, index) =>
      concatVectors(
        column.type,
        batches.map((batch) => batch.columns[index]!),
      ),
    ),
  };
}

/** Row order of a batch under sort keys (stable: ties keep the batch's order). */
function sortOrder(
  batch: Batch,
  keys: readonly SortKey[],
  layout: Layout,
  env: ExecutionEnvironment,
): number[] {
  const comparators = keys.map((key): ((a: number, b: number) => number) => {
    const vector = evaluate(key.expr, batch, layout, env);
    const direction = key.descending ? -1 : 1;
    const nullOrder = key.nullsFirst ? -1 : 1;
    if (vector.kind === 'number') {
      const values = vector.values;
      const validity = vector.validity;
      return (a, b) => {
        if (validity !== undefined) {
          const validA = (validity[a >>> 3]! & (1 << (a & 7))) !== 0;
          const validB = (validity[b >>> 3]! & (1 << (b & 7))) !== 0;
          if (!validA || !validB) return validA === validB ? 0 : validA ? -nullOrder : nullOrder;
        }
        const x = values[a]!;
        const y = values[b]!;
        return x < y ? -direction : x > y ? direction : 0;
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
  const order = Array.from({ length: batch.length }, (_, row) => row);
  order.sort((a, b) => {
    for (const comparator of comparators) {
      const compared = comparator(a, b);
      if (compared !== 0) return compared;
    }
    return a - b;
  });
  return order;
}

function concatBatches(plan: LogicalPlan, first: Batch, second: Batch): Batch {
  return {
    length: first.length + second.length,
    columns: plan.output.map((column, index) =>
      concatVectors(column.type, [first.columns[index]!, second.columns[index]!]),
    ),
  };
}

/**
 * Rows of `batch` that can still enter a full top-k whose worst kept row has first-key value
 * `worst`: a cheap pre-filter on the first key when it is a number vector (undefined: no filter).
 */
function topKCandidates(
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
  }
  return indexes.subarray(0, count);
}

function* sort(
  inputPlan: LogicalPlan,
  keys: readonly SortKey[],
  keep: number | undefined,
  input: Iterable<Batch>,
  env: ExecutionEnvironment,
  batchRowsMax: number,
): Generator<Batch> {
  const layout = layoutOf(inputPlan.output);
  let all: Batch;
  if (keep === undefined) {
    all = collect(inputPlan, input, env);
    const order = sortOrder(all, keys, layout, env);
    all = gatherBatch(all, Int32Array.from(order), order.length);
  } else {
    // Top-k: keep the best `keep` rows seen so far; later batches are pre-filtered against
    // the worst kept row's first key and merged in.
    let kept: Batch | undefined;
    const firstKey = keys[0]!;
    for (const batch of input) {
      if (keep === 0) break;
      let candidates = batch;
      if (kept !== undefined && kept.length >= keep) {
        const worst = valueAt(evaluate(firstKey.expr, kept, layout, env), kept.length - 1);
        const indexes = topKCandidates(batch, firstKey, worst, layout, env);
        if (indexes !== undefined) {
          if (indexes.length === 0) continue;
          candidates = gatherBatch(batch, indexes, indexes.length);
        }
      }
      const merged = kept === undefined ? candidates : concatBatches(inputPlan, kept, candidates);
      const order = sortOrder(merged, keys, layout, env);
      const best = Int32Array.from(order.slice(0, keep));
      kept = gatherBatch(merged, best, best.length);
    }
    all = kept ?? {
      length: 0,
      columns: inputPlan.output.map(() => constVector('String', null, 0)),
    };
  }
  for (let start = 0; start < all.length; start += batchRowsMax) {
    yield sliceBatch(all, start, Math.min(all.length, start + batchRowsMax));
  }
}

// ── set operations ──────────────────────────────────────────────────────────────────────────

function* setOperation(
  plan: Extract<LogicalPlan, { kind: 'SetOperation' }>,
  env: ExecutionEnvironment,
  batchRowsMax: number,
): Generator<Batch> {
  const left = executePlan(plan.left, env, batchRowsMax);
  if (plan.op === 'union') {
    const both = (function* (): Generator<Batch> {
      yield* left;
      yield* executePlan(plan.right, env, batchRowsMax);
    })();
    if (plan.all) yield* both;
    else yield* distinct(both, env);
    return;
  }
  const counts = new Map<RowKey, number>();
  for (const batch of executePlan(plan.right, env, batchRowsMax)) {
    for (let row = 0; row < batch.length; row++) {
      const key = rowKey(batch.columns, row);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    env.reserve(batch.length * 32);
  }
  const emitted = new Set<RowKey>();
  for (const batch of left) {
    const indexes = new Int32Array(batch.length);
    let count = 0;
    for (let row = 0; row < batch.length; row++) {
      const key = rowKey(batch.columns, row);
      const inRight = counts.get(key) ?? 0;
      let emit: boolean;
      if (plan.op === 'intersect') {
        if (plan.all) {
          emit = inRight > 0;
          if (emit) counts.set(key, inRight - 1);
        } else {
          emit = inRight > 0 && !emitted.has(key);
        }
      } else if (plan.all) {
        emit = inRight === 0;
        if (!emit) counts.set(key, inRight - 1);
      } else {
        emit = inRight === 0 && !emitted.has(key);
      }
      if (emit) {
        if (!plan.all) emitted.add(key);
        indexes[count++] = row;
      }
    }
    if (count > 0) yield gatherBatch(batch, indexes, count);
  }
}
