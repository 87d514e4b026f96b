/**
 * SQL queries → logical plans. Resolves FROM items (entities, CTEs, subqueries, joins) into a
 * scope, binds the clauses in PostgreSQL's order (FROM, WHERE, GROUP BY, HAVING, SELECT,
 * DISTINCT, ORDER BY, LIMIT) and checks grouping: after an aggregate, an expression may read
 * only grouped expressions, aggregates, columns of a relation whose `id` is grouped
 * (PostgreSQL's functional dependency on a primary key), and outer (correlated) columns.
 *
 * CTEs are inlined: each reference binds the CTE's query again with fresh column ids, so two
 * references are two independent relations (what a non-recursive, non-MATERIALIZED CTE means).
 */
import {
  assertNever,
  closestName,
  limits,
  LimitError,
  type ScalarType,
} from '../../common/index.js';
import type { RelationSource, TableSource } from '../data/source.js';
import type { PlanError } from '../errors.js';
import { exprEquals } from '../expr/equality.js';
import { column, someExpr, type ColumnId, type Expr } from '../expr/expr.js';
import {
  aggregateNode,
  distinctNode,
  filterNode,
  joinNode,
  limitNode,
  projectNode,
  scanNode,
  setOperationNode,
  sortNode,
  valuesNode,
  type AggregateCall,
  type LogicalPlan,
  type NamedAggregate,
  type NamedExpr,
  type PlanColumn,
  type SortKey,
} from '../logical/plan.js';
import type {
  Identifier,
  SqlCte,
  SqlExpr,
  SqlFromItem,
  SqlOrderItem,
  SqlQuery,
  SqlSelectTarget,
} from '../sql/ast.js';
import type { BindContext } from './context.js';
import { ExprBinder, type AggregateSink, type ExprClause } from './bind-expr.js';
import { identifierMatches, Scope, type ScopeColumn } from './scope.js';
import { informationSchemaTable } from '../data/information-schema.js';

/** The CTEs visible at a point of a query (inner WITH shadows outer). */
interface CteEnvironment {
  readonly ctes: readonly SqlCte[];
  readonly parent: CteEnvironment | undefined;
}

/** A bound FROM clause: its plan and the columns it brings into scope. */
interface BoundFrom {
  readonly plan: LogicalPlan;
  readonly columns: ScopeColumn[];
}

/** A select-list item during binding. */
interface SelectItem {
  readonly name: string;
  expr: Expr;
  readonly position: number;
}

class AggregateCollector implements AggregateSink {
  readonly aggregates: NamedAggregate[] = [];
  constructor(private readonly context: BindContext) {}

  add(call: AggregateCall, name: string): Expr {
    const existing = this.aggregates.find((aggregate) => sameCall(aggregate.call, call));
    if (existing !== undefined) return column(existing.id, call.type, existing.name);
    const id = this.context.newColumnId();
    this.aggregates.push({ id, name, call });
    return column(id, call.type, name);
  }
}

function sameOptional(a: Expr | undefined, b: Expr | undefined): boolean {
  return a === undefined || b === undefined ? a === b : exprEquals(a, b);
}

function sameCall(a: AggregateCall, b: AggregateCall): boolean {
  return (
    a.fn === b.fn &&
    a.distinct === b.distinct &&
    sameOptional(a.arg, b.arg) &&
    sameOptional(a.filter, b.filter) &&
    sameOptional(a.separator, b.separator) &&
    (a.orderBy ?? []).length === (b.orderBy ?? []).length &&
    (a.orderBy ?? []).every((key, index) => {
      const other = b.orderBy?.[index];
      return (
        other !== undefined &&
        key.descending === other.descending &&
        key.nullsFirst === other.nullsFirst &&
        exprEquals(key.expr, other.expr)
      );
    })
  );
}

/** PostgreSQL's name for an output column without an alias. */
export function outputName(expr: SqlExpr): string {
  switch (expr.kind) {
    case 'Column': {
      const last = expr.parts[expr.parts.length - 1];
      return last?.text ?? '?column?';
    }
    case 'Function':
      return expr.name;
    case 'Cast':
      return expr.operand.kind === 'Column' || expr.operand.kind === 'Function'
        ? outputName(expr.operand)
        : expr.typeText;
    case 'Case':
      return 'case';
    case 'Exists':
      return 'exists';
    case 'ScalarSubquery': {
      const body = expr.query.body;
      const first = body.kind === 'Select' ? body.targets[0] : undefined;
      if (first === undefined) return '?column?';
      return first.alias?.text ?? outputName(first.expr);
    }
    default:
      return '?column?';
  }
}

