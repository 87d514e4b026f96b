/**
 * One process per database directory: a `LOCK` file created exclusively, holding the owner's
 * pid. A lock left by a process that no longer runs (it was killed) is taken over; one held by
 * a live process is E_STORE_LOCKED. Two processes taking over the same stale lock at the same
 * instant are not excluded (the window is one rename); the store is not meant to be shared
 * between processes that start together over a crashed directory.
 */
import { open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreError } from './errors.js';

export const LOCK_FILE = 'LOCK';

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class ProcessLock {
  private released = false;

  private constructor(readonly file: string) {}

  static async acquire(directory: string): Promise<ProcessLock> {
    const file = join(directory, LOCK_FILE);
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return new ProcessLock(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(owner) && owner > 0 && processRuns(owner)) {
      throw new StoreError(
        'E_STORE_LOCKED',
        `the database in ${directory} is open in ${owner === process.pid ? 'this process' : `process ${owner}`}`,
        { hint: 'close it there first', details: { directory, pid: owner } },
      );
    }
    // Stale: its owner is gone. Replace it atomically.
    const temporary = `${file}.${process.pid}`;
    await writeFile(temporary, String(process.pid));
    await rename(temporary, file);
    return new ProcessLock(file);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await unlink(this.file).catch(() => undefined);
  }
}
