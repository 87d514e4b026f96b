/**
 * The environment a program is checked in: the declarations so far (one namespace for every
 * kind, as in the reference, where a program is one map of names), the options in force, the
 * caller's `CheckOptions`, and the `Diagnostics` that collect errors and warnings.
 *
 * Names resolve in program order: a declaration sees only those before it. A reference to a
 * declaration that failed its checks abandons the referring declaration quietly (its error was
 * already reported), so one mistake is reported once, not once per use.
 */
import { didYouMean, limits, type SourceLocation } from '../common/index.js';
import type { Name, OptionSetting, Span } from '../cql/index.js';
import type { CheckedInstance, DeclarationKind, InstanceEvaluator } from './checked-program.js';
import { AbandonDeclaration, Diagnostics, locate } from './errors.js';
import type { Mapping } from './mapping.js';
import type { Query } from './query.js';
import type { Schema } from './schema.js';
import type { Typeside } from './typeside.js';

export interface CheckOptions {
  /**
   * Run the JavaScript of `external_functions` / `external_parsers` (through node:vm, see
   * catalog/external-code.ts). Default false: those functions stay uninterpreted and a warning
   * says so. The CLI allows it for local files; a server must not.
   */
  readonly allowExternalCode?: boolean;
  /** Evaluates `sigma`, `delta`, `pi` and `eval` instances (the functor layer provides it). */
  readonly evaluator?: InstanceEvaluator;
  /** Rows past which a saturated instance is infinite (default `limits.instanceRowsMax`). */
  readonly instanceRowsMax?: number;
  /** Steps of congruence closure / completion (default `limits.congruenceStepsMax`). */
  readonly congruenceStepsMax?: number;
  /** Longest rewrite rule of path completion (default `limits.pathLengthMax`). */
  readonly pathLengthMax?: number;
  /** Time limit of one external-code call (default `limits.externalCodeTimeoutMs`). */
  readonly externalCodeTimeoutMs?: number;
}

interface Declared {
  readonly kind: DeclarationKind;
  readonly location: SourceLocation | undefined;
}

/** Options of the reference that change nothing catrust computes (provers, GUI, timing). */
const NEUTRAL_OPTIONS: ReadonlySet<string> = new Set([
  'prover',
  'second_prover',
  'completion_precedence',
  'completion_sort',
  'completion_compose',
  'completion_filter_subsumed',
  'completion_syntactic_ac',
  'completion_unfailing',
  'prover_simplify_max',
  'prover_allow_fresh_constants',
  'timeout',
  'talg_reduction',
  'fast_consistency_check',
  'diverge_limit',
  'diverge_warn',
  'require_consistency',
  'allow_java_eqs_unsafe',
  'program_allow_nontermination_unsafe',
  'allow_empty_sorts_unsafe',
  'query_remove_redundancy',
  'static_typing',
  'num_threads',
  'random_seed',
  'gui_max_table_size',
  'gui_max_graph_size',
  'gui_max_string_size',
  'gui_rows_to_display',
  'gui_show_atts',
  'always_reload',
  'graal_language',
  'eval_max_temp_size',
  'eval_reorder_joins',
  'eval_max_plan_depth',
  'eval_join_selectivity',
  'eval_use_indices',
  'eval_use_sql_above',
  'eval_approx_sql_unsafe',
  'eval_sql_persistent_indices',
  'coproduct_allow_entity_collisions_unsafe',
  'coproduct_allow_type_collisions_unsafe',
  'import_as_theory',
  'is_oracle',
  'emit_ids',
  'chase_style',
]);

/** Options catrust reads. */
const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  'dont_validate_unsafe',
  'simple_query_entity',
  'interpret_as_algebra',
]);

export class Env {
  readonly file: string | undefined;
  readonly diagnostics: Diagnostics;
  readonly options: CheckOptions;
  readonly typesides = new Map<string, Typeside>();
  readonly schemas = new Map<string, Schema>();
  readonly instances = new Map<string, CheckedInstance>();
  readonly mappings = new Map<string, Mapping>();
  readonly queries = new Map<string, Query>();
  /** Top-level options in force (each `options` declaration adds to them). */
  readonly topOptions = new Map<string, string>();
  readonly #declared = new Map<string, Declared>();
  readonly #failed = new Set<string>();

  constructor(file: string | undefined, options: CheckOptions) {
    this.file = file;
    this.options = options;
    this.diagnostics = new Diagnostics(file);
  }

  get instanceRowsMax(): number {
    return this.options.instanceRowsMax ?? limits.instanceRowsMax;
  }

  get congruenceStepsMax(): number {
    return this.options.congruenceStepsMax ?? limits.congruenceStepsMax;
  }

  get pathLengthMax(): number {
    return this.options.pathLengthMax ?? limits.pathLengthMax;
  }

