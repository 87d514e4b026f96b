/**
 * Recovery: replay a WAL into a database, record by record, each record checked before it is
 * used. A record is a line, followed in record format 2 by its binary payload (wal-line.ts);
 * "line N" in reports counts records.
 *
 * - A final record cut short (a line without its newline, or a payload shorter than its entry
 *   says: a crash mid-write, its commit never acknowledged) is a torn tail: it is truncated and
 *   reported.
 * - A complete record that fails a checksum, does not parse, is out of sequence or cannot be
 *   applied is corruption: E_STORE_CORRUPT naming the file and line, and nothing opens —
 *   unless `repair` is set, which truncates the file at that record and reports how many
 *   entries were dropped.
 *
 * Entries are `{"s":<lsn>,"ops":[…]}` (change-set.ts) with LSNs increasing by one, or — as the
 * first lines of a compacted WAL — `{"base":<lsn>,"ops":[…]}` parts holding together the whole
 * state at `lsn` (the tables, then their rows in slices, each line under walLineBytesMax).
 * A WAL starts with a base, at LSN 1, or at most one past the snapshot it continues (the lines
 * a snapshot covers are dropped after it is written); lines up to the snapshot's LSN are
 * checked and skipped.
 */
import { open } from 'node:fs/promises';
import { createLogger } from '../common/index.js';
import type { Checksum } from './checksum.js';
import type { Database } from './database.js';
import { corruptError, StoreError } from './errors.js';
import { EncryptionKey } from './encryption.js';
import { countWalRecords, NEWLINE, parseWalLine, readWalRecord } from './wal-line.js';
import { entryPlace, payloadPlace } from './wal-writer.js';

/** A key entry is a few hundred bytes; read this much of a WAL to find it. */
const KEY_LINE_BYTES_MAX = 4096;

const log = createLogger('store.wal');

export interface WalRecoveryReport {
  /** Entries replayed. */
  readonly entries: number;
  /** LSN of the last replayed entry (0 for an empty WAL). */
  readonly lsn: number;
  /** Bytes of a torn final line that were truncated (0 when the file ended cleanly). */
  readonly tornTailBytes: number;
  /** Lines dropped by `repair` (0 without repair). */
  readonly droppedEntries: number;
  /** The 1-based line where `repair` truncated, when it did. */
  readonly repairedAtLine?: number;
  /** Bytes of the WAL after recovery: where the next line goes. */
  readonly sizeBytes: number;
  /** LSN of the snapshot recovery started from, when there was one. */
  readonly snapshotLsn?: number;
}

export interface WalRecoveryOptions {
  /** Truncate at the first bad line instead of refusing to open. */
  readonly repair?: boolean | undefined;
  /** The key of an encrypted WAL (from its first line, see `readWalKey`). */
  readonly key?: EncryptionKey | undefined;
}

export interface Entry {
  readonly lsn: number;
  readonly base: boolean;
  readonly ops: unknown;
  /** The binary payload the ops refer to (decrypted), when the record has one. */
  readonly payload: Uint8Array | undefined;
}

/**
 * An entry's LSN, ops and payload (decrypted with `key`), or what is wrong with it. `payload`
 * is the record's payload as stored (its checksum already checked).
 */
export function decodeWalEntry(
  json: unknown,
  key: EncryptionKey | undefined,
  payload?: Uint8Array,
): Entry | string {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return 'the entry is not an object';
  }
  const record = json as Record<string, unknown>;
  const base = record['base'] !== undefined;
  const lsn = base ? record['base'] : record['s'];
  if (typeof lsn !== 'number' || !Number.isSafeInteger(lsn) || lsn < (base ? 0 : 1)) {
    return 'the entry has no valid sequence number';
  }
  let ops = record['ops'];
  const sealed = record['x'];
  if (key !== undefined) {
    if (typeof sealed !== 'string') return 'an unencrypted entry in an encrypted WAL';
    const opened = key.open(Buffer.from(sealed, 'base64'), entryPlace(base ? 'base' : 's', lsn));
    if (opened === undefined) return 'the entry fails authentication (damaged or moved)';
    try {
      ops = JSON.parse(opened.toString('utf8'));
    } catch {
      return 'the decrypted entry is not JSON';
    }
  } else if (sealed !== undefined) {
    return 'an encrypted entry in an unencrypted WAL';
  }
  if (!Array.isArray(ops)) return 'the entry has no ops';
  if ((record['bin'] === undefined) !== (payload === undefined)) {
    return 'the entry and its binary payload do not match';
  }
  if (payload !== undefined && key !== undefined) {
    const opened = key.open(payload, payloadPlace(base ? 'base' : 's', lsn));
    if (opened === undefined) return 'the binary payload fails authentication (damaged or moved)';
    payload = opened;
  }
  return { lsn, base, ops, payload };
}

/**
 * The key of the WAL in `file` for `passphrase`: derived from the key entry on its first line
 * (E_STORE_KEY for a wrong passphrase, a missing one, or one given for an unencrypted WAL).
 * A damaged first line is left for recovery to report.
 */
