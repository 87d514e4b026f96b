/**
 * The gateway's typed errors (STYLE.md §7). Every error a request can cause at the gateway —
 * before or around the engine below it — is a `GatewayError` with a stable code, a SQLSTATE for
 * pgwire, and, where a request field is at fault, a `field` location naming it.
 *
 * | code                    | SQLSTATE | when                                                      |
 * |-------------------------|----------|-----------------------------------------------------------|
 * | E_PROTOCOL_JSON         | 08P01    | a request line that is not valid UTF-8 JSON               |
 * | E_PROTOCOL_REQUEST      | 08P01    | a request that is not a JSON object, or has no `cmd`      |
 * | E_UNKNOWN_COMMAND       | 42883    | no command of that name (with "did you mean")             |
 * | E_ARG_MISSING           | 22023    | a required field is absent                                |
 * | E_ARG_TYPE              | 22023    | a field of the wrong JSON type or out of its range        |
 * | E_ARG_UNKNOWN           | 22023    | a field the command does not take (with "did you mean")   |
 * | E_ARG_INVALID           | 22023    | a well-typed field whose content is refused (a `where`    |
 * |                         |          | that is not one expression, a strategy for the wrong type)|
 * | E_AUTH                  | 28000    | a missing or wrong token                                  |
 * | E_FORBIDDEN             | 42501    | the token's role may not run this command class           |
 * | E_READ_ONLY             | 25006    | a write on a `--read-only` server                         |
 * | E_PATH                  | 42501    | a path outside `--data-dir` (`..`, absolute, symlink)     |
 * | E_TIMEOUT               | 57014    | the request passed the per-request time limit             |
 * | E_TOO_MANY_CONNECTIONS  | 53300    | `--max-connections` reached                               |
 * | E_TLS_REQUIRED          | 08P01    | a plain-text client on a TLS listener                     |
 * | E_UNKNOWN_DATABASE      | 3D000    | no database of that name (with "did you mean")            |
 * | E_DATABASE_EXISTS       | 42P04    | `db_create` of a name that exists                         |
 * | E_DATABASE_IN_USE       | 55006    | `db_drop` of a database another session uses             |
 * | E_TRANSACTION           | 25000    | begin inside a transaction, commit/rollback outside one   |
 * | E_MIGRATION_CHECKSUM    | 22000    | a migration file changed after it was applied             |
 * | E_MIGRATION_FILE        | 22023    | a bad migration file name or a duplicate version          |
 * | E_IMPORT                | 22P04    | a CSV / Parquet / JSON file that cannot be imported       |
 * | E_NOT_FOUND             | 02000    | a row or file a command names does not exist              |
 * | E_SHUTTING_DOWN         | 57P01    | the server is stopping and takes no new requests          |
 * | E_IO                    | 58030    | the file system failed                                    |
 * | E_CONFIG                | 22023    | a server flag with a bad value (weak token, missing key)  |
 */
import { CatrustError, fieldLocation, type CatrustErrorOptions } from '../common/index.js';

export type GatewayErrorCode =
  | 'E_PROTOCOL_JSON'
  | 'E_PROTOCOL_REQUEST'
  | 'E_UNKNOWN_COMMAND'
  | 'E_ARG_MISSING'
  | 'E_ARG_TYPE'
  | 'E_ARG_UNKNOWN'
  | 'E_ARG_INVALID'
  | 'E_AUTH'
  | 'E_FORBIDDEN'
  | 'E_READ_ONLY'
  | 'E_PATH'
  | 'E_TIMEOUT'
  | 'E_TOO_MANY_CONNECTIONS'
  | 'E_TLS_REQUIRED'
  | 'E_UNKNOWN_DATABASE'
  | 'E_DATABASE_EXISTS'
  | 'E_DATABASE_IN_USE'
  | 'E_TRANSACTION'
  | 'E_MIGRATION_CHECKSUM'
  | 'E_MIGRATION_FILE'
  | 'E_IMPORT'
  | 'E_NOT_FOUND'
  | 'E_SHUTTING_DOWN'
  | 'E_IO'
  | 'E_CONFIG';

const SQLSTATES: Readonly<Record<GatewayErrorCode, string>> = {
  E_PROTOCOL_JSON: '08P01',
  E_PROTOCOL_REQUEST: '08P01',
  E_UNKNOWN_COMMAND: '42883',
  E_ARG_MISSING: '22023',
  E_ARG_TYPE: '22023',
  E_ARG_UNKNOWN: '22023',
  E_ARG_INVALID: '22023',
  E_AUTH: '28000',
  E_FORBIDDEN: '42501',
  E_READ_ONLY: '25006',
  E_PATH: '42501',
  E_TIMEOUT: '57014',
  E_TOO_MANY_CONNECTIONS: '53300',
  E_TLS_REQUIRED: '08P01',
  E_UNKNOWN_DATABASE: '3D000',
  E_DATABASE_EXISTS: '42P04',
  E_DATABASE_IN_USE: '55006',
  E_TRANSACTION: '25000',
  E_MIGRATION_CHECKSUM: '22000',
  E_MIGRATION_FILE: '22023',
  E_IMPORT: '22P04',
  E_NOT_FOUND: '02000',
  E_SHUTTING_DOWN: '57P01',
  E_IO: '58030',
  E_CONFIG: '22023',
};

export class GatewayError extends CatrustError {
  declare readonly code: GatewayErrorCode;
  constructor(code: GatewayErrorCode, message: string, options: CatrustErrorOptions = {}) {
    super(code, message, { sqlstate: SQLSTATES[code], ...options });
  }
}

/** A field of the request at fault: `E_ARG_*` with the field's dotted path as location. */
export function argumentError(
  code: 'E_ARG_MISSING' | 'E_ARG_TYPE' | 'E_ARG_UNKNOWN' | 'E_ARG_INVALID',
  field: string,
  message: string,
  hint?: string,
): GatewayError {
  return new GatewayError(code, message, {
    location: fieldLocation(field),
    hint,
    details: { field },
  });
}
