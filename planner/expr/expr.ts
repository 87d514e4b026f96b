/**
 * Bound expressions: names resolved to column ids, types known. The SQL binder and the CQL
 * front end produce them; the optimizer rewrites them; exec/evaluate.ts runs them over batches.
 *
 * A closed union with `kind` tags (STYLE.md §2). Columns are referred to by `ColumnId`: a number
 * unique within one query, so a predicate can move through joins and projections without
 * renaming. Every kind renders as text for EXPLAIN (`formatExpr`).
 */
import { assertNever, formatValue, type ScalarType, type Value } from '../../common/index.js';
import type { LogicalPlan } from '../logical/plan.js';

export type ColumnId = number;

export type CompareOp = '=' | '<>' | '<' | '<=' | '>' | '>=';
export type ArithOp = '+' | '-' | '*' | '/' | '%';

export type SubqueryMode = 'scalar' | 'exists' | 'in' | 'any' | 'all';

export type Expr =
  | {
      readonly kind: 'Column';
      readonly id: ColumnId;
      readonly type: ScalarType;
      /** For EXPLAIN: `e.salary`. */
      readonly name: string;
    }
  | { readonly kind: 'Literal'; readonly value: Value; readonly type: ScalarType }
  | { readonly kind: 'Parameter'; readonly index: number; readonly type: ScalarType }
  | {
      readonly kind: 'Compare';
      readonly op: CompareOp;
      readonly left: Expr;
      readonly right: Expr;
      readonly type: 'Bool';
    }
  | {
      /** Numbers of one type; or Date ± Int (Date), Date − Date (Int). */
      readonly kind: 'Arith';
      readonly op: ArithOp;
      readonly left: Expr;
      readonly right: Expr;
      readonly type: ScalarType;
    }
  | { readonly kind: 'Negate'; readonly operand: Expr; readonly type: ScalarType }
  | {
      readonly kind: 'Logical';
      readonly op: 'and' | 'or';
      readonly args: readonly Expr[];
      readonly type: 'Bool';
    }
  | { readonly kind: 'Not'; readonly operand: Expr; readonly type: 'Bool' }
  | {
      readonly kind: 'IsNull';
      readonly operand: Expr;
      readonly negated: boolean;
      readonly type: 'Bool';
    }
  | {
      readonly kind: 'IsDistinct';
      readonly left: Expr;
      readonly right: Expr;
      /** true: IS NOT DISTINCT FROM. */
      readonly negated: boolean;
      readonly type: 'Bool';
    }
  | {
      readonly kind: 'InList';
      readonly operand: Expr;
      readonly list: readonly Expr[];
      readonly negated: boolean;
      readonly type: 'Bool';
    }
  | {
      readonly kind: 'Like';
      readonly operand: Expr;
      readonly pattern: Expr;
      readonly caseInsensitive: boolean;
      readonly negated: boolean;
      readonly type: 'Bool';
    }
  | {
      readonly kind: 'Case';
      readonly whens: readonly { readonly when: Expr; readonly then: Expr }[];
      readonly otherwise: Expr;
      readonly type: ScalarType;
    }
  | { readonly kind: 'Cast'; readonly operand: Expr; readonly type: ScalarType }
  | {
      /** A scalar function of expr/functions.ts (name resolved, arguments already cast). */
      readonly kind: 'Call';
      readonly name: string;
      readonly args: readonly Expr[];
      readonly type: ScalarType;
    }
  | {
      readonly kind: 'Subquery';
      readonly mode: SubqueryMode;
      readonly plan: LogicalPlan;
      /** The left side of IN / ANY / ALL. */
      readonly operand: Expr | undefined;
      readonly op: CompareOp | undefined;
      /** Columns of enclosing queries the subquery reads (empty: uncorrelated, run once). */
      readonly correlated: readonly ColumnId[];
      readonly type: ScalarType;
    };

export type ExprKind = Expr['kind'];

// ── factories ─────────────────────────────────────────────────────────────────────────────────

export function column(id: ColumnId, type: ScalarType, name: string): Expr {
  return { kind: 'Column', id, type, name };
}

export function literal(value: Value, type: ScalarType): Expr {
  return { kind: 'Literal', value, type };
}

export const TRUE: Expr = literal(true, 'Bool');
export const FALSE: Expr = literal(false, 'Bool');

export function and(args: readonly Expr[]): Expr {
  const flat = args.flatMap((arg) =>
    arg.kind === 'Logical' && arg.op === 'and' ? arg.args : [arg],
  );
  if (flat.length === 0) return TRUE;
  if (flat.length === 1 && flat[0] !== undefined) return flat[0];
  return { kind: 'Logical', op: 'and', args: flat, type: 'Bool' };
}

