/** Files the gateway writes beside a database's store files. */
import { open as openFile, rename, writeFile } from 'node:fs/promises';

/**
 * Replace `file` by `text` atomically: written to a temporary file beside it, fsynced, then
 * renamed over it — a reader sees the old or the new file, and a symlink at `file` is replaced,
 * not followed.
 */
export async function replaceFile(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  const handle = await openFile(temporary, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}
