/**
 * Joins. The right input is materialised (the build side); conjuncts `l = r` whose sides read
 * only one input each become hash keys, the rest is a residual predicate evaluated on candidate
 * pairs. Without keys it is a nested loop in chunks. Inner, left, full, cross, semi and anti
 * joins share the pair-producing loop; NULL keys never match.
 */
import { assertNever } from '../../common/index.js';
import { gather, gatherOrNull, valueAt, type Batch, type Vector } from '../data/vector.js';
import { columnsOf, conjuncts, type ColumnId, type Expr } from '../expr/expr.js';
import type { LogicalPlan } from '../logical/plan.js';
import type { ExecutionEnvironment } from './environment.js';
import { evaluate, layoutOf } from './evaluate.js';
import { rowHasNull, rowKey, type RowKey } from './row-key.js';
import { materialize } from './subquery.js';

type JoinPlan = Extract<LogicalPlan, { kind: 'Join' }>;

interface JoinKeys {
  readonly left: Expr[];
  readonly right: Expr[];
  readonly residual: Expr[];
}

function subsetOf(ids: ReadonlySet<ColumnId>, of: ReadonlySet<ColumnId>): boolean {
  if (ids.size === 0) return false;
  for (const id of ids) if (!of.has(id)) return false;
  return true;
}

export function splitJoinCondition(plan: JoinPlan): JoinKeys {
  const keys: JoinKeys = { left: [], right: [], residual: [] };
  const foreignKey = plan.foreignKey;
  if (foreignKey !== undefined) {
    // The foreign-key rule moved `fk = id` out of the condition: it is a key pair.
    const leftColumn = plan.left.output.find((column) => column.id === foreignKey.leftColumn);
    const rightColumn = plan.right.output.find((column) => column.id === foreignKey.rightId);
    if (leftColumn !== undefined && rightColumn !== undefined) {
      keys.left.push({
        kind: 'Column',
        id: leftColumn.id,
        type: leftColumn.type,
        name: leftColumn.name,
      });
      keys.right.push({
        kind: 'Column',
        id: rightColumn.id,
        type: rightColumn.type,
        name: rightColumn.name,
      });
    }
  }
  if (plan.condition === undefined) return keys;
  const leftIds = new Set(plan.left.output.map((column) => column.id));
  const rightIds = new Set(plan.right.output.map((column) => column.id));
  for (const conjunct of conjuncts(plan.condition)) {
    if (conjunct.kind === 'Compare' && conjunct.op === '=') {
      const a = columnsOf(conjunct.left);
      const b = columnsOf(conjunct.right);
      if (subsetOf(a, leftIds) && subsetOf(b, rightIds)) {
        keys.left.push(conjunct.left);
        keys.right.push(conjunct.right);
        continue;
      }
      if (subsetOf(a, rightIds) && subsetOf(b, leftIds)) {
        keys.left.push(conjunct.right);
        keys.right.push(conjunct.left);
        continue;
      }
    }
    keys.residual.push(conjunct);
  }
  return keys;
}

export function executeJoin(
  plan: JoinPlan,
  leftInput: Iterable<Batch>,
  env: ExecutionEnvironment,
  batchRowsMax: number,
): Iterable<Batch> {
  const right = plan.right;
  if (
    plan.foreignKey !== undefined &&
    right.kind === 'Scan' &&
    right.access.kind === 'full' &&
    (plan.joinType === 'inner' || plan.joinType === 'left')
  ) {
    return foreignKeyJoin(plan, right, leftInput, env);
  }
  return hashJoin(plan, leftInput, env, batchRowsMax);
}

/**
 * Follow a foreign key: the right side (a scan of the target, its filter applied) is read once
 * into columns with a row id → position table, then each left batch gathers the target's
 * columns at the ids its key column holds. A NULL, dangling or filtered-out id is no match
 * (NULL-extended in a left join). No hashing: a lookup is an array read.
 */
