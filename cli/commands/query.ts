/**
 * `catrust query (--program FILE [--instance NAME] | --data-dir DIR --database NAME [--program FILE])
 * [--sql "…" | --cql "…"] [--format table|csv|json]`:
 * load a program, take one of its instances (the last evaluated one by default) as tables —
 * one per entity with `id`, its attributes and its foreign keys (target ids) — and run one SQL
 * statement or one compact CQL query body over it through the planner.
 *
 * With --data-dir the rows come from a database of the store (`catrust load` puts an instance
 * there); --program then only names the schema for --cql bodies.
 * Without --sql or --cql it reads statements (a REPL on a terminal; see `repl`).
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
  StoreRelationSource,
  type QueryResult,
  type RelationSource,
} from '../../planner/index.js';
import { Store } from '../../store/index.js';
import { optionError, readSourceFile, toJson, writeOut } from '../io.js';
import { formatError } from '../report.js';
import { cliCheckOptions, writeWarnings } from '../program.js';

export interface QueryOptions {
  readonly program?: string;
  readonly dataDir?: string;
  readonly database?: string;
  readonly instance?: string;
  readonly sql?: string;
  readonly cql?: string;
  readonly format: string;
}

const FORMATS = ['table', 'csv', 'json'];
const CQL_FILE = '<--cql>';
const QUERY_NAME = 'query';

export function pickInstance(
  program: CheckedProgram,
  file: string,
  name: string | undefined,
): CheckedInstance {
  if (name !== undefined) {
    const instance = program.instances.get(name);
    if (instance === undefined) {
      throw optionError(
        '--instance',
        `no instance \`${name}\` in ${file}`,
        didYouMean(name, [...program.instances.keys()]),
      );
    }
    return instance;
  }
  const evaluated = [...program.instances.values()].filter((instance) => instance.evaluated);
  const last = evaluated[evaluated.length - 1];
  if (last === undefined) throw optionError('--program', `${file} has no instance to query`);
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

/** A program's instance opened for queries: SQL or compact CQL bodies run against it. */
class QuerySession {
  readonly #schemaName: string | undefined;

  constructor(
    /** Where the rows are: the instance's own tables, or a store database. */
    readonly source: RelationSource,
    /** What names the tables: the label of the prompt and of errors. */
    readonly label: string,
    /** The program and instance whose schema checks `--cql` bodies (absent: SQL only). */
    readonly program: CheckedProgram | undefined,
    readonly instance: CheckedInstance | undefined,
  ) {
    this.#schemaName =
      program === undefined || instance === undefined
        ? undefined
        : [...program.schemas].find(([, schema]) => schema === instance.schema)?.[0];
  }

  async sql(text: string, file: string): Promise<QueryResult> {
    await loadSqlParser();
    return executePrepared(prepareSql(this.source, text, { file }));
  }

  /** A compact query body, checked in the program's scope over the instance's schema. */
  async cql(text: string, file: string): Promise<QueryResult> {
    if (this.#schemaName === undefined || this.program === undefined) {
      throw optionError(
        '--program',
        'a CQL query needs the schema: give --program FILE.cql (with --data-dir, the program whose instance was loaded)',
      );
    }
    const extra = parseCql(`query ${QUERY_NAME} : ${this.#schemaName} {\n${text}\n}`, { file });
    const checked = checkProgramCollecting(extra, await cliCheckOptions(extra), this.program);
    const error = checked.errors[0];
    if (error !== undefined) throw onUserLines(error);
    const query = checked.program.queries.get(QUERY_NAME);
    if (query?.kind !== 'CompactQuery') throw optionError('--cql', 'not a compact query');
    return runCompactQuery(query, this.source);
  }

  /** `\d`: the tables; `\d NAME`: one table's columns. */
  describe(name: string | undefined): string {
    if (name === undefined || name === '') {
      const names = this.source.tableNames();
      return [
        'Tables',
        ...names.map((table) => `  ${table} (${this.source.table(table)?.rowCount() ?? 0} rows)`),
      ].join('\n');
    }
    const table = this.source.table(name);
    if (table === undefined) {
      throw new CatrustError('E_SQL_UNKNOWN_TABLE', `no table \`${name}\``, {
        hint: didYouMean(name, [...this.source.tableNames()]),
      });
    }
    return [
      `Table ${name}`,
      ...table.columns.map(
        (column) =>
          `  ${column.name.padEnd(16)} ${column.type.padEnd(8)} ${column.role}${column.target === undefined ? '' : ` → ${column.target}`}${column.notNull ? ' not null' : ''}`,
      ),
    ].join('\n');
  }
}

function render(result: QueryResult, format: string): string {
  if (format === 'json') return toJson(resultToJson(result), 0);
  if (format === 'csv') return resultToCsv(result);
  return resultToText(result);
}

