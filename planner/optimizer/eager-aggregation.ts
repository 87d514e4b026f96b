/**
 * Eager aggregation through a foreign key: `SELECT d.name, count(*), sum(e.salary) FROM Employee
 * e JOIN Department d ON e.works_in = d.id GROUP BY d.name` aggregates the employees by
 * `works_in` first (one small group per department id), follows the foreign key once per group
 * instead of once per row, and combines the partial results per `d.name`:
 *
 *     Aggregate [d.name] (sum of counts, sum of sums, min of mins, max of maxes)
 *       FK Join (partials.works_in -> d.id)
 *         Aggregate [e.works_in] (count, sum, min, max)
 *           … employees …
 *         Scan Department
 *
 * Applies to an inner foreign-key join without a residual condition, when every group key reads
 * only the target's columns and every aggregate is count/sum/min/max (no DISTINCT, FILTER or
 * ORDER BY) over the source's columns, and there is at least one group key (an ungrouped count
 * over no rows must stay 0, which a sum of no partial counts would not).
 */
import { columnsOf, column, type ColumnId, type Expr } from '../expr/expr.js';
import { transformPlan } from '../logical/analysis.js';
import { aggregateNode, joinNode, type LogicalPlan, type NamedAggregate } from '../logical/plan.js';
import type { OptimizerRule } from './rule.js';

function readsOnly(expr: Expr, ids: ReadonlySet<ColumnId>): boolean {
  const read = columnsOf(expr);
  for (const id of read) if (!ids.has(id)) return false;
  return true;
}

let nextId = -1;
/** Column ids for the partial aggregates: negative, so they never meet the binder's. */
function freshId(): ColumnId {
  return nextId--;
}

function eager(plan: Extract<LogicalPlan, { kind: 'Aggregate' }>): LogicalPlan {
  const join = plan.input;
  if (join.kind !== 'Join' || join.joinType !== 'inner' || join.foreignKey === undefined)
    return plan;
  if (join.condition !== undefined || join.right.kind !== 'Scan' || plan.groups.length === 0)
    return plan;
  // Already eager (the partial aggregate is the join's left side): apply once.
  if (join.left.kind === 'Aggregate') return plan;
  const leftIds = new Set(join.left.output.map((output) => output.id));
  const rightIds = new Set(join.right.output.map((output) => output.id));
  if (!plan.groups.every((group) => readsOnly(group.expr, rightIds))) return plan;
  const decomposable = plan.aggregates.every(({ call }) => {
    if (call.distinct || call.filter !== undefined || (call.orderBy?.length ?? 0) > 0) return false;
    if (call.fn === 'count_star') return true;
    if (!['count', 'sum', 'min', 'max'].includes(call.fn) || call.arg === undefined) return false;
    return readsOnly(call.arg, leftIds);
  });
  if (!decomposable) return plan;
  const foreignKey = join.foreignKey;
  const fkColumn = join.left.output.find((output) => output.id === foreignKey.leftColumn);
  if (fkColumn === undefined) return plan;
  const keyId = freshId();
  const partials: NamedAggregate[] = plan.aggregates.map((aggregate) => ({
    id: freshId(),
    name: `partial ${aggregate.name}`,
    call: aggregate.call,
  }));
  const partial = aggregateNode(
    join.left,
    [{ id: keyId, name: fkColumn.name, expr: column(fkColumn.id, fkColumn.type, fkColumn.name) }],
    partials,
  );
  const followed = joinNode('inner', partial, join.right, undefined, {
    leftColumn: keyId,
    rightId: foreignKey.rightId,
  });
  const finals: NamedAggregate[] = plan.aggregates.map((aggregate, index) => {
    const part = partials[index]!;
    const call = aggregate.call;
    const counts = call.fn === 'count' || call.fn === 'count_star';
    return {
      id: aggregate.id,
      name: aggregate.name,
      call: {
        fn: counts ? 'sum' : call.fn,
        arg: column(part.id, call.type, part.name),
        separator: undefined,
        distinct: false,
        filter: undefined,
        // A sum of counts stays an Int (the accumulator checks its range).
        type: call.type,
      },
    };
  });
  return aggregateNode(followed, plan.groups, finals);
}

export const eagerAggregationRule: OptimizerRule = {
  name: 'eager-aggregation',
  apply: (plan) => transformPlan(plan, (node) => (node.kind === 'Aggregate' ? eager(node) : node)),
};
