/**
 * The functors of a mapping F : S → T on instances — Δ_F (pull back), Σ_F (push forward, its
 * left adjoint), Π_F (its right adjoint) — and `eval` of uber-flower queries, in memory on the
 * catalog's saturated instances; `functorEvaluator()` plugs them into `checkProgram`.
 *
 * Other folders import the functor layer only through this file.
 */
export { FunctorError, type FunctorErrorCode } from './errors.js';
export { delta, followPath } from './delta.js';
export {
  sigma,
  sigmaPresentation,
  sigmaPresentationOfRows,
  sigmaRowsLimit,
  translateTerm,
  type SigmaOptions,
} from './sigma.js';
export {
  evalQuery,
  evalQueryWithTuples,
  type EvalOptions,
  type BlockTuples,
} from './eval-query.js';
export { pi, piQuery, representableInstance, type PiOptions } from './pi.js';
export { functorEvaluator, type FunctorEvaluatorOptions } from './evaluator.js';
export { TermCompiler, cellKey, type CellValue } from './term-evaluation.js';
export {
  sigmaDeltaUnit,
  sigmaDeltaCounit,
  deltaPiUnit,
  deltaPiCounit,
  type InstanceMorphism,
} from './units.js';
export {
  sigmaValidate,
  sigmaDry,
  type SigmaValidation,
  type SigmaDryRun,
  type SigmaProblem,
  type SigmaProblemKind,
  type SigmaEntityStats,
} from './sigma-report.js';
export { sigmaChase, type SigmaChaseOptions } from './sigma-chase.js';
export {
  CHECKPOINT_TABLE,
  LABELS_TABLE,
  LINEAGE_TABLE,
  SYSTEM_TABLE_PREFIX,
  deltaInStore,
  lineageRecords,
  piInStore,
  readStoredInstance,
  sigmaDeltaInStore,
  sigmaDryInStore,
  sigmaInStore,
  sigmaValidateInStore,
  storedRowName,
  type EntityStats,
  type LineageRecord,
  type SigmaDeltaRecord,
  type StoredFunctor,
  type StoredInstance,
  type StoreMigrationOptions,
} from './store/index.js';
