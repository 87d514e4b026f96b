/**
 * The public shapes of the stored functors: lineage records, per-entity statistics, options.
 * JSON-serialisable as they are (the gateway sends them in its replies).
 */
export type StoredFunctor = 'sigma' | 'delta' | 'pi' | 'sigma_delta';

export interface EntityStats {
  /** Source rows sent to the entity (Σ, sigma_delta: rows applied), or read for it (Δ, Π). */
  rows_in: number;
  /** Rows of the entity's table after the migration. */
  rows_out: number;
  /** Rows in that share a result row with another (Σ merges); 0 for Δ and Π. */
  merged: number;
  /** Labelled nulls written (cells). */
  nulls: number;
}

export interface LineageRecord {
  /** ISO time the migration started. */
  ts: string;
  functor: StoredFunctor;
  /** The mapping's name. */
  mapping: string;
  /** The schema the rows are read from (for Δ: the mapping's target). */
  source_schema: string;
  /** The schema whose tables are written (for Δ: the mapping's source). */
  target_schema: string;
  /** Per written entity. */
  entity_stats: Record<string, EntityStats>;
  duration_ms: number;
}

export interface SigmaDeltaRecord extends LineageRecord {
  /** True when only the new source rows were applied; false after a fall back to a full Σ. */
  incremental: boolean;
  /** Why sigma_delta fell back to a full Σ. */
  reason?: string;
  /** Per source entity, the source rows applied (all of them after a fall back). */
  rows_applied: Record<string, number>;
}

export interface StoreMigrationOptions {
  /** performance.now() value after which long loops throw CatrustError E_TIMEOUT (per-request time limit). */
  readonly deadline?: number;
  /** The clock of lineage records (tests). */
  readonly now?: () => Date;
  /** Σ: rows past which the result is infinite (default as the in-memory Σ: 8 per source row, within limits). */
  readonly instanceRowsMax?: number;
  /** Π: rows of one result entity at most (default `limits.piRowsMax`). */
  readonly piRowsMax?: number;
}
