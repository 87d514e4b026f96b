/**
 * Questions about a whole logical plan: which columns it produces, which it reads from outside
 * (a correlated subquery's outer columns), and rewriting every expression in it.
 */
import { assertNever } from '../../common/index.js';
import { children, transformExpr, type ColumnId, type Expr } from '../expr/expr.js';
import { nodeExpressions, planInputs, withInputs, type LogicalPlan } from './plan.js';

/** Every column id any node of the plan outputs. */
export function producedColumns(plan: LogicalPlan, into: Set<ColumnId> = new Set()): Set<ColumnId> {
  for (const column of plan.output) into.add(column.id);
  if (plan.kind === 'Scan') for (const column of plan.columns) into.add(column.id);
  if (plan.kind === 'Aggregate') {
    for (const group of plan.groups) into.add(group.id);
    for (const aggregate of plan.aggregates) into.add(aggregate.id);
  }
  if (plan.kind === 'Project') for (const item of plan.items) into.add(item.id);
  for (const input of planInputs(plan)) producedColumns(input, into);
  return into;
}

function referencedInExpr(expr: Expr, into: Set<ColumnId>): void {
  if (expr.kind === 'Column') into.add(expr.id);
  if (expr.kind === 'Subquery') for (const id of freeColumns(expr.plan)) into.add(id);
  for (const child of children(expr)) referencedInExpr(child, into);
}

/** Every column id the plan's expressions read (subqueries included). */
export function referencedColumns(
  plan: LogicalPlan,
  into: Set<ColumnId> = new Set(),
): Set<ColumnId> {
  for (const expr of nodeExpressions(plan)) referencedInExpr(expr, into);
  for (const input of planInputs(plan)) referencedColumns(input, into);
  return into;
}

/** Columns the plan reads but does not produce: the outer columns of a correlated subquery. */
export function freeColumns(plan: LogicalPlan): ColumnId[] {
  const produced = producedColumns(plan);
  return [...referencedColumns(plan)].filter((id) => !produced.has(id)).sort((a, b) => a - b);
}

/** Rewrite the expressions of one node (not its inputs). */
export function mapNodeExpressions(plan: LogicalPlan, rewrite: (expr: Expr) => Expr): LogicalPlan {
  switch (plan.kind) {
    case 'Scan': {
      const access = plan.access;
      return {
        ...plan,
        filter: plan.filter === undefined ? undefined : rewrite(plan.filter),
        access:
          access.kind === 'indexEqual'
            ? { ...access, value: rewrite(access.value) }
            : access.kind === 'indexRange'
              ? {
                  ...access,
                  lower: access.lower && { ...access.lower, value: rewrite(access.lower.value) },
                  upper: access.upper && { ...access.upper, value: rewrite(access.upper.value) },
                }
              : access,
      };
    }
    case 'Values':
      return { ...plan, rows: plan.rows.map((row) => row.map(rewrite)) };
    case 'Filter':
      return { ...plan, predicate: rewrite(plan.predicate) };
    case 'Project':
      return { ...plan, items: plan.items.map((item) => ({ ...item, expr: rewrite(item.expr) })) };
    case 'Join':
      return {
        ...plan,
        condition: plan.condition === undefined ? undefined : rewrite(plan.condition),
      };
    case 'Aggregate':
      return {
        ...plan,
        groups: plan.groups.map((group) => ({ ...group, expr: rewrite(group.expr) })),
        aggregates: plan.aggregates.map((aggregate) => ({
          ...aggregate,
          call: {
            ...aggregate.call,
            arg: aggregate.call.arg === undefined ? undefined : rewrite(aggregate.call.arg),
            filter:
              aggregate.call.filter === undefined ? undefined : rewrite(aggregate.call.filter),
            separator:
              aggregate.call.separator === undefined
                ? undefined
                : rewrite(aggregate.call.separator),
            orderBy: aggregate.call.orderBy?.map((key) => ({ ...key, expr: rewrite(key.expr) })),
          },
        })),
      };
    case 'Sort':
      return { ...plan, keys: plan.keys.map((key) => ({ ...key, expr: rewrite(key.expr) })) };
    case 'TopK':
      return {
        ...plan,
        keys: plan.keys.map((key) => ({ ...key, expr: rewrite(key.expr) })),
        limit: rewrite(plan.limit),
        offset: plan.offset === undefined ? undefined : rewrite(plan.offset),
      };
    case 'Limit':
      return {
        ...plan,
        limit: plan.limit === undefined ? undefined : rewrite(plan.limit),
        offset: plan.offset === undefined ? undefined : rewrite(plan.offset),
      };
    case 'Distinct':
    case 'SetOperation':
      return plan;
    default:
      return assertNever(plan, 'plan node');
  }
}

/** Rewrite every node bottom-up (`rewrite` sees a node whose inputs were already rewritten). */
export function transformPlan(
  plan: LogicalPlan,
  rewrite: (node: LogicalPlan) => LogicalPlan,
): LogicalPlan {
  const inputs = planInputs(plan);
  const rewritten = inputs.map((input) => transformPlan(input, rewrite));
  const changed = rewritten.some((input, index) => input !== inputs[index]);
  return rewrite(changed ? withInputs(plan, rewritten) : plan);
}

/**
 * Rewrite every expression of every node, and of every subquery inside them, bottom-up with
 * `rewrite` applied to each expression node.
 */
export function transformAllExpressions(
  plan: LogicalPlan,
  rewrite: (expr: Expr) => Expr,
): LogicalPlan {
  const deep = (expr: Expr): Expr =>
    transformExpr(expr, (node) =>
      rewrite(
        node.kind === 'Subquery'
          ? { ...node, plan: transformAllExpressions(node.plan, rewrite) }
          : node,
      ),
    );
  return transformPlan(plan, (node) => mapNodeExpressions(node, deep));
}

/** Set each subquery's `correlated` list to the outer columns its plan reads. */
export function annotateCorrelation(plan: LogicalPlan): LogicalPlan {
  return transformAllExpressions(plan, (expr) =>
    expr.kind === 'Subquery' ? { ...expr, correlated: freeColumns(expr.plan) } : expr,
  );
}

/** Number of nodes (for limits and tests). */
export function planSize(plan: LogicalPlan): number {
  return 1 + planInputs(plan).reduce((total, input) => total + planSize(input), 0);
}
