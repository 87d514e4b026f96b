/**
 * Typed terms: the checked form of the AST's `Term`, shared by observation equations, mapping
 * attribute terms, instance equations and uber-flower queries.
 *
 * A term is a closed union with a `kind` tag. Its leaves are variables (of an observation
 * equation, a mapping's lambda, a query's `from`), generators of an instance (rows, or labelled
 * nulls when their sort is a type), typeside constants and literal values. Inner nodes apply a
 * foreign key, an attribute or a typeside function. Every term knows its sort (`termSort`).
 *
 * Terms are immutable plain objects; build them with the factories below.
 */
import { assertNever, formatValue, type Scalar, type SourceLocation } from '../common/index.js';
import type { Attribute, ForeignKey } from './schema.js';
import type { Typeside, TypesideConstant, TypesideFunction } from './typeside.js';

/** The sort of a term: a row of an entity, or a value of a typeside sort. */
export type TermSort =
  | { readonly kind: 'EntitySort'; readonly entity: string }
  | { readonly kind: 'TypeSort'; readonly sort: string };

export type TypedTerm =
  /** A variable of an enclosing context (`forall e`, `lambda x`, `from e:Employee`). */
  | { readonly kind: 'Var'; readonly name: string; readonly sort: TermSort }
  /** A generator of an instance of an entity: a row. */
  | { readonly kind: 'Gen'; readonly name: string; readonly entity: string }
  /** A generator of an instance of a type sort: a labelled null (a Skolem constant). */
  | { readonly kind: 'Sk'; readonly name: string; readonly sort: string }
  | { readonly kind: 'Fk'; readonly foreignKey: ForeignKey; readonly argument: TypedTerm }
  | { readonly kind: 'Att'; readonly attribute: Attribute; readonly argument: TypedTerm }
  /** A typeside constant (`zero`, `Al`); its value when the typeside interprets it. */
  | { readonly kind: 'Const'; readonly constant: TypesideConstant }
  /** A literal value of an interpreted sort (`"Alice"`, `42`, `2024-01-31`). */
  | { readonly kind: 'Literal'; readonly sort: string; readonly value: Scalar }
  /** SQL NULL of a sort; only the compact dialect writes it (`salary = null`). */
  | { readonly kind: 'Null'; readonly sort: string }
  | {
      readonly kind: 'Apply';
      readonly function: TypesideFunction;
      readonly args: readonly TypedTerm[];
    };

export type TypedTermKind = TypedTerm['kind'];

export const entitySort = (entity: string): TermSort => ({ kind: 'EntitySort', entity });
export const typeSort = (sort: string): TermSort => ({ kind: 'TypeSort', sort });

export const varTerm = (name: string, sort: TermSort): TypedTerm => ({ kind: 'Var', name, sort });
export const genTerm = (name: string, entity: string): TypedTerm => ({ kind: 'Gen', name, entity });
export const skTerm = (name: string, sort: string): TypedTerm => ({ kind: 'Sk', name, sort });
export const fkTerm = (foreignKey: ForeignKey, argument: TypedTerm): TypedTerm => ({
  kind: 'Fk',
  foreignKey,
  argument,
});
export const attTerm = (attribute: Attribute, argument: TypedTerm): TypedTerm => ({
  kind: 'Att',
  attribute,
  argument,
});
export const constTerm = (constant: TypesideConstant): TypedTerm => ({ kind: 'Const', constant });
export const literalTerm = (sort: string, value: Scalar): TypedTerm => ({
  kind: 'Literal',
  sort,
  value,
});
export const nullTerm = (sort: string): TypedTerm => ({ kind: 'Null', sort });
export const applyTerm = (fn: TypesideFunction, args: readonly TypedTerm[]): TypedTerm => ({
  kind: 'Apply',
  function: fn,
  args,
});

export function termSort(term: TypedTerm): TermSort {
  switch (term.kind) {
    case 'Var':
      return term.sort;
    case 'Gen':
      return entitySort(term.entity);
    case 'Sk':
      return typeSort(term.sort);
    case 'Fk':
      return entitySort(term.foreignKey.target);
    case 'Att':
      return typeSort(term.attribute.sort);
    case 'Const':
      return typeSort(term.constant.sort);
    case 'Literal':
    case 'Null':
      return typeSort(term.sort);
    case 'Apply':
      return typeSort(term.function.resultSort);
    default:
      return assertNever(term, 'term');
  }
}

export function sameSort(a: TermSort, b: TermSort): boolean {
  return a.kind === 'EntitySort'
    ? b.kind === 'EntitySort' && a.entity === b.entity
    : b.kind === 'TypeSort' && a.sort === b.sort;
}

export function printSort(sort: TermSort): string {
  return sort.kind === 'EntitySort' ? sort.entity : sort.sort;
}

