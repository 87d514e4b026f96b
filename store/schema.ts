/**
 * Table definitions in the store's own terms (the store imports no catalog values): a table is
 * an entity name and its columns; a column is a name, a type — a scalar type of common/scalar.ts,
 * or a foreign key holding the target table's row id — and a NOT NULL flag.
 *
 * Definitions are plain frozen objects, JSON-serialisable as they are: the WAL and snapshots
 * store them verbatim so that a database reopens without its CQL program.
 */
import { isScalarType, type ScalarType } from '../common/index.js';
import { StoreError } from './errors.js';

export type ColumnType =
  | { readonly kind: 'scalar'; readonly scalar: ScalarType }
  | { readonly kind: 'foreignKey'; readonly target: string };

export interface ColumnDefinition {
  readonly name: string;
  readonly type: ColumnType;
  /** NULL (and labelled nulls) are refused. */
  readonly notNull: boolean;
}

export interface TableDefinition {
  readonly entity: string;
  readonly columns: readonly ColumnDefinition[];
}

/** Longest entity or column name, in UTF-16 code units (PostgreSQL's NAMEDATALEN is 64 bytes). */
const NAME_CHARS_MAX = 256;
/** Columns in one table; bounds the per-row work of an insert and the snapshot directory. */
const COLUMNS_MAX = 4096;

export function scalarColumn(
  name: string,
  scalar: ScalarType,
  options: { readonly notNull?: boolean } = {},
): ColumnDefinition {
  return Object.freeze({
    name,
    type: Object.freeze({ kind: 'scalar', scalar }),
    notNull: options.notNull ?? false,
  });
}

export function foreignKeyColumn(
  name: string,
  target: string,
  options: { readonly notNull?: boolean } = {},
): ColumnDefinition {
  return Object.freeze({
    name,
    type: Object.freeze({ kind: 'foreignKey', target }),
    notNull: options.notNull ?? false,
  });
}

export function tableDefinition(
  entity: string,
  columns: readonly ColumnDefinition[],
): TableDefinition {
  return Object.freeze({ entity, columns: Object.freeze([...columns]) });
}

export function describeColumnType(type: ColumnType): string {
  return type.kind === 'scalar' ? type.scalar : `foreign key to ${type.target}`;
}

function checkName(what: string, name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > NAME_CHARS_MAX) {
    throw new StoreError(
      'E_STORE_SCHEMA',
      `${what} must be a non-empty string of at most ${NAME_CHARS_MAX} characters, found ${JSON.stringify(name)}`,
    );
  }
  return name;
}

/**
 * Parse and check a table definition from untrusted JSON (a WAL line, a snapshot, a request).
 * Foreign-key targets are checked by the caller against the tables that exist.
 */
export function parseTableDefinition(json: unknown): TableDefinition {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new StoreError('E_STORE_SCHEMA', 'a table definition must be an object');
  }
  const record = json as Record<string, unknown>;
  const entity = checkName('an entity name', record['entity']);
  const columnsJson = record['columns'];
  if (!Array.isArray(columnsJson)) {
    throw new StoreError('E_STORE_SCHEMA', `table ${entity}: columns must be an array`);
  }
  if (columnsJson.length > COLUMNS_MAX) {
    throw new StoreError(
      'E_STORE_SCHEMA',
      `table ${entity} has ${columnsJson.length} columns; at most ${COLUMNS_MAX} are allowed`,
    );
  }
  const seen = new Set<string>();
  const columns = columnsJson.map((columnJson: unknown): ColumnDefinition => {
    if (typeof columnJson !== 'object' || columnJson === null) {
      throw new StoreError('E_STORE_SCHEMA', `table ${entity}: a column must be an object`);
    }
    const column = columnJson as Record<string, unknown>;
    const name = checkName(`a column name of ${entity}`, column['name']);
    if (seen.has(name)) {
      throw new StoreError('E_STORE_DUPLICATE', `table ${entity} has two columns named ${name}`);
    }
    seen.add(name);
    const notNull = column['notNull'] === true;
    const type = column['type'];
    if (typeof type !== 'object' || type === null) {
      throw new StoreError('E_STORE_SCHEMA', `column ${entity}.${name}: missing type`);
    }
    const typeRecord = type as Record<string, unknown>;
    if (typeRecord['kind'] === 'scalar') {
      const scalar = typeRecord['scalar'];
      if (typeof scalar !== 'string' || !isScalarType(scalar)) {
        throw new StoreError(
          'E_STORE_SCHEMA',
          `column ${entity}.${name}: unknown type ${JSON.stringify(scalar)}`,
          { hint: 'expected String, Int, Float, Bool, Date, Uuid or Decimal' },
        );
      }
      return scalarColumn(name, scalar, { notNull });
    }
    if (typeRecord['kind'] === 'foreignKey') {
      const target = checkName(`the target of ${entity}.${name}`, typeRecord['target']);
      return foreignKeyColumn(name, target, { notNull });
    }
    throw new StoreError(
      'E_STORE_SCHEMA',
      `column ${entity}.${name}: type kind must be scalar or foreignKey`,
    );
  });
  return tableDefinition(entity, columns);
}

/** Two definitions describe the same table (used when a program is loaded again). */
export function sameDefinition(a: TableDefinition, b: TableDefinition): boolean {
  return (
    a.entity === b.entity &&
    a.columns.length === b.columns.length &&
    a.columns.every((column, columnIndex) => {
      const other = b.columns[columnIndex];
      return (
        other !== undefined &&
        column.name === other.name &&
        column.notNull === other.notNull &&
        describeColumnType(column.type) === describeColumnType(other.type)
      );
    })
  );
}