function* foreignKeyJoin(
  plan: JoinPlan,
  right: Extract<LogicalPlan, { kind: 'Scan' }>,
  leftInput: Iterable<Batch>,
  env: ExecutionEnvironment,
): Generator<Batch> {
  const foreignKey = plan.foreignKey!;
  const leftLayout = layoutOf(plan.left.output);
  const pairLayout = layoutOf([...plan.left.output, ...plan.right.output]);
  const fkColumn = plan.left.output.find((column) => column.id === foreignKey.leftColumn)!;
  const fkExpr: Expr = {
    kind: 'Column',
    id: fkColumn.id,
    type: fkColumn.type,
    name: fkColumn.name,
  };
  const target = materialize(right, env);
  const targetBytes = target.length * 16 * Math.max(1, target.columns.length);
  env.reserve(targetBytes);
  const idIndex = right.output.findIndex((column) => column.id === foreignKey.rightId);
  const ids = target.columns[idIndex]!;
  let idLimit = 0;
  for (let position = 0; position < target.length; position++) {
    const id = valueAt(ids, position);
    if (typeof id === 'number' && id + 1 > idLimit) idLimit = id + 1;
  }
  const positionOf = new Int32Array(idLimit).fill(-1);
  env.reserve(positionOf.byteLength);
  for (let position = 0; position < target.length; position++) {
    const id = valueAt(ids, position);
    if (typeof id === 'number') positionOf[id] = position;
  }
  for (const leftBatch of leftInput) {
    const length = leftBatch.length;
    const keys = evaluate(fkExpr, leftBatch, leftLayout, env);
    const positions = new Int32Array(length);
    let allFound = true;
    if (keys.kind === 'number' && keys.rowIds !== undefined) {
      // Row ids straight from the store (unsigned integers): no Float64 copy.
      const ids = keys.rowIds;
      const validity = keys.validity;
      for (let row = 0; row < length; row++) {
        const id = ids[row]!;
        const position =
          (validity !== undefined && (validity[row >>> 3]! & (1 << (row & 7))) === 0) ||
          id >= idLimit
            ? -1
            : positionOf[id]!;
        positions[row] = position;
        if (position < 0) allFound = false;
      }
    } else if (keys.kind === 'number') {
      const values = keys.values;
      const validity = keys.validity;
      for (let row = 0; row < length; row++) {
        const value = values[row]!;
        const position =
          (validity !== undefined && (validity[row >>> 3]! & (1 << (row & 7))) === 0) ||
          !(value >= 0 && value < idLimit)
            ? -1
            : (positionOf[value] ?? -1);
        positions[row] = position;
        if (position < 0) allFound = false;
      }
    } else {
      for (let row = 0; row < length; row++) {
        const value = valueAt(keys, row);
        const position =
          typeof value === 'number' && value >= 0 && value < idLimit
            ? (positionOf[value] ?? -1)
            : -1;
        positions[row] = position;
        if (position < 0) allFound = false;
      }
    }
    let fetched: Vector[] = target.columns.map((vector) => gatherOrNull(vector, positions, length));
    if (plan.condition !== undefined) {
      const pairs: Batch = { length, columns: [...leftBatch.columns, ...fetched] };
      const keep = evaluate(plan.condition, pairs, pairLayout, env);
      for (let row = 0; row < length; row++) {
        if (positions[row]! >= 0 && valueAt(keep, row) !== true) {
          positions[row] = -1;
          allFound = false;
        }
      }
      if (!allFound)
        fetched = target.columns.map((vector) => gatherOrNull(vector, positions, length));
    }
    if (allFound || plan.joinType === 'left') {
      yield { length, columns: [...leftBatch.columns, ...fetched] };
      continue;
    }
    const rows = new Int32Array(length);
    let count = 0;
    for (let row = 0; row < length; row++) if (positions[row]! >= 0) rows[count++] = row;
    if (count === 0) continue;
    yield {
      length: count,
      columns: [...leftBatch.columns, ...fetched].map((vector) => gather(vector, rows, count)),
    };
  }
  env.release(targetBytes);
}

