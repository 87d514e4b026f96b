/**
 * `compliance_report`: what a data-protection officer needs to know about every database of
 * the data directory, and about the server that serves them (docs/gdpr.md documents each
 * field). Read-only: it opens each database (as `db_use` would) and reads its WAL once to
 * count what a compaction would still purge; it changes nothing.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CatrustError } from '../../common/index.js';
import { purgeStatus, SNAPSHOT_FILE, type PurgeStatus } from '../../store/index.js';
import type { Engine } from '../engine.js';

const MIGRATIONS_FILE = 'migrations.json';
const BYTES_PER_MIB = 1024 * 1024;
/** Files outside the databases listed by name in the report; the rest are only counted. */
const LISTED_FILES_MAX = 100;
/** Folders walked under the data directory when looking for client files (exports, backups). */
const WALKED_FOLDERS_MAX = 10_000;

async function fileBytes(path: string): Promise<number | undefined> {
  try {
    const stats = await stat(path);
    return stats.isFile() ? stats.size : undefined;
  } catch {
    return undefined;
  }
}

async function migrationsApplied(directory: string): Promise<number> {
  const text = await readFile(join(directory, MIGRATIONS_FILE), 'utf8').catch(() => '[]');
  try {
    const history = JSON.parse(text) as unknown;
    return Array.isArray(history) ? history.length : 0;
  } catch {
    return 0;
  }
}

function purgeReport(status: PurgeStatus | undefined): Record<string, unknown> {
  if (status === undefined) return { needed: false, entities: {}, dropped_tables: [] };
  const entities: Record<string, { deleted_rows: number; overwritten_rows: number }> = {};
  let total = 0;
  for (const [entity, counts] of Object.entries(status.entities)) {
    entities[entity] = {
      deleted_rows: counts.deletedRows,
      overwritten_rows: counts.overwrittenRows,
    };
    total += counts.deletedRows + counts.overwrittenRows;
  }
  return {
    needed: total > 0 || status.droppedTables.length > 0,
    entities,
    dropped_tables: status.droppedTables,
    entries_since_compaction: status.entriesSinceCompaction,
  };
}

async function databaseReport(engine: Engine, name: string): Promise<Record<string, unknown>> {
  const directory = engine.databaseDirectory(name);
  let database;
  try {
    database = (await engine.state(name)).database;
  } catch (error) {
    if (!(error instanceof CatrustError)) throw error;
    // A database this server cannot open (another passphrase, damage) is reported, not hidden.
    return { name, error: { code: error.code, message: error.bareMessage } };
  }
  const view = database.view();
  const tombstones: Record<string, number> = {};
  let rows = 0;
  for (const entity of view.entities()) {
    const table = view.table(entity);
    rows += table.activeRowCount;
    if (table.rowCount > table.activeRowCount)
      tombstones[entity] = table.rowCount - table.activeRowCount;
  }
  const status = await purgeStatus(database);
  const snapshotBytes = await fileBytes(join(directory, SNAPSHOT_FILE));
  return {
    name,
    encrypted: database.walWriter?.key !== undefined,
    lsn: view.lsn,
    tables: view.entities().length,
    rows,
    deleted_rows: tombstones,
    pending_purge: purgeReport(status),
    wal_bytes: status?.walBytes ?? 0,
    snapshot:
      snapshotBytes === undefined ? { present: false } : { present: true, bytes: snapshotBytes },
    migrations_applied: await migrationsApplied(directory),
  };
}

/**
 * Files in the data directory outside the databases' folders: exports, persisted documents,
 * copied WALs and snapshots — personal data the server keeps no track of.
 */
async function clientFiles(
  engine: Engine,
  databases: ReadonlySet<string>,
): Promise<{
  count: number;
  bytes: number;
  files: { path: string; bytes: number }[];
  complete: boolean;
}> {
  const root = engine.store.directory;
  const listed: { path: string; bytes: number }[] = [];
  let count = 0;
  let bytes = 0;
  const pending: string[] = [''];
  let walked = 0;
  while (pending.length > 0 && walked < WALKED_FOLDERS_MAX) {
    const relative = pending.pop()!;
    walked++;
    const entries = await readdir(join(root, relative), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (relative === '' && (databases.has(entry.name) || entry.name.startsWith('.'))) continue;
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isFile()) {
        const size = (await fileBytes(join(root, path))) ?? 0;
        count++;
        bytes += size;
        if (listed.length < LISTED_FILES_MAX) listed.push({ path, bytes: size });
      }
    }
  }
  listed.sort((a, b) => a.path.localeCompare(b.path));
  return { count, bytes, files: listed, complete: pending.length === 0 };
}

export async function complianceReport(engine: Engine): Promise<Record<string, unknown>> {
  const names = await engine.databaseNames();
  const databases = [];
  for (const name of names) databases.push(await databaseReport(engine, name));
  const audit = engine.options.audit;
  const retention = engine.options.audit?.retention;
  const findings: string[] = [];
  if (!engine.encrypted)
    findings.push('the WAL is not encrypted (start the server with --wal-key)');
  if (audit === undefined) findings.push('no audit log records who accessed what (--audit-log)');
  if (!engine.tls) findings.push('connections are not encrypted (--tls-cert, --tls-key)');
  if (engine.tokens.mode === 'none') findings.push('no token is required: every client is admin');
  for (const database of databases) {
    const purge = database['pending_purge'] as { needed?: boolean } | undefined;
    if (purge?.needed === true)
      findings.push(
        `database ${String(database['name'])}: deleted or overwritten values remain in its files until compact`,
      );
    if (database['error'] !== undefined)
      findings.push(`database ${String(database['name'])} cannot be opened by this server`);
  }
  const files = await clientFiles(engine, new Set(names));
  if (files.count > 0) {
    findings.push(
      `${files.count} file(s) in the data directory are outside the databases (exports, persisted documents, copies)${engine.encrypted ? ', not encrypted' : ''}: delete what is no longer needed`,
    );
  }
  return {
    generated_at: new Date().toISOString(),
    server: {
      wal_encryption: engine.encrypted,
      tls: engine.tls,
      auth: engine.tokens.mode,
      read_only: engine.options.readOnly === true,
      anonymize_key:
        (engine.options as { readonly anonymizeKey?: string }).anonymizeKey !== undefined,
      audit: {
        enabled: audit !== undefined,
        path: audit?.path ?? null,
        // 0 days: rotated files are kept forever; 0 MB: never rotated. null: not known.
        retention_days: retention?.maxDays ?? null,
        max_mb: retention === undefined ? null : retention.maxBytes / BYTES_PER_MIB,
      },
    },
    databases,
    client_files: files,
    findings,
  };
}
