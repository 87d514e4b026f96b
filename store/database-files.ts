/**
 * The files behind one durable database: its WAL writer, its process lock, and compaction.
 *
 * Compaction rewrites the WAL as one base entry — `{"base":<lsn>,"ops":[create every table,
 * insert every row]}` — with deleted rows purged to NULL (their values and any string only they
 * used leave the file: the GDPR purge; row ids stay, so foreign keys stay valid). It runs in
 * the background: the base is built from the immutable version at the start while writers go
 * on appending to the old WAL; then, holding the writer lock only for the swap, the lines
 * written meanwhile are copied after the base, the new file is fsynced, renamed over the WAL,
 * the directory fsynced, and the writer reopened on it. A crash at any point leaves either the
 * old WAL or the new one whole (a stray `wal.ndjson.compacting` is removed on open).
 */
import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createLogger } from '../common/index.js';
import { insertOp, type ChangeOp } from './change-set.js';
import type { Checksum } from './checksum.js';
import type { CommitLog, Database, PreparedCommit } from './database.js';
import type { ProcessLock } from './process-lock.js';
import { ReadView } from './read-view.js';
import { WalWriter } from './wal-writer.js';

const log = createLogger('store.compaction');

export const WAL_FILE = 'wal.ndjson';
export const COMPACTING_FILE = 'wal.ndjson.compacting';

export interface CompactionReport {
  /** LSN of the base entry. */
  readonly lsn: number;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
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

  prepare(lsn: number, ops: readonly ChangeOp[]): PreparedCommit {
    return this.writer.prepare(lsn, ops);
  }

  write(prepared: PreparedCommit): Promise<void> {
    return this.writer.write(prepared);
  }

  afterCommit(): void {
    const threshold = this.options.autoCompactBytes;
    if (threshold === undefined || this.compacting !== undefined) return;
    if (this.writer.sizeBytes < threshold) return;
    void this.compact().catch((error: unknown) => {
      log.error('background compaction failed', { error: String(error) });
    });
  }

  /** Compact now (or join the compaction in progress). */
  compact(): Promise<CompactionReport> {
    if (this.compacting === undefined) {
      this.compacting = this.runCompaction().finally(() => {
        this.compacting = undefined;
      });
    }
    return this.compacting;
  }

  private async runCompaction(): Promise<CompactionReport> {
    const database = this.database!;
    const started = performance.now();
    // 1. A consistent, durable version and the WAL offset it ends at.
    const { version, offset, bytesBefore } = await database.withWriterLock(async () => {
      await database.whenIdle();
      await this.writer.flushed();
      return {
        version: database.latestVersion(),
        offset: this.writer.sizeBytes,
        bytesBefore: this.writer.sizeBytes,
      };
    });
    // 2. The base entry, built and written without the lock.
    const view = new ReadView(version, undefined, database.indexes);
    const ops: ChangeOp[] = [];
    const definitions = view.definitions();
    if (definitions.length > 0) ops.push({ op: 'create', tables: definitions });
    let purgedRows = 0;
    for (const entity of view.entities()) {
      const table = view.table(entity);
      if (table.rowCount === 0) continue;
      purgedRows += table.rowCount - table.activeRowCount;
      ops.push(insertOp(table, 0, table.rowCount, true));
    }
    const base = this.writer.formatEntry({ base: version.lsn, ops });
    const temporary = join(this.directory, COMPACTING_FILE);
    const handle = await open(temporary, 'w');
    let size = 0;
    let carriedEntries = 0;
    try {
      await handle.write(base, 0, base.length, 0);
      size = base.length;
      // 3. The swap: copy what was committed meanwhile, sync, rename, reopen the writer.
      await database.withWriterLock(async () => {
        await database.whenIdle();
        await this.writer.flushed();
        const end = this.writer.sizeBytes;
        if (end > offset) {
          const tail = Buffer.alloc(end - offset);
          const old = await open(join(this.directory, WAL_FILE), 'r');
          try {
            await old.read(tail, 0, tail.length, offset);
          } finally {
            await old.close();
          }
          for (const byte of tail) if (byte === 0x0a) carriedEntries++;
          await handle.write(tail, 0, tail.length, size);
          size += tail.length;
        }
        await handle.sync();
        await handle.close();
        await rename(temporary, join(this.directory, WAL_FILE));
        await syncDirectory(this.directory);
        const next = await WalWriter.open(join(this.directory, WAL_FILE), this.checksum, size);
        const previous = this.writer;
        this.writer = next;
        database.walWriter = next;
        await previous.close();
      });
    } catch (error) {
      await handle.close().catch(() => undefined);
      await rm(temporary, { force: true });
      throw error;
    }
    return {
      lsn: version.lsn,
      bytesBefore,
      bytesAfter: size,
      carriedEntries,
      purgedRows,
      elapsedMs: performance.now() - started,
    };
  }

  async close(): Promise<void> {
    await this.compacting?.catch(() => undefined);
    await this.writer.close();
    await this.lock.release();
  }
}
