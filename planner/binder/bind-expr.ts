/**
 * SQL expressions → bound expressions: names resolved through the scope, types checked and
 * made to agree the way PostgreSQL does for catrust's seven types (implicit promotion
 * Int → Decimal → Float; an untyped literal, NULL or `$n` takes the type its context wants).
 */
import {
  assertNever,
  didYouMean,
  parseDecimalLiteral,
  parseIntLiteral,
  type ScalarType,
  type Value,
} from '../../common/index.js';
import type { LogicalPlan, AggregateCall, AggregateFunction } from '../logical/plan.js';
import { and, compare, literal, or, type CompareOp, type Expr } from '../expr/expr.js';
import { canCast, canCoerceImplicitly, castScalar } from '../expr/cast.js';
import { commonTypeFunction, knownFunctionNames, resolveFunction } from '../expr/functions.js';
import { isNumericType, sqlTypeName, widerNumericType } from '../types.js';
import { PlanError } from '../errors.js';
import type { SqlExpr, SqlQuery } from '../sql/ast.js';
import type { BindContext } from './context.js';
import type { Scope } from './scope.js';

/** Where aggregates found in an expression go (undefined: aggregates are not allowed here). */
export interface AggregateSink {
  add(call: AggregateCall, name: string, position: number): Expr;
}

export interface ExprClause {
  /** For messages: "aggregate functions are not allowed in WHERE". */
  readonly clause: string;
  readonly aggregates: AggregateSink | undefined;
}

/** Binds subqueries (provided by the query binder: expressions and queries nest both ways). */
export type SubqueryBinder = (query: SqlQuery, scope: Scope) => LogicalPlan;

const AGGREGATES: ReadonlyMap<string, AggregateFunction> = new Map<string, AggregateFunction>([
  ['count', 'count'],
  ['sum', 'sum'],
  ['avg', 'avg'],
  ['min', 'min'],
  ['max', 'max'],
  ['bool_and', 'bool_and'],
  ['every', 'bool_and'],
  ['bool_or', 'bool_or'],
  ['string_agg', 'string_agg'],
]);

export function isAggregateName(name: string): boolean {
  return AGGREGATES.has(name);
}

export class ExprBinder {
  constructor(
    private readonly context: BindContext,
    private readonly bindSubquery: SubqueryBinder,
  ) {}

  private error(
    code: ConstructorParameters<typeof PlanError>[0],
    message: string,
    position: number,
    hint?: string,
  ): PlanError {
    return this.context.error(code, message, position, hint);
  }

  isUntyped(expr: Expr): boolean {
    return this.context.untyped.has(expr);
  }

  private untypedLiteral(value: Value): Expr {
    const expr = literal(value, 'String');
    this.context.untyped.add(expr);
    return expr;
  }

  /** Give an untyped expression its type, or promote a typed one; error if it cannot be. */
  coerce(expr: Expr, type: ScalarType, position: number): Expr {
    if (this.isUntyped(expr)) {
      if (expr.kind === 'Literal') {
        if (expr.value === null) return literal(null, type);
        try {
          return literal(castScalar(expr.value, 'String', type), type);
        } catch (error) {
          if (error instanceof PlanError || error instanceof Error) {
            throw new PlanError('E_SQL_VALUE', (error as Error).message, {
              location: this.context.location(position),
              sqlstate: (error as { sqlstate?: string }).sqlstate ?? '22P02',
            });
          }
          throw error;
        }
      }
      if (expr.kind === 'Parameter') {
        const known = this.context.parameterTypes[expr.index - 1];
        if (known === undefined) {
          this.context.parameterTypes[expr.index - 1] = type;
          return { kind: 'Parameter', index: expr.index, type };
        }
        const parameter: Expr = { kind: 'Parameter', index: expr.index, type: known };
        return known === type ? parameter : this.coerce(parameter, type, position);
      }
    }
    if (expr.type === type) return expr;
    if (canCoerceImplicitly(expr.type, type)) {
      if (expr.kind === 'Literal' && expr.value !== null) {
        return literal(castScalar(expr.value, expr.type, type), type);
      }
      return { kind: 'Cast', operand: expr, type };
    }
    throw this.error(
      'E_SQL_TYPE',
      `expected a value of type ${sqlTypeName(type)}, found ${sqlTypeName(expr.type)}`,
      position,
    );
  }

