/**
 * A database: named tables of typed columns, transactions, views, indexes — and, when opened
 * from a data directory (see data-directory.ts), a WAL and snapshots behind a `CommitLog`.
 *
 * Versions. `latest` is the newest committed version, the base of the next transaction;
 * `durable` is the newest one whose WAL entry is fsynced, the one readers see. The two differ
 * only while a group commit's fsync is in flight: a writer may already build on a commit whose
 * fsync is pending (that is what lets many writers share one fsync), but no reader sees data a
 * crash could still take away, and no commit is acknowledged before it is durable. If an fsync
 * fails the database stops accepting writes (E_STORE_IO) until it is reopened.
 */
import { assert } from '../common/index.js';
import { applyOps, changeOps, type ChangeOp } from './change-set.js';
import { DatabaseDraft } from './database-draft.js';
import { StoreError } from './errors.js';
import { checkForeignKeys } from './foreign-keys.js';
import { IndexManager, type IndexReport } from './index-manager.js';
import { ReadView } from './read-view.js';
import type { TableDefinition } from './schema.js';
import { DatabaseVersion, type TableState } from './table-state.js';
import type { TableView } from './table-view.js';
import {
  Transaction,
  type CommitResult,
  type DeleteOptions,
  type RowRange,
  type TransactionOwner,
} from './transaction.js';
import type { ColumnInput, RowInput } from './values.js';
import { WriterLock } from './writer-lock.js';
import type { WalRecoveryReport } from './wal-recovery.js';
import { WalBlob } from './wal-blob.js';
import type { WalRecord } from './wal-line.js';
import type { WalWriter } from './wal-writer.js';
import type { CompactionReport, SnapshotReport } from './database-files.js';
import type { KeyDerivationCosts } from './encryption.js';

/** Default wait for the writer lock before E_STORE_BUSY. */
export const LOCK_TIMEOUT_MS_DEFAULT = 10_000;

/** Where commits go to become durable (the WAL writer of a persistent database). */
export interface CommitLog {
  /**
   * Serialise a commit's entry (and `blob`, the binary payload its ops refer to); throws (e.g.
   * a LimitError) before anything is written.
   */
  prepare(lsn: number, ops: readonly ChangeOp[], blob?: WalBlob): PreparedCommit;
  /** Append and fsync (sharing the fsync with concurrent commits); resolves once durable. */
  write(prepared: PreparedCommit): Promise<void>;
  /** Called after each durable commit (automatic compaction checks the WAL size here). */
  afterCommit?(): void;
  /** Flush and close the files (after the database stopped accepting commits). */
  close?(): Promise<void>;
  /** Rewrite the log as a base of the active rows (see database-files.ts). */
  compact?(): Promise<CompactionReport>;
  /** Write a Snapshot V2 and drop the log lines it covers (see database-files.ts). */
  snapshot?(): Promise<SnapshotReport>;
  /** Re-encrypt everything under a key from a new passphrase (see database-files.ts). */
  rotateKey?(passphrase: string, costs?: KeyDerivationCosts): Promise<CompactionReport>;
}

export interface PreparedCommit {
  readonly lsn: number;
  readonly record: WalRecord;
}

export interface BeginOptions {
  /** How long to wait for the writer lock (default LOCK_TIMEOUT_MS_DEFAULT). */
  readonly timeoutMs?: number | undefined;
}

export class Database implements TransactionOwner {
  private latest: DatabaseVersion;
  private durable: DatabaseVersion;
  private durableView: ReadView | undefined;
  private readonly lock: WriterLock;
  private nextTableId = 1;
  private log: CommitLog | undefined;
  private failure: StoreError | undefined;
  private closed = false;
  private pendingCommits = 0;
  private idleWaiters: (() => void)[] = [];
  readonly indexes: IndexManager;

