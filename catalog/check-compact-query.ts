/**
 * Checking compact queries: `query Q : S { from e : Employee  where …  group_by …  select …
 * order_by … desc  limit 10 }` into a typed `CompactQuery`.
 *
 * Typing follows PostgreSQL where the two agree:
 * - a path `e.works_in.dept_name` starts at a `from` variable, follows foreign keys and may end
 *   with one attribute (a value of the attribute's type) or not (a row);
 * - numbers: an integer literal is Int, one with a point Decimal, one with an exponent Float;
 *   arithmetic widens Int < Decimal < Float; `/` of two Ints is integer division;
 * - a quoted literal next to a column of another type is read as that type
 *   (`e.hired >= "2020-01-01"` compares dates), and an unreadable one is a typed error;
 * - `and`, `or`, `not`, `where` take Bool; comparisons take two values of one type (numbers
 *   mix) or two rows of one entity (`=`, `!=` only); `||` concatenates to a String;
 * - COUNT is Int; SUM keeps its argument's type; AVG is Float (Decimal for Decimal); MIN and
 *   MAX keep their argument's type; aggregates do not nest and are not allowed in `where`;
 * - with a `group_by` or any aggregate, every selected or ordered expression is an aggregate,
 *   a `group_by` expression (matched by its text), a literal, or built from those;
 * - `order_by` may name a select item by its alias.
 */
import {
  assertNever,
  didYouMean,
  parseValue,
  ValueError,
  type ScalarType,
} from '../common/index.js';
import type { CompactExpr, CompactQuery as AstCompactQuery, Span } from '../cql/index.js';
import type { Env } from './check-context.js';
import { checkSchemaExp } from './check-schema.js';
import { AbandonDeclaration } from './errors.js';
import {
  CompactQuery,
  printExprType,
  type ExprType,
  type FromVariable,
  type OrderItem,
  type SelectItem,
  type TypedExpr,
} from './query.js';
import type { ForeignKey, Schema } from './schema.js';

/** Scalar functions of compact queries: name → result type given the argument types. */
interface CompactFunction {
  readonly arity: readonly [number, number];
  readonly result: (args: readonly ExprType[]) => ExprType | string;
}

const scalar = (type: ScalarType): ExprType => ({ kind: 'scalar', type });
const isNumeric = (type: ExprType): boolean =>
  type.kind === 'scalar' &&
  (type.type === 'Int' || type.type === 'Float' || type.type === 'Decimal');
const isType = (type: ExprType, wanted: ScalarType): boolean =>
  type.kind === 'null' || (type.kind === 'scalar' && type.type === wanted);

export const COMPACT_FUNCTIONS: ReadonlyMap<string, CompactFunction> = new Map<
  string,
  CompactFunction
>([
  [
    'lower',
    {
      arity: [1, 1],
      result: (a) => (isType(a[0] as ExprType, 'String') ? scalar('String') : 'a String'),
    },
  ],
  [
    'upper',
    {
      arity: [1, 1],
      result: (a) => (isType(a[0] as ExprType, 'String') ? scalar('String') : 'a String'),
    },
  ],
  [
    'trim',
    {
      arity: [1, 1],
      result: (a) => (isType(a[0] as ExprType, 'String') ? scalar('String') : 'a String'),
    },
  ],
  [
    'length',
    {
      arity: [1, 1],
      result: (a) => (isType(a[0] as ExprType, 'String') ? scalar('Int') : 'a String'),
    },
  ],
  [
    'substr',
    {
      arity: [2, 3],
      result: (a) =>
        isType(a[0] as ExprType, 'String') && a.slice(1).every((t) => isType(t, 'Int'))
          ? scalar('String')
          : 'a String, then Int positions',
    },
  ],
  [
    'abs',
    {
      arity: [1, 1],
      result: (a) => (isNumeric(a[0] as ExprType) ? (a[0] as ExprType) : 'a number'),
    },
  ],
  [
    'round',
    {
      arity: [1, 2],
      result: (a) =>
        isNumeric(a[0] as ExprType) && (a[1] === undefined || isType(a[1], 'Int'))
          ? (a[0] as ExprType)
          : 'a number, then an Int of digits',
    },
  ],
  [
    'coalesce',
    {
      arity: [1, 64],
      result: (a) =>
        a.reduce<ExprType | string>(
          (acc, t) => (typeof acc === 'string' ? acc : (unify(acc, t) ?? 'arguments of one type')),
          { kind: 'null' },
        ),
    },
  ],
]);

