/**
 * `catrust generate sql FILE [--dialect postgres] [--data]` and `catrust generate cypher FILE`:
 * DDL (and INSERTs of the instances) for every schema of a program (catalog/generate.ts).
 */
import {
  cypherSchema,
  postgresDdl,
  postgresInserts,
  type CheckedProgram,
} from '../../catalog/index.js';
import { CatrustError } from '../../common/index.js';
import { optionError, writeOut } from '../io.js';
import { loadProgram } from '../program.js';

const DIALECTS = ['postgres'];

function schemasOf(program: CheckedProgram, file: string): CheckedProgram['schemas'] {
  if (program.schemas.size === 0) {
    throw new CatrustError('E_CLI_NOTHING', 'the program declares no schema', {
      location: { kind: 'file', file },
    });
  }
  return program.schemas;
}

export async function runGenerateSql(
  file: string,
  options: { dialect: string; data?: boolean },
): Promise<void> {
  const dialect = options.dialect.toLowerCase();
  if (!DIALECTS.includes(dialect)) {
    throw optionError(
      '--dialect',
      `unknown SQL dialect \`${options.dialect}\``,
      `supported: ${DIALECTS.join(', ')}`,
    );
  }
  const program = await loadProgram(file);
  const parts = [...schemasOf(program, file).values()].map((schema) => postgresDdl(schema));
  if (options.data === true) {
    for (const instance of program.instances.values()) {
      // A named instance of a schema declared under another name (e.g. `empty : literal {…}`)
      // has no tables in the DDL above.
      if (program.schemas.get(instance.schema.name) !== instance.schema) continue;
      if (!instance.evaluated) continue;
      parts.push(`-- instance ${instance.name}\n${postgresInserts(instance.rows())}`);
    }
  }
  writeOut(parts.join('\n'));
}

export async function runGenerateCypher(file: string): Promise<void> {
  const program = await loadProgram(file);
  writeOut([...schemasOf(program, file).values()].map((schema) => cypherSchema(schema)).join('\n'));
}