export async function readWalKey(
  file: string,
  checksum: Checksum,
  passphrase: string | undefined,
): Promise<EncryptionKey | undefined> {
  const handle = await open(file, 'r');
  let first: Buffer;
  try {
    const head = Buffer.alloc(KEY_LINE_BYTES_MAX);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    first = head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const end = first.indexOf(NEWLINE);
  const parsed = end < 0 ? undefined : parseWalLine(first.subarray(0, end), checksum);
  const parameters =
    parsed?.ok === true && typeof parsed.entry === 'object' && parsed.entry !== null
      ? (parsed.entry as Record<string, unknown>)['key']
      : undefined;
  if (parameters === undefined) {
    if (passphrase !== undefined && parsed?.ok !== false) {
      throw new StoreError('E_STORE_KEY', `the database in ${file} is not encrypted`, {
        hint: 'open it without a passphrase (rotateKey encrypts an existing database)',
      });
    }
    return undefined;
  }
  if (passphrase === undefined) {
    throw new StoreError('E_STORE_KEY', `the database in ${file} is encrypted`, {
      hint: 'open it with its passphrase',
    });
  }
  return EncryptionKey.open(passphrase, parameters);
}

/**
 * Replay `file` into `database` (which must be empty: a fresh Database, or one loaded from a
 * snapshot at `database.lsn`, whose older entries are skipped). Truncates a torn tail, and with
 * `repair` a bad line and everything after it, fsyncing the truncation.
 */
export async function recoverWal(
  file: string,
  database: Database,
  checksum: Checksum,
  options: WalRecoveryOptions = {},
): Promise<WalRecoveryReport> {
  const handle = await open(file, 'r+');
  try {
    const bytes = await handle.readFile();
    let position = 0;
    let lineNumber = 0;
    let entries = 0;
    const loadedLsn = database.lsn;
    let lsn = loadedLsn;
    /** LSN of the last line read, applied or skipped. */
    let seen = 0;
    /** Line 1 was the key entry of an encrypted WAL. */
    let keyLineSeen = false;
    /** The lines read so far are all parts of a base. */
    let inBase = false;
    let tornTailBytes = 0;
    let droppedEntries = 0;
    let repairedAtLine: number | undefined;
    while (position < bytes.length) {
      lineNumber++;
      const read = readWalRecord(bytes, position, checksum);
      if (read.kind === 'torn') {
        tornTailBytes = bytes.length - position;
        log.warn('truncating a torn final WAL record', { file, line: lineNumber, tornTailBytes });
        break;
      }
      const problem =
        read.kind === 'bad'
          ? read.reason
          : applyRecord(
              read.entry,
              read.payload,
              lineNumber === 1 || (lineNumber === 2 && keyLineSeen),
            );
      if (problem !== undefined) {
        const remaining = countWalRecords(bytes, position, checksum);
        if (options.repair !== true) {
          throw corruptError(
            file,
            `WAL ${file} line ${lineNumber}: ${problem}`,
            { line: lineNumber, offset: position },
            `open with repair to truncate the WAL at line ${lineNumber}, dropping ${remaining} entr${remaining === 1 ? 'y' : 'ies'}`,
          );
        }
        droppedEntries = remaining;
        repairedAtLine = lineNumber;
        log.warn('repair: truncating the WAL at a bad record', {
          file,
          line: lineNumber,
          problem,
          droppedEntries,
        });
        break;
      }
      position = (read as { end: number }).end;
    }
    if (position < bytes.length) {
      await handle.truncate(position);
      await handle.sync();
    }
    return {
      entries,
      lsn,
      tornTailBytes,
      droppedEntries,
      ...(repairedAtLine === undefined ? {} : { repairedAtLine }),
      sizeBytes: position,
    };

    /** Apply one checked record; returns what is wrong with it, or undefined. */
    function applyRecord(
      json: unknown,
      payload: Buffer | undefined,
      first: boolean,
    ): string | undefined {
      const keyEntry = typeof json === 'object' && json !== null && 'key' in json;
      if (keyEntry) {
        if (lineNumber !== 1 || options.key === undefined || payload !== undefined) {
          return 'a key entry out of place';
        }
        keyLineSeen = true;
        return undefined;
      }
      const entry = decodeWalEntry(json, options.key, payload);
      if (typeof entry === 'string') return entry;
      if (entry.base) {
        // A base spans consecutive lines of one LSN at the start of the WAL.
        if (!first && !(inBase && entry.lsn === seen)) return 'a base entry out of place';
        if (loadedLsn !== 0 && entry.lsn > loadedLsn) {
          return `a base entry at ${entry.lsn} over a snapshot at ${loadedLsn}`;
        }
        inBase = true;
      } else if (first && entry.lsn <= loadedLsn + 1) {
        // A WAL starts at 1, or right after the snapshot whose lines it dropped, or after an
        // older snapshot (a crash between writing a snapshot and dropping the lines it covers).
      } else if (entry.lsn !== seen + 1) {
        return `sequence number ${entry.lsn} where ${seen + 1} was expected`;
      }
      if (!entry.base) inBase = false;
      seen = entry.lsn;
      // Entries up to the snapshot the database was loaded from are in it already.
      if (entry.lsn <= loadedLsn) return undefined;
      try {
        database.replay(entry.ops, entry.lsn, {
          foreignKeys: !entry.base,
          payload: entry.payload,
        });
      } catch (error) {
        if (error instanceof StoreError && error.code === 'E_STORE_CORRUPT') throw error;
        return `the entry cannot be applied: ${(error as Error).message}`;
      }
      lsn = entry.lsn;
      entries++;
      return undefined;
    }
  } finally {
    await handle.close();
  }
}
