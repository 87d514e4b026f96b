/**
 * The WAL writer of one database: appends committed change sets as checksummed lines and
 * acknowledges each commit only after its line is on disk (fdatasync).
 *
 * Group commit. Commits arrive in LSN order (the writer lock serialises `prepare`, and the
 * database calls `write` before it awaits anything). While one write + fdatasync is in flight,
 * later lines queue; when it completes, every queued line (up to
 * `limits.walGroupCommitWritersMax`) goes out in one write and shares one fdatasync. A failed
 * write or sync rejects every waiting commit and poisons the writer: the file may end in a torn
 * line, which recovery truncates on the next open.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { limits, LimitError } from '../common/index.js';
import type { ChangeOp } from './change-set.js';
import type { Checksum } from './checksum.js';
import type { EncryptionKey } from './encryption.js';
import type { CommitLog, PreparedCommit } from './database.js';
import { StoreError } from './errors.js';
import { formatWalLine } from './wal-line.js';

/** A commit (`s`) or the base of a compacted WAL. */
export type WalEntry =
  | { readonly s: number; readonly ops: readonly ChangeOp[] }
  | { readonly base: number; readonly ops: readonly ChangeOp[] };

/** Where a sealed entry belongs: its kind and LSN (the AAD of its encryption). */
export function entryPlace(kind: 's' | 'base', lsn: number): string {
  return `wal:${kind}:${lsn}`;
}

/**
 * Serialise an entry to a checksummed line, refusing one past `walLineBytesMax`. With a key,
 * the ops are sealed: `{"s":<lsn>,"x":"<base64 nonce|ciphertext|tag>"}` (the LSN stays
 * readable so recovery can order lines and spot a stale snapshot without the key).
 */
export function formatWalEntry(
  entry: WalEntry,
  checksum: Checksum,
  key: EncryptionKey | undefined,
): Buffer {
  let text: string;
  if (key === undefined) {
    text = JSON.stringify(entry);
  } else {
    const kind = 's' in entry ? 's' : 'base';
    const lsn = 's' in entry ? entry.s : entry.base;
    const sealed = key.seal(Buffer.from(JSON.stringify(entry.ops)), entryPlace(kind, lsn));
    text = JSON.stringify({ [kind]: lsn, x: sealed.toString('base64') });
  }
  const line = formatWalLine(text, checksum);
  if (line.length > limits.walLineBytesMax) {
    throw new LimitError(
      'walLineBytesMax',
      limits.walLineBytesMax,
      line.length,
      'bytes of one WAL entry (split the transaction)',
    );
  }
  return line;
}

/** The first line of an encrypted WAL: `{"e":{"key":<key parameters>},"h":…}`. */
export function formatKeyLine(key: EncryptionKey, checksum: Checksum): Buffer {
  return formatWalLine(JSON.stringify({ key: key.parameters }), checksum);
}

interface Waiting {
  readonly line: Buffer;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class WalWriter implements CommitLog {
  private readonly queue: Waiting[] = [];
  private flushing = false;
  private failure: StoreError | undefined;
  private closed = false;
  private flushedWaiters: (() => void)[] = [];
  /** fdatasync calls made (tests and benchmarks read it to see group commit work). */
  syncCount = 0;

  private constructor(
    readonly file: string,
    private readonly handle: FileHandle,
    private readonly checksum: Checksum,
    /** Bytes of the file that are written (and, past the last flush, synced). */
    private size: number,
    /** The key entries are sealed with (an encrypted database), or undefined. */
    readonly key: EncryptionKey | undefined,
  ) {}

  /** Open `file` for appending at `size` (the recovered length; the file must exist). */
  static async open(
    file: string,
    checksum: Checksum,
    size: number,
    key?: EncryptionKey,
  ): Promise<WalWriter> {
    const handle = await open(file, 'r+');
    return new WalWriter(file, handle, checksum, size, key);
  }

  get sizeBytes(): number {
    return this.size;
  }

  prepare(lsn: number, ops: readonly ChangeOp[]): PreparedCommit {
    return { lsn, line: this.formatEntry({ s: lsn, ops }) };
  }

  formatEntry(entry: WalEntry): Buffer {
    return formatWalEntry(entry, this.checksum, this.key);
  }

  write(prepared: PreparedCommit): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.closed) {
      return Promise.reject(new StoreError('E_STORE_CLOSED', `the WAL ${this.file} is closed`));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ line: prepared.line, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0) {
      const group = this.queue.splice(0, limits.walGroupCommitWritersMax);
      const buffer =
        group.length === 1 ? group[0]!.line : Buffer.concat(group.map((waiting) => waiting.line));
      try {
        await this.writeAt(buffer, this.size);
        await this.handle.datasync();
        this.syncCount++;
        this.size += buffer.length;
      } catch (error) {
        this.failure = new StoreError(
          'E_STORE_IO',
          `writing the WAL ${this.file} failed: ${(error as Error).message}`,
          { cause: error },
        );
        for (const waiting of [...group, ...this.queue.splice(0)]) waiting.reject(this.failure);
        break;
      }
      for (const waiting of group) waiting.resolve();
    }
    this.flushing = false;
    const waiters = this.flushedWaiters;
    this.flushedWaiters = [];
    for (const wake of waiters) wake();
  }

  private async writeAt(buffer: Buffer, position: number): Promise<void> {
    let written = 0;
    while (written < buffer.length) {
      const result = await this.handle.write(
        buffer,
        written,
        buffer.length - written,
        position + written,
      );
      written += result.bytesWritten;
    }
  }

  /** Resolves when no line is waiting or being written. */
  flushed(): Promise<void> {
    if (!this.flushing && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.flushedWaiters.push(resolve));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flushed();
    this.closed = true;
    await this.handle.close();
  }
}