/** The common type of two values for comparison or `coalesce`, or undefined. */
function unify(a: ExprType, b: ExprType): ExprType | undefined {
  if (a.kind === 'null') return b;
  if (b.kind === 'null') return a;
  if (a.kind === 'row' || b.kind === 'row') {
    return a.kind === 'row' && b.kind === 'row' && a.entity === b.entity ? a : undefined;
  }
  if (a.type === b.type) return a;
  if (isNumeric(a) && isNumeric(b)) return scalar(widest(a.type, b.type));
  return undefined;
}

const NUMERIC_RANK: Partial<Record<ScalarType, number>> = { Int: 0, Decimal: 1, Float: 2 };
function widest(a: ScalarType, b: ScalarType): ScalarType {
  return (NUMERIC_RANK[a] ?? 0) >= (NUMERIC_RANK[b] ?? 0) ? a : b;
}

class CompactChecker {
  readonly variables = new Map<string, FromVariable>();
  /** Aliases of select items (for `order_by`). */
  aliases = new Map<string, number>();
  selectItems: readonly SelectItem[] = [];

  constructor(
    readonly env: Env,
    readonly schema: Schema,
  ) {}

  fail(message: string, span: Span, hint?: string): never {
    return this.env.abandon('E_CATALOG_TYPE', message, span, hint === undefined ? {} : { hint });
  }

  expr(ast: CompactExpr, context: 'where' | 'select' | 'aggregate' | 'order'): TypedExpr {
    switch (ast.kind) {
      case 'ExprPath':
        return this.path(ast, context);
      case 'ExprLiteral':
        return this.literal(ast);
      case 'ExprUnary': {
        const operand = this.expr(ast.operand, context);
        if (ast.op === 'not') {
          this.expect(operand, 'Bool', ast.operand.span, '`not`');
          return {
            kind: 'Unary',
            op: 'not',
            operand,
            type: scalar('Bool'),
            text: `not ${paren(operand)}`,
          };
        }
        if (!isNumeric(operand.type) && operand.type.kind !== 'null') {
          this.fail(
            `\`-\` needs a number, but \`${operand.text}\` is ${printExprType(operand.type)}`,
            ast.operand.span,
          );
        }
        return { kind: 'Unary', op: '-', operand, type: operand.type, text: `-${paren(operand)}` };
      }
      case 'ExprBinary':
        return this.binary(ast, context);
      case 'ExprIsNull': {
        const operand = this.expr(ast.operand, context);
        return {
          kind: 'IsNull',
          operand,
          negated: ast.negated,
          type: scalar('Bool'),
          text: `${paren(operand)} is ${ast.negated ? 'not ' : ''}null`,
        };
      }
      case 'ExprAggregate':
        return this.aggregate(ast, context);
      case 'ExprCall':
        return this.call(ast, context);
      default:
        return assertNever(ast, 'compact expression');
    }
  }

  expect(expr: TypedExpr, type: ScalarType, span: Span, what: string): void {
    if (!isType(expr.type, type)) {
      this.fail(`${what} needs ${type}, but \`${expr.text}\` is ${printExprType(expr.type)}`, span);
    }
  }