  /** Settle an untyped expression as text (a select-list `'abc'`, `$1` with no context). */
  settle(expr: Expr, position: number): Expr {
    return this.isUntyped(expr) ? this.coerce(expr, 'String', position) : expr;
  }

  /** The common type of several expressions (CASE, IN, UNION, COALESCE), as PostgreSQL picks it. */
  commonType(exprs: readonly Expr[], what: string, position: number): ScalarType {
    let result: ScalarType | undefined;
    for (const expr of exprs) {
      if (this.isUntyped(expr)) continue;
      if (result === undefined || result === expr.type) result = expr.type;
      else if (isNumericType(result) && isNumericType(expr.type))
        result = widerNumericType(result, expr.type);
      else {
        throw this.error(
          'E_SQL_TYPE',
          `${what} types ${sqlTypeName(result)} and ${sqlTypeName(expr.type)} cannot be matched`,
          position,
        );
      }
    }
    return result ?? 'String';
  }

  bindBool(expr: SqlExpr, scope: Scope, clause: ExprClause): Expr {
    const bound = this.bind(expr, scope, clause);
    if (this.isUntyped(bound)) return this.coerce(bound, 'Bool', expr.position);
    if (bound.type !== 'Bool') {
      throw this.error(
        'E_SQL_TYPE',
        `argument of ${clause.clause} must be type boolean, not type ${sqlTypeName(bound.type)}`,
        expr.position,
      );
    }
    return bound;
  }

