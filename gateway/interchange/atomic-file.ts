/** Binary files written by the interchange commands, atomically. */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';

/**
 * Replace `file` by `bytes`: written to a temporary file beside it, fsynced, then renamed over
 * it — a reader sees the old file or the whole new one, never a part, and a symlink at `file`
 * is replaced, not followed. The temporary file is removed when anything fails.
 */
export async function replaceFileBytes(file: string, bytes: Uint8Array): Promise<void> {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
