/**
 * Hash aggregation: each input batch's rows are mapped to group numbers through a hash table on
 * the group key, then every aggregate updates its per-group state column-wise. Without GROUP BY
 * there is exactly one group, even over no rows (count = 0, sum = NULL), as SQL requires.
 *
 * Sums of Int are exact (numbers while they stay within ±2^53, bigints beyond) and typed
 * numeric, as PostgreSQL's sum(int8); avg of Int or Decimal is an exact decimal division.
 */
import {
  addDecimal,
  assertNever,
  divideDecimal,
  normalizeInt,
  type Scalar,
  type Value,
} from '../../common/index.js';
import { valueAt, VectorBuilder, type Batch, type Vector } from '../data/vector.js';
import { PlanError } from '../errors.js';
import { compareScalars } from '../expr/compare.js';
import type { AggregateCall, LogicalPlan } from '../logical/plan.js';
import type { ExecutionEnvironment } from './environment.js';
import { evaluate, layoutOf } from './evaluate.js';
import { rowKey, type RowKey } from './row-key.js';

type AggregatePlan = Extract<LogicalPlan, { kind: 'Aggregate' }>;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function checkedInt(value: number | bigint): number | bigint {
  if (typeof value === 'number') return value;
  if (value < INT64_MIN || value > INT64_MAX)
    throw new PlanError('E_SQL_OUT_OF_RANGE', 'bigint out of range');
  return normalizeInt(value);
}

/** Per-group state of one aggregate call. */
class Accumulator {
  private readonly counts: number[] = [];
  private readonly sums: (number | bigint | string | null)[] = [];
  private readonly extremes: Value[] = [];
  private readonly flags: (boolean | null)[] = [];
  private readonly parts: string[][] = [];
  private readonly seen: Set<RowKey>[] = [];

  constructor(private readonly call: AggregateCall) {}

  /** Whether this group saw `value` before (COUNT(DISTINCT …)); records it. */
  private duplicate(group: number, value: Value): boolean {
    let set = this.seen[group];
    if (set === undefined) {
      set = new Set();
      this.seen[group] = set;
    }
    const key = typeof value === 'number' && value === 0 ? 0 : value;
    if (set.has(key)) return true;
    set.add(key);
    return false;
  }

  update(
    groups: Int32Array,
    length: number,
    arg: Vector | undefined,
    filter: Vector | undefined,
    separator: Vector | undefined,
  ): void {
    const call = this.call;
    for (let row = 0; row < length; row++) {
      if (filter !== undefined && valueAt(filter, row) !== true) continue;
      const group = groups[row]!;
      if (call.fn === 'count_star') {
        this.counts[group] = (this.counts[group] ?? 0) + 1;
        continue;
      }
      const value = arg === undefined ? null : valueAt(arg, row);
      if (value === null) continue;
      if (call.distinct && this.duplicate(group, value)) continue;
      this.add(group, value, separator === undefined ? null : valueAt(separator, row));
    }
  }

  private add(group: number, value: Scalar, separator: Value): void {
    const call = this.call;
    switch (call.fn) {
      case 'count':
      case 'count_star':
        this.counts[group] = (this.counts[group] ?? 0) + 1;
        return;
      case 'sum':
      case 'avg': {
        this.counts[group] = (this.counts[group] ?? 0) + 1;
        const current = this.sums[group] ?? null;
        const argType = call.arg?.type;
        if (argType === 'Float') {
          this.sums[group] = ((current as number | null) ?? 0) + (value as number);
        } else if (argType === 'Decimal') {
          this.sums[group] =
            current === null ? (value as string) : addDecimal(current as string, value as string);
        } else {
          const previous = (current as number | bigint | null) ?? 0;
          if (typeof previous === 'number' && typeof value === 'number') {
            const next = previous + value;
            this.sums[group] = Number.isSafeInteger(next) ? next : BigInt(previous) + BigInt(value);
          } else {
            this.sums[group] = BigInt(previous) + BigInt(value as number | bigint);
          }
        }
        return;
      }
      case 'min':
      case 'max': {
        const current = this.extremes[group] ?? null;
        const type = call.type;
        if (current === null) this.extremes[group] = value;
        else {
          const order = compareScalars(type, value, current);
          if (call.fn === 'min' ? order < 0 : order > 0) this.extremes[group] = value;
        }
        return;
      }
      case 'bool_and':
      case 'bool_or': {
        const current = this.flags[group] ?? null;
        this.flags[group] =
          current === null
            ? (value as boolean)
            : call.fn === 'bool_and'
              ? current && (value as boolean)
              : current || (value as boolean);
        return;
      }
      case 'string_agg': {
        let list = this.parts[group];
        if (list === undefined) {
          list = [];
          this.parts[group] = list;
        } else if (separator !== null) list.push(separator as string);
        list.push(value as string);
        return;
      }
      default:
        return assertNever(call.fn, 'aggregate');
    }
  }