export class QueryBinder {
  readonly exprs: ExprBinder;
  private relationCounter = 0;
  private depth = 0;
  private cteEnvironment: CteEnvironment | undefined;

  constructor(private readonly context: BindContext) {
    this.exprs = new ExprBinder(context, (query, scope) => this.bindQuery(query, scope));
  }

  private error(
    code: ConstructorParameters<typeof PlanError>[0],
    message: string,
    position: number,
    hint?: string,
  ): PlanError {
    return this.context.error(code, message, position, hint);
  }

  /** Bind a whole query; `outer` is the enclosing query's scope for a subquery. */
  bindQuery(query: SqlQuery, outer: Scope | undefined): LogicalPlan {
    this.depth++;
    if (this.depth > limits.sqlNestingDepthMax) {
      throw new LimitError(
        'sqlNestingDepthMax',
        limits.sqlNestingDepthMax,
        this.depth,
        'nested queries',
        { location: this.context.location(query.position) },
      );
    }
    const savedEnvironment = this.cteEnvironment;
    if (query.with.length > 0) {
      const names = new Set<string>();
      for (const cte of query.with) {
        if (names.has(cte.name.text)) {
          throw this.error(
            'E_SQL_DUPLICATE',
            `WITH query name "${cte.name.text}" specified more than once`,
            cte.name.position,
          );
        }
        names.add(cte.name.text);
      }
      this.cteEnvironment = { ctes: query.with, parent: savedEnvironment };
    }
    try {
      return this.bindQueryBody(query, outer);
    } finally {
      this.cteEnvironment = savedEnvironment;
      this.depth--;
    }
  }

  private bindQueryBody(query: SqlQuery, outer: Scope | undefined): LogicalPlan {
    const body = query.body;
    let plan: LogicalPlan;
    switch (body.kind) {
      case 'Select':
        plan = this.bindSelect(body, query.orderBy, outer);
        break;
      case 'SetOperation': {
        plan = this.bindSetOperation(body, outer);
        plan = this.orderByOutput(plan, query.orderBy);
        break;
      }
      case 'Values':
        plan = this.orderByOutput(this.bindValues(body, outer), query.orderBy);
        break;
      default:
        return assertNever(body, 'query body');
    }
    return this.limit(plan, query, outer);
  }

  private limit(plan: LogicalPlan, query: SqlQuery, outer: Scope | undefined): LogicalPlan {
    if (query.limit === undefined && query.offset === undefined) return plan;
    const scope = new Scope(outer);
    const clause: ExprClause = { clause: 'LIMIT', aggregates: undefined };
    const bound = (expr: SqlExpr | undefined): Expr | undefined => {
      if (expr === undefined) return undefined;
      const value = this.exprs.bind(expr, scope, clause);
      if (value.kind === 'Literal' && value.value === null && this.exprs.isUntyped(value)) {
        return undefined;
      }
      return this.exprs.coerce(value, 'Int', expr.position);
    };
    return limitNode(plan, bound(query.limit), bound(query.offset));
  }

  // ── set operations and VALUES ─────────────────────────────────────────────────────────────

  private bindSetOperation(
    body: Extract<SqlQuery['body'], { kind: 'SetOperation' }>,
    outer: Scope | undefined,
  ): LogicalPlan {
    const left = this.bindQuery(body.left, outer);
    const right = this.bindQuery(body.right, outer);
    if (left.output.length !== right.output.length) {
      throw this.error(
        'E_SQL_TYPE',
        `each ${body.op.toUpperCase()} query must have the same number of columns`,
        body.position,
      );
    }
    const types = left.output.map((leftColumn, index) => {
      const rightColumn = right.output[index]!;
      return this.exprs.commonType(
        [
          column(leftColumn.id, leftColumn.type, leftColumn.name),
          column(rightColumn.id, rightColumn.type, rightColumn.name),
        ],
        body.op.toUpperCase(),
        body.position,
      );
    });
    const castTo = (plan: LogicalPlan): LogicalPlan => {
      const items: NamedExpr[] = plan.output.map((output, index) => {
        const type = types[index]!;
        const source = column(output.id, output.type, output.name);
        return {
          id: this.context.newColumnId(),
          name: output.name,
          expr: output.type === type ? source : this.exprs.coerce(source, type, body.position),
        };
      });
      return projectNode(plan, items);
    };
    const output: PlanColumn[] = left.output.map((leftColumn, index) => ({
      id: this.context.newColumnId(),
      name: leftColumn.name,
      type: types[index]!,
    }));
    return setOperationNode(body.op, body.all, castTo(left), castTo(right), output);
  }

