/**
 * The Engine: the one facade every front door calls (NDJSON now; pgwire, Flight and the Studio
 * later). It owns the data directory (the store's named databases, each with the CQL program
 * that defined it), the sessions (current database, open transaction), and the command table;
 * validation of arguments, authorization by role and the read-only switch happen here once,
 * whichever door a request came through.
 *
 * A database's program is kept beside its WAL (`program.cql`: the declarations of every `load`
 * except its instances, appended, written atomically) so that CQL queries and later loads see
 * its schemas, mappings and queries after a restart. Rows live in the store only — never in
 * that file — so a delete followed by `compact` purges them, and an encrypted database keeps
 * them encrypted. A later `load` therefore cannot name an instance of an earlier one.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  checkProgramCollecting,
  type CheckedProgram,
  type CompactQuery,
  type Schema,
} from '../catalog/index.js';
import {
  CatrustError,
  didYouMean,
  valueFromJson,
  valueToJson,
  type Value,
} from '../common/index.js';
import { parseProgram, printProgram } from '../cql/index.js';
import {
  executePrepared,
  appendInstanceRows,
  functorEvaluator,
  loadSqlParser,
  prepareSql,
  resultToJson,
  runCompactQuery,
  schemaTableDefinitions,
  StoreRelationSource,
  type ResultJson,
} from '../planner/index.js';
import {
  isLabelledNull,
  Store,
  type Database,
  type ReadView,
  type TableDefinition,
  type Transaction,
} from '../store/index.js';
import type { AuditLog } from './audit/audit-log.js';
import type { ProgressSink } from './command.js';
import { COMMANDS, type CommandContext } from './commands.js';
import { GatewayError } from './errors.js';
import { parseShape } from './args.js';
import type { RequestEnvelope } from './ndjson/request.js';
import { ENVELOPE_FIELDS } from './ndjson/request.js';
import { roleAllows, rolesFor, type Role } from './security/roles.js';
import { scanMigrationFiles } from './migrations/migration-files.js';
import { DataDirectory } from './security/data-dir.js';
import { replaceFile } from './files.js';
import { TokenPolicy, type TokenConfig } from './security/tokens.js';

export interface EngineOptions {
  readonly dataDir: string;
  readonly tokens?: TokenConfig;
  readonly readOnly?: boolean;
  /** The database new sessions start in (e.g. `example` with `catrust serve --example`). */
  readonly defaultDatabase?: string;
  /** Where every request is recorded (`--audit-log`). */
  readonly audit?: AuditLog;
  /**
   * The passphrase of the databases' encryption (`--wal-key`): new databases are encrypted with
   * it (AES-256-GCM, key by Argon2id), existing ones opened with it (E_STORE_KEY when wrong).
   */
  readonly walKey?: string;
  /** The secret of `anonymize`'s keyed hash (`--anonymize-key`); without it that strategy is refused. */
  readonly anonymizeKey?: string;
  /**
   * The time limit of one request in milliseconds (`--request-timeout-ms`). Checked
   * cooperatively — by query execution between batches and by the migrations' loops — so that
   * a request past it fails with E_TIMEOUT before it commits anything, never after.
   */
  readonly requestTimeoutMs?: number;
  /**
   * WAL bytes past which a database compacts itself in the background after a commit
   * (`--wal-compact-threshold`, in MiB on the command line); undefined: only `compact` does.
   */
  readonly walCompactBytes?: number;
}

/** One client's state: its current database and open transaction. */
export class Session {
  database: string | undefined;
  transaction: { readonly database: string; readonly transaction: Transaction } | undefined;
  constructor(
    readonly peer: string,
    database: string | undefined,
  ) {
    this.database = database;
  }
}

interface DatabaseState {
  readonly database: Database;
  program: CheckedProgram | undefined;
}

const PROGRAM_FILE = 'program.cql';
const MIGRATIONS_FILE = 'migrations.json';

