/**
 * Σ_F, Δ_F, Π_F on stored data, each inside the caller's transaction: read the input tables
 * from `transaction.view`, replace the rows of every table of the result's schema, append a
 * lineage record (and, for Σ, the sigma_delta checkpoint). The caller commits or rolls back, so
 * on any error — a clash, an infinite result, the deadline — the target is as it was.
 *
 * Σ runs the store engine (sigma-engine.ts) where the mapping has the chase's shape, and the
 * in-memory Σ (saturation) on the rows read otherwise; only the engine leaves a checkpoint.
 * Δ and Π read the rows into an in-memory instance and run the in-memory functors.
 */
import { checkDeadline } from '../../../common/index.js';
import type { Mapping, SaturatedInstance } from '../../../catalog/index.js';
import type { ReadView, Transaction } from '../../../store/index.js';
import { delta } from '../delta.js';
import { pi } from '../pi.js';
import { sigma } from '../sigma.js';
import {
  sigmaDry,
  sigmaValidate,
  type SigmaDryRun,
  type SigmaValidation,
} from '../sigma-report.js';
import {
  dropCheckpoint,
  invalidateCheckpoints,
  writeCheckpoint,
  writeResolutions,
  type CheckpointEntry,
} from './checkpoint.js';
import { tableFingerprint } from './fingerprint.js';
import { appendLineage } from './lineage.js';
import { readStoredInstance, storedRowName } from './read-instance.js';
import {
  chaseShape,
  NeedFullSigma,
  runSigmaEngine,
  type SigmaEngineResult,
} from './sigma-engine.js';
import { mapColumn, mapDefinition, mapTableName } from './system-tables.js';
import {
  applyTargetWrites,
  clearTables,
  ensureTargetTables,
  replaceWithInstance,
} from './target-tables.js';
import type { EntityStats, LineageRecord, StoredFunctor, StoreMigrationOptions } from './types.js';

/** The start of a migration: its clock reading and its record's time stamp. */
export interface MigrationStart {
  readonly started: number;
  readonly ts: string;
}

export function startMigration(options: StoreMigrationOptions): MigrationStart {
  return { started: performance.now(), ts: (options.now?.() ?? new Date()).toISOString() };
}

export function finishRecord(
  start: MigrationStart,
  functor: StoredFunctor,
  mapping: Mapping,
  direction: 'forward' | 'back',
  stats: Record<string, EntityStats>,
): LineageRecord {
  return {
    ts: start.ts,
    functor,
    mapping: mapping.name,
    source_schema: direction === 'forward' ? mapping.source.name : mapping.target.name,
    target_schema: direction === 'forward' ? mapping.target.name : mapping.source.name,
    entity_stats: stats,
    duration_ms: Math.round((performance.now() - start.started) * 1000) / 1000,
  };
}

/** Σ_F: replace the rows of F's target tables with Σ_F of the source tables. */
export function sigmaInStore(
  transaction: Transaction,
  mapping: Mapping,
  options: StoreMigrationOptions = {},
): LineageRecord {
  const start = startMigration(options);
  const { stats } = fullSigma(transaction, mapping, options);
  const record = finishRecord(start, 'sigma', mapping, 'forward', stats);
  appendLineage(transaction, record);
  return record;
}

/**
 * A full Σ into the target tables, with a fresh sigma_delta checkpoint when the engine ran.
 * Returns the per-entity statistics and the source rows applied.
 */
