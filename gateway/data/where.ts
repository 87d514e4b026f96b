/**
 * A request's `where`: one SQL boolean expression over an entity's columns, evaluated by the
 * planner as `SELECT id FROM "E" WHERE (<expr>)` over a read view. The text is spliced into a
 * statement, so the parsed statement's shape is checked before anything runs: exactly that
 * SELECT — one target `id`, one table `E` without alias, no DISTINCT, GROUP BY, HAVING, ORDER
 * BY, LIMIT, OFFSET, WITH or set operation, one statement. An input that closes the
 * parenthesis to add a UNION, a second statement or a LIMIT is refused (E_ARG_INVALID naming
 * the field); an expression may still use subqueries (`works_in IN (SELECT …)`), which read
 * and never write. Values belong in `params` (`$1`, `$2`, …), not in the text.
 */
import { CatrustError, fieldLocation, type Value } from '../../common/index.js';
import { quoteIdentifier } from '../../catalog/index.js';
import {
  executePrepared,
  parseSqlStatement,
  prepareSql,
  resultRows,
  StoreRelationSource,
} from '../../planner/index.js';
import type { ReadView } from '../../store/index.js';
import { GatewayError } from '../errors.js';

type Statement = ReturnType<typeof parseSqlStatement>['statement'];

function invalid(field: string, message: string, hint?: string): GatewayError {
  return new GatewayError('E_ARG_INVALID', message, {
    location: fieldLocation(field),
    hint,
    details: { field },
  });
}

/** The reason `statement` is not `SELECT id FROM "<entity>" WHERE (…)`, or undefined. */
function shapeProblem(statement: Statement, entity: string): string | undefined {
  if (statement.kind !== 'Query') return `it makes the statement a ${statement.kind}`;
  if (statement.with.length > 0) return 'it adds a WITH clause';
  if (statement.orderBy.length > 0) return 'it adds an ORDER BY';
  if (statement.limit !== undefined || statement.offset !== undefined)
    return 'it adds a LIMIT or OFFSET';
  const body = statement.body;
  if (body.kind !== 'Select') return `it adds a set operation (${body.kind})`;
  if (body.distinct) return 'it adds DISTINCT';
  if (body.groupBy.length > 0 || body.having !== undefined) return 'it adds GROUP BY or HAVING';
  const target = body.targets[0];
  if (
    body.targets.length !== 1 ||
    target === undefined ||
    target.alias !== undefined ||
    target.expr.kind !== 'Column' ||
    target.expr.parts.length !== 1 ||
    target.expr.parts[0]?.text !== 'id'
  ) {
    return 'it changes the selected columns';
  }
  const from = body.from[0];
  if (
    body.from.length !== 1 ||
    from === undefined ||
    from.kind !== 'Table' ||
    from.schema !== undefined ||
    from.alias !== undefined ||
    from.name.text !== entity
  ) {
    return 'it changes the FROM clause';
  }
  if (body.where === undefined) return 'it has no condition';
  return undefined;
}

/** A planner error about the spliced statement, told as an error of the request's field. */
function fieldError(error: CatrustError, field: string): CatrustError {
  return new CatrustError(error.code, `field \`${field}\`: ${error.bareMessage}`, {
    location: fieldLocation(field),
    sqlstate: error.sqlstate,
    hint: error.hint,
    details: { field },
  });
}

/**
 * The active rows of `entity` (in `view`) for which `where` holds, ascending. `params` are the
 * values of `$1`, `$2`, … (JSON, typed by the planner from their use).
 */
export function rowsWhere(
  view: ReadView,
  entity: string,
  where: string,
  params: readonly unknown[],
  field: string,
  deadline: number | undefined,
): number[] {
  const sql = `SELECT id FROM ${quoteIdentifier(entity)} WHERE (${where})`;
  let parsed;
  try {
    parsed = parseSqlStatement(sql, '<where>');
  } catch (error) {
    if (!(error instanceof CatrustError)) throw error;
    throw invalid(
      field,
      `expected one SQL boolean expression over \`${entity}\`'s columns: ${error.bareMessage}`,
      'e.g. "salary > 1000 AND hired < \'2020-01-01\'"; put values in "params" as $1, $2, …',
    );
  }
  const problem = shapeProblem(parsed.statement, entity);
  if (problem !== undefined) {
    throw invalid(
      field,
      `expected one SQL boolean expression over \`${entity}\`'s columns, but ${problem}`,
      'the condition must be a single expression: no closing parenthesis of its own, no ";"',
    );
  }
  try {
    const prepared = prepareSql(new StoreRelationSource(view), sql, { file: '<where>' });
    const result = executePrepared(
      prepared,
      params as readonly Value[],
      deadline === undefined ? {} : { deadline },
    );
    const ids = resultRows(result).map((row) => Number(row[0]));
    return ids.sort((a, b) => a - b);
  } catch (error) {
    if (error instanceof CatrustError && error.code.startsWith('E_SQL'))
      throw fieldError(error, field);
    throw error;
  }
}
