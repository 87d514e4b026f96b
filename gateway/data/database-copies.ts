/**
 * Whole databases to and from files of the data directory:
 *
 * - `persist`: the current database's committed state (table definitions, active rows with
 *   their row ids, labelled nulls as `{"label": term}`) and its kept program as ONE JSON
 *   document (the store's JSON export, produced in pieces so that its size is bounded by the
 *   disk, not by memory), written to a temporary file, fsynced and renamed.
 * - `from_wal` / `from_bin`: a new database from a WAL or a Snapshot V2 file a client put in
 *   the data directory (e.g. copied into `backups/`), opened by the store's own recovery in a
 *   staging folder before it gets its name (store/restore.ts): a torn tail is dropped and
 *   reported, a damaged or tampered file is the store's typed error and leaves no database.
 * - `db_save`: a new database holding the current one's committed state, with its kept
 *   program and migration history — a branch before a risky migration. The session stays on
 *   the current database.
 */
import { copyFile, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  copyDatabase,
  exportJsonText,
  restoreDatabase,
  retellStoreError,
  StoreError,
  type RestoreSource,
} from '../../store/index.js';
import { fieldLocation } from '../../common/index.js';
import type { Engine, Session } from '../engine.js';
import { GatewayError } from '../errors.js';
import { inBuffers, replaceFile, replaceFileFrom } from '../files.js';

const PROGRAM_FILE = 'program.cql';
const MIGRATIONS_FILE = 'migrations.json';
/** The `format` of a persisted document. */
export const PERSIST_FORMAT = 'catrust-persist';
const PERSIST_VERSION = 1;
/** Bytes gathered before one write of a persist document. */
const PERSIST_WRITE_BYTES = 1024 * 1024;

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function refuseExisting(engine: Engine, name: string, field: string): Promise<void> {
  if (await engine.store.has(name)) {
    throw new GatewayError('E_DATABASE_EXISTS', `database \`${name}\` exists already`, {
      location: fieldLocation(field),
      hint: 'choose another name, or db_drop it first',
      details: { field },
    });
  }
}

/** A database created under the same name meanwhile (a race with another session). */
function duplicateAsExisting(error: unknown, name: string, field: string): unknown {
  if (!(error instanceof StoreError) || error.code !== 'E_STORE_DUPLICATE') return error;
  return new GatewayError('E_DATABASE_EXISTS', `database \`${name}\` exists already`, {
    location: fieldLocation(field),
    details: { field },
  });
}

/** Copy the kept program and migration history of database `from` into a staging folder. */
function keptFiles(engine: Engine, from: string): (staging: string) => Promise<void> {
  return async (staging) => {
    for (const file of [PROGRAM_FILE, MIGRATIONS_FILE]) {
      await copyFile(join(engine.databaseDirectory(from), file), join(staging, file)).catch(
        (error: unknown) => {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        },
      );
    }
  };
}

export async function persist(
  engine: Engine,
  session: Session,
  path: string,
): Promise<Record<string, unknown>> {
  const { name, state } = await engine.current(session);
  const target = engine.files.resolve(path, 'path', 'write');
  const view = state.database.view();
  const program = await readOptional(join(engine.databaseDirectory(name), PROGRAM_FILE));
  const head = {
    format: PERSIST_FORMAT,
    version: PERSIST_VERSION,
    database: name,
    program: program ?? null,
  };
  const bytes = await replaceFileFrom(
    target,
    inBuffers(
      (function* () {
        yield* exportJsonText(view, head);
        yield '\n';
      })(),
      PERSIST_WRITE_BYTES,
    ),
  );
  let rows = 0;
  for (const entity of view.entities()) rows += view.table(entity).activeRowCount;
  return {
    database: name,
    path: engine.files.display(target),
    lsn: view.lsn,
    tables: view.entities().length,
    rows,
    bytes,
  };
}

/** Whether `file` starts as a persist document does (`{"format":"catrust-persist"`). */
async function isPersistDocument(file: string): Promise<boolean> {
  const prefix = `{"format":${JSON.stringify(PERSIST_FORMAT)}`;
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(prefix.length);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead).toString('utf8') === prefix;
  } finally {
    await handle.close();
  }
}