export function fullSigma(
  transaction: Transaction,
  mapping: Mapping,
  options: StoreMigrationOptions,
): { stats: Record<string, EntityStats>; rowsApplied: Record<string, number> } {
  const view = transaction.view;
  const deadline = options.deadline;
  ensureTargetTables(transaction, mapping.target);
  let engine: SigmaEngineResult | undefined;
  if (chaseShape(mapping) !== undefined) {
    try {
      engine = runSigmaEngine({
        mapping,
        view,
        incremental: false,
        sourceFrom: new Map(),
        mapTables: new Map(),
        resolutions: new Map(),
        rowsMax: options.instanceRowsMax,
        deadline,
      });
    } catch (error) {
      if (!(error instanceof NeedFullSigma)) throw error;
    }
  }
  const targetEntities = new Set(mapping.target.entityNames());
  dropCheckpoint(transaction, mapping.name);
  invalidateCheckpoints(transaction, targetEntities);
  if (engine === undefined) return sigmaInMemory(transaction, mapping, options);

  // Fingerprints of the source as read, before the target is written (a checkpoint only when
  // the two schemas have no table in common: Σ writing its own source cannot be incremental).
  const shared = mapping.source.entityNames().some((entity) => targetEntities.has(entity));
  const sourceEntries: CheckpointEntry[] = shared
    ? []
    : mapping.source.entities.map((entity) => {
        const table = view.table(entity.name);
        return {
          role: 'source',
          entity: entity.name,
          rowCount: table.rowCount,
          activeRows: table.activeRowCount,
          fingerprint: tableFingerprint(table, table.rowCount, deadline),
          mapTable: mapTableName(mapping.name, entity.name),
        };
      });
  clearTables(transaction, mapping.target);
  applyTargetWrites(transaction, engine.targets);
  if (!shared) {
    for (const entry of sourceEntries) {
      const mapTable = entry.mapTable as string;
      const targets = engine.sourceTargets.get(entry.entity)?.targets ?? new Int32Array(0);
      transaction.createTable(mapDefinition(mapTable));
      if (targets.length > 0) {
        transaction.appendColumns(mapTable, { target: mapColumn(targets) }, targets.length);
      }
    }
    writeCheckpoint(transaction, mapping.name, [
      ...sourceEntries,
      ...targetEntries(transaction.view, mapping, deadline),
    ]);
    writeResolutions(transaction, mapping.name, engine.resolutions);
  }
  const stats: Record<string, EntityStats> = {};
  for (const write of engine.targets) stats[write.entity] = write.stats;
  return { stats, rowsApplied: engine.rowsApplied };
}

export function targetEntries(
  view: ReadView,
  mapping: Mapping,
  deadline: number | undefined,
): CheckpointEntry[] {
  return mapping.target.entities.map((entity): CheckpointEntry => {
    const table = view.table(entity.name);
    return {
      role: 'target',
      entity: entity.name,
      rowCount: table.rowCount,
      activeRows: table.activeRowCount,
      fingerprint: tableFingerprint(table, table.rowCount, deadline),
      mapTable: null,
    };
  });
}

/** Σ by the in-memory functor (term saturation) on the stored rows; no checkpoint. */
function sigmaInMemory(
  transaction: Transaction,
  mapping: Mapping,
  options: StoreMigrationOptions,
): { stats: Record<string, EntityStats>; rowsApplied: Record<string, number> } {
  const stored = readStoredInstance(transaction.view, mapping.source, options.deadline);
  checkDeadline(options.deadline, `sigma ${mapping.name}`);
  const result = sigma(mapping, stored.instance, {
    name: `sigma ${mapping.name}`,
    location: mapping.location,
    instanceRowsMax: options.instanceRowsMax,
  });
  checkDeadline(options.deadline, `sigma ${mapping.name}`);
  const written = replaceWithInstance(transaction, result);
  const rowsApplied: Record<string, number> = {};
  const rowsIn = new Map<string, number>();
  const sourceNames = new Set<string>();
  for (const table of stored.instance.tables) {
    rowsApplied[table.entity] = table.rowCount;
    const image = mapping.entity(table.entity);
    rowsIn.set(image, (rowsIn.get(image) ?? 0) + table.rowCount);
    for (const rowId of stored.rowIds.get(table.entity) ?? []) {
      sourceNames.add(storedRowName(table.entity, rowId));
    }
  }
  const stats: Record<string, EntityStats> = {};
  for (const table of result.tables) {
    const rows = rowsIn.get(table.entity) ?? 0;
    let fromSource = 0;
    for (const name of table.rowNames) if (sourceNames.has(name)) fromSource++;
    stats[table.entity] = {
      rows_in: rows,
      rows_out: written.get(table.entity)?.rows ?? 0,
      merged: rows - fromSource,
      nulls: written.get(table.entity)?.nulls ?? 0,
    };
  }
  return { stats, rowsApplied };
}

