/**
 * The CQL compact dialect's checked query (catalog's `CompactQuery`) → the same logical plan
 * SQL produces. `from e : Employee, d : Department` is a cross join of scans (the `where`
 * becomes its filter, pushdown turns equalities into joins); a path `e.works_in.dept_name`
 * follows each foreign key with a left join on `fk = target.id` that the optimizer runs as a
 * row-id lookup (one join per distinct path prefix, shared by every expression using it); a
 * path ending at a row (`e.works_in`) is that row's `id`. `group_by`, aggregates, `select`,
 * `order_by` (ascending NULLS LAST, descending NULLS FIRST, as PostgreSQL) and `limit` map to
 * Aggregate, Project, Sort and Limit.
 *
 * The catalog already checked names and types; the types it computed are the output types
 * (SUM of Int is Int, AVG of Int is Float, as the compact dialect defines them).
 */
import { assertNever, InternalError, type ScalarType } from '../../common/index.js';
import type { CompactQuery, ExprType, TypedExpr } from '../../catalog/index.js';
import type { RelationSource, TableSource } from '../data/source.js';
import { PlanError } from '../errors.js';
import { column, literal, type ArithOp, type CompareOp, type Expr } from '../expr/expr.js';
import { resolveFunction } from '../expr/functions.js';
import { annotateCorrelation } from '../logical/analysis.js';
import {
  aggregateNode,
  filterNode,
  joinNode,
  limitNode,
  projectNode,
  scanNode,
  sortNode,
  type AggregateFunction,
  type LogicalPlan,
  type NamedAggregate,
  type NamedExpr,
  type SortKey,
} from '../logical/plan.js';
import { optimize, type OptimizerOptions } from '../optimizer/optimize.js';
import type { QueryResult, ResultColumn } from '../result.js';
import { executeLogicalPlan, type ExecuteOptions } from '../statement.js';
import { widerNumericType } from '../types.js';

export interface PlannedCompactQuery {
  readonly plan: LogicalPlan;
  readonly columns: readonly ResultColumn[];
}

function scalarOf(type: ExprType): ScalarType {
  switch (type.kind) {
    case 'scalar':
      return type.type;
    case 'row':
      return 'Int';
    case 'null':
      return 'String';
    default:
      return assertNever(type, 'expression type');
  }
}

const COMPARE: Readonly<Record<string, CompareOp>> = {
  '=': '=',
  '!=': '<>',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
};

const AGGREGATES: Readonly<Record<string, AggregateFunction>> = {
  COUNT: 'count',
  SUM: 'sum',
  AVG: 'avg',
  MIN: 'min',
  MAX: 'max',
};

class CompactPlanner {
  private nextId = 1;
  private plan: LogicalPlan | undefined;
  /** `variable` or `variable.fk1.fk2` → the scan columns of the row reached (by column name). */
  private readonly reached = new Map<
    string,
    { table: TableSource; alias: string; columns: Map<string, Expr> }
  >();
  private readonly aggregates: NamedAggregate[] = [];

  constructor(
    private readonly query: CompactQuery,
    private readonly source: RelationSource,
  ) {}

  private newId(): number {
    return this.nextId++;
  }

  private table(entity: string): TableSource {
    const table = this.source.table(entity);
    if (table === undefined) {
      throw new PlanError(
        'E_SQL_UNKNOWN_TABLE',
        `no table for entity \`${entity}\` in the data queried`,
      );
    }
    return table;
  }

  private scan(entity: string, alias: string): { plan: LogicalPlan; columns: Map<string, Expr> } {
    const table = this.table(entity);
    const scanColumns = table.columns.map((info, columnIndex) => ({
      id: this.newId(),
      name: info.name,
      type: info.type,
      columnIndex,
    }));
    const columns = new Map<string, Expr>(
      scanColumns.map((scanColumn) => [
        scanColumn.name,
        column(scanColumn.id, scanColumn.type, `${alias}.${scanColumn.name}`),
      ]),
    );
    this.reached.set(alias, { table, alias, columns });
    return { plan: scanNode(table, alias, scanColumns), columns };
  }

  /** The row a path reaches, joining each foreign key's target once per distinct prefix. */
  private follow(
    variable: string,
    foreignKeys: readonly { name: string; target: string }[],
  ): Map<string, Expr> {
    let key = variable;
    let current = this.reached.get(variable);
    if (current === undefined) throw new InternalError(`unknown variable ${variable}`);
    for (const foreignKey of foreignKeys) {
      const nextKey = `${key}.${foreignKey.name}`;
      let next = this.reached.get(nextKey);
      if (next === undefined) {
        const fk = current.columns.get(foreignKey.name);
        if (fk === undefined) throw new InternalError(`no column ${foreignKey.name}`);
        const target = this.scan(foreignKey.target, nextKey);
        const id = target.columns.get('id')!;
        this.plan = joinNode('left', this.plan!, target.plan, {
          kind: 'Compare',
          op: '=',
          left: fk,
          right: id,
          type: 'Bool',
        });
        next = this.reached.get(nextKey)!;
      }
      current = next;
      key = nextKey;
    }
    return current.columns;
  }