  path(ast: Extract<CompactExpr, { kind: 'ExprPath' }>, context: string): TypedExpr {
    const variable = this.variables.get(ast.variable.text);
    if (variable === undefined) {
      const alias = this.aliases.get(ast.variable.text);
      if (context === 'order' && alias !== undefined && ast.steps.length === 0) {
        const item = this.selectItems[alias] as SelectItem;
        return { kind: 'OutputRef', index: alias, type: item.type, text: item.name };
      }
      this.env.abandon(
        'E_CATALOG_UNKNOWN',
        `unknown variable \`${ast.variable.text}\` (declare it in \`from\`)`,
        ast.variable.span,
        {
          hint: didYouMean(ast.variable.text, [
            ...this.variables.keys(),
            ...(context === 'order' ? this.aliases.keys() : []),
          ]),
        },
      );
    }
    let entity = variable.entity;
    const foreignKeys: ForeignKey[] = [];
    const texts = [variable.variable];
    for (const [index, step] of ast.steps.entries()) {
      const fk = this.schema.foreignKey(entity, step.text);
      if (fk !== undefined) {
        foreignKeys.push(fk);
        entity = fk.target;
        texts.push(fk.name);
        continue;
      }
      const attribute = this.schema.attribute(entity, step.text);
      if (attribute !== undefined) {
        if (index !== ast.steps.length - 1) {
          const next = ast.steps[index + 1] as { span: Span; text: string };
          this.fail(
            `\`${[...texts, attribute.name].join('.')}\` is a value of ${attribute.storageType}; it has no \`${next.text}\``,
            next.span,
          );
        }
        texts.push(attribute.name);
        return {
          kind: 'Column',
          variable: variable.variable,
          entity: variable.entity,
          foreignKeys,
          attribute,
          type: scalar(attribute.storageType),
          text: texts.join('.'),
        };
      }
      const known = [
        ...this.schema.foreignKeysOf(entity).map((f) => f.name),
        ...this.schema.attributesOf(entity).map((a) => a.name),
      ];
      this.env.abandon(
        'E_CATALOG_UNKNOWN',
        `entity \`${entity}\` has no foreign key or attribute \`${step.text}\``,
        step.span,
        {
          hint: didYouMean(step.text, known),
        },
      );
    }
    return {
      kind: 'Column',
      variable: variable.variable,
      entity: variable.entity,
      foreignKeys,
      attribute: undefined,
      type: { kind: 'row', entity },
      text: texts.join('.'),
    };
  }

  literal(ast: Extract<CompactExpr, { kind: 'ExprLiteral' }>): TypedExpr {
    switch (ast.literal) {
      case 'null':
        return { kind: 'Literal', value: null, type: { kind: 'null' }, text: 'null' };
      case 'boolean':
        return {
          kind: 'Literal',
          value: ast.text === 'true',
          type: scalar('Bool'),
          text: ast.text,
        };
      case 'string':
        return {
          kind: 'Literal',
          value: ast.text,
          type: scalar('String'),
          text: JSON.stringify(ast.text),
        };
      case 'number': {
        const type: ScalarType = /[eE]/.test(ast.text)
          ? 'Float'
          : ast.text.includes('.')
            ? 'Decimal'
            : 'Int';
        return {
          kind: 'Literal',
          value: this.parse(type, ast.text, ast.span),
          type: scalar(type),
          text: ast.text,
        };
      }
      default:
        return assertNever(ast.literal, 'literal kind');
    }
  }

  parse(type: ScalarType, text: string, span: Span): ReturnType<typeof parseValue> {
    try {
      return parseValue(type, text);
    } catch (error) {
      if (!(error instanceof ValueError)) throw error;
      return this.fail(
        `\`${text}\` is not ${/^[AEIOU]/.test(type) ? 'an' : 'a'} ${type}: ${error.bareMessage}`,
        span,
      );
    }
  }

  /** A quoted literal beside a value of another type takes that type (PostgreSQL's `unknown`). */
  coerce(expr: TypedExpr, other: TypedExpr, ast: CompactExpr): TypedExpr {
    if (
      expr.kind === 'Literal' &&
      ast.kind === 'ExprLiteral' &&
      ast.literal === 'string' &&
      other.type.kind === 'scalar' &&
      other.type.type !== 'String'
    ) {
      const value = this.parse(other.type.type, ast.text, ast.span);
      return { kind: 'Literal', value, type: other.type, text: expr.text };
    }
    return expr;
  }

