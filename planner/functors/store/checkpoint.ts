/**
 * sigma_delta's checkpoints, kept in system tables (system-tables.ts) and written in the
 * migration's transaction: per (mapping, source entity) the rows seen and their fingerprint
 * and the map table of Σ's unit; per (mapping, target entity) the result table's rows and
 * fingerprint; per mapping the labelled nulls of the source that no longer print as themselves.
 */
import type { ReadView, Transaction } from '../../../store/index.js';
import type { Scalar } from '../../../common/index.js';
import { FunctorError } from '../errors.js';
import type { LabelResolution } from './sigma-engine.js';
import {
  CHECKPOINT_TABLE,
  checkpointDefinition,
  deleteRows,
  ensureTable,
  LABELS_TABLE,
  labelsDefinition,
  readRows,
  rowsOfMapping,
} from './system-tables.js';

export interface CheckpointEntry {
  readonly role: 'source' | 'target';
  readonly entity: string;
  readonly rowCount: number;
  readonly activeRows: number;
  readonly fingerprint: string;
  readonly mapTable: string | null;
}

export function readCheckpoint(view: ReadView, mapping: string): CheckpointEntry[] {
  return readRows(view, CHECKPOINT_TABLE)
    .filter((row) => row['mapping'] === mapping)
    .map((row) => ({
      role: row['role'] === 'target' ? 'target' : 'source',
      entity: String(row['entity']),
      rowCount: Number(row['row_count']),
      activeRows: Number(row['active_rows']),
      fingerprint: String(row['fingerprint']),
      mapTable: typeof row['map_table'] === 'string' ? row['map_table'] : null,
    }));
}

/** Forget a mapping's checkpoint: its rows, its label resolutions, its map tables. */
export function dropCheckpoint(transaction: Transaction, mapping: string): void {
  const view = transaction.view;
  for (const entry of readCheckpoint(view, mapping)) {
    if (entry.mapTable !== null && view.hasTable(entry.mapTable)) {
      transaction.dropTable(entry.mapTable);
    }
  }
  const checkpointRows = new Set(rowsOfMapping(view, CHECKPOINT_TABLE, mapping));
  if (checkpointRows.size > 0)
    deleteRows(transaction, CHECKPOINT_TABLE, (row) => checkpointRows.has(row));
  const labelRows = new Set(rowsOfMapping(view, LABELS_TABLE, mapping));
  if (labelRows.size > 0) deleteRows(transaction, LABELS_TABLE, (row) => labelRows.has(row));
}

/**
 * Forget the checkpoints (other than `except`'s) whose result is in one of `entities`: a
 * migration rewrote those tables, so their map tables would point at rows that are gone.
 */
export function invalidateCheckpoints(
  transaction: Transaction,
  entities: ReadonlySet<string>,
  except?: string,
): void {
  const mappings = new Set<string>();
  for (const row of readRows(transaction.view, CHECKPOINT_TABLE)) {
    if (row['role'] === 'target' && entities.has(String(row['entity']))) {
      mappings.add(String(row['mapping']));
    }
  }
  for (const mapping of mappings) if (mapping !== except) dropCheckpoint(transaction, mapping);
}

export function writeCheckpoint(
  transaction: Transaction,
  mapping: string,
  entries: readonly CheckpointEntry[],
): void {
  ensureTable(transaction, checkpointDefinition());
  const old = new Set(rowsOfMapping(transaction.view, CHECKPOINT_TABLE, mapping));
  if (old.size > 0) deleteRows(transaction, CHECKPOINT_TABLE, (row) => old.has(row));
  transaction.insertRows(
    CHECKPOINT_TABLE,
    entries.map((entry) => ({
      mapping,
      role: entry.role,
      entity: entry.entity,
      row_count: entry.rowCount,
      active_rows: entry.activeRows,
      fingerprint: entry.fingerprint,
      map_table: entry.mapTable,
    })),
  );
}

export function readResolutions(view: ReadView, mapping: string): Map<string, LabelResolution> {
  const result = new Map<string, LabelResolution>();
  for (const row of readRows(view, LABELS_TABLE)) {
    if (row['mapping'] !== mapping) continue;
    result.set(String(row['label']), parseResolution(String(row['resolution'])));
  }
  return result;
}

export function writeResolutions(
  transaction: Transaction,
  mapping: string,
  resolutions: ReadonlyMap<string, LabelResolution>,
): void {
  const old = new Set(rowsOfMapping(transaction.view, LABELS_TABLE, mapping));
  if (old.size === 0 && resolutions.size === 0) return;
  ensureTable(transaction, labelsDefinition());
  if (old.size > 0) deleteRows(transaction, LABELS_TABLE, (row) => old.has(row));
  transaction.insertRows(
    LABELS_TABLE,
    [...resolutions].map(([label, resolution]) => ({
      mapping,
      label,
      resolution: formatResolution(resolution),
    })),
  );
}

function formatResolution(resolution: LabelResolution): string {
  if (resolution.kind === 'label') return JSON.stringify({ label: resolution.label });
  const value = resolution.value;
  return JSON.stringify(typeof value === 'bigint' ? { int: value.toString() } : { value });
}

function parseResolution(text: string): LabelResolution {
  const parsed = JSON.parse(text) as Record<string, unknown>;
  if (typeof parsed['label'] === 'string') return { kind: 'label', label: parsed['label'] };
  if (typeof parsed['int'] === 'string') return { kind: 'value', value: BigInt(parsed['int']) };
  const value = parsed['value'];
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
    return { kind: 'value', value: value as Scalar | null };
  }
  throw new FunctorError('E_FUNCTOR_MISMATCH', `${LABELS_TABLE}: unreadable resolution ${text}`);
}
