/**
 * The logical plan: what a query computes, for SQL and CQL alike (issue 5). A closed union with
 * `kind` tags, built by factories that compute each node's output columns; every node renders as
 * one EXPLAIN line (`describeNode`), and the optimizer's rules rewrite it (optimizer/).
 *
 * Columns are identified by `ColumnId`s unique in the query (see expr/expr.ts), so a node's
 * output is a list of `{id, name, type}` and expressions above it refer to ids, never positions.
 */
import { assertNever, type ScalarType } from '../../common/index.js';
import type { TableSource } from '../data/source.js';
import { formatExpr, type ColumnId, type Expr } from '../expr/expr.js';

export interface PlanColumn {
  readonly id: ColumnId;
  /** The output name (`salary`, `count`, `?column?`). */
  readonly name: string;
  readonly type: ScalarType;
}

/** A column a Scan reads: the output id, and the column's index in the table. */
export interface ScanColumn extends PlanColumn {
  readonly columnIndex: number;
}

/** How a Scan finds its rows: every row, or an index lookup chosen by the optimizer. */
export type ScanAccess =
  | { readonly kind: 'full' }
  | {
      /** `column = value`: the equality (hash) index. */
      readonly kind: 'indexEqual';
      readonly columnIndex: number;
      readonly columnName: string;
      readonly value: Expr;
    }
  | {
      /** `lower <(=) column <(=) upper`: the sorted (range) index. */
      readonly kind: 'indexRange';
      readonly columnIndex: number;
      readonly columnName: string;
      readonly lower: { readonly value: Expr; readonly inclusive: boolean } | undefined;
      readonly upper: { readonly value: Expr; readonly inclusive: boolean } | undefined;
    };

export type JoinType = 'inner' | 'left' | 'full' | 'cross' | 'semi' | 'anti';

export type AggregateFunction =
  'count' | 'count_star' | 'sum' | 'avg' | 'min' | 'max' | 'bool_and' | 'bool_or' | 'string_agg';

export interface AggregateCall {
  readonly fn: AggregateFunction;
  /** undefined for count(*). */
  readonly arg: Expr | undefined;
  /** string_agg's separator (a constant). */
  readonly separator: Expr | undefined;
  readonly distinct: boolean;
  readonly filter: Expr | undefined;
  /** `ORDER BY` inside the call: the order string_agg concatenates in (others ignore it). */
  readonly orderBy?: readonly SortKey[] | undefined;
  readonly type: ScalarType;
}

