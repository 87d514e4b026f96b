/**
 * The physical plan as EXPLAIN text: how the executor runs each logical node — which scan
 * (sequential, hash-index or sorted-index lookup), which join algorithm (foreign-key lookup,
 * hash join with its keys, nested loop), hash aggregation, full sort or top-k — one line per
 * operator, inputs indented under their consumer.
 */
import { assertNever } from '../../common/index.js';
import { formatExpr } from '../expr/expr.js';
import { describeNode, formatSortKey, planInputs, type LogicalPlan } from '../logical/plan.js';
import { splitJoinCondition } from './join.js';

function physicalLine(plan: LogicalPlan): string {
  switch (plan.kind) {
    case 'Scan': {
      const access = plan.access;
      const how =
        access.kind === 'full'
          ? 'Seq Scan'
          : access.kind === 'indexEqual'
            ? 'Hash Index Scan'
            : 'Sorted Index Scan';
      return `${how} ${describeNode(plan).replace(/^Scan /, '')}`;
    }
    case 'Join': {
      if (
        plan.foreignKey !== undefined &&
        plan.right.kind === 'Scan' &&
        (plan.joinType === 'inner' || plan.joinType === 'left')
      ) {
        return `Foreign Key Lookup ${describeNode(plan)}`;
      }
      const keys = splitJoinCondition(plan);
      if (keys.left.length === 0) return `Nested Loop ${describeNode(plan)}`;
      const pairs = keys.left.map(
        (left, index) => `${formatExpr(left)} = ${formatExpr(keys.right[index]!)}`,
      );
      const residual =
        keys.residual.length === 0
          ? ''
          : ` residual: ${keys.residual.map(formatExpr).join(' AND ')}`;
      return `Hash ${plan.joinType === 'cross' ? 'Inner' : plan.joinType.charAt(0).toUpperCase() + plan.joinType.slice(1)} Join keys: ${pairs.join(', ')} (build: right)${residual}`;
    }
    case 'Aggregate':
      return `Hash ${describeNode(plan)}`;
    case 'Sort':
      return `Sort (in memory): ${plan.keys.map(formatSortKey).join(', ')}`;
    case 'TopK':
      return `Top-K Sort (keeps limit + offset rows): ${describeNode(plan).replace(/^TopK: /, '')}`;
    case 'Distinct':
      return 'Hash Distinct';
    case 'SetOperation':
      return `Hash ${describeNode(plan)}`;
    case 'Values':
    case 'Filter':
    case 'Project':
    case 'Limit':
      return describeNode(plan);
    default:
      return assertNever(plan, 'plan node');
  }
}

/** The physical plan as indented text. */
export function explainPhysical(plan: LogicalPlan, indent = 0): string[] {
  const lines = [`${'  '.repeat(indent)}${physicalLine(plan)}`];
  for (const input of planInputs(plan)) lines.push(...explainPhysical(input, indent + 1));
  return lines;
}
