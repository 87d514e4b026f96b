/** File and output helpers shared by the CLI commands. */
import { readFileSync } from 'node:fs';
import { CatrustError } from '../common/index.js';

/** Read a file named on the command line; a missing or unreadable one is a user error (exit 1). */
export function readFileBytes(path: string): Buffer {
  try {
    return readFileSync(path);
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

/** Read a program file (UTF-8). */
export function readSourceFile(path: string): string {
  return readFileBytes(path).toString('utf8');
}

/** A command-line option with a bad value: `E_CLI_OPTION` naming the option. */
export function optionError(option: string, message: string, hint?: string): CatrustError {
  return new CatrustError('E_CLI_OPTION', message, {
    location: { kind: 'field', field: option },
    ...(hint === undefined ? {} : { hint }),
  });
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