  constructor(
    readonly name: string,
    initial: DatabaseVersion = new DatabaseVersion(0, new Map()),
  ) {
    this.latest = initial;
    this.durable = initial;
    this.lock = new WriterLock(name);
    this.indexes = new IndexManager(() => this.latest);
    for (const state of initial.tables.values()) {
      this.nextTableId = Math.max(this.nextTableId, state.tableId + 1);
    }
  }

  /** Attach the durability layer (the WAL); commits are acknowledged once it has them fsynced. */
  attachLog(log: CommitLog | undefined): void {
    this.log = log;
  }

  get isDurable(): boolean {
    return this.log !== undefined;
  }

  /** LSN of the state readers see. */
  get lsn(): number {
    return this.durable.lsn;
  }

  allocateTableId(): number {
    return this.nextTableId++;
  }

  private checkUsable(): void {
    if (this.closed) throw new StoreError('E_STORE_CLOSED', `database ${this.name} is closed`);
    if (this.failure !== undefined) throw this.failure;
  }

  /** The committed, durable state: a consistent snapshot for as long as the caller keeps it. */
  view(): ReadView {
    this.checkOpen();
    if (this.durableView === undefined) {
      this.durableView = new ReadView(this.durable, undefined, this.indexes);
    }
    return this.durableView;
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreError('E_STORE_CLOSED', `database ${this.name} is closed`);
  }

  /** The newest committed version (possibly not yet durable): for checkpoints. */
  latestVersion(): DatabaseVersion {
    return this.latest;
  }

  table(entity: string): TableView {
    return this.view().table(entity);
  }

  /**
   * Start a transaction. O(1): no data is copied. Waits for the writer lock when another
   * transaction is open, up to `timeoutMs`, then fails with E_STORE_BUSY.
   */
  async begin(options: BeginOptions = {}): Promise<Transaction> {
    this.checkUsable();
    if (!this.lock.tryAcquire()) {
      await this.lock.acquire(options.timeoutMs ?? LOCK_TIMEOUT_MS_DEFAULT);
      try {
        this.checkUsable();
      } catch (error) {
        this.lock.release();
        throw error;
      }
    }
    return this.newTransaction();
  }

  /** Start a transaction if the writer lock is free right now; undefined otherwise. */
  tryBegin(): Transaction | undefined {
    this.checkUsable();
    return this.lock.tryAcquire() ? this.newTransaction() : undefined;
  }

  private newTransaction(): Transaction {
    const draft = new DatabaseDraft(this.latest, () => this.allocateTableId());
    return new Transaction(this, draft, this.indexes);
  }

  /** Run `work` in a transaction and commit it; roll back if it throws. */
  async write<T>(work: (transaction: Transaction) => T, options: BeginOptions = {}): Promise<T> {
    const transaction = await this.begin(options);
    let result: T;
    try {
      result = work(transaction);
    } catch (error) {
      transaction.rollback();
      throw error;
    }
    await transaction.commit();
    return result;
  }

  // ── autocommit shortcuts (each one transaction, acknowledged once durable) ──────────────

  createTables(definitions: readonly TableDefinition[]): Promise<void> {
    return this.write((transaction) => transaction.createTables(definitions));
  }

  createTable(definition: TableDefinition): Promise<void> {
    return this.createTables([definition]);
  }

  dropTable(entity: string): Promise<void> {
    return this.write((transaction) => transaction.dropTable(entity));
  }

  insert(entity: string, row: RowInput): Promise<number> {
    return this.write((transaction) => transaction.insert(entity, row));
  }

  insertRows(entity: string, rows: readonly RowInput[]): Promise<RowRange> {
    return this.write((transaction) => transaction.insertRows(entity, rows));
  }

  appendColumns(
    entity: string,
    columns: Readonly<Record<string, ColumnInput>>,
    rowCount?: number,
  ): Promise<RowRange> {
    return this.write((transaction) => transaction.appendColumns(entity, columns, rowCount));
  }