  locate(span: Span): SourceLocation {
    return locate(this.file, span);
  }

  /** Report an error and abandon the declaration being checked. */
  abandon(...args: Parameters<Diagnostics['error']>): never {
    this.diagnostics.error(...args);
    throw new AbandonDeclaration();
  }

  /** Record a declaration's name; a second declaration of a name is an error. */
  declare(kind: DeclarationKind, name: Name): boolean {
    const previous = this.#declared.get(name.text);
    if (previous !== undefined) {
      this.diagnostics.error(
        'E_CATALOG_DUPLICATE',
        `\`${name.text}\` is already declared (as a ${previous.kind}${previous.location ? ` at line ${previous.location.line}` : ''})`,
        name.span,
      );
      return false;
    }
    this.#declared.set(name.text, { kind, location: this.locate(name.span) });
    return true;
  }

  /** Make the declarations of an already checked program visible (for incremental checking). */
  seed(base: {
    readonly typesides: ReadonlyMap<string, Typeside>;
    readonly schemas: ReadonlyMap<string, Schema>;
    readonly instances: ReadonlyMap<string, CheckedInstance>;
    readonly mappings: ReadonlyMap<string, Mapping>;
    readonly queries: ReadonlyMap<string, Query>;
    readonly options: ReadonlyMap<string, string>;
    readonly declarations: readonly {
      kind: DeclarationKind;
      name: string;
      location: SourceLocation | undefined;
    }[];
  }): void {
    for (const [name, value] of base.typesides) this.typesides.set(name, value);
    for (const [name, value] of base.schemas) this.schemas.set(name, value);
    for (const [name, value] of base.instances) this.instances.set(name, value);
    for (const [name, value] of base.mappings) this.mappings.set(name, value);
    for (const [name, value] of base.queries) this.queries.set(name, value);
    for (const [key, value] of base.options) this.topOptions.set(key, value);
    for (const entry of base.declarations) {
      if (entry.kind !== 'options')
        this.#declared.set(entry.name, { kind: entry.kind, location: entry.location });
    }
  }

  markFailed(name: string): void {
    this.#failed.add(name);
  }

  /** Find a declaration of `kind`; reports unknown names and names of another kind. */
  #lookup<T>(kind: DeclarationKind, map: ReadonlyMap<string, T>, name: Name): T {
    const found = map.get(name.text);
    if (found !== undefined) return found;
    if (this.#failed.has(name.text)) throw new AbandonDeclaration();
    const declared = this.#declared.get(name.text);
    if (declared !== undefined && declared.kind !== kind) {
      this.abandon(
        'E_CATALOG_TYPE',
        `\`${name.text}\` is a ${declared.kind}, not a ${kind}`,
        name.span,
      );
    }
    const known = [...this.#declared].filter(([, d]) => d.kind === kind).map(([n]) => n);
    this.abandon('E_CATALOG_UNKNOWN', `unknown ${kind} \`${name.text}\``, name.span, {
      hint: didYouMean(name.text, known),
    });
  }

  typeside(name: Name): Typeside {
    return this.#lookup('typeside', this.typesides, name);
  }

  schema(name: Name): Schema {
    return this.#lookup('schema', this.schemas, name);
  }

  instance(name: Name): CheckedInstance {
    return this.#lookup('instance', this.instances, name);
  }

  mapping(name: Name): Mapping {
    return this.#lookup('mapping', this.mappings, name);
  }

  query(name: Name): Query {
    return this.#lookup('query', this.queries, name);
  }

  /**
   * The options of an expression: the top-level ones in force, then its own. Unknown names
   * get a warning; options of the reference that do not change results are accepted quietly.
   */
  optionsOf(settings: readonly OptionSetting[]): Map<string, string> {
    const merged = new Map(this.topOptions);
    for (const setting of settings) {
      this.checkOption(setting);
      merged.set(setting.key, setting.value);
    }
    return merged;
  }

  checkOption(setting: OptionSetting): void {
    if (NEUTRAL_OPTIONS.has(setting.key) || KNOWN_OPTIONS.has(setting.key)) {
      if (setting.key === 'interpret_as_algebra' && setting.value === 'true') {
        this.diagnostics.warn(
          'W_OPTION_IGNORED',
          'option `interpret_as_algebra` is not supported: the instance is saturated (its equations are imposed, not checked)',
          setting.span,
        );
      }
      return;
    }
    this.diagnostics.warn(
      'W_OPTION_IGNORED',
      `unknown option \`${setting.key}\` is ignored`,
      setting.span,
    );
  }
}

/** A boolean option's value (`true`/`false`), default when absent. */
export function booleanOption(
  options: ReadonlyMap<string, string>,
  key: string,
  fallback: boolean,
): boolean {
  const value = options.get(key);
  if (value === undefined) return fallback;
  return value === 'true';
}
