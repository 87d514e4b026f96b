/**
 * The optimizer driver (STYLE.md §3): the rules below, in this order, applied repeatedly until
 * none changes the plan or `limits.optimizerPassesMax` passes ran. After every rule the plan's
 * output (names, types, ids) is checked against the original: a rule that changes what a query
 * returns is a bug, reported as such. Rules can be switched off by name (`disabledRules`).
 *
 * Order: constants fold first (so later rules see literals); predicates move down through
 * joins, projections and sorts (join conditions split by side) and into scans; index
 * selection then turns scan predicates into index lookups; FK joins become row-id lookups
 * (after pushdown, so the right side is a bare scan); aggregates over an FK join pre-aggregate
 * by the key (after the FK rule, which they need); projection pruning drops unread scan
 * columns; LIMIT over ORDER BY fuses into a top-k. Subquery plans are optimised the same way,
 * innermost first.
 */
import { InternalError, limits } from '../../common/index.js';
import { transformAllExpressions } from '../logical/analysis.js';
import type { LogicalPlan } from '../logical/plan.js';
import { constantFoldingRule } from './constant-folding.js';
import { eagerAggregationRule } from './eager-aggregation.js';
import { filterIntoScanRule } from './filter-into-scan.js';
import { foreignKeyJoinRule } from './foreign-key-join.js';
import { indexSelectionRule } from './index-selection.js';
import { projectionPruningRule } from './projection-pruning.js';
import { predicatePushdownRule } from './predicate-pushdown.js';
import type { OptimizerRule } from './rule.js';
import { topKRule } from './topk.js';

export const OPTIMIZER_RULES: readonly OptimizerRule[] = [
  constantFoldingRule,
  predicatePushdownRule,
  filterIntoScanRule,
  indexSelectionRule,
  foreignKeyJoinRule,
  eagerAggregationRule,
  projectionPruningRule,
  topKRule,
];

export interface OptimizerOptions {
  /** Rule names to skip (for debugging and for tests that compare plans). */
  readonly disabledRules?: readonly string[];
}

function sameOutput(a: LogicalPlan, b: LogicalPlan): boolean {
  return (
    a.output.length === b.output.length &&
    a.output.every(
      (column, index) =>
        column.id === b.output[index]?.id &&
        column.name === b.output[index]?.name &&
        column.type === b.output[index]?.type,
    )
  );
}

export function optimize(plan: LogicalPlan, options: OptimizerOptions = {}): LogicalPlan {
  const withSubqueries = transformAllExpressions(plan, (expr) =>
    expr.kind === 'Subquery' ? { ...expr, plan: optimizePlan(expr.plan, options) } : expr,
  );
  return optimizePlan(withSubqueries, options);
}

function optimizePlan(plan: LogicalPlan, options: OptimizerOptions): LogicalPlan {
  const disabled = new Set(options.disabledRules ?? []);
  const rules = OPTIMIZER_RULES.filter((rule) => !disabled.has(rule.name));
  let current = plan;
  for (let pass = 0; pass < limits.optimizerPassesMax; pass++) {
    let changed = false;
    for (const rule of rules) {
      const next = rule.apply(current);
      if (next === current) continue;
      if (!sameOutput(plan, next)) {
        throw new InternalError(`optimizer rule ${rule.name} changed the query's output columns`);
      }
      current = next;
      changed = true;
    }
    if (!changed) break;
  }
  return current;
}
