/**
 * Test helper: split a WAL file into its records by the documented format (docs/storage.md),
 * independently of store/wal-line.ts — a line `{"e":…,"h":"…"}\n`, followed, when the entry
 * has `"bin":{"n":N,…}`, by N payload bytes and a newline — and put records back together.
 */
import assert from 'node:assert/strict';

export interface WalFileRecord {
  /** The line without its newline. */
  readonly line: string;
  /** The parsed line: `{ e: entry, h: checksum }`. */
  readonly parsed: { readonly e: Record<string, unknown>; readonly h: string };
  /** The binary payload (without its newline), for a record with one. */
  readonly payload: Buffer | undefined;
}

/** The records of a whole, well-formed WAL (asserts the format as it goes). */
export function walRecords(bytes: Buffer): WalFileRecord[] {
  const records: WalFileRecord[] = [];
  let position = 0;
  while (position < bytes.length) {
    const end = bytes.indexOf(0x0a, position);
    assert.ok(end >= 0, `a record at ${position} without its newline`);
    const line = bytes.subarray(position, end).toString('utf8');
    const parsed = JSON.parse(line) as WalFileRecord['parsed'];
    assert.match(parsed.h, /^[0-9a-f]{16}$/);
    position = end + 1;
    let payload: Buffer | undefined;
    const bin = parsed.e['bin'] as { n: number; h: string } | undefined;
    if (bin !== undefined) {
      assert.ok(Number.isInteger(bin.n) && bin.n > 0);
      assert.match(bin.h, /^[0-9a-f]{16}$/);
      payload = bytes.subarray(position, position + bin.n);
      assert.equal(bytes[position + bin.n], 0x0a, 'a payload ends with a newline');
      position += bin.n + 1;
    }
    records.push({ line, parsed, payload });
  }
  return records;
}

/** The bytes of `records` as a WAL (lines may have been edited). */
export function joinRecords(records: readonly WalFileRecord[]): Buffer {
  const parts: Buffer[] = [];
  for (const record of records) {
    parts.push(Buffer.from(`${record.line}\n`, 'utf8'));
    if (record.payload !== undefined) parts.push(record.payload, Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}
