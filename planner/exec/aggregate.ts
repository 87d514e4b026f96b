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

/** count(*) without FILTER: the number of rows of each group. */
function isPlainCountStar(call: AggregateCall): boolean {
  return call.fn === 'count_star' && call.filter === undefined;
}

// The hottest loops are functions of their own: each is optimised for the one shape it sees.

/** count(*) per group. */
function countRows(groups: Int32Array, length: number, counts: Float64Array): void {
  for (let row = 0; row < length; row++) counts[groups[row]!]!++;
}

/** Count and sum per group of a number vector without NULLs. */
function sumFloats(
  groups: Int32Array,
  length: number,
  values: Float64Array,
  counts: Float64Array,
  sums: Float64Array,
): void {
  for (let row = 0; row < length; row++) {
    const group = groups[row]!;
    counts[group]!++;
    sums[group]! += values[row]!;
  }
}

/**
 * `a < b` and `a > b` in PostgreSQL's float8 order, where NaN is above every number (min and
 * max over numbers): the NaN tests run only when the plain comparison fails.
 */
function isLess(a: number, b: number): boolean {
  return a < b || (Number.isNaN(b) && !Number.isNaN(a));
}

function isGreater(a: number, b: number): boolean {
  return a > b || (Number.isNaN(a) && !Number.isNaN(b));
}

/**
 * Grouping and summing in one loop: from row `start`, each row's key finds its group in the
 * dense array and the group's count and sum take the row's value. Returns the first row whose
 * key has no dense group yet (`length` when none), for the caller to create it and go on.
 */
function sumByDenseKeys(
  keys: Float64Array,
  values: Float64Array,
  start: number,
  length: number,
  dense: Int32Array,
  counts: Float64Array,
  sums: Float64Array,
): number {
  for (let row = start; row < length; row++) {
    const group = dense[keys[row]!]!;
    if (!(group >= 0)) return row;
    counts[group]!++;
    sums[group]! += values[row]!;
  }
  return length;
}

/**
 * Per-group state of one aggregate call. Counts and number sums live in typed arrays that grow
 * (doubling) as groups appear (`grow`), so the hot loops over number vectors index packed
 * doubles; values other than numbers (decimals, strings, bigints) take the general path into
 * the same state.
 */
class Accumulator {
  /** Non-null inputs (count, and whether sum/avg/min/max saw a value). */
  private counts = new Float64Array(16);
  /** Float sums, and Int sums while they stay within ±2^53. */
  private sums = new Float64Array(16);
  /** Int sums past ±2^53, exact. */
  private readonly bigSums = new Map<number, bigint>();
  private readonly decimalSums: (string | null)[] = [];
  private readonly extremes: Value[] = [];
  private readonly flags: (boolean | null)[] = [];
  private readonly parts: (string[] | undefined)[] = [];
  private readonly seen: (Set<RowKey> | undefined)[] = [];
  /** string_agg … ORDER BY: each group's values with their sort keys, ordered at the end. */
  private readonly orderedParts: (
    { keys: Value[]; value: string; separator: Value }[] | undefined
  )[] = [];
  private size = 0;

  constructor(private readonly call: AggregateCall) {}

  grow(groupCount: number): void {
    if (groupCount > this.counts.length) {
      let capacity = this.counts.length * 2;
      while (capacity < groupCount) capacity *= 2;
      const counts = new Float64Array(capacity);
      counts.set(this.counts);
      this.counts = counts;
      const sums = new Float64Array(capacity);
      sums.set(this.sums);
      this.sums = sums;
    }
    if (this.size >= groupCount) return;
    // Only the state this call uses grows (a high-cardinality count grows nothing here).
    const fn = this.call.fn;
    const from = this.size;
    const pad = <T>(array: T[], value: T): void => {
      for (let group = from; group < groupCount; group++) array.push(value);
    };
    if (this.call.arg?.type === 'Decimal') pad(this.decimalSums, null);
    if (fn === 'min' || fn === 'max') pad(this.extremes, null);
    if (fn === 'bool_and' || fn === 'bool_or') pad(this.flags, null);
    if (fn === 'string_agg') {
      pad(this.parts, undefined);
      pad(this.orderedParts, undefined);
    }
    if (this.call.distinct) pad(this.seen, undefined);
    this.size = groupCount;
  }