/** Δ_F: replace the rows of F's source tables with Δ_F of the target tables. */
export function deltaInStore(
  transaction: Transaction,
  mapping: Mapping,
  options: StoreMigrationOptions = {},
): LineageRecord {
  const start = startMigration(options);
  const stored = readStoredInstance(transaction.view, mapping.target, options.deadline);
  checkDeadline(options.deadline, `delta ${mapping.name}`);
  const result = delta(mapping, stored.instance);
  checkDeadline(options.deadline, `delta ${mapping.name}`);
  invalidateCheckpoints(transaction, new Set(mapping.source.entityNames()));
  const written = replaceWithInstance(transaction, result);
  const stats = writtenStats(result, written, (entity) =>
    stored.instance.rowCount(mapping.entity(entity)),
  );
  const record = finishRecord(start, 'delta', mapping, 'back', stats);
  appendLineage(transaction, record);
  return record;
}

/** Π_F: replace the rows of F's target tables with Π_F of the source tables. */
export function piInStore(
  transaction: Transaction,
  mapping: Mapping,
  options: StoreMigrationOptions = {},
): LineageRecord {
  const start = startMigration(options);
  const stored = readStoredInstance(transaction.view, mapping.source, options.deadline);
  checkDeadline(options.deadline, `pi ${mapping.name}`);
  const result = pi(mapping, stored.instance, {
    rowsMax: options.piRowsMax,
    location: mapping.location,
  });
  checkDeadline(options.deadline, `pi ${mapping.name}`);
  invalidateCheckpoints(transaction, new Set(mapping.target.entityNames()));
  const written = replaceWithInstance(transaction, result);
  const stats = writtenStats(result, written, (entity) =>
    mapping.source.entities
      .filter((source) => mapping.entity(source.name) === entity)
      .reduce((sum, source) => sum + stored.instance.rowCount(source.name), 0),
  );
  const record = finishRecord(start, 'pi', mapping, 'forward', stats);
  appendLineage(transaction, record);
  return record;
}

function writtenStats(
  result: SaturatedInstance,
  written: ReadonlyMap<string, { rows: number; nulls: number }>,
  rowsIn: (entity: string) => number,
): Record<string, EntityStats> {
  const stats: Record<string, EntityStats> = {};
  for (const table of result.tables) {
    stats[table.entity] = {
      rows_in: rowsIn(table.entity),
      rows_out: written.get(table.entity)?.rows ?? 0,
      merged: 0,
      nulls: written.get(table.entity)?.nulls ?? 0,
    };
  }
  return stats;
}

/** sigma_validate on the stored rows of F's source: every problem Σ would hit. */
export function sigmaValidateInStore(
  view: ReadView,
  mapping: Mapping,
  options: StoreMigrationOptions = {},
): SigmaValidation {
  const stored = readStoredInstance(view, mapping.source, options.deadline);
  checkDeadline(options.deadline, `sigma_validate ${mapping.name}`);
  return sigmaValidate(mapping, stored.instance, {
    name: `sigma ${mapping.name}`,
    location: mapping.location,
    instanceRowsMax: options.instanceRowsMax,
  });
}

/** sigma_dry on the stored rows of F's source: what Σ would create, merge and leave null. */
export function sigmaDryInStore(
  view: ReadView,
  mapping: Mapping,
  options: StoreMigrationOptions = {},
): SigmaDryRun {
  const stored = readStoredInstance(view, mapping.source, options.deadline);
  checkDeadline(options.deadline, `sigma_dry ${mapping.name}`);
  return sigmaDry(mapping, stored.instance, {
    name: `sigma ${mapping.name}`,
    location: mapping.location,
    instanceRowsMax: options.instanceRowsMax,
  });
}
