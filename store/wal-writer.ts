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
import type { WalBlob } from './wal-blob.js';
import { formatWalLine, formatWalRecord, type WalRecord } from './wal-line.js';

/**
 * A commit (`s`) or the base of a compacted WAL; `blob` is the binary payload its ops refer to
 * (bulk columns), written after the entry's line (record format 2).
 */
export type WalEntry =
  | { readonly s: number; readonly ops: readonly ChangeOp[]; readonly blob?: WalBlob | undefined }
  | {
      readonly base: number;
      readonly ops: readonly ChangeOp[];
      readonly blob?: WalBlob | undefined;
    };

/** Where a sealed entry belongs: its kind and LSN (the AAD of its encryption). */
export function entryPlace(kind: 's' | 'base', lsn: number): string {
  return `wal:${kind}:${lsn}`;
}

/** Where a sealed payload belongs: its entry's place (the AAD of its encryption). */
export function payloadPlace(kind: 's' | 'base', lsn: number): string {
  return `${entryPlace(kind, lsn)}:bin`;
}

/**
 * Serialise an entry to a checksummed record, refusing one past `walLineBytesMax`. With a key,
 * the ops are sealed: `{"s":<lsn>,"x":"<base64 nonce|ciphertext|tag>"}` (the LSN stays
 * readable so recovery can order records and spot a stale snapshot without the key), and so is
 * the payload. A payload is checksummed as written (sealed or not) and announced in the entry
 * as `"bin":{"n":<bytes>,"h":"<xxh3-64>"}`.
 */
export function formatWalEntry(
  entry: WalEntry,
  checksum: Checksum,
  key: EncryptionKey | undefined,
): WalRecord {
  const kind = 's' in entry ? 's' : 'base';
  const lsn = 's' in entry ? entry.s : entry.base;
  let payload: readonly Uint8Array[] = [];
  let bin: { n: number; h: string } | undefined;
  if (entry.blob !== undefined && entry.blob.byteLength > 0) {
    payload =
      key === undefined
        ? entry.blob.parts
        : key.sealParts(entry.blob.parts, payloadPlace(kind, lsn));
    let bytes = 0;
    for (const part of payload) bytes += part.length;
    checkRecordBytes(bytes);
    bin = { n: bytes, h: checksum.hexOf(payload) };
  }
  let text: string;
  if (key === undefined) {
    text = JSON.stringify(
      bin === undefined ? { [kind]: lsn, ops: entry.ops } : { [kind]: lsn, ops: entry.ops, bin },
    );
  } else {
    const sealed = key.seal(Buffer.from(JSON.stringify(entry.ops)), entryPlace(kind, lsn));
    const x = sealed.toString('base64');
    text = JSON.stringify(bin === undefined ? { [kind]: lsn, x } : { [kind]: lsn, x, bin });
  }
  const record = formatWalRecord(text, checksum, payload);
  checkRecordBytes(record.bytes);
  return record;
}

function checkRecordBytes(bytes: number): void {
  if (bytes > limits.walLineBytesMax) {
    throw new LimitError(
      'walLineBytesMax',
      limits.walLineBytesMax,
      bytes,
      'bytes of one WAL entry (split the transaction)',
    );
  }
}

/** The first line of an encrypted WAL: `{"e":{"key":<key parameters>},"h":…}`. */
export function formatKeyLine(key: EncryptionKey, checksum: Checksum): Buffer {
  return formatWalLine(JSON.stringify({ key: key.parameters }), checksum);
}

interface Waiting {
  readonly record: WalRecord;
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

  prepare(lsn: number, ops: readonly ChangeOp[], blob?: WalBlob): PreparedCommit {
    return { lsn, record: this.formatEntry({ s: lsn, ops, blob }) };
  }

  formatEntry(entry: WalEntry): WalRecord {
    return formatWalEntry(entry, this.checksum, this.key);
  }

  write(prepared: PreparedCommit): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.closed) {
      return Promise.reject(new StoreError('E_STORE_CLOSED', `the WAL ${this.file} is closed`));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ record: prepared.record, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0) {
      const group = this.queue.splice(0, limits.walGroupCommitWritersMax);
      const parts: Uint8Array[] = [];
      let bytes = 0;
      for (const waiting of group) {
        for (const part of waiting.record.parts) parts.push(part);
        bytes += waiting.record.bytes;
      }
      try {
        await writeAllAt(this.handle, parts, this.size);
        await this.handle.datasync();
        this.syncCount++;
        this.size += bytes;
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

/**
 * Write `parts` one after the other at `position` (one writev where the system allows, no
 * concatenation), continuing after short writes.
 */
export async function writeAllAt(
  handle: FileHandle,
  parts: readonly Uint8Array[],
  position: number,
): Promise<void> {
  let pending = parts.filter((part) => part.length > 0);
  while (pending.length > 0) {
    const { bytesWritten } = await handle.writev(pending, position);
    if (bytesWritten <= 0) throw new Error(`a write at ${position} wrote nothing`);
    position += bytesWritten;
    let skipped = bytesWritten;
    let index = 0;
    while (index < pending.length && skipped >= pending[index]!.length) {
      skipped -= pending[index]!.length;
      index++;
    }
    pending = pending.slice(index);
    if (pending.length > 0 && skipped > 0) pending[0] = pending[0]!.subarray(skipped);
  }
}
