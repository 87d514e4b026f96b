/**
 * sigma_delta: incremental Σ. Applies only the source rows added since the mapping's checkpoint
 * to the stored result (sigma-engine.ts with the stored rows as the first nodes), then moves the
 * checkpoint on — all in the caller's transaction. The checkpoint is trusted only when nothing
 * it describes changed: every source table has the rows it had (none deleted, none updated:
 * active-row count and content fingerprint of the rows below the checkpoint), the map tables
 * hold one row per source row seen, and every result table is as the checkpoint left it. Else,
 * or when the mapping needs the term saturation, it runs a full Σ and says why.
 */
import type { Mapping } from '../../../catalog/index.js';
import type { ReadView, Transaction } from '../../../store/index.js';
import {
  invalidateCheckpoints,
  readCheckpoint,
  readResolutions,
  writeCheckpoint,
  writeResolutions,
  type CheckpointEntry,
} from './checkpoint.js';
import { tableFingerprint } from './fingerprint.js';
import { appendLineage } from './lineage.js';
import { finishRecord, fullSigma, startMigration, targetEntries } from './migrations.js';
import {
  chaseShape,
  NeedFullSigma,
  runSigmaEngine,
  type LabelResolution,
  type SigmaEngineResult,
} from './sigma-engine.js';
import { mapColumn } from './system-tables.js';
import { activeRowsIn } from './stored-rows.js';
import { applyTargetWrites, updateByValue } from './target-tables.js';
import type { EntityStats, SigmaDeltaRecord, StoreMigrationOptions } from './types.js';

interface IncrementalPlan {
  readonly sourceFrom: Map<string, number>;
  readonly mapTables: Map<string, string>;
  readonly resolutions: Map<string, LabelResolution>;
}

/** Incremental Σ, or a full Σ with the reason when the checkpoint cannot be used. */
export function sigmaDeltaInStore(
  transaction: Transaction,
  mapping: Mapping,
  options: StoreMigrationOptions = {},
): SigmaDeltaRecord {
  const start = startMigration(options);
  const plan = incrementalPlan(transaction.view, mapping, options.deadline);
  let engine: SigmaEngineResult | undefined;
  let reason = typeof plan === 'string' ? plan : undefined;
  if (typeof plan !== 'string') {
    try {
      engine = runSigmaEngine({
        mapping,
        view: transaction.view,
        incremental: true,
        sourceFrom: plan.sourceFrom,
        mapTables: plan.mapTables,
        resolutions: plan.resolutions,
        rowsMax: options.instanceRowsMax,
        deadline: options.deadline,
      });
    } catch (error) {
      if (!(error instanceof NeedFullSigma)) throw error;
      reason = error.reason;
    }
  }
  if (engine === undefined || typeof plan === 'string') {
    const { stats, rowsApplied } = fullSigma(transaction, mapping, options);
    const record = finishRecord(start, 'sigma_delta', mapping, 'forward', stats);
    appendLineage(transaction, record);
    return {
      ...record,
      incremental: false,
      reason: reason ?? 'no checkpoint',
      rows_applied: rowsApplied,
    };
  }
  applyIncremental(transaction, mapping, plan, engine, options.deadline);
  const stats: Record<string, EntityStats> = {};
  for (const write of engine.targets) stats[write.entity] = write.stats;
  const record = finishRecord(start, 'sigma_delta', mapping, 'forward', stats);
  appendLineage(transaction, record);
  return { ...record, incremental: true, rows_applied: engine.rowsApplied };
}

function applyIncremental(
  transaction: Transaction,
  mapping: Mapping,
  plan: IncrementalPlan,
  engine: SigmaEngineResult,
  deadline: number | undefined,
): void {
  invalidateCheckpoints(transaction, new Set(mapping.target.entityNames()), mapping.name);
  applyTargetWrites(transaction, engine.targets);
  for (const update of engine.mapUpdates) {
    updateByValue(transaction, update.table, 'target', update.rows, update.values);
  }
  const view = transaction.view;
  const entries: CheckpointEntry[] = [];
  for (const entity of mapping.source.entities) {
    const mapTable = plan.mapTables.get(entity.name) as string;
    const applied = engine.sourceTargets.get(entity.name);
    if (applied !== undefined && applied.targets.length > 0) {
      transaction.appendColumns(
        mapTable,
        { target: mapColumn(applied.targets) },
        applied.targets.length,
      );
    }
    const table = view.table(entity.name);
    entries.push({
      role: 'source',
      entity: entity.name,
      rowCount: table.rowCount,
      activeRows: table.activeRowCount,
      fingerprint: tableFingerprint(table, table.rowCount, deadline),
      mapTable,
    });
  }
  entries.push(...targetEntries(view, mapping, deadline));
  writeCheckpoint(transaction, mapping.name, entries);
  writeResolutions(transaction, mapping.name, engine.resolutions);
}

/** What the checkpoint lets sigma_delta skip, or why it cannot be used. */
function incrementalPlan(
  view: ReadView,
  mapping: Mapping,
  deadline: number | undefined,
): IncrementalPlan | string {
  const entries = readCheckpoint(view, mapping.name);
  if (entries.length === 0) return `no checkpoint for mapping ${mapping.name} yet`;
  if (chaseShape(mapping) === undefined) {
    return 'the mapping needs the term saturation, which only a full Σ runs';
  }
  const entry = (role: 'source' | 'target', entity: string): CheckpointEntry | undefined =>
    entries.find((candidate) => candidate.role === role && candidate.entity === entity);
  const plan: IncrementalPlan = {
    sourceFrom: new Map(),
    mapTables: new Map(),
    resolutions: readResolutions(view, mapping.name),
  };
  for (const entity of mapping.source.entityNames()) {
    const seen = entry('source', entity);
    if (seen === undefined || seen.mapTable === null) {
      return `the checkpoint does not cover ${entity}`;
    }
    if (!view.hasTable(entity)) return `${entity} has no table`;
    const table = view.table(entity);
    if (table.rowCount < seen.rowCount) return `${entity} has fewer rows than at the checkpoint`;
    const activeOld =
      table.activeRowCount - activeRowsIn(table, seen.rowCount, table.rowCount).length;
    if (activeOld !== seen.activeRows) {
      return `${seen.activeRows - activeOld} row(s) of ${entity} were deleted since the checkpoint`;
    }
    if (tableFingerprint(table, seen.rowCount, deadline) !== seen.fingerprint) {
      return `a row of ${entity} was updated since the checkpoint`;
    }
    if (!view.hasTable(seen.mapTable)) return `the map table of ${entity} is missing`;
    const map = view.table(seen.mapTable);
    if (map.rowCount !== seen.rowCount || map.activeRowCount !== seen.rowCount) {
      return `the map table of ${entity} changed since the checkpoint`;
    }
    plan.sourceFrom.set(entity, seen.rowCount);
    plan.mapTables.set(entity, seen.mapTable);
  }
  for (const entity of mapping.target.entityNames()) {
    const written = entry('target', entity);
    if (written === undefined) return `the checkpoint does not cover ${entity}`;
    const changed = `the result table ${entity} changed since the checkpoint`;
    if (!view.hasTable(entity)) return changed;
    const table = view.table(entity);
    if (table.rowCount !== written.rowCount || table.activeRowCount !== written.activeRows) {
      return changed;
    }
    if (tableFingerprint(table, table.rowCount, deadline) !== written.fingerprint) return changed;
  }
  return plan;
}
