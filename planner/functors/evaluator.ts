/**
 * The `InstanceEvaluator` the catalog calls for `sigma F I`, `delta F I`, `pi F I` and
 * `eval Q I` while it checks a program (catalog/checked-program.ts): each request is answered
 * in memory by the functions of this folder.
 *
 *   checkProgram(parseProgram(text), { evaluator: functorEvaluator() })
 */
import type {
  EvaluationRequest,
  InstanceEvaluator,
  Mapping,
  SaturatedInstance,
  UberQuery,
} from '../../catalog/index.js';
import { delta } from './delta.js';
import { evalQuery } from './eval-query.js';
import { pi } from './pi.js';
import { sigma } from './sigma.js';

export interface FunctorEvaluatorOptions {
  /** Rows past which a Σ result is infinite (default `limits.instanceRowsMax`). */
  readonly instanceRowsMax?: number;
  /** Steps of typeside-equation matching in Σ (default `limits.congruenceStepsMax`). */
  readonly congruenceStepsMax?: number;
  /** Rows of one `eval` result entity at most (default `limits.resultRowsMax`). */
  readonly resultRowsMax?: number;
  /** Rows of one Π result entity at most (default `limits.piRowsMax`). */
  readonly piRowsMax?: number;
}

export function functorEvaluator(options: FunctorEvaluatorOptions = {}): InstanceEvaluator {
  return {
    sigma(mapping: Mapping, request: EvaluationRequest): SaturatedInstance {
      const definition = request.instance.definition;
      const presentation = definition.kind === 'sigma' ? definition.input.presentation : undefined;
      return sigma(mapping, request.input, {
        name: request.instance.name,
        location: request.instance.location,
        presentation,
        instanceRowsMax: options.instanceRowsMax ?? request.limits.instanceRowsMax,
        congruenceStepsMax: options.congruenceStepsMax ?? request.limits.congruenceStepsMax,
      });
    },
    delta(mapping: Mapping, request: EvaluationRequest): SaturatedInstance {
      return delta(mapping, request.input);
    },
    pi(mapping: Mapping, request: EvaluationRequest): SaturatedInstance {
      return pi(mapping, request.input, { rowsMax: options.piRowsMax });
    },
    eval(query: UberQuery, request: EvaluationRequest): SaturatedInstance {
      return evalQuery(query, request.input, { rowsMax: options.resultRowsMax });
    },
  };
}