  private bindValues(
    body: Extract<SqlQuery['body'], { kind: 'Values' }>,
    outer: Scope | undefined,
  ): LogicalPlan {
    const scope = new Scope(outer);
    const clause: ExprClause = { clause: 'VALUES', aggregates: undefined };
    const width = body.rows[0]?.length ?? 0;
    const rows = body.rows.map((row) => {
      if (row.length !== width) {
        throw this.error('E_SQL_SYNTAX', 'VALUES lists must all be the same length', body.position);
      }
      return row.map((expr) => this.exprs.bind(expr, scope, clause));
    });
    const columns: PlanColumn[] = [];
    for (let columnIndex = 0; columnIndex < width; columnIndex++) {
      const cells = rows.map((row) => row[columnIndex]!);
      const type = this.exprs.commonType(cells, 'VALUES', body.position);
      for (const row of rows)
        row[columnIndex] = this.exprs.coerce(row[columnIndex]!, type, body.position);
      columns.push({ id: this.context.newColumnId(), name: `column${columnIndex + 1}`, type });
    }
    return valuesNode(rows, columns);
  }

  /** ORDER BY over a set operation or VALUES: output names and positions only. */
  private orderByOutput(plan: LogicalPlan, orderBy: readonly SqlOrderItem[]): LogicalPlan {
    if (orderBy.length === 0) return plan;
    const keys = orderBy.map((item): SortKey => {
      const output = this.outputReference(
        item.expr,
        plan.output.map((out) => out.name),
      );
      if (output === undefined) {
        throw this.error(
          'E_SQL_UNSUPPORTED',
          'ORDER BY on a UNION/INTERSECT/EXCEPT result must name an output column or position',
          item.position,
        );
      }
      const target = plan.output[output]!;
      return sortKey(column(target.id, target.type, target.name), item);
    });
    return sortNode(plan, keys);
  }

  /** An ORDER BY / GROUP BY item that is an output position (`2`) or a bare output name. */
  private outputReference(expr: SqlExpr, names: readonly string[]): number | undefined {
    if (expr.kind === 'Literal' && expr.literal === 'integer') {
      const position = Number(expr.text);
      if (!Number.isInteger(position) || position < 1 || position > names.length) {
        throw this.error(
          'E_SQL_UNKNOWN_COLUMN',
          `position ${expr.text} is not in select list`,
          expr.position,
        );
      }
      return position - 1;
    }
    if (expr.kind === 'Column' && expr.parts.length === 1) {
      const name = expr.parts[0]!;
      const matches = names.flatMap((candidate, index) =>
        identifierMatches(name, candidate) ? [index] : [],
      );
      if (matches.length > 1) {
        const first = matches[0]!;
        // The same name twice is ambiguous unless both are the same column.
        throw this.error(
          'E_SQL_AMBIGUOUS',
          `ORDER BY "${name.text}" is ambiguous`,
          expr.position,
          `it names output columns ${first + 1} and ${matches[1]! + 1}`,
        );
      }
      return matches[0];
    }
    return undefined;
  }

  // ── FROM ──────────────────────────────────────────────────────────────────────────────────

  private bindFrom(items: readonly SqlFromItem[], outer: Scope | undefined): BoundFrom {
    if (items.length === 0) {
      return { plan: valuesNode([[]], []), columns: [] };
    }
    let result: BoundFrom | undefined;
    for (const item of items) {
      const bound = this.bindFromItem(item, outer);
      if (result === undefined) result = bound;
      else {
        result = {
          plan: joinNode('cross', result.plan, bound.plan, undefined),
          columns: [...result.columns, ...bound.columns],
        };
      }
      this.checkDuplicateAliases(result.columns, item.position);
    }
    return result!;
  }

