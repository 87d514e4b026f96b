/**
 * One WAL line: `{"e":<entry JSON>,"h":"<xxh3-64 of the entry's bytes, 16 hex digits>"}\n`.
 *
 * The checksum covers the exact bytes of the entry as written, so a reader checks it before it
 * parses anything: a flipped byte anywhere in the line is either caught by the checksum or
 * breaks the fixed frame around it. A line is NDJSON (one JSON object per line) and so still
 * readable with ordinary tools.
 */
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
