/** Binary files written by the interchange commands, atomically. */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';

/**
 * Replace `file` by the bytes of `chunks`: written to a temporary file beside it as they come,
 * fsynced, then renamed over it — a reader sees the old file or the whole new one, never a
 * part, and a symlink at `file` is replaced, not followed. The temporary file is removed when
 * anything fails. Returns the number of bytes written.
 */
export async function replaceFileFrom(
  file: string,
  chunks: AsyncIterable<Uint8Array>,
): Promise<number> {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  let bytes = 0;
  try {
    const handle = await open(temporary, 'wx', 0o600);
    try {
      for await (const chunk of chunks) {
        await handle.write(chunk);
        bytes += chunk.length;
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
