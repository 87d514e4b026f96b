/**
 * `catrust init [--example] DIR`: scaffold a project — DIR/company.cql (the bundled example with
 * `--example`, else a minimal schema to start from) and a README saying what to run next.
 * An existing file is never overwritten.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CatrustError, fieldLocation } from '../../common/index.js';
import { writeOut } from '../io.js';

const STARTER = `// A catrust program. Run it with: catrust run company.cql
schema Company {
  entities Employee Department
  foreign_keys works_in : Employee -> Department
  attributes emp_name : Employee -> String!
             dept_name : Department -> String!
}

instance Sample : Company {
  Department { eng: dept_name = "Engineering" }
  Employee { ada: emp_name = "Ada", works_in = eng }
}
`;

/** The repository's examples/ folder, found from this file (dist/cli/commands or cli/commands). */
export function bundledExamplesDir(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth++) {
    const candidate = join(folder, 'examples');
    if (existsSync(join(candidate, 'company.cql'))) return candidate;
    folder = dirname(folder);
  }
  throw new CatrustError(
    'E_IO',
    'the bundled examples/ folder was not found next to the catrust installation',
  );
}

export function runInit(directory: string, options: { example?: boolean }): void {
  const target = resolve(directory);
  mkdirSync(target, { recursive: true });
  const program = options.example
    ? readFileSync(join(bundledExamplesDir(), 'company.cql'), 'utf8')
    : STARTER;
  const files: [string, string][] = [
    ['company.cql', program],
    [
      'README.md',
      `# ${directory}\n\nA catrust project.\n\n- \`catrust validate company.cql\` checks the program.\n- \`catrust run company.cql\` evaluates it and prints every instance.\n`,
    ],
  ];
  for (const [name] of files) {
    if (existsSync(join(target, name))) {
      throw new CatrustError(
        'E_EXISTS',
        `${join(directory, name)} already exists; init never overwrites files`,
        {
          location: fieldLocation('DIR'),
          sqlstate: '42710',
        },
      );
    }
  }
  for (const [name, text] of files) writeFileSync(join(target, name), text);
  writeOut(
    `created ${join(directory, 'company.cql')} and ${join(directory, 'README.md')}\nnext: catrust run ${join(directory, 'company.cql')}`,
  );
}
