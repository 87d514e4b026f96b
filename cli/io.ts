/** File and output helpers shared by the CLI commands. */
import { readFileSync } from 'node:fs';
import { CatrustError } from '../common/index.js';

/** Read a program file; a missing or unreadable file is a user error (exit 1), not a crash. */
export function readSourceFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'no such file'
        : String((error as Error).message);
    throw new CatrustError('E_IO', `cannot read the file: ${reason}`, {
      location: { kind: 'file', file: path },
      sqlstate: '58030',
    });
  }
}

export function writeOut(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** JSON with bigint support (bigints are written as strings). */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(
    value,
    (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item),
    indent,
  );
}