/** One applied migration, as `migrate_status` lists it. */
export interface MigrationRecord {
  readonly version: number;
  readonly name: string;
  readonly sha256: string;
  readonly ts: string;
  readonly status: 'success';
  readonly rows_loaded: number;
}

export class Engine {
  readonly #states = new Map<string, DatabaseState>();
  readonly #opening = new Map<string, Promise<DatabaseState>>();
  readonly tokens: TokenPolicy;
  #walKey: string | undefined;
  /** Whether the door serving this engine speaks TLS (for `security_report`). */
  tls = false;
  /** The door's connection limits (for `security_report`), set by whoever starts the door. */
  doorLimits: { readonly maxConnections: number; readonly maxPayloadBytes: number } | undefined;

  /** Request paths (exports) resolve inside the data directory, outside every database. */
  readonly files: DataDirectory;

  private constructor(
    readonly store: Store,
    readonly options: EngineOptions,
  ) {
    this.files = DataDirectory.open(options.dataDir);
    this.tokens = new TokenPolicy(options.tokens ?? {});
    this.#walKey = options.walKey;
  }

  static async open(options: EngineOptions): Promise<Engine> {
    const engine = new Engine(await Store.open(options.dataDir), options);
    for (const name of await engine.store.list()) engine.files.closeToRequests(name);
    await loadSqlParser();
    return engine;
  }

  newSession(peer: string): Session {
    return new Session(peer, this.options.defaultDatabase);
  }

