/**
 * Layers point down (STYLE.md §1, ARCHITECTURE.md "Layout"): this test reads every import of
 * every source file and fails on one that reaches a layer above, or that reaches into another
 * folder past its public surface (`index.ts`).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep, dirname } from 'node:path';
import { projectRoot } from '../helpers/paths.js';

/** Which of our folders each folder may import. `store` may import only types of `catalog`. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  common: [],
  cql: ['common'],
  catalog: ['common', 'cql'],
  store: ['common', 'catalog'],
  planner: ['common', 'cql', 'catalog', 'store'],
  gateway: ['common', 'cql', 'catalog', 'store', 'planner'],
  pgwire: ['common', 'gateway'],
  flight: ['common', 'gateway'],
  studio: ['common', 'gateway'],
};
/** Folders that may import anything: the CLI, tests and benchmarks sit on top. */
const UNRESTRICTED = new Set(['cli', 'test', 'bench']);
/** Imports from these folders need not go through index.ts (tests reach module internals). */
const DEEP_IMPORTS_ALLOWED = new Set(['test', 'bench']);

const IMPORT_PATTERN =
  /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/g;

interface ImportEdge {
  readonly file: string;
  readonly specifier: string;
  readonly typeOnly: boolean;
}

function sourceFiles(folder: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(folder)) {
    const path = join(folder, entry);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
    else if (entry.endsWith('.ts')) files.push(path);
  }
  return files;
}

function importsOf(file: string): ImportEdge[] {
  const text = readFileSync(file, 'utf8');
  const edges: ImportEdge[] = [];
  for (const match of text.matchAll(IMPORT_PATTERN)) {
    const specifier = match[3] ?? '';
    if (specifier.startsWith('.')) {
      edges.push({ file, specifier, typeOnly: match[2] !== undefined });
    }
  }
  return edges;
}

function topFolder(root: string, path: string): string {
  return relative(root, path).split(sep)[0] ?? '';
}

export function layerViolations(root: string): string[] {
  const violations: string[] = [];
  const folders = [...Object.keys(ALLOWED), ...UNRESTRICTED];
  for (const folder of folders) {
    const absolute = join(root, folder);
    let files: string[];
    try {
      files = sourceFiles(absolute);
    } catch {
      continue; // the folder arrives with a later issue
    }
    for (const file of files) {
      for (const edge of importsOf(file)) {
        const target = resolve(dirname(file), edge.specifier);
        const targetFolder = topFolder(root, target);
        if (targetFolder === folder) continue;
        const where = `${relative(root, file)} imports ${edge.specifier}`;
        if (!UNRESTRICTED.has(folder)) {
          const allowed = ALLOWED[folder] ?? [];
          if (!allowed.includes(targetFolder)) {
            violations.push(`${where}: ${folder}/ may not import ${targetFolder}/`);
            continue;
          }
          if (folder === 'store' && targetFolder === 'catalog' && !edge.typeOnly) {
            violations.push(`${where}: store/ may import only types of catalog/ (use import type)`);
          }
        }
        const relativeTarget = relative(join(root, targetFolder), target);
        if (!DEEP_IMPORTS_ALLOWED.has(folder) && relativeTarget !== 'index.js') {
          violations.push(`${where}: import ${targetFolder}/index.js, its public surface`);
        }
      }
    }
  }
  return violations;
}

describe('architecture: layers point down', () => {
  it('no source file imports a layer above it or past a folder index', () => {
    assert.deepEqual(layerViolations(projectRoot), []);
  });

  it('the check itself catches an upward import', () => {
    const edges = importsOf(join(projectRoot, 'test', 'architecture', 'layers.test.ts'));
    assert.ok(edges.some((edge) => edge.specifier === '../helpers/paths.js'));
  });
});