  bind(expr: SqlExpr, scope: Scope, clause: ExprClause): Expr {
    switch (expr.kind) {
      case 'Column':
        return this.column(expr, scope);
      case 'Literal':
        return this.literal(expr);
      case 'Parameter': {
        if (expr.index < 1 || expr.index > 65535) {
          throw this.error(
            'E_SQL_PARAMETER',
            `there is no parameter $${expr.index}`,
            expr.position,
          );
        }
        while (this.context.parameterTypes.length < expr.index)
          this.context.parameterTypes.push(undefined);
        const known = this.context.parameterTypes[expr.index - 1];
        if (known !== undefined) return { kind: 'Parameter', index: expr.index, type: known };
        const parameter: Expr = { kind: 'Parameter', index: expr.index, type: 'String' };
        this.context.untyped.add(parameter);
        return parameter;
      }
      case 'Unary':
        return this.unary(expr, scope, clause);
      case 'Binary':
        return this.binary(expr, scope, clause);
      case 'IsNull':
        return {
          kind: 'IsNull',
          operand: this.settle(this.bind(expr.operand, scope, clause), expr.position),
          negated: expr.negated,
          type: 'Bool',
        };
      case 'IsBool': {
        const operand = this.coerceBool(
          this.bind(expr.operand, scope, clause),
          expr.position,
          'IS TRUE',
        );
        if (expr.value === null)
          return { kind: 'IsNull', operand, negated: expr.negated, type: 'Bool' };
        return {
          kind: 'IsDistinct',
          left: operand,
          right: literal(expr.value, 'Bool'),
          negated: !expr.negated,
          type: 'Bool',
        };
      }
      case 'IsDistinct': {
        const [left, right] = this.unify(
          [this.bind(expr.left, scope, clause), this.bind(expr.right, scope, clause)],
          'IS DISTINCT FROM',
          expr.position,
        );
        return {
          kind: 'IsDistinct',
          left: left!,
          right: right!,
          negated: expr.negated,
          type: 'Bool',
        };
      }
      case 'Between':
        return this.between(expr, scope, clause);
      case 'Like': {
        const operand = this.coerceText(
          this.bind(expr.operand, scope, clause),
          expr.position,
          'LIKE',
        );
        const pattern = this.coerceText(
          this.bind(expr.pattern, scope, clause),
          expr.position,
          'LIKE',
        );
        return {
          kind: 'Like',
          operand,
          pattern,
          caseInsensitive: expr.caseInsensitive,
          negated: expr.negated,
          type: 'Bool',
        };
      }
      case 'InList': {
        const bound = this.unify(
          [
            this.bind(expr.operand, scope, clause),
            ...expr.list.map((item) => this.bind(item, scope, clause)),
          ],
          'IN',
          expr.position,
        );
        const [operand, ...list] = bound;
        return { kind: 'InList', operand: operand!, list, negated: expr.negated, type: 'Bool' };
      }
      case 'InSubquery':
        return this.quantified(
          expr.operand,
          '=',
          'in',
          expr.query,
          expr.negated,
          scope,
          clause,
          expr.position,
        );
      case 'Quantified':
        return this.quantified(
          expr.operand,
          expr.op,
          expr.quantifier,
          expr.query,
          false,
          scope,
          clause,
          expr.position,
        );
      case 'Exists': {
        const plan = this.bindSubquery(expr.query, scope);
        return {
          kind: 'Subquery',
          mode: 'exists',
          plan,
          operand: undefined,
          op: undefined,
          correlated: [],
          type: 'Bool',
        };
      }
      case 'ScalarSubquery': {
        const plan = this.bindSubquery(expr.query, scope);
        if (plan.output.length !== 1) {
          throw this.error(
            'E_SQL_CARDINALITY',
            'subquery must return only one column',
            expr.position,
            undefined,
          );
        }
        return {
          kind: 'Subquery',
          mode: 'scalar',
          plan,
          operand: undefined,
          op: undefined,
          correlated: [],
          type: plan.output[0]!.type,
        };
      }
      case 'Case':
        return this.caseExpr(expr, scope, clause);
      case 'Cast': {
        const operand = this.bind(expr.operand, scope, clause);
        if (this.isUntyped(operand)) return this.coerce(operand, expr.type, expr.position);
        if (!canCast(operand.type, expr.type)) {
          throw new PlanError(
            'E_SQL_TYPE',
            `cannot cast type ${sqlTypeName(operand.type)} to ${sqlTypeName(expr.type)}`,
            { location: this.context.location(expr.position), sqlstate: '42846' },
          );
        }
        if (operand.type === expr.type) return operand;
        return { kind: 'Cast', operand, type: expr.type };
      }
      case 'Function':
        return this.functionCall(expr, scope, clause);
      case 'Star':
        throw this.error(
          'E_SQL_SYNTAX',
          '`*` is allowed only in a select list and in count(*)',
          expr.position,
        );
      default:
        return assertNever(expr, 'SQL expression');
    }
  }

