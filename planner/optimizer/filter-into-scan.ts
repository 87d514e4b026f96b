/**
 * A `Filter` directly over a `Scan` moves into the scan, which evaluates it batch by batch as
 * it reads (and which index selection can then turn into an index lookup). Predicates holding
 * subqueries stay where they are: the scan's filter is for cheap row-local predicates.
 */
import { and, hasSubquery } from '../expr/expr.js';
import { transformPlan } from '../logical/analysis.js';
import type { OptimizerRule } from './rule.js';

export const filterIntoScanRule: OptimizerRule = {
  name: 'filter-into-scan',
  apply: (plan) =>
    transformPlan(plan, (node) => {
      if (node.kind !== 'Filter' || node.input.kind !== 'Scan' || hasSubquery(node.predicate))
        return node;
      const scan = node.input;
      const filter =
        scan.filter === undefined ? node.predicate : and([scan.filter, node.predicate]);
      return { ...scan, filter };
    }),
};