  /**
   * Validate, authorize and run one request; the reply's fields (without `id` and `ok`). A door
   * that can send progress lines passes `progress`; it is used when the request asked for it.
   */
  async execute(
    session: Session,
    request: RequestEnvelope,
    progress?: ProgressSink,
  ): Promise<Record<string, unknown>> {
    const started = performance.now();
    const at = new Date().toISOString();
    const resolved = { role: undefined as Role | undefined };
    try {
      const reply = await this.#execute(
        session,
        request,
        resolved,
        request.progress ? progress : undefined,
      );
      await this.#audit(session, request, resolved.role, at, started, undefined);
      return reply;
    } catch (error) {
      await this.#audit(session, request, resolved.role, at, started, error);
      throw error;
    }
  }

  /**
   * One audit record per request, allowed or denied: names only (command, database, entity,
   * attributes), never a token or a value. Awaited only when the audit queue is full.
   */
  async #audit(
    session: Session,
    request: RequestEnvelope,
    role: Role | undefined,
    at: string,
    started: number,
    error: unknown,
  ): Promise<void> {
    const audit = this.options.audit;
    if (audit === undefined) return;
    const fields = request.fields;
    const entity = typeof fields['entity'] === 'string' ? fields['entity'] : null;
    const touched = new Set<string>();
    const rows = fields['rows'];
    if (Array.isArray(rows)) {
      for (const row of rows.slice(0, 100)) {
        if (typeof row === 'object' && row !== null)
          for (const key of Object.keys(row)) touched.add(key);
      }
    }
    // The attribute names a command changes: `set` of update, `attributes` of anonymize.
    for (const field of ['set', 'attributes']) {
      const named = fields[field];
      if (typeof named === 'object' && named !== null && !Array.isArray(named))
        for (const key of Object.keys(named)) touched.add(key);
    }
    const code =
      error === undefined ? null : error instanceof CatrustError ? error.code : 'E_INTERNAL';
    await audit.record({
      ts: at,
      peer: session.peer,
      door: 'ndjson',
      role: role ?? null,
      cmd: request.cmd.slice(0, 64),
      db: session.database ?? null,
      entity,
      attr: touched.size === 0 ? null : [...touched].sort().join(','),
      ok: error === undefined,
      code,
      duration_ms: Math.round((performance.now() - started) * 1000) / 1000,
    });
  }

  async #execute(
    session: Session,
    request: RequestEnvelope,
    resolved: { role: Role | undefined },
    progress: ProgressSink | undefined,
  ): Promise<Record<string, unknown>> {
    const command = COMMANDS.get(request.cmd);
    if (command === undefined) {
      throw new GatewayError('E_UNKNOWN_COMMAND', `unknown command \`${request.cmd}\``, {
        hint:
          didYouMean(request.cmd, [...COMMANDS.keys()]) ??
          `commands: ${[...COMMANDS.keys()].join(', ')}`,
      });
    }
    const role: Role | undefined = this.tokens.resolve(request.token);
    resolved.role = role;
    if (role === undefined) {
      throw new GatewayError(
        'E_AUTH',
        request.token === undefined
          ? 'this server needs a token: send "token" with the request'
          : 'the token is not valid',
      );
    }
    if (!roleAllows(role, command.commandClass)) {
      throw new GatewayError(
        'E_FORBIDDEN',
        `\`${request.cmd}\` is a ${command.commandClass} command: it needs the ${rolesFor(command.commandClass).join(' or ')} token`,
      );
    }
    if (this.options.readOnly === true && command.commandClass !== 'read') {
      throw new GatewayError(
        'E_READ_ONLY',
        `\`${request.cmd}\` writes, and this server is read-only (--read-only)`,
      );
    }
    const args = parseShape(command.args, request.fields, '', ENVELOPE_FIELDS);
    const timeout = this.options.requestTimeoutMs;
    const context: CommandContext = {
      engine: this,
      session,
      role,
      deadline: timeout === undefined ? undefined : performance.now() + timeout,
      progress,
    };
    return command.run(context, args);
  }

  /** A session ends: its open transaction is rolled back. */
  endSession(session: Session): void {
    session.transaction?.transaction.rollback();
    session.transaction = undefined;
  }

  async close(): Promise<void> {
    await this.options.audit?.close();
    await this.store.close();
    this.#states.clear();
  }

  // ─── Databases ───────────────────────────────────────────────────────────────────────────

  async databaseNames(): Promise<string[]> {
    return this.store.list();
  }

  /**
   * A database's open state. Concurrent first requests share one open (two opens of one
   * database would race for its lock file).
   */
  state(name: string): Promise<DatabaseState> {
    const known = this.#states.get(name);
    if (known !== undefined) return Promise.resolve(known);
    let opening = this.#opening.get(name);
    if (opening === undefined) {
      opening = this.#open(name).finally(() => this.#opening.delete(name));
      this.#opening.set(name, opening);
    }
    return opening;
  }

  async #open(name: string): Promise<DatabaseState> {
    if (!(await this.store.has(name))) {
      const names = await this.store.list();
      throw new GatewayError('E_UNKNOWN_DATABASE', `no database named \`${name}\``, {
        hint:
          didYouMean(name, names) ??
          (names.length === 0 ? 'create one with db_create' : `databases: ${names.join(', ')}`),
      });
    }
    const database = await this.store.open(name, {
      passphrase: this.#walKey,
      autoCompactBytes: this.options.walCompactBytes,
    });
    const state: DatabaseState = { database, program: undefined };
    const text = await readFile(this.#programFile(name), 'utf8').catch(() => '');
    if (text.trim() !== '') state.program = this.#check(text, `${name}/${PROGRAM_FILE}`, undefined);
    this.#states.set(name, state);
    return state;
  }

  async createDatabase(name: string): Promise<void> {
    if (await this.store.has(name)) {
      throw new GatewayError('E_DATABASE_EXISTS', `database \`${name}\` exists already`);
    }
    await this.store.create(name, [], {
      passphrase: this.#walKey,
      autoCompactBytes: this.options.walCompactBytes,
    });
    this.files.closeToRequests(name);
  }

  async dropDatabase(name: string, session: Session): Promise<void> {
    if (session.transaction?.database === name) {
      throw new GatewayError(
        'E_DATABASE_IN_USE',
        `database \`${name}\` has a transaction open in this session`,
      );
    }
    await this.state(name);
    await this.store.drop(name);
    this.#states.delete(name);
    if (session.database === name) session.database = undefined;
  }

  /** The session's current database, or a typed error saying how to choose one. */
  async current(session: Session): Promise<{ name: string; state: DatabaseState }> {
    if (session.database === undefined) {
      throw new GatewayError('E_UNKNOWN_DATABASE', 'no database is in use', {
        hint: 'send {"cmd":"db_use","name":"…"} (db_list lists them, db_create makes one)',
      });
    }
    return { name: session.database, state: await this.state(session.database) };
  }

  /** What the session reads: its transaction's state, or the committed state. */
  async view(session: Session): Promise<ReadView> {
    const { name, state } = await this.current(session);
    if (session.transaction !== undefined && session.transaction.database === name) {
      return session.transaction.transaction.view;
    }
    return state.database.view();
  }

  // ─── Programs ────────────────────────────────────────────────────────────────────────────

  /**
   * The directory of a database's files (its WAL, snapshots, kept program, migration history):
   * where an area of the gateway keeps a database's own durable records.
   */
  databaseDirectory(name: string): string {
    return join(this.store.directory, name);
  }

  #programFile(name: string): string {
    return join(this.databaseDirectory(name), PROGRAM_FILE);
  }

  #check(text: string, file: string, base: CheckedProgram | undefined): CheckedProgram {
    const parsed = parseProgram(text, { file });
    const checked = checkProgramCollecting(parsed, { evaluator: functorEvaluator() }, base);
    const first = checked.errors[0];
    if (first !== undefined) {
      throw checked.errorCount > 1
        ? new CatrustError(
            first.code,
            `${first.bareMessage} (and ${checked.errorCount - 1} more errors)`,
            {
              location: first.location,
              sqlstate: first.sqlstate,
              hint: first.hint,
            },
          )
        : first;
    }
    return checked.program;
  }

  /**
   * Load a CQL program into the current database: its new schemas become tables, its
   * instances' rows are appended (foreign keys shifted to the rows' new ids), in one
   * transaction; the program text is kept for later loads and queries.
   */
  async load(session: Session, cql: string, file = '<load>'): Promise<Record<string, unknown>> {
    if (session.transaction !== undefined) {
      throw new GatewayError(
        'E_TRANSACTION',
        '`load` runs in its own transaction: commit or roll back first',
      );
    }
    const { name, state } = await this.current(session);
    const program = this.#check(cql, file, state.program);
    const before = new Set(state.program?.declarations.map((d) => `${d.kind}:${d.name}`) ?? []);
    const fresh = program.declarations.filter((d) => !before.has(`${d.kind}:${d.name}`));
    const view = state.database.view();
    const definitions: TableDefinition[] = [];
    for (const declaration of fresh) {
      if (declaration.kind !== 'schema') continue;
      const schema = program.schemas.get(declaration.name) as Schema;
      for (const definition of schemaTableDefinitions(schema)) {
        const entity = definition.entity;
        if (view.hasTable(entity) || definitions.some((d) => d.entity === entity)) {
          throw new GatewayError(
            'E_DATABASE_EXISTS',
            `a table \`${entity}\` exists already in database \`${name}\` (schema \`${schema.name}\`)`,
            {
              hint: 'entity names must be unique in a database: load the schema into another database',
            },
          );
        }
        definitions.push(definition);
      }
    }
    const loaded: Record<string, Record<string, number>> = {};
    const transaction = await state.database.begin();
    try {
      if (definitions.length > 0) transaction.createTables(definitions);
      for (const declaration of fresh) {
        if (declaration.kind !== 'instance') continue;
        const instance = program.instances.get(declaration.name);
        if (instance === undefined || !instance.evaluated) continue;
        const rows = instance.rows();
        if (!rows.tables.every((table) => transaction.view.hasTable(table.entity))) continue;
        // Foreign keys are shifted past the rows the target tables already hold.
        const base = new Map(
          rows.tables.map((table) => [table.entity, transaction.view.table(table.entity).rowCount]),
        );
        loaded[declaration.name] = appendInstanceRows(transaction, rows, base);
      }
      await transaction.commit();
    } catch (error) {
      transaction.rollback();
      throw error;
    }
    // What is kept is the program without its instances: their rows live in the store only,
    // so a delete + compact purges them (and an encrypted database keeps them encrypted).
    const kept = await this.#saveProgram(name, cql);
    state.program = this.#check(kept, `${name}/${PROGRAM_FILE}`, undefined);
    return {
      database: name,
      schemas: fresh.filter((d) => d.kind === 'schema').map((d) => d.name),
      instances: loaded,
      warnings: program.warnings.map((w) => ({ code: w.code, message: w.message })),
    };
  }

  /** Append the program's declarations except instances to the kept program; the whole text. */
  async #saveProgram(name: string, cql: string): Promise<string> {
    const parsed = parseProgram(cql, { file: '<load>' });
    const schemaPart = printProgram({
      ...parsed,
      declarations: parsed.declarations.filter((d) => d.kind !== 'InstanceDecl'),
    });
    const file = this.#programFile(name);
    const previous = await readFile(file, 'utf8').catch(() => '');
    const text =
      previous.trim() === '' ? schemaPart : `${previous.replace(/\n*$/, '')}\n\n${schemaPart}`;
    await replaceFile(file, text);
    return text;
  }

  // ─── Queries ─────────────────────────────────────────────────────────────────────────────

  async sql(
    session: Session,
    text: string,
    params: readonly unknown[],
    deadline?: number,
  ): Promise<ResultJson | { command: string }> {
    const prepared = prepareSql(new StoreRelationSource(await this.view(session)), text, {
      file: '<sql>',
    });
    if (prepared.kind === 'session') {
      const statement = prepared.statement;
      if (statement.kind === 'Transaction') {
        if (statement.action === 'begin') await this.begin(session);
        else if (statement.action === 'commit') await this.commit(session);
        else this.rollback(session);
        return { command: statement.action.toUpperCase() };
      }
      return { command: statement.kind.toUpperCase() };
    }
    return resultToJson(
      executePrepared(
        prepared,
        params as Parameters<typeof executePrepared>[1],
        deadline === undefined ? {} : { deadline },
      ),
    );
  }

  /** A compact CQL query body over the current database's schema. */
  async query(
    session: Session,
    cql: string,
    schemaName: string | undefined,
    deadline?: number,
  ): Promise<ResultJson> {
    const { name, state } = await this.current(session);
    const program = state.program;
    const schemas = [...(program?.schemas.keys() ?? [])];
    const schema = schemaName ?? (schemas.length === 1 ? schemas[0] : undefined);
    if (program === undefined || schema === undefined) {
      throw new GatewayError(
        schemas.length === 0 ? 'E_NOT_FOUND' : 'E_ARG_MISSING',
        schemas.length === 0
          ? `database \`${name}\` has no CQL schema: load a program first`
          : `database \`${name}\` has several schemas: say which with "schema"`,
        { hint: schemas.length === 0 ? undefined : `schemas: ${schemas.join(', ')}` },
      );
    }
    const checked = this.#check(`query q : ${schema} {\n${cql}\n}`, '<query>', program);
    const query = checked.queries.get('q') as CompactQuery;
    return resultToJson(
      runCompactQuery(
        query,
        new StoreRelationSource(await this.view(session)),
        deadline === undefined ? {} : { deadline },
      ),
    );
  }

  // ─── Writes ──────────────────────────────────────────────────────────────────────────────

  /**
   * Run `write` in the session's open transaction, or in a transaction of its own committed
   * before returning (the reply then goes out only once the write is durable).
   */
  async write<T>(session: Session, write: (transaction: Transaction) => T): Promise<T> {
    const { state } = await this.current(session);
    const open = session.transaction?.transaction;
    const transaction = open ?? (await state.database.begin());
    try {
      const result = write(transaction);
      if (open === undefined) await transaction.commit();
      return result;
    } catch (error) {
      if (open === undefined) transaction.rollback();
      throw error;
    }
  }

  async insert(
    session: Session,
    entity: string,
    rows: readonly Record<string, unknown>[],
  ): Promise<number[]> {
    return this.write(session, (transaction) => {
      const table = transaction.view.table(entity);
      const converted = rows.map((row, index) =>
        convertRow(table.definition, row, `rows[${index}]`),
      );
      const range = transaction.insertRows(entity, converted);
      return Array.from({ length: range.count }, (_, i) => range.first + i);
    });
  }

  async update(
    session: Session,
    entity: string,
    ids: readonly number[],
    set: Record<string, unknown>,
  ): Promise<number> {
    return this.write(session, (transaction) =>
      transaction.update(
        entity,
        ids,
        convertRow(transaction.view.table(entity).definition, set, 'set'),
      ),
    );
  }

  async delete(
    session: Session,
    entity: string,
    ids: readonly number[],
    cascade: boolean,
  ): Promise<number> {
    return this.write(session, (transaction) => transaction.delete(entity, ids, { cascade }));
  }

  /**
   * GDPR Art. 15: every row that is the subject (`entity`, `id`) or points to it through
   * foreign keys, transitively, with all its values (labelled nulls as `{"null": term}`).
   */
  async subjectAccess(
    session: Session,
    entity: string,
    id: number,
  ): Promise<Record<string, unknown>> {
    const view = await this.view(session);
    const subject = view.table(entity);
    if (!subject.isActive(id)) {
      throw new GatewayError('E_NOT_FOUND', `\`${entity}\` has no row ${id}`);
    }
    const found = new Map<string, Set<number>>([[entity, new Set([id])]]);
    const definitions = view.definitions();
    for (let changed = true; changed;) {
      changed = false;
      for (const definition of definitions) {
        const table = view.table(definition.entity);
        for (const column of definition.columns) {
          if (column.type.kind !== 'foreignKey') continue;
          const targets = found.get(column.type.target);
          if (targets === undefined || targets.size === 0) continue;
          const values = table.column(column.name);
          let rows = found.get(definition.entity);
          for (const row of table.activeRowIds()) {
            const target = values.value(row);
            if (typeof target !== 'number' || !targets.has(target) || rows?.has(row) === true)
              continue;
            if (rows === undefined) {
              rows = new Set();
              found.set(definition.entity, rows);
            }
            rows.add(row);
            changed = true;
          }
        }
      }
    }
    const rows: Record<string, Record<string, unknown>[]> = {};
    for (const [name, ids] of found) {
      const table = view.table(name);
      const types = new Map(table.definition.columns.map((c) => [c.name, c.type]));
      rows[name] = [...ids]
        .sort((a, b) => a - b)
        .map((row) => {
          const record = table.row(row, { labels: true }) ?? {};
          const json: Record<string, unknown> = { id: row };
          for (const [column, value] of Object.entries(record)) {
            const type = types.get(column);
            json[column] = isLabelledNull(value)
              ? { null: value.term }
              : type?.kind === 'scalar'
                ? valueToJson(type.scalar, value)
                : value;
          }
          return json;
        });
    }
    return { subject: { entity, row: id }, rows };
  }

  /**
   * GDPR Art. 20: every active row of an entity written to a file of the data directory, as
   * JSON lines (the values' JSON forms, labelled nulls as `{"null": term}`) or CSV (RFC 4180,
   * a header row, labelled nulls and NULL as empty fields). Written to a temporary file and
   * renamed into place.
   */
  async exportRows(
    session: Session,
    entity: string,
    path: string,
    format: 'jsonl' | 'csv',
  ): Promise<Record<string, unknown>> {
    const view = await this.view(session);
    const table = view.table(entity);
    const target = this.files.resolve(path, 'path', 'write');
    const lines: string[] = [];
    const names = ['id', ...table.definition.columns.map((c) => c.name)];
    if (format === 'csv') lines.push(names.map(csvField).join(','));
    let count = 0;
    for (const row of table.activeRowIds()) {
      const json = rowToJson(table, row);
      lines.push(
        format === 'jsonl'
          ? JSON.stringify(json)
          : names.map((name) => csvField(csvText(json[name]))).join(','),
      );
      count++;
    }
    const end = format === 'csv' ? '\r\n' : '\n';
    await replaceFile(target, lines.map((line) => `${line}${end}`).join(''));
    return { entity, path, rows: count };
  }

  // ─── Migration registry ──────────────────────────────────────────────────────────────────

  #historyFile(name: string): string {
    return join(this.databaseDirectory(name), MIGRATIONS_FILE);
  }

  async #history(name: string): Promise<MigrationRecord[]> {
    const text = await readFile(this.#historyFile(name), 'utf8').catch(() => '[]');
    return JSON.parse(text) as MigrationRecord[];
  }

  async #saveHistory(name: string, history: readonly MigrationRecord[]): Promise<void> {
    await replaceFile(this.#historyFile(name), `${JSON.stringify(history, null, 2)}\n`);
  }

  /**
   * Apply the `V{N}__{description}.cql` files of `dir` (inside the data directory) that are not
   * applied yet, in version order, each as one `load`; record each durably. Applied files are
   * checked first: one changed since it was applied stops everything (E_MIGRATION_CHECKSUM).
   * A failing migration leaves the database as it was before it (earlier ones stay applied).
   */
  async migrate(session: Session, dir: string): Promise<Record<string, unknown>> {
    const { name } = await this.current(session);
    const files = scanMigrationFiles(this.files.resolve(dir, 'dir', 'directory'));
    const history = await this.#history(name);
    const applied = new Map(history.map((record) => [record.version, record]));
    for (const file of files) {
      const record = applied.get(file.version);
      if (record !== undefined && record.sha256 !== file.sha256) {
        throw new GatewayError(
          'E_MIGRATION_CHECKSUM',
          `${file.name} was changed after it was applied (version ${file.version})`,
          {
            hint: 'never edit an applied migration: add a new V{N}__… file',
            details: { file: file.name, applied: record.sha256, now: file.sha256 },
          },
        );
      }
    }
    const done: MigrationRecord[] = [];
    for (const file of files) {
      if (applied.has(file.version)) continue;
      let result: Record<string, unknown>;
      try {
        result = await this.load(session, file.text, file.name);
      } catch (error) {
        // A bug is not a user error: it goes up as it is. A user error is located in the file.
        if (!(error instanceof CatrustError)) throw error;
        throw new CatrustError(error.code, error.bareMessage, {
          location: error.location ?? { kind: 'file', file: file.name },
          sqlstate: error.sqlstate,
          hint: error.hint,
          details: { migration: file.name, applied: done.map((record) => record.name) },
        });
      }
      const instances = result['instances'] as Record<string, Record<string, number>>;
      const rowsLoaded = Object.values(instances).reduce(
        (sum, counts) => sum + Object.values(counts).reduce((a, b) => a + b, 0),
        0,
      );
      const record: MigrationRecord = {
        version: file.version,
        name: file.name,
        sha256: file.sha256,
        ts: new Date().toISOString(),
        status: 'success',
        rows_loaded: rowsLoaded,
      };
      history.push(record);
      await this.#saveHistory(name, history);
      done.push(record);
    }
    return {
      database: name,
      applied: done,
      current_version: history.reduce((v, r) => Math.max(v, r.version), 0),
    };
  }

  async migrationStatus(
    session: Session,
    dir: string | undefined,
  ): Promise<Record<string, unknown>> {
    const { name } = await this.current(session);
    const history = await this.#history(name);
    const applied = new Set(history.map((record) => record.version));
    const pending =
      dir === undefined
        ? undefined
        : scanMigrationFiles(this.files.resolve(dir, 'dir', 'directory'))
            .filter((file) => !applied.has(file.version))
            .map((file) => ({ version: file.version, name: file.name, sha256: file.sha256 }));
    return { database: name, applied: history, ...(pending === undefined ? {} : { pending }) };
  }

  get encrypted(): boolean {
    return this.#walKey !== undefined;
  }

  /** The passphrase databases are opened with: `--wal-key`, or the one `rotate_wal_key` set since. */
  get walKey(): string | undefined {
    return this.#walKey;
  }

  /**
   * Re-encrypt the current database under a new passphrase (a new WAL swapped in atomically
   * while it stays open); the engine opens databases with the new passphrase from then on.
   */
  async rotateKey(session: Session, passphrase: string): Promise<Record<string, unknown>> {
    if (this.#walKey === undefined) {
      throw new GatewayError(
        'E_CONFIG',
        'this server does not encrypt its databases (start it with --wal-key)',
      );
    }
    if (session.transaction !== undefined) {
      throw new GatewayError(
        'E_TRANSACTION',
        '`rotate_wal_key` runs on committed data: commit or roll back first',
      );
    }
    const { name, state } = await this.current(session);
    const report = await state.database.rotateKey(passphrase);
    this.#walKey = passphrase;
    return { database: name, lsn: report.lsn, bytesAfter: report.bytesAfter };
  }

  /** The database's files: compaction (deleted rows purged) or a snapshot. */
  async maintain(
    session: Session,
    action: 'compact' | 'snapshot',
  ): Promise<Record<string, unknown>> {
    if (session.transaction !== undefined) {
      throw new GatewayError(
        'E_TRANSACTION',
        `\`${action}\` runs on committed data: commit or roll back first`,
      );
    }
    const { name, state } = await this.current(session);
    const report =
      action === 'compact' ? await state.database.compact() : await state.database.snapshot();
    return {
      database: name,
      ...(report === undefined ? { skipped: 'the database has no files (in memory)' } : report),
    };
  }

  async begin(session: Session): Promise<void> {
    if (session.transaction !== undefined)
      throw new GatewayError('E_TRANSACTION', 'a transaction is open already');
    const { name, state } = await this.current(session);
    session.transaction = { database: name, transaction: await state.database.begin() };
  }

  async commit(session: Session): Promise<void> {
    const open = session.transaction;
    if (open === undefined)
      throw new GatewayError('E_TRANSACTION', 'no transaction is open (send begin first)');
    session.transaction = undefined;
    await open.transaction.commit();
  }

  rollback(session: Session): void {
    const open = session.transaction;
    if (open === undefined)
      throw new GatewayError('E_TRANSACTION', 'no transaction is open (send begin first)');
    session.transaction = undefined;
    open.transaction.rollback();
  }
}

