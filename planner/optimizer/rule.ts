/**
 * An optimizer rule: a named rewrite of a logical plan that keeps its output (names, types and
 * column ids). Rules return the same object when they change nothing, so the driver can detect
 * the fixed point.
 */
import type { LogicalPlan } from '../logical/plan.js';

export interface OptimizerRule {
  readonly name: string;
  apply(plan: LogicalPlan): LogicalPlan;
}
