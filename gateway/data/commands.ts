/**
 * The data-administration commands of the NDJSON protocol (docs/protocol.md, docs/gdpr.md):
 * erasure by condition, anonymization, the compliance report, and whole databases to and from
 * files (persist, from_wal, from_bin, db_save).
 */
import {
  arrayArg,
  booleanArg,
  enumArg,
  integerArg,
  jsonArg,
  optional,
  recordArg,
  stringArg,
  withDefault,
} from '../args.js';
import { command, NAME, type Command, type CommandContext } from '../command.js';
import type { Engine, Session } from '../engine.js';
import { anonymize, ANONYMIZE_STRATEGIES } from './anonymize.js';
import { complianceReport } from './compliance-report.js';
import { persist, restore, saveAs } from './database-copies.js';
import { rowsWhere } from './where.js';

const PATH = stringArg({ minLength: 1, maxLength: 4096 });
const WHERE = stringArg({ minLength: 1, maxLength: 64 * 1024 });

/** The request's deadline (`--request-timeout-ms`), when the engine sets one. */
function deadlineOf(context: CommandContext): number | undefined {
  return (context as { readonly deadline?: number }).deadline;
}

/** GDPR Art. 17 by condition: the matching rows deleted in one transaction. */
async function deleteWhere(
  engine: Engine,
  session: Session,
  entity: string,
  where: string,
  params: readonly unknown[],
  cascade: boolean,
  deadline: number | undefined,
): Promise<Record<string, unknown>> {
  return engine.write(session, (transaction) => {
    // An unknown entity is the store's E_STORE_UNKNOWN_ENTITY, before the condition is read.
    transaction.view.table(entity);
    const rows = rowsWhere(transaction.view, entity, where, params, 'where', deadline);
    const deleted = rows.length === 0 ? 0 : transaction.delete(entity, rows, { cascade });
    return { entity, deleted, matched: rows.length };
  });
}

export const DATA_COMMANDS: readonly Command[] = [
  command({
    name: 'delete_where',
    commandClass: 'write',
    summary:
      'GDPR Art. 17: delete the rows of an entity satisfying a SQL condition (cascade: and the rows pointing to them)',
    args: {
      entity: stringArg({ minLength: 1 }),
      where: WHERE,
      params: optional(arrayArg(jsonArg())),
      cascade: withDefault(booleanArg(), false),
    },
    run: (context, { entity, where, params, cascade }) =>
      deleteWhere(
        context.engine,
        context.session,
        entity,
        where,
        params ?? [],
        cascade,
        deadlineOf(context),
      ),
  }),
  command({
    name: 'anonymize',
    commandClass: 'write',
    summary:
      'replace attributes of rows (ids, where, or all) by a keyed hash, a mask or NULL, in one transaction',
    args: {
      entity: stringArg({ minLength: 1 }),
      attributes: recordArg(enumArg(ANONYMIZE_STRATEGIES), { maxKeys: 4096 }),
      ids: optional(arrayArg(integerArg({ min: 0 }), { minItems: 1 })),
      where: optional(WHERE),
      params: optional(arrayArg(jsonArg())),
    },
    run: (context, { entity, attributes, ids, where, params }) =>
      anonymize(
        context.engine,
        context.session,
        { entity, attributes, ids, where, params },
        deadlineOf(context),
      ),
  }),
  command({
    name: 'compliance_report',
    commandClass: 'admin',
    summary:
      'per database: encryption, pending purge, snapshot, WAL size, migrations; the server’s audit, TLS and auth',
    args: {},
    run: ({ engine }) => complianceReport(engine),
  }),
  command({
    name: 'persist',
    commandClass: 'admin',
    summary:
      'the current database’s committed state (tables, rows, labelled nulls, program) as one JSON file',
    args: { path: PATH },
    run: ({ engine, session }, { path }) => persist(engine, session, path),
  }),
  command({
    name: 'from_wal',
    commandClass: 'admin',
    summary: 'create a database from a WAL file of the data directory (its recovery reported)',
    args: { path: PATH, name: stringArg(NAME), repair: withDefault(booleanArg(), false) },
    run: ({ engine }, { path, name, repair }) =>
      restore(engine, path, name, 'wal', undefined, repair),
  }),
  command({
    name: 'from_bin',
    commandClass: 'admin',
    summary:
      'create a database from a Snapshot V2 file (and the WAL that continues it) of the data directory',
    args: {
      path: PATH,
      name: stringArg(NAME),
      wal: optional(PATH),
      repair: withDefault(booleanArg(), false),
    },
    run: ({ engine }, { path, name, wal, repair }) =>
      restore(engine, path, name, 'snapshot', wal, repair),
  }),
  command({
    name: 'db_save',
    commandClass: 'admin',
    summary:
      'copy the current database’s committed state, program and migrations into a new database',
    args: { as: stringArg(NAME) },
    run: ({ engine, session }, { as }) => saveAs(engine, session, as),
  }),
];
