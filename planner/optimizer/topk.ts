/**
 * `Limit` over `Sort` becomes `TopK`: the executor keeps only the first `limit + offset` rows
 * of the sorted order instead of emitting all of them. A projection between them (ORDER BY
 * keys that are not selected: `Limit → Project → Sort → Project(keys)`) is row by row, so the
 * limit moves under it: `Project → TopK`, and the projection runs on the kept rows only.
 */
import { transformPlan } from '../logical/analysis.js';
import { projectNode, topKNode } from '../logical/plan.js';
import type { OptimizerRule } from './rule.js';

export const topKRule: OptimizerRule = {
  name: 'topk',
  apply: (plan) =>
    transformPlan(plan, (node) => {
      if (node.kind !== 'Limit' || node.limit === undefined) return node;
      const input = node.input;
      if (input.kind === 'Sort') return topKNode(input.input, input.keys, node.limit, node.offset);
      if (input.kind === 'Project' && input.input.kind === 'Sort') {
        const sort = input.input;
        return projectNode(topKNode(sort.input, sort.keys, node.limit, node.offset), input.items);
      }
      return node;
    }),
};
