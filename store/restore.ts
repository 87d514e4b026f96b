/**
 * New databases made from files: a WAL or a Snapshot V2 file a client copied into the data
 * directory, or a JSON export (`restoreDatabase`), or the committed state of an open database
 * (`copyDatabase`, a branch). A JSON export is written by one transaction into an empty
 * database (json-import.ts). Nothing re-implements recovery: the files are copied into a
 * staging folder laid out as a database directory, opened there by the ordinary open path
 * (checksums, sequence, key), every column read once (a Snapshot V2 verifies its blocks only
 * when they are read), closed, and only then renamed to its name. A file that fails any check leaves nothing behind under
 * the name; a crash leaves at most a `.restoring-…` folder, which is not a database (names
 * start with a letter or `_`).
 *
 * Encryption: a database under a server passphrase must open with it. A plain source is
 * encrypted on the way in (a compaction sealed with a key derived from the passphrase); an
 * encrypted WAL must already open with the passphrase (its key entry is its first line). A
 * Snapshot V2 file does not carry its key's parameters (they live in its WAL's key entry), so
 * an encrypted snapshot is restored together with the WAL that continues it, never alone
 * (E_STORE_KEY). A snapshot with its WAL is opened as its database was: the snapshot, then the
 * WAL's later commits.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Checksum } from './checksum.js';
import type { Database } from './database.js';
import { SNAPSHOT_FILE, syncDirectory, WAL_FILE } from './database-files.js';
import { openDatabaseDirectory } from './data-directory.js';
import { StoreError } from './errors.js';
import { importJson } from './json-import.js';
import { writeSnapshot } from './snapshot.js';
import { readWalRecord } from './wal-line.js';
import { formatKeyLine } from './wal-writer.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,62}$/;
const SNAPSHOT_MAGIC = 'CATRUST2';
const SNAPSHOT_HEADER_BYTES = 48;
const SNAPSHOT_ENCRYPTED_FLAG = 1;
const KEY_ENTRY_PREFIX = '{"e":{"key":';
/** Bytes read to find a WAL's first entry (after a key entry of a few hundred bytes). */
const CONTINUATION_HEAD_BYTES = 64 * 1024;

export type RestoreSource =
  | { readonly kind: 'wal'; readonly file: string }
  /** A snapshot, and optionally the WAL that continues it (its later commits, its key). */
  | { readonly kind: 'snapshot'; readonly file: string; readonly walFile?: string | undefined }
  /** A JSON export (json-export.ts), parsed; `file` names it in errors. */
  | { readonly kind: 'json'; readonly file: string; readonly document: unknown };

export interface RestoreOptions {
  /** The passphrase the new database must open with (the server's `--wal-key`). */
  readonly passphrase?: string | undefined;
  /**
   * Called with the staging folder once the database is verified, before it is renamed into
   * place: the caller adds its own files there (a kept program, a migration history).
   */
  readonly addFiles?: ((staging: string) => Promise<void>) | undefined;
  /**
   * Keep what precedes a damaged WAL line instead of refusing the file (the copy is truncated
   * there; the client's file is never changed). The report says how many entries were dropped.
   */
  readonly repair?: boolean | undefined;
}

export interface RestoreReport {
  readonly database: string;
  /** The source was encrypted (an encrypted WAL). */
  readonly sourceEncrypted: boolean;
  /** The new database is encrypted (under the passphrase). */
  readonly encrypted: boolean;
  /** WAL entries replayed (0 for a snapshot alone). */
  readonly entries: number;
  /** LSN of the restored state. */
  readonly lsn: number;
  /** Bytes of a torn final WAL line that were dropped (a crash mid-write; never acknowledged). */
  readonly tornTailBytes: number;
  /** LSN of the snapshot the state came from, when it came from one. */
  readonly snapshotLsn?: number;
  /** With `repair`: entries dropped from the first damaged line on (0 when none was). */
  readonly droppedEntries: number;
  /** With `repair`: the 1-based line of the WAL where it was cut, when it was. */
  readonly repairedAtLine?: number;
  readonly tables: number;
  /** Active rows over every table. */
  readonly rows: number;
}