  private checkDuplicateAliases(columns: readonly ScopeColumn[], position: number): void {
    const relationOf = new Map<string, number>();
    for (const scopeColumn of columns) {
      if (scopeColumn.qualifier === undefined) continue;
      const seen = relationOf.get(scopeColumn.qualifier);
      if (seen === undefined) relationOf.set(scopeColumn.qualifier, scopeColumn.relation);
      else if (seen !== scopeColumn.relation) {
        throw this.error(
          'E_SQL_DUPLICATE',
          `table name "${scopeColumn.qualifier}" specified more than once`,
          position,
          'give one of them an alias',
        );
      }
    }
  }

  private bindFromItem(item: SqlFromItem, outer: Scope | undefined): BoundFrom {
    switch (item.kind) {
      case 'Table':
        return this.bindTable(item, outer);
      case 'Subquery': {
        const plan = this.bindQuery(item.query, outer);
        if (item.alias === undefined) {
          throw this.error('E_SQL_SYNTAX', 'subquery in FROM must have an alias', item.position);
        }
        return this.relationFromPlan(plan, item.alias.name.text, item.alias.columns, item.position);
      }
      case 'Join':
        return this.bindJoin(item, outer);
      default:
        return assertNever(item, 'FROM item');
    }
  }

  /** A derived relation (subquery, CTE) as scope columns named by its output or an alias list. */
  private relationFromPlan(
    plan: LogicalPlan,
    alias: string,
    columnAliases: readonly Identifier[],
    position: number,
  ): BoundFrom {
    if (columnAliases.length > plan.output.length) {
      throw this.error(
        'E_SQL_SYNTAX',
        `${alias} has ${plan.output.length} columns available but ${columnAliases.length} columns specified`,
        position,
      );
    }
    const relation = ++this.relationCounter;
    const columns = plan.output.map((output, index): ScopeColumn => ({
      id: output.id,
      name: columnAliases[index]?.text ?? output.name,
      type: output.type,
      qualifier: alias,
      hiddenFromStar: false,
      expr: undefined,
      relation,
      rowId: false,
    }));
    return { plan, columns };
  }

  private findCte(name: Identifier): SqlCte | undefined {
    for (
      let environment = this.cteEnvironment;
      environment !== undefined;
      environment = environment.parent
    ) {
      const found = environment.ctes.find((cte) => identifierMatches(name, cte.name.text));
      if (found !== undefined) return found;
    }
    return undefined;
  }

  private bindTable(
    item: Extract<SqlFromItem, { kind: 'Table' }>,
    outer: Scope | undefined,
  ): BoundFrom {
    const aliasName = item.alias?.name.text;
    if (item.schema === undefined) {
      const cte = this.findCte(item.name);
      if (cte !== undefined) {
        // A CTE sees only the CTEs defined before it (and outer ones): bind it in its own environment.
        const saved = this.cteEnvironment;
        let environment = saved;
        while (environment !== undefined && !environment.ctes.includes(cte))
          environment = environment.parent;
        const index = environment?.ctes.indexOf(cte) ?? 0;
        this.cteEnvironment =
          environment === undefined
            ? saved
            : { ctes: environment.ctes.slice(0, index), parent: environment.parent };
        let plan: LogicalPlan;
        try {
          plan = this.bindQuery(cte.query, outer);
        } finally {
          this.cteEnvironment = saved;
        }
        const columnAliases = item.alias?.columns.length ? item.alias.columns : cte.columns;
        return this.relationFromPlan(
          plan,
          aliasName ?? cte.name.text,
          columnAliases,
          item.position,
        );
      }
    } else if (!identifierMatches(item.schema, 'public')) {
      const view = identifierMatches(item.schema, 'information_schema')
        ? informationSchemaTable(
            this.context.source,
            item.name.quoted ? item.name.text : item.name.text.toLowerCase(),
          )
        : undefined;
      if (view === undefined) {
        throw this.error(
          'E_SQL_UNKNOWN_TABLE',
          `relation "${item.schema.text}.${item.name.text}" does not exist`,
          item.position,
          'catrust has the schema public and the views information_schema.tables and .columns',
        );
      }
      return this.scanRelation(
        view,
        aliasName ?? view.name,
        item.alias?.columns ?? [],
        item.position,
      );
    }
    const table = this.resolveTable(item.name, item.position);
    return this.scanRelation(
      table,
      aliasName ?? table.name,
      item.alias?.columns ?? [],
      item.position,
    );
  }

