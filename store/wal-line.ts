/**
 * One WAL record. Its line: `{"e":<entry JSON>,"h":"<xxh3-64 of the entry's bytes, 16 hex
 * digits>"}\n`.
 *
 * The checksum covers the exact bytes of the entry as written, so a reader checks it before it
 * parses anything: a flipped byte anywhere in the line is either caught by the checksum or
 * breaks the fixed frame around it. A line is NDJSON (one JSON object per line) and so still
 * readable with ordinary tools.
 *
 * Record format 2 adds an optional binary payload (the bytes of bulk columns, wal-blob.ts):
 * when the entry has `"bin":{"n":<bytes>,"h":"<xxh3-64 of the payload>"}`, the line is
 * followed by exactly n payload bytes and a newline. The entry (checked first) gives the
 * payload's length and checksum, so a payload cut short by a crash is a torn tail like a line
 * without its newline, and a damaged one fails its checksum. Format 1 records (no `bin`) are
 * plain lines.
 */
import { limits } from '../common/index.js';
import type { Checksum } from './checksum.js';

const PREFIX = Buffer.from('{"e":');
const HASH_OPEN = Buffer.from(',"h":"');
const CLOSE = Buffer.from('"}');
const HASH_HEX_CHARS = 16;
/** Bytes after the entry: `,"h":"` + 16 hex digits + `"}`. */
const SUFFIX_BYTES = HASH_OPEN.length + HASH_HEX_CHARS + CLOSE.length;
const HEX = /^[0-9a-f]{16}$/;

export const NEWLINE = 0x0a;

/** The line (newline included) for an entry already serialised as JSON text. */
export function formatWalLine(entryText: string, checksum: Checksum): Buffer {
  // One allocation: the entry is encoded in place, between its frame's parts.
  const entryBytes = Buffer.byteLength(entryText, 'utf8');
  const line = Buffer.allocUnsafe(PREFIX.length + entryBytes + SUFFIX_BYTES + 1);
  PREFIX.copy(line, 0);
  line.write(entryText, PREFIX.length, entryBytes, 'utf8');
  const entryEnd = PREFIX.length + entryBytes;
  const hash = checksum.hex(line.subarray(PREFIX.length, entryEnd));
  HASH_OPEN.copy(line, entryEnd);
  line.write(hash, entryEnd + HASH_OPEN.length, 'latin1');
  CLOSE.copy(line, entryEnd + HASH_OPEN.length + HASH_HEX_CHARS);
  line[line.length - 1] = NEWLINE;
  return line;
}

export type ParsedWalLine =
  { readonly ok: true; readonly entry: unknown } | { readonly ok: false; readonly reason: string };

/** Check and parse one line (without its newline). Never throws. */
export function parseWalLine(line: Buffer, checksum: Checksum): ParsedWalLine {
  if (line.length < PREFIX.length + SUFFIX_BYTES + 2) {
    return { ok: false, reason: `a line of ${line.length} bytes is too short to be an entry` };
  }
  const suffixStart = line.length - SUFFIX_BYTES;
  if (
    !line.subarray(0, PREFIX.length).equals(PREFIX) ||
    !line.subarray(suffixStart, suffixStart + HASH_OPEN.length).equals(HASH_OPEN) ||
    !line.subarray(line.length - CLOSE.length).equals(CLOSE)
  ) {
    return { ok: false, reason: 'the line is not of the form {"e":…,"h":"…"}' };
  }
  const stored = line
    .subarray(suffixStart + HASH_OPEN.length, line.length - CLOSE.length)
    .toString('latin1');
  if (!HEX.test(stored)) return { ok: false, reason: 'the checksum is not 16 hex digits' };
  const entry = line.subarray(PREFIX.length, suffixStart);
  const computed = checksum.hex(entry);
  if (computed !== stored) {
    return { ok: false, reason: `checksum mismatch (stored ${stored}, computed ${computed})` };
  }
  try {
    return { ok: true, entry: JSON.parse(entry.toString('utf8')) as unknown };
  } catch (error) {
    return { ok: false, reason: `the entry is not JSON (${(error as Error).message})` };
  }
}

/** A record ready to be written: its pieces, in order (line, then payload and newline). */
export interface WalRecord {
  readonly parts: readonly Uint8Array[];
  readonly bytes: number;
}