  private column(expr: Extract<SqlExpr, { kind: 'Column' }>, scope: Scope): Expr {
    const parts = expr.parts;
    const name = parts[parts.length - 1]!;
    // `schema.table.column`: the schema part must be public (catrust's one schema).
    const qualifier = parts.length >= 2 ? parts[parts.length - 2] : undefined;
    if (parts.length > 3) {
      throw this.error(
        'E_SQL_UNSUPPORTED',
        `improper qualified name (too many dotted names)`,
        expr.position,
      );
    }
    const resolution = scope.resolve(qualifier, name);
    switch (resolution.kind) {
      case 'found': {
        const column = resolution.column;
        if (column.expr !== undefined) return column.expr;
        const display =
          column.qualifier === undefined ? column.name : `${column.qualifier}.${column.name}`;
        return { kind: 'Column', id: column.id, type: column.type, name: display };
      }
      case 'ambiguous':
        throw this.error(
          'E_SQL_AMBIGUOUS',
          `column reference "${name.text}" is ambiguous`,
          expr.position,
          `qualify it: ${resolution.candidates
            .map((candidate) => `${candidate.qualifier ?? '?'}.${candidate.name}`)
            .join(' or ')}`,
        );
      case 'unknownQualifier':
        throw this.error(
          'E_SQL_UNKNOWN_TABLE',
          `missing FROM-clause entry for table "${qualifier?.text ?? ''}"`,
          expr.position,
          resolution.suggestion === undefined
            ? undefined
            : `did you mean \`${resolution.suggestion}\`?`,
        );
      case 'missing': {
        const shown = qualifier === undefined ? name.text : `${qualifier.text}.${name.text}`;
        throw this.error(
          'E_SQL_UNKNOWN_COLUMN',
          `column "${shown}" does not exist`,
          expr.position,
          resolution.suggestion === undefined
            ? undefined
            : `did you mean \`${resolution.suggestion}\`?`,
        );
      }
      default:
        return assertNever(resolution, 'resolution');
    }
  }

  private literal(expr: Extract<SqlExpr, { kind: 'Literal' }>): Expr {
    const location = this.context.location(expr.position);
    switch (expr.literal) {
      case 'null':
        return this.untypedLiteral(null);
      case 'string':
        return this.untypedLiteral(expr.text);
      case 'boolean':
        return literal(expr.text === 'true', 'Bool');
      case 'integer': {
        // PostgreSQL makes an integer literal too large for int8 a numeric.
        try {
          return literal(parseIntLiteral(expr.text, location), 'Int');
        } catch {
          return literal(parseDecimalLiteral(expr.text, location), 'Decimal');
        }
      }
      case 'numeric':
        return literal(parseDecimalLiteral(expr.text, location), 'Decimal');
      default:
        return assertNever(expr.literal, 'literal kind');
    }
  }

  private coerceBool(expr: Expr, position: number, what: string): Expr {
    if (this.isUntyped(expr)) return this.coerce(expr, 'Bool', position);
    if (expr.type !== 'Bool') {
      throw this.error(
        'E_SQL_TYPE',
        `argument of ${what} must be type boolean, not type ${sqlTypeName(expr.type)}`,
        position,
      );
    }
    return expr;
  }

  private coerceText(expr: Expr, position: number, what: string): Expr {
    if (this.isUntyped(expr)) return this.coerce(expr, 'String', position);
    if (expr.type !== 'String') {
      throw this.error(
        'E_SQL_TYPE',
        `operator does not exist: ${sqlTypeName(expr.type)} ${what} text`,
        position,
        'cast the value to text',
      );
    }
    return expr;
  }

  /** Bring expressions to their common type. */
  unify(exprs: readonly Expr[], what: string, position: number): Expr[] {
    const type = this.commonType(exprs, what, position);
    return exprs.map((expr) => this.coerce(expr, type, position));
  }

  private unary(expr: Extract<SqlExpr, { kind: 'Unary' }>, scope: Scope, clause: ExprClause): Expr {
    const operand = this.bind(expr.operand, scope, clause);
    if (expr.op === 'not')
      return { kind: 'Not', operand: this.coerceBool(operand, expr.position, 'NOT'), type: 'Bool' };
    const numeric = this.isUntyped(operand)
      ? this.coerce(operand, 'Decimal', expr.position)
      : operand;
    if (!isNumericType(numeric.type)) {
      throw this.error(
        'E_SQL_TYPE',
        `operator does not exist: ${expr.op} ${sqlTypeName(numeric.type)}`,
        expr.position,
      );
    }
    return expr.op === '+' ? numeric : { kind: 'Negate', operand: numeric, type: numeric.type };
  }