  /** A scan of a table (an entity or a catalog view) and the columns it brings into scope. */
  private scanRelation(
    table: TableSource,
    alias: string,
    columnAliases: readonly Identifier[],
    position: number,
  ): BoundFrom {
    const relation = ++this.relationCounter;
    if (columnAliases.length > table.columns.length) {
      throw this.error(
        'E_SQL_SYNTAX',
        `table "${alias}" has ${table.columns.length} columns available but ${columnAliases.length} columns specified`,
        position,
      );
    }
    const scanColumns = table.columns.map((info, columnIndex) => ({
      id: this.context.newColumnId(),
      name: columnAliases[columnIndex]?.text ?? info.name,
      type: info.type,
      columnIndex,
    }));
    const plan = scanNode(table, alias, scanColumns);
    const columns = scanColumns.map((scanColumn): ScopeColumn => ({
      id: scanColumn.id,
      name: scanColumn.name,
      type: scanColumn.type,
      qualifier: alias,
      hiddenFromStar: false,
      expr: undefined,
      relation,
      rowId: table.columns[scanColumn.columnIndex]?.role === 'id',
    }));
    return { plan, columns };
  }

  private resolveTable(name: Identifier, position: number): TableSource {
    const source: RelationSource = this.context.source;
    const names = source.tableNames();
    const matches = names.filter((candidate) => identifierMatches(name, candidate));
    const exact = matches.filter((candidate) => candidate === name.text);
    const chosen = exact.length === 1 ? exact[0] : matches.length === 1 ? matches[0] : undefined;
    if (chosen === undefined) {
      if (matches.length > 1) {
        throw this.error(
          'E_SQL_AMBIGUOUS',
          `table name "${name.text}" matches ${matches.map((match) => `"${match}"`).join(' and ')}`,
          position,
          'quote the name to choose one',
        );
      }
      const suggestion = closestName(name.text, names);
      throw this.error(
        'E_SQL_UNKNOWN_TABLE',
        `relation "${name.text}" does not exist`,
        position,
        suggestion === undefined ? undefined : `did you mean "${suggestion}"?`,
      );
    }
    const table = source.table(chosen);
    if (table === undefined) {
      throw this.error('E_SQL_UNKNOWN_TABLE', `relation "${name.text}" does not exist`, position);
    }
    return table;
  }

  private bindJoin(
    item: Extract<SqlFromItem, { kind: 'Join' }>,
    outer: Scope | undefined,
  ): BoundFrom {
    let left = this.bindFromItem(item.left, outer);
    let right = this.bindFromItem(item.right, outer);
    let joinType = item.join;
    this.checkDuplicateAliases([...left.columns, ...right.columns], item.position);
    const scope = new Scope(outer);
    scope.addAll(left.columns);
    scope.addAll(right.columns);
    let usingNames: Identifier[] = [...item.using];
    if (item.natural) {
      usingNames = left.columns
        .filter(
          (leftColumn) =>
            !leftColumn.hiddenFromStar &&
            right.columns.some(
              (rightColumn) => !rightColumn.hiddenFromStar && rightColumn.name === leftColumn.name,
            ),
        )
        .map((leftColumn) => ({ text: leftColumn.name, quoted: true, position: item.position }));
    }
    let condition: Expr | undefined;
    let columns: ScopeColumn[] = [...left.columns, ...right.columns];
    if (usingNames.length > 0) {
      const equalities: Expr[] = [];
      const merged: ScopeColumn[] = [];
      const hidden = new Set<ScopeColumn>();
      for (const name of usingNames) {
        const find = (side: readonly ScopeColumn[], which: string): ScopeColumn => {
          const found = side.filter(
            (candidate) => !candidate.hiddenFromStar && identifierMatches(name, candidate.name),
          );
          if (found.length !== 1) {
            throw this.error(
              found.length === 0 ? 'E_SQL_UNKNOWN_COLUMN' : 'E_SQL_AMBIGUOUS',
              `column "${name.text}" specified in USING clause ${found.length === 0 ? 'does not exist in' : 'is ambiguous in'} ${which} table`,
              name.position,
            );
          }
          return found[0]!;
        };
        const leftColumn = find(left.columns, 'left');
        const rightColumn = find(right.columns, 'right');
        const leftExpr = column(
          leftColumn.id,
          leftColumn.type,
          `${leftColumn.qualifier ?? ''}.${leftColumn.name}`,
        );
        const rightExpr = column(
          rightColumn.id,
          rightColumn.type,
          `${rightColumn.qualifier ?? ''}.${rightColumn.name}`,
        );
        equalities.push(this.exprs.comparison('=', leftExpr, rightExpr, name.position));
        hidden.add(leftColumn);
        hidden.add(rightColumn);
        const type = this.exprs.commonType([leftExpr, rightExpr], 'JOIN/USING', name.position);
        const mergedExpr: Expr =
          joinType === 'full'
            ? {
                kind: 'Call',
                name: 'coalesce',
                args: [
                  this.exprs.coerce(leftExpr, type, name.position),
                  this.exprs.coerce(rightExpr, type, name.position),
                ],
                type,
              }
            : joinType === 'right'
              ? rightExpr
              : leftExpr;
        merged.push({
          id: mergedExpr.kind === 'Column' ? mergedExpr.id : this.context.newColumnId(),
          name: leftColumn.name,
          type: mergedExpr.type,
          qualifier: undefined,
          hiddenFromStar: false,
          expr: mergedExpr,
          relation: 0,
          rowId: false,
        });
      }
      // The merged columns come first (PostgreSQL's order for `*`), the originals stay
      // reachable qualified (`e.dept`) but hidden from `*` and from unqualified names.
      const hideColumn = (scopeColumn: ScopeColumn): ScopeColumn =>
        hidden.has(scopeColumn) ? { ...scopeColumn, hiddenFromStar: true } : scopeColumn;
      columns = [...merged, ...left.columns.map(hideColumn), ...right.columns.map(hideColumn)];
      condition =
        equalities.length === 1
          ? equalities[0]
          : { kind: 'Logical', op: 'and', args: equalities, type: 'Bool' };
    } else if (item.on !== undefined) {
      condition = this.exprs.bindBool(item.on, scope, { clause: 'JOIN/ON', aggregates: undefined });
    }
    if (joinType === 'right') {
      // a RIGHT JOIN b is b LEFT JOIN a; the scope keeps the written order for `*`.
      [left, right] = [right, left];
      joinType = 'left';
    }
    const plan = joinNode(joinType, left.plan, right.plan, condition);
    return { plan, columns };
  }