  /**
   * Whether `update` with these inputs adds one to the count of every row's group: count, sum
   * and avg of a number vector without NULLs, FILTER or DISTINCT (the typed-array path).
   */
  countsEveryRow(arg: Vector | undefined, filter: Vector | undefined): boolean {
    const call = this.call;
    return (
      (call.fn === 'count' || call.fn === 'sum' || call.fn === 'avg') &&
      filter === undefined &&
      !call.distinct &&
      (call.orderBy?.length ?? 0) === 0 &&
      arg !== undefined &&
      arg.kind === 'number' &&
      arg.validity === undefined
    );
  }

  /** `sumByDenseKeys` into this call's counts and sums (see there). */
  sumByDenseKeys(
    keys: Float64Array,
    values: Float64Array,
    start: number,
    length: number,
    dense: Int32Array,
  ): number {
    return sumByDenseKeys(keys, values, start, length, dense, this.counts, this.sums);
  }

  /** One row's value into a group's count and sum (the fused loop's slow step). */
  addToSum(group: number, value: number): void {
    this.counts[group]!++;
    this.sums[group]! += value;
  }

  /** A copy of the counts of groups 0 … groupCount − 1. */
  countsUpTo(groupCount: number): Float64Array {
    return this.counts.slice(0, groupCount);
  }

