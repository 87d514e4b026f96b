/**
 * The checked models of queries, for the planner to translate.
 *
 * 1. `UberQuery` — the reference's uber-flower `literal : S -> T` (and `simple`, `identity`,
 *    `toQuery F`): for each entity X of the target T a block
 *      from v1:E1 … vn:En   where t = u …   attributes a -> term …   foreign_keys f -> {w -> term …}
 *    whose result rows are the tuples of source rows satisfying `where`; an attribute's value is
 *    its term over the tuple; a foreign key f : X → Y maps a tuple to the Y-tuple given by the
 *    substitution of Y's from-variables (terms over X's variables).
 * 2. `CompactQuery` — the compact dialect's SQL-like query (`from … where … group_by … select …
 *    order_by … limit`), its expressions typed (`TypedExpr`), with foreign-key paths resolved.
 */
import type { ScalarType, SourceLocation, Value } from '../common/index.js';
import type { CompactBinaryOp } from '../cql/index.js';
import type { Attribute, ForeignKey, Schema } from './schema.js';
import type { TypedEquation, TypedTerm } from './term.js';

// ─── Uber-flowers ──────────────────────────────────────────────────────────────────────────────

export interface FromVariable {
  readonly variable: string;
  /** The source entity the variable ranges over. */
  readonly entity: string;
}

export interface QueryBlock {
  readonly kind: 'QueryBlock';
  /** The target entity this block computes. */
  readonly entity: string;
  readonly from: readonly FromVariable[];
  /** Equations over the from-variables (terms of the source schema). */
  readonly where: readonly TypedEquation[];
  /** Target attribute name → its term over the from-variables. */
  readonly attributes: ReadonlyMap<string, TypedTerm>;
  /**
   * Target foreign key name (f : entity → Y) → the substitution giving each from-variable of
   * Y's block as a term over this block's from-variables.
   */
  readonly foreignKeys: ReadonlyMap<string, ReadonlyMap<string, TypedTerm>>;
  readonly location: SourceLocation | undefined;
}

export class UberQuery {
  readonly kind = 'UberQuery';
  constructor(
    readonly name: string,
    readonly source: Schema,
    readonly target: Schema,
    /** Target entity name → block, in the target's entity order. */
    readonly blocks: ReadonlyMap<string, QueryBlock>,
    readonly location: SourceLocation | undefined,
  ) {}

  block(entity: string): QueryBlock | undefined {
    return this.blocks.get(entity);
  }
}

// ─── Compact queries ───────────────────────────────────────────────────────────────────────────

/** The type of a compact expression: a scalar, a row of an entity, or the untyped NULL. */
export type ExprType =
  | { readonly kind: 'scalar'; readonly type: ScalarType }
  | { readonly kind: 'row'; readonly entity: string }
  | { readonly kind: 'null' };

export type AggregateFunction = 'COUNT' | 'SUM' | 'AVG' | 'MIN' | 'MAX';

export type TypedExpr =
  /**
   * `e.works_in.dept_name`: a from-variable, foreign keys followed, then an attribute (a
   * value) or none (the row reached, of type `row`).
   */
  | {
      readonly kind: 'Column';
      readonly variable: string;
      readonly entity: string;
      readonly foreignKeys: readonly ForeignKey[];
      readonly attribute: Attribute | undefined;
      readonly type: ExprType;
      readonly text: string;
    }
  /** A select item named by its alias (in `order_by`): the index into `select`. */
  | {
      readonly kind: 'OutputRef';
      readonly index: number;
      readonly type: ExprType;
      readonly text: string;
    }
  | {
      readonly kind: 'Literal';
      readonly value: Value;
      readonly type: ExprType;
      readonly text: string;
    }
  | {
      readonly kind: 'Unary';
      readonly op: 'not' | '-';
      readonly operand: TypedExpr;
      readonly type: ExprType;
      readonly text: string;
    }
  | {
      readonly kind: 'Binary';
      readonly op: CompactBinaryOp;
      readonly left: TypedExpr;
      readonly right: TypedExpr;
      readonly type: ExprType;
      readonly text: string;
    }
  | {
      readonly kind: 'IsNull';
      readonly operand: TypedExpr;
      readonly negated: boolean;
      readonly type: ExprType;
      readonly text: string;
    }
  | {
      readonly kind: 'Aggregate';
      readonly fn: AggregateFunction;
      /** undefined for COUNT(*). */
      readonly argument: TypedExpr | undefined;
      readonly distinct: boolean;
      readonly type: ExprType;
      readonly text: string;
    }
  | {
      readonly kind: 'Call';
      /** The function's canonical (lower-case) name, see `COMPACT_FUNCTIONS`. */
      readonly fn: string;
      readonly args: readonly TypedExpr[];
      readonly type: ExprType;
      readonly text: string;
    };

export interface SelectItem {
  /** The output column name: the alias, or the expression's text. */
  readonly name: string;
  readonly expr: TypedExpr;
  readonly type: ExprType;
}

export interface OrderItem {
  readonly expr: TypedExpr;
  readonly direction: 'asc' | 'desc';
}

export class CompactQuery {
  readonly kind = 'CompactQuery';
  constructor(
    readonly name: string,
    readonly schema: Schema,
    readonly from: readonly FromVariable[],
    /** A Bool expression, or undefined. */
    readonly where: TypedExpr | undefined,
    readonly groupBy: readonly TypedExpr[],
    readonly select: readonly SelectItem[],
    readonly orderBy: readonly OrderItem[],
    /** Rows to keep at most, or undefined. */
    readonly limit: number | undefined,
    /** True when the query aggregates (an aggregate anywhere, or a `group_by`). */
    readonly aggregated: boolean,
    readonly location: SourceLocation | undefined,
  ) {}
}

export type Query = UberQuery | CompactQuery;

/** Human-readable form of an expression type (`Int`, `row of Employee`, `null`). */
export function printExprType(type: ExprType): string {
  switch (type.kind) {
    case 'scalar':
      return type.type;
    case 'row':
      return `row of ${type.entity}`;
    case 'null':
      return 'null';
  }
}
