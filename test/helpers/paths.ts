/**
 * Paths for tests. Tests run compiled from dist/test/… (npm test) or as TypeScript through tsx;
 * `projectRoot` is the repository root in both cases, and `cliEntry` the `catrust` command to
 * spawn as a real process.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

function findRoot(start: string): string {
  let folder = start;
  for (;;) {
    if (existsSync(join(folder, 'package.json')) && !folder.endsWith('dist')) return folder;
    const parent = dirname(folder);
    if (parent === folder) throw new Error(`no package.json above ${start}`);
    folder = parent;
  }
}

export const projectRoot = findRoot(here);

/** True when this file runs compiled (from dist/), false under tsx. */
export const runningCompiled = here.split(/[\\/]/).includes('dist');

/** The node arguments that start the `catrust` CLI: the compiled entry, or the source under tsx. */
export function cliArgs(): string[] {
  return runningCompiled
    ? [resolve(projectRoot, 'dist', 'cli', 'main.js')]
    : ['--import', 'tsx', resolve(projectRoot, 'cli', 'main.ts')];
}

export const examplesDir = join(projectRoot, 'examples');
