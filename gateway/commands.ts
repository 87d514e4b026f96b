/**
 * The command table of the NDJSON protocol (docs/protocol.md): each command its argument shape
 * (checked by the Engine for every door), its class for roles (read / write / admin) and its
 * handler. A command whose capability does not exist yet is not in the table: clients get
 * `E_UNKNOWN_COMMAND`, never a stub.
 */
import {
  arrayArg,
  booleanArg,
  integerArg,
  jsonArg,
  withDefault,
  optional,
  recordArg,
  stringArg,
  type JsonValue,
} from './args.js';
import { command, NAME, type Command } from './command.js';
import { SYSTEM_TABLE_PREFIX } from '../planner/index.js';
import { GatewayError } from './errors.js';
import { DATA_COMMANDS } from './data/index.js';
import { FUNCTOR_COMMANDS } from './functors/commands.js';
import { INTERCHANGE_COMMANDS } from './interchange/index.js';

const TABLE: readonly Command[] = [
  command({
    name: 'ping',
    commandClass: 'read',
    summary: 'check the connection; the server version',
    args: {},
    run: () => Promise.resolve({ version: '0.1.0' }),
  }),
  command({
    name: 'db_list',
    commandClass: 'read',
    summary: 'the databases of the data directory, and the session’s current one',
    args: {},
    run: async ({ engine, session }) => ({
      databases: await engine.databaseNames(),
      current: session.database ?? null,
    }),
  }),
  command({
    name: 'db_create',
    commandClass: 'admin',
    summary: 'create an empty database and use it',
    args: { name: stringArg(NAME) },
    run: async ({ engine, session }, { name }) => {
      await engine.createDatabase(name);
      session.database = name;
      return { database: name };
    },
  }),
  command({
    name: 'db_use',
    commandClass: 'read',
    summary: 'make a database the session’s current one',
    args: { name: stringArg(NAME) },
    run: async ({ engine, session }, { name }) => {
      if (session.transaction !== undefined) {
        throw new GatewayError(
          'E_TRANSACTION',
          'commit or roll back the open transaction before db_use',
        );
      }
      await engine.state(name);
      session.database = name;
      return { database: name };
    },
  }),
  command({
    name: 'db_drop',
    commandClass: 'admin',
    summary: 'delete a database and all its files',
    args: { name: stringArg(NAME) },
    run: async ({ engine, session }, { name }) => {
      await engine.dropDatabase(name, session);
      return { dropped: name };
    },
  }),
  command({
    name: 'load',
    commandClass: 'write',
    summary:
      'load a CQL program (its schemas become tables, its instances rows) or rows into an entity, in one transaction',
    args: {
      cql: optional(stringArg({ minLength: 1 })),
      entity: optional(stringArg({ minLength: 1 })),
      rows: optional(arrayArg(recordArg(jsonArg()), { minItems: 1 })),
    },
    run: async ({ engine, session }, { cql, entity, rows }) => {
      if (cql !== undefined && entity === undefined && rows === undefined) {
        return engine.load(session, cql);
      }
      if (cql === undefined && entity !== undefined && rows !== undefined) {
        const { name } = await engine.current(session);
        const ids = await engine.insert(session, entity, rows as Record<string, JsonValue>[]);
        return { database: name, entity, ids };
      }
      const missing = cql === undefined && (entity === undefined || rows === undefined);
      throw new GatewayError(
        missing ? 'E_ARG_MISSING' : 'E_ARG_INVALID',
        missing
          ? 'load takes a program ("cql") or rows ("entity" and "rows")'
          : 'load takes a program ("cql") or rows ("entity" and "rows"), not both',
        {
          location: {
            kind: 'field',
            field: cql === undefined ? (entity === undefined ? 'entity' : 'rows') : 'cql',
          },
        },
      );
    },
  }),
  command({
    name: 'insert',
    commandClass: 'write',
    summary: 'insert rows into an entity; answered once durable (or at commit in a transaction)',
    args: {
      entity: stringArg({ minLength: 1 }),
      rows: arrayArg(recordArg(jsonArg()), { minItems: 1 }),
    },
    run: async ({ engine, session }, { entity, rows }) => ({
      ids: await engine.insert(session, entity, rows as Record<string, JsonValue>[]),
    }),
  }),
  command({
    name: 'sql',
    commandClass: 'read',
    summary: 'run one SQL statement (PostgreSQL dialect) with optional $n parameters',
    args: { sql: stringArg({ minLength: 1 }), params: optional(arrayArg(jsonArg())) },
    run: async ({ engine, session, deadline }, { sql, params }) => ({
      ...(await engine.sql(session, sql, params ?? [], deadline)),
    }),
  }),
  command({
    name: 'query',
    commandClass: 'read',
    summary: 'run a compact CQL query body (from … where … select …) over the database’s schema',
    args: { cql: stringArg({ minLength: 1 }), schema: optional(stringArg(NAME)) },
    run: async ({ engine, session, deadline }, { cql, schema }) => ({
      ...(await engine.query(session, cql, schema, deadline)),
    }),
  }),
  command({
    name: 'begin',
    commandClass: 'write',
    summary: 'open a transaction: its writes are invisible to others until commit',
    args: {},
    run: async ({ engine, session }) => {
      await engine.begin(session);
      return {};
    },
  }),
  command({
    name: 'commit',
    commandClass: 'write',
    summary: 'commit the open transaction (one WAL entry, durable when answered)',
    args: {},
    run: async ({ engine, session }) => {
      await engine.commit(session);
      return {};
    },
  }),
  command({
    name: 'rollback',
    commandClass: 'write',
    summary: 'drop the open transaction’s writes',
    args: {},
    run: ({ engine, session }) => {
      engine.rollback(session);
      return Promise.resolve({});
    },
  }),
  command({
    name: 'explain',
    commandClass: 'read',
    summary: 'the optimised plan of a SQL query (with analyze: run it, rows and time per operator)',
    args: { sql: stringArg({ minLength: 1 }), analyze: withDefault(booleanArg(), false) },
    run: async ({ engine, session, deadline }, { sql, analyze }) => {
      const result = await engine.sql(
        session,
        `EXPLAIN ${analyze ? 'ANALYZE ' : ''}${sql}`,
        [],
        deadline,
      );
      const rows = 'rows' in result ? result.rows : [];
      return { plan: rows.map((row) => String(row[0])).join('\n') };
    },
  }),
  command({
    name: 'update',
    commandClass: 'write',
    summary: 'set columns of rows given by id (GDPR Art. 16: rectification); durable when answered',
    args: {
      entity: stringArg({ minLength: 1 }),
      ids: arrayArg(integerArg({ min: 0 }), { minItems: 1 }),
      set: recordArg(jsonArg()),
    },
    run: async ({ engine, session }, { entity, ids, set }) => ({
      updated: await engine.update(session, entity, ids, set),
    }),
  }),
  command({
    name: 'delete',
    commandClass: 'write',
    summary:
      'delete rows given by id (with cascade, the rows pointing to them too); compact purges them',
    args: {
      entity: stringArg({ minLength: 1 }),
      ids: arrayArg(integerArg({ min: 0 }), { minItems: 1 }),
      cascade: withDefault(booleanArg(), false),
    },
    run: async ({ engine, session }, { entity, ids, cascade }) => ({
      deleted: await engine.delete(session, entity, ids, cascade),
    }),
  }),
  command({
    name: 'data_subject_access',
    commandClass: 'read',
    summary: 'GDPR Art. 15: the subject row and every row pointing to it through foreign keys',
    // `row`, not `id`: `id` is the request's own id in every request.
    args: { entity: stringArg({ minLength: 1 }), row: integerArg({ min: 0 }) },
    run: ({ engine, session }, { entity, row }) => engine.subjectAccess(session, entity, row),
  }),
  command({
    name: 'export_jsonl',
    commandClass: 'read',
    summary: 'GDPR Art. 20: an entity’s rows as JSON lines, to a file of the data directory',
    args: {
      entity: stringArg({ minLength: 1 }),
      path: stringArg({ minLength: 1, maxLength: 4096 }),
    },
    run: ({ engine, session }, { entity, path }) =>
      engine.exportRows(session, entity, path, 'jsonl'),
  }),
  command({
    name: 'export_csv',
    commandClass: 'read',
    summary: 'an entity’s rows as CSV with a header row, to a file of the data directory',
    args: {
      entity: stringArg({ minLength: 1 }),
      path: stringArg({ minLength: 1, maxLength: 4096 }),
    },
    run: ({ engine, session }, { entity, path }) => engine.exportRows(session, entity, path, 'csv'),
  }),
  command({
    name: 'migrate',
    commandClass: 'admin',
    summary: 'apply the pending V{N}__{description}.cql files of a directory, in order, once each',
    args: { dir: stringArg({ minLength: 1, maxLength: 4096 }) },
    run: ({ engine, session }, { dir }) => engine.migrate(session, dir),
  }),
  command({
    name: 'migrate_status',
    commandClass: 'read',
    summary: 'the applied migrations (and, with dir, the pending ones)',
    args: { dir: optional(stringArg({ minLength: 1, maxLength: 4096 })) },
    run: ({ engine, session }, { dir }) => engine.migrationStatus(session, dir),
  }),
  command({
    name: 'compact',
    commandClass: 'admin',
    summary: 'rewrite the WAL with the active rows only (deleted values physically gone)',
    args: {},
    run: ({ engine, session }) => engine.maintain(session, 'compact'),
  }),
  command({
    name: 'persist_bin',
    commandClass: 'admin',
    summary: 'write a columnar snapshot (Snapshot V2); reopening reads it and the WAL after it',
    args: {},
    run: ({ engine, session }) => engine.maintain(session, 'snapshot'),
  }),
  command({
    name: 'rotate_wal_key',
    commandClass: 'admin',
    summary: 're-encrypt the current database under a new passphrase, live',
    args: { passphrase: stringArg({ minLength: 12 }) },
    run: ({ engine, session }, { passphrase }) => engine.rotateKey(session, passphrase),
  }),
  command({
    name: 'security_report',
    commandClass: 'admin',
    summary:
      'how this server is secured: authentication, roles, read-only, TLS, audit, encryption, limits',
    args: {},
    run: ({ engine }) =>
      Promise.resolve({
        auth: engine.tokens.mode,
        roles: engine.tokens.roles,
        read_only: engine.options.readOnly === true,
        tls: engine.tls,
        audit_log: engine.options.audit?.path ?? false,
        wal_encryption: engine.encrypted,
        limits: {
          max_connections: engine.doorLimits?.maxConnections ?? null,
          max_payload_bytes: engine.doorLimits?.maxPayloadBytes ?? null,
          request_timeout_ms: engine.options.requestTimeoutMs ?? null,
          wal_compact_bytes: engine.options.walCompactBytes ?? null,
        },
      }),
  }),
  command({
    name: 'stats',
    commandClass: 'read',
    summary: 'the current database’s tables and their active row counts',
    args: {},
    run: async ({ engine, session }) => {
      const view = await engine.view(session);
      return {
        database: session.database,
        // The migrations' system tables (lineage, checkpoints) are not the user's entities.
        tables: view
          .entities()
          .filter((entity) => !entity.startsWith(SYSTEM_TABLE_PREFIX))
          .map((entity) => ({ entity, rows: view.table(entity).activeRowCount })),
      };
    },
  }),
];

/** Every command of every area, by name. */
export const COMMANDS: ReadonlyMap<string, Command> = new Map(
  [...TABLE, ...DATA_COMMANDS, ...INTERCHANGE_COMMANDS, ...FUNCTOR_COMMANDS].map((c) => [
    c.name,
    c,
  ]),
);

export type { Command, CommandContext } from './command.js';