  private binary(
    expr: Extract<SqlExpr, { kind: 'Binary' }>,
    scope: Scope,
    clause: ExprClause,
  ): Expr {
    const left = this.bind(expr.left, scope, clause);
    const right = this.bind(expr.right, scope, clause);
    const position = expr.position;
    switch (expr.op) {
      case 'and':
      case 'or': {
        const args = [
          this.coerceBool(left, position, expr.op.toUpperCase()),
          this.coerceBool(right, position, expr.op.toUpperCase()),
        ];
        return expr.op === 'and' ? and(args) : or(args);
      }
      case '=':
      case '<>':
      case '<':
      case '<=':
      case '>':
      case '>=':
        return this.comparison(expr.op, left, right, position);
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
        return this.arithmetic(expr.op, left, right, position);
      case '||': {
        if (
          !this.isUntyped(left) &&
          left.type !== 'String' &&
          !this.isUntyped(right) &&
          right.type !== 'String'
        ) {
          throw this.error(
            'E_SQL_TYPE',
            `operator does not exist: ${sqlTypeName(left.type)} || ${sqlTypeName(right.type)}`,
            position,
          );
        }
        const toText = (side: Expr): Expr =>
          this.isUntyped(side)
            ? this.coerce(side, 'String', position)
            : side.type === 'String'
              ? side
              : { kind: 'Cast', operand: side, type: 'String' };
        return {
          kind: 'Call',
          name: 'textcat',
          args: [toText(left), toText(right)],
          type: 'String',
        };
      }
      case '~':
      case '~*':
      case '!~':
      case '!~*': {
        const call: Expr = {
          kind: 'Call',
          name: expr.op.includes('*') ? 'regexp_imatch_op' : 'regexp_match_op',
          args: [
            this.coerceText(left, position, expr.op),
            this.coerceText(right, position, expr.op),
          ],
          type: 'Bool',
        };
        return expr.op.startsWith('!') ? { kind: 'Not', operand: call, type: 'Bool' } : call;
      }
      default:
        return assertNever(expr.op, 'binary operator');
    }
  }

  comparison(op: CompareOp, left: Expr, right: Expr, position: number): Expr {
    const [l, r] = this.comparable(left, right, op, position);
    return compare(op, l, r);
  }

  private comparable(left: Expr, right: Expr, op: string, position: number): [Expr, Expr] {
    const leftUntyped = this.isUntyped(left);
    const rightUntyped = this.isUntyped(right);
    if (leftUntyped && rightUntyped) {
      return [this.coerce(left, 'String', position), this.coerce(right, 'String', position)];
    }
    if (leftUntyped) return [this.coerce(left, right.type, position), right];
    if (rightUntyped) return [left, this.coerce(right, left.type, position)];
    if (left.type === right.type) return [left, right];
    if (isNumericType(left.type) && isNumericType(right.type)) {
      const type = widerNumericType(left.type, right.type);
      return [this.coerce(left, type, position), this.coerce(right, type, position)];
    }
    throw this.error(
      'E_SQL_TYPE',
      `operator does not exist: ${sqlTypeName(left.type)} ${op} ${sqlTypeName(right.type)}`,
      position,
      'add an explicit cast',
    );
  }

