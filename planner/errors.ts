/**
 * The planner's typed errors (STYLE.md §7). Every error a query can cause is a `PlanError` with
 * a stable code, a PostgreSQL SQLSTATE (pgwire sends it as is) and, where the query text is
 * known, a location: line and column in the SQL or CQL text.
 *
 * | code                 | SQLSTATE | when                                                    |
 * |----------------------|----------|---------------------------------------------------------|
 * | E_SQL_SYNTAX         | 42601    | the text does not parse                                 |
 * | E_SQL_UNSUPPORTED    | 0A000    | valid PostgreSQL that catrust does not run (named)      |
 * | E_SQL_UNKNOWN_TABLE  | 42P01    | no entity (table) or CTE of that name                   |
 * | E_SQL_UNKNOWN_COLUMN | 42703    | no column of that name in scope                         |
 * | E_SQL_UNKNOWN_FUNCTION | 42883  | no function of that name for these argument types       |
 * | E_SQL_AMBIGUOUS      | 42702    | a column name that two tables in scope provide          |
 * | E_SQL_TYPE           | 42804    | an expression of the wrong type                         |
 * | E_SQL_GROUPING       | 42803    | a column outside GROUP BY and outside an aggregate      |
 * | E_SQL_CARDINALITY    | 21000    | a scalar subquery that returned more than one row       |
 * | E_SQL_DIVISION_BY_ZERO | 22012  | x / 0, x % 0                                            |
 * | E_SQL_OUT_OF_RANGE   | 22003    | an Int result outside signed 64 bits                    |
 * | E_SQL_VALUE          | 22P02    | a value that does not convert (cast, parameter)         |
 * | E_SQL_PARAMETER      | 08P01/42P02 | a missing or extra `$n` value                        |
 * | E_QUERY_MEMORY       | 53200    | the query passed `limits.queryMemoryBytesMax`           |
 */
import { CatrustError, type CatrustErrorOptions } from '../common/index.js';

export type PlanErrorCode =
  | 'E_SQL_SYNTAX'
  | 'E_SQL_UNSUPPORTED'
  | 'E_SQL_UNKNOWN_TABLE'
  | 'E_SQL_UNKNOWN_COLUMN'
  | 'E_SQL_UNKNOWN_FUNCTION'
  | 'E_SQL_AMBIGUOUS'
  | 'E_SQL_DUPLICATE'
  | 'E_SQL_TYPE'
  | 'E_SQL_GROUPING'
  | 'E_SQL_CARDINALITY'
  | 'E_SQL_DIVISION_BY_ZERO'
  | 'E_SQL_OUT_OF_RANGE'
  | 'E_SQL_VALUE'
  | 'E_SQL_PARAMETER'
  | 'E_QUERY_MEMORY'
  | 'E_PLAN';

const SQLSTATES: Readonly<Record<PlanErrorCode, string>> = {
  E_SQL_SYNTAX: '42601',
  E_SQL_UNSUPPORTED: '0A000',
  E_SQL_UNKNOWN_TABLE: '42P01',
  E_SQL_UNKNOWN_COLUMN: '42703',
  E_SQL_UNKNOWN_FUNCTION: '42883',
  E_SQL_AMBIGUOUS: '42702',
  E_SQL_DUPLICATE: '42712',
  E_SQL_TYPE: '42804',
  E_SQL_GROUPING: '42803',
  E_SQL_CARDINALITY: '21000',
  E_SQL_DIVISION_BY_ZERO: '22012',
  E_SQL_OUT_OF_RANGE: '22003',
  E_SQL_VALUE: '22P02',
  E_SQL_PARAMETER: '08P01',
  E_QUERY_MEMORY: '53200',
  E_PLAN: '42000',
};

export class PlanError extends CatrustError {
  declare readonly code: PlanErrorCode;
  constructor(code: PlanErrorCode, message: string, options: CatrustErrorOptions = {}) {
    super(code, message, { sqlstate: SQLSTATES[code], ...options });
  }
}

/** `E_SQL_UNSUPPORTED`: names the construct, so the user knows what to rewrite. */
export function unsupported(construct: string, options: CatrustErrorOptions = {}): PlanError {
  return new PlanError('E_SQL_UNSUPPORTED', `${construct} is not supported`, options);
}
