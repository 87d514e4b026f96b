/**
 * Every buffer, queue, batch, recursion and payload has a named limit here (STYLE.md §8).
 * Input past a limit gets a typed `LimitError` naming the limit. Units are last in the name.
 * Limits a user may tune (a server flag, an option) are defaults; the rest are fixed.
 *
 * Add a limit here, with a comment saying why it has the value it has, rather than a literal
 * in the code that enforces it.
 */
export const limits = Object.freeze({
  // ── CQL text ──────────────────────────────────────────────────────────────────────────────
  /** Largest CQL program read in one parse; 10 MB programs are benchmarked, 256 MiB is room. */
  cqlSourceBytesMax: 256 * 1024 * 1024,
  /** Nesting depth of parenthesised terms and expressions; guards the recursive parser's stack. */
  cqlNestingDepthMax: 256,
  /** Length of one identifier or string literal. */
  cqlTokenCharsMax: 64 * 1024,
  /** Depth of `imports` chains between programs. */
  cqlImportDepthMax: 32,
  /** Errors collected by `catrust validate` before it stops reporting. */
  validateErrorsMax: 1000,

  // ── catalog ───────────────────────────────────────────────────────────────────────────────
  /**
   * Rows a saturated instance (term model, chase) may reach before it is declared infinite.
   * The reference CQL has no such bound and diverges; we stop and name the foreign-key cycle.
   */
  instanceRowsMax: 1_000_000,
  /**
   * Rows of a frozen instance (a query block's or an observation equation's variables
   * saturated) when deciding an equation; past it the answer is "unknown" (a warning). Small,
   * because a foreign-key cycle makes every frozen instance over it infinite.
   */
  frozenInstanceRowsMax: 10_000,
  /** Congruence-closure steps when deciding path equality for a mapping check. */
  congruenceStepsMax: 100_000,
  /** Length of a path considered when enumerating words for equation checks. */
  pathLengthMax: 64,
  /**
   * Time one call of a typeside's external JavaScript (`external_functions`, `external_parsers`)
   * may take inside node:vm. These are one-line functions of constants; a second means a loop.
   */
  externalCodeTimeoutMs: 1000,

  // ── store ─────────────────────────────────────────────────────────────────────────────────
  /** Rows per column batch handed to the executor: fits L2 for 8-byte columns. */
  batchRowsMax: 65_536,
  /** Rows in one table; row ids are 32-bit unsigned in FK columns. */
  tableRowsMax: 2 ** 32 - 2,
  /**
   * Bytes of one WAL record — its line and, for a bulk append, the binary payload after it; a
   * larger change set is refused before it is written.
   */
  walLineBytesMax: 256 * 1024 * 1024,
  /** Writers waiting on one group-commit fsync before new writers wait for the next. */
  walGroupCommitWritersMax: 4096,
  /** Default WAL size that triggers background compaction when enabled. */
  walCompactThresholdBytes: 256 * 1024 * 1024,
  /** Distinct strings in one dictionary-encoded column before it falls back to plain strings. */
  dictionaryEntriesMax: 2 ** 31 - 1,

  // ── planner / executor ────────────────────────────────────────────────────────────────────
  /** Bytes a single query may hold in hash tables, sort buffers and results. */
  queryMemoryBytesMax: 2 * 1024 * 1024 * 1024,
  /** Length of one SQL statement. */
  sqlTextBytesMax: 16 * 1024 * 1024,
  /** Nesting of subqueries and CTEs; guards the binder's recursion. */
  sqlNestingDepthMax: 64,
  /** Optimizer passes before the rule list is declared not to converge. */
  optimizerPassesMax: 16,
  /** Rows a result may carry to a front door in one reply. */
  resultRowsMax: 50_000_000,

  // ── functors ──────────────────────────────────────────────────────────────────────────────
  /** Rows Σ may create (including fresh foreign-key rows) before the result is called infinite. */
  sigmaRowsMax: 50_000_000,
  /** Estimated rows of a Π result before it is built. */
  piRowsMax: 50_000_000,
  /** Source rows listed per problem in sigma_validate reports (with the total count). */
  reportSampleRowsMax: 20,

  // ── gateway / server ──────────────────────────────────────────────────────────────────────
  /** Default maximum concurrent connections per listener. */
  connectionsMax: 128,
  /** Default maximum bytes of one request line (NDJSON) or message (pgwire). */
  payloadBytesMax: 64 * 1024 * 1024,
  /** Default per-request time limit. */
  requestTimeoutMs: 5 * 60 * 1000,
  /** Requests pipelined on one connection and not yet answered. */
  pipelinedRequestsMax: 1024,
  /** Audit records buffered in memory before writes to the audit log block. */
  auditQueueRecordsMax: 65_536,

  // ── gateway / interchange (import_csv, import_parquet, export_parquet) ────────────────────
  /**
   * Rows of one staged batch of an import: one `appendColumns` call each. The store's batch
   * size, so that a staged batch fills one chunk and staging holds typed arrays, not rows.
   */
  importBatchRowsMax: 65_536,
  /** An import logs a progress record (server log, info level) every this many rows. */
  importProgressRowsEvery: 100_000,
  /**
   * Bytes of one CSV record: bounds the parser's buffer when a quote is never closed and the
   * rest of a large file would otherwise become one field.
   */
  csvRecordBytesMax: 16 * 1024 * 1024,
});

export type LimitName = keyof typeof limits;
