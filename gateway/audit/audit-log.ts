/**
 * The audit log (`--audit-log FILE`): one NDJSON record per request, allowed or denied,
 * `{ts, peer, door, role, cmd, db, entity, attr, ok, code, duration_ms}`. It never holds a token
 * or a row value: the Engine builds records only from the command's name and the names of the
 * database, entity and attributes it touched.
 *
 * Writing never blocks a request: `record()` appends to an in-memory queue and a single writer
 * loop drains it in batches. The queue is bounded (`limits.auditQueueRecordsMax`): when it is
 * full, `record()` returns a promise that resolves once there is room, and the Engine awaits it,
 * so a slow disk slows requests down rather than losing audit records (a denial that is not
 * recorded would defeat the log's purpose).
 *
 * Rotation: when the file would pass `maxBytes`, it is renamed to `FILE.<UTC timestamp>` and a
 * new FILE is started. Pruning: rotated files whose timestamp is older than `maxDays` are
 * deleted, at start, after each rotation and once an hour. Records are not fsynced one by one
 * (that would cost a disk flush per request); the file is fsynced on close.
 */
import { open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createLogger, limits } from '../../common/index.js';
import { GatewayError } from '../errors.js';

const log = createLogger('audit');

export interface AuditRecord {
  /** ISO 8601 UTC time the request arrived. */
  readonly ts: string;
  /** `address:port` of the client (or the door's own name for in-process callers). */
  readonly peer: string;
  /** Which front door: `ndjson`, `pgwire`, `flight`, `studio`, `cli`. */
  readonly door: string;
  /** The role the request ran as; null when it was denied for want of a valid token. */
  readonly role: string | null;
  readonly cmd: string;
  readonly db: string | null;
  readonly entity: string | null;
  /** Attribute names the command touched, comma-separated. */
  readonly attr: string | null;
  readonly ok: boolean;
  /** The error code of a failed or denied request. */
  readonly code: string | null;
  readonly duration_ms: number;
}

export interface AuditLogOptions {
  readonly path: string;
  /** Rotate when the file would pass this size; 0 never rotates. */
  readonly maxBytes: number;
  /** Delete rotated files older than this many days; 0 keeps them forever. */
  readonly maxDays: number;
  readonly queueRecordsMax?: number;
}

/** Records written per `write` call: bounds the batch string. */
const BATCH_RECORDS_MAX = 4096;
const PRUNE_INTERVAL_MS = 60 * 60 * 1000;
const MS_PER_DAY = 86_400_000;
/** `FILE.20240229T235959123Z` or `FILE.20240229T235959123Z-2`. */
const ROTATED_SUFFIX = /^\.(\d{8}T\d{9}Z)(?:-\d+)?$/;

function rotationStamp(date: Date): string {
  return date.toISOString().replace(/[-:.]/g, '');
}

function parseStamp(stamp: string): number {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z$/.exec(stamp);
  if (!match) return Number.NaN;
  const [, year, month, day, hour, minute, second, ms] = match;
  return Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
    Number(ms),
  );
}

