/**
 * `catrust validate FILE`: check a program and report every error with its location (exit 1
 * when there is any), every warning, and a one-line summary of what checked.
 */
import { formatError } from '../report.js';
import { formatWarning, loadProgramCollecting } from '../program.js';
import { writeOut } from '../io.js';
import { InternalError } from '../../common/index.js';

export async function runValidate(file: string): Promise<void> {
  const loaded = await loadProgramCollecting(file);
  for (const error of loaded.errors) process.stderr.write(`${formatError(error)}\n`);
  for (const warning of loaded.warnings) process.stderr.write(`${formatWarning(warning)}\n`);
  if (loaded.errorCount > 0) {
    const shown =
      loaded.errors.length < loaded.errorCount ? ` (first ${loaded.errors.length} shown)` : '';
    // Already reported one by one: exit 1 without a second message.
    process.stderr.write(
      `${file}: ${loaded.errorCount} error${loaded.errorCount === 1 ? '' : 's'}${shown}\n`,
    );
    process.exitCode = 1;
    return;
  }
  const program = loaded.program;
  if (program === undefined) throw new InternalError('no program after a clean check');
  const parts: string[] = [];
  const count = (n: number, word: string, plural = `${word}s`): void => {
    if (n > 0) parts.push(`${n} ${n === 1 ? word : plural}`);
  };
  count(program.typesides.size, 'typeside');
  count(program.schemas.size, 'schema');
  count(program.mappings.size, 'mapping');
  count(program.queries.size, 'query', 'queries');
  count(program.instances.size, 'instance');
  const rows = [...program.instances.values()].reduce(
    (sum, i) => sum + (i.evaluated ? i.rows().totalRows : 0),
    0,
  );
  writeOut(
    `${file}: ok (${parts.join(', ') || 'empty program'}${program.instances.size > 0 ? `; ${rows} rows` : ''}${loaded.warnings.length > 0 ? `; ${loaded.warnings.length} warnings` : ''})`,
  );
}
