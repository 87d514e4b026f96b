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
import { parseProgramCollectingErrors } from '../cql/index.js';
import { functorEvaluator } from '../planner/index.js';
import { readSourceFile } from './io.js';

export interface LoadedProgram {
  readonly program: CheckedProgram | undefined;
  readonly errors: readonly CatrustError[];
  readonly errorCount: number;
  readonly warnings: readonly CatalogWarning[];
}

/**
 * The options every CLI command checks with: local files may run their external code, and
 * Σ/Δ/Π/eval instances are evaluated by the functor layer.
 */
export function cliCheckOptions(): CheckOptions {
  return { allowExternalCode: true, evaluator: functorEvaluator() };
}

/** Parse (recovering, so every syntax error is seen) and check; never throws for user errors. */
export function loadProgramCollecting(file: string): LoadedProgram {
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
  const checked = checkProgramCollecting(parsed.program, cliCheckOptions());
  return {
    program: checked.program,
    errors: checked.errors,
    errorCount: checked.errorCount,
    warnings: checked.program.warnings,
  };
}

/** The checked program; its first error thrown. Warnings go to stderr. */
export function loadProgram(file: string): CheckedProgram {
  const loaded = loadProgramCollecting(file);
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
