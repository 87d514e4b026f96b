/**
 * The planner's front: SQL text → prepared statement (plan, output columns, parameter types,
 * all known before any parameter value: drivers Describe first) → result.
 *
 * `await loadSqlParser()` once before `prepareSql` (libpg-query's WebAssembly module).
 */
import { assertNever, limits, LimitError, type ScalarType, type Value } from '../common/index.js';
import { intFromBigInt, parseText, valueToText } from './expr/cast.js';
import { sqlTypeName } from './types.js';
import { QueryBinder } from './binder/bind-query.js';
import { BindContext } from './binder/context.js';
import type { RelationSource } from './data/source.js';
import type { Batch } from './data/vector.js';
import { vectorFromValues } from './data/vector.js';
import { PlanError } from './errors.js';
import {
  defaultFunctionContext,
  ExecutionEnvironment,
  type OperatorStatistics,
} from './exec/environment.js';
import { executePlan } from './exec/execute.js';
import { explainPhysical } from './exec/physical.js';
import type { FunctionContext } from './expr/functions.js';
import { annotateCorrelation } from './logical/analysis.js';
import { explainLogical, planInputs, describeNode, type LogicalPlan } from './logical/plan.js';
import { optimize, type OptimizerOptions } from './optimizer/optimize.js';
import type { QueryResult, ResultColumn } from './result.js';
import { parseSqlStatement } from './sql/parse.js';
import type { SqlStatement } from './sql/ast.js';

export interface PrepareOptions extends OptimizerOptions {
  /** Types the client declared for `$1`, `$2`, … (undefined: infer from context). */
  readonly parameterTypes?: readonly (ScalarType | undefined)[];
  /** For error locations. */
  readonly file?: string;
}

export type PreparedStatement =
  | {
      readonly kind: 'query';
      readonly plan: LogicalPlan;
      readonly columns: readonly ResultColumn[];
      readonly parameterTypes: readonly ScalarType[];
      /** The statement's text, trimmed. */
      readonly text: string;
    }
  | {
      readonly kind: 'explain';
      readonly analyze: boolean;
      /** EXPLAIN VERBOSE: the bound plan, the optimised plan and the physical plan. */
      readonly verbose: boolean;
      /** The plan as bound, before the optimizer. */
      readonly bound: LogicalPlan;
      readonly plan: LogicalPlan;
      readonly columns: readonly ResultColumn[];
      readonly parameterTypes: readonly ScalarType[];
      readonly text: string;
    }
  | {
      /** BEGIN / COMMIT / ROLLBACK / SET / SHOW: for the session layer, no plan. */
      readonly kind: 'session';
      readonly statement: Exclude<SqlStatement, { kind: 'Query' } | { kind: 'Explain' }>;
      readonly columns: readonly ResultColumn[];
      readonly parameterTypes: readonly ScalarType[];
      readonly text: string;
    };

export const EXPLAIN_COLUMNS: readonly ResultColumn[] = [{ name: 'QUERY PLAN', type: 'String' }];

/** Bind and optimise one statement. */
export function prepareSql(
  source: RelationSource,
  text: string,
  options: PrepareOptions = {},
): PreparedStatement {
  const parsed = parseSqlStatement(text, options.file);
  const statement = parsed.statement;
  const context = new BindContext(source, parsed.source, options.parameterTypes ?? []);
  const bindQuery = (
    query: Extract<SqlStatement, { kind: 'Query' }>,
  ): { plan: LogicalPlan; bound: LogicalPlan; parameterTypes: ScalarType[] } => {
    const binder = new QueryBinder(context);
    const bound = annotateCorrelation(binder.bindQuery(query, undefined));
    // Rules may remove a subquery's outer references (a folded predicate): annotate again.
    const plan = annotateCorrelation(optimize(bound, options));
    return { plan, bound, parameterTypes: binder.parameterTypes() };
  };
  switch (statement.kind) {
    case 'Query': {
      const { plan, parameterTypes } = bindQuery(statement);
      return {
        kind: 'query',
        plan,
        columns: plan.output.map((column) => ({ name: column.name, type: column.type })),
        parameterTypes,
        text: parsed.text,
      };
    }
    case 'Explain': {
      const { plan, bound, parameterTypes } = bindQuery(statement.query);
      return {
        kind: 'explain',
        analyze: statement.analyze,
        verbose: statement.verbose,
        bound,
        plan,
        columns: EXPLAIN_COLUMNS,
        parameterTypes,
        text: parsed.text,
      };
    }
    case 'Transaction':
    case 'Set':
    case 'Show':
      return {
        kind: 'session',
        statement,
        columns: statement.kind === 'Show' ? [{ name: statement.name, type: 'String' }] : [],
        parameterTypes: [],
        text: parsed.text,
      };
    default:
      return assertNever(statement, 'statement');
  }
}

export interface ExecuteOptions {
  readonly functions?: FunctionContext;
  readonly memoryBytesMax?: number;
  readonly batchRowsMax?: number;
  /** `performance.now()` past which execution stops with E_TIMEOUT (checked per scanned batch). */
  readonly deadline?: number;
}

/**
 * Parameter values in the engine form of their types. Text (what pgwire's text format sends) is
 * parsed with PostgreSQL's input rules; numbers, bigints and booleans are accepted where they
 * mean the same value (a number for a numeric parameter, for instance); anything else is
 * E_SQL_PARAMETER naming the parameter.
 */
