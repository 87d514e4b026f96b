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
  const entry = Buffer.from(entryText, 'utf8');
  const hash = checksum.hex(entry);
  return Buffer.concat([PREFIX, entry, HASH_OPEN, Buffer.from(hash), CLOSE, Buffer.of(NEWLINE)]);
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