  binary(
    ast: Extract<CompactExpr, { kind: 'ExprBinary' }>,
    context: 'where' | 'select' | 'aggregate' | 'order',
  ): TypedExpr {
    let left = this.expr(ast.left, context);
    let right = this.expr(ast.right, context);
    left = this.coerce(left, right, ast.left);
    right = this.coerce(right, left, ast.right);
    const text = `${paren(left)} ${ast.op} ${paren(right)}`;
    const make = (type: ExprType): TypedExpr => ({
      kind: 'Binary',
      op: ast.op,
      left,
      right,
      type,
      text,
    });
    switch (ast.op) {
      case 'and':
      case 'or':
        this.expect(left, 'Bool', ast.left.span, `\`${ast.op}\``);
        this.expect(right, 'Bool', ast.right.span, `\`${ast.op}\``);
        return make(scalar('Bool'));
      case '=':
      case '!=':
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const common = unify(left.type, right.type);
        if (common === undefined) {
          this.fail(
            `cannot compare \`${left.text}\` (${printExprType(left.type)}) with \`${right.text}\` (${printExprType(right.type)})`,
            ast.span,
          );
        }
        if (common.kind === 'row' && ast.op !== '=' && ast.op !== '!=') {
          this.fail(
            `rows of \`${common.entity}\` can be compared with \`=\` and \`!=\` only`,
            ast.span,
          );
        }
        return make(scalar('Bool'));
      }
      case '+':
      case '-':
      case '*':
      case '/':
      case '%': {
        for (const [side, span] of [
          [left, ast.left.span],
          [right, ast.right.span],
        ] as const) {
          if (!isNumeric(side.type) && side.type.kind !== 'null') {
            this.fail(
              `\`${ast.op}\` needs numbers, but \`${side.text}\` is ${printExprType(side.type)}`,
              span,
            );
          }
        }
        const type = unify(left.type, right.type) ?? scalar('Int');
        if (ast.op === '%' && type.kind === 'scalar' && type.type === 'Float') {
          this.fail('`%` needs Int or Decimal operands, not Float', ast.span);
        }
        return make(type.kind === 'null' ? scalar('Int') : type);
      }
      case '||':
        for (const [side, span] of [
          [left, ast.left.span],
          [right, ast.right.span],
        ] as const) {
          if (side.type.kind === 'row')
            this.fail(
              `\`||\` needs values, but \`${side.text}\` is ${printExprType(side.type)}`,
              span,
            );
        }
        return make(scalar('String'));
      default:
        return assertNever(ast.op, 'operator');
    }
  }

  aggregate(
    ast: Extract<CompactExpr, { kind: 'ExprAggregate' }>,
    context: 'where' | 'select' | 'aggregate' | 'order',
  ): TypedExpr {
    if (context === 'where') {
      this.env.abandon(
        'E_CATALOG_QUERY',
        `${ast.fn} is not allowed in \`where\` (filter groups after grouping instead)`,
        ast.span,
      );
    }
    if (context === 'aggregate')
      this.env.abandon(
        'E_CATALOG_QUERY',
        `aggregates do not nest: ${ast.fn} inside an aggregate`,
        ast.span,
      );
    const distinct = ast.distinct ? 'DISTINCT ' : '';
    if (ast.argument === undefined) {
      return {
        kind: 'Aggregate',
        fn: 'COUNT',
        argument: undefined,
        distinct: false,
        type: scalar('Int'),
        text: 'COUNT(*)',
      };
    }
    const argument = this.expr(ast.argument, 'aggregate');
    const text = `${ast.fn}(${distinct}${argument.text})`;
    let type: ExprType;
    switch (ast.fn) {
      case 'COUNT':
        type = scalar('Int');
        break;
      case 'SUM':
      case 'AVG':
        if (!isNumeric(argument.type)) {
          this.fail(
            `${ast.fn} needs a number, but \`${argument.text}\` is ${printExprType(argument.type)}`,
            ast.argument.span,
          );
        }
        type =
          ast.fn === 'SUM'
            ? argument.type
            : argument.type.kind === 'scalar' && argument.type.type === 'Decimal'
              ? scalar('Decimal')
              : scalar('Float');
        break;
      case 'MIN':
      case 'MAX':
        if (argument.type.kind !== 'scalar' || argument.type.type === 'Bool') {
          this.fail(
            `${ast.fn} needs an ordered value, but \`${argument.text}\` is ${printExprType(argument.type)}`,
            ast.argument.span,
          );
        }
        type = argument.type;
        break;
      default:
        return assertNever(ast.fn, 'aggregate');
    }
    return { kind: 'Aggregate', fn: ast.fn, argument, distinct: ast.distinct, type, text };
  }

  call(
    ast: Extract<CompactExpr, { kind: 'ExprCall' }>,
    context: 'where' | 'select' | 'aggregate' | 'order',
  ): TypedExpr {
    const name = ast.fn.text.toLowerCase();
    const fn = COMPACT_FUNCTIONS.get(name);
    if (fn === undefined) {
      this.env.abandon('E_CATALOG_UNKNOWN', `unknown function \`${ast.fn.text}\``, ast.fn.span, {
        hint: didYouMean(name, [...COMPACT_FUNCTIONS.keys()]),
      });
    }
    const [min, max] = fn.arity;
    if (ast.args.length < min || ast.args.length > max) {
      this.fail(
        `\`${name}\` takes ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? '' : 's'}, not ${ast.args.length}`,
        ast.span,
      );
    }
    const args = ast.args.map((arg) => this.expr(arg, context));
    const result = fn.result(args.map((a) => a.type));
    if (typeof result === 'string') {
      this.fail(
        `\`${name}\` needs ${result}, not (${args.map((a) => printExprType(a.type)).join(', ')})`,
        ast.span,
      );
    }
    return {
      kind: 'Call',
      fn: name,
      args,
      type: result,
      text: `${name}(${args.map((a) => a.text).join(', ')})`,
    };
  }
}

