/**
 * `anonymize`: rewrite attributes of chosen rows in place, one strategy per attribute, in one
 * transaction (the session's open one, or its own committed before the reply):
 *
 * - `hash`: HMAC-SHA256 under the server's `--anonymize-key`, as 64 lower-case hex digits.
 *   Keyed, so a value cannot be found again by hashing guesses without the key; stable, so
 *   equal values give equal hashes (joins and counts on the column still work), across
 *   restarts with the same key. String attributes only.
 * - `mask`: the first and the last character kept, every other one `*` (by Unicode code
 *   point); a value of one or two characters becomes all `*`. String attributes only.
 * - `redact`: NULL. Refused for a NOT NULL attribute.
 *
 * `hash` and `mask` leave NULL and labelled nulls as they are; `redact` makes them plain NULL.
 * The old values stay in the WAL until `compact` (docs/gdpr.md); values are never logged.
 */
import { createHmac } from 'node:crypto';
import { assert, didYouMean, fieldLocation, type Value } from '../../common/index.js';
import type { ColumnDefinition, TableView, Transaction } from '../../store/index.js';
import type { Engine, Session } from '../engine.js';
import { argumentError, GatewayError } from '../errors.js';
import { rowsWhere } from './where.js';

export const ANONYMIZE_STRATEGIES = ['hash', 'mask', 'redact'] as const;
export type AnonymizeStrategy = (typeof ANONYMIZE_STRATEGIES)[number];

export interface AnonymizeRequest {
  readonly entity: string;
  readonly attributes: Readonly<Record<string, AnonymizeStrategy>>;
  readonly ids: readonly number[] | undefined;
  readonly where: string | undefined;
  readonly params: readonly unknown[] | undefined;
}

/** The keyed hash of `hash`: HMAC-SHA256 of the UTF-8 text, hex. */
export function hashValue(key: string, text: string): string {
  return createHmac('sha256', key).update(text, 'utf8').digest('hex');
}

/** `mask`: first and last code point kept, the others `*`; short values fully masked. */
export function maskValue(text: string): string {
  const characters = Array.from(text);
  if (characters.length <= 2) return '*'.repeat(characters.length);
  return `${characters[0]}${'*'.repeat(characters.length - 2)}${characters[characters.length - 1]}`;
}

/** The server's hash key; undefined when none is configured. */
function anonymizeKey(engine: Engine): string | undefined {
  const key = (engine.options as { readonly anonymizeKey?: string }).anonymizeKey;
  return key === undefined || key === '' ? undefined : key;
}

/** The column an attribute names, checked against its strategy. */
function checkedColumn(
  table: TableView,
  name: string,
  strategy: AnonymizeStrategy,
): ColumnDefinition {
  const field = `attributes.${name}`;
  const definition = table.definition;
  const column = definition.columns.find((candidate) => candidate.name === name);
  if (column === undefined) {
    throw argumentError(
      'E_ARG_UNKNOWN',
      field,
      `\`${definition.entity}\` has no attribute \`${name}\``,
      didYouMean(
        name,
        definition.columns.map((candidate) => candidate.name),
      ),
    );
  }
  if (column.type.kind === 'foreignKey') {
    throw argumentError(
      'E_ARG_INVALID',
      field,
      `\`${definition.entity}.${name}\` is a foreign key, not an attribute: it cannot be anonymized`,
      'delete the row (delete / delete_where) or update the foreign key',
    );
  }
  const scalar = column.type.scalar;
  if ((strategy === 'hash' || strategy === 'mask') && scalar !== 'String') {
    throw argumentError(
      'E_ARG_INVALID',
      field,
      `\`${strategy}\` applies to String attributes, and \`${definition.entity}.${name}\` is ${scalar}`,
      'use "redact" (NULL) for attributes of other types',
    );
  }
  if (strategy === 'redact' && column.notNull) {
    throw argumentError(
      'E_ARG_INVALID',
      field,
      `\`${definition.entity}.${name}\` is NOT NULL: it cannot be redacted to NULL`,
      'use "hash" or "mask" for a NOT NULL String attribute',
    );
  }
  return column;
}

