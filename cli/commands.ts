/**
 * The table of subcommands. Each entry declares its usage and options here, so that `--help`
 * works on every command without loading it, and imports its implementation on first use.
 * Keep one `register…` block per command, in the order they appear in `catrust --help`.
 */
import type { Command } from 'commander';

interface ServeCliOptions {
  port: string;
  host: string;
  dataDir: string;
  token?: string;
  tokenRo?: string;
  tokenRw?: string;
  tokenAdmin?: string;
  readOnly?: boolean;
  maxConnections: string;
  maxPayloadBytes: string;
  example?: boolean;
  auditLog?: string;
  tlsCert?: string;
  tlsKey?: string;
  walKey?: string;
  anonymizeKey?: string;
  requestTimeoutMs: string;
  walCompactThreshold: string;
  auditLogMaxMb: string;
  auditLogMaxDays: string;
}

interface QueryOptionsCli {
  program?: string;
  instance?: string;
  dataDir?: string;
  database?: string;
  sql?: string;
  cql?: string;
  format: string;
}

export function registerCommands(program: Command): void {
  program
    .command('init')
    .description('scaffold a project with a company.cql program')
    .argument('<dir>', 'the directory to create (or fill)')
    .option('--example', 'start from the bundled example (schema, sample rows and a query)')
    .action(async (dir: string, options: { example?: boolean }) => {
      const { runInit } = await import('./commands/init.js');
      runInit(dir, options);
    });

  program
    .command('parse')
    .description('print the abstract syntax tree of a CQL program as JSON')
    .argument('<file>', 'a .cql program')
    .action(async (file: string) => {
      const { runParse } = await import('./commands/parse.js');
      runParse(file);
    });

  program
    .command('validate')
    .description('check a program and report every error with its location')
    .argument('<file>', 'a .cql program')
    .action(async (file: string) => {
      const { runValidate } = await import('./commands/validate.js');
      await runValidate(file);
    });

  program
    .command('run')
    .description('evaluate every instance of a program and print its rows')
    .argument('<file>', 'a .cql program')
    .option('--json', 'print one JSON object (see docs/run-json.md)')
    .action(async (file: string, options: { json?: boolean }) => {
      const { runRun } = await import('./commands/run.js');
      await runRun(file, options);
    });

  const exportCommand = program
    .command('export')
    .description('export the checked model of a program');
  exportCommand
    .command('json')
    .description('print the checked model (schemas, mappings, queries, instance rows) as JSON')
    .argument('<file>', 'a .cql program')
    .action(async (file: string) => {
      const { runExportJson } = await import('./commands/export.js');
      await runExportJson(file);
    });

  const generate = program
    .command('generate')
    .description('generate DDL for the schemas of a program');
  generate
    .command('sql')
    .description('print SQL DDL: a table per entity with keys, foreign keys, NOT NULL and types')
    .argument('<file>', 'a .cql program')
    .option('--dialect <dialect>', 'SQL dialect', 'postgres')
    .option('--data', 'also INSERT the rows of every instance')
    .action(async (file: string, options: { dialect: string; data?: boolean }) => {
      const { runGenerateSql } = await import('./commands/generate.js');
      await runGenerateSql(file, options);
    });
  generate
    .command('cypher')
    .description('print Neo4j constraints and labels for the schemas')
    .argument('<file>', 'a .cql program')
    .action(async (file: string) => {
      const { runGenerateCypher } = await import('./commands/generate.js');
      await runGenerateCypher(file);
    });

  program
    .command('query')
    .description(
      'run SQL or a compact CQL query over an instance of a program or a stored database',
    )
    .option(
      '--program <file>',
      'the .cql program whose instance is queried (or whose schema --cql uses)',
    )
    .option('--instance <name>', 'the instance to query (default: the last one)')
    .option(
      '--data-dir <dir>',
      'query a database of this data directory instead (see catrust load)',
    )
    .option('--database <name>', 'the database of --data-dir')
    .option('--sql <statement>', 'one SQL statement (PostgreSQL dialect)')
    .option('--cql <query>', 'the body of a compact query: from … where … select …')
    .option('--format <format>', 'table, csv or json', 'table')
    .action(async (options: QueryOptionsCli) => {
      const { runQuery } = await import('./commands/query.js');
      await runQuery(options);
    });

  program
    .command('load')
    .description('store an instance of a program durably as a database of a data directory')
    .argument('<file>', 'a .cql program')
    .requiredOption('--data-dir <dir>', 'the data directory (created when missing)')
    .option('--database <name>', 'the new database (default: the instance name)')
    .option('--instance <name>', 'the instance to store (default: the last one)')
    .action(
      async (file: string, options: { dataDir: string; database?: string; instance?: string }) => {
        const { runLoad } = await import('./commands/load.js');
        await runLoad(file, options);
      },
    );

  for (const kind of ['sigma', 'delta', 'pi'] as const) {
    const what = {
      sigma: 'push an instance forward along a mapping (Σ, the left adjoint of Δ)',
      delta: 'pull an instance back along a mapping (Δ)',
      pi: 'push an instance forward along a mapping (Π, the right adjoint of Δ)',
    }[kind];
    program
      .command(kind)
      .description(what)
      .argument('<file>', 'a .cql program')
      .requiredOption('--mapping <name>', 'the mapping F')
      .requiredOption(
        '--instance <name>',
        `the instance (on F's ${kind === 'delta' ? 'target' : 'source'})`,
      )
      .option('--json', 'print the run JSON (docs/run-json.md)')
      .action(
        async (file: string, options: { mapping: string; instance: string; json?: boolean }) => {
          const { runFunctor } = await import('./commands/functors.js');
          await runFunctor(kind, file, options);
        },
      );
  }
  for (const which of ['unit', 'counit'] as const) {
    program
      .command(which)
      .description(`print the ${which} of Σ ⊣ Δ or Δ ⊣ Π at an instance, as a map of rows`)
      .argument('<file>', 'a .cql program')
      .requiredOption('--mapping <name>', 'the mapping F')
      .requiredOption('--instance <name>', 'the instance')
      .option('--adjunction <which>', 'sigma-delta or delta-pi', 'sigma-delta')
      .option('--json', 'print {source, target, map} as JSON')
      .action(
        async (
          file: string,
          options: { mapping: string; instance: string; adjunction: string; json?: boolean },
        ) => {
          const { runAdjunctionMap } = await import('./commands/functors.js');
          await runAdjunctionMap(which, file, options);
        },
      );
  }

  program
    .command('viz')
    .description('draw the schema graph (entities, attributes, foreign keys)')
    .argument('<file>', 'a .cql program')
    .option('--format <format>', 'dot or svg', 'dot')
    .option('-o, --output <file>', 'write to a file instead of standard output')
    .option('--schema <name>', 'only this schema')
    .action(async (file: string, options: { format: string; output?: string; schema?: string }) => {
      const { runViz } = await import('./commands/viz.js');
      await runViz(file, options);
    });

  program
    .command('serve')
    .description('start the server: NDJSON over TCP (one JSON request per line)')
    .option('--port <port>', 'TCP port (0: any free port)', '7878')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--data-dir <dir>', 'the data directory (created when missing)', 'catrust-data')
    .option('--token <token>', 'bearer token every request must carry (or CATRUSTDB_TOKEN)')
    .option('--token-ro <token>', 'token of the read-only role')
    .option('--token-rw <token>', 'token of the read-write role')
    .option('--token-admin <token>', 'token of the admin role')
    .option('--read-only', 'refuse every write')
    .option('--max-connections <n>', 'connections at once', '128')
    .option('--max-payload-bytes <n>', 'bytes of one request line', String(64 * 1024 * 1024))
    .option('--example', 'load the bundled example into database `example` and use it')
    .option('--wal-key <passphrase>', 'encrypt the databases (or CATRUSTDB_WAL_KEY)')
    .option(
      '--anonymize-key <key>',
      'secret of `anonymize` with the hash strategy (or CATRUSTDB_ANONYMIZE_KEY)',
    )
    .option('--request-timeout-ms <n>', 'time limit of one request (0: none)', '30000')
    .option(
      '--wal-compact-threshold <mib>',
      'compact a database in the background once its WAL passes this size (0: never)',
      '0',
    )
    .option('--tls-cert <file>', 'PEM certificate (chain): serve TLS only')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option('--audit-log <file>', 'record every request (names, never values or tokens) as NDJSON')
    .option('--audit-log-max-mb <n>', 'rotate the audit log past this size (0: never)', '100')
    .option('--audit-log-max-days <n>', 'delete rotated audit logs older than this (0: keep)', '90')
    .action(async (options: ServeCliOptions) => {
      const { runServe } = await import('./commands/serve.js');
      await runServe(options);
    });

  program
    .command('send')
    .description('send NDJSON requests to a catrust server and print the replies')
    .argument(
      '[requests...]',
      'JSON requests, or bare command names (default: lines of standard input)',
    )
    .option('--host <host>', 'server address', '127.0.0.1')
    .option('--port <port>', 'server port', '7878')
    .option('--token <token>', 'token added to every request (or CATRUSTDB_TOKEN)')
    .action(async (requests: string[], options: { host: string; port: string; token?: string }) => {
      const { runSend } = await import('./commands/send.js');
      await runSend(requests, options);
    });
}
