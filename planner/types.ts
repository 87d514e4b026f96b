/**
 * SQL names of catrust's seven types, and the PostgreSQL type OIDs a pgwire front door puts in a
 * RowDescription or a ParameterDescription (drivers choose their value parsers by OID).
 *
 * | catrust | SQL name | accepted spellings in CAST / `::`                  | OID  |
 * |---------|----------|----------------------------------------------------|------|
 * | String  | text     | text, varchar, char, character varying, name, bpchar | 25 |
 * | Int     | int8     | int8, bigint, int, int4, integer, int2, smallint   | 20   |
 * | Float   | float8   | float8, double precision, float, float4, real      | 701  |
 * | Bool    | bool     | bool, boolean                                      | 16   |
 * | Date    | date     | date                                               | 1082 |
 * | Uuid    | uuid     | uuid                                               | 2950 |
 * | Decimal | numeric  | numeric, decimal (precision and scale are accepted and ignored) | 1700 |
 *
 * int2 and int4 become int8: catrust has one integer type. `numeric(p, s)` is accepted but does
 * not round: catrust's Decimal is exact and unbounded (docs/sql.md says so).
 */
import type { ScalarType } from '../common/index.js';

export type SqlTypeName = 'text' | 'int8' | 'float8' | 'bool' | 'date' | 'uuid' | 'numeric';

const SQL_NAMES: Readonly<Record<ScalarType, SqlTypeName>> = {
  String: 'text',
  Int: 'int8',
  Float: 'float8',
  Bool: 'bool',
  Date: 'date',
  Uuid: 'uuid',
  Decimal: 'numeric',
};

const OIDS: Readonly<Record<ScalarType, number>> = {
  String: 25,
  Int: 20,
  Float: 701,
  Bool: 16,
  Date: 1082,
  Uuid: 2950,
  Decimal: 1700,
};

export function sqlTypeName(type: ScalarType): SqlTypeName {
  return SQL_NAMES[type];
}

export function postgresTypeOid(type: ScalarType): number {
  return OIDS[type];
}

const SPELLINGS: ReadonlyMap<string, ScalarType> = new Map<string, ScalarType>([
  ['text', 'String'],
  ['varchar', 'String'],
  ['char', 'String'],
  ['bpchar', 'String'],
  ['character', 'String'],
  ['character varying', 'String'],
  ['name', 'String'],
  ['string', 'String'],
  ['int8', 'Int'],
  ['bigint', 'Int'],
  ['int', 'Int'],
  ['int4', 'Int'],
  ['integer', 'Int'],
  ['int2', 'Int'],
  ['smallint', 'Int'],
  ['float8', 'Float'],
  ['float', 'Float'],
  ['float4', 'Float'],
  ['real', 'Float'],
  ['double precision', 'Float'],
  ['double', 'Float'],
  ['bool', 'Bool'],
  ['boolean', 'Bool'],
  ['date', 'Date'],
  ['uuid', 'Uuid'],
  ['numeric', 'Decimal'],
  ['decimal', 'Decimal'],
]);

/** The catrust type of a SQL type name (lower-cased, `pg_catalog.` stripped), or undefined. */
export function typeFromSqlName(name: string): ScalarType | undefined {
  return SPELLINGS.get(name.toLowerCase());
}

/** The catrust type of a PostgreSQL type OID a driver declared for a parameter, or undefined. */
export function typeFromPostgresOid(oid: number): ScalarType | undefined {
  switch (oid) {
    case 25:
    case 1043:
    case 1042:
    case 19:
      return 'String';
    case 20:
    case 21:
    case 23:
      return 'Int';
    case 700:
    case 701:
      return 'Float';
    case 16:
      return 'Bool';
    case 1082:
      return 'Date';
    case 2950:
      return 'Uuid';
    case 1700:
      return 'Decimal';
    default:
      return undefined;
  }
}

/** True for the types arithmetic applies to. */
export function isNumericType(type: ScalarType): boolean {
  return type === 'Int' || type === 'Float' || type === 'Decimal';
}

/**
 * The common type of two numeric types, as PostgreSQL resolves them: Int < Decimal < Float
 * (int8 op numeric → numeric, numeric op float8 → float8).
 */
export function widerNumericType(a: ScalarType, b: ScalarType): ScalarType {
  if (a === 'Float' || b === 'Float') return 'Float';
  if (a === 'Decimal' || b === 'Decimal') return 'Decimal';
  return 'Int';
}