/** Distinct values whose hash one request remembers (equal values are hashed once). */
const HASHES_REMEMBERED_MAX = 65_536;

/**
 * The rows of `rows` whose `column` the strategy changes, and their new values: every row for
 * `redact`, the rows holding a string for `hash` and `mask` (NULL and labelled nulls stay).
 */
function replacements(
  table: TableView,
  column: string,
  rows: readonly number[],
  strategy: AnonymizeStrategy,
  key: string | undefined,
): { targets: number[]; replaced: Value[] } {
  if (strategy === 'redact') return { targets: [...rows], replaced: rows.map(() => null) };
  const values = table.column(column);
  const remembered = new Map<string, string>();
  const targets: number[] = [];
  const replaced: Value[] = [];
  for (const row of rows) {
    const value = values.value(row);
    if (typeof value !== 'string') continue;
    targets.push(row);
    if (strategy === 'mask') {
      replaced.push(maskValue(value));
      continue;
    }
    assert(key !== undefined, 'the hash key is checked before any row is read');
    let hashed = remembered.get(value);
    if (hashed === undefined) {
      hashed = hashValue(key, value);
      if (remembered.size < HASHES_REMEMBERED_MAX) remembered.set(value, hashed);
    }
    replaced.push(hashed);
  }
  return { targets, replaced };
}

/** The rows the request chooses: `ids`, those satisfying `where`, both, or every active row. */
function chosenRows(
  transaction: Transaction,
  table: TableView,
  request: AnonymizeRequest,
  deadline: number | undefined,
): number[] {
  let rows: number[] | undefined;
  if (request.ids !== undefined) {
    request.ids.forEach((id, index) => {
      if (!table.isActive(id)) {
        throw new GatewayError('E_NOT_FOUND', `\`${request.entity}\` has no row ${id}`, {
          location: fieldLocation(`ids[${index}]`),
          details: { field: `ids[${index}]` },
        });
      }
    });
    rows = [...new Set(request.ids)].sort((a, b) => a - b);
  }
  if (request.where !== undefined) {
    const matching = rowsWhere(
      transaction.view,
      request.entity,
      request.where,
      request.params ?? [],
      'where',
      deadline,
    );
    if (rows === undefined) rows = matching;
    else {
      const chosen = new Set(rows);
      rows = matching.filter((row) => chosen.has(row));
    }
  }
  return rows ?? [...table.activeRowIds()];
}

export async function anonymize(
  engine: Engine,
  session: Session,
  request: AnonymizeRequest,
  deadline: number | undefined,
): Promise<Record<string, unknown>> {
  const strategies = Object.entries(request.attributes);
  if (strategies.length === 0) {
    throw argumentError('E_ARG_INVALID', 'attributes', 'name at least one attribute');
  }
  if (request.params !== undefined && request.where === undefined) {
    throw argumentError('E_ARG_INVALID', 'params', '"params" are the values of "where": give both');
  }
  return engine.write(session, (transaction) => {
    const table = transaction.view.table(request.entity);
    const columns = strategies.map(
      ([name, strategy]) => [checkedColumn(table, name, strategy), strategy] as const,
    );
    const key = anonymizeKey(engine);
    if (key === undefined && strategies.some(([, strategy]) => strategy === 'hash')) {
      throw new GatewayError(
        'E_CONFIG',
        'the "hash" strategy needs a key, and this server has none',
        {
          hint: 'start the server with --anonymize-key or CATRUSTDB_ANONYMIZE_KEY',
        },
      );
    }
    const rows = chosenRows(transaction, table, request, deadline);
    for (const [column, strategy] of columns) {
      const { targets, replaced } = replacements(table, column.name, rows, strategy, key);
      if (targets.length > 0)
        transaction.updateColumn(request.entity, column.name, targets, replaced);
    }
    return {
      entity: request.entity,
      rows: rows.length,
      attributes: columns.map(([column]) => column.name),
    };
  });
}