  /** An expression over the joined rows (aggregates allowed when `aggregates` is true). */
  expr(typed: TypedExpr, aggregates: boolean): Expr {
    switch (typed.kind) {
      case 'Column': {
        const columns = this.follow(
          typed.variable,
          typed.foreignKeys.map((fk) => ({ name: fk.name, target: fk.target })),
        );
        const name = typed.attribute === undefined ? 'id' : typed.attribute.name;
        const found = columns.get(name);
        if (found === undefined) throw new InternalError(`no column ${name}`);
        return found;
      }
      case 'OutputRef':
        throw new InternalError('an output reference outside order_by');
      case 'Literal':
        return literal(typed.value, scalarOf(typed.type));
      case 'Unary': {
        const operand = this.expr(typed.operand, aggregates);
        return typed.op === 'not'
          ? { kind: 'Not', operand, type: 'Bool' }
          : { kind: 'Negate', operand, type: operand.type };
      }
      case 'Binary':
        return this.binary(typed, aggregates);
      case 'IsNull':
        return {
          kind: 'IsNull',
          operand: this.expr(typed.operand, aggregates),
          negated: typed.negated,
          type: 'Bool',
        };
      case 'Aggregate': {
        if (!aggregates) throw new InternalError('an aggregate where none is allowed');
        const type = scalarOf(typed.type);
        const fn = typed.argument === undefined ? 'count_star' : AGGREGATES[typed.fn]!;
        const arg = typed.argument === undefined ? undefined : this.expr(typed.argument, false);
        const id = this.newId();
        this.aggregates.push({
          id,
          name: typed.text,
          call: {
            fn,
            arg,
            separator: undefined,
            distinct: typed.distinct,
            filter: undefined,
            type,
          },
        });
        return column(id, type, typed.text);
      }
      case 'Call': {
        const args = typed.args.map((arg) => this.expr(arg, aggregates));
        const type = scalarOf(typed.type);
        if (typed.fn === 'coalesce') {
          return {
            kind: 'Call',
            name: 'coalesce',
            args: args.map((arg) => this.widen(arg, type)),
            type,
          };
        }
        const resolved = resolveFunction(
          typed.fn,
          args.map((arg) => arg.type),
        );
        if (resolved === undefined)
          throw new PlanError('E_SQL_UNKNOWN_FUNCTION', `function ${typed.fn} does not exist`);
        const cast = args.map((arg, index) =>
          this.widen(arg, resolved.argTypes[index] ?? arg.type),
        );
        const call: Expr = {
          kind: 'Call',
          name: resolved.name,
          args: cast,
          type: resolved.returns,
        };
        return this.widen(call, type);
      }
      default:
        return assertNever(typed, 'compact expression');
    }
  }

  /** Promote along Int → Decimal → Float, or cast where the catalog's type says so. */
  private widen(expr: Expr, type: ScalarType): Expr {
    if (expr.type === type) return expr;
    if (expr.kind === 'Literal' && expr.value === null) return literal(null, type);
    // Implicit promotions, or the catalog's result type (SUM of Int stays Int, and so on).
    return { kind: 'Cast', operand: expr, type };
  }

