/**
 * What one query's execution carries: parameter values, the values of outer columns while a
 * correlated subquery runs, per-query function context, the memory budget, and the results of
 * uncorrelated subqueries (computed once per query).
 */
import { checkDeadline, limits, type Value } from '../../common/index.js';
import { PlanError } from '../errors.js';
import type { ColumnId } from '../expr/expr.js';
import type { FunctionContext } from '../expr/functions.js';
import type { LogicalPlan } from '../logical/plan.js';
import type { Batch } from '../data/vector.js';

/** Rows and time per operator, for EXPLAIN ANALYZE. */
export interface OperatorStatistics {
  rows: number;
  batches: number;
  timeMs: number;
}

export class ExecutionEnvironment {
  /** Outer column values while a correlated subquery runs (innermost last set wins). */
  outer = new Map<ColumnId, Value>();
  /** Results of uncorrelated subqueries, by plan. */
  readonly subqueryResults = new Map<LogicalPlan, Batch>();
  /** Set by EXPLAIN ANALYZE: statistics per plan node. */
  readonly statistics: Map<LogicalPlan, OperatorStatistics> | undefined;
  private memoryBytes = 0;

  constructor(
    readonly parameters: readonly Value[],
    readonly functions: FunctionContext,
    options: { analyze?: boolean; memoryBytesMax?: number; deadline?: number } = {},
  ) {
    this.statistics = options.analyze === true ? new Map() : undefined;
    this.memoryBytesMax = options.memoryBytesMax ?? limits.queryMemoryBytesMax;
    this.deadline = options.deadline;
  }

  readonly memoryBytesMax: number;
  /** `performance.now()` past which the query stops with E_TIMEOUT (the request's time limit). */
  readonly deadline: number | undefined;

  /** Throw E_TIMEOUT when the query has run past its deadline (checked once per scanned batch). */
  checkDeadline(): void {
    checkDeadline(this.deadline, 'the query');
  }

  /** Account for bytes an operator holds (hash tables, sort buffers); throws past the limit. */
  reserve(bytes: number): void {
    this.memoryBytes += bytes;
    if (this.memoryBytes > this.memoryBytesMax) {
      throw new PlanError(
        'E_QUERY_MEMORY',
        `the query needs more than ${this.memoryBytesMax} bytes of memory (limits.queryMemoryBytesMax)`,
        { hint: 'add a filter or a LIMIT, or raise queryMemoryBytesMax' },
      );
    }
  }

  release(bytes: number): void {
    this.memoryBytes = Math.max(0, this.memoryBytes - bytes);
  }
}

export function defaultFunctionContext(): FunctionContext {
  return {
    user: 'catrust',
    database: 'catrust',
    currentDate: Math.floor(Date.now() / 86_400_000),
  };
}