/** A persist document, parsed: its store export and its kept program. */
async function readPersistDocument(
  file: string,
  path: string,
): Promise<{ document: Record<string, unknown>; program: string | undefined }> {
  let document: unknown;
  try {
    document = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new GatewayError(
      'E_IMPORT',
      `${path} is not a valid persist document: ${error instanceof Error ? error.message : String(error)}`,
      { details: { field: 'path' } },
    );
  }
  if (
    typeof document !== 'object' ||
    document === null ||
    (document as Record<string, unknown>)['version'] !== PERSIST_VERSION
  ) {
    throw new GatewayError('E_IMPORT', `${path} is not a persist document of version 1`, {
      details: { field: 'path' },
    });
  }
  const record = document as Record<string, unknown>;
  const program = record['program'];
  return { document: record, program: typeof program === 'string' ? program : undefined };
}

/**
 * `from_wal` / `from_bin`: database `name` from the file at `path` (for `from_bin`, with the
 * WAL at `walPath` that continues the snapshot, when given); with `repair`, a WAL is cut at its
 * first damaged line instead of refused. `from_wal` also takes a document
 * written by `persist` (recognised by its first bytes): its rows are written by one
 * transaction and its program kept.
 */
export async function restore(
  engine: Engine,
  path: string,
  name: string,
  kind: 'wal' | 'snapshot',
  walPath: string | undefined,
  repair: boolean,
): Promise<Record<string, unknown>> {
  await refuseExisting(engine, name, 'name');
  const file = engine.files.resolve(path, 'path', 'read');
  const walFile = walPath === undefined ? undefined : engine.files.resolve(walPath, 'wal', 'read');
  let source: RestoreSource = kind === 'wal' ? { kind, file } : { kind, file, walFile };
  let addFiles: ((staging: string) => Promise<void>) | undefined;
  if (kind === 'wal' && (await isPersistDocument(file))) {
    const { document, program } = await readPersistDocument(file, path);
    source = { kind: 'json', file, document };
    if (program !== undefined) {
      addFiles = (staging) => replaceFile(join(staging, PROGRAM_FILE), program);
    }
  }
  let report;
  try {
    report = await restoreDatabase(engine.store.directory, name, source, {
      passphrase: engine.walKey,
      addFiles,
      repair,
    });
  } catch (error) {
    const retold = retellStoreError(error, file, path);
    throw duplicateAsExisting(
      walFile === undefined || walPath === undefined
        ? retold
        : retellStoreError(retold, walFile, walPath),
      name,
      'name',
    );
  }
  engine.files.closeToRequests(name);
  return {
    database: name,
    path: engine.files.display(file),
    format: source.kind === 'json' ? 'persist' : kind,
    recovery: {
      entries: report.entries,
      lsn: report.lsn,
      tornTailBytes: report.tornTailBytes,
      ...(report.snapshotLsn === undefined ? {} : { snapshotLsn: report.snapshotLsn }),
      droppedEntries: report.droppedEntries,
      ...(report.repairedAtLine === undefined ? {} : { repairedAtLine: report.repairedAtLine }),
    },
    tables: report.tables,
    rows: report.rows,
    encrypted: report.encrypted,
  };
}

/** `db_save`: the current database's committed state into new database `as`. */
export async function saveAs(
  engine: Engine,
  session: Session,
  as: string,
): Promise<Record<string, unknown>> {
  const { name, state } = await engine.current(session);
  await refuseExisting(engine, as, 'as');
  let report;
  try {
    report = await copyDatabase(state.database, engine.store.directory, as, {
      passphrase: engine.walKey,
      addFiles: keptFiles(engine, name),
    });
  } catch (error) {
    throw duplicateAsExisting(error, as, 'as');
  }
  engine.files.closeToRequests(as);
  return {
    database: as,
    from: name,
    lsn: report.lsn,
    tables: report.tables,
    rows: report.rows,
    current: session.database ?? null,
  };
}
