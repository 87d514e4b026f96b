/**
 * What a compaction would still purge (docs/gdpr.md): values that are no longer in the
 * database's state but are still in its files. The WAL after its base (or after the snapshot
 * it continues) holds every change since the last compaction or snapshot; each delete there
 * leaves the deleted row's values in an earlier line (or in the base, or the snapshot), each
 * update leaves the overwritten values, each dropped table its rows. A snapshot never holds a
 * deleted value, and a compaction rewrites the WAL without any of them, so after either the
 * counts start from zero.
 *
 * The WAL is read once, up to its written size, each record checked as recovery checks it
 * (wal-line.ts); deletes and updates name their rows in the entries' JSON.
 */
import { open } from 'node:fs/promises';
import { Checksum } from './checksum.js';
import type { Database } from './database.js';
import { corruptError } from './errors.js';
import { readWalRecord } from './wal-line.js';
import { decodeWalEntry } from './wal-recovery.js';

export interface EntityPurgeStatus {
  /** Deleted rows whose values are still in the database's files. */
  readonly deletedRows: number;
  /** Rows with an overwritten value (update, anonymize) still in the files. */
  readonly overwrittenRows: number;
}

export interface PurgeStatus {
  /** Bytes of the WAL. */
  readonly walBytes: number;
  /** Entries after the WAL's base (or its snapshot): the commits since the last compaction. */
  readonly entriesSinceCompaction: number;
  /** Per entity with something to purge. */
  readonly entities: Readonly<Record<string, EntityPurgeStatus>>;
  /** Tables dropped since, whose rows are still in the files. */
  readonly droppedTables: readonly string[];
}

interface Counting {
  readonly deleted: Set<number>;
  readonly overwritten: Set<number>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rowIds(value: unknown): number[] {
  return Array.isArray(value) ? value.filter((row): row is number => typeof row === 'number') : [];
}

/** The first `size` bytes of `file` (fewer if it is shorter). */
async function readPrefix(file: string, size: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const bytes = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const { bytesRead } = await handle.read(bytes, read, size - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return bytes.subarray(0, read);
  } finally {
    await handle.close();
  }
}

/** The purge status of a database opened from files; undefined for one in memory. */
export async function purgeStatus(database: Database): Promise<PurgeStatus | undefined> {
  const writer = database.walWriter;
  if (writer === undefined) return undefined;
  const size = writer.sizeBytes;
  const bytes = await readPrefix(writer.file, size);
  const checksum = await Checksum.create();
  const counting = new Map<string, Counting>();
  const dropped = new Set<string>();
  const of = (entity: string): Counting => {
    let known = counting.get(entity);
    if (known === undefined) {
      known = { deleted: new Set(), overwritten: new Set() };
      counting.set(entity, known);
    }
    return known;
  };
  let entries = 0;
  let position = 0;
  let recordNumber = 0;
  while (position < bytes.length) {
    const read = readWalRecord(bytes, position, checksum);
    // A record being appended right now ends past the size read.
    if (read.kind === 'torn') break;
    recordNumber++;
    if (read.kind === 'bad') {
      throw corruptError(writer.file, `WAL ${writer.file} record ${recordNumber}: ${read.reason}`, {
        offset: position,
      });
    }
    position = read.end;
    if (typeof read.entry === 'object' && read.entry !== null && 'key' in read.entry) continue;
    const entry = decodeWalEntry(read.entry, writer.key, read.payload);
    if (typeof entry === 'string') {
      throw corruptError(writer.file, `WAL ${writer.file} record ${recordNumber}: ${entry}`, {
        offset: position,
      });
    }
    if (entry.base || !Array.isArray(entry.ops)) continue;
    const ops = entry.ops as unknown[];
    entries++;
    for (const op of ops) {
      if (!isRecord(op) || typeof op['entity'] !== 'string') continue;
      const entity = op['entity'];
      switch (op['op']) {
        case 'delete':
          for (const row of rowIds(op['rows'])) of(entity).deleted.add(row);
          break;
        case 'update':
          for (const row of rowIds(op['rows'])) of(entity).overwritten.add(row);
          break;
        case 'insert': {
          // Rows inserted and deleted again in one transaction: their values are in the line.
          const first = typeof op['row'] === 'number' ? op['row'] : 0;
          for (const offset of rowIds(op['deleted'])) of(entity).deleted.add(first + offset);
          break;
        }
        case 'drop':
          dropped.add(entity);
          counting.delete(entity);
          break;
        default:
          break;
      }
    }
  }
  const entities: Record<string, EntityPurgeStatus> = {};
  for (const [entity, { deleted, overwritten }] of [...counting].sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    if (deleted.size === 0 && overwritten.size === 0) continue;
    for (const row of deleted) overwritten.delete(row);
    entities[entity] = { deletedRows: deleted.size, overwrittenRows: overwritten.size };
  }
  return {
    walBytes: size,
    entriesSinceCompaction: entries,
    entities,
    droppedTables: [...dropped].sort(),
  };
}