  finish(group: number): Value {
    const call = this.call;
    switch (call.fn) {
      case 'count':
      case 'count_star':
        return this.counts[group] ?? 0;
      case 'sum': {
        // SQL's sum(int8) is numeric; the CQL compact dialect's SUM(Int) is Int (checked range).
        const sum = this.sums[group] ?? null;
        if (sum === null) return null;
        if (call.type === 'Decimal') return String(sum);
        if (call.type === 'Int') return checkedInt(sum as number | bigint);
        return Number(sum);
      }
      case 'avg': {
        const sum = this.sums[group] ?? null;
        const count = this.counts[group] ?? 0;
        if (sum === null || count === 0) return null;
        if (call.type === 'Float') return Number(sum) / count;
        return divideDecimal(String(sum), String(count));
      }
      case 'min':
      case 'max':
        return this.extremes[group] ?? null;
      case 'bool_and':
      case 'bool_or':
        return this.flags[group] ?? null;
      case 'string_agg': {
        const list = this.parts[group];
        return list === undefined ? null : list.join('');
      }
      default:
        return assertNever(call.fn, 'aggregate');
    }
  }
}

export function* executeAggregate(
  plan: AggregatePlan,
  input: Iterable<Batch>,
  env: ExecutionEnvironment,
  batchRowsMax: number,
): Generator<Batch> {
  const layout = layoutOf(plan.input.output);
  const groupIndex = new Map<RowKey, number>();
  const groupValues: Value[][] = plan.groups.map(() => []);
  const accumulators = plan.aggregates.map((aggregate) => new Accumulator(aggregate.call));
  let groupCount = 0;
  if (plan.groups.length === 0) groupCount = 1;
  for (const batch of input) {
    const length = batch.length;
    const groups = new Int32Array(length);
    if (plan.groups.length > 0) {
      const keys = plan.groups.map((group) => evaluate(group.expr, batch, layout, env));
      for (let row = 0; row < length; row++) {
        const key = rowKey(keys, row);
        let index = groupIndex.get(key);
        if (index === undefined) {
          index = groupCount++;
          groupIndex.set(key, index);
          keys.forEach((vector, column) => groupValues[column]!.push(valueAt(vector, row)));
          if ((groupCount & 1023) === 0)
            env.reserve(1024 * (64 + 16 * (plan.groups.length + plan.aggregates.length)));
        }
        groups[row] = index;
      }
    }
    plan.aggregates.forEach((aggregate, index) => {
      const call = aggregate.call;
      const arg = call.arg === undefined ? undefined : evaluate(call.arg, batch, layout, env);
      const filter =
        call.filter === undefined ? undefined : evaluate(call.filter, batch, layout, env);
      const separator =
        call.separator === undefined ? undefined : evaluate(call.separator, batch, layout, env);
      accumulators[index]!.update(groups, length, arg, filter, separator);
    });
  }
  for (let start = 0; start < groupCount; start += batchRowsMax) {
    const end = Math.min(groupCount, start + batchRowsMax);
    const columns: Vector[] = [];
    plan.groups.forEach((group, column) => {
      const builder = new VectorBuilder(group.expr.type, Math.max(8, end - start));
      for (let index = start; index < end; index++)
        builder.append(groupValues[column]![index] ?? null);
      columns.push(builder.finish());
    });
    plan.aggregates.forEach((aggregate, column) => {
      const builder = new VectorBuilder(aggregate.call.type, Math.max(8, end - start));
      for (let index = start; index < end; index++)
        builder.append(accumulators[column]!.finish(index));
      columns.push(builder.finish());
    });
    yield { length: end - start, columns };
  }
}
