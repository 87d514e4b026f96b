/**
 * Errors of the CQL front end. Both carry the `SourceLocation` (file:line:column) of the token
 * where the problem was found.
 */
import { CatrustError, type CatrustErrorOptions } from '../common/index.js';

/** Text that does not follow the grammar: what was expected, what was found. */
export class CqlSyntaxError extends CatrustError {
  constructor(message: string, options: CatrustErrorOptions = {}) {
    super('E_CQL_SYNTAX', message, { sqlstate: '42601', ...options });
  }
}

/** A construct of the reference CQL language that catrust does not support (yet). */
export class CqlUnsupportedError extends CatrustError {
  constructor(construct: string, options: CatrustErrorOptions = {}) {
    super('E_CQL_UNSUPPORTED', `${construct} is not supported by catrust`, {
      sqlstate: '0A000',
      ...options,
      details: { construct, ...(options.details ?? {}) },
    });
  }
}
