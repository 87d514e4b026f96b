/** How the CLI reports errors: one line `error[E_CODE]: file:line:col: message`, exit 1 or 2. */
import { CatrustError, asCatrustError } from '../common/index.js';

export function formatError(error: unknown): string {
  const normalized = asCatrustError(error);
  if (normalized instanceof CatrustError) return `error[${normalized.code}]: ${normalized.message}`;
  return `internal error: ${normalized.message} (this is a bug in catrust; please report it)`;
}

export function exitCodeOf(error: unknown): number {
  return asCatrustError(error) instanceof CatrustError ? 1 : 2;
}

export function reportAndExit(error: unknown): void {
  process.stderr.write(`${formatError(error)}\n`);
  if (process.env['CATRUST_DEBUG'] && error instanceof Error && error.stack) {
    process.stderr.write(`${error.stack}\n`);
  }
  process.exitCode = exitCodeOf(error);
}