  update(
    entity: string,
    rowIds: number | readonly number[] | Uint32Array,
    changes: RowInput,
  ): Promise<number> {
    return this.write((transaction) => transaction.update(entity, rowIds, changes));
  }

  delete(
    entity: string,
    rowIds: number | readonly number[] | Uint32Array,
    options?: DeleteOptions,
  ): Promise<number> {
    return this.write((transaction) => transaction.delete(entity, rowIds, options));
  }

  deleteWhere(
    entity: string,
    predicate: (rowId: number, table: TableView) => boolean,
    options?: DeleteOptions,
  ): Promise<number> {
    return this.write((transaction) => transaction.deleteWhere(entity, predicate, options));
  }

  // ── commit pipeline ─────────────────────────────────────────────────────────────────────

  async commitTransaction(transaction: Transaction): Promise<CommitResult> {
    const draft = transaction.draft;
    let version: DatabaseVersion;
    let prepared: PreparedCommit | undefined;
    try {
      this.checkUsable();
      assert(draft.base === this.latest, 'a transaction must commit on the version it began on');
      if (!draft.hasChanges) {
        this.lock.release();
        return { lsn: this.latest.lsn };
      }
      const view = new ReadView(draft.base, draft, this.indexes);
      checkForeignKeys(draft, view);
      const lsn = this.latest.lsn + 1;
      if (this.log !== undefined) {
        const blob = new WalBlob();
        prepared = this.log.prepare(lsn, changeOps(draft, view, blob), blob);
      }
      version = this.publish(draft, lsn);
    } catch (error) {
      this.lock.release();
      throw error;
    }
    // The next writer may build on `version` while this commit's fsync is in flight.
    this.lock.release();
    if (prepared !== undefined) {
      this.pendingCommits++;
      try {
        await this.log!.write(prepared);
      } catch (error) {
        this.fail(error);
        throw this.failure!;
      } finally {
        this.pendingCommits--;
        if (this.pendingCommits === 0) this.wakeIdleWaiters();
      }
    }
    if (version.lsn > this.durable.lsn) {
      this.durable = version;
      this.durableView = undefined;
    }
    this.log?.afterCommit?.();
    return { lsn: version.lsn };
  }

  rollbackTransaction(_transaction: Transaction): void {
    this.lock.release();
  }

  private publish(draft: DatabaseDraft, lsn: number): DatabaseVersion {
    const tables = new Map<string, TableState>(this.latest.tables);
    for (const entity of draft.dropped.keys()) tables.delete(entity);
    for (const [entity, table] of draft.tables) {
      if (tables.has(entity) && table.isNew) tables.delete(entity);
      tables.set(entity, table.publish());
    }
    const version = new DatabaseVersion(lsn, tables);
    this.latest = version;
    this.indexes.afterCommit(draft, version);
    return version;
  }

  private fail(cause: unknown): void {
    if (this.failure !== undefined) return;
    const message = cause instanceof Error ? cause.message : String(cause);
    this.failure =
      cause instanceof StoreError && cause.code === 'E_STORE_IO'
        ? cause
        : new StoreError(
            'E_STORE_IO',
            `database ${this.name}: writing the WAL failed (${message}); reopen the database`,
            {
              cause,
            },
          );
  }

  /** Mark the database failed (an fsync or a swap failed); writes refuse until reopened. */
  markFailed(cause: unknown): void {
    this.fail(cause);
  }

  get failed(): StoreError | undefined {
    return this.failure;
  }

  // ── replay and maintenance (used by the durability layer) ──────────────────────────────