function paren(expr: TypedExpr): string {
  return expr.kind === 'Binary' ? `(${expr.text})` : expr.text;
}

function containsAggregate(expr: TypedExpr): boolean {
  switch (expr.kind) {
    case 'Aggregate':
      return true;
    case 'Column':
    case 'Literal':
    case 'OutputRef':
      return false;
    case 'Unary':
    case 'IsNull':
      return containsAggregate(expr.operand);
    case 'Binary':
      return containsAggregate(expr.left) || containsAggregate(expr.right);
    case 'Call':
      return expr.args.some(containsAggregate);
    default:
      return assertNever(expr, 'expression');
  }
}

/** The first column reference outside aggregates and `group_by` expressions, if any. */
function ungrouped(expr: TypedExpr, groups: ReadonlySet<string>): TypedExpr | undefined {
  if (groups.has(expr.text)) return undefined;
  switch (expr.kind) {
    case 'Aggregate':
    case 'Literal':
    case 'OutputRef':
      return undefined;
    case 'Column':
      return expr;
    case 'Unary':
    case 'IsNull':
      return ungrouped(expr.operand, groups);
    case 'Binary':
      return ungrouped(expr.left, groups) ?? ungrouped(expr.right, groups);
    case 'Call':
      for (const arg of expr.args) {
        const found = ungrouped(arg, groups);
        if (found !== undefined) return found;
      }
      return undefined;
    default:
      return assertNever(expr, 'expression');
  }
}

