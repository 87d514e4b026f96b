/**
 * The files behind one durable database: its WAL writer, its process lock, and compaction.
 *
 * Compaction rewrites the WAL as a base — lines `{"base":<lsn>,"ops":[…]}`: one creating every
 * table, then the rows in slices (each line under walLineBytesMax) — with deleted rows purged
 * to NULL (their values and any string only they
 * used leave the file: the GDPR purge; row ids stay, so foreign keys stay valid). It runs in
 * the background: the base is built from the immutable version at the start while writers go
 * on appending to the old WAL; then, holding the writer lock only for the swap, the lines
 * written meanwhile are copied after the base, the new file is fsynced, renamed over the WAL,
 * the directory fsynced, and the writer reopened on it. A crash at any point leaves either the
 * old WAL or the new one whole (a stray `wal.ndjson.compacting` is removed on open).
 */
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { createLogger, LimitError } from '../common/index.js';
import { insertOp, type ChangeOp } from './change-set.js';
import type { Checksum } from './checksum.js';
import type { CommitLog, Database, PreparedCommit } from './database.js';
import type { ProcessLock } from './process-lock.js';
import { ReadView } from './read-view.js';
import type { TableView } from './table-view.js';
import { writeSnapshot, type OpenedSnapshot } from './snapshot.js';
import type { DatabaseVersion } from './table-state.js';
import { EncryptionKey, type KeyDerivationCosts } from './encryption.js';
import { StoreError } from './errors.js';
import { WalBlob } from './wal-blob.js';
import { readWalRecord, type WalRecord } from './wal-line.js';
import { decodeWalEntry } from './wal-recovery.js';
import { formatKeyLine, formatWalEntry, WalWriter, writeAllAt } from './wal-writer.js';

const log = createLogger('store.compaction');

/** Rows per line of a compacted base (halved for a line that would pass walLineBytesMax). */
const BASE_SLICE_ROWS = 4 * 65_536;

export const WAL_FILE = 'wal.ndjson';
export const COMPACTING_FILE = 'wal.ndjson.compacting';
export const SNAPSHOT_FILE = 'snapshot.cat2';
export const SNAPSHOT_TEMPORARY_FILE = 'snapshot.cat2.writing';

export interface SnapshotReport {
  /** LSN of the state the snapshot holds. */
  readonly lsn: number;
  readonly snapshotBytes: number;
  /** Bytes of the WAL after the lines the snapshot covers were dropped. */
  readonly walBytesAfter: number;
  /** Lines committed while the snapshot was written, kept in the WAL. */
  readonly carriedEntries: number;
  readonly elapsedMs: number;
}

export interface CompactionReport {
  /** LSN of the base entry. */
  readonly lsn: number;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  /** Bytes of the base alone (the live rows), before the lines carried over after it. */
  readonly baseBytes: number;
  /** Lines committed during the compaction and carried over after the base. */
  readonly carriedEntries: number;
  /** Deleted rows whose values were purged from the file. */
  readonly purgedRows: number;
  readonly elapsedMs: number;
}

export interface DatabaseFilesOptions {
  /** Compact in the background once the WAL passes this many bytes (off when undefined). */
  readonly autoCompactBytes?: number | undefined;
}

