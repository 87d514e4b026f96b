/**
 * Named databases under one data directory (docs/storage.md has the layout):
 *
 *   <data directory>/
 *     <name>/            one folder per database; the name is [A-Za-z_][A-Za-z0-9_-]{0,62}
 *       wal.ndjson       the write-ahead log (wal-line.ts, change-set.ts)
 *       LOCK             pid of the process that has the database open (process-lock.ts)
 *
 * A folder is a database once its `wal.ndjson` exists (create writes the WAL, fsyncs it and the
 * folder, then the parent). Table definitions live in the WAL's first entries, so a database
 * reopens without its CQL program. One `Store` per data directory and process; a database is
 * open at most once (`open` returns the same `Database` until it is closed).
 */
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Checksum } from './checksum.js';
import { Database } from './database.js';
import {
  COMPACTING_FILE,
  DatabaseFiles,
  SNAPSHOT_FILE,
  SNAPSHOT_TEMPORARY_FILE,
  syncDirectory,
  WAL_FILE,
} from './database-files.js';
import { openSnapshot, readSnapshotLsn, type OpenedSnapshot } from './snapshot.js';
import { EncryptionKey, type KeyDerivationCosts } from './encryption.js';
import { formatKeyLine } from './wal-writer.js';
import { StoreError } from './errors.js';
import { ProcessLock } from './process-lock.js';
import type { TableDefinition } from './schema.js';
import { readWalKey, recoverWal } from './wal-recovery.js';
import { WalWriter } from './wal-writer.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,62}$/;

export interface OpenOptions {
  /** Truncate the WAL at its first bad line instead of refusing to open (see wal-recovery.ts). */
  readonly repair?: boolean | undefined;
  /** Compact in the background once the WAL passes this many bytes (off when undefined). */
  readonly autoCompactBytes?: number | undefined;
  /** The passphrase of an encrypted database (E_STORE_KEY when wrong or missing). */
  readonly passphrase?: string | undefined;
}