export async function runQuery(options: QueryOptions): Promise<void> {
  const format = options.format.toLowerCase();
  if (!FORMATS.includes(format)) {
    throw optionError(
      '--format',
      `unknown format \`${options.format}\``,
      `use ${FORMATS.join(', ')}`,
    );
  }
  if (options.program === undefined && options.dataDir === undefined) {
    throw optionError(
      '--program',
      'give the program to query (--program FILE.cql) or a data directory (--data-dir DIR --database NAME)',
    );
  }
  if (options.dataDir !== undefined && options.database === undefined) {
    throw optionError(
      '--database',
      'give the database of the data directory to query with --database NAME',
    );
  }
  if (options.sql !== undefined && options.cql !== undefined) {
    throw optionError('--cql', 'give one of --sql "…" or --cql "…", not both');
  }
  let program: CheckedProgram | undefined;
  let instance: CheckedInstance | undefined;
  if (options.program !== undefined) {
    const file = options.program;
    const ast = parseProgram(readSourceFile(file), { file });
    const base = checkProgramCollecting(ast, await cliCheckOptions(ast));
    const first = base.errors[0];
    if (first !== undefined) throw first;
    writeWarnings(base.program.warnings);
    program = base.program;
    instance = pickInstance(program, file, options.instance);
  }
  let store: Store | undefined;
  try {
    let session: QuerySession;
    if (options.dataDir !== undefined) {
      store = await Store.open(options.dataDir);
      const database = await store.open(options.database ?? '');
      session = new QuerySession(
        new StoreRelationSource(database.view()),
        options.database ?? '',
        program,
        instance,
      );
    } else {
      const chosen = instance as CheckedInstance;
      session = new QuerySession(instanceDatabase(chosen.rows()), chosen.name, program, chosen);
    }
    if (options.sql !== undefined) {
      writeOut(render(await session.sql(options.sql, '<--sql>'), format));
    } else if (options.cql !== undefined) {
      writeOut(render(await session.cql(options.cql, CQL_FILE), format));
    } else {
      await repl(session, format);
    }
  } finally {
    await store?.close();
  }
}

/**
 * The REPL: statements end with `;` and may span lines; a statement starting with `from` is a
 * compact CQL query body, anything else SQL (EXPLAIN included). `\d [table]` describes,
 * `\timing` toggles timing, `\q` quits. Errors are printed and the session goes on. With a
 * terminal it prompts and keeps a history; with piped input it reads statements to the end.
 */
async function repl(session: QuerySession, format: string): Promise<void> {
  const { createInterface } = await import('node:readline');
  const interactive = process.stdin.isTTY;
  const lines = createInterface({
    input: process.stdin,
    output: interactive ? process.stdout : undefined,
    terminal: interactive,
    historySize: 1000,
  });
  const prompt = (continued: boolean): void => {
    if (!interactive) return;
    lines.setPrompt(continued ? `${session.label}-> ` : `${session.label}=> `);
    lines.prompt();
  };
  if (interactive) {
    writeOut(
      `catrust query on instance ${session.label} — end statements with ;  \\d tables  \\q quit`,
    );
  }
  let buffer = '';
  let timing = false;
  let statement = 0;
  let failures = 0;
  prompt(false);
  for await (const line of lines) {
    const trimmed = line.trim();
    if (buffer === '' && trimmed.startsWith('\\')) {
      const [command, argument] = trimmed.split(/\s+/, 2);
      try {
        if (command === '\\q') break;
        else if (command === '\\d') writeOut(session.describe(argument));
        else if (command === '\\timing') {
          timing = !timing;
          writeOut(`Timing is ${timing ? 'on' : 'off'}.`);
        } else
          throw new CatrustError('E_CLI_COMMAND', `unknown command ${command ?? ''}`, {
            hint: 'try \\d, \\timing or \\q',
          });
      } catch (error) {
        failures++;
        process.stderr.write(`${formatError(error)}\n`);
      }
      prompt(false);
      continue;
    }
    buffer = buffer === '' ? line : `${buffer}\n${line}`;
    if (!trimmed.endsWith(';')) {
      prompt(buffer.trim() !== '');
      if (buffer.trim() === '') buffer = '';
      continue;
    }
    const text = buffer.trim().replace(/;\s*$/, '');
    buffer = '';
    statement++;
    const started = performance.now();
    try {
      const file = `<statement ${statement}>`;
      const result = /^from\b/i.test(text)
        ? await session.cql(text, file)
        : await session.sql(text, file);
      writeOut(render(result, format));
      if (timing) writeOut(`Time: ${(performance.now() - started).toFixed(3)} ms`);
    } catch (error) {
      failures++;
      process.stderr.write(`${formatError(error)}\n`);
    }
    prompt(false);
  }
  lines.close();
  if (buffer.trim() !== '') {
    failures++;
    process.stderr.write('error[E_CLI_INPUT]: the input ended inside a statement (missing `;`)\n');
  }
  // Piped input: a failed statement makes the exit status 1, as psql -v ON_ERROR_STOP would.
  if (!interactive && failures > 0) process.exitCode = 1;
}
