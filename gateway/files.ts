/** Files the gateway writes: kept programs, histories, exports, persisted databases. */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';

/**
 * Replace `file` by the bytes of `chunks`, written to a temporary file beside it as they come
 * (a name unique to this write, so that two writes of one path never share it), fsynced, then
 * renamed over it: a reader sees the old file or the whole new one, never a part, and a symlink
 * at `file` is replaced, not followed. The temporary file is removed when anything fails.
 * Returns the number of bytes written.
 */
export async function replaceFileFrom(
  file: string,
  chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
): Promise<number> {
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  let bytes = 0;
  try {
    const handle = await open(temporary, 'wx', 0o600);
    try {
      for await (const chunk of chunks) {
        const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        // writeFile on a handle writes all of it at the current position (short writes go on).
        await handle.writeFile(data);
        bytes += data.length;
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
    return bytes;
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Replace `file` by `content` atomically (see `replaceFileFrom`). */
export async function replaceFile(file: string, content: string | Uint8Array): Promise<void> {
  await replaceFileFrom(file, [content]);
}

/** Small text pieces gathered into buffers of about `bytes` each, for fewer, larger writes. */
export function* inBuffers(pieces: Iterable<string>, bytes: number): Generator<Buffer> {
  let pending: string[] = [];
  let length = 0;
  for (const piece of pieces) {
    pending.push(piece);
    length += piece.length;
    if (length >= bytes) {
      yield Buffer.from(pending.join(''), 'utf8');
      pending = [];
      length = 0;
    }
  }
  if (pending.length > 0) yield Buffer.from(pending.join(''), 'utf8');
}
