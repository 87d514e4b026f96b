/**
 * Σ, Δ, Π on stored data: migrations that read tables of a store transaction and replace the
 * tables of the result's schema in it, with lineage records, sigma_validate / sigma_dry on
 * stored rows, and sigma_delta (incremental Σ from a durable checkpoint). The system tables
 * they keep start with `SYSTEM_TABLE_PREFIX`.
 */
export type {
  EntityStats,
  LineageRecord,
  SigmaDeltaRecord,
  StoredFunctor,
  StoreMigrationOptions,
} from './types.js';
export { readStoredInstance, storedRowName, type StoredInstance } from './read-instance.js';
export {
  deltaInStore,
  piInStore,
  sigmaDryInStore,
  sigmaInStore,
  sigmaValidateInStore,
} from './migrations.js';
export { sigmaDeltaInStore } from './sigma-delta.js';
export { lineageRecords } from './lineage.js';
export {
  CHECKPOINT_TABLE,
  LABELS_TABLE,
  LINEAGE_TABLE,
  SYSTEM_TABLE_PREFIX,
} from './system-tables.js';
