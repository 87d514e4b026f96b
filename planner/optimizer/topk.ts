/**
 * `Limit` directly over `Sort` becomes `TopK`: the executor keeps only the first
 * `limit + offset` rows of the sorted order instead of emitting all of them.
 */
import { transformPlan } from '../logical/analysis.js';
import { topKNode } from '../logical/plan.js';
import type { OptimizerRule } from './rule.js';

export const topKRule: OptimizerRule = {
  name: 'topk',
  apply: (plan) =>
    transformPlan(plan, (node) =>
      node.kind === 'Limit' && node.limit !== undefined && node.input.kind === 'Sort'
        ? topKNode(node.input.input, node.input.keys, node.limit, node.offset)
        : node,
    ),
};
