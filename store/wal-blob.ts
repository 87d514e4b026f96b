/**
 * The binary payload of a WAL record (record format 2, see wal-line.ts): the raw little-endian
 * column values, validity bitmaps and dictionary codes of an entry's bulk columns, in the order
 * they were added. The entry's JSON refers to a part by `[offset, bytes]` within the payload;
 * the payload follows the entry's line in the file, checksummed on its own.
 *
 * The parts are views, not copies: a caller adds only memory that stays unchanged until the
 * record is written (a published version's chunks, or arrays made for the record).
 */

/** Where a part of a column lies in a record's payload: `[offset, bytes]`. */
export type BlobRange = readonly [number, number];

export class WalBlob {
  private readonly pieces: Uint8Array[] = [];
  private bytes = 0;

  /** A payload read back from a file (one piece). */
  static of(bytes: Uint8Array): WalBlob {
    const blob = new WalBlob();
    if (bytes.length > 0) blob.add([bytes]);
    return blob;
  }

  /** Append `parts` as one contiguous part of the payload; returns where it lies. */
  add(parts: readonly ArrayBufferView[]): BlobRange {
    const offset = this.bytes;
    for (const part of parts) {
      if (part.byteLength === 0) continue;
      this.pieces.push(new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
      this.bytes += part.byteLength;
    }
    return [offset, this.bytes - offset];
  }

  get byteLength(): number {
    return this.bytes;
  }

  /** The payload's pieces, in order (their concatenation is the payload). */
  get parts(): readonly Uint8Array[] {
    return this.pieces;
  }
}

/**
 * The part `range` (JSON from an entry) of `payload`, which must be exactly `bytes` long; a
 * view, not a copy. Returns a reason string when the reference is malformed or out of bounds.
 */
export function blobPart(
  range: unknown,
  payload: Uint8Array | undefined,
  bytes: number,
): Uint8Array | string {
  if (
    !Array.isArray(range) ||
    range.length !== 2 ||
    !Number.isSafeInteger(range[0]) ||
    !Number.isSafeInteger(range[1])
  ) {
    return 'a binary part must be [offset, bytes]';
  }
  const [offset, length] = range as [number, number];
  if (payload === undefined) return 'a binary part in an entry without a binary payload';
  if (length !== bytes) return `expected ${bytes} bytes, the part has ${length}`;
  if (offset < 0 || offset + length > payload.length) {
    return `the part [${offset}, ${length}] is outside the ${payload.length}-byte payload`;
  }
  return payload.subarray(offset, offset + length);
}