function checkName(name: string): void {
  if (!NAME.test(name)) {
    throw new StoreError(
      'E_STORE_NAME',
      `invalid database name ${JSON.stringify(name)}: expected a letter or _ then up to 62 letters, digits, _ or -`,
    );
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

async function readHead(file: string, bytes: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(head, 0, bytes, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Whether a WAL file starts with the key entry of an encrypted database. */
async function walIsEncrypted(file: string): Promise<boolean> {
  const head = await readHead(file, KEY_ENTRY_PREFIX.length);
  return head.toString('latin1') === KEY_ENTRY_PREFIX;
}

/** Whether a Snapshot V2 file is sealed; E_STORE_CORRUPT when it is no snapshot at all. */
async function snapshotIsEncrypted(file: string): Promise<boolean> {
  const head = await readHead(file, SNAPSHOT_HEADER_BYTES);
  if (
    head.length < SNAPSHOT_HEADER_BYTES ||
    head.subarray(0, 8).toString('latin1') !== SNAPSHOT_MAGIC
  ) {
    throw new StoreError(
      'E_STORE_CORRUPT',
      `${file} is not a Snapshot V2 file (no CATRUST2 header)`,
      {
        details: { file },
      },
    );
  }
  return (head.readUInt32LE(12) & SNAPSHOT_ENCRYPTED_FLAG) !== 0;
}

/**
 * A WAL whose first commit is past LSN 1 continues a snapshot (the lines before it were
 * dropped when the snapshot was written): alone it is not a database. Read from the staging
 * copy's first records (a key entry, then the first entry), before recovery would call it
 * corrupt without saying why.
 */
async function refuseContinuation(
  staging: string,
  file: string,
  checksum: Checksum,
): Promise<void> {
  const head = await readHead(join(staging, WAL_FILE), CONTINUATION_HEAD_BYTES);
  let position = 0;
  for (let record = 0; record < 2 && position < head.length; record++) {
    const read = readWalRecord(head, position, checksum);
    if (read.kind !== 'record' || typeof read.entry !== 'object' || read.entry === null) return;
    const entry = read.entry as Record<string, unknown>;
    if ('key' in entry) {
      position = read.end;
      continue;
    }
    const lsn = entry['s'];
    if (typeof lsn === 'number' && lsn > 1) {
      throw new StoreError(
        'E_STORE_CORRUPT',
        `${file} starts at commit ${lsn}: it continues a snapshot, and holds none of the commits before it`,
        { hint: 'restore it together with the snapshot it continues', details: { file, lsn } },
      );
    }
    return;
  }
}

/** Read every column of every table once, so that a damaged snapshot block fails here. */
function verifyReadable(database: Database): { tables: number; rows: number } {
  const view = database.view();
  let rows = 0;
  const entities = view.entities();
  for (const entity of entities) {
    const table = view.table(entity);
    for (const batch of table.scan(table.columnNames)) void batch;
    rows += table.activeRowCount;
  }
  return { tables: entities.length, rows };
}

/** A fresh staging folder beside the databases (a name no database can have). */
async function stagingFolder(dataDirectory: string, name: string): Promise<string> {
  const unique = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const staging = join(dataDirectory, `.restoring-${name}-${unique}`);
  // Not recursive: two restores never share a folder (EEXIST rather than a mix of files).
  await mkdir(staging, { mode: 0o700 });
  return staging;
}

/** Rename the verified staging folder to the database's name (refused if it exists). */
async function publish(dataDirectory: string, staging: string, name: string): Promise<void> {
  const target = join(dataDirectory, name);
  if (await exists(join(target, WAL_FILE))) {
    throw new StoreError('E_STORE_DUPLICATE', `database ${name} exists already`);
  }
  await syncDirectory(staging);
  try {
    // An empty folder of that name (left by a dropped database) is replaced; a non-empty one
    // refuses the rename.
    await rename(staging, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') {
      throw new StoreError(
        'E_STORE_DUPLICATE',
        `a folder ${name} exists already in the data directory`,
      );
    }
    throw error;
  }
  await syncDirectory(dataDirectory);
}

/**
 * Create database `name` in `dataDirectory` from a WAL or Snapshot V2 file. The source file is
 * copied, never changed. Returns what recovery found (torn tail, entries, LSN).
 */
export async function restoreDatabase(
  dataDirectory: string,
  name: string,
  source: RestoreSource,
  options: RestoreOptions = {},
): Promise<RestoreReport> {
  checkName(name);
  if (await exists(join(dataDirectory, name, WAL_FILE))) {
    throw new StoreError('E_STORE_DUPLICATE', `database ${name} exists already`);
  }
  const sourceEncrypted = await isEncrypted(source);
  const checksum = await Checksum.create();
  const staging = await stagingFolder(dataDirectory, name);
  let database: Database | undefined;
  try {
    switch (source.kind) {
      case 'wal':
        await copyFile(source.file, join(staging, WAL_FILE));
        break;
      case 'snapshot':
        await copyFile(source.file, join(staging, SNAPSHOT_FILE));
        if (source.walFile === undefined) await writeFile(join(staging, WAL_FILE), '');
        else await copyFile(source.walFile, join(staging, WAL_FILE));
        break;
      case 'json':
        await writeFile(join(staging, WAL_FILE), '');
        break;
    }
    if (source.kind === 'wal') await refuseContinuation(staging, source.file, checksum);
    database = await openDatabaseDirectory(staging, name, checksum, {
      passphrase: sourceEncrypted ? options.passphrase : undefined,
      repair: options.repair,
    });
    if (source.kind === 'json') {
      const document = source.document;
      await database.write((transaction) => importJson(transaction, document, source.file));
    }
    const recovery = database.recovery;
    const counts = verifyReadable(database);
    const lsn = database.lsn;
    if (options.passphrase !== undefined && !sourceEncrypted) {
      await database.rotateKey(options.passphrase);
    }
    await database.close();
    database = undefined;
    await options.addFiles?.(staging);
    await publish(dataDirectory, staging, name);
    return {
      database: name,
      sourceEncrypted,
      encrypted: options.passphrase !== undefined,
      entries: recovery?.entries ?? 0,
      lsn,
      tornTailBytes: recovery?.tornTailBytes ?? 0,
      ...(recovery?.snapshotLsn === undefined ? {} : { snapshotLsn: recovery.snapshotLsn }),
      droppedEntries: recovery?.droppedEntries ?? 0,
      ...(recovery?.repairedAtLine === undefined
        ? {}
        : { repairedAtLine: recovery.repairedAtLine }),
      ...counts,
    };
  } catch (error) {
    await database?.close().catch(() => undefined);
    await rm(staging, { recursive: true, force: true });
    throw relabel(error, staging, source);
  }
}

/** A store error about the staging copies, told about the files the client named instead. */
function relabel(error: unknown, staging: string, source: RestoreSource): unknown {
  if (source.kind !== 'snapshot')
    return retellStoreError(error, join(staging, WAL_FILE), source.file);
  const retold = retellStoreError(error, join(staging, SNAPSHOT_FILE), source.file);
  return source.walFile === undefined
    ? retold
    : retellStoreError(retold, join(staging, WAL_FILE), source.walFile);
}

/**
 * Whether the source is encrypted. A snapshot's key parameters are in its WAL's first line,
 * so an encrypted snapshot without its WAL cannot be opened: E_STORE_KEY.
 */
async function isEncrypted(source: RestoreSource): Promise<boolean> {
  switch (source.kind) {
    case 'wal':
      return walIsEncrypted(source.file);
    case 'json':
      return false;
    case 'snapshot': {
      const sealed = await snapshotIsEncrypted(source.file);
      if (source.walFile !== undefined) return walIsEncrypted(source.walFile);
      if (sealed) {
        throw new StoreError(
          'E_STORE_KEY',
          'the snapshot is encrypted, and a snapshot file does not hold its key’s parameters (its WAL’s first line does)',
          { hint: 'give the WAL that continues it as well ("wal")' },
        );
      }
      return false;
    }
  }
}

/**
 * The same store error with every mention of the path `from` (message, location, details)
 * replaced by `to`: a reply names the file the client gave, not a server path.
 */
export function retellStoreError(error: unknown, from: string, to: string): unknown {
  if (!(error instanceof StoreError)) return error;
  const retold = (text: string): string => text.split(from).join(to);
  const location =
    error.location?.kind === 'file'
      ? { ...error.location, file: retold(error.location.file) }
      : error.location;
  const details =
    error.details === undefined
      ? undefined
      : (JSON.parse(retold(JSON.stringify(error.details))) as Record<string, unknown>);
  return new StoreError(error.code, retold(error.bareMessage), {
    location,
    hint: error.hint === undefined ? undefined : retold(error.hint),
    details,
  });
}

export interface CopyReport {
  readonly database: string;
  readonly lsn: number;
  readonly tables: number;
  readonly rows: number;
  readonly snapshotBytes: number;
}

/**
 * Create database `name` in `dataDirectory` holding `source`'s committed, durable state: a
 * Snapshot V2 of it (deleted rows' values left out, as in every snapshot) and an empty WAL
 * that continues it, under the same key when `source` is encrypted (`passphrase` opens it).
 * Writers of `source` never wait for it. The copy is opened once, every column read, before it
 * is renamed into place.
 */
export async function copyDatabase(
  source: Database,
  dataDirectory: string,
  name: string,
  options: RestoreOptions = {},
): Promise<CopyReport> {
  checkName(name);
  if (await exists(join(dataDirectory, name, WAL_FILE))) {
    throw new StoreError('E_STORE_DUPLICATE', `database ${name} exists already`);
  }
  // The newest committed version, once every commit published so far is fsynced. No writer
  // lock: a transaction open meanwhile (even the caller's own) neither blocks nor shows.
  const version = source.latestVersion();
  await source.whenIdle();
  const key = source.walWriter?.key;
  const checksum = await Checksum.create();
  const staging = await stagingFolder(dataDirectory, name);
  let copy: Database | undefined;
  try {
    const snapshotBytes = await writeSnapshot(join(staging, SNAPSHOT_FILE), version, checksum, key);
    await writeFile(join(staging, WAL_FILE), key === undefined ? '' : formatKeyLine(key, checksum));
    copy = await openDatabaseDirectory(staging, name, checksum, {
      passphrase: key === undefined ? undefined : options.passphrase,
    });
    const counts = verifyReadable(copy);
    const lsn = copy.lsn;
    await copy.close();
    copy = undefined;
    await options.addFiles?.(staging);
    await publish(dataDirectory, staging, name);
    return { database: name, lsn, ...counts, snapshotBytes };
  } catch (error) {
    await copy?.close().catch(() => undefined);
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
