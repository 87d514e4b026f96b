/**
 * Predicate pushdown: each conjunct of a filter moves as close to the scans as its columns
 * allow, so fewer rows reach joins and `FROM a, b WHERE a.x = b.y` becomes a hash join.
 *
 * - Filter over an inner or cross join: a conjunct reading one side only filters that side;
 *   one reading both becomes part of the join condition (a cross join becomes inner).
 * - Nothing moves below a full join (both sides are NULL-extended).
 * - Filter over a left, semi or anti join: conjuncts on the left side only move left (rows of
 *   the right side are NULL-extended, so filtering the right side would change the result).
 * - An inner join's condition: conjuncts on one side only become filters of that side; a left
 *   join's ON conjuncts on the right side only filter the right side.
 * - Filter over Filter merges; Filter over Sort moves below the sort; Filter over a Project
 *   moves below it with the projected expressions substituted, unless they hold subqueries.
 *
 * Conjuncts that read outer (correlated) columns are placed by their local columns the same
 * way: outer columns are constants for one run of the subquery.
 */
import {
  and,
  columnsOf,
  conjuncts,
  hasSubquery,
  substituteColumns,
  type ColumnId,
  type Expr,
} from '../expr/expr.js';
import { producedColumns, transformPlan } from '../logical/analysis.js';
import { filterNode, joinNode, type LogicalPlan } from '../logical/plan.js';
import type { OptimizerRule } from './rule.js';

type Side = 'left' | 'right' | 'both' | 'none';

function sideOf(expr: Expr, left: ReadonlySet<ColumnId>, right: ReadonlySet<ColumnId>): Side {
  let readsLeft = false;
  let readsRight = false;
  for (const id of columnsOf(expr)) {
    if (left.has(id)) readsLeft = true;
    else if (right.has(id)) readsRight = true;
  }
  if (readsLeft && readsRight) return 'both';
  if (readsLeft) return 'left';
  if (readsRight) return 'right';
  return 'none';
}

function withFilter(plan: LogicalPlan, predicates: readonly Expr[]): LogicalPlan {
  return predicates.length === 0 ? plan : filterNode(plan, and(predicates));
}

function outputIds(plan: LogicalPlan): Set<ColumnId> {
  return new Set(plan.output.map((column) => column.id));
}

function pushIntoJoin(
  filter: Expr,
  join: Extract<LogicalPlan, { kind: 'Join' }>,
): LogicalPlan | undefined {
  const leftIds = outputIds(join.left);
  const rightIds = outputIds(join.right);
  const toLeft: Expr[] = [];
  const toRight: Expr[] = [];
  const toCondition: Expr[] = [];
  const keep: Expr[] = [];
  const innerLike = join.joinType === 'inner' || join.joinType === 'cross';
  // A full join NULL-extends both sides: nothing moves below it.
  if (join.joinType === 'full') return undefined;
  for (const conjunct of conjuncts(filter)) {
    const side = sideOf(conjunct, leftIds, rightIds);
    if (side === 'left' || (side === 'none' && !hasSubquery(conjunct))) toLeft.push(conjunct);
    else if (innerLike && side === 'right') toRight.push(conjunct);
    else if (innerLike && side === 'both') toCondition.push(conjunct);
    else keep.push(conjunct);
  }
  if (toLeft.length === 0 && toRight.length === 0 && toCondition.length === 0) return undefined;
  const condition =
    toCondition.length === 0
      ? join.condition
      : and(join.condition === undefined ? toCondition : [join.condition, ...toCondition]);
  const joinType = join.joinType === 'cross' && condition !== undefined ? 'inner' : join.joinType;
  const rewritten = joinNode(
    joinType,
    withFilter(join.left, toLeft),
    withFilter(join.right, toRight),
    condition,
    join.foreignKey,
  );
  return withFilter(rewritten, keep);
}

/** An inner join's one-sided ON conjuncts (a left join's right-sided ones) become filters. */
function pushJoinCondition(join: Extract<LogicalPlan, { kind: 'Join' }>): LogicalPlan | undefined {
  if (join.condition === undefined) return undefined;
  if (join.joinType !== 'inner' && join.joinType !== 'left') return undefined;
  const leftIds = outputIds(join.left);
  const rightIds = outputIds(join.right);
  const toLeft: Expr[] = [];
  const toRight: Expr[] = [];
  const keep: Expr[] = [];
  for (const conjunct of conjuncts(join.condition)) {
    const side = sideOf(conjunct, leftIds, rightIds);
    if (hasSubquery(conjunct)) keep.push(conjunct);
    else if (side === 'left' && join.joinType === 'inner') toLeft.push(conjunct);
    else if (side === 'right') toRight.push(conjunct);
    else keep.push(conjunct);
  }
  if (toLeft.length === 0 && toRight.length === 0) return undefined;
  return joinNode(
    join.joinType,
    withFilter(join.left, toLeft),
    withFilter(join.right, toRight),
    keep.length === 0 ? undefined : and(keep),
    join.foreignKey,
  );
}

function pushFilter(node: Extract<LogicalPlan, { kind: 'Filter' }>): LogicalPlan {
  const input = node.input;
  switch (input.kind) {
    case 'Join':
      return pushIntoJoin(node.predicate, input) ?? node;
    case 'Filter':
      return filterNode(input.input, and([input.predicate, node.predicate]));
    case 'Sort':
      return { ...input, input: filterNode(input.input, node.predicate) };
    case 'Project': {
      if (input.items.some((item) => hasSubquery(item.expr))) return node;
      const mapping = new Map(input.items.map((item) => [item.id, item.expr]));
      // Only conjuncts whose columns all come from the projection (not outer columns) move.
      const produced = producedColumns(input);
      const movable: Expr[] = [];
      const keep: Expr[] = [];
      for (const conjunct of conjuncts(node.predicate)) {
        const local = [...columnsOf(conjunct)].every((id) => mapping.has(id) || !produced.has(id));
        if (local && !hasSubquery(conjunct)) movable.push(substituteColumns(conjunct, mapping));
        else keep.push(conjunct);
      }
      if (movable.length === 0) return node;
      return withFilter({ ...input, input: filterNode(input.input, and(movable)) }, keep);
    }
    default:
      return node;
  }
}

export const predicatePushdownRule: OptimizerRule = {
  name: 'predicate-pushdown',
  apply: (plan) =>
    transformPlan(plan, (node) => {
      if (node.kind === 'Filter') return pushFilter(node);
      if (node.kind === 'Join') return pushJoinCondition(node) ?? node;
      return node;
    }),
};
