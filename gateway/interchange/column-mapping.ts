/**
 * A file's column names → the entity's columns, shared by the CSV and Parquet imports. An `id`
 * column naming no attribute is skipped: it is the row id an export writes, and the store
 * gives imported rows new ids. A name the entity does not have is `E_ARG_UNKNOWN` (with "did
 * you mean"); a NOT NULL column the file lacks is `E_IMPORT`.
 */
import { didYouMean, type ErrorLocation } from '../../common/index.js';
import type { TableDefinition } from '../../store/index.js';
import { GatewayError } from '../errors.js';

/** For each file column, the index of its table column, or −1 when it is skipped. */
export function mapColumnsByName(
  names: readonly string[],
  definition: TableDefinition,
  path: string,
  locateColumn: (position: number) => ErrorLocation,
): number[] {
  const known = definition.columns.map((column) => column.name);
  const mapping = names.map((name, position) => {
    const index = known.indexOf(name);
    if (index >= 0 && names.indexOf(name) !== position) {
      throw new GatewayError('E_IMPORT', `the file has two columns named \`${name}\``, {
        location: locateColumn(position),
        details: { column: name },
      });
    }
    if (index >= 0) return index;
    if (name === 'id') return -1;
    throw new GatewayError(
      'E_ARG_UNKNOWN',
      `the file has a column \`${name}\`, which \`${definition.entity}\` does not have`,
      {
        location: locateColumn(position),
        hint: didYouMean(name, known) ?? `its columns: ${known.join(', ')}`,
        details: { field: 'path', column: name },
      },
    );
  });
  checkNotNullCovered(mapping, definition, path);
  return mapping;
}

/** Every NOT NULL column of the table must get a file column. */
export function checkNotNullCovered(
  mapping: readonly number[],
  definition: TableDefinition,
  path: string,
): void {
  const missing = definition.columns.filter(
    (column, index) => column.notNull && !mapping.includes(index),
  );
  if (missing.length === 0) return;
  const list = missing.map((column) => `\`${column.name}\``).join(', ');
  throw new GatewayError(
    'E_IMPORT',
    `the file has no column for ${list}, NOT NULL in \`${definition.entity}\``,
    {
      location: { kind: 'file', file: path },
      details: { missing: missing.map((column) => column.name) },
    },
  );
}
