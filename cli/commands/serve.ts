/**
 * `catrust serve`: the server users run. It opens the data directory, starts the NDJSON door
 * (one JSON request per line over TCP, docs/protocol.md) and says where it listens and how to
 * try it. `--example` first loads the bundled example (examples/company.cql) into a database
 * `example` (once) and makes it every session's current database, so a newcomer can
 * `nc localhost 7878` and query at once. SIGINT/SIGTERM stop it gracefully: no new
 * connections, in-flight requests answered, databases closed (their WAL is already durable).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CatrustError } from '../../common/index.js';
import { AuditLog, Engine, NdjsonServer } from '../../gateway/index.js';
import { optionError, readFileBytes } from '../io.js';

export interface ServeOptions {
  readonly port: string;
  readonly host: string;
  readonly dataDir: string;
  readonly token?: string;
  readonly tokenRo?: string;
  readonly tokenRw?: string;
  readonly tokenAdmin?: string;
  readonly readOnly?: boolean;
  readonly maxConnections: string;
  readonly maxPayloadBytes: string;
  readonly example?: boolean;
  readonly auditLog?: string;
  readonly tlsCert?: string;
  readonly walKey?: string;
  readonly anonymizeKey?: string;
  readonly requestTimeoutMs: string;
  readonly walCompactThreshold: string;
  readonly tlsKey?: string;
  readonly auditLogMaxMb: string;
  readonly auditLogMaxDays: string;
}

const EXAMPLE_DATABASE = 'example';

function integerOption(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw optionError(
      flag,
      `${flag} must be a whole number from ${min} to ${max}, not \`${text}\``,
    );
  }
  return value;
}

/** The bundled example, found from this file in the source tree or in dist/. */
function exampleProgram(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    const candidate = join(folder, 'examples', 'company.cql');
    if (existsSync(candidate)) return readFileSync(candidate, 'utf8');
    folder = dirname(folder);
  }
  throw new CatrustError('E_IO', 'the bundled example examples/company.cql was not found');
}

function readTls(certFile: string, keyFile: string | undefined): { cert: Buffer; key: Buffer } {
  if (keyFile === undefined) {
    throw optionError('--tls-key', '--tls-cert needs --tls-key');
  }
  return { cert: readFileBytes(certFile), key: readFileBytes(keyFile) };
}

export async function runServe(options: ServeOptions): Promise<void> {
  const port = integerOption('--port', options.port, 0, 65_535);
  const maxConnections = integerOption('--max-connections', options.maxConnections, 1, 65_536);
  const maxPayloadBytes = integerOption(
    '--max-payload-bytes',
    options.maxPayloadBytes,
    1024,
    2 ** 31 - 1,
  );
  const audit =
    options.auditLog === undefined
      ? undefined
      : await AuditLog.open({
          path: options.auditLog,
          maxBytes:
            integerOption('--audit-log-max-mb', options.auditLogMaxMb, 0, 1_000_000) * 1024 * 1024,
          maxDays: integerOption('--audit-log-max-days', options.auditLogMaxDays, 0, 36_500),
        });
  const walKey = options.walKey ?? process.env['CATRUSTDB_WAL_KEY'];
  if (walKey !== undefined && walKey.length < 12) {
    throw optionError('--wal-key', '--wal-key must be at least 12 characters long');
  }
  const anonymizeKey = options.anonymizeKey ?? process.env['CATRUSTDB_ANONYMIZE_KEY'];
  if (anonymizeKey !== undefined && anonymizeKey.length < 16) {
    throw optionError('--anonymize-key', '--anonymize-key must be at least 16 characters long');
  }
  const requestTimeoutMs = integerOption(
    '--request-timeout-ms',
    options.requestTimeoutMs,
    0,
    2 ** 31 - 1,
  );
  const walCompactMib = integerOption(
    '--wal-compact-threshold',
    options.walCompactThreshold,
    0,
    1_048_576,
  );
  const engine = await Engine.open({
    ...(walCompactMib === 0 ? {} : { walCompactBytes: walCompactMib * 1024 * 1024 }),
    ...(anonymizeKey === undefined ? {} : { anonymizeKey }),
    ...(requestTimeoutMs === 0 ? {} : { requestTimeoutMs }),
    ...(audit === undefined ? {} : { audit }),
    ...(walKey === undefined ? {} : { walKey }),
    dataDir: options.dataDir,
    tokens: {
      token: options.token ?? process.env['CATRUSTDB_TOKEN'],
      tokenRo: options.tokenRo,
      tokenRw: options.tokenRw,
      tokenAdmin: options.tokenAdmin,
    },
    readOnly: options.readOnly === true,
    ...(options.example === true ? { defaultDatabase: EXAMPLE_DATABASE } : {}),
  });
  if (options.example === true && !(await engine.store.has(EXAMPLE_DATABASE))) {
    await engine.createDatabase(EXAMPLE_DATABASE);
    const session = engine.newSession('serve --example');
    await engine.load(session, exampleProgram());
  }
  engine.tls = options.tlsCert !== undefined;
  engine.doorLimits = { maxConnections, maxPayloadBytes };
  const server = new NdjsonServer(engine, {
    maxConnections,
    maxPayloadBytes,
    ...(options.tlsCert === undefined ? {} : { tls: readTls(options.tlsCert, options.tlsKey) }),
  });
  const address = await server.listen(port, options.host);
  const auth =
    engine.tokens.mode === 'none'
      ? 'none (every client is admin: give --token in production)'
      : engine.tokens.mode;
  // One write, so that whoever reads the first line also has the hint.
  const hint =
    options.example === true
      ? `try: catrust send --port ${address.port} '{"cmd":"query","cql":"from e : Employee select e.emp_name e.works_in.dept_name"}'\n` +
        `  (or any NDJSON client: echo '{"cmd":"db_list"}' | nc ${options.host} ${address.port})\n`
      : '';
  process.stdout.write(
    `catrust serve: NDJSON${options.tlsCert === undefined ? '' : ' over TLS'} on ${address.address}:${address.port}, data in ${options.dataDir}, auth: ${auth}` +
      `${options.readOnly === true ? ', read-only' : ''}${walKey === undefined ? '' : ', encrypted'}${audit === undefined ? '' : `, audit log ${audit.path}`}\n${hint}`,
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void server
        .close()
        .then(() => engine.close())
        .then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.stdout.write('catrust serve: stopped\n');
}