export function or(args: readonly Expr[]): Expr {
  const flat = args.flatMap((arg) =>
    arg.kind === 'Logical' && arg.op === 'or' ? arg.args : [arg],
  );
  if (flat.length === 0) return FALSE;
  if (flat.length === 1 && flat[0] !== undefined) return flat[0];
  return { kind: 'Logical', op: 'or', args: flat, type: 'Bool' };
}

export function compare(op: CompareOp, left: Expr, right: Expr): Expr {
  return { kind: 'Compare', op, left, right, type: 'Bool' };
}

/** The conjuncts of a predicate (`a AND b AND c` → [a, b, c]). */
export function conjuncts(predicate: Expr): readonly Expr[] {
  return predicate.kind === 'Logical' && predicate.op === 'and' ? predicate.args : [predicate];
}

// ── traversal ─────────────────────────────────────────────────────────────────────────────────

/** The direct sub-expressions (not the subquery's plan). */
export function children(expr: Expr): readonly Expr[] {
  switch (expr.kind) {
    case 'Column':
    case 'Literal':
    case 'Parameter':
      return [];
    case 'Compare':
    case 'Arith':
    case 'IsDistinct':
      return [expr.left, expr.right];
    case 'Negate':
    case 'Not':
    case 'IsNull':
    case 'Cast':
      return [expr.operand];
    case 'Logical':
      return expr.args;
    case 'InList':
      return [expr.operand, ...expr.list];
    case 'Like':
      return [expr.operand, expr.pattern];
    case 'Case':
      return [...expr.whens.flatMap((arm) => [arm.when, arm.then]), expr.otherwise];
    case 'Call':
      return expr.args;
    case 'Subquery':
      return expr.operand === undefined ? [] : [expr.operand];
    default:
      return assertNever(expr, 'expression');
  }
}

/** Rebuild an expression bottom-up: `rewrite` sees each node after its children were rewritten. */
export function transformExpr(expr: Expr, rewrite: (node: Expr) => Expr): Expr {
  const recurse = (child: Expr): Expr => transformExpr(child, rewrite);
  let rebuilt: Expr;
  switch (expr.kind) {
    case 'Column':
    case 'Literal':
    case 'Parameter':
      rebuilt = expr;
      break;
    case 'Compare':
    case 'Arith':
    case 'IsDistinct':
      rebuilt = { ...expr, left: recurse(expr.left), right: recurse(expr.right) };
      break;
    case 'Negate':
    case 'Not':
    case 'IsNull':
    case 'Cast':
      rebuilt = { ...expr, operand: recurse(expr.operand) };
      break;
    case 'Logical':
      rebuilt = { ...expr, args: expr.args.map(recurse) };
      break;
    case 'InList':
      rebuilt = { ...expr, operand: recurse(expr.operand), list: expr.list.map(recurse) };
      break;
    case 'Like':
      rebuilt = { ...expr, operand: recurse(expr.operand), pattern: recurse(expr.pattern) };
      break;
    case 'Case':
      rebuilt = {
        ...expr,
        whens: expr.whens.map((arm) => ({ when: recurse(arm.when), then: recurse(arm.then) })),
        otherwise: recurse(expr.otherwise),
      };
      break;
    case 'Call':
      rebuilt = { ...expr, args: expr.args.map(recurse) };
      break;
    case 'Subquery':
      rebuilt = expr.operand === undefined ? expr : { ...expr, operand: recurse(expr.operand) };
      break;
    default:
      return assertNever(expr, 'expression');
  }
  return rewrite(rebuilt);
}

/** Every column id an expression reads (including the correlated columns of its subqueries). */
export function columnsOf(expr: Expr, into: Set<ColumnId> = new Set()): Set<ColumnId> {
  if (expr.kind === 'Column') into.add(expr.id);
  if (expr.kind === 'Subquery') for (const id of expr.correlated) into.add(id);
  for (const child of children(expr)) columnsOf(child, into);
  return into;
}

export function someExpr(expr: Expr, test: (node: Expr) => boolean): boolean {
  if (test(expr)) return true;
  return children(expr).some((child) => someExpr(child, test));
}

export function hasSubquery(expr: Expr): boolean {
  return someExpr(expr, (node) => node.kind === 'Subquery');
}

/** Replace column references by other expressions (for pushing a predicate through a projection). */
export function substituteColumns(expr: Expr, mapping: ReadonlyMap<ColumnId, Expr>): Expr {
  return transformExpr(expr, (node) =>
    node.kind === 'Column' ? (mapping.get(node.id) ?? node) : node,
  );
}

