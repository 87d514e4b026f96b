/**
 * Deciding equations between terms under hypotheses, by saturating a *frozen instance*: the
 * variables become generators, the hypotheses (a query block's `where`) its equations. In the
 * saturated model two row terms are equal exactly when they reach the same row, so for rows
 * the answer is definite. For values, one class means equal and two different constants mean
 * different; two classes without constants are different in the free type algebra, which is
 * the model when the typeside has no equations and no evaluated function occurs — otherwise
 * the answer is `unknown`. An infinite (or over-limit) frozen instance answers `unknown`.
 *
 * Used to check that mappings preserve observation equations and that uber-flower queries
 * respect the target's path equations and their blocks' `where` clauses.
 */
import { assertNever } from '../common/index.js';
import { SaturationFailed, Saturator, type PresentationGenerator } from './saturate.js';
import type { Schema } from './schema.js';
import { genTerm, substitute, type TypedEquation, type TypedTerm } from './term.js';
import type { PathVerdict } from './path-equality.js';

export interface FrozenVariable {
  readonly name: string;
  readonly entity: string;
}

export interface FrozenLimits {
  readonly instanceRowsMax: number;
  readonly congruenceStepsMax: number;
}

export class FrozenInstance {
  readonly #saturator: Saturator;
  readonly #generators: ReadonlyMap<string, TypedTerm>;
  readonly #schema: Schema;

  private constructor(
    schema: Schema,
    saturator: Saturator,
    generators: ReadonlyMap<string, TypedTerm>,
  ) {
    this.#schema = schema;
    this.#saturator = saturator;
    this.#generators = generators;
  }

  /**
   * Saturate the frozen instance of `variables` under `hypotheses` (terms over the variables).
   * Undefined when it is infinite, too large, or inconsistent (two constants forced equal).
   */
  static build(
    schema: Schema,
    variables: readonly FrozenVariable[],
    hypotheses: readonly TypedEquation[],
    frozenLimits: FrozenLimits,
  ): FrozenInstance | undefined {
    const saturator = new Saturator(
      schema,
      {
        instanceRowsMax: frozenLimits.instanceRowsMax,
        congruenceStepsMax: frozenLimits.congruenceStepsMax,
      },
      (id) => ({ text: hypotheses[id]?.text ?? '', location: hypotheses[id]?.location }),
      64,
    );
    const generators = new Map<string, TypedTerm>();
    try {
      for (const variable of variables) {
        const generator: PresentationGenerator = {
          name: variable.name,
          sort: { kind: 'EntitySort', entity: variable.entity },
        };
        saturator.addGenerator(generator);
        generators.set(variable.name, genTerm(variable.name, variable.entity));
      }
      const frozen = hypotheses.map((equation) => ({
        lhs: substitute(equation.lhs, generators),
        rhs: substitute(equation.rhs, generators),
      }));
      const values: number[] = [];
      frozen.forEach((equation, id) => {
        if (saturator.sortOf(equation.lhs).kind === 'EntitySort') {
          saturator.equateRows(equation.lhs, equation.rhs, id);
        } else {
          values.push(id);
        }
      });
      saturator.closeEntities();
      for (const id of values) {
        const equation = frozen[id] as { lhs: TypedTerm; rhs: TypedTerm };
        saturator.equateValues(equation.lhs, equation.rhs, id);
      }
      saturator.finish();
    } catch (thrown) {
      if (thrown instanceof SaturationFailed) return undefined;
      throw thrown;
    }
    return new FrozenInstance(schema, saturator, generators);
  }

  /** Whether `lhs = rhs` (terms over the variables) holds in every model of the hypotheses. */
  decide(lhs: TypedTerm, rhs: TypedTerm): PathVerdict {
    const left = substitute(lhs, this.#generators);
    const right = substitute(rhs, this.#generators);
    const verdict = this.#saturator.compare(left, right);
    if (verdict === 'equal') return 'equal';
    if (verdict === 'constants') return 'different';
    if (this.#saturator.sortOf(left).kind === 'EntitySort') return 'different';
    const free =
      this.#schema.typeside.equations.length === 0 && !evaluates(left) && !evaluates(right);
    return free ? 'different' : 'unknown';
  }
}

/** Whether a term applies a function that catrust evaluates (built-in or allowed external). */
function evaluates(term: TypedTerm): boolean {
  switch (term.kind) {
    case 'Apply': {
      const implementation = term.function.implementation;
      const evaluated =
        implementation.kind === 'builtin' ||
        (implementation.kind === 'external' && implementation.evaluate !== undefined);
      return evaluated || term.args.some(evaluates);
    }
    case 'Fk':
    case 'Att':
      return evaluates(term.argument);
    case 'Var':
    case 'Gen':
    case 'Sk':
    case 'Const':
    case 'Literal':
    case 'Null':
      return false;
    default:
      return assertNever(term, 'term');
  }
}