const NEWLINE_BYTES = Buffer.from([NEWLINE]);

/**
 * A record: the line of `entryText` (which, with a payload, carries the payload's `bin`
 * header) and then the payload's pieces and a newline.
 */
export function formatWalRecord(
  entryText: string,
  checksum: Checksum,
  payload: readonly Uint8Array[] = [],
): WalRecord {
  const line = formatWalLine(entryText, checksum);
  if (payload.length === 0) return { parts: [line], bytes: line.length };
  let bytes = line.length + 1;
  for (const part of payload) bytes += part.length;
  return { parts: [line, ...payload, NEWLINE_BYTES], bytes };
}

/** The header of a record's payload, as the entry carries it. */
export interface PayloadHeader {
  /** Bytes of the payload. */
  readonly n: number;
  /** xxh3-64 of the payload, 16 hex digits. */
  readonly h: string;
}

/** The payload header of a parsed entry; undefined without one, a reason when malformed. */
function payloadHeader(entry: unknown): PayloadHeader | undefined | string {
  if (typeof entry !== 'object' || entry === null || !('bin' in entry)) return undefined;
  const bin = (entry as { bin: unknown }).bin;
  if (typeof bin !== 'object' || bin === null) return 'the payload header is not an object';
  const { n, h } = bin as { n?: unknown; h?: unknown };
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1 || n > limits.walLineBytesMax) {
    return 'the payload length is not a valid byte count';
  }
  if (typeof h !== 'string' || !HEX.test(h)) return 'the payload checksum is not 16 hex digits';
  return { n, h };
}

export type ReadWalRecord =
  /** A checked record; `end` is the offset after it (after the payload's newline). */
  | {
      readonly kind: 'record';
      readonly entry: unknown;
      readonly payload: Buffer | undefined;
      readonly end: number;
    }
  /** The file ends inside the record (a crash mid-write): a torn tail. */
  | { readonly kind: 'torn' }
  /**
   * The record is damaged; `next` is where the next record starts as far as can be told: after
   * the payload when the line itself is sound (its checksum vouches for the payload's length),
   * else after the line's newline.
   */
  | { readonly kind: 'bad'; readonly reason: string; readonly next: number };

/**
 * Read and check the record starting at `position` of `bytes` (a whole WAL or a run of whole
 * records). Never throws.
 */
export function readWalRecord(bytes: Buffer, position: number, checksum: Checksum): ReadWalRecord {
  const lineEnd = bytes.indexOf(NEWLINE, position);
  if (lineEnd < 0) return { kind: 'torn' };
  const parsed = parseWalLine(bytes.subarray(position, lineEnd), checksum);
  if (!parsed.ok) return { kind: 'bad', reason: parsed.reason, next: lineEnd + 1 };
  const header = payloadHeader(parsed.entry);
  if (typeof header === 'string') return { kind: 'bad', reason: header, next: lineEnd + 1 };
  if (header === undefined) {
    return { kind: 'record', entry: parsed.entry, payload: undefined, end: lineEnd + 1 };
  }
  const payloadStart = lineEnd + 1;
  const payloadEnd = payloadStart + header.n;
  if (payloadEnd + 1 > bytes.length) return { kind: 'torn' };
  const payload = bytes.subarray(payloadStart, payloadEnd);
  const computed = checksum.hex(payload);
  if (computed !== header.h) {
    return {
      kind: 'bad',
      reason: `payload checksum mismatch (stored ${header.h}, computed ${computed})`,
      next: payloadEnd + 1,
    };
  }
  if (bytes[payloadEnd] !== NEWLINE) {
    return { kind: 'bad', reason: 'the payload does not end with a newline', next: payloadEnd + 1 };
  }
  return { kind: 'record', entry: parsed.entry, payload, end: payloadEnd + 1 };
}

/**
 * Records from `position` to the end of `bytes`, counting a damaged one (whose length is not
 * known) as one record up to its line's newline. For reports ("dropping N entries").
 */
export function countWalRecords(bytes: Buffer, position: number, checksum: Checksum): number {
  let records = 0;
  while (position < bytes.length) {
    records++;
    const read = readWalRecord(bytes, position, checksum);
    if (read.kind === 'torn') break;
    position = read.kind === 'record' ? read.end : read.next;
  }
  return records;
}