export interface SortKey {
  readonly expr: Expr;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

export interface NamedExpr {
  readonly id: ColumnId;
  readonly name: string;
  readonly expr: Expr;
}

export interface NamedAggregate {
  readonly id: ColumnId;
  readonly name: string;
  readonly call: AggregateCall;
}

export type LogicalPlan =
  | {
      readonly kind: 'Scan';
      readonly table: TableSource;
      /** The alias the query gave (or the table name). */
      readonly alias: string;
      readonly columns: readonly ScanColumn[];
      /** Predicates evaluated while scanning (pushed down by the optimizer). */
      readonly filter: Expr | undefined;
      readonly access: ScanAccess;
      readonly output: readonly PlanColumn[];
    }
  | {
      readonly kind: 'Values';
      readonly rows: readonly (readonly Expr[])[];
      readonly output: readonly PlanColumn[];
    }
  | {
      readonly kind: 'Filter';
      readonly input: LogicalPlan;
      readonly predicate: Expr;
      readonly output: readonly PlanColumn[];
    }
  | {
      readonly kind: 'Project';
      readonly input: LogicalPlan;
      readonly items: readonly NamedExpr[];
      readonly output: readonly PlanColumn[];
    }
  | {
      readonly kind: 'Join';
      readonly joinType: JoinType;
      readonly left: LogicalPlan;
      readonly right: LogicalPlan;
      readonly condition: Expr | undefined;
      /**
       * Set by the FK-join rule: the right side is a plain scan of the table an FK column of
       * the left side points to, joined on `fk = right.id`: the executor looks rows up by id.
       */
      readonly foreignKey:
        { readonly leftColumn: ColumnId; readonly rightId: ColumnId } | undefined;
      readonly output: readonly PlanColumn[];
    }
  | {
      readonly kind: 'Aggregate';
      readonly input: LogicalPlan;
      readonly groups: readonly NamedExpr[];
      readonly aggregates: readonly NamedAggregate[];
      readonly output: readonly PlanColumn[];
    }
  | {
      readonly kind: 'Sort';
      readonly input: LogicalPlan;
      readonly keys: readonly SortKey[];
      readonly output: readonly PlanColumn[];
    }
  | {
      /** ORDER BY … LIMIT fused: keep the first `limit + offset` rows in a heap. */
      readonly kind: 'TopK';
      readonly input: LogicalPlan;
      readonly keys: readonly SortKey[];
      readonly limit: Expr;
      readonly offset: Expr | undefined;
      readonly output: readonly PlanColumn[];
    }
  | {
      readonly kind: 'Limit';
      readonly input: LogicalPlan;
      readonly limit: Expr | undefined;
      readonly offset: Expr | undefined;
      readonly output: readonly PlanColumn[];
    }
  | {
      readonly kind: 'Distinct';
      readonly input: LogicalPlan;
      readonly output: readonly PlanColumn[];
    }
  | {
      readonly kind: 'SetOperation';
      readonly op: 'union' | 'intersect' | 'except';
      readonly all: boolean;
      readonly left: LogicalPlan;
      readonly right: LogicalPlan;
      readonly output: readonly PlanColumn[];
    };

export type LogicalPlanKind = LogicalPlan['kind'];

// ── factories ─────────────────────────────────────────────────────────────────────────────────

export function scanNode(
  table: TableSource,
  alias: string,
  columns: readonly ScanColumn[],
  filter: Expr | undefined = undefined,
  access: ScanAccess = { kind: 'full' },
): LogicalPlan {
  return {
    kind: 'Scan',
    table,
    alias,
    columns,
    filter,
    access,
    output: columns.map(({ id, name, type }) => ({ id, name, type })),
  };
}

export function valuesNode(
  rows: readonly (readonly Expr[])[],
  output: readonly PlanColumn[],
): LogicalPlan {
  return { kind: 'Values', rows, output };
}

export function filterNode(input: LogicalPlan, predicate: Expr): LogicalPlan {
  return { kind: 'Filter', input, predicate, output: input.output };
}

export function projectNode(input: LogicalPlan, items: readonly NamedExpr[]): LogicalPlan {
  return {
    kind: 'Project',
    input,
    items,
    output: items.map((item) => ({ id: item.id, name: item.name, type: item.expr.type })),
  };
}

/** Output of a join: semi and anti joins keep only the left side's columns. */
export function joinOutput(
  joinType: JoinType,
  left: LogicalPlan,
  right: LogicalPlan,
): PlanColumn[] {
  return joinType === 'semi' || joinType === 'anti'
    ? [...left.output]
    : [...left.output, ...right.output];
}

export function joinNode(
  joinType: JoinType,
  left: LogicalPlan,
  right: LogicalPlan,
  condition: Expr | undefined,
  foreignKey: { leftColumn: ColumnId; rightId: ColumnId } | undefined = undefined,
): LogicalPlan {
  return {
    kind: 'Join',
    joinType,
    left,
    right,
    condition,
    foreignKey,
    output: joinOutput(joinType, left, right),
  };
}

export function aggregateNode(
  input: LogicalPlan,
  groups: readonly NamedExpr[],
  aggregates: readonly NamedAggregate[],
): LogicalPlan {
  return {
    kind: 'Aggregate',
    input,
    groups,
    aggregates,
    output: [
      ...groups.map((group) => ({ id: group.id, name: group.name, type: group.expr.type })),
      ...aggregates.map((aggregate) => ({
        id: aggregate.id,
        name: aggregate.name,
        type: aggregate.call.type,
      })),
    ],
  };
}

export function sortNode(input: LogicalPlan, keys: readonly SortKey[]): LogicalPlan {
  return { kind: 'Sort', input, keys, output: input.output };
}

export function topKNode(
  input: LogicalPlan,
  keys: readonly SortKey[],
  limit: Expr,
  offset: Expr | undefined,
): LogicalPlan {
  return { kind: 'TopK', input, keys, limit, offset, output: input.output };
}

export function limitNode(
  input: LogicalPlan,
  limit: Expr | undefined,
  offset: Expr | undefined,
): LogicalPlan {
  return { kind: 'Limit', input, limit, offset, output: input.output };
}

export function distinctNode(input: LogicalPlan): LogicalPlan {
  return { kind: 'Distinct', input, output: input.output };
}

export function setOperationNode(
  op: 'union' | 'intersect' | 'except',
  all: boolean,
  left: LogicalPlan,
  right: LogicalPlan,
  output: readonly PlanColumn[],
): LogicalPlan {
  return { kind: 'SetOperation', op, all, left, right, output };
}

// ── traversal ─────────────────────────────────────────────────────────────────────────────────

export function planInputs(plan: LogicalPlan): readonly LogicalPlan[] {
  switch (plan.kind) {
    case 'Scan':
    case 'Values':
      return [];
    case 'Filter':
    case 'Project':
    case 'Aggregate':
    case 'Sort':
    case 'TopK':
    case 'Limit':
    case 'Distinct':
      return [plan.input];
    case 'Join':
    case 'SetOperation':
      return [plan.left, plan.right];
    default:
      return assertNever(plan, 'plan node');
  }
}

/** The same node over new inputs (outputs recomputed where they derive from the inputs). */
export function withInputs(plan: LogicalPlan, inputs: readonly LogicalPlan[]): LogicalPlan {
  const [first, second] = inputs;
  switch (plan.kind) {
    case 'Scan':
    case 'Values':
      return plan;
    case 'Filter':
      return filterNode(first ?? plan.input, plan.predicate);
    case 'Project':
      return { ...plan, input: first ?? plan.input };
    case 'Aggregate':
      return { ...plan, input: first ?? plan.input };
    case 'Sort':
      return sortNode(first ?? plan.input, plan.keys);
    case 'TopK':
      return topKNode(first ?? plan.input, plan.keys, plan.limit, plan.offset);
    case 'Limit':
      return limitNode(first ?? plan.input, plan.limit, plan.offset);
    case 'Distinct':
      return distinctNode(first ?? plan.input);
    case 'Join':
      return joinNode(
        plan.joinType,
        first ?? plan.left,
        second ?? plan.right,
        plan.condition,
        plan.foreignKey,
      );
    case 'SetOperation':
      return { ...plan, left: first ?? plan.left, right: second ?? plan.right };
    default:
      return assertNever(plan, 'plan node');
  }
}

/** Every expression a node evaluates (not its inputs'). */
export function nodeExpressions(plan: LogicalPlan): Expr[] {
  switch (plan.kind) {
    case 'Scan': {
      const exprs: Expr[] = plan.filter === undefined ? [] : [plan.filter];
      const access = plan.access;
      if (access.kind === 'indexEqual') exprs.push(access.value);
      if (access.kind === 'indexRange') {
        if (access.lower !== undefined) exprs.push(access.lower.value);
        if (access.upper !== undefined) exprs.push(access.upper.value);
      }
      return exprs;
    }
    case 'Values':
      return plan.rows.flat();
    case 'Filter':
      return [plan.predicate];
    case 'Project':
      return plan.items.map((item) => item.expr);
    case 'Join': {
      const exprs: Expr[] = plan.condition === undefined ? [] : [plan.condition];
      const foreignKey = plan.foreignKey;
      if (foreignKey !== undefined) {
        // The followed key is read even though it left the condition.
        for (const [side, id] of [
          [plan.left, foreignKey.leftColumn],
          [plan.right, foreignKey.rightId],
        ] as const) {
          const found = side.output.find((output) => output.id === id);
          if (found !== undefined)
            exprs.push({ kind: 'Column', id, type: found.type, name: found.name });
        }
      }
      return exprs;
    }
    case 'Aggregate':
      return [
        ...plan.groups.map((group) => group.expr),
        ...plan.aggregates.flatMap((aggregate) =>
          [
            aggregate.call.arg,
            aggregate.call.filter,
            aggregate.call.separator,
            ...(aggregate.call.orderBy ?? []).map((key) => key.expr),
          ].filter((expr): expr is Expr => expr !== undefined),
        ),
      ];
    case 'Sort':
      return plan.keys.map((key) => key.expr);
    case 'TopK':
      return [
        ...plan.keys.map((key) => key.expr),
        plan.limit,
        ...(plan.offset ? [plan.offset] : []),
      ];
    case 'Limit':
      return [plan.limit, plan.offset].filter((expr): expr is Expr => expr !== undefined);
    case 'Distinct':
    case 'SetOperation':
      return [];
    default:
      return assertNever(plan, 'plan node');
  }
}

// ── EXPLAIN text ──────────────────────────────────────────────────────────────────────────────

export function formatSortKey(key: SortKey): string {
  const direction = key.descending ? ' DESC' : '';
  const defaultNullsFirst = key.descending;
  const nulls =
    key.nullsFirst === defaultNullsFirst ? '' : key.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST';
  return `${formatExpr(key.expr)}${direction}${nulls}`;
}

export function formatAggregate(call: AggregateCall): string {
  if (call.fn === 'count_star') {
    return `count(*)${call.filter ? ` FILTER (WHERE ${formatExpr(call.filter)})` : ''}`;
  }
  const args = [call.arg, call.separator]
    .filter((expr): expr is Expr => expr !== undefined)
    .map(formatExpr)
    .join(', ');
  const filter = call.filter ? ` FILTER (WHERE ${formatExpr(call.filter)})` : '';
  const order =
    call.orderBy === undefined || call.orderBy.length === 0
      ? ''
      : ` ORDER BY ${call.orderBy.map(formatSortKey).join(', ')}`;
  return `${call.fn}(${call.distinct ? 'DISTINCT ' : ''}${args}${order})${filter}`;
}

function formatAccess(access: ScanAccess): string {
  switch (access.kind) {
    case 'full':
      return '';
    case 'indexEqual':
      return ` using hash index on ${access.columnName} = ${formatExpr(access.value)}`;
    case 'indexRange': {
      const parts: string[] = [];
      if (access.lower) {
        parts.push(
          `${access.columnName} ${access.lower.inclusive ? '>=' : '>'} ${formatExpr(access.lower.value)}`,
        );
      }
      if (access.upper) {
        parts.push(
          `${access.columnName} ${access.upper.inclusive ? '<=' : '<'} ${formatExpr(access.upper.value)}`,
        );
      }
      return ` using sorted index on ${parts.join(' AND ')}`;
    }
    default:
      return assertNever(access, 'scan access');
  }
}

function named(item: { name: string; expr: Expr }): string {
  const text = formatExpr(item.expr);
  return item.expr.kind === 'Column' &&
    (item.expr.name === item.name || item.expr.name.endsWith(`.${item.name}`))
    ? text
    : `${text} AS ${item.name}`;
}

/** One line of EXPLAIN for a logical node. */
export function describeNode(plan: LogicalPlan): string {
  switch (plan.kind) {
    case 'Scan': {
      const name =
        plan.alias === plan.table.name ? plan.table.name : `${plan.table.name} AS ${plan.alias}`;
      const columns = plan.columns.map((column) => column.name).join(', ');
      const filter = plan.filter === undefined ? '' : ` filter: ${formatExpr(plan.filter)}`;
      return `Scan ${name} [${columns}]${formatAccess(plan.access)}${filter}`;
    }
    case 'Values':
      return `Values: ${plan.rows.length} row${plan.rows.length === 1 ? '' : 's'}`;
    case 'Filter':
      return `Filter: ${formatExpr(plan.predicate)}`;
    case 'Project':
      return `Project: ${plan.items.map(named).join(', ')}`;
    case 'Join': {
      const type = plan.joinType === 'cross' ? 'Cross Join' : `${capitalize(plan.joinType)} Join`;
      const on = plan.condition === undefined ? '' : ` on ${formatExpr(plan.condition)}`;
      const foreignKey = plan.foreignKey;
      const nameOf = (side: LogicalPlan, id: ColumnId): string => qualifiedName(side, id);
      const fk =
        foreignKey === undefined
          ? ''
          : ` (foreign key ${nameOf(plan.left, foreignKey.leftColumn)} -> ${nameOf(plan.right, foreignKey.rightId)})`;
      return `${type}${fk}${on}`;
    }
    case 'Aggregate': {
      const groups = plan.groups.map(named).join(', ');
      const aggregates = plan.aggregates
        .map((aggregate) => `${formatAggregate(aggregate.call)} AS ${aggregate.name}`)
        .join(', ');
      return `Aggregate: groups=[${groups}] aggregates=[${aggregates}]`;
    }
    case 'Sort':
      return `Sort: ${plan.keys.map(formatSortKey).join(', ')}`;
    case 'TopK': {
      const offset = plan.offset === undefined ? '' : ` offset ${formatExpr(plan.offset)}`;
      return `TopK: limit ${formatExpr(plan.limit)}${offset} by ${plan.keys.map(formatSortKey).join(', ')}`;
    }
    case 'Limit': {
      const parts: string[] = [];
      if (plan.limit !== undefined) parts.push(`limit ${formatExpr(plan.limit)}`);
      if (plan.offset !== undefined) parts.push(`offset ${formatExpr(plan.offset)}`);
      return `Limit: ${parts.join(' ')}`;
    }
    case 'Distinct':
      return 'Distinct';
    case 'SetOperation':
      return `${capitalize(plan.op)}${plan.all ? ' All' : ''}`;
    default:
      return assertNever(plan, 'plan node');
  }
}

/** `alias.column` when a scan below produces the column, else its output name. */
function qualifiedName(plan: LogicalPlan, id: ColumnId): string {
  if (plan.kind === 'Scan') {
    const found = plan.columns.find((column) => column.id === id);
    if (found !== undefined) return `${plan.alias}.${found.name}`;
  }
  for (const input of planInputs(plan)) {
    const name = qualifiedName(input, id);
    if (!name.startsWith('#')) return name;
  }
  return plan.output.find((column) => column.id === id)?.name ?? `#${id}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The plan as indented text, one node per line, inputs indented under their consumer. */
export function explainLogical(plan: LogicalPlan, indent = 0): string[] {
  const lines = [`${'  '.repeat(indent)}${describeNode(plan)}`];
  for (const input of planInputs(plan)) lines.push(...explainLogical(input, indent + 1));
  return lines;
}