  private arithmetic(
    op: '+' | '-' | '*' | '/' | '%',
    leftIn: Expr,
    rightIn: Expr,
    position: number,
  ): Expr {
    let left = leftIn;
    let right = rightIn;
    const leftUntyped = this.isUntyped(left);
    const rightUntyped = this.isUntyped(right);
    if (leftUntyped && rightUntyped) {
      throw this.error(
        'E_SQL_TYPE',
        `operator is not unique: unknown ${op} unknown`,
        position,
        'add an explicit cast',
      );
    }
    const settleAgainst = (side: Expr, other: Expr): Expr => {
      if (other.type === 'Date') {
        const isInteger =
          side.kind === 'Literal' &&
          typeof side.value === 'string' &&
          /^\s*[+-]?[0-9]+\s*$/.test(side.value);
        return this.coerce(side, op === '-' && !isInteger ? 'Date' : 'Int', position);
      }
      return this.coerce(side, other.type, position);
    };
    if (leftUntyped) left = settleAgainst(left, right);
    if (rightUntyped) right = settleAgainst(right, left);
    // Date arithmetic: date ± int → date, int + date → date, date − date → int.
    if (left.type === 'Date' || right.type === 'Date') {
      if (op === '+' && left.type === 'Date' && right.type === 'Int')
        return { kind: 'Arith', op, left, right, type: 'Date' };
      if (op === '+' && left.type === 'Int' && right.type === 'Date') {
        return { kind: 'Arith', op, left: right, right: left, type: 'Date' };
      }
      if (op === '-' && left.type === 'Date' && right.type === 'Int')
        return { kind: 'Arith', op, left, right, type: 'Date' };
      if (op === '-' && left.type === 'Date' && right.type === 'Date')
        return { kind: 'Arith', op, left, right, type: 'Int' };
    }
    if (!isNumericType(left.type) || !isNumericType(right.type)) {
      throw this.error(
        'E_SQL_TYPE',
        `operator does not exist: ${sqlTypeName(left.type)} ${op} ${sqlTypeName(right.type)}`,
        position,
        'add an explicit cast',
      );
    }
    const type = widerNumericType(left.type, right.type);
    return {
      kind: 'Arith',
      op,
      left: this.coerce(left, type, position),
      right: this.coerce(right, type, position),
      type,
    };
  }

  private between(
    expr: Extract<SqlExpr, { kind: 'Between' }>,
    scope: Scope,
    clause: ExprClause,
  ): Expr {
    const [operand, low, high] = this.unify(
      [
        this.bind(expr.operand, scope, clause),
        this.bind(expr.low, scope, clause),
        this.bind(expr.high, scope, clause),
      ],
      'BETWEEN',
      expr.position,
    );
    const inRange = (from: Expr, to: Expr): Expr =>
      and([compare('>=', operand!, from), compare('<=', operand!, to)]);
    let result = inRange(low!, high!);
    if (expr.symmetric) result = or([result, inRange(high!, low!)]);
    return expr.negated ? { kind: 'Not', operand: result, type: 'Bool' } : result;
  }

  private quantified(
    operandSql: SqlExpr,
    op: CompareOp,
    mode: 'in' | 'any' | 'all',
    query: SqlQuery,
    negated: boolean,
    scope: Scope,
    clause: ExprClause,
    position: number,
  ): Expr {
    let operand = this.bind(operandSql, scope, clause);
    let plan = this.bindSubquery(query, scope);
    if (plan.output.length !== 1) {
      throw this.error('E_SQL_CARDINALITY', 'subquery has too many columns', position);
    }
    const column = plan.output[0]!;
    let type = column.type;
    if (this.isUntyped(operand)) operand = this.coerce(operand, type, position);
    else if (operand.type !== type) {
      if (isNumericType(operand.type) && isNumericType(type)) {
        type = widerNumericType(operand.type, type);
        operand = this.coerce(operand, type, position);
        if (column.type !== type) {
          const id = this.context.newColumnId();
          const cast: Expr = {
            kind: 'Cast',
            operand: { kind: 'Column', id: column.id, type: column.type, name: column.name },
            type,
          };
          plan = {
            kind: 'Project',
            input: plan,
            items: [{ id, name: column.name, expr: cast }],
            output: [{ id, name: column.name, type }],
          };
        }
      } else {
        throw this.error(
          'E_SQL_TYPE',
          `operator does not exist: ${sqlTypeName(operand.type)} ${op} ${sqlTypeName(type)}`,
          position,
        );
      }
    }
    const result: Expr = {
      kind: 'Subquery',
      mode: mode === 'in' ? 'in' : mode,
      plan,
      operand,
      op,
      correlated: [],
      type: 'Bool',
    };
    return negated ? { kind: 'Not', operand: result, type: 'Bool' } : result;
  }

