/**
 * Errors and warnings of the catalog.
 *
 * Every failure of a check is a `CatalogError` with a stable code and the `SourceLocation`
 * (file:line:column) of the AST node at fault. The codes:
 *
 * | code                        | meaning                                                      |
 * |-----------------------------|--------------------------------------------------------------|
 * | E_CATALOG_DUPLICATE         | a name declared twice in one scope                           |
 * | E_CATALOG_UNKNOWN           | a name that is not declared (with "did you mean")            |
 * | E_CATALOG_TYPE              | a term, value or expression of the wrong sort / type         |
 * | E_CATALOG_PATH              | a path whose ends do not match, or an equation across sorts  |
 * | E_CATALOG_MAPPING           | a mapping that is not a schema morphism                      |
 * | E_CATALOG_QUERY             | a query that is not well formed (coverage, grouping, limit)  |
 * | E_CATALOG_UNSUPPORTED       | a form catrust does not evaluate (e.g. `toCoQuery`)          |
 * | E_CATALOG_OPTION            | an option with a value of the wrong form                     |
 * | E_CATALOG_EXTERNAL          | external (JavaScript) code that failed or timed out          |
 * | E_INSTANCE_VALUE            | a literal that is not a value of its attribute's type        |
 * | E_INSTANCE_NOT_NULL         | a NOT NULL attribute left without a value                    |
 * | E_INSTANCE_CLASH            | two different constants forced equal                         |
 * | E_INSTANCE_INFINITE         | saturation reached `instanceRowsMax` along a foreign-key cycle |
 * | E_INSTANCE_TOO_LARGE        | a finite instance with more rows than `instanceRowsMax`      |
 * | E_INSTANCE_NOT_EVALUATED    | the rows of an instance nobody evaluated (no evaluator)      |
 *
 * Warnings (`CatalogWarning`) say what the catalog could not decide or chose to skip: a path
 * equality it could not settle within its limits, external code not run, an option ignored.
 */
import {
  CatrustError,
  sourceLocation,
  limits,
  type CatrustErrorOptions,
  type SourceLocation,
} from '../common/index.js';
import type { Span } from '../cql/index.js';

export type CatalogErrorCode =
  | 'E_CATALOG_DUPLICATE'
  | 'E_CATALOG_UNKNOWN'
  | 'E_CATALOG_TYPE'
  | 'E_CATALOG_PATH'
  | 'E_CATALOG_MAPPING'
  | 'E_CATALOG_QUERY'
  | 'E_CATALOG_UNSUPPORTED'
  | 'E_CATALOG_OPTION'
  | 'E_CATALOG_EXTERNAL'
  | 'E_INSTANCE_VALUE'
  | 'E_INSTANCE_NOT_NULL'
  | 'E_INSTANCE_CLASH'
  | 'E_INSTANCE_INFINITE'
  | 'E_INSTANCE_TOO_LARGE'
  | 'E_INSTANCE_NOT_EVALUATED';

const SQLSTATE: Readonly<Record<CatalogErrorCode, string>> = {
  E_CATALOG_DUPLICATE: '42710',
  E_CATALOG_UNKNOWN: '42704',
  E_CATALOG_TYPE: '42804',
  E_CATALOG_PATH: '42P17',
  E_CATALOG_MAPPING: '42P17',
  E_CATALOG_QUERY: '42803',
  E_CATALOG_UNSUPPORTED: '0A000',
  E_CATALOG_OPTION: '22023',
  E_CATALOG_EXTERNAL: '38000',
  E_INSTANCE_VALUE: '22P02',
  E_INSTANCE_NOT_NULL: '23502',
  E_INSTANCE_CLASH: '23505',
  E_INSTANCE_INFINITE: '54000',
  E_INSTANCE_TOO_LARGE: '54000',
  E_INSTANCE_NOT_EVALUATED: '55000',
};

export class CatalogError extends CatrustError {
  declare readonly code: CatalogErrorCode;
  constructor(code: CatalogErrorCode, message: string, options: CatrustErrorOptions = {}) {
    super(code, message, { sqlstate: SQLSTATE[code], ...options });
  }
}

export type CatalogWarningCode =
  | 'W_PATH_UNDECIDED'
  | 'W_EQUATION_UNDECIDED'
  | 'W_EXTERNAL_CODE_DISABLED'
  | 'W_OPTION_IGNORED'
  | 'W_VALIDATION_SKIPPED'
  | 'W_TYPESIDE_EQUATIONS';

/** Something the catalog could not decide or chose not to do; never an error. */
export interface CatalogWarning {
  readonly code: CatalogWarningCode;
  readonly message: string;
  readonly location: SourceLocation | undefined;
}

/** The location of an AST node in the program's file. */
export function locate(file: string | undefined, span: Span): SourceLocation {
  return sourceLocation(file, span.line, span.column);
}

/**
 * Collects errors and warnings while a program is checked, so that `validate` reports all of
 * them. Past `validateErrorsMax` errors it stops collecting (the count is still kept).
 */
export class Diagnostics {
  /** Errors in the order found; catalog errors, or typed errors of an evaluator. */
  readonly errors: CatrustError[] = [];
  readonly warnings: CatalogWarning[] = [];
  errorCount = 0;

  constructor(readonly file: string | undefined) {}

  error(
    code: CatalogErrorCode,
    message: string,
    span: Span | undefined,
    extra: Omit<CatrustErrorOptions, 'location'> = {},
  ): CatalogError {
    const location = span === undefined ? undefined : locate(this.file, span);
    const error = new CatalogError(code, message, { ...extra, location });
    this.add(error);
    return error;
  }

  add(error: CatrustError): void {
    this.errorCount++;
    if (this.errors.length < limits.validateErrorsMax) this.errors.push(error);
  }

  warn(code: CatalogWarningCode, message: string, span: Span | undefined): void {
    this.warnings.push({
      code,
      message,
      location: span === undefined ? undefined : locate(this.file, span),
    });
  }

  get failed(): boolean {
    return this.errorCount > 0;
  }
}

/**
 * Thrown inside a check to abandon the current declaration after its error was recorded in
 * `Diagnostics`; caught by the program walker. Never escapes the catalog.
 */
export class AbandonDeclaration extends Error {
  constructor() {
    super('declaration abandoned after an error');
    this.name = 'AbandonDeclaration';
  }
}