export function checkCompactQuery(env: Env, ast: AstCompactQuery, name: string): CompactQuery {
  const diagnostics = env.diagnostics;
  const errorsBefore = diagnostics.errorCount;
  const schema = checkSchemaExp(env, ast.schema, `schema of ${name}`);
  const checker = new CompactChecker(env, schema);
  const from: FromVariable[] = [];
  for (const binding of ast.from) {
    if (checker.variables.has(binding.variable.text)) {
      diagnostics.error(
        'E_CATALOG_DUPLICATE',
        `variable \`${binding.variable.text}\` is bound twice in \`from\``,
        binding.variable.span,
      );
      continue;
    }
    if (!schema.hasEntity(binding.entity.text)) {
      diagnostics.error(
        'E_CATALOG_UNKNOWN',
        `unknown entity \`${binding.entity.text}\` of \`${schema.name}\``,
        binding.entity.span,
        {
          hint: didYouMean(binding.entity.text, schema.entityNames()),
        },
      );
      continue;
    }
    const variable = { variable: binding.variable.text, entity: binding.entity.text };
    checker.variables.set(variable.variable, variable);
    from.push(variable);
  }
  if (diagnostics.errorCount > errorsBefore) throw new AbandonDeclaration();
  /** Check one part; a failure is reported and the next part still checked. */
  const attempt = <T>(check: () => T): T | undefined => {
    try {
      return check();
    } catch (error) {
      if (error instanceof AbandonDeclaration) return undefined;
      throw error;
    }
  };
  const where =
    ast.where === undefined
      ? undefined
      : attempt(() => {
          const expr = checker.expr(ast.where as CompactExpr, 'where');
          checker.expect(expr, 'Bool', (ast.where as CompactExpr).span, '`where`');
          return expr;
        });
  const groupBy: TypedExpr[] = [];
  for (const groupAst of ast.groupBy) {
    const expr = attempt(() => checker.expr(groupAst, 'where'));
    if (expr !== undefined) groupBy.push(expr);
  }
  const select: SelectItem[] = [];
  const names = new Set<string>();
  for (const item of ast.select) {
    const expr = attempt(() => checker.expr(item.expr, 'select'));
    if (expr === undefined) continue;
    const outputName = item.alias?.text ?? expr.text;
    if (names.has(outputName)) {
      diagnostics.error(
        'E_CATALOG_DUPLICATE',
        `two select items are named \`${outputName}\` (give one an alias with \`as\`)`,
        item.alias?.span ?? item.span,
      );
      continue;
    }
    names.add(outputName);
    if (item.alias !== undefined) checker.aliases.set(item.alias.text, select.length);
    select.push({ name: outputName, expr, type: expr.type });
  }
  checker.selectItems = select;
  if (ast.select.length === 0) {
    diagnostics.error(
      'E_CATALOG_QUERY',
      `query \`${name}\` selects nothing (add \`select …\`)`,
      ast.span,
    );
  }
  const orderBy: OrderItem[] = [];
  for (const item of ast.orderBy) {
    const expr = attempt(() => {
      const typed = checker.expr(item.expr, 'order');
      if (typed.type.kind === 'row')
        checker.fail(`cannot order by rows of \`${typed.type.entity}\``, item.expr.span);
      return typed;
    });
    if (expr !== undefined) orderBy.push({ expr, direction: item.direction });
  }
  const aggregated =
    groupBy.length > 0 ||
    select.some((s) => containsAggregate(s.expr)) ||
    orderBy.some((o) => containsAggregate(o.expr));
  if (aggregated) {
    const groups = new Set(groupBy.map((g) => g.text));
    const items: { expr: TypedExpr; span: Span; where: string }[] = [
      ...select.map((s, i) => ({
        expr: s.expr,
        span: (ast.select[i] as { span: Span }).span,
        where: 'select',
      })),
      ...orderBy.map((o, i) => ({
        expr: o.expr,
        span: (ast.orderBy[i] as { span: Span }).span,
        where: 'order_by',
      })),
    ];
    for (const item of items) {
      const column = ungrouped(item.expr, groups);
      if (column !== undefined) {
        diagnostics.error(
          'E_CATALOG_QUERY',
          `\`${column.text}\` in \`${item.where}\` must appear in \`group_by\` or be inside an aggregate`,
          item.span,
          { hint: `add \`group_by ${column.text}\` or aggregate it, e.g. MIN(${column.text})` },
        );
      }
    }
  }
  let limit: number | undefined;
  if (ast.limit !== undefined) {
    const value = /^\d+$/.test(ast.limit) ? Number(ast.limit) : Number.NaN;
    if (!Number.isSafeInteger(value)) {
      diagnostics.error(
        'E_CATALOG_QUERY',
        `\`limit\` must be a whole number of rows ≥ 0, not \`${ast.limit}\``,
        ast.span,
      );
    } else {
      limit = value;
    }
  }
  if (diagnostics.errorCount > errorsBefore) throw new AbandonDeclaration();
  return new CompactQuery(
    name,
    schema,
    from,
    where,
    groupBy,
    select,
    orderBy,
    limit,
    aggregated,
    env.locate(ast.span),
  );
}