  /**
   * Apply one WAL entry's ops as a commit with sequence `lsn` (recovery), without writing
   * anything; `options.payload` is the record's binary payload. Entries are checked like any
   * write; a bad one throws and changes nothing.
   */
  replay(
    ops: unknown,
    lsn: number,
    options: { readonly foreignKeys?: boolean; readonly payload?: Uint8Array | undefined } = {},
  ): void {
    this.checkUsable();
    const transaction = this.tryBegin();
    assert(transaction !== undefined, 'replay while a transaction is open');
    try {
      applyOps(transaction, ops, options.payload);
      const draft = transaction.draft;
      // The parts of a compacted base are checked by their checksums, not one by one: a part
      // may hold rows whose foreign keys point into a later part.
      if (options.foreignKeys !== false) {
        checkForeignKeys(draft, new ReadView(draft.base, draft, this.indexes));
      }
      const version = this.publish(draft, lsn);
      this.durable = version;
      this.durableView = undefined;
    } finally {
      this.lock.release();
    }
  }

  /** Replace the whole state (compaction's in-memory purge, snapshot load); indexes are dropped. */
  replaceVersion(version: DatabaseVersion): void {
    assert(version.lsn >= this.latest.lsn);
    this.latest = version;
    this.durable = version;
    this.durableView = undefined;
    this.indexes.forgetAll();
    for (const state of version.tables.values()) {
      this.nextTableId = Math.max(this.nextTableId, state.tableId + 1);
    }
  }

  /** Run `work` holding the writer lock (no transaction can start meanwhile). */
  async withWriterLock<T>(
    work: () => Promise<T> | T,
    timeoutMs = LOCK_TIMEOUT_MS_DEFAULT,
  ): Promise<T> {
    this.checkUsable();
    if (!this.lock.tryAcquire()) await this.lock.acquire(timeoutMs);
    try {
      return await work();
    } finally {
      this.lock.release();
    }
  }

  /** Resolves when no commit is waiting for its fsync. */
  whenIdle(): Promise<void> {
    if (this.pendingCommits === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  /**
   * Compact the WAL: a base of every table (deleted rows purged), swapped in
   * atomically while writers go on (they wait only for the final swap). Undefined for an
   * in-memory database, which has no files.
   */
  async compact(): Promise<CompactionReport | undefined> {
    this.checkUsable();
    return this.log?.compact?.();
  }

  /**
   * Write a Snapshot V2 of the durable state (snapshot.ts) and drop the WAL lines it covers;
   * the next open reads the snapshot's directory and replays only the later WAL. Writers go
   * on meanwhile. Undefined for an in-memory database.
   */
  async snapshot(): Promise<SnapshotReport | undefined> {
    this.checkUsable();
    return this.log?.snapshot?.();
  }

  /**
   * Encrypt the database under a key derived from `passphrase` (a new salt): a compaction
   * sealed with the new key, swapped in atomically while the database stays open. Also turns
   * encryption on for an unencrypted database. Reopen with the new passphrase afterwards.
   */
  async rotateKey(passphrase: string, costs?: KeyDerivationCosts): Promise<CompactionReport> {
    this.checkUsable();
    if (this.log?.rotateKey === undefined) {
      throw new StoreError('E_STORE_KEY', `database ${this.name} has no files to encrypt`);
    }
    return this.log.rotateKey(passphrase, costs);
  }

  indexReport(): IndexReport[] {
    return this.indexes.report(this.latest);
  }

  /** Stop accepting work. The durability layer closes files after this. */
  markClosed(): void {
    this.closed = true;
  }

  /**
   * Close the database: new work is refused (E_STORE_CLOSED), commits already waiting for
   * their fsync complete, then the durability layer closes its files. Closing twice is harmless.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.whenIdle();
    await this.log?.close?.();
    this.onClose?.();
  }

  /** Called once by `close` after the files are closed (the data directory forgets the database). */
  onClose: (() => void) | undefined;

  /** What recovery did when the database was opened from its directory. */
  recovery: WalRecoveryReport | undefined;

  /** The WAL writer of a database opened from a directory (group-commit counters). */
  walWriter: WalWriter | undefined;

  get isClosed(): boolean {
    return this.closed;
  }
}
