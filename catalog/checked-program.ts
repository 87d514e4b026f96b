/**
 * The checked model of a whole program: every typeside, schema, instance, mapping and query by
 * name, the declaration order, and the warnings. Produced by `checkProgram`
 * (catalog/check-program.ts).
 *
 * Instances defined by a presentation (`literal`, compact rows, `empty`) are saturated while the
 * program is checked. Instances defined by a migration (`sigma F I`, `delta F I`, `pi F I`) or
 * a query (`eval Q I`) are type-checked here and evaluated by the `InstanceEvaluator` passed in
 * the options (the functor layer provides it); without one, asking for their rows is a typed
 * `E_INSTANCE_NOT_EVALUATED` error.
 */
import type { SourceLocation } from '../common/index.js';
import { CatalogError, type CatalogWarning } from './errors.js';
import type { Mapping } from './mapping.js';
import type { Query, UberQuery } from './query.js';
import type { Presentation } from './saturate.js';
import type { SaturatedInstance } from './saturated-instance.js';
import type { Schema } from './schema.js';
import type { Typeside } from './typeside.js';

export type InstanceDefinition =
  | { readonly kind: 'literal' }
  | { readonly kind: 'rows' }
  | { readonly kind: 'empty' }
  | {
      readonly kind: 'sigma' | 'delta' | 'pi';
      readonly mapping: Mapping;
      readonly input: CheckedInstance;
      readonly options: ReadonlyMap<string, string>;
    }
  | {
      readonly kind: 'eval';
      readonly query: UberQuery;
      readonly input: CheckedInstance;
      readonly options: ReadonlyMap<string, string>;
    };

/** What an evaluator is asked: the checked instance (its definition says which functor). */
export interface EvaluationRequest {
  readonly instance: CheckedInstance;
  /** The saturated input instance (`I` of `sigma F I`). */
  readonly input: SaturatedInstance;
  /**
   * The limits the program is checked under, when the caller set them (`CheckOptions`); an
   * evaluator uses them unless its own options say otherwise.
   */
  readonly limits: {
    readonly instanceRowsMax: number | undefined;
    readonly congruenceStepsMax: number | undefined;
  };
}

/**
 * Evaluates migrations and queries into saturated instances (Σ, Δ, Π, eval). Provided by the
 * functor layer; errors it throws (`CatrustError`s) are reported at the instance's location.
 */
export interface InstanceEvaluator {
  sigma(mapping: Mapping, request: EvaluationRequest): SaturatedInstance;
  delta(mapping: Mapping, request: EvaluationRequest): SaturatedInstance;
  pi(mapping: Mapping, request: EvaluationRequest): SaturatedInstance;
  eval(query: UberQuery, request: EvaluationRequest): SaturatedInstance;
}

export class CheckedInstance {
  readonly kind = 'CheckedInstance';
  #rows: SaturatedInstance | undefined;

  constructor(
    readonly name: string,
    readonly schema: Schema,
    readonly definition: InstanceDefinition,
    /** The generators and equations, for instances given by a presentation. */
    readonly presentation: Presentation | undefined,
    readonly location: SourceLocation | undefined,
    rows: SaturatedInstance | undefined,
  ) {
    this.#rows = rows;
  }

  /** Whether the rows are known (saturated or evaluated). */
  get evaluated(): boolean {
    return this.#rows !== undefined;
  }

  /** The saturated rows; `E_INSTANCE_NOT_EVALUATED` when no evaluator computed them. */
  rows(): SaturatedInstance {
    if (this.#rows === undefined) {
      throw new CatalogError(
        'E_INSTANCE_NOT_EVALUATED',
        `instance \`${this.name}\` (${this.definition.kind}) was not evaluated: no evaluator for ` +
          `${this.definition.kind} was given to the catalog`,
        { location: this.location },
      );
    }
    return this.#rows;
  }
}

export type DeclarationKind = 'typeside' | 'schema' | 'instance' | 'mapping' | 'query' | 'options';

export interface DeclarationEntry {
  readonly kind: DeclarationKind;
  /** The declared name ('' for `options`). */
  readonly name: string;
  readonly location: SourceLocation | undefined;
}

export interface CheckedProgram {
  readonly kind: 'CheckedProgram';
  readonly file: string | undefined;
  readonly typesides: ReadonlyMap<string, Typeside>;
  readonly schemas: ReadonlyMap<string, Schema>;
  readonly instances: ReadonlyMap<string, CheckedInstance>;
  readonly mappings: ReadonlyMap<string, Mapping>;
  readonly queries: ReadonlyMap<string, Query>;
  /** Every declaration that checked, in program order. */
  readonly declarations: readonly DeclarationEntry[];
  readonly warnings: readonly CatalogWarning[];
  /** The top-level options in force at the end of the program. */
  readonly options: ReadonlyMap<string, string>;
}