  /** Add what `other`'s counts gained since `before` (a plain count(*) borrowing them). */
  addCounts(other: Accumulator, before: Float64Array, groupCount: number): void {
    const counts = this.counts;
    const after = other.counts;
    for (let group = 0; group < groupCount; group++) {
      // Groups created after `before` was taken started from 0.
      counts[group]! += after[group]! - (before[group] ?? 0);
    }
  }

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
    orderKeys: readonly Vector[] = [],
  ): void {
    const call = this.call;
    if (call.fn === 'string_agg' && orderKeys.length > 0) {
      for (let row = 0; row < length; row++) {
        if (filter !== undefined && valueAt(filter, row) !== true) continue;
        const value = arg === undefined ? null : valueAt(arg, row);
        if (value === null) continue;
        const group = groups[row]!;
        let list = this.orderedParts[group];
        if (list === undefined) {
          list = [];
          this.orderedParts[group] = list;
        }
        list.push({
          keys: orderKeys.map((vector) => valueAt(vector, row)),
          value: value as string,
          separator: separator === undefined ? null : valueAt(separator, row),
        });
      }
      return;
    }
    if (filter === undefined && !call.distinct) {
      if (call.fn === 'count_star') {
        countRows(groups, length, this.counts);
        return;
      }
      if (arg !== undefined && arg.kind === 'number' && this.fastNumbers(groups, length, arg))
        return;
    }
    for (let row = 0; row < length; row++) {
      if (filter !== undefined && valueAt(filter, row) !== true) continue;
      const group = groups[row]!;
      if (call.fn === 'count_star') {
        this.counts[group]!++;
        continue;
      }
      const value = arg === undefined ? null : valueAt(arg, row);
      if (value === null) continue;
      if (call.distinct && this.duplicate(group, value)) continue;
      this.add(group, value, separator === undefined ? null : valueAt(separator, row));
    }
  }

  /** count/sum/avg/min/max over a number vector without FILTER or DISTINCT. */
  /**
   * Without GROUP BY: one group, so count/sum/avg/min/max over a number vector (no FILTER, no
   * DISTINCT) fold into locals. Returns false when the general path must run.
   */
  updateUngrouped(length: number, arg: Vector | undefined, filter: Vector | undefined): boolean {
    const call = this.call;
    if (filter !== undefined || call.distinct) return false;
    if (call.fn === 'count_star') {
      this.counts[0] = this.counts[0]! + length;
      return true;
    }
    if (arg === undefined || arg.kind !== 'number') return false;
    const values = arg.values;
    const validity = arg.validity;
    const valid = (row: number): boolean =>
      validity === undefined || (validity[row >>> 3]! & (1 << (row & 7))) !== 0;
    switch (call.fn) {
      case 'count': {
        let count = 0;
        for (let row = 0; row < length; row++) if (valid(row)) count++;
        this.counts[0] = this.counts[0]! + count;
        return true;
      }
      case 'sum':
      case 'avg': {
        const exactInt = call.arg?.type === 'Int';
        if (exactInt && this.bigSums.size > 0) return false;
        let sum = 0;
        // The sum of absolute values bounds every partial sum: below 2^53 all were exact.
        let magnitude = 0;
        let count = length;
        if (validity === undefined) {
          if (exactInt) {
            for (let row = 0; row < length; row++) {
              const value = values[row]!;
              sum += value;
              magnitude += Math.abs(value);
            }
          } else {
            for (let row = 0; row < length; row++) sum += values[row]!;
          }
        } else {
          count = 0;
          for (let row = 0; row < length; row++) {
            if ((validity[row >>> 3]! & (1 << (row & 7))) === 0) continue;
            const value = values[row]!;
            sum += value;
            magnitude += Math.abs(value);
            count++;
          }
        }
        const previous = this.sums[0]!;
        // Int sums must stay exact: if a partial sum may have left ±2^53 the general path redoes
        // the batch in bigints.
        if (exactInt && !(Math.abs(previous) + magnitude < Number.MAX_SAFE_INTEGER)) return false;
        this.sums[0] = previous + sum;
        this.counts[0] = this.counts[0]! + count;
        return true;
      }
      case 'min':
      case 'max': {
        let best = this.extremes[0] ?? null;
        const isMin = call.fn === 'min';
        for (let row = 0; row < length; row++) {
          if (validity !== undefined && !valid(row)) continue;
          const value = values[row]!;
          if (
            best === null ||
            (isMin ? isLess(value, best as number) : isGreater(value, best as number))
          )
            best = value;
        }
        this.extremes[0] = best;
        return true;
      }
      default:
        return false;
    }
  }

  private fastNumbers(
    groups: Int32Array,
    length: number,
    arg: Extract<Vector, { kind: 'number' }>,
  ): boolean {
    const fn = this.call.fn;
    const values = arg.values;
    const validity = arg.validity;
    const counts = this.counts;
    switch (fn) {
      case 'count':
        for (let row = 0; row < length; row++) {
          if (validity === undefined || (validity[row >>> 3]! & (1 << (row & 7))) !== 0)
            counts[groups[row]!]!++;
        }
        return true;
      case 'sum':
      case 'avg': {
        const sums = this.sums;
        if (this.call.arg?.type !== 'Int') {
          if (validity === undefined) {
            sumFloats(groups, length, values, counts, sums);
            return true;
          }
          for (let row = 0; row < length; row++) {
            if (validity !== undefined && (validity[row >>> 3]! & (1 << (row & 7))) === 0) continue;
            const group = groups[row]!;
            counts[group]!++;
            sums[group] = sums[group]! + values[row]!;
          }
          return true;
        }
        const bigSums = this.bigSums;
        for (let row = 0; row < length; row++) {
          if (validity !== undefined && (validity[row >>> 3]! & (1 << (row & 7))) === 0) continue;
          const group = groups[row]!;
          const value = values[row]!;
          counts[group]!++;
          if (bigSums.size !== 0) {
            const big = bigSums.get(group);
            if (big !== undefined) {
              bigSums.set(group, big + BigInt(value));
              continue;
            }
          }
          const next = sums[group]! + value;
          if (next > Number.MAX_SAFE_INTEGER || next < -Number.MAX_SAFE_INTEGER) {
            bigSums.set(group, BigInt(sums[group]!) + BigInt(value));
            continue;
          }
          sums[group] = next;
        }
        return true;
      }
      case 'min':
      case 'max': {
        const extremes = this.extremes;
        const isMin = fn === 'min';
        for (let row = 0; row < length; row++) {
          if (validity !== undefined && (validity[row >>> 3]! & (1 << (row & 7))) === 0) continue;
          const group = groups[row]!;
          const value = values[row]!;
          const current = extremes[group] ?? null;
          if (
            current === null ||
            (isMin ? isLess(value, current as number) : isGreater(value, current as number))
          ) {
            extremes[group] = value;
          }
        }
        return true;
      }
      default:
        return false;
    }
  }

  private add(group: number, value: Scalar, separator: Value): void {
    const call = this.call;
    switch (call.fn) {
      case 'count':
      case 'count_star':
        this.counts[group]!++;
        return;
      case 'sum':
      case 'avg': {
        this.counts[group]!++;
        const argType = call.arg?.type;
        if (argType === 'Float') {
          this.sums[group] = this.sums[group]! + (value as number);
        } else if (argType === 'Decimal') {
          const current = this.decimalSums[group] ?? null;
          this.decimalSums[group] =
            current === null ? (value as string) : addDecimal(current, value as string);
        } else {
          const big = this.bigSums.get(group);
          const previous = this.sums[group]!;
          if (
            big === undefined &&
            typeof value === 'number' &&
            Number.isSafeInteger(previous + value)
          ) {
            this.sums[group] = previous + value;
          } else {
            this.bigSums.set(group, (big ?? BigInt(previous)) + BigInt(value as number | bigint));
          }
        }
        return;
      }
      case 'min':
      case 'max': {
        const current = this.extremes[group] ?? null;
        if (current === null) this.extremes[group] = value;
        else {
          const order = compareScalars(call.arg?.type ?? call.type, value, current);
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

  /** The exact sum of a group (number, bigint or decimal text), or null with no input. */
  private sum(group: number): number | bigint | string | null {
    if ((this.counts[group] ?? 0) === 0) return null;
    const argType = this.call.arg?.type;
    if (argType === 'Decimal') return this.decimalSums[group] ?? null;
    if (argType === 'Float') {
      // PostgreSQL's sum and avg of float8 fail on overflow (float8pl, float8_accum) rather
      // than return Infinity, which JSON and catrust's Float cannot hold. A NaN sum (a NaN
      // input) stays NaN, as there.
      const total = this.sums[group] ?? 0;
      if (total === Infinity || total === -Infinity) {
        throw new PlanError('E_SQL_OUT_OF_RANGE', 'value out of range: overflow');
      }
      return total;
    }
    return this.bigSums.get(group) ?? this.sums[group] ?? 0;
  }

  finish(group: number): Value {
    const call = this.call;
    switch (call.fn) {
      case 'count':
      case 'count_star':
        return this.counts[group] ?? 0;
      case 'sum': {
        // SQL's sum(int8) is numeric; the CQL compact dialect's SUM(Int) is Int (checked range).
        const sum = this.sum(group);
        if (sum === null) return null;
        if (call.type === 'Decimal') return String(sum);
        if (call.type === 'Int') return checkedInt(sum as number | bigint);
        return Number(sum);
      }
      case 'avg': {
        const sum = this.sum(group);
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
        const ordered = this.orderedParts[group];
        if (ordered !== undefined) return this.joinOrdered(ordered);
        const list = this.parts[group];
        return list === undefined ? null : list.join('');
      }
      default:
        return assertNever(call.fn, 'aggregate');
    }
  }

  private joinOrdered(entries: { keys: Value[]; value: string; separator: Value }[]): string {
    const keys = this.call.orderBy ?? [];
    const sorted = entries
      .map((entry, index) => ({ entry, index }))
      .sort((a, b) => {
        for (let position = 0; position < keys.length; position++) {
          const key = keys[position]!;
          const x = a.entry.keys[position] ?? null;
          const y = b.entry.keys[position] ?? null;
          if (x === null || y === null) {
            if (x === y) continue;
            return (x === null) === key.nullsFirst ? -1 : 1;
          }
          const order = compareScalars(key.expr.type, x, y);
          if (order !== 0) return key.descending ? -order : order;
        }
        return a.index - b.index;
      });
    let text = '';
    sorted.forEach(({ entry }, index) => {
      if (index > 0 && entry.separator !== null) text += entry.separator as string;
      text += entry.value;
    });
    return text;
  }
}

/** Largest integer key (exclusive) grouped through a dense array (4 MB at most). */
const DENSE_KEYS_MAX = 1 << 20;

type GroupLookup = (value: RowKey) => number;

/** Dictionary strings: a code → group cache, so each dictionary entry is looked up once. */
function assignDictionaryKeys(
  key: Extract<Vector, { kind: 'dict' }>,
  length: number,
  groups: Int32Array,
  lookup: GroupLookup,
  dictionaryCache: WeakMap<readonly string[], Int32Array>,
): void {
  let cache = dictionaryCache.get(key.dictionary);
  if (cache === undefined || cache.length < key.dictionary.length) {
    const grown = new Int32Array(key.dictionary.length).fill(-1);
    if (cache !== undefined) grown.set(cache);
    cache = grown;
    dictionaryCache.set(key.dictionary, cache);
  }
  const codes = key.codes;
  const validity = key.validity;
  let nullGroup = -1;
  for (let row = 0; row < length; row++) {
    if (validity !== undefined && (validity[row >>> 3]! & (1 << (row & 7))) === 0) {
      if (nullGroup < 0) nullGroup = lookup(null);
      groups[row] = nullGroup;
      continue;
    }
    const code = codes[row]!;
    let group = cache[code]!;
    if (group < 0) {
      group = lookup(key.dictionary[code]!);
      cache[code] = group;
    }
    groups[row] = group;
  }
}

/** A foreign key's row ids straight from the store: integer indexes, no Float64 copy. */
function assignRowIdKeys(
  rowIds: Uint32Array,
  validity: Uint8Array | undefined,
  length: number,
  groups: Int32Array,
  lookup: GroupLookup,
  denseKeys: { groups: Int32Array },
): void {
  let dense = denseKeys.groups;
  let nullGroup = -1;
  for (let row = 0; row < length; row++) {
    if (validity !== undefined && (validity[row >>> 3]! & (1 << (row & 7))) === 0) {
      if (nullGroup < 0) nullGroup = lookup(null);
      groups[row] = nullGroup;
      continue;
    }
    const id = rowIds[row]!;
    const group = dense[id]!;
    // Past the end of the dense array the read is undefined, which `>= 0` rejects too.
    if (group >= 0) {
      groups[row] = group;
      continue;
    }
    groups[row] = lookup(id);
    dense = denseKeys.groups;
  }
}

/**
 * Number keys without NULLs. A typed array read at a fraction, a negative number or past the
 * end is undefined, and `undefined >= 0` is false: such keys take the lookup.
 */
function assignNumberKeys(
  values: Float64Array,
  length: number,
  groups: Int32Array,
  lookup: GroupLookup,
  denseKeys: { groups: Int32Array },
): void {
  let dense = denseKeys.groups;
  for (let row = 0; row < length; row++) {
    const value = values[row]!;
    const group = dense[value]!;
    if (group >= 0) {
      groups[row] = group;
      continue;
    }
    groups[row] = lookup(value + 0);
    dense = denseKeys.groups;
  }
}

/** Number keys with NULLs (one NULL group). */
function assignNullableNumberKeys(
  values: Float64Array,
  validity: Uint8Array,
  length: number,
  groups: Int32Array,
  lookup: GroupLookup,
  denseKeys: { groups: Int32Array },
): void {
  let dense = denseKeys.groups;
  let nullGroup = -1;
  for (let row = 0; row < length; row++) {
    if ((validity[row >>> 3]! & (1 << (row & 7))) === 0) {
      if (nullGroup < 0) nullGroup = lookup(null);
      groups[row] = nullGroup;
      continue;
    }
    const value = values[row]!;
    const group = dense[value]!;
    if (group >= 0) {
      groups[row] = group;
      continue;
    }
    groups[row] = lookup(value + 0);
    dense = denseKeys.groups;
  }
}

/**
 * Group numbers of a batch's rows through one key vector, without building row keys: `lookup`
 * gives a value's group (non-negative integers below DENSE_KEYS_MAX land in `denseKeys`, which
 * the loops read first). False when the vector's kind has no such path.
 */
function assignSingleKey(
  key: Vector,
  length: number,
  groups: Int32Array,
  lookup: GroupLookup,
  dictionaryCache: WeakMap<readonly string[], Int32Array>,
  denseKeys: { groups: Int32Array },
): boolean {
  if (key.kind === 'dict') {
    assignDictionaryKeys(key, length, groups, lookup, dictionaryCache);
    return true;
  }
  if (key.kind !== 'number') return false;
  if (key.rowIds !== undefined) {
    assignRowIdKeys(key.rowIds, key.validity, length, groups, lookup, denseKeys);
  } else if (key.validity === undefined) {
    assignNumberKeys(key.values, length, groups, lookup, denseKeys);
  } else {
    assignNullableNumberKeys(key.values, key.validity, length, groups, lookup, denseKeys);
  }
  return true;
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
  for (const accumulator of accumulators) accumulator.grow(groupCount);
  const dictionaryCache = new WeakMap<readonly string[], Int32Array>();
  const denseKeys = { groups: new Int32Array(1024).fill(-1) };
  let keyVectors: Vector[] = [];
  let currentRow = 0;
  let groupBuffer = new Int32Array(0);
  const lookup = (key: RowKey): number => {
    let index = groupIndex.get(key);
    if (index === undefined) {
      index = groupCount++;
      groupIndex.set(key, index);
      keyVectors.forEach((vector, column) =>
        groupValues[column]!.push(valueAt(vector, currentRow)),
      );
      if ((groupCount & 1023) === 0) {
        env.reserve(1024 * (64 + 16 * (plan.groups.length + plan.aggregates.length)));
      }
    }
    return index;
  };
  const newSingleKeyGroup = (key: RowKey): number => {
    const group = groupCount++;
    groupValues[0]!.push(key);
    if ((groupCount & 1023) === 0) env.reserve(1024 * (64 + 16 * (1 + plan.aggregates.length)));
    return group;
  };
  /**
   * The group of a single key's value (its row key: 0 for -0): non-negative integers below
   * DENSE_KEYS_MAX through the dense array (grown to hold them), other values through the hash
   * table. Every path of a single key goes through here, so one value has one group.
   */
  const singleKeyGroup = (key: RowKey): number => {
    if (typeof key === 'number' && key >= 0 && key < DENSE_KEYS_MAX && (key | 0) === key) {
      let dense = denseKeys.groups;
      if (key >= dense.length) {
        let size = dense.length * 2;
        while (size <= key) size *= 2;
        const grown = new Int32Array(Math.min(size, DENSE_KEYS_MAX)).fill(-1);
        grown.set(dense);
        denseKeys.groups = grown;
        dense = grown;
      }
      let group = dense[key]!;
      if (group < 0) {
        group = newSingleKeyGroup(key);
        dense[key] = group;
      }
      return group;
    }
    let group = groupIndex.get(key);
    if (group === undefined) {
      group = newSingleKeyGroup(key);
      groupIndex.set(key, group);
    }
    return group;
  };
  // GROUP BY one key with count(*)s and one sum or avg of a Float: when a batch's key and value
  // have no NULLs and groups are few, grouping and summing run as one loop (sumByDenseKeys).
  const summing = plan.aggregates.findIndex(({ call }) => !isPlainCountStar(call));
  const fusedCall = summing < 0 ? undefined : plan.aggregates[summing]!.call;
  const fusable =
    plan.groups.length === 1 &&
    fusedCall !== undefined &&
    (fusedCall.fn === 'sum' || fusedCall.fn === 'avg') &&
    fusedCall.arg?.type === 'Float' &&
    fusedCall.filter === undefined &&
    !fusedCall.distinct &&
    (fusedCall.orderBy?.length ?? 0) === 0 &&
    plan.aggregates.every(({ call }, index) => index === summing || isPlainCountStar(call));
  for (const batch of input) {
    const length = batch.length;
    if (fusable && groupCount * 8 <= length) {
      const key = evaluate(plan.groups[0]!.expr, batch, layout, env);
      const arg = evaluate(fusedCall.arg!, batch, layout, env);
      if (
        key.kind === 'number' &&
        key.validity === undefined &&
        key.rowIds === undefined &&
        arg.kind === 'number' &&
        arg.validity === undefined
      ) {
        const summer = accumulators[summing]!;
        for (const accumulator of accumulators) accumulator.grow(groupCount);
        const before = summer.countsUpTo(groupCount);
        const keys = key.values;
        const values = arg.values;
        let row = 0;
        while (row < length) {
          row = summer.sumByDenseKeys(keys, values, row, length, denseKeys.groups);
          if (row === length) break;
          const group = singleKeyGroup(keys[row]! + 0);
          for (const accumulator of accumulators) accumulator.grow(groupCount);
          summer.addToSum(group, values[row]!);
          row++;
        }
        accumulators.forEach((accumulator, index) => {
          if (index !== summing) accumulator.addCounts(summer, before, groupCount);
        });
        continue;
      }
    }
    // One group-number buffer for every batch (without GROUP BY it stays all zeros).
    if (groupBuffer.length < length) groupBuffer = new Int32Array(length);
    const groups = groupBuffer;
    if (plan.groups.length > 0) {
      keyVectors = plan.groups.map((group) => evaluate(group.expr, batch, layout, env));
      const single = keyVectors.length === 1 ? keyVectors[0]! : undefined;
      if (single !== undefined) {
        if (!assignSingleKey(single, length, groups, singleKeyGroup, dictionaryCache, denseKeys)) {
          for (let row = 0; row < length; row++)
            groups[row] = singleKeyGroup(rowKey(keyVectors, row));
        }
      } else {
        for (let row = 0; row < length; row++) {
          currentRow = row;
          groups[row] = lookup(rowKey(keyVectors, row));
        }
      }
    }
    for (const accumulator of accumulators) accumulator.grow(groupCount);
    // Few groups for many rows: a plain count(*) takes its counts from a sibling count/sum/avg
    // that counted every row of this batch (the difference of its counts, one step per group)
    // instead of a pass over the rows of its own.
    const borrowCounts = plan.groups.length > 0 && groupCount * 8 <= length;
    const deferred: Accumulator[] = [];
    let counter: { accumulator: Accumulator; before: Float64Array } | undefined;
    plan.aggregates.forEach((aggregate, index) => {
      const call = aggregate.call;
      const accumulator = accumulators[index]!;
      if (borrowCounts && isPlainCountStar(call)) {
        deferred.push(accumulator);
        return;
      }
      const arg = call.arg === undefined ? undefined : evaluate(call.arg, batch, layout, env);
      const filter =
        call.filter === undefined ? undefined : evaluate(call.filter, batch, layout, env);
      const separator =
        call.separator === undefined ? undefined : evaluate(call.separator, batch, layout, env);
      if (plan.groups.length === 0 && accumulator.updateUngrouped(length, arg, filter)) return;
      if (borrowCounts && counter === undefined && accumulator.countsEveryRow(arg, filter)) {
        counter = { accumulator, before: accumulator.countsUpTo(groupCount) };
      }
      const orderKeys = (call.orderBy ?? []).map((key) => evaluate(key.expr, batch, layout, env));
      accumulator.update(groups, length, arg, filter, separator, orderKeys);
    });
    for (const accumulator of deferred) {
      if (counter === undefined)
        accumulator.update(groups, length, undefined, undefined, undefined);
      else accumulator.addCounts(counter.accumulator, counter.before, groupCount);
    }
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