function checkParameters(prepared: PreparedStatement, parameters: readonly Value[]): Value[] {
  if (parameters.length !== prepared.parameterTypes.length) {
    throw new PlanError(
      'E_SQL_PARAMETER',
      `the statement has ${prepared.parameterTypes.length} parameter${prepared.parameterTypes.length === 1 ? '' : 's'}, ${parameters.length} value${parameters.length === 1 ? ' was' : 's were'} given`,
    );
  }
  return parameters.map((value, index) => {
    const type = prepared.parameterTypes[index]!;
    if (value === null) return null;
    const wrong = (): PlanError =>
      new PlanError(
        'E_SQL_PARAMETER',
        `parameter $${index + 1} is ${sqlTypeName(type)}, the value given is a ${typeof value}`,
      );
    try {
      if (typeof value === 'string') return parseText(type, value);
      switch (type) {
        case 'Int':
          if (typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value))) {
            return intFromBigInt(BigInt(value));
          }
          throw wrong();
        case 'Float':
          if (typeof value === 'number' && Number.isFinite(value)) return value;
          if (typeof value === 'bigint') return Number(value);
          throw wrong();
        case 'Decimal':
          if (typeof value === 'number' || typeof value === 'bigint')
            return parseText('Decimal', String(value));
          throw wrong();
        case 'Date':
          if (typeof value === 'number' && Number.isInteger(value)) return value;
          throw wrong();
        case 'Bool':
          if (typeof value === 'boolean') return value;
          throw wrong();
        case 'String':
          return valueToText(
            typeof value === 'boolean'
              ? 'Bool'
              : typeof value === 'bigint'
                ? 'Int'
                : Number.isInteger(value)
                  ? 'Int'
                  : 'Float',
            value,
          );
        case 'Uuid':
          throw wrong();
        default:
          return assertNever(type, 'type');
      }
    } catch (error) {
      if (error instanceof PlanError) throw error;
      throw new PlanError('E_SQL_VALUE', `parameter $${index + 1}: ${(error as Error).message}`);
    }
  });
}

/** Run a prepared statement with parameter values (engine form, of `parameterTypes`). */
export function executePrepared(
  prepared: PreparedStatement,
  parameters: readonly Value[] = [],
  options: ExecuteOptions = {},
): QueryResult {
  const values = checkParameters(prepared, parameters);
  switch (prepared.kind) {
    case 'query':
      return executeLogicalPlan(prepared.plan, prepared.columns, values, options);
    case 'explain': {
      let lines: string[];
      if (prepared.analyze) {
        const env = new ExecutionEnvironment(
          values,
          options.functions ?? defaultFunctionContext(),
          {
            analyze: true,
            ...(options.memoryBytesMax === undefined
              ? {}
              : { memoryBytesMax: options.memoryBytesMax }),
            ...(options.deadline === undefined ? {} : { deadline: options.deadline }),
          },
        );
        const started = performance.now();
        for (const batch of executePlan(prepared.plan, env, options.batchRowsMax)) void batch;
        const totalMs = performance.now() - started;
        lines = explainAnalyzed(prepared.plan, env.statistics ?? new Map());
        lines.push(`Execution Time: ${totalMs.toFixed(3)} ms`);
      } else {
        lines = prepared.verbose
          ? [
              'Logical plan (as bound):',
              ...explainLogical(prepared.bound, 1),
              'Optimized logical plan:',
              ...explainLogical(prepared.plan, 1),
              'Physical plan:',
              ...explainPhysical(prepared.plan, 1),
            ]
          : explainLogical(prepared.plan);
      }
      return {
        columns: prepared.columns,
        batches: [{ length: lines.length, columns: [vectorFromValues('String', lines)] }],
        rowCount: lines.length,
      };
    }
    case 'session':
      return { columns: prepared.columns, batches: [], rowCount: 0 };
    default:
      return assertNever(prepared, 'prepared statement');
  }
}

/** Run an optimised logical plan (from SQL or CQL) to a result. */
export function executeLogicalPlan(
  plan: LogicalPlan,
  columns: readonly ResultColumn[],
  parameters: readonly Value[] = [],
  options: ExecuteOptions = {},
): QueryResult {
  const env = new ExecutionEnvironment(parameters, options.functions ?? defaultFunctionContext(), {
    ...(options.memoryBytesMax === undefined ? {} : { memoryBytesMax: options.memoryBytesMax }),
    ...(options.deadline === undefined ? {} : { deadline: options.deadline }),
  });
  const batches: Batch[] = [];
  let rowCount = 0;
  for (const batch of executePlan(plan, env, options.batchRowsMax)) {
    if (batch.length === 0) continue;
    batches.push(batch);
    rowCount += batch.length;
    if (rowCount > limits.resultRowsMax) {
      throw new LimitError('resultRowsMax', limits.resultRowsMax, rowCount, 'result rows');
    }
  }
  return { columns, batches, rowCount };
}

/** EXPLAIN ANALYZE lines: each node with the rows it produced and its time (inputs included). */
export function explainAnalyzed(
  plan: LogicalPlan,
  statistics: ReadonlyMap<LogicalPlan, OperatorStatistics>,
  indent = 0,
): string[] {
  const entry = statistics.get(plan);
  const actual =
    entry === undefined
      ? ' (never executed)'
      : ` (actual rows=${entry.rows} batches=${entry.batches} time=${entry.timeMs.toFixed(3)} ms)`;
  const lines = [`${'  '.repeat(indent)}${describeNode(plan)}${actual}`];
  for (const input of planInputs(plan))
    lines.push(...explainAnalyzed(input, statistics, indent + 1));
  return lines;
}

/** Prepare and run in one step. */
export function runSql(
  source: RelationSource,
  text: string,
  parameters: readonly Value[] = [],
  options: PrepareOptions & ExecuteOptions = {},
): QueryResult {
  return executePrepared(prepareSql(source, text, options), parameters, options);
}
