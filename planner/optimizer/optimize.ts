/**
 * The optimizer driver (STYLE.md §3): the rules below, in this order, applied repeatedly until
 * none changes the plan or `limits.optimizerPassesMax` passes ran. After every rule the plan's
 * output (names, types, ids) is checked against the original: a rule that changes what a query
 * returns is a bug, reported as such. Rules can be switched off by name (`disabledRules`).
 *
 * Order: predicates first move down through joins, projections and sorts (and join
 * conditions split by side), then filters move into scans (so later rules see scan predicates), then LIMIT over
 * ORDER BY fuses into a top-k.
 */
import { InternalError, limits } from '../../common/index.js';
import type { LogicalPlan } from '../logical/plan.js';
import { filterIntoScanRule } from './filter-into-scan.js';
import { predicatePushdownRule } from './predicate-pushdown.js';
import type { OptimizerRule } from './rule.js';
import { topKRule } from './topk.js';

export const OPTIMIZER_RULES: readonly OptimizerRule[] = [
  predicatePushdownRule,
  filterIntoScanRule,
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
