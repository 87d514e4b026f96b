/**
 * The functor layer's typed errors (STYLE.md §7). Σ reports the saturation's own errors
 * (`E_INSTANCE_CLASH`, `E_INSTANCE_INFINITE`, `E_INSTANCE_NOT_NULL` from catalog/saturate.ts);
 * the codes below are for what only Δ, Π and `eval` can find.
 *
 * | code                   | SQLSTATE | when                                                      |
 * |------------------------|----------|-----------------------------------------------------------|
 * | E_FUNCTOR_VALUE        | 22000    | a typeside function failed on a row's values (overflow …)  |
 * | E_FUNCTOR_MISMATCH     | 42804    | the instance is not on the schema the functor expects     |
 * | E_FUNCTOR_QUERY        | 42000    | a query's foreign key reaches no row of its target block  |
 * | E_FUNCTOR_UNSUPPORTED  | 0A000    | a term the functor cannot evaluate (named)                |
 * | E_LIMIT                | 54000    | a result past `limits.piRowsMax` / `limits.resultRowsMax`  |
 */
import { CatrustError, type CatrustErrorOptions } from '../../common/index.js';

export type FunctorErrorCode =
  'E_FUNCTOR_VALUE' | 'E_FUNCTOR_MISMATCH' | 'E_FUNCTOR_QUERY' | 'E_FUNCTOR_UNSUPPORTED';

const SQLSTATES: Readonly<Record<FunctorErrorCode, string>> = {
  E_FUNCTOR_VALUE: '22000',
  E_FUNCTOR_MISMATCH: '42804',
  E_FUNCTOR_QUERY: '42000',
  E_FUNCTOR_UNSUPPORTED: '0A000',
};

export class FunctorError extends CatrustError {
  constructor(code: FunctorErrorCode, message: string, options: CatrustErrorOptions = {}) {
    super(code, message, { sqlstate: SQLSTATES[code], ...options });
  }
}