/** A JSON row of an insert → store values by the table's column types, fields named on error. */
function convertRow(
  definition: TableDefinition,
  row: Record<string, unknown>,
  field: string,
): Record<string, Value> {
  const result: Record<string, Value> = {};
  for (const [name, value] of Object.entries(row)) {
    const column = definition.columns.find((c) => c.name === name);
    if (column === undefined) {
      throw new GatewayError(
        'E_ARG_UNKNOWN',
        `\`${definition.entity}\` has no column \`${name}\``,
        {
          location: { kind: 'field', field: `${field}.${name}` },
          hint: didYouMean(
            name,
            definition.columns.map((c) => c.name),
          ),
        },
      );
    }
    result[name] =
      column.type.kind === 'foreignKey'
        ? valueFromJson('Int', value, `${field}.${name}`)
        : valueFromJson(column.type.scalar, value, `${field}.${name}`);
  }
  return result;
}

/** One active row as JSON: `id`, then every column's value (labelled nulls as terms). */
function rowToJson(table: ReturnType<ReadView['table']>, row: number): Record<string, unknown> {
  const types = new Map(table.definition.columns.map((c) => [c.name, c.type]));
  const record = table.row(row, { labels: true }) ?? {};
  const json: Record<string, unknown> = { id: row };
  for (const [column, value] of Object.entries(record)) {
    const type = types.get(column);
    json[column] = isLabelledNull(value)
      ? { null: value.term }
      : type?.kind === 'scalar'
        ? valueToJson(type.scalar, value)
        : value;
  }
  return json;
}

function csvText(value: unknown): string {
  if (value === null || value === undefined || typeof value === 'object') return '';
  return String(value);
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