  // ── SELECT ────────────────────────────────────────────────────────────────────────────────

  private bindSelect(
    select: Extract<SqlQuery['body'], { kind: 'Select' }>,
    orderBy: readonly SqlOrderItem[],
    outer: Scope | undefined,
  ): LogicalPlan {
    const from = this.bindFrom(select.from, outer);
    const scope = new Scope(outer);
    scope.addAll(from.columns);
    let plan = from.plan;
    if (select.where !== undefined) {
      const predicate = this.exprs.bindBool(select.where, scope, {
        clause: 'WHERE',
        aggregates: undefined,
      });
      plan = filterNode(plan, predicate);
    }

    const collector = new AggregateCollector(this.context);
    const withAggregates = (clause: string): ExprClause => ({ clause, aggregates: collector });

    // Select list (stars expanded).
    const items: SelectItem[] = [];
    for (const target of select.targets)
      items.push(...this.selectTargets(target, scope, withAggregates('SELECT')));
    const outputNames = items.map((item) => item.name);

    // GROUP BY: input expressions, output positions or output names.
    const groups: Expr[] = select.groupBy.map((groupExpr) => {
      const isInputColumn =
        groupExpr.kind === 'Column' &&
        scope.resolve(undefined, groupExpr.parts[groupExpr.parts.length - 1]!).kind === 'found';
      if (
        groupExpr.kind === 'Literal' ||
        (groupExpr.kind === 'Column' && groupExpr.parts.length === 1 && !isInputColumn)
      ) {
        const reference = this.outputReference(groupExpr, outputNames);
        if (reference !== undefined) {
          const target = items[reference]!;
          if (
            someExpr(
              target.expr,
              (node) =>
                node.kind === 'Column' &&
                collector.aggregates.some((aggregate) => aggregate.id === node.id),
            )
          ) {
            throw this.error(
              'E_SQL_GROUPING',
              'aggregate functions are not allowed in GROUP BY',
              groupExpr.position,
            );
          }
          return target.expr;
        }
      }
      return this.exprs.settle(
        this.exprs.bind(groupExpr, scope, { clause: 'GROUP BY', aggregates: undefined }),
        groupExpr.position,
      );
    });

    const having =
      select.having === undefined
        ? undefined
        : this.exprs.bindBool(select.having, scope, withAggregates('HAVING'));

    // ORDER BY: output positions and names first, then input expressions.
    const orderKeys = orderBy.map((item) => {
      if (
        item.expr.kind === 'Literal' ||
        (item.expr.kind === 'Column' && item.expr.parts.length === 1)
      ) {
        const reference = this.outputReference(item.expr, outputNames);
        if (reference !== undefined)
          return { item, output: reference, expr: undefined as Expr | undefined };
      }
      const expr = this.exprs.settle(
        this.exprs.bind(item.expr, scope, withAggregates('ORDER BY')),
        item.position,
      );
      return { item, output: undefined as number | undefined, expr };
    });

    const grouped = groups.length > 0 || collector.aggregates.length > 0 || having !== undefined;
    if (grouped) {
      const relationsOf = new Map<ColumnId, ScopeColumn>(
        from.columns.map((scopeColumn) => [scopeColumn.id, scopeColumn]),
      );
      const groupItems: NamedExpr[] = groups.map((expr) => ({
        id: this.context.newColumnId(),
        name: expr.kind === 'Column' ? expr.name : '?column?',
        expr,
      }));
      const groupedRelations = new Set<number>();
      for (const group of groups) {
        if (group.kind === 'Column') {
          const scopeColumn = relationsOf.get(group.id);
          if (scopeColumn?.rowId === true) groupedRelations.add(scopeColumn.relation);
        }
      }
      const aggregateIds = new Set(collector.aggregates.map((aggregate) => aggregate.id));
      const rewrite = (expr: Expr, position: number, clause: string): Expr =>
        this.rewriteGrouped(
          expr,
          groupItems,
          aggregateIds,
          relationsOf,
          groupedRelations,
          position,
          clause,
        );
      for (const item of items) item.expr = rewrite(item.expr, item.position, 'SELECT');
      const havingExpr =
        having === undefined ? undefined : rewrite(having, select.position, 'HAVING');
      for (const key of orderKeys) {
        if (key.expr !== undefined) key.expr = rewrite(key.expr, key.item.position, 'ORDER BY');
      }
      plan = aggregateNode(plan, groupItems, collector.aggregates);
      if (havingExpr !== undefined) plan = filterNode(plan, havingExpr);
    }

    // Project the select list, plus ORDER BY expressions not in it (hidden, dropped after the sort).
    const projectItems: NamedExpr[] = items.map((item) => ({
      id: this.context.newColumnId(),
      name: item.name,
      expr: item.expr,
    }));
    const visibleCount = projectItems.length;
    const sortKeys: SortKey[] = [];
    for (const key of orderKeys) {
      let index = key.output;
      if (index === undefined && key.expr !== undefined) {
        const keyExpr = key.expr;
        const found = projectItems.findIndex(
          (projectItem, position) =>
            position < visibleCount && exprEquals(projectItem.expr, keyExpr),
        );
        if (found >= 0) index = found;
        else {
          if (select.distinct) {
            throw this.error(
              'E_SQL_GROUPING',
              'for SELECT DISTINCT, ORDER BY expressions must appear in select list',
              key.item.position,
            );
          }
          projectItems.push({ id: this.context.newColumnId(), name: '?order?', expr: keyExpr });
          index = projectItems.length - 1;
        }
      }
      const projected = projectItems[index!]!;
      sortKeys.push(sortKey(column(projected.id, projected.expr.type, projected.name), key.item));
    }
    plan = projectNode(plan, projectItems);
    if (select.distinct) plan = distinctNode(plan);
    if (sortKeys.length > 0) plan = sortNode(plan, sortKeys);
    if (projectItems.length > visibleCount) {
      plan = projectNode(
        plan,
        projectItems.slice(0, visibleCount).map((projectItem) => ({
          id: this.context.newColumnId(),
          name: projectItem.name,
          expr: column(projectItem.id, projectItem.expr.type, projectItem.name),
        })),
      );
    }
    return plan;
  }