  private caseExpr(
    expr: Extract<SqlExpr, { kind: 'Case' }>,
    scope: Scope,
    clause: ExprClause,
  ): Expr {
    const subject = expr.operand === undefined ? undefined : this.bind(expr.operand, scope, clause);
    const whens = expr.whens.map((arm) => {
      const condition =
        subject === undefined
          ? this.coerceBool(this.bind(arm.when, scope, clause), arm.when.position, 'CASE/WHEN')
          : this.comparison('=', subject, this.bind(arm.when, scope, clause), arm.when.position);
      return { when: condition, then: this.bind(arm.then, scope, clause) };
    });
    const otherwise =
      expr.otherwise === undefined
        ? this.untypedLiteral(null)
        : this.bind(expr.otherwise, scope, clause);
    const results = this.unify([...whens.map((arm) => arm.then), otherwise], 'CASE', expr.position);
    const type = results[0]?.type ?? 'String';
    return {
      kind: 'Case',
      whens: whens.map((arm, index) => ({ when: arm.when, then: results[index]! })),
      otherwise: results[results.length - 1]!,
      type,
    };
  }

  private functionCall(
    expr: Extract<SqlExpr, { kind: 'Function' }>,
    scope: Scope,
    clause: ExprClause,
  ): Expr {
    const name = expr.name.toLowerCase();
    const aggregate = AGGREGATES.get(name);
    if (aggregate !== undefined) return this.aggregate(aggregate, expr, scope, clause);
    if (expr.star || expr.distinct || expr.filter !== undefined || expr.orderBy.length > 0) {
      throw this.error(
        'E_SQL_SYNTAX',
        `${name}() is not an aggregate function: * / DISTINCT / FILTER are not allowed`,
        expr.position,
      );
    }
    const args = expr.args.map((arg) => this.bind(arg, scope, clause));
    if (name === 'coalesce' || name === 'nullif' || name === 'greatest' || name === 'least') {
      if (args.length === 0 || (name === 'nullif' && args.length !== 2)) {
        throw this.error(
          'E_SQL_UNKNOWN_FUNCTION',
          `function ${name} with ${args.length} arguments does not exist`,
          expr.position,
        );
      }
      const unified = this.unify(args, name.toUpperCase(), expr.position);
      const resolved = commonTypeFunction(name, unified[0]?.type ?? 'String');
      return { kind: 'Call', name, args: unified, type: resolved.returns };
    }
    if (name === 'concat' || name === 'concat_ws') {
      // concat(any…): every argument is converted to text.
      const texts = args.map((arg) =>
        this.isUntyped(arg)
          ? this.coerce(arg, 'String', expr.position)
          : arg.type === 'String'
            ? arg
            : ({ kind: 'Cast', operand: arg, type: 'String' } as Expr),
      );
      const resolved = resolveFunction(
        name,
        texts.map(() => 'String'),
      );
      if (resolved === undefined) {
        throw this.error(
          'E_SQL_UNKNOWN_FUNCTION',
          `function ${name}() needs at least one argument`,
          expr.position,
        );
      }
      return { kind: 'Call', name, args: texts, type: 'String' };
    }
    const argTypes = args.map((arg) => (this.isUntyped(arg) ? undefined : arg.type));
    // extract / date_part / date_trunc take the field as a text literal.
    const resolved = resolveFunction(name, argTypes);
    if (resolved === undefined) {
      const shown = argTypes
        .map((type) => (type === undefined ? 'unknown' : sqlTypeName(type)))
        .join(', ');
      const known = knownFunctionNames();
      const hint = known.includes(name)
        ? 'no overload takes these argument types; add explicit casts'
        : didYouMean(name, [...known, ...AGGREGATES.keys()]);
      throw this.error(
        'E_SQL_UNKNOWN_FUNCTION',
        `function ${name}(${shown}) does not exist`,
        expr.position,
        hint,
      );
    }
    const cast = args.map((arg, index) =>
      this.coerce(arg, resolved.argTypes[index] ?? arg.type, expr.position),
    );
    return { kind: 'Call', name: resolved.name, args: cast, type: resolved.returns };
  }