function* hashJoin(
  plan: JoinPlan,
  leftInput: Iterable<Batch>,
  env: ExecutionEnvironment,
  batchRowsMax: number,
): Generator<Batch> {
  const right = materialize(plan.right, env);
  const rightBytes = right.length * 16 * Math.max(1, right.columns.length);
  env.reserve(rightBytes);
  const keys = splitJoinCondition(plan);
  const leftLayout = layoutOf(plan.left.output);
  const rightLayout = layoutOf(plan.right.output);
  const pairLayout = layoutOf([...plan.left.output, ...plan.right.output]);
  const residual: Expr | undefined =
    keys.residual.length === 0
      ? undefined
      : keys.residual.length === 1
        ? keys.residual[0]
        : { kind: 'Logical', op: 'and', args: keys.residual, type: 'Bool' };
  const joinType = plan.joinType;

  let table: Map<RowKey, number[]> | undefined;
  if (keys.left.length > 0) {
    table = new Map();
    const rightKeys = keys.right.map((expr) => evaluate(expr, right, rightLayout, env));
    for (let row = 0; row < right.length; row++) {
      if (rowHasNull(rightKeys, row)) continue;
      const key = rowKey(rightKeys, row);
      const list = table.get(key);
      if (list === undefined) table.set(key, [row]);
      else list.push(row);
    }
    env.reserve(right.length * 24);
  }
  const rightMatched = joinType === 'full' ? new Uint8Array(right.length) : undefined;

  const output = (
    leftBatch: Batch,
    leftRows: Int32Array,
    rightRows: Int32Array,
    count: number,
  ): Batch => {
    if (joinType === 'semi' || joinType === 'anti') {
      return {
        length: count,
        columns: leftBatch.columns.map((vector) => gatherOrNull(vector, leftRows, count)),
      };
    }
    return {
      length: count,
      columns: [
        ...leftBatch.columns.map((vector) => gatherOrNull(vector, leftRows, count)),
        ...right.columns.map((vector) => gatherOrNull(vector, rightRows, count)),
      ],
    };
  };

  for (const leftBatch of leftInput) {
    const length = leftBatch.length;
    // Candidate pairs.
    const pairLeft: number[] = [];
    const pairRight: number[] = [];
    if (table !== undefined) {
      const leftKeys = keys.left.map((expr) => evaluate(expr, leftBatch, leftLayout, env));
      for (let row = 0; row < length; row++) {
        if (rowHasNull(leftKeys, row)) continue;
        const matches = table.get(rowKey(leftKeys, row));
        if (matches === undefined) continue;
        for (const match of matches) {
          pairLeft.push(row);
          pairRight.push(match);
        }
      }
    } else {
      for (let row = 0; row < length; row++) {
        for (let match = 0; match < right.length; match++) {
          pairLeft.push(row);
          pairRight.push(match);
        }
        if (pairLeft.length > 16 * 1024 * 1024) env.reserve(pairLeft.length * 8);
      }
    }
    let leftRows = Int32Array.from(pairLeft);
    let rightRows = Int32Array.from(pairRight);
    if (residual !== undefined && leftRows.length > 0) {
      const pairs: Batch = {
        length: leftRows.length,
        columns: [
          ...leftBatch.columns.map((vector) => gatherOrNull(vector, leftRows, leftRows.length)),
          ...right.columns.map((vector) => gatherOrNull(vector, rightRows, rightRows.length)),
        ],
      };
      const keep: Vector = evaluate(residual, pairs, pairLayout, env);
      const keptLeft: number[] = [];
      const keptRight: number[] = [];
      for (let index = 0; index < leftRows.length; index++) {
        if (valueAt(keep, index) === true) {
          keptLeft.push(leftRows[index]!);
          keptRight.push(rightRows[index]!);
        }
      }
      leftRows = Int32Array.from(keptLeft);
      rightRows = Int32Array.from(keptRight);
    }
    switch (joinType) {
      case 'inner':
      case 'cross':
        if (leftRows.length > 0)
          yield* chunks(output(leftBatch, leftRows, rightRows, leftRows.length), batchRowsMax);
        break;
      case 'left':
      case 'full': {
        const matched = new Uint8Array(length);
        for (const row of leftRows) matched[row] = 1;
        if (rightMatched !== undefined) for (const row of rightRows) rightMatched[row] = 1;
        const allLeft: number[] = Array.from(leftRows);
        const allRight: number[] = Array.from(rightRows);
        for (let row = 0; row < length; row++) {
          if (matched[row] === 0) {
            allLeft.push(row);
            allRight.push(-1);
          }
        }
        if (allLeft.length > 0) {
          yield* chunks(
            output(leftBatch, Int32Array.from(allLeft), Int32Array.from(allRight), allLeft.length),
            batchRowsMax,
          );
        }
        break;
      }
      case 'semi':
      case 'anti': {
        const matched = new Uint8Array(length);
        for (const row of leftRows) matched[row] = 1;
        const rows: number[] = [];
        for (let row = 0; row < length; row++)
          if ((matched[row] === 1) === (joinType === 'semi')) rows.push(row);
        if (rows.length > 0)
          yield output(leftBatch, Int32Array.from(rows), new Int32Array(rows.length), rows.length);
        break;
      }
      default:
        return assertNever(joinType, 'join type');
    }
  }
  if (rightMatched !== undefined) {
    const rows: number[] = [];
    for (let row = 0; row < right.length; row++) if (rightMatched[row] === 0) rows.push(row);
    if (rows.length > 0) {
      const rightRows = Int32Array.from(rows);
      const nullLeft = new Int32Array(rows.length).fill(-1);
      const emptyLeft: Batch = {
        length: 0,
        columns: plan.left.output.map((column) => ({
          kind: 'const',
          type: column.type,
          value: null,
          length: 0,
        })),
      };
      yield* chunks(output(emptyLeft, nullLeft, rightRows, rows.length), batchRowsMax);
    }
  }
  env.release(rightBytes);
}

function* chunks(batch: Batch, batchRowsMax: number): Generator<Batch> {
  if (batch.length <= batchRowsMax) {
    yield batch;
    return;
  }
  for (let start = 0; start < batch.length; start += batchRowsMax) {
    const end = Math.min(batch.length, start + batchRowsMax);
    const indexes = new Int32Array(end - start);
    for (let index = 0; index < indexes.length; index++) indexes[index] = start + index;
    yield {
      length: indexes.length,
      columns: batch.columns.map((vector) => gatherOrNull(vector, indexes, indexes.length)),
    };
  }
}
