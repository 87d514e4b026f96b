/**
 * Projection pruning: a scan reads only the columns something above it uses (an expression of
 * any node, a subquery's outer reference, or the query's output), and a projection computes
 * only the items something above it reads — so an unused expression is never evaluated (and
 * cannot fail), and a wide entity costs only the columns a query names.
 *
 * A projection under DISTINCT or a set operation keeps every item: there the columns define
 * which rows are equal, whether or not anything reads them.
 */
import type { ColumnId } from '../expr/expr.js';
import { referencedColumns } from '../logical/analysis.js';
import {
  planInputs,
  projectNode,
  scanNode,
  withInputs,
  type LogicalPlan,
} from '../logical/plan.js';
import type { OptimizerRule } from './rule.js';

function prune(plan: LogicalPlan, used: ReadonlySet<ColumnId>, keepAll: boolean): LogicalPlan {
  const inputs = planInputs(plan);
  const childKeepsAll = plan.kind === 'Distinct' || plan.kind === 'SetOperation';
  const pruned = inputs.map((input) => prune(input, used, childKeepsAll));
  let node = pruned.some((input, index) => input !== inputs[index])
    ? withInputs(plan, pruned)
    : plan;
  if (node.kind === 'Scan') {
    const kept = node.columns.filter((column) => used.has(column.id));
    if (kept.length !== node.columns.length)
      node = scanNode(node.table, node.alias, kept, node.filter, node.access);
  } else if (node.kind === 'Project' && !keepAll) {
    const kept = node.items.filter((item) => used.has(item.id));
    if (kept.length !== node.items.length) node = projectNode(node.input, kept);
  }
  return node;
}

export const projectionPruningRule: OptimizerRule = {
  name: 'projection-pruning',
  apply: (plan) => {
    const used = new Set<ColumnId>(plan.output.map((column) => column.id));
    referencedColumns(plan, used);
    return prune(plan, used, true);
  },
};
