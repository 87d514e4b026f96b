/**
 * The checked model of a typeside: sorts (types), constants, functions and equations.
 *
 * A sort is *interpreted* when catrust knows its values: its `scalarType` is one of the seven
 * types of common/scalar.ts, because the typeside is the built-in `sql` one, the sort is named
 * like one of ours, or its `external_types` / `java_types` class is recognised (see
 * `scalarTypeOfClass`). Values of an interpreted sort are `Scalar`s, parsed exactly from their
 * literal text. Other sorts are *uninterpreted*: their values are the typeside's constants
 * (held as their names) and terms over them.
 *
 * A function is evaluated on constant arguments when it has an implementation: a built-in one
 * (the `sql` typeside, catalog/sql-typeside.ts) or external JavaScript run through `node:vm`
 * when the caller allowed it (`allowExternalCode`). Otherwise it is uninterpreted: an
 * application stays a term (a labelled null when it is an attribute's value).
 *
 * The built-in `sql` typeside may overload a function name on argument sorts (`plus` on Int,
 * Float and Decimal); a literal typeside may not, as in the reference.
 */
import type { Scalar, ScalarType, SourceLocation } from '../common/index.js';
import type { TypedTerm } from './term.js';

/** How literal text of a sort becomes a value. */
export type LiteralMode =
  /** Parsed by common/scalar.ts against `scalarType` (range checks, dates, uuids, decimals). */
  | 'scalar'
  /** Parsed by the typeside's `external_parsers` JavaScript (allowed external code only). */
  | 'external'
  /** Kept as its text: an uninterpreted symbol (external parser present but not run). */
  | 'symbol'
  /** No literals: only the typeside's declared constants are values of this sort. */
  | 'none';

export interface Sort {
  readonly kind: 'Sort';
  readonly name: string;
  /** The type values are held as; undefined for an uninterpreted sort. */
  readonly scalarType: ScalarType | undefined;
  /** The `external_types` / `java_types` class the sort was declared with, if any. */
  readonly externalClass: string | undefined;
  readonly literals: LiteralMode;
  /** The external parser, when `literals` is 'external'. */
  readonly parseExternal: ((text: string) => Scalar) | undefined;
  readonly location: SourceLocation | undefined;
}

export type FunctionImplementation =
  | { readonly kind: 'builtin'; readonly evaluate: (args: readonly Scalar[]) => Scalar }
  | {
      readonly kind: 'external';
      readonly code: string;
      /** Undefined when external code is not allowed: the function is then uninterpreted. */
      readonly evaluate: ((args: readonly Scalar[]) => Scalar) | undefined;
    }
  | { readonly kind: 'uninterpreted' };

export interface TypesideFunction {
  readonly kind: 'TypesideFunction';
  readonly name: string;
  readonly argumentSorts: readonly string[];
  readonly resultSort: string;
  readonly implementation: FunctionImplementation;
  readonly location: SourceLocation | undefined;
}

export interface TypesideConstant {
  readonly kind: 'TypesideConstant';
  readonly name: string;
  readonly sort: string;
  /** The value when the sort is interpreted and the name reads as a literal of it. */
  readonly value: Scalar | undefined;
  readonly location: SourceLocation | undefined;
}

/** `forall x:T, y:U. lhs = rhs`. */
export interface TypesideEquation {
  readonly kind: 'TypesideEquation';
  /** Variable name → sort, in the order written. */
  readonly variables: ReadonlyMap<string, string>;
  readonly lhs: TypedTerm;
  readonly rhs: TypedTerm;
  readonly text: string;
  readonly location: SourceLocation | undefined;
}

export interface TypesideParts {
  readonly name: string;
  readonly builtin: 'sql' | 'empty' | undefined;
  readonly sorts: readonly Sort[];
  /** Other names for sorts (the `sql` typeside reads `Varchar` as `String`). */
  readonly sortAliases?: ReadonlyMap<string, string>;
  readonly constants: readonly TypesideConstant[];
  readonly functions: readonly TypesideFunction[];
  readonly equations: readonly TypesideEquation[];
  readonly location: SourceLocation | undefined;
}

export class Typeside {
  readonly kind = 'Typeside';
  /** The declared name, `sql`, `empty`, or a description of an anonymous literal. */
  readonly name: string;
  readonly builtin: 'sql' | 'empty' | undefined;
  readonly sorts: readonly Sort[];
  readonly constants: readonly TypesideConstant[];
  readonly functions: readonly TypesideFunction[];
  readonly equations: readonly TypesideEquation[];
  readonly location: SourceLocation | undefined;
  readonly #sortsByName = new Map<string, Sort>();
  readonly #constantsByName = new Map<string, TypesideConstant>();
  readonly #functionsByName = new Map<string, TypesideFunction[]>();

  constructor(parts: TypesideParts) {
    this.name = parts.name;
    this.builtin = parts.builtin;
    this.sorts = Object.freeze([...parts.sorts]);
    this.constants = Object.freeze([...parts.constants]);
    this.functions = Object.freeze([...parts.functions]);
    this.equations = Object.freeze([...parts.equations]);
    this.location = parts.location;
    for (const sort of this.sorts) this.#sortsByName.set(sort.name, sort);
    for (const [alias, target] of parts.sortAliases ?? []) {
      const sort = this.#sortsByName.get(target);
      if (sort !== undefined && !this.#sortsByName.has(alias)) this.#sortsByName.set(alias, sort);
    }
    for (const constant of this.constants) this.#constantsByName.set(constant.name, constant);
    for (const fn of this.functions) {
      const overloads = this.#functionsByName.get(fn.name);
      if (overloads) overloads.push(fn);
      else this.#functionsByName.set(fn.name, [fn]);
    }
  }

  /** The sort named `name` (or an alias of it), or undefined. */
  sort(name: string): Sort | undefined {
    return this.#sortsByName.get(name);
  }

  /** Every name a sort is known by (for "did you mean"). */
  sortNamesKnown(): string[] {
    return [...this.#sortsByName.keys()];
  }

  constant(name: string): TypesideConstant | undefined {
    return this.#constantsByName.get(name);
  }

  /** The overloads of a function name (one for a literal typeside); empty when unknown. */
  functionsNamed(name: string): readonly TypesideFunction[] {
    return this.#functionsByName.get(name) ?? [];
  }

  /** The overload of `name` taking exactly these argument sorts. */
  resolveFunction(name: string, argumentSorts: readonly string[]): TypesideFunction | undefined {
    return this.functionsNamed(name).find(
      (fn) =>
        fn.argumentSorts.length === argumentSorts.length &&
        fn.argumentSorts.every((sort, index) => sort === argumentSorts[index]),
    );
  }

  /** Every constant and function name (for "did you mean"). */
  symbolNames(): string[] {
    return [...this.#constantsByName.keys(), ...this.#functionsByName.keys()];
  }

  /**
   * Whether two typesides are the same for a mapping or a query between schemas over them:
   * the same object, or the same sorts (with the same scalar types) and function signatures.
   */
  sameAs(other: Typeside): boolean {
    if (other === this) return true;
    if (other.builtin !== this.builtin) return false;
    if (other.sorts.length !== this.sorts.length) return false;
    for (const sort of this.sorts) {
      if (other.sort(sort.name)?.scalarType !== sort.scalarType) return false;
    }
    const signature = (fn: TypesideFunction): string =>
      `${fn.name}:${fn.argumentSorts.join(',')}->${fn.resultSort}`;
    const mine = new Set(this.functions.map(signature));
    return (
      other.functions.length === this.functions.length &&
      other.functions.every((fn) => mine.has(signature(fn)))
    );
  }
}