  private selectTargets(target: SqlSelectTarget, scope: Scope, clause: ExprClause): SelectItem[] {
    const expr = target.expr;
    if (expr.kind === 'Star') {
      const visible = scope.columns.filter(
        (scopeColumn) =>
          !scopeColumn.hiddenFromStar &&
          (expr.table === undefined ||
            (scopeColumn.qualifier !== undefined &&
              identifierMatches(expr.table, scopeColumn.qualifier))),
      );
      if (expr.table !== undefined && visible.length === 0 && !scope.hasQualifier(expr.table)) {
        throw this.error(
          'E_SQL_UNKNOWN_TABLE',
          `missing FROM-clause entry for table "${expr.table.text}"`,
          expr.position,
        );
      }
      if (expr.table === undefined && scope.columns.length === 0) {
        throw this.error(
          'E_SQL_SYNTAX',
          'SELECT * with no tables specified is not valid',
          expr.position,
        );
      }
      return visible.map((scopeColumn) => ({
        name: scopeColumn.name,
        expr:
          scopeColumn.expr ??
          column(
            scopeColumn.id,
            scopeColumn.type,
            scopeColumn.qualifier === undefined
              ? scopeColumn.name
              : `${scopeColumn.qualifier}.${scopeColumn.name}`,
          ),
        position: expr.position,
      }));
    }
    const bound = this.exprs.settle(this.exprs.bind(expr, scope, clause), target.position);
    return [
      { name: target.alias?.text ?? outputName(expr), expr: bound, position: target.position },
    ];
  }

