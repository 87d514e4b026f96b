/**
 * `catrust query --program FILE [--instance NAME] (--sql "…" | --cql "…") [--format table|csv|json]`:
 * load a program, take one of its instances (the last evaluated one by default) as tables —
 * one per entity with `id`, its attributes and its foreign keys (target ids) — and run one SQL
 * statement or one compact CQL query body over it through the planner.
 *
 * `--cql` is the body of a compact query over the instance's schema
 * (`from e : Employee where … select …`); errors in it are reported at `<--cql>:line:column`.
 */
import {
  checkProgramCollecting,
  type CheckedInstance,
  type CheckedProgram,
} from '../../catalog/index.js';
import { CatrustError, didYouMean } from '../../common/index.js';
import { parseProgram } from '../../cql/index.js';
import {
  executePrepared,
  instanceDatabase,
  loadSqlParser,
  prepareSql,
  runCompactQuery,
  resultToCsv,
  resultToJson,
  resultToText,
  type QueryResult,
} from '../../planner/index.js';
import { readSourceFile, toJson, writeOut } from '../io.js';
import { cliCheckOptions, writeWarnings } from '../program.js';

export interface QueryOptions {
  readonly program?: string;
  readonly instance?: string;
  readonly sql?: string;
  readonly cql?: string;
  readonly format: string;
}

const FORMATS = ['table', 'csv', 'json'];
const CQL_FILE = '<--cql>';
const QUERY_NAME = 'query';

function option(field: string, message: string, hint?: string): CatrustError {
  return new CatrustError('E_CLI_OPTION', message, {
    location: { kind: 'field', field },
    ...(hint === undefined ? {} : { hint }),
  });
}

function pickInstance(
  program: CheckedProgram,
  file: string,
  name: string | undefined,
): CheckedInstance {
  if (name !== undefined) {
    const instance = program.instances.get(name);
    if (instance === undefined) {
      throw option(
        '--instance',
        `no instance \`${name}\` in ${file}`,
        didYouMean(name, [...program.instances.keys()]),
      );
    }
    return instance;
  }
  const evaluated = [...program.instances.values()].filter((instance) => instance.evaluated);
  const last = evaluated[evaluated.length - 1];
  if (last === undefined) throw option('--program', `${file} has no instance to query`);
  return last;
}

/** The `--cql` text is wrapped in a query header line: report its errors on the user's lines. */
function onUserLines(error: CatrustError): CatrustError {
  const location = error.location;
  if (location?.kind !== 'source' || location.file !== CQL_FILE || location.line < 2) return error;
  return new CatrustError(error.code, error.bareMessage, {
    location: { ...location, line: location.line - 1 },
    sqlstate: error.sqlstate,
    hint: error.hint,
    details: error.details,
  });
}

function parseCql(text: string, options: { file: string }): ReturnType<typeof parseProgram> {
  try {
    return parseProgram(text, options);
  } catch (error) {
    throw error instanceof CatrustError ? onUserLines(error) : error;
  }
}

export async function runQuery(options: QueryOptions): Promise<void> {
  const format = options.format.toLowerCase();
  if (!FORMATS.includes(format)) {
    throw option('--format', `unknown format \`${options.format}\``, `use ${FORMATS.join(', ')}`);
  }
  if (options.program === undefined)
    throw option('--program', 'give the program to query with --program FILE.cql');
  if ((options.sql === undefined) === (options.cql === undefined)) {
    throw option(
      options.sql === undefined ? '--sql' : '--cql',
      'give exactly one of --sql "…" or --cql "…"',
    );
  }
  const file = options.program;
  const ast = parseProgram(readSourceFile(file), { file });
  const base = checkProgramCollecting(ast, cliCheckOptions());
  const first = base.errors[0];
  if (first !== undefined) throw first;
  writeWarnings(base.program.warnings);
  const instance = pickInstance(base.program, file, options.instance);
  const rows = instance.rows();
  const source = instanceDatabase(rows);
  let result: QueryResult;
  if (options.sql !== undefined) {
    await loadSqlParser();
    result = executePrepared(prepareSql(source, options.sql, { file: '<--sql>' }));
  } else {
    // The query body is checked in the program's scope, under the name of the instance's schema.
    const schemaName = [...base.program.schemas].find(
      ([, schema]) => schema === instance.schema,
    )?.[0];
    if (schemaName === undefined) {
      throw option(
        '--instance',
        `the schema of instance \`${instance.name}\` has no name to query it by`,
      );
    }
    const extra = parseCql(`query ${QUERY_NAME} : ${schemaName} {\n${options.cql ?? ''}\n}`, {
      file: CQL_FILE,
    });
    const checked = checkProgramCollecting(extra, cliCheckOptions(), base.program);
    const error = checked.errors[0];
    if (error !== undefined) throw onUserLines(error);
    const query = checked.program.queries.get(QUERY_NAME);
    if (query?.kind !== 'CompactQuery') throw option('--cql', 'not a compact query');
    result = runCompactQuery(query, source);
  }
  if (format === 'json') writeOut(toJson(resultToJson(result), 0));
  else if (format === 'csv') writeOut(resultToCsv(result));
  else writeOut(resultToText(result));
}
