/**
 * Lineage: one row of `_catrust_lineage` per migration, appended in the migration's own
 * transaction (so a record exists exactly when its rows were committed), read back in order.
 */
import type { ReadView, Transaction } from '../../../store/index.js';
import { FunctorError } from '../errors.js';
import { ensureTable, LINEAGE_TABLE, lineageDefinition } from './system-tables.js';
import type { EntityStats, LineageRecord, StoredFunctor } from './types.js';

const FUNCTORS: readonly StoredFunctor[] = ['sigma', 'delta', 'pi', 'sigma_delta'];

export function appendLineage(transaction: Transaction, record: LineageRecord): void {
  ensureTable(transaction, lineageDefinition());
  transaction.insert(LINEAGE_TABLE, {
    ts: record.ts,
    functor: record.functor,
    mapping: record.mapping,
    source_schema: record.source_schema,
    target_schema: record.target_schema,
    entity_stats: JSON.stringify(record.entity_stats),
    duration_ms: record.duration_ms,
  });
}

/** Every lineage record of the database, in the order recorded. */
export function lineageRecords(view: ReadView): LineageRecord[] {
  if (!view.hasTable(LINEAGE_TABLE)) return [];
  const table = view.table(LINEAGE_TABLE);
  const column = (name: string): ((rowId: number) => unknown) => {
    const view = table.column(name);
    return (rowId) => view.valueUnchecked(rowId);
  };
  const ts = column('ts');
  const functor = column('functor');
  const mapping = column('mapping');
  const source = column('source_schema');
  const target = column('target_schema');
  const stats = column('entity_stats');
  const duration = column('duration_ms');
  return Array.from(table.activeRowIds(), (rowId): LineageRecord => {
    const name = functor(rowId);
    if (!FUNCTORS.includes(name as StoredFunctor)) {
      throw new FunctorError(
        'E_FUNCTOR_MISMATCH',
        `${LINEAGE_TABLE} row ${rowId} has an unknown functor ${JSON.stringify(name)}`,
      );
    }
    return {
      ts: String(ts(rowId)),
      functor: name as StoredFunctor,
      mapping: String(mapping(rowId)),
      source_schema: String(source(rowId)),
      target_schema: String(target(rowId)),
      entity_stats: parseStats(String(stats(rowId)), rowId),
      duration_ms: Number(duration(rowId)),
    };
  });
}

function parseStats(text: string, rowId: number): Record<string, EntityStats> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new FunctorError(
      'E_FUNCTOR_MISMATCH',
      `${LINEAGE_TABLE} row ${rowId}: entity_stats is not a JSON object`,
    );
  }
  const result: Record<string, EntityStats> = {};
  for (const [entity, value] of Object.entries(parsed as Record<string, unknown>)) {
    const record = (typeof value === 'object' && value !== null ? value : {}) as Record<
      string,
      unknown
    >;
    const count = (key: string): number =>
      typeof record[key] === 'number' ? (record[key] as number) : 0;
    result[entity] = {
      rows_in: count('rows_in'),
      rows_out: count('rows_out'),
      merged: count('merged'),
      nulls: count('nulls'),
    };
  }
  return result;
}