/** fsync a directory so that a file created, renamed or removed in it survives a crash. */
export async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class DatabaseFiles implements CommitLog {
  private compacting: Promise<CompactionReport> | undefined;
  private database: Database | undefined;
  /** WAL bytes right after the last compaction (0 before any): automatic compaction's mark. */
  private compactedBytes = 0;
  /** Set by `close`: no automatic compaction starts after it. */
  private closed = false;
  /** The tail of the queue of maintenance work (compaction, snapshots), one at a time. */
  private maintenance: Promise<void> = Promise.resolve();
  private readonly snapshots: OpenedSnapshot[] = [];
  /** Handles of replaced files being closed in the background (see closeLater). */
  private readonly closing = new Set<Promise<void>>();

  constructor(
    readonly directory: string,
    private writer: WalWriter,
    private readonly checksum: Checksum,
    private readonly lock: ProcessLock,
    private readonly options: DatabaseFilesOptions = {},
  ) {}

  attach(database: Database): void {
    this.database = database;
  }

  get walWriter(): WalWriter {
    return this.writer;
  }

  get walBytes(): number {
    return this.writer.sizeBytes;
  }

  prepare(lsn: number, ops: readonly ChangeOp[], blob?: WalBlob): PreparedCommit {
    return this.writer.prepare(lsn, ops, blob);
  }

  write(prepared: PreparedCommit): Promise<void> {
    return this.writer.write(prepared);
  }

  /**
   * Start a background compaction when the WAL passed `autoCompactBytes` and has at least
   * doubled since the last compaction left it (so that a database whose live rows alone pass
   * the threshold is not rewritten at every commit). Checked after each commit and again when a
   * compaction ends (commits made while it ran may have passed the mark).
   */
  afterCommit(): void {
    const threshold = this.options.autoCompactBytes;
    if (threshold === undefined || this.compacting !== undefined || this.closed) return;
    const size = this.writer.sizeBytes;
    if (size < threshold || size < 2 * this.compactedBytes) return;
    void this.compact().catch((error: unknown) => {
      // A close while it waited or ran cancels it: the WAL it would have replaced stays whole.
      if (error instanceof StoreError && error.code === 'E_STORE_CLOSED') {
        log.debug('background compaction cancelled: the database was closed');
        return;
      }
      log.error('background compaction failed', { error: String(error) });
    });
  }

  /** Compact now (or join the compaction in progress). */
  compact(): Promise<CompactionReport> {
    if (this.compacting === undefined) {
      this.compacting = this.runCompaction()
        .then((report) => {
          // The mark is the live rows' size: lines committed while it ran count as growth.
          this.compactedBytes = report.baseBytes;
          return report;
        })
        .finally(() => {
          this.compacting = undefined;
          this.afterCommit();
        });
    }
    return this.compacting;
  }

  /** A consistent, durable version and the WAL offset it ends at (taken under the lock). */
  private async durablePoint(): Promise<{ version: DatabaseVersion; offset: number }> {
    const database = this.database!;
    return database.withWriterLock(async () => {
      await database.whenIdle();
      await this.writer.flushed();
      return { version: database.latestVersion(), offset: this.writer.sizeBytes };
    });
  }

  /**
   * Replace the WAL by `head` (already in the open temporary file, `headBytes` long) followed
   * by the lines written after `offset`, holding the writer lock only for this swap. Returns
   * the new size and the number of lines carried over.
   */
  private async swapWal(
    temporary: FileHandle,
    temporaryFile: string,
    headBytes: number,
    offset: number,
    nextKey: EncryptionKey | undefined = this.writer.key,
  ): Promise<{ size: number; carried: number }> {
    const database = this.database!;
    return database.withWriterLock(async () => {
      await database.whenIdle();
      await this.writer.flushed();
      let size = headBytes;
      let carried = 0;
      const end = this.writer.sizeBytes;
      if (end > offset) {
        const tail = Buffer.alloc(end - offset);
        const old = await open(join(this.directory, WAL_FILE), 'r');
        try {
          await old.read(tail, 0, tail.length, offset);
        } finally {
          await old.close();
        }
        let records: WalRecord[] = [{ parts: [tail], bytes: tail.length }];
        if (nextKey !== this.writer.key) {
          records = this.reseal(tail, this.writer.key, nextKey);
          carried = records.length;
        } else {
          carried = this.countRecords(tail);
        }
        for (const record of records) {
          await writeAllAt(temporary, record.parts, size);
          size += record.bytes;
        }
      }
      await temporary.sync();
      await temporary.close();
      await rename(temporaryFile, join(this.directory, WAL_FILE));
      // Past the rename the old writer appends to a file that is gone: if anything below
      // fails, the database must stop taking writes until it is reopened.
      try {
        await syncDirectory(this.directory);
        const next = await WalWriter.open(
          join(this.directory, WAL_FILE),
          this.checksum,
          size,
          nextKey,
        );
        const previous = this.writer;
        this.writer = next;
        database.walWriter = next;
        // The old file is gone from the folder; closing its last handle frees its blocks,
        // which takes a while for a big WAL: done in the background (close() waits for it).
        this.closeLater(() => previous.close());
      } catch (error) {
        database.markFailed(error);
        throw error;
      }
      return { size, carried };
    });
  }

  /** Records (whole, written by this process) in `tail`. */
  private countRecords(tail: Buffer): number {
    let records = 0;
    let position = 0;
    while (position < tail.length) {
      const read = readWalRecord(tail, position, this.checksum);
      if (read.kind !== 'record') {
        throw new StoreError('E_STORE_IO', 'a WAL record written meanwhile is unreadable');
      }
      records++;
      position = read.end;
    }
    return records;
  }

  /** Records written under `from`, sealed again under `to` (key rotation). */
  private reseal(
    tail: Buffer,
    from: EncryptionKey | undefined,
    to: EncryptionKey | undefined,
  ): WalRecord[] {
    const records: WalRecord[] = [];
    let position = 0;
    while (position < tail.length) {
      const read = readWalRecord(tail, position, this.checksum);
      const entry =
        read.kind === 'record' ? decodeWalEntry(read.entry, from, read.payload) : read.kind;
      if (typeof entry === 'string' || entry.base) {
        throw new StoreError(
          'E_STORE_IO',
          `re-keying: a WAL record written meanwhile is unreadable`,
        );
      }
      const blob = entry.payload === undefined ? undefined : WalBlob.of(entry.payload);
      records.push(
        formatWalEntry({ s: entry.lsn, ops: entry.ops as ChangeOp[], blob }, this.checksum, to),
      );
      position = (read as { end: number }).end;
    }
    return records;
  }

  /** Run `work` (compaction, snapshot) alone: one at a time per database. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.maintenance.then(work, work);
    this.maintenance = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private runCompaction(): Promise<CompactionReport> {
    return this.exclusive(() => this.rewrite(this.writer.key));
  }

  /**
   * Encrypt the database under a new passphrase (or for the first time): the WAL is rewritten
   * as a compaction sealed with a new key (new salt) and swapped in atomically while the
   * database stays open; the snapshot, sealed with the old key, is removed.
   */
  rotateKey(passphrase: string, costs?: KeyDerivationCosts): Promise<CompactionReport> {
    return this.exclusive(async () => {
      const key = await EncryptionKey.create(passphrase, costs);
      return this.rewrite(key);
    });
  }

  /** Compaction: the WAL becomes [key entry] + base + the lines written meanwhile, under `key`. */
  private async rewrite(key: EncryptionKey | undefined): Promise<CompactionReport> {
    const database = this.database!;
    const started = performance.now();
    const { version, offset } = await this.durablePoint();
    const bytesBefore = offset;
    // The base entry, built and written without the lock.
    const view = new ReadView(version, undefined, database.indexes);
    const temporaryFile = join(this.directory, COMPACTING_FILE);
    const handle = await open(temporaryFile, 'w');
    let size = 0;
    const append = async (record: WalRecord): Promise<void> => {
      await writeAllAt(handle, record.parts, size);
      size += record.bytes;
    };
    /** One base part per slice of rows, halved until its record fits walLineBytesMax. */
    const appendRows = async (table: TableView, first: number, count: number): Promise<void> => {
      let record: WalRecord;
      try {
        const blob = new WalBlob();
        const ops = [insertOp(table, first, count, true, blob)];
        record = formatWalEntry({ base: version.lsn, ops, blob }, this.checksum, key);
      } catch (error) {
        if (!(error instanceof LimitError) || count === 1) throw error;
        const half = Math.ceil(count / 2);
        await appendRows(table, first, half);
        await appendRows(table, first + half, count - half);
        return;
      }
      await append(record);
    };
    let purgedRows = 0;
    let swapped: { size: number; carried: number };
    try {
      // The base, built and written without the lock: the tables, then their rows in slices.
      if (key !== undefined) {
        const keyLine = formatKeyLine(key, this.checksum);
        await append({ parts: [keyLine], bytes: keyLine.length });
      }
      const definitions = view.definitions();
      const create: ChangeOp[] =
        definitions.length > 0 ? [{ op: 'create', tables: definitions }] : [];
      await append(formatWalEntry({ base: version.lsn, ops: create }, this.checksum, key));
      for (const entity of view.entities()) {
        const table = view.table(entity);
        purgedRows += table.rowCount - table.activeRowCount;
        for (let first = 0; first < table.rowCount; first += BASE_SLICE_ROWS) {
          await appendRows(table, first, Math.min(BASE_SLICE_ROWS, table.rowCount - first));
        }
      }
      swapped = await this.swapWal(handle, temporaryFile, size, offset, key);
    } catch (error) {
      await handle.close().catch(() => undefined);
      await rm(temporaryFile, { force: true });
      throw error;
    }
    // The base supersedes an older snapshot (recovery ignores one older than the base).
    await rm(join(this.directory, SNAPSHOT_FILE), { force: true });
    await syncDirectory(this.directory);
    return {
      lsn: version.lsn,
      bytesBefore,
      bytesAfter: swapped.size,
      baseBytes: size,
      carriedEntries: swapped.carried,
      purgedRows,
      elapsedMs: performance.now() - started,
    };
  }

  /**
   * Write a Snapshot V2 of the durable state and drop the WAL lines it covers. Writers go on
   * meanwhile; they wait only for the final WAL swap.
   */
  snapshot(): Promise<SnapshotReport> {
    return this.exclusive(async () => {
      const started = performance.now();
      const { version, offset } = await this.durablePoint();
      const temporaryFile = join(this.directory, SNAPSHOT_TEMPORARY_FILE);
      let snapshotBytes: number;
      // A handle on the snapshot being replaced, so that the rename does not free its blocks
      // (closed in the background afterwards).
      const replaced = await open(join(this.directory, SNAPSHOT_FILE), 'r').catch(() => undefined);
      try {
        snapshotBytes = await writeSnapshot(temporaryFile, version, this.checksum, this.writer.key);
        await rename(temporaryFile, join(this.directory, SNAPSHOT_FILE));
        await syncDirectory(this.directory);
      } catch (error) {
        await rm(temporaryFile, { force: true });
        throw error;
      } finally {
        if (replaced !== undefined) this.closeLater(() => replaced.close());
      }
      const walFile = join(this.directory, COMPACTING_FILE);
      const handle = await open(walFile, 'w');
      let swapped: { size: number; carried: number };
      try {
        const key = this.writer.key;
        const head = key === undefined ? Buffer.alloc(0) : formatKeyLine(key, this.checksum);
        await handle.write(head, 0, head.length, 0);
        swapped = await this.swapWal(handle, walFile, head.length, offset);
      } catch (error) {
        await handle.close().catch(() => undefined);
        await rm(walFile, { force: true });
        throw error;
      }
      return {
        lsn: version.lsn,
        snapshotBytes,
        walBytesAfter: swapped.size,
        carriedEntries: swapped.carried,
        elapsedMs: performance.now() - started,
      };
    });
  }

  /** Keep an opened snapshot's file open until the database closes (lazy columns read it). */
  holdSnapshot(snapshot: OpenedSnapshot): void {
    this.snapshots.push(snapshot);
  }

  /**
   * Close a replaced file's handle in the background: the last close of a file renamed over
   * frees its blocks (tens of milliseconds for a big WAL or snapshot), which no caller needs to
   * wait for. `close()` waits for these.
   */
  private closeLater(close: () => Promise<void>): void {
    const done: Promise<void> = close()
      .catch((error: unknown) => {
        log.warn('closing a replaced file failed', { error: String(error) });
      })
      .finally(() => this.closing.delete(done));
    this.closing.add(done);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.maintenance;
    await Promise.all(this.closing);
    await this.writer.close();
    for (const snapshot of this.snapshots) snapshot.close();
    await this.lock.release();
  }
}
