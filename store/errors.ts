/**
 * The store's typed errors. Every error a user (or a damaged file) can cause is a `StoreError`
 * with a stable code; the message names what was expected and what was found, and where: the
 * entity, row and attribute of a bad value, or the file and line of a bad WAL entry.
 *
 * | code                  | SQLSTATE | when                                                        |
 * |-----------------------|----------|-------------------------------------------------------------|
 * | E_STORE_TYPE          | 22P02    | a value is not of its column's type                         |
 * | E_STORE_NOT_NULL      | 23502    | NULL (or a labelled null) in a NOT NULL column              |
 * | E_STORE_FOREIGN_KEY   | 23503    | a foreign key names a missing or deleted row, or a delete    |
 * |                       |          | would leave rows pointing at deleted rows                   |
 * | E_STORE_UNKNOWN_ENTITY| 42P01    | no table for that entity                                    |
 * | E_STORE_UNKNOWN_COLUMN| 42703    | no such column in the table                                 |
 * | E_STORE_DUPLICATE     | 42P07    | a table, column or database that exists already             |
 * | E_STORE_SCHEMA        | 42P16    | an invalid table definition                                 |
 * | E_STORE_ROW           | 22023    | a row id out of range, or a deleted row                     |
 * | E_STORE_TRANSACTION   | 25000    | use of a committed / rolled-back transaction                |
 * | E_STORE_BUSY          | 55P03    | the writer lock was not obtained in time                    |
 * | E_STORE_CORRUPT       | XX001    | a checksum, structure or sequence check failed on read      |
 * | E_STORE_KEY           | 28P01    | wrong passphrase, or a passphrase missing / not expected    |
 * | E_STORE_IO            | 58030    | the file system failed; the database must be reopened       |
 * | E_STORE_LOCKED        | 55006    | another process has the database open                       |
 * | E_STORE_UNKNOWN_DATABASE | 3D000 | no database of that name                                    |
 * | E_STORE_NAME          | 42602    | an invalid database name                                    |
 * | E_STORE_CLOSED        | 55000    | the database was closed                                     |
 */
import { CatrustError, type CatrustErrorOptions } from '../common/index.js';

export type StoreErrorCode =
  | 'E_STORE_TYPE'
  | 'E_STORE_NOT_NULL'
  | 'E_STORE_FOREIGN_KEY'
  | 'E_STORE_UNKNOWN_ENTITY'
  | 'E_STORE_UNKNOWN_COLUMN'
  | 'E_STORE_DUPLICATE'
  | 'E_STORE_SCHEMA'
  | 'E_STORE_ROW'
  | 'E_STORE_TRANSACTION'
  | 'E_STORE_BUSY'
  | 'E_STORE_CORRUPT'
  | 'E_STORE_KEY'
  | 'E_STORE_IO'
  | 'E_STORE_LOCKED'
  | 'E_STORE_UNKNOWN_DATABASE'
  | 'E_STORE_NAME'
  | 'E_STORE_CLOSED';

const SQLSTATES: Readonly<Record<StoreErrorCode, string>> = {
  E_STORE_TYPE: '22P02',
  E_STORE_NOT_NULL: '23502',
  E_STORE_FOREIGN_KEY: '23503',
  E_STORE_UNKNOWN_ENTITY: '42P01',
  E_STORE_UNKNOWN_COLUMN: '42703',
  E_STORE_DUPLICATE: '42P07',
  E_STORE_SCHEMA: '42P16',
  E_STORE_ROW: '22023',
  E_STORE_TRANSACTION: '25000',
  E_STORE_BUSY: '55P03',
  E_STORE_CORRUPT: 'XX001',
  E_STORE_KEY: '28P01',
  E_STORE_IO: '58030',
  E_STORE_LOCKED: '55006',
  E_STORE_UNKNOWN_DATABASE: '3D000',
  E_STORE_NAME: '42602',
  E_STORE_CLOSED: '55000',
};

export class StoreError extends CatrustError {
  declare readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options: CatrustErrorOptions = {}) {
    super(code, message, { sqlstate: SQLSTATES[code], ...options });
  }
}

/** Where a bad value sits: `Employee row 3 attribute salary`. */
export interface ValuePlace {
  readonly entity: string;
  readonly row: number;
  readonly attribute: string;
}

export function describePlace(place: ValuePlace): string {
  return `${place.entity} row ${place.row} attribute ${place.attribute}`;
}

export function valueError(
  code: 'E_STORE_TYPE' | 'E_STORE_NOT_NULL' | 'E_STORE_FOREIGN_KEY',
  place: ValuePlace,
  message: string,
): StoreError {
  return new StoreError(code, `${describePlace(place)}: ${message}`, {
    details: { entity: place.entity, row: place.row, attribute: place.attribute },
  });
}

/** A file that failed a check on read: the file, and the line (WAL) or byte offset (snapshot). */
export function corruptError(
  file: string,
  message: string,
  where: { readonly line?: number; readonly offset?: number } = {},
  hint?: string,
): StoreError {
  return new StoreError('E_STORE_CORRUPT', message, {
    location: { kind: 'file', file, ...where },
    hint,
    details: { file, ...where },
  });
}