/**
 * The canonical text of a term: foreign keys and attributes in dot form (`e1.manager.salary`),
 * functions in prefix form (`plus(x, 1)`), strings quoted. `typeside` formats literal values
 * (dates as `YYYY-MM-DD`); without it, values print as JavaScript would.
 */
export function printTypedTerm(term: TypedTerm, typeside?: Typeside): string {
  switch (term.kind) {
    case 'Var':
    case 'Gen':
    case 'Sk':
      return term.name;
    case 'Fk':
      return `${printTypedTerm(term.argument, typeside)}.${term.foreignKey.name}`;
    case 'Att':
      return `${printTypedTerm(term.argument, typeside)}.${term.attribute.name}`;
    case 'Const':
      return term.constant.name;
    case 'Literal': {
      const scalarType = typeside?.sort(term.sort)?.scalarType;
      const text =
        scalarType === undefined ? String(term.value) : formatValue(scalarType, term.value);
      return typeof term.value === 'string' ? JSON.stringify(text) : text;
    }
    case 'Null':
      return 'null';
    case 'Apply':
      return `${term.function.name}(${term.args.map((arg) => printTypedTerm(arg, typeside)).join(', ')})`;
    default:
      return assertNever(term, 'term');
  }
}

/** What `mapTerm` changes: variables, and the foreign keys and attributes a term applies. */
export interface TermMap {
  readonly variable?: (term: Extract<TypedTerm, { kind: 'Var' }>) => TypedTerm;
  readonly foreignKey?: (foreignKey: ForeignKey) => ForeignKey;
  readonly attribute?: (attribute: Attribute) => Attribute;
}

/** Rebuild a term bottom-up with `map` applied; leaves it does not name are kept. */
export function mapTerm(term: TypedTerm, map: TermMap): TypedTerm {
  switch (term.kind) {
    case 'Var':
      return map.variable === undefined ? term : map.variable(term);
    case 'Gen':
    case 'Sk':
    case 'Const':
    case 'Literal':
    case 'Null':
      return term;
    case 'Fk':
      return fkTerm(
        map.foreignKey?.(term.foreignKey) ?? term.foreignKey,
        mapTerm(term.argument, map),
      );
    case 'Att':
      return attTerm(
        map.attribute?.(term.attribute) ?? term.attribute,
        mapTerm(term.argument, map),
      );
    case 'Apply':
      return applyTerm(
        term.function,
        term.args.map((arg) => mapTerm(arg, map)),
      );
    default:
      return assertNever(term, 'term');
  }
}

/** Replace variables by terms (`Var` leaves whose name is a key of `substitution`). */
export function substitute(
  term: TypedTerm,
  substitution: ReadonlyMap<string, TypedTerm>,
): TypedTerm {
  return mapTerm(term, { variable: (variable) => substitution.get(variable.name) ?? variable });
}

/** Structural equality of two terms (foreign keys and attributes compared by identity). */
export function equalTerms(a: TypedTerm, b: TypedTerm): boolean {
  switch (a.kind) {
    case 'Var':
    case 'Gen':
    case 'Sk':
      return b.kind === a.kind && b.name === a.name;
    case 'Fk':
      return b.kind === 'Fk' && b.foreignKey === a.foreignKey && equalTerms(a.argument, b.argument);
    case 'Att':
      return b.kind === 'Att' && b.attribute === a.attribute && equalTerms(a.argument, b.argument);
    case 'Const':
      return b.kind === 'Const' && b.constant === a.constant;
    case 'Literal':
      return b.kind === 'Literal' && b.sort === a.sort && b.value === a.value;
    case 'Null':
      return b.kind === 'Null' && b.sort === a.sort;
    case 'Apply':
      return (
        b.kind === 'Apply' &&
        b.function === a.function &&
        b.args.length === a.args.length &&
        a.args.every((arg, index) => {
          const other = b.args[index];
          return other !== undefined && equalTerms(arg, other);
        })
      );
    default:
      return assertNever(a, 'term');
  }
}

/** The names of the variables a term uses. */
export function variablesOf(term: TypedTerm, into: Set<string> = new Set()): Set<string> {
  switch (term.kind) {
    case 'Var':
      into.add(term.name);
      break;
    case 'Fk':
    case 'Att':
      variablesOf(term.argument, into);
      break;
    case 'Apply':
      for (const arg of term.args) variablesOf(arg, into);
      break;
    case 'Gen':
    case 'Sk':
    case 'Const':
    case 'Literal':
    case 'Null':
      break;
    default:
      assertNever(term, 'term');
  }
  return into;
}

/** An equation between two terms of one sort, where it was written. */
export interface TypedEquation {
  readonly lhs: TypedTerm;
  readonly rhs: TypedTerm;
  /** The equation as written, for error messages (`e1.salary = 100`). */
  readonly text: string;
  readonly location: SourceLocation | undefined;
}