// ── EXPLAIN text ──────────────────────────────────────────────────────────────────────────────

function formatLiteral(value: Value, type: ScalarType): string {
  if (value === null) return 'NULL';
  switch (type) {
    case 'String':
    case 'Uuid':
    case 'Date':
      return `'${formatValue(type, value).replace(/'/g, "''")}'`;
    case 'Decimal':
    case 'Int':
    case 'Float':
    case 'Bool':
      return formatValue(type, value);
  }
}

const PRECEDENCE: Readonly<Record<string, number>> = {
  or: 1,
  and: 2,
  not: 3,
  compare: 4,
  '+': 6,
  '-': 6,
  '*': 7,
  '/': 7,
  '%': 7,
};

export function formatExpr(expr: Expr): string {
  return format(expr, 0);
}

function wrap(text: string, precedence: number, context: number): string {
  return precedence < context ? `(${text})` : text;
}

function format(expr: Expr, context: number): string {
  switch (expr.kind) {
    case 'Column':
      return expr.name;
    case 'Literal':
      return formatLiteral(expr.value, expr.type);
    case 'Parameter':
      return `$${expr.index}`;
    case 'Compare':
      return wrap(
        `${format(expr.left, 5)} ${expr.op} ${format(expr.right, 5)}`,
        PRECEDENCE['compare'] ?? 4,
        context,
      );
    case 'Arith': {
      const precedence = PRECEDENCE[expr.op] ?? 6;
      return wrap(
        `${format(expr.left, precedence)} ${expr.op} ${format(expr.right, precedence + 1)}`,
        precedence,
        context,
      );
    }
    case 'Negate':
      return `-${format(expr.operand, 8)}`;
    case 'Logical': {
      const precedence = PRECEDENCE[expr.op] ?? 1;
      return wrap(
        expr.args.map((arg) => format(arg, precedence + 1)).join(` ${expr.op.toUpperCase()} `),
        precedence,
        context,
      );
    }
    case 'Not':
      return wrap(`NOT ${format(expr.operand, 3)}`, 3, context);
    case 'IsNull':
      return wrap(`${format(expr.operand, 5)} IS ${expr.negated ? 'NOT ' : ''}NULL`, 4, context);
    case 'IsDistinct':
      return wrap(
        `${format(expr.left, 5)} IS ${expr.negated ? 'NOT ' : ''}DISTINCT FROM ${format(expr.right, 5)}`,
        4,
        context,
      );
    case 'InList':
      return wrap(
        `${format(expr.operand, 5)} ${expr.negated ? 'NOT IN' : 'IN'} (${expr.list.map((item) => format(item, 0)).join(', ')})`,
        4,
        context,
      );
    case 'Like':
      return wrap(
        `${format(expr.operand, 5)} ${expr.negated ? 'NOT ' : ''}${expr.caseInsensitive ? 'ILIKE' : 'LIKE'} ${format(expr.pattern, 5)}`,
        4,
        context,
      );
    case 'Case':
      return `CASE ${expr.whens.map((arm) => `WHEN ${format(arm.when, 0)} THEN ${format(arm.then, 0)}`).join(' ')} ELSE ${format(expr.otherwise, 0)} END`;
    case 'Cast':
      return `CAST(${format(expr.operand, 0)} AS ${sqlName(expr.type)})`;
    case 'Call':
      return `${expr.name}(${expr.args.map((arg) => format(arg, 0)).join(', ')})`;
    case 'Subquery': {
      const correlated = expr.correlated.length > 0 ? ' correlated' : '';
      switch (expr.mode) {
        case 'scalar':
          return `(subquery${correlated})`;
        case 'exists':
          return `EXISTS(subquery${correlated})`;
        case 'in':
          return wrap(`${format(expr.operand ?? TRUE, 5)} IN (subquery${correlated})`, 4, context);
        case 'any':
        case 'all':
          return wrap(
            `${format(expr.operand ?? TRUE, 5)} ${expr.op ?? '='} ${expr.mode.toUpperCase()} (subquery${correlated})`,
            4,
            context,
          );
        default:
          return assertNever(expr.mode, 'subquery mode');
      }
    }
    default:
      return assertNever(expr, 'expression');
  }
}

function sqlName(type: ScalarType): string {
  switch (type) {
    case 'String':
      return 'text';
    case 'Int':
      return 'int8';
    case 'Float':
      return 'float8';
    case 'Bool':
      return 'bool';
    case 'Date':
      return 'date';
    case 'Uuid':
      return 'uuid';
    case 'Decimal':
      return 'numeric';
  }
}
