/**
 * NDJSON framing: bytes in, request lines out. A line ends at `\n` (a `\r` before it is dropped,
 * so `\r\n` clients work); blank lines are skipped.
 *
 * A line longer than `lineBytesMax` is never buffered whole: when the line in progress passes the
 * limit, the splitter keeps only its first `OVERSIZE_PREFIX_BYTES` (to recover the request's `id`
 * for the error reply), reports an `oversize` frame at once — in order with the lines before
 * it — and then discards bytes up to the next newline. Memory per connection is therefore
 * bounded by the limit plus one socket chunk, whatever the client sends.
 */

export type Frame =
  | { readonly kind: 'line'; readonly bytes: Buffer }
  | { readonly kind: 'oversize'; readonly prefix: Buffer };

/** Bytes of an oversize line kept to find its `"id"`; an id is found only near the start. */
export const OVERSIZE_PREFIX_BYTES = 256;

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export class LineSplitter {
  private readonly pending: Buffer[] = [];
  private pendingBytes = 0;
  /** True while the rest of an oversize line is being skipped. */
  private discarding = false;

  constructor(private readonly lineBytesMax: number) {}

  /** Frames completed by `chunk`, in order. */
  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      if (this.discarding) {
        if (newline !== -1) this.discarding = false;
      } else if (this.pendingBytes + (end - start) > this.lineBytesMax) {
        frames.push({ kind: 'oversize', prefix: this.oversizePrefix(chunk.subarray(start, end)) });
        this.pending.length = 0;
        this.pendingBytes = 0;
        this.discarding = newline === -1;
      } else if (newline === -1) {
        this.pending.push(chunk.subarray(start));
        this.pendingBytes += chunk.length - start;
      } else {
        this.emitLine(chunk.subarray(start, end), frames);
      }
      if (newline === -1) break;
      start = newline + 1;
    }
    return frames;
  }

  /** The connection ended: an unterminated last line is still a request. */
  end(): Frame[] {
    const frames: Frame[] = [];
    if (!this.discarding && this.pendingBytes > 0) this.emitLine(Buffer.alloc(0), frames);
    this.pending.length = 0;
    this.pendingBytes = 0;
    this.discarding = false;
    return frames;
  }

  /** Bytes held for the line in progress (for tests of the memory bound). */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  private emitLine(tail: Buffer, frames: Frame[]): void {
    let line = this.pending.length === 0 ? tail : Buffer.concat([...this.pending, tail]);
    this.pending.length = 0;
    this.pendingBytes = 0;
    if (line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN) {
      line = line.subarray(0, line.length - 1);
    }
    if (isBlank(line)) return;
    frames.push({ kind: 'line', bytes: line });
  }

  private oversizePrefix(tail: Buffer): Buffer {
    const parts = [...this.pending, tail];
    const joined = Buffer.concat(
      parts,
      Math.min(OVERSIZE_PREFIX_BYTES, this.pendingBytes + tail.length),
    );
    return Buffer.from(joined.subarray(0, OVERSIZE_PREFIX_BYTES));
  }
}

function isBlank(line: Buffer): boolean {
  for (const byte of line) {
    if (byte !== 0x20 && byte !== 0x09 && byte !== CARRIAGE_RETURN) return false;
  }
  return true;
}
