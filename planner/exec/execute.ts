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
import type { Expr } from '../expr/expr.js';
import type { LogicalPlan, SortKey } from '../logical/plan.js';
import { executeAggregate } from './aggregate.js';
import type { ExecutionEnvironment } from './environment.js';
import { evaluate, layoutOf, type Layout } from './evaluate.js';
import { executeJoin } from './join.js';
import { rowKey, type RowKey } from './row-key.js';
import { countRows, selectRows } from './select.js';
import { selectTop, sortOrder, topKCandidates } from './top-k.js';

const EMPTY_LAYOUT: Layout = new Map();
const ONE_ROW: Batch = { length: 1, columns: [] };

/** Evaluate an expression that reads no input column (LIMIT, index lookup values). */
export function evaluateConstant(expr: Expr, env: ExecutionEnvironment): Value {
  return valueAt(evaluate(expr, ONE_ROW, EMPTY_LAYOUT, env), 0);
}

/**
 * The batches of a plan. `lengthOnly`: the consumer reads only each batch's length (a bare
 * COUNT(*)), so scans and filters may hand out batches without columns.
 */
export function executePlan(
  plan: LogicalPlan,
  env: ExecutionEnvironment,
  batchRowsMax: number = limits.batchRowsMax,
  lengthOnly = false,
): Iterable<Batch> {
  const batches = executeNode(plan, env, batchRowsMax, lengthOnly);
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
  lengthOnly: boolean,
): Iterable<Batch> {
  switch (plan.kind) {
    case 'Scan':
      return scan(plan, env, batchRowsMax, lengthOnly);
    case 'Values':
      return values(plan, env);
    case 'Filter':
      return filter(
        executePlan(plan.input, env, batchRowsMax),
        plan.predicate,
        layoutOf(plan.input.output),
        env,
        lengthOnly,
      );
    case 'Project':
      return project(plan, executePlan(plan.input, env, batchRowsMax), env);
    case 'Join':
      return executeJoin(plan, executePlan(plan.left, env, batchRowsMax), env, batchRowsMax);
    case 'Aggregate':
      return executeAggregate(
        plan,
        executePlan(plan.input, env, batchRowsMax, countsRowsOnly(plan)),
        env,
        batchRowsMax,
      );
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

/** Whether an aggregate reads only its input's row count: COUNT(*)s without GROUP BY or FILTER. */
function countsRowsOnly(plan: Extract<LogicalPlan, { kind: 'Aggregate' }>): boolean {
  return (
    plan.groups.length === 0 &&
    plan.aggregates.length > 0 &&
    plan.aggregates.every(
      ({ call }) => call.fn === 'count_star' && call.filter === undefined && !call.distinct,
    )
  );
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
  lengthOnly: boolean,
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
  yield* filter(batches, plan.filter, layout, env, lengthOnly);
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

/**
 * The rows where `predicate` is TRUE. With `lengthOnly` the consumer reads no column (a bare
 * COUNT(*)): batches carry only their length and nothing is gathered.
 */
function* filter(
  input: Iterable<Batch>,
  predicate: Expr,
  layout: Layout,
  env: ExecutionEnvironment,
  lengthOnly = false,
): Generator<Batch> {
  let indexes = new Int32Array(0);
  for (const batch of input) {
    if (lengthOnly) {
      const counted = countRows(predicate, batch, layout, env);
      if (counted !== undefined) {
        if (counted !== 0) yield { length: counted, columns: [] };
        continue;
      }
    }
    if (indexes.length < batch.length) indexes = new Int32Array(batch.length);
    const count = selectRows(predicate, batch, layout, env, indexes);
    if (count === 0) continue;
    if (lengthOnly) yield { length: count, columns: [] };
    else yield count === batch.length ? batch : gatherBatch(batch, indexes, count);
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

function concatBatches(plan: LogicalPlan, first: Batch, second: Batch): Batch {
  return {
    length: first.length + second.length,
    columns: plan.output.map((column, index) =>
      concatVectors(column.type, [first.columns[index]!, second.columns[index]!]),
    ),
  };
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
    all = gatherBatch(all, order, order.length);
  } else {
    // Top-k: each batch's best `keep` rows (a bounded heap, no full sort) merged with the best
    // kept so far; kept rows come first, so ties keep input order. Once `keep` rows are kept,
    // a batch is first narrowed to the rows whose first key can still compete.
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
      const best = selectTop(candidates, keys, keep, layout, env);
      if (best.length === 0) continue;
      const chosen = gatherBatch(candidates, best, best.length);
      if (kept === undefined) {
        kept = chosen;
        continue;
      }
      const merged = concatBatches(inputPlan, kept, chosen);
      const order = selectTop(merged, keys, keep, layout, env);
      kept = gatherBatch(merged, order, order.length);
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