  /**
   * An expression evaluated after aggregation: grouped sub-expressions become the group's
   * column; any other column of this query level is an error (E_SQL_GROUPING), unless its
   * relation's `id` is grouped (then it is added as a further group key).
   */
  private rewriteGrouped(
    expr: Expr,
    groupItems: NamedExpr[],
    aggregateIds: ReadonlySet<ColumnId>,
    relationsOf: ReadonlyMap<ColumnId, ScopeColumn>,
    groupedRelations: ReadonlySet<number>,
    position: number,
    clause: string,
  ): Expr {
    const replaceGroups = (node: Expr): Expr | undefined => {
      const group = groupItems.find((item) => exprEquals(item.expr, node));
      return group === undefined ? undefined : column(group.id, node.type, group.name);
    };
    const visit = (node: Expr): Expr => {
      const replaced = replaceGroups(node);
      if (replaced !== undefined) return replaced;
      if (node.kind === 'Column') {
        if (aggregateIds.has(node.id)) return node;
        const scopeColumn = relationsOf.get(node.id);
        if (scopeColumn === undefined) return node; // an outer (correlated) column
        if (groupedRelations.has(scopeColumn.relation)) {
          const id = this.context.newColumnId();
          groupItems.push({ id, name: node.name, expr: node });
          return column(id, node.type, node.name);
        }
        throw this.error(
          'E_SQL_GROUPING',
          `column "${node.name}" must appear in the GROUP BY clause or be used in an aggregate function`,
          position,
          `in ${clause}`,
        );
      }
      if (node.kind === 'Subquery') {
        // Outer references inside a subquery must be grouped too; rewrite its correlated columns.
        return node;
      }
      return mapChildren(node, visit);
    };
    return visit(expr);
  }

  /** The declared types of `$n`, with text for those never used in a typed context. */
  parameterTypes(): ScalarType[] {
    return this.context.parameterTypes.map((type) => type ?? 'String');
  }
}

/** Rebuild one level: apply `visit` to each direct child (top-down, unlike transformExpr). */
function mapChildren(node: Expr, visit: (child: Expr) => Expr): Expr {
  switch (node.kind) {
    case 'Column':
    case 'Literal':
    case 'Parameter':
      return node;
    case 'Compare':
    case 'Arith':
    case 'IsDistinct':
      return { ...node, left: visit(node.left), right: visit(node.right) };
    case 'Negate':
    case 'Not':
    case 'IsNull':
    case 'Cast':
      return { ...node, operand: visit(node.operand) };
    case 'Logical':
      return { ...node, args: node.args.map(visit) };
    case 'InList':
      return { ...node, operand: visit(node.operand), list: node.list.map(visit) };
    case 'Like':
      return { ...node, operand: visit(node.operand), pattern: visit(node.pattern) };
    case 'Case':
      return {
        ...node,
        whens: node.whens.map((arm) => ({ when: visit(arm.when), then: visit(arm.then) })),
        otherwise: visit(node.otherwise),
      };
    case 'Call':
      return { ...node, args: node.args.map(visit) };
    case 'Subquery':
      return node.operand === undefined ? node : { ...node, operand: visit(node.operand) };
    default:
      return assertNever(node, 'expression');
  }
}

function sortKey(expr: Expr, item: SqlOrderItem): SortKey {
  return { expr, descending: item.descending, nullsFirst: item.nullsFirst ?? item.descending };
}
