/**
 * catrust's own SQL syntax tree: the subset of PostgreSQL the planner runs, produced from
 * libpg-query's parse tree by sql/parse.ts (the one module that knows libpg-query's shapes).
 *
 * Every node is a readonly object with a `kind` tag and `position`: the character offset in the
 * statement text where it starts (for errors: sql/text.ts turns it into line and column).
 * Identifiers keep whether they were quoted: an unquoted name matches a table or column
 * case-insensitively, a quoted one exactly (PostgreSQL folds unquoted names to lower case;
 * catrust's entities keep their CQL spelling, so a case-insensitive match is the equivalent).
 */
import type { ScalarType } from '../../common/index.js';

export interface Identifier {
  readonly text: string;
  readonly quoted: boolean;
  readonly position: number;
}

// ─── Expressions ──────────────────────────────────────────────────────────────────────────────

export type SqlBinaryOp =
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '='
  | '<>'
  | '<'
  | '<='
  | '>'
  | '>='
  | 'and'
  | 'or'
  | '||'
  | '~'
  | '~*'
  | '!~'
  | '!~*';

export type SqlLiteralKind = 'integer' | 'numeric' | 'string' | 'boolean' | 'null';

export type SqlExpr =
  | {
      readonly kind: 'Column';
      /** `c`, `e.c`, `schema.table.c` as written. */
      readonly parts: readonly Identifier[];
      readonly position: number;
    }
  | {
      readonly kind: 'Literal';
      readonly literal: SqlLiteralKind;
      /** Source text of numbers (exact), the string's value, `true`/`false`, or `null`. */
      readonly text: string;
      readonly position: number;
    }
  | { readonly kind: 'Parameter'; readonly index: number; readonly position: number }
  | {
      readonly kind: 'Unary';
      readonly op: '-' | '+' | 'not';
      readonly operand: SqlExpr;
      readonly position: number;
    }
  | {
      readonly kind: 'Binary';
      readonly op: SqlBinaryOp;
      readonly left: SqlExpr;
      readonly right: SqlExpr;
      readonly position: number;
    }
  | {
      readonly kind: 'IsNull';
      readonly operand: SqlExpr;
      readonly negated: boolean;
      readonly position: number;
    }
  | {
      /** `x IS [NOT] TRUE | FALSE | UNKNOWN`. */
      readonly kind: 'IsBool';
      readonly operand: SqlExpr;
      readonly value: boolean | null;
      readonly negated: boolean;
      readonly position: number;
    }
  | {
      readonly kind: 'IsDistinct';
      readonly left: SqlExpr;
      readonly right: SqlExpr;
      /** true for IS NOT DISTINCT FROM. */
      readonly negated: boolean;
      readonly position: number;
    }
  | {
      readonly kind: 'Between';
      readonly operand: SqlExpr;
      readonly low: SqlExpr;
      readonly high: SqlExpr;
      readonly negated: boolean;
      readonly symmetric: boolean;
      readonly position: number;
    }
  | {
      readonly kind: 'Like';
      readonly operand: SqlExpr;
      readonly pattern: SqlExpr;
      readonly caseInsensitive: boolean;
      readonly negated: boolean;
      readonly position: number;
    }
  | {
      readonly kind: 'InList';
      readonly operand: SqlExpr;
      readonly list: readonly SqlExpr[];
      readonly negated: boolean;
      readonly position: number;
    }
  | {
      readonly kind: 'InSubquery';
      readonly operand: SqlExpr;
      readonly query: SqlQuery;
      readonly negated: boolean;
      readonly position: number;
    }
  | {
      /** `x op ANY (subquery)` / `x op ALL (subquery)`. */
      readonly kind: 'Quantified';
      readonly operand: SqlExpr;
      readonly op: '=' | '<>' | '<' | '<=' | '>' | '>=';
      readonly quantifier: 'any' | 'all';
      readonly query: SqlQuery;
      readonly position: number;
    }
  | { readonly kind: 'Exists'; readonly query: SqlQuery; readonly position: number }
  | { readonly kind: 'ScalarSubquery'; readonly query: SqlQuery; readonly position: number }
  | {
      readonly kind: 'Case';
      readonly operand: SqlExpr | undefined;
      readonly whens: readonly { readonly when: SqlExpr; readonly then: SqlExpr }[];
      readonly otherwise: SqlExpr | undefined;
      readonly position: number;
    }
  | {
      readonly kind: 'Cast';
      readonly operand: SqlExpr;
      readonly type: ScalarType;
      /** The type as written (`numeric(10,2)`), for EXPLAIN and errors. */
      readonly typeText: string;
      readonly position: number;
    }
  | {
      readonly kind: 'Function';
      /** Lower-cased unless quoted; a `pg_catalog.` qualifier is dropped. */
      readonly name: string;
      readonly args: readonly SqlExpr[];
      /** `count(*)`. */
      readonly star: boolean;
      readonly distinct: boolean;
      readonly filter: SqlExpr | undefined;
      /** `string_agg(x, ',' ORDER BY x)`: the order an aggregate reads its input in. */
      readonly orderBy: readonly SqlOrderItem[];
      readonly position: number;
    }
  | {
      /** `*` or `t.*` in a select list. */
      readonly kind: 'Star';
      readonly table: Identifier | undefined;
      readonly position: number;
    };