  private binary(typed: Extract<TypedExpr, { kind: 'Binary' }>, aggregates: boolean): Expr {
    const left = this.expr(typed.left, aggregates);
    const right = this.expr(typed.right, aggregates);
    const op = typed.op;
    switch (op) {
      case 'and':
      case 'or':
        return { kind: 'Logical', op, args: [left, right], type: 'Bool' };
      case '||':
        return {
          kind: 'Call',
          name: 'textcat',
          args: [this.widen(left, 'String'), this.widen(right, 'String')],
          type: 'String',
        };
      case '=':
      case '!=':
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const [l, r] = this.unify(left, right);
        return { kind: 'Compare', op: COMPARE[op]!, left: l, right: r, type: 'Bool' };
      }
      case '+':
      case '-':
      case '*':
      case '/':
      case '%': {
        if (left.type === 'Date' || right.type === 'Date') {
          return { kind: 'Arith', op: op as ArithOp, left, right, type: scalarOf(typed.type) };
        }
        const [l, r] = this.unify(left, right);
        return { kind: 'Arith', op: op as ArithOp, left: l, right: r, type: l.type };
      }
      default:
        return assertNever(op, 'compact operator');
    }
  }

  private unify(left: Expr, right: Expr): [Expr, Expr] {
    if (left.type === right.type) return [left, right];
    if (left.kind === 'Literal' && left.value === null) return [literal(null, right.type), right];
    if (right.kind === 'Literal' && right.value === null) return [left, literal(null, left.type)];
    const type = widerNumericType(left.type, right.type);
    return [this.widen(left, type), this.widen(right, type)];
  }

  build(): LogicalPlan {
    const query = this.query;
    for (const variable of query.from) {
      const scanned = this.scan(variable.entity, variable.variable);
      this.plan =
        this.plan === undefined
          ? scanned.plan
          : joinNode('cross', this.plan, scanned.plan, undefined);
    }
    if (this.plan === undefined)
      throw new PlanError('E_PLAN', 'a query needs at least one from variable');
    const where = query.where === undefined ? undefined : this.expr(query.where, false);
    // Paths in select/group/order add their joins above the where's joins; the filter goes on top.
    const groups = query.groupBy.map((group) => this.expr(group, false));
    const selected = query.select.map((item) => this.expr(item.expr, query.aggregated));
    const ordered = query.orderBy.map((item) =>
      item.expr.kind === 'OutputRef' ? undefined : this.expr(item.expr, query.aggregated),
    );
    let plan = this.plan;
    if (where !== undefined) plan = filterNode(plan, where);
    const groupItems: NamedExpr[] = groups.map((expr) => ({
      id: this.newId(),
      name: expr.kind === 'Column' ? expr.name : '?group?',
      expr,
    }));
    const afterGroups = (expr: Expr): Expr => {
      const group = groupItems.find((item) => sameExpr(item.expr, expr));
      if (group !== undefined) return column(group.id, expr.type, group.name);
      return mapChildren(expr, afterGroups);
    };
    if (query.aggregated) plan = aggregateNode(plan, groupItems, this.aggregates);
    const items: NamedExpr[] = selected.map((expr, index) => {
      const item = query.select[index]!;
      const value = query.aggregated ? afterGroups(expr) : expr;
      return { id: this.newId(), name: item.name, expr: this.widen(value, scalarOf(item.type)) };
    });
    const hidden: NamedExpr[] = [];
    const keys: SortKey[] = query.orderBy.map((item, index) => {
      const descending = item.direction === 'desc';
      if (item.expr.kind === 'OutputRef') {
        const target = items[item.expr.index]!;
        return {
          expr: column(target.id, target.expr.type, target.name),
          descending,
          nullsFirst: descending,
        };
      }
      const expr = ordered[index]!;
      const value = query.aggregated ? afterGroups(expr) : expr;
      const id = this.newId();
      hidden.push({ id, name: '?order?', expr: value });
      return { expr: column(id, value.type, '?order?'), descending, nullsFirst: descending };
    });
    plan = projectNode(plan, [...items, ...hidden]);
    if (keys.length > 0) plan = sortNode(plan, keys);
    if (query.limit !== undefined) plan = limitNode(plan, literal(query.limit, 'Int'), undefined);
    if (hidden.length > 0) {
      plan = projectNode(
        plan,
        items.map((item) => ({
          id: this.newId(),
          name: item.name,
          expr: column(item.id, item.expr.type, item.name),
        })),
      );
    }
    return plan;
  }
}

function sameExpr(a: Expr, b: Expr): boolean {
  return JSON.stringify(a, bigintSafe) === JSON.stringify(b, bigintSafe);
}

function bigintSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value;
}

function mapChildren(expr: Expr, visit: (child: Expr) => Expr): Expr {
  switch (expr.kind) {
    case 'Column':
    case 'Literal':
    case 'Parameter':
    case 'Subquery':
      return expr;
    case 'Compare':
    case 'Arith':
    case 'IsDistinct':
      return { ...expr, left: visit(expr.left), right: visit(expr.right) };
    case 'Negate':
    case 'Not':
    case 'IsNull':
    case 'Cast':
      return { ...expr, operand: visit(expr.operand) };
    case 'Logical':
      return { ...expr, args: expr.args.map(visit) };
    case 'InList':
      return { ...expr, operand: visit(expr.operand), list: expr.list.map(visit) };
    case 'Like':
      return { ...expr, operand: visit(expr.operand), pattern: visit(expr.pattern) };
    case 'Case':
      return {
        ...expr,
        whens: expr.whens.map((arm) => ({ when: visit(arm.when), then: visit(arm.then) })),
        otherwise: visit(expr.otherwise),
      };
    case 'Call':
      return { ...expr, args: expr.args.map(visit) };
    default:
      return assertNever(expr, 'expression');
  }
}

/** Plan and optimise a checked compact query over `source` (an instance's tables, or the store). */
export function planCompactQuery(
  query: CompactQuery,
  source: RelationSource,
  options: OptimizerOptions = {},
): PlannedCompactQuery {
  const plan = annotateCorrelation(optimize(new CompactPlanner(query, source).build(), options));
  return { plan, columns: plan.output.map((output) => ({ name: output.name, type: output.type })) };
}

/** Plan, optimise and run a checked compact query. */
export function runCompactQuery(
  query: CompactQuery,
  source: RelationSource,
  options: OptimizerOptions & ExecuteOptions = {},
): QueryResult {
  const planned = planCompactQuery(query, source, options);
  return executeLogicalPlan(planned.plan, planned.columns, [], options);
}