  private aggregate(
    fn: AggregateFunction,
    expr: Extract<SqlExpr, { kind: 'Function' }>,
    scope: Scope,
    clause: ExprClause,
  ): Expr {
    const sink = clause.aggregates;
    const name = expr.name.toLowerCase();
    if (sink === undefined) {
      throw new PlanError(
        'E_SQL_GROUPING',
        `aggregate functions are not allowed in ${clause.clause}`,
        {
          location: this.context.location(expr.position),
          sqlstate: '42803',
        },
      );
    }
    // Arguments of an aggregate are evaluated per input row: no nested aggregates.
    const inner: ExprClause = {
      clause: 'the arguments of an aggregate function',
      aggregates: undefined,
    };
    const filter =
      expr.filter === undefined
        ? undefined
        : this.bindBool(expr.filter, scope, { clause: 'FILTER', aggregates: undefined });
    if (expr.star) {
      if (fn !== 'count')
        throw this.error(
          'E_SQL_SYNTAX',
          `${name}(*) is not valid; only count(*) is`,
          expr.position,
        );
      return sink.add(
        {
          fn: 'count_star',
          arg: undefined,
          separator: undefined,
          distinct: false,
          filter,
          type: 'Int',
        },
        'count',
        expr.position,
      );
    }
    const expectedArgs = fn === 'string_agg' ? 2 : 1;
    if (expr.args.length !== expectedArgs) {
      throw this.error(
        'E_SQL_UNKNOWN_FUNCTION',
        `function ${name} takes ${expectedArgs} argument${expectedArgs === 1 ? '' : 's'}, found ${expr.args.length}`,
        expr.position,
      );
    }
    let arg = this.bind(expr.args[0]!, scope, inner);
    let separator: Expr | undefined;
    let type: ScalarType;
    const wrong = (): PlanError =>
      this.error(
        'E_SQL_UNKNOWN_FUNCTION',
        `function ${name}(${this.isUntyped(arg) ? 'unknown' : sqlTypeName(arg.type)}) does not exist`,
        expr.position,
      );
    switch (fn) {
      case 'count':
        arg = this.settle(arg, expr.position);
        type = 'Int';
        break;
      case 'sum':
      case 'avg':
        if (this.isUntyped(arg) || !isNumericType(arg.type)) throw wrong();
        type = arg.type === 'Float' ? 'Float' : 'Decimal';
        break;
      case 'min':
      case 'max':
        arg = this.settle(arg, expr.position);
        type = arg.type;
        break;
      case 'bool_and':
      case 'bool_or':
        arg = this.coerceBool(arg, expr.position, name);
        type = 'Bool';
        break;
      case 'string_agg':
        arg = this.coerceText(arg, expr.position, 'string_agg');
        separator = this.coerceText(
          this.bind(expr.args[1]!, scope, inner),
          expr.position,
          'string_agg',
        );
        type = 'String';
        break;
      case 'count_star':
        throw wrong();
      default:
        return assertNever(fn, 'aggregate');
    }
    const orderBy = expr.orderBy.map((item) => ({
      expr: this.settle(this.bind(item.expr, scope, inner), item.position),
      descending: item.descending,
      nullsFirst: item.nullsFirst ?? item.descending,
    }));
    if (expr.distinct && orderBy.length > 0) {
      throw this.error(
        'E_SQL_UNSUPPORTED',
        `ORDER BY with DISTINCT inside ${name}() is not supported`,
        expr.position,
      );
    }
    return sink.add(
      { fn, arg, separator, distinct: expr.distinct, filter, orderBy, type },
      name,
      expr.position,
    );
  }
}