export type SqlExprKind = SqlExpr['kind'];

// ─── Queries ──────────────────────────────────────────────────────────────────────────────────

export interface SqlAlias {
  readonly name: Identifier;
  readonly columns: readonly Identifier[];
}

export type SqlFromItem =
  | {
      readonly kind: 'Table';
      readonly schema: Identifier | undefined;
      readonly name: Identifier;
      readonly alias: SqlAlias | undefined;
      readonly position: number;
    }
  | {
      readonly kind: 'Subquery';
      readonly query: SqlQuery;
      readonly alias: SqlAlias | undefined;
      readonly position: number;
    }
  | {
      readonly kind: 'Join';
      readonly join: 'inner' | 'left' | 'right' | 'full' | 'cross';
      readonly left: SqlFromItem;
      readonly right: SqlFromItem;
      readonly on: SqlExpr | undefined;
      readonly using: readonly Identifier[];
      readonly natural: boolean;
      readonly position: number;
    };

export interface SqlSelectTarget {
  readonly expr: SqlExpr;
  /** `AS name`: the output column's name (folded as PostgreSQL folds it). */
  readonly alias: Identifier | undefined;
  readonly position: number;
}

export interface SqlOrderItem {
  readonly expr: SqlExpr;
  readonly descending: boolean;
  /** undefined: PostgreSQL's default (NULLS LAST ascending, NULLS FIRST descending). */
  readonly nullsFirst: boolean | undefined;
  readonly position: number;
}

export type SqlQueryBody =
  | {
      readonly kind: 'Select';
      readonly distinct: boolean;
      readonly targets: readonly SqlSelectTarget[];
      readonly from: readonly SqlFromItem[];
      readonly where: SqlExpr | undefined;
      readonly groupBy: readonly SqlExpr[];
      readonly having: SqlExpr | undefined;
      readonly position: number;
    }
  | {
      readonly kind: 'SetOperation';
      readonly op: 'union' | 'intersect' | 'except';
      readonly all: boolean;
      readonly left: SqlQuery;
      readonly right: SqlQuery;
      readonly position: number;
    }
  | {
      readonly kind: 'Values';
      readonly rows: readonly (readonly SqlExpr[])[];
      readonly position: number;
    };

export interface SqlCte {
  readonly name: Identifier;
  readonly columns: readonly Identifier[];
  readonly query: SqlQuery;
}

/** A query: its body, with the WITH, ORDER BY, LIMIT and OFFSET that wrap it. */
export interface SqlQuery {
  readonly kind: 'Query';
  readonly with: readonly SqlCte[];
  readonly body: SqlQueryBody;
  readonly orderBy: readonly SqlOrderItem[];
  readonly limit: SqlExpr | undefined;
  readonly offset: SqlExpr | undefined;
  readonly position: number;
}

// ─── Statements ───────────────────────────────────────────────────────────────────────────────

export type SqlStatement =
  | SqlQuery
  | {
      readonly kind: 'Explain';
      readonly analyze: boolean;
      readonly verbose: boolean;
      readonly query: SqlQuery;
      readonly position: number;
    }
  | {
      /** BEGIN / START TRANSACTION, COMMIT / END, ROLLBACK / ABORT: for the session layer. */
      readonly kind: 'Transaction';
      readonly action: 'begin' | 'commit' | 'rollback';
      readonly position: number;
    }
  | {
      /** SET name = value / SET name TO value: for the session layer. */
      readonly kind: 'Set';
      readonly name: string;
      readonly value: string | undefined;
      readonly position: number;
    }
  | { readonly kind: 'Show'; readonly name: string; readonly position: number };

export type SqlStatementKind = SqlStatement['kind'];
