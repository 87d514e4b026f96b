/**
 * Loading a program for the CLI: read, parse, check. `validate` collects every error; the other
 * commands stop at the first one (it is thrown, reported by cli/report.ts with exit 1).
 */
import {
  checkProgramCollecting,
  type CheckedProgram,
  type CheckOptions,
  type CatalogWarning,
} from '../catalog/index.js';
import { formatLocation, type CatrustError } from '../common/index.js';
import { parseProgramCollectingErrors, type Program } from '../cql/index.js';
import { readSourceFile } from './io.js';

export interface LoadedProgram {
  readonly program: CheckedProgram | undefined;
  readonly errors: readonly CatrustError[];
  readonly errorCount: number;
  readonly warnings: readonly CatalogWarning[];
}

/** Whether a program declares an instance by Σ, Δ, Π or `eval` anywhere in its tree. */
function usesMigrations(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(usesMigrations);
  if (typeof node !== 'object' || node === null) return false;
  const kind = (node as { kind?: unknown }).kind;
  if (kind === 'InstanceMigration' || kind === 'InstanceEval') return true;
  return Object.values(node).some(usesMigrations);
}

/**
 * The options every CLI command checks `program` with: local files may run their external
 * code, and Σ/Δ/Π/eval instances are evaluated by the functor layer — loaded only when the
 * program has such instances, so `validate`, `export` or `viz` of other programs do not pay
 * for loading the planner.
 */
export async function cliCheckOptions(program: Program): Promise<CheckOptions> {
  if (!usesMigrations(program)) return { allowExternalCode: true };
  const { functorEvaluator } = await import('../planner/index.js');
  return { allowExternalCode: true, evaluator: functorEvaluator() };
}

/** Parse (recovering, so every syntax error is seen) and check; never throws for user errors. */
export async function loadProgramCollecting(file: string): Promise<LoadedProgram> {
  const text = readSourceFile(file);
  const parsed = parseProgramCollectingErrors(text, { file, recover: true });
  if (parsed.errors.length > 0) {
    return {
      program: undefined,
      errors: parsed.errors,
      errorCount: parsed.errors.length,
      warnings: [],
    };
  }
  const checked = checkProgramCollecting(parsed.program, await cliCheckOptions(parsed.program));
  return {
    program: checked.program,
    errors: checked.errors,
    errorCount: checked.errorCount,
    warnings: checked.program.warnings,
  };
}

/** The checked program; its first error thrown. Warnings go to stderr. */
export async function loadProgram(file: string): Promise<CheckedProgram> {
  const loaded = await loadProgramCollecting(file);
  const first = loaded.errors[0];
  if (first !== undefined) throw first;
  writeWarnings(loaded.warnings);
  return loaded.program as CheckedProgram;
}

export function formatWarning(warning: CatalogWarning): string {
  const where = warning.location === undefined ? '' : `${formatLocation(warning.location)}: `;
  return `warning[${warning.code}]: ${where}${warning.message}`;
}

export function writeWarnings(warnings: readonly CatalogWarning[]): void {
  for (const warning of warnings) process.stderr.write(`${formatWarning(warning)}\n`);
}
