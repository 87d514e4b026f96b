/**
 * Name resolution for the SQL binder: which columns a name can mean at a point of a query.
 *
 * A scope holds the columns its FROM clause provides, each with the alias of the relation it
 * came from. Unqualified names search every relation of the scope (two matches is ambiguous);
 * qualified names search one relation. A name not found is looked up in the enclosing query's
 * scope: that makes a subquery correlated, and the binder records the outer column it read.
 *
 * Matching follows PostgreSQL with catrust's CQL names: a quoted identifier matches exactly, an
 * unquoted one case-insensitively (PostgreSQL folds it; catrust's entities keep CQL spelling).
 */
import { closestName } from '../../common/index.js';
import type { ScalarType } from '../../common/index.js';
import type { ColumnId, Expr } from '../expr/expr.js';
import type { Identifier } from '../sql/ast.js';

export interface ScopeColumn {
  readonly id: ColumnId;
  /** The column's own name (as spelled in the schema or the subquery's output). */
  readonly name: string;
  readonly type: ScalarType;
  /** The alias of its relation (`e` in `Employee e`), or undefined for an anonymous one. */
  readonly qualifier: string | undefined;
  /** Hidden from `*` (the right side's column of a USING join). */
  readonly hiddenFromStar: boolean;
  /** Resolves to this expression instead of the column (a FULL JOIN USING column: coalesce). */
  readonly expr: Expr | undefined;
  /** Which FROM item (relation instance) it came from: a number unique in the query. */
  readonly relation: number;
  /** The `id` (row id) column of a table: every column of that relation depends on it. */
  readonly rowId: boolean;
}

export function identifierMatches(identifier: Identifier, name: string): boolean {
  return identifier.quoted
    ? identifier.text === name
    : identifier.text.toLowerCase() === name.toLowerCase();
}

export type Resolution =
  | { readonly kind: 'found'; readonly column: ScopeColumn; readonly depth: number }
  | { readonly kind: 'ambiguous'; readonly candidates: readonly ScopeColumn[] }
  | { readonly kind: 'missing'; readonly suggestion: string | undefined }
  | { readonly kind: 'unknownQualifier'; readonly suggestion: string | undefined };

export class Scope {
  readonly columns: ScopeColumn[] = [];

  constructor(readonly parent: Scope | undefined = undefined) {}

  /** This scope as the start of a walk up the chain of enclosing scopes. */
  private self(): Scope {
    return this;
  }

  add(column: ScopeColumn): void {
    this.columns.push(column);
  }

  addAll(columns: readonly ScopeColumn[]): void {
    for (const column of columns) this.add(column);
  }

  /** Qualifiers (relation aliases) visible in this scope, in FROM order. */
  qualifiers(): string[] {
    const seen: string[] = [];
    for (const column of this.columns) {
      if (column.qualifier !== undefined && !seen.includes(column.qualifier))
        seen.push(column.qualifier);
    }
    return seen;
  }

  hasQualifier(identifier: Identifier): boolean {
    return this.columns.some(
      (column) => column.qualifier !== undefined && identifierMatches(identifier, column.qualifier),
    );
  }

  /** Resolve `name` or `qualifier.name`, searching enclosing scopes when not found here. */
  resolve(qualifier: Identifier | undefined, name: Identifier): Resolution {
    let scope: Scope | undefined = this.self();
    let depth = 0;
    let qualifierSeen = qualifier === undefined;
    while (scope !== undefined) {
      const local = scope.resolveLocal(qualifier, name);
      if (local.kind === 'found' || local.kind === 'ambiguous') {
        return local.kind === 'found' ? { ...local, depth } : local;
      }
      if (qualifier !== undefined && scope.hasQualifier(qualifier)) qualifierSeen = true;
      scope = scope.parent;
      depth++;
    }
    if (!qualifierSeen && qualifier !== undefined) {
      return {
        kind: 'unknownQualifier',
        suggestion: closestName(qualifier.text, this.allQualifiers()),
      };
    }
    return { kind: 'missing', suggestion: closestName(name.text, this.allNames(qualifier)) };
  }

  private resolveLocal(qualifier: Identifier | undefined, name: Identifier): Resolution {
    const matches = this.columns.filter(
      (column) =>
        identifierMatches(name, column.name) &&
        (qualifier === undefined
          ? true
          : column.qualifier !== undefined && identifierMatches(qualifier, column.qualifier)),
    );
    // A USING column appears on both sides; unqualified, it means the merged one.
    const visible =
      qualifier === undefined ? matches.filter((column) => !column.hiddenFromStar) : matches;
    const candidates = visible.length > 0 ? visible : matches;
    if (candidates.length === 0) return { kind: 'missing', suggestion: undefined };
    if (candidates.length > 1) {
      const exact = candidates.filter((column) => column.name === name.text);
      if (exact.length === 1 && exact[0] !== undefined) {
        return { kind: 'found', column: exact[0], depth: 0 };
      }
      return { kind: 'ambiguous', candidates };
    }
    const [column] = candidates;
    if (column === undefined) return { kind: 'missing', suggestion: undefined };
    return { kind: 'found', column, depth: 0 };
  }

  private allQualifiers(): string[] {
    const names: string[] = [];
    for (let scope: Scope | undefined = this.self(); scope !== undefined; scope = scope.parent) {
      names.push(...scope.qualifiers());
    }
    return names;
  }

  private allNames(qualifier: Identifier | undefined): string[] {
    const names: string[] = [];
    for (let scope: Scope | undefined = this.self(); scope !== undefined; scope = scope.parent) {
      for (const column of scope.columns) {
        if (
          qualifier === undefined ||
          (column.qualifier !== undefined && identifierMatches(qualifier, column.qualifier))
        ) {
          names.push(column.name);
        }
      }
    }
    return names;
  }
}
