/**
 * Subqueries inside expressions: scalar, EXISTS, IN and ANY/ALL. An uncorrelated subquery runs
 * once per query (its result is kept in the environment); a correlated one runs once per
 * distinct combination of the outer values it reads, with those values set in `env.outer`.
 */
import { assertNever, type Value } from '../../common/index.js';
import {
  concatVectors,
  constVector,
  valueAt,
  VectorBuilder,
  type Batch,
  type Vector,
} from '../data/vector.js';
import { PlanError } from '../errors.js';
import { compareHolds, compareScalars } from '../expr/compare.js';
import type { Expr } from '../expr/expr.js';
import type { LogicalPlan } from '../logical/plan.js';
import type { ExecutionEnvironment } from './environment.js';
import type { Layout } from './evaluate.js';
import { executePlan } from './execute.js';
import { rowKey } from './row-key.js';

type Evaluate = (expr: Expr, batch: Batch, layout: Layout, env: ExecutionEnvironment) => Vector;

/** Run a plan to completion and return its rows as one batch. */
export function materialize(plan: LogicalPlan, env: ExecutionEnvironment): Batch {
  const batches = [...executePlan(plan, env)];
  const length = batches.reduce((total, batch) => total + batch.length, 0);
  return {
    length,
    columns: plan.output.map((output, index) =>
      concatVectors(
        output.type,
        batches.map((batch) => batch.columns[index]!),
      ),
    ),
  };
}

/** A subquery's result, prepared for per-row questions. */
class SubqueryResult {
  private set: Set<Value> | undefined;
  private hasNull = false;
  constructor(
    readonly batch: Batch,
    private readonly expr: Extract<Expr, { kind: 'Subquery' }>,
  ) {}

  scalar(): Value {
    if (this.batch.length > 1) {
      throw new PlanError(
        'E_SQL_CARDINALITY',
        'more than one row returned by a subquery used as an expression',
      );
    }
    return this.batch.length === 0 ? null : valueAt(this.batch.columns[0]!, 0);
  }

  /** `value op ANY (…)` (IN is `= ANY`) and `value op ALL (…)`, three-valued. */
  quantified(value: Value): Value {
    const column = this.batch.columns[0];
    const count = this.batch.length;
    const all = this.expr.mode === 'all';
    if (count === 0 || column === undefined) return all;
    if (value === null) return null;
    const op = this.expr.op ?? '=';
    const type = this.expr.operand?.type ?? 'String';
    if (op === '=' && !all) {
      if (this.set === undefined) {
        const set = new Set<Value>();
        for (let row = 0; row < count; row++) {
          const key = rowKey([column], row);
          if (key === null) this.hasNull = true;
          else set.add(key);
        }
        this.set = set;
      }
      const key = typeof value === 'number' && value === 0 ? 0 : value;
      if (this.set.has(key)) return true;
      return this.hasNull ? null : false;
    }
    let sawNull = false;
    for (let row = 0; row < count; row++) {
      const candidate = valueAt(column, row);
      if (candidate === null) {
        sawNull = true;
        continue;
      }
      const holds = compareHolds(op, compareScalars(type, value, candidate));
      if (all && !holds) return false;
      if (!all && holds) return true;
    }
    return sawNull ? null : all;
  }
}

export function runSubquery(
  expr: Extract<Expr, { kind: 'Subquery' }>,
  batch: Batch,
  layout: Layout,
  env: ExecutionEnvironment,
  evaluate: Evaluate,
): Vector {
  const length = batch.length;
  const operand =
    expr.operand === undefined ? undefined : evaluate(expr.operand, batch, layout, env);
  const answer = (result: SubqueryResult, row: number): Value => {
    switch (expr.mode) {
      case 'scalar':
        return result.scalar();
      case 'exists':
        return result.batch.length > 0;
      case 'in':
      case 'any':
      case 'all':
        return result.quantified(operand === undefined ? null : valueAt(operand, row));
      default:
        return assertNever(expr.mode, 'subquery mode');
    }
  };
  if (expr.correlated.length === 0) {
    let batchResult = env.subqueryResults.get(expr.plan);
    if (batchResult === undefined) {
      batchResult = materialize(expr.plan, env);
      env.subqueryResults.set(expr.plan, batchResult);
    }
    const result = new SubqueryResult(batchResult, expr);
    if (operand === undefined) return constVector(expr.type, answer(result, 0), length);
    const builder = new VectorBuilder(expr.type, Math.max(8, length));
    for (let row = 0; row < length; row++) builder.append(answer(result, row));
    return builder.finish();
  }
  // Correlated: one run per distinct combination of outer values.
  const outerVectors = expr.correlated.map((id) =>
    evaluate({ kind: 'Column', id, type: 'String', name: `#${id}` }, batch, layout, env),
  );
  const memo = new Map<Value | string, SubqueryResult>();
  const builder = new VectorBuilder(expr.type, Math.max(8, length));
  for (let row = 0; row < length; row++) {
    const key = rowKey(outerVectors, row);
    let result = memo.get(key);
    if (result === undefined) {
      const saved = env.outer;
      env.outer = new Map(saved);
      expr.correlated.forEach((id, index) => env.outer.set(id, valueAt(outerVectors[index]!, row)));
      try {
        result = new SubqueryResult(materialize(expr.plan, env), expr);
      } finally {
        env.outer = saved;
      }
      if (memo.size < 65_536) memo.set(key, result);
    }
    builder.append(answer(result, row));
  }
  return builder.finish();
}
