/**
 * Typed errors shared by every layer (STYLE.md §7).
 *
 * Every error a user can cause is a `CatrustError`: a stable `code` (`E_…`), a message that says
 * what was expected and what was found, a PostgreSQL SQLSTATE for pgwire, and a location (a place
 * in a CQL or SQL text, or a JSON field of a request). Each layer subclasses it once
 * (`CqlSyntaxError`, `CatalogError`, `PlanError`, `StoreError`, `AuthError`, …) and chooses its
 * codes; front doors map any `CatrustError` to their wire format in one place.
 *
 * `InternalError` is separate: it marks a broken invariant (a bug), must be unreachable from user
 * input, and is reported as exit code 2 / SQLSTATE XX000.
 */

/** A place in a source text. Lines and columns count from 1. */
export interface SourceLocation {
  readonly kind: 'source';
  readonly file: string | undefined;
  readonly line: number;
  readonly column: number;
}

/** A field of a structured request, as a dotted path (`rows[3].salary`). */
export interface FieldLocation {
  readonly kind: 'field';
  readonly field: string;
}

/** A place in stored data: a file and a byte offset or line number in it. */
export interface FileLocation {
  readonly kind: 'file';
  readonly file: string;
  readonly line?: number;
  readonly offset?: number;
}

export type ErrorLocation = SourceLocation | FieldLocation | FileLocation;

export function sourceLocation(
  file: string | undefined,
  line: number,
  column: number,
): SourceLocation {
  return { kind: 'source', file, line, column };
}

export function fieldLocation(field: string): FieldLocation {
  return { kind: 'field', field };
}

export function formatLocation(location: ErrorLocation): string {
  switch (location.kind) {
    case 'source':
      return `${location.file ?? '<input>'}:${location.line}:${location.column}`;
    case 'field':
      return `field \`${location.field}\``;
    case 'file': {
      const at =
        location.line !== undefined
          ? `:${location.line}`
          : location.offset !== undefined
            ? ` at byte ${location.offset}`
            : '';
      return `${location.file}${at}`;
    }
  }
}

export interface CatrustErrorOptions {
  readonly location?: ErrorLocation | undefined;
  /** PostgreSQL SQLSTATE; defaults per subclass. */
  readonly sqlstate?: string | undefined;
  /** A suggested fix, shown after the message ("did you mean `Employee`?"). */
  readonly hint?: string | undefined;
  /** Structured details for machine readers (JSON-serialisable). */
  readonly details?: Readonly<Record<string, unknown>> | undefined;
  readonly cause?: unknown;
}

const CODE_PATTERN = /^E_[A-Z0-9_]+$/;

export class CatrustError extends Error {
  readonly code: string;
  readonly sqlstate: string;
  readonly location: ErrorLocation | undefined;
  readonly hint: string | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  /** The message without location and hint, for wire formats that carry them separately. */
  readonly bareMessage: string;

  constructor(code: string, message: string, options: CatrustErrorOptions = {}) {
    const located = options.location ? `${formatLocation(options.location)}: ${message}` : message;
    const full = options.hint ? `${located} (${options.hint})` : located;
    super(full, options.cause === undefined ? undefined : { cause: options.cause });
    if (!CODE_PATTERN.test(code)) {
      throw new InternalError(`error code ${JSON.stringify(code)} does not match ${CODE_PATTERN}`);
    }
    this.name = new.target.name;
    this.code = code;
    this.sqlstate = options.sqlstate ?? defaultSqlstate(code);
    this.location = options.location;
    this.hint = options.hint;
    this.details = options.details;
    this.bareMessage = message;
  }

  /** The `error` object of an NDJSON reply: `{code, message, location?, hint?, details?}`. */
  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = { code: this.code, message: this.message };
    if (this.location) json['location'] = this.location;
    if (this.hint) json['hint'] = this.hint;
    if (this.details) json['details'] = this.details;
    return json;
  }
}

/** A broken invariant. Never reachable from user input; a report of one is a bug report. */
export class InternalError extends Error {
  readonly code = 'E_INTERNAL';
  readonly sqlstate = 'XX000';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InternalError';
  }
}

/** Input past a named limit of common/limits.ts. */
export class LimitError extends CatrustError {
  constructor(
    limitName: string,
    limit: number,
    found: number | string,
    what: string,
    options: CatrustErrorOptions = {},
  ) {
    super('E_LIMIT', `${what}: ${found} exceeds the limit ${limitName} = ${limit}`, {
      sqlstate: '54000',
      ...options,
      details: { limit: limitName, max: limit, found, ...(options.details ?? {}) },
    });
  }
}

/**
 * A request ran past its time limit (`--request-timeout-ms`): SQLSTATE 57014, query_canceled.
 * Thrown by `checkDeadline` from long loops before anything is committed.
 */
export class TimeoutError extends CatrustError {
  constructor(what: string, limitMs?: number) {
    super(
      'E_TIMEOUT',
      `${what} ran past the request's time limit${limitMs === undefined ? '' : ` of ${limitMs} ms`}`,
      { sqlstate: '57014', hint: 'narrow the request, or raise the server’s --request-timeout-ms' },
    );
  }
}

/** Throw `TimeoutError` when `deadline` (a `performance.now()` value) has passed. */
export function checkDeadline(deadline: number | undefined, what: string): void {
  if (deadline !== undefined && performance.now() > deadline) throw new TimeoutError(what);
}

/**
 * SQLSTATE for a code when the thrower gives none. Classes from the PostgreSQL manual,
 * appendix A: 42 syntax/access rule, 0A feature not supported, 22 data exception,
 * 23 integrity constraint, 28 authorization, 53/54 resources and limits, 58 system error.
 */
function defaultSqlstate(code: string): string {
  if (code.includes('SYNTAX')) return '42601';
  if (code.includes('UNSUPPORTED')) return '0A000';
  if (code.includes('UNKNOWN')) return '42704';
  if (code.includes('DUPLICATE')) return '42710';
  if (code.includes('TYPE')) return '42804';
  if (code.includes('NOT_NULL')) return '23502';
  if (code.includes('LITERAL') || code.includes('VALUE')) return '22000';
  if (code.startsWith('E_AUTH')) return '28000';
  if (code === 'E_FORBIDDEN' || code === 'E_READ_ONLY') return '42501';
  if (code.includes('LIMIT')) return '54000';
  if (code.includes('CORRUPT') || code.includes('IO')) return '58030';
  return 'XX000';
}

/** Normalise anything thrown into a `CatrustError` or an `InternalError` (never lose a bug). */
export function asCatrustError(thrown: unknown): CatrustError | InternalError {
  if (thrown instanceof CatrustError || thrown instanceof InternalError) return thrown;
  if (thrown instanceof Error) return new InternalError(thrown.message, { cause: thrown });
  return new InternalError(String(thrown));
}