export class AuditLog {
  private readonly queue: string[] = [];
  private readonly waiters: (() => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private readonly queueRecordsMax: number;
  private writing = false;
  private closed = false;
  private size: number;
  private written = 0;
  private failures = 0;
  private readonly pruneTimer: NodeJS.Timeout;

  private constructor(
    private readonly options: AuditLogOptions,
    private handle: FileHandle,
    size: number,
  ) {
    this.size = size;
    this.queueRecordsMax = options.queueRecordsMax ?? limits.auditQueueRecordsMax;
    this.pruneTimer = setInterval(() => void this.prune(), PRUNE_INTERVAL_MS);
    this.pruneTimer.unref();
  }

  static async open(options: AuditLogOptions): Promise<AuditLog> {
    let handle: FileHandle;
    try {
      handle = await open(options.path, 'a', 0o600);
    } catch (error) {
      throw new GatewayError(
        'E_CONFIG',
        `--audit-log ${options.path} cannot be opened: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const { size } = await handle.stat();
    const auditLog = new AuditLog(options, handle, size);
    await auditLog.prune();
    return auditLog;
  }

  /** How long and how big the log is kept: rotated past `maxBytes`, pruned after `maxDays`. */
  get retention(): { readonly maxDays: number; readonly maxBytes: number } {
    return { maxDays: this.options.maxDays, maxBytes: this.options.maxBytes };
  }

  get path(): string {
    return this.options.path;
  }

  /** Counters for `security_report` and tests. */
  get stats(): { written: number; queued: number; failures: number } {
    return { written: this.written, queued: this.queue.length, failures: this.failures };
  }

  /**
   * Queue one record. Returns undefined when it was queued, or a promise that resolves when the
   * queue had room (the caller should await it before answering).
   */
  record(record: AuditRecord): Promise<void> | undefined {
    if (this.closed) return undefined;
    const line = `${JSON.stringify(record)}\n`;
    if (this.queue.length < this.queueRecordsMax) {
      this.queue.push(line);
      this.kick();
      return undefined;
    }
    return new Promise<void>((resolveRoom) => {
      this.waiters.push(() => {
        this.queue.push(line);
        resolveRoom();
      });
      this.kick();
    });
  }

  /** Resolves when every record queued so far is written. */
  async flush(): Promise<void> {
    if (!this.writing && this.queue.length === 0 && this.waiters.length === 0) return;
    await new Promise<void>((resolveIdle) => this.idleWaiters.push(resolveIdle));
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    clearInterval(this.pruneTimer);
    try {
      await this.handle.sync();
    } finally {
      await this.handle.close();
    }
  }

  private kick(): void {
    if (this.writing) return;
    this.writing = true;
    void this.drain();
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0 || this.waiters.length > 0) {
        while (this.waiters.length > 0 && this.queue.length < this.queueRecordsMax) {
          this.waiters.shift()?.();
        }
        const batch = this.queue.splice(0, BATCH_RECORDS_MAX);
        const text = batch.join('');
        const bytes = Buffer.byteLength(text);
        if (
          this.options.maxBytes > 0 &&
          this.size > 0 &&
          this.size + bytes > this.options.maxBytes
        ) {
          await this.rotate();
        }
        try {
          await this.handle.write(text);
          this.size += bytes;
          this.written += batch.length;
        } catch (error) {
          // A failing disk must not take requests down with it; it is reported loudly instead.
          this.failures += batch.length;
          log.error('audit records could not be written', {
            records: batch.length,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
    } finally {
      this.writing = false;
      for (const resolveIdle of this.idleWaiters.splice(0)) resolveIdle();
    }
  }

  private async rotate(): Promise<void> {
    const now = new Date();
    let target = `${this.options.path}.${rotationStamp(now)}`;
    for (let attempt = 2; (await this.exists(target)) && attempt < 1000; attempt++) {
      target = `${this.options.path}.${rotationStamp(now)}-${attempt}`;
    }
    try {
      await this.handle.sync();
      await this.handle.close();
      await rename(this.options.path, target);
    } catch (error) {
      log.error('audit log rotation failed', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
    this.handle = await open(this.options.path, 'a', 0o600);
    this.size = (await this.handle.stat()).size;
    await this.prune();
  }

  private async exists(path: string): Promise<boolean> {
    try {
      const handle = await open(path, 'r');
      await handle.close();
      return true;
    } catch {
      return false;
    }
  }

  /** Rotated files of this log, oldest first, with the time in their name. */
  async rotatedFiles(): Promise<{ path: string; rotatedAtMs: number }[]> {
    const folder = dirname(this.options.path);
    const base = basename(this.options.path);
    const files: { path: string; rotatedAtMs: number }[] = [];
    for (const name of await readdir(folder)) {
      if (!name.startsWith(`${base}.`)) continue;
      const match = ROTATED_SUFFIX.exec(name.slice(base.length));
      if (!match?.[1]) continue;
      const rotatedAtMs = parseStamp(match[1]);
      if (Number.isFinite(rotatedAtMs)) files.push({ path: join(folder, name), rotatedAtMs });
    }
    return files.sort((left, right) => left.rotatedAtMs - right.rotatedAtMs);
  }

  private async prune(): Promise<void> {
    if (this.options.maxDays <= 0) return;
    const cutoffMs = Date.now() - this.options.maxDays * MS_PER_DAY;
    try {
      for (const file of await this.rotatedFiles()) {
        if (file.rotatedAtMs < cutoffMs) await unlink(file.path);
      }
    } catch (error) {
      log.warn('audit log pruning failed', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