export interface CreateOptions {
  /** Encrypt the database (AES-256-GCM, key from this passphrase by Argon2id). */
  readonly passphrase?: string | undefined;
  /** Argon2id costs (defaults: 64 MiB, 3 passes). */
  readonly keyDerivation?: KeyDerivationCosts | undefined;
  /** As `OpenOptions.autoCompactBytes`, for the database as `create` opens it. */
  readonly autoCompactBytes?: number | undefined;
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

function checkName(name: string): void {
  if (!NAME.test(name)) {
    throw new StoreError(
      'E_STORE_NAME',
      `invalid database name ${JSON.stringify(name)}: expected a letter or _ then up to 62 letters, digits, _ or -`,
    );
  }
}

export { WAL_FILE };

/**
 * Open the database in `directory` (which holds a WAL): take the process lock, replay the WAL
 * (torn tail truncated, corruption refused unless `repair`), and attach a WAL writer.
 */
export async function openDatabaseDirectory(
  directory: string,
  name: string,
  checksum: Checksum,
  options: OpenOptions = {},
): Promise<Database> {
  const lock = await ProcessLock.acquire(directory);
  let snapshot: OpenedSnapshot | undefined;
  try {
    await rm(join(directory, COMPACTING_FILE), { force: true });
    await rm(join(directory, SNAPSHOT_TEMPORARY_FILE), { force: true });
    const walFile = join(directory, WAL_FILE);
    const key = await readWalKey(walFile, checksum, options.passphrase);
    snapshot = await openNewestSnapshot(directory, walFile, checksum, key);
    const database = new Database(name, snapshot?.version);
    const report = await recoverWal(walFile, database, checksum, { repair: options.repair, key });
    const writer = await WalWriter.open(walFile, checksum, report.sizeBytes, key);
    const files = new DatabaseFiles(directory, writer, checksum, lock, {
      autoCompactBytes: options.autoCompactBytes,
    });
    files.attach(database);
    if (snapshot !== undefined) files.holdSnapshot(snapshot);
    database.attachLog(files);
    database.recovery =
      snapshot === undefined ? report : { ...report, snapshotLsn: snapshot.version.lsn };
    database.walWriter = writer;
    return database;
  } catch (error) {
    snapshot?.close();
    await lock.release();
    throw error;
  }
}

/** The LSN of a base entry at the start of the WAL, if it starts with one (not yet verified). */
async function walBaseLsn(walFile: string): Promise<number | undefined> {
  const handle = await open(walFile, 'r');
  try {
    const head = Buffer.alloc(8192);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    let text = head.subarray(0, bytesRead).toString('latin1');
    // An encrypted WAL starts with its key entry; the base comes next.
    if (text.startsWith('{"e":{"key":')) text = text.slice(text.indexOf('\n') + 1);
    const match = /^\{"e":\{"base":(\d+),/.exec(text);
    return match === null ? undefined : Number(match[1]);
  } finally {
    await handle.close();
  }
}

/**
 * The snapshot to start recovery from: the directory's snapshot, unless the WAL starts with a
 * newer base entry (a compaction finished but crashed before it removed the snapshot).
 */
async function openNewestSnapshot(
  directory: string,
  walFile: string,
  checksum: Checksum,
  key: EncryptionKey | undefined,
): Promise<OpenedSnapshot | undefined> {
  const file = join(directory, SNAPSHOT_FILE);
  if (!(await exists(file))) return undefined;
  // A base at or past the snapshot holds everything (and may be sealed with a newer key).
  const base = await walBaseLsn(walFile);
  const snapshotLsn = readSnapshotLsn(file);
  if (base !== undefined && snapshotLsn !== undefined && base >= snapshotLsn) return undefined;
  return openSnapshot(file, checksum, key);
}

export class Store {
  private readonly opened = new Map<string, Database>();

  private constructor(
    readonly directory: string,
    private readonly checksum: Checksum,
  ) {}

  /** Use `directory` as a data directory (created when missing). */
  static async open(directory: string): Promise<Store> {
    await mkdir(directory, { recursive: true });
    return new Store(directory, await Checksum.create());
  }

  private folder(name: string): string {
    checkName(name);
    return join(this.directory, name);
  }

  /** Names of the databases, sorted. */
  async list(): Promise<string[]> {
    const names: string[] = [];
    for (const entry of await readdir(this.directory, { withFileTypes: true })) {
      if (!entry.isDirectory() || !NAME.test(entry.name)) continue;
      if (await exists(join(this.directory, entry.name, WAL_FILE))) names.push(entry.name);
    }
    return names.sort();
  }

  async has(name: string): Promise<boolean> {
    return exists(join(this.folder(name), WAL_FILE));
  }

  /** Create a database (optionally with tables, committed as its first entry) and open it. */
  async create(
    name: string,
    tables: readonly TableDefinition[] = [],
    options: CreateOptions = {},
  ): Promise<Database> {
    const folder = this.folder(name);
    if (await exists(join(folder, WAL_FILE))) {
      throw new StoreError('E_STORE_DUPLICATE', `database ${name} exists already`);
    }
    await mkdir(folder, { recursive: true });
    // The WAL (with the key entry of an encrypted database) appears whole, by rename.
    const creating = join(folder, `${WAL_FILE}.creating`);
    const handle = await open(creating, 'w');
    try {
      if (options.passphrase !== undefined) {
        const key = await EncryptionKey.create(options.passphrase, options.keyDerivation);
        const line = formatKeyLine(key, this.checksum);
        await handle.write(line, 0, line.length, 0);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(creating, join(folder, WAL_FILE));
    await syncDirectory(folder);
    await syncDirectory(this.directory);
    const database = await this.open(name, {
      passphrase: options.passphrase,
      autoCompactBytes: options.autoCompactBytes,
    });
    if (tables.length > 0) await database.createTables(tables);
    return database;
  }

  /** Open a database (the same object while it stays open). */
  async open(name: string, options: OpenOptions = {}): Promise<Database> {
    const folder = this.folder(name);
    const already = this.opened.get(name);
    if (already !== undefined) return already;
    if (!(await exists(join(folder, WAL_FILE)))) {
      const known = await this.list();
      throw new StoreError('E_STORE_UNKNOWN_DATABASE', `no database named ${name}`, {
        hint: known.length === 0 ? 'create it first' : `databases: ${known.join(', ')}`,
      });
    }
    const database = await openDatabaseDirectory(folder, name, this.checksum, options);
    this.opened.set(name, database);
    database.onClose = () => {
      if (this.opened.get(name) === database) this.opened.delete(name);
    };
    return database;
  }

  /** Close and delete a database with all its files. */
  async drop(name: string): Promise<void> {
    const folder = this.folder(name);
    await this.opened.get(name)?.close();
    if (!(await exists(join(folder, WAL_FILE)))) {
      throw new StoreError('E_STORE_UNKNOWN_DATABASE', `no database named ${name}`);
    }
    // Refused (E_STORE_LOCKED) while another process has the database open; the lock file
    // goes away with the folder.
    await ProcessLock.acquire(folder);
    // Rename first so that a crash mid-removal leaves no half database under the name.
    const doomed = join(this.directory, `.dropped-${name}-${process.pid}-${Date.now()}`);
    await rename(folder, doomed);
    await syncDirectory(this.directory);
    await rm(doomed, { recursive: true, force: true });
  }

  /** Close every open database. */
  async close(): Promise<void> {
    await Promise.all([...this.opened.values()].map((database) => database.close()));
  }
}
