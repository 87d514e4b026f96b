/**
 * Foreign-key joins: `… JOIN T ON x.fk = T.id` (inner or left), where the right side is a scan
 * of T, follows the row ids instead of hashing: the executor reads T's scanned rows once into
 * columns with a row id → position array, and each left row finds its target by an array read
 * (no hash table, no key comparison). The scan's own filter still applies (a filtered-out
 * target is no match); other ON conjuncts stay a residual predicate.
 */
import { columnsOf, conjuncts, type Expr } from '../expr/expr.js';
import { transformPlan } from '../logical/analysis.js';
import { joinNode, type LogicalPlan } from '../logical/plan.js';
import type { OptimizerRule } from './rule.js';

function followForeignKeyAsWritten(join: Extract<LogicalPlan, { kind: 'Join' }>): LogicalPlan {
  if (join.foreignKey !== undefined || join.condition === undefined) return join;
  if (join.joinType !== 'inner' && join.joinType !== 'left') return join;
  const right = join.right;
  if (right.kind !== 'Scan' || right.access.kind !== 'full') return join;
  const idColumn = right.columns.find(
    (column) => right.table.columns[column.columnIndex]?.role === 'id',
  );
  if (idColumn === undefined) return join;
  const leftIds = new Set(join.left.output.map((column) => column.id));
  const parts = conjuncts(join.condition);
  const index = parts.findIndex((part) => {
    if (part.kind !== 'Compare' || part.op !== '=') return false;
    const [fk, id] =
      part.right.kind === 'Column' && part.right.id === idColumn.id
        ? [part.left, part.right]
        : [part.right, part.left];
    return (
      id.kind === 'Column' &&
      id.id === idColumn.id &&
      fk.kind === 'Column' &&
      fk.type === 'Int' &&
      leftIds.has(fk.id) &&
      [...columnsOf(fk)].every((column) => leftIds.has(column))
    );
  });
  if (index < 0) return join;
  const equality = parts[index]! as Extract<Expr, { kind: 'Compare' }>;
  const fk =
    equality.left.kind === 'Column' && equality.left.id !== idColumn.id
      ? equality.left
      : equality.right;
  if (fk.kind !== 'Column') return join;
  const rest = parts.filter((_, position) => position !== index);
  return joinNode(
    join.joinType,
    join.left,
    join.right,
    rest.length === 0
      ? undefined
      : rest.length === 1
        ? rest[0]
        : { kind: 'Logical', op: 'and', args: rest, type: 'Bool' },
    { leftColumn: fk.id, rightId: idColumn.id },
  );
}

/**
 * An inner join is symmetric: `parent JOIN child ON child.fk = parent.id` is followed from the
 * child side (the sides swap; nodes above refer to columns by id, so the column order of the
 * join's output does not matter).
 */
function followForeignKey(join: Extract<LogicalPlan, { kind: 'Join' }>): LogicalPlan {
  const followed = followForeignKeyAsWritten(join);
  if (followed !== join || join.joinType !== 'inner' || join.foreignKey !== undefined)
    return followed;
  const swapped = joinNode('inner', join.right, join.left, join.condition) as Extract<
    LogicalPlan,
    { kind: 'Join' }
  >;
  const result = followForeignKeyAsWritten(swapped);
  return result === swapped ? join : result;
}

export const foreignKeyJoinRule: OptimizerRule = {
  name: 'foreign-key-join',
  apply: (plan) =>
    transformPlan(plan, (node) => (node.kind === 'Join' ? followForeignKey(node) : node)),
};
