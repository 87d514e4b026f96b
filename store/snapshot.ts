/**
 * Snapshot V2: the whole database at one LSN as a columnar binary file (docs/storage.md).
 *
 *   offset 0   "CATRUST2"                       magic, 8 bytes
 *          8   u32 LE format version (2)
 *         12   u32 LE flags (bit 0: encrypted)
 *         16   u32 LE directory length in bytes (as stored)
 *         20   u32 LE 0 (reserved)
 *         24   u64 LE the snapshot's LSN
 *         32   16 ASCII hex digits: xxh3-64 of bytes 0..32 and the stored directory
 *         48   directory: UTF-8 JSON {lsn, tables:[{definition, rowCount, activeRowCount,
 *              deleted?: block, columns:[{representation, ...block, valuesBytes,
 *              validityBytes, dictionaryBytes, labelsBytes}]}]}
 *              block = {offset, length, checksum (xxh3-64 hex of the block's bytes)}
 *          …   blocks: per column [values LE][validity bitmap, LSB first][dictionary JSON
 *              array][labels JSON [[rowId, term]…]]; per table with deleted rows a bitmap.
 *
 * Encrypted (flag bit 0): the directory and every block are sealed with AES-256-GCM
 * (encryption.ts), bound to their place (`snapshot:<lsn>:directory`,
 * `snapshot:<lsn>:<entity>:<column index>|deleted`); checksums cover the sealed bytes, and
 * the part lengths are those of the plaintext.
 *
 * `openSnapshot` reads and checks the header and directory only; each column block is read
 * and verified (checksum, lengths, dictionary codes) on first use, through `Lazy`, so a
 * damaged block is a typed E_STORE_CORRUPT from the read that needs it — never wrong data.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { limits } from '../common/index.js';
import { bitmapBytes, countBits, getBit } from './bitmap.js';
import {
  Chunk,
  CHUNK_MASK,
  CHUNK_ROWS,
  CHUNK_SHIFT,
  chunkCount,
  rowsInChunk,
  type ChunkValues,
} from './chunk.js';
import type { Checksum } from './checksum.js';
import { SEAL_OVERHEAD_BYTES, type EncryptionKey } from './encryption.js';
import { Dictionary } from './dictionary.js';
import { corruptError, StoreError } from './errors.js';
import { parseTableDefinition, type ColumnDefinition } from './schema.js';
import {
  ColumnState,
  columnIndexMap,
  DatabaseVersion,
  Lazy,
  TableState,
  type ColumnContent,
} from './table-state.js';
import type { Representation } from './vectors.js';
import { writeAllAt } from './wal-writer.js';

const MAGIC = Buffer.from('CATRUST2');
const FORMAT_VERSION = 2;
const HEADER_BYTES = 48;
const ENCRYPTED = 1;
/** Bytes of the directory JSON; bounds what `open` reads before it trusts anything. */
const DIRECTORY_BYTES_MAX = 256 * 1024 * 1024;

const WIDTHS: Readonly<Record<Representation, number>> = {
  float64: 8,
  bigint64: 8,
  date: 4,
  bool: 1,
  rowId: 4,
  dictionary: 4,
};

interface Block {
  readonly offset: number;
  readonly length: number;
  /** Filled in as the block is written (a placeholder of the same length until then). */
  checksum: string;
}

/** A checksum's stand-in while the directory's layout is computed: the same 16 characters. */
const PENDING_CHECKSUM = '0000000000000000';

interface ColumnEntry extends Block {
  readonly representation: Representation;
  readonly valuesBytes: number;
  readonly validityBytes: number;
  readonly dictionaryBytes: number;
  readonly labelsBytes: number;
}

// ── writing ───────────────────────────────────────────────────────────────────────────────

function bytes(values: ArrayBufferView, length = values.byteLength): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, length);
}

/**
 * The strings of a dictionary column that active rows use, and old code → new code. Codes of
 * NULL and deleted rows map to whatever (they are written as 0).
 */
function liveDictionary(
  chunks: readonly Chunk[],
  rowCount: number,
  strings: readonly string[],
  isDeleted: (rowId: number) => boolean,
): { strings: string[]; translate: Uint32Array } {
  const translate = new Uint32Array(strings.length);
  const used = new Uint8Array(strings.length);
  for (let chunkIndex = 0; chunkIndex < chunkCount(rowCount); chunkIndex++) {
    const chunk = chunks[chunkIndex]!;
    const codes = chunk.values as Uint32Array;
    for (let offset = 0; offset < rowsInChunk(rowCount, chunkIndex); offset++) {
      if (chunk.validity !== undefined && !getBit(chunk.validity, offset)) continue;
      if (isDeleted(chunkIndex * CHUNK_ROWS + offset)) continue;
      used[codes[offset]!] = 1;
    }
  }
  const live: string[] = [];
  for (let code = 0; code < strings.length; code++) {
    if (used[code] === 1) translate[code] = live.push(strings[code]!) - 1;
  }
  return { strings: live, translate };
}

/**
 * A copy of the first `bits` bits of a bitmap, the bits past them cleared. Values are written
 * straight from the version's chunks (rows below the row count never change), but a bitmap's
 * last byte is shared with rows a later transaction may append in place while the file is
 * being written: it is copied when the checksum is computed.
 */
function bitsCopy(bitmap: Uint8Array, bits: number): Buffer {
  const copy = Buffer.from(bitmap.subarray(0, bitmapBytes(bits)));
  if (bits % 8 !== 0) copy[copy.length - 1]! &= (1 << (bits % 8)) - 1;
  return copy;
}

/**
 * Write `version` to `file` (created or replaced) and fdatasync it. Returns the file's size.
 *
 * The blocks are laid out first (their lengths are known before their bytes are sealed or
 * checksummed, and a checksum is 16 characters whatever its value), so the directory's length
 * and every block's offset are fixed up front. Then each block is checksummed (and sealed) on
 * this thread while the previous one is being written by the I/O pool; the header and the
 * directory, with the checksums filled in, go last; one fdatasync covers the file.
 */
export async function writeSnapshot(
  file: string,
  version: DatabaseVersion,
  checksum: Checksum,
  key?: EncryptionKey,
): Promise<number> {
  const pending: { plain: Buffer[]; place: string; entry: Block }[] = [];
  let position = 0;
  const overhead = key === undefined ? 0 : SEAL_OVERHEAD_BYTES;
  /** Lay out a block; `entry` makes its directory entry (whose checksum is filled in later). */
  const addBlock = <E extends Block>(
    plain: Buffer[],
    place: string,
    entry: (block: Block) => E,
  ): E => {
    const length = plain.reduce((sum, part) => sum + part.length, 0) + overhead;
    const made = entry({ offset: position, length, checksum: PENDING_CHECKSUM });
    pending.push({ plain, place: `snapshot:${version.lsn}:${place}`, entry: made });
    position += length;
    return made;
  };
  const tables = [...version.tables.values()].map((table) => {
    const rowCount = table.rowCount;
    // Deleted rows are purged: their slots zero and NULL, their labels and any string only they
    // used left out (a snapshot never brings back what a compaction purged).
    const deletedChunks = table.activeRowCount < rowCount ? table.deletedChunks() : [];
    const hasDeleted = deletedChunks.some((bitmap) => bitmap !== undefined);
    const isDeleted = (rowId: number): boolean => {
      const bitmap = deletedChunks[rowId >>> CHUNK_SHIFT];
      return bitmap !== undefined && getBit(bitmap, rowId & CHUNK_MASK);
    };
    const columns = table.columns.map((column, columnIndex): ColumnEntry => {
      const representation = column.representation;
      const width = WIDTHS[representation];
      const chunks = column.chunks();
      const values: Buffer[] = [];
      const validity: Buffer[] = [];
      const labels: [number, string][] = [];
      const hasValidity = hasDeleted || chunks.some((chunk) => chunk.validity !== undefined);
      let strings = column.dictionary()?.strings;
      let translate: Uint32Array | undefined;
      if (strings !== undefined && hasDeleted) {
        ({ strings, translate } = liveDictionary(chunks, rowCount, strings, isDeleted));
      }
      for (let chunkIndex = 0; chunkIndex < chunkCount(rowCount); chunkIndex++) {
        const chunk = chunks[chunkIndex]!;
        const rows = rowsInChunk(rowCount, chunkIndex);
        const deleted = deletedChunks[chunkIndex];
        let bits: Buffer | undefined;
        if (hasValidity) {
          bits =
            chunk.validity === undefined
              ? Buffer.alloc(bitmapBytes(rows), 0xff)
              : bitsCopy(chunk.validity, rows);
          if (rows % 8 !== 0) bits[bits.length - 1]! &= (1 << (rows % 8)) - 1;
        }
        if (deleted === undefined && translate === undefined) {
          values.push(bytes(chunk.values, rows * width));
        } else {
          const copy = chunk.values.slice(0, rows);
          for (let offset = 0; offset < rows; offset++) {
            if (deleted !== undefined && getBit(deleted, offset)) {
              if (copy instanceof BigInt64Array) copy[offset] = 0n;
              else copy[offset] = 0;
              bits![offset >>> 3]! &= ~(1 << (offset & 7));
            } else if (translate !== undefined) {
              copy[offset] = translate[copy[offset] as number]!;
            }
          }
          values.push(bytes(copy));
        }
        if (bits !== undefined) validity.push(bits);
        if (chunk.labels !== undefined) {
          for (const [offset, term] of chunk.labels) {
            if (offset >= rows || (deleted !== undefined && getBit(deleted, offset))) continue;
            labels.push([chunkIndex * CHUNK_ROWS + offset, term]);
          }
        }
      }
      const dictionaryPart =
        strings === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(strings));
      const labelsPart =
        labels.length === 0 ? Buffer.alloc(0) : Buffer.from(JSON.stringify(labels));
      const valuesBytes = rowCount * width;
      const validityBytes = hasValidity ? bitmapBytes(rowCount) : 0;
      return addBlock(
        [...values, ...validity, dictionaryPart, labelsPart],
        `${table.entity}:${columnIndex}`,
        (block) => ({
          representation,
          ...block,
          valuesBytes,
          validityBytes,
          dictionaryBytes: dictionaryPart.length,
          labelsBytes: labelsPart.length,
        }),
      );
    });
    let deleted: Block | undefined;
    if (table.activeRowCount < rowCount) {
      const bitmaps = table.deletedChunks();
      const parts: Buffer[] = [];
      for (let chunkIndex = 0; chunkIndex < chunkCount(rowCount); chunkIndex++) {
        const length = bitmapBytes(rowsInChunk(rowCount, chunkIndex));
        const bitmap = bitmaps[chunkIndex];
        parts.push(
          bitmap === undefined
            ? Buffer.alloc(length)
            : bitsCopy(bitmap, rowsInChunk(rowCount, chunkIndex)),
        );
      }
      deleted = addBlock(parts, `${table.entity}:deleted`, (block) => block);
    }
    return {
      definition: table.definition,
      rowCount,
      activeRowCount: table.activeRowCount,
      ...(deleted === undefined ? {} : { deleted }),
      columns,
    };
  });
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(FORMAT_VERSION, 8);
  header.writeUInt32LE(key === undefined ? 0 : ENCRYPTED, 12);
  header.writeBigUInt64LE(BigInt(version.lsn), 24);
  // Block offsets were counted from the first block; the directory records file offsets.
  const dataStart = directoryLayout(tables, version.lsn, overhead);
  const handle = await open(file, 'w');
  try {
    let writing: Promise<void> = Promise.resolve();
    for (const { plain, place, entry } of pending) {
      const parts = key === undefined ? plain : key.sealParts(plain, place);
      entry.checksum = checksum.hexOf(parts);
      // The previous block was being written while this one was checksummed.
      await writing;
      writing = writeAllAt(handle, parts, dataStart + entry.offset);
    }
    await writing;
    const directory = finalDirectory(tables, version.lsn, dataStart, checksum, header, key);
    await writeAllAt(handle, [header, directory], 0);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  return dataStart + position;
}

/** The stored directory's JSON with block offsets shifted by `dataStart` (file offsets). */
function directoryJson(tables: unknown, lsn: number, dataStart: number): Buffer {
  return Buffer.from(
    JSON.stringify({ lsn, tables }, (field, value: unknown) =>
      field === 'offset' && typeof value === 'number' ? value + dataStart : value,
    ),
  );
}

/**
 * Where the blocks start: past the header and the directory, whose length depends on the
 * offsets it records — repeat until it is stable. Checksums may still be placeholders (the
 * same length as the real ones).
 */
function directoryLayout(tables: unknown, lsn: number, overhead: number): number {
  let length = directoryJson(tables, lsn, 0).length;
  for (let attempt = 0; attempt < 8; attempt++) {
    const next = directoryJson(tables, lsn, HEADER_BYTES + length + overhead).length;
    if (next === length) return HEADER_BYTES + length + overhead;
    length = next;
  }
  throw new StoreError('E_STORE_IO', 'snapshot directory offsets did not settle');
}

/**
 * The stored directory (sealed when encrypted) with the blocks' checksums, which must have the
 * length `directoryLayout` planned for; fills the header's length and checksum fields.
 */
function finalDirectory(
  tables: unknown,
  lsn: number,
  dataStart: number,
  checksum: Checksum,
  header: Buffer,
  key: EncryptionKey | undefined,
): Buffer {
  const plain = directoryJson(tables, lsn, dataStart);
  const stored = key === undefined ? plain : key.seal(plain, `snapshot:${lsn}:directory`);
  if (HEADER_BYTES + stored.length !== dataStart) {
    throw new StoreError('E_STORE_IO', 'the snapshot directory changed length while written');
  }
  header.writeUInt32LE(stored.length, 16);
  header.write(checksum.hexOf([header.subarray(0, 32), stored]), 32, 'latin1');
  return stored;
}

/** The LSN in a snapshot's header, not yet verified (to compare with a WAL's base entry). */
export function readSnapshotLsn(file: string): number | undefined {
  const fd = openSync(file, 'r');
  try {
    const header = readExactly(fd, HEADER_BYTES, 0);
    if (header.length < HEADER_BYTES || !header.subarray(0, 8).equals(MAGIC)) return undefined;
    return Number(header.readBigUInt64LE(24));
  } finally {
    closeSync(fd);
  }
}

// ── reading ───────────────────────────────────────────────────────────────────────────────

export interface OpenedSnapshot {
  readonly version: DatabaseVersion;
  readonly sizeBytes: number;
  /** Close the file; columns not yet loaded can no longer be read. */
  close(): void;
}

function readExactly(fd: number, length: number, position: number): Buffer {
  const buffer = Buffer.alloc(length);
  let read = 0;
  while (read < length) {
    const count = readSync(fd, buffer, read, length - read, position + read);
    if (count === 0) break;
    read += count;
  }
  return read === length ? buffer : buffer.subarray(0, read);
}

function fail(file: string, message: string, offset?: number): StoreError {
  return corruptError(
    file,
    `snapshot ${file}: ${message}`,
    offset === undefined ? {} : { offset },
    'restore the database from its WAL or a backup',
  );
}

function objectAt(json: unknown, what: string, file: string): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw fail(file, `${what} must be an object`);
  }
  return json as Record<string, unknown>;
}

function integerAt(
  record: Record<string, unknown>,
  field: string,
  file: string,
  max: number,
): number {
  const value = record[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) {
    throw fail(file, `${field} must be an integer in 0 .. ${max}`);
  }
  return value;
}

function representationFits(column: ColumnDefinition, representation: Representation): boolean {
  if (column.type.kind === 'foreignKey') return representation === 'rowId';
  switch (column.type.scalar) {
    case 'Int':
      return representation === 'float64' || representation === 'bigint64';
    case 'Float':
      return representation === 'float64';
    case 'Date':
      return representation === 'date';
    case 'Bool':
      return representation === 'bool';
    case 'String':
    case 'Uuid':
    case 'Decimal':
      return representation === 'dictionary';
  }
}

/** Open a snapshot: read and verify the header and directory; columns load on first use. */
export function openSnapshot(
  file: string,
  checksum: Checksum,
  key?: EncryptionKey,
): OpenedSnapshot {
  const fd = openSync(file, 'r');
  let closed = false;
  try {
    const header = readExactly(fd, HEADER_BYTES, 0);
    if (header.length < HEADER_BYTES || !header.subarray(0, 8).equals(MAGIC)) {
      throw fail(file, 'not a catrust snapshot (bad magic)', 0);
    }
    const directoryBytes = header.readUInt32LE(16);
    if (directoryBytes > DIRECTORY_BYTES_MAX) throw fail(file, 'directory too large', 16);
    const stored = readExactly(fd, directoryBytes, HEADER_BYTES);
    const expected = header.subarray(32, 48).toString('latin1');
    if (
      stored.length !== directoryBytes ||
      checksum.hexOf([header.subarray(0, 32), stored]) !== expected
    ) {
      throw fail(file, 'header or directory checksum mismatch', 0);
    }
    const formatVersion = header.readUInt32LE(8);
    if (formatVersion !== FORMAT_VERSION) {
      throw fail(file, `format version ${formatVersion}, expected ${FORMAT_VERSION}`, 8);
    }
    const flags = header.readUInt32LE(12);
    if ((flags & ~ENCRYPTED) !== 0 || header.readUInt32LE(20) !== 0) {
      throw fail(file, 'unknown flags', 12);
    }
    const encrypted = (flags & ENCRYPTED) !== 0;
    if (encrypted !== (key !== undefined)) {
      throw new StoreError(
        'E_STORE_KEY',
        encrypted
          ? `snapshot ${file} is encrypted: open the database with its passphrase`
          : `snapshot ${file} is not encrypted but a passphrase was given`,
      );
    }
    const headerLsn = Number(header.readBigUInt64LE(24));
    let directory = stored;
    if (key !== undefined) {
      const opened = key.open(stored, `snapshot:${headerLsn}:directory`);
      if (opened === undefined)
        throw fail(file, 'the directory fails authentication', HEADER_BYTES);
      directory = opened;
    }
    let json: unknown;
    try {
      json = JSON.parse(directory.toString('utf8'));
    } catch {
      throw fail(file, 'directory is not JSON', HEADER_BYTES);
    }
    const root = objectAt(json, 'the directory', file);
    const lsn = integerAt(root, 'lsn', file, Number.MAX_SAFE_INTEGER);
    if (lsn !== headerLsn) throw fail(file, 'the header and directory disagree on the LSN', 24);
    if (!Array.isArray(root['tables'])) throw fail(file, 'tables must be an array');
    const dataStart = HEADER_BYTES + directoryBytes;
    const overhead = encrypted ? SEAL_OVERHEAD_BYTES : 0;
    let sizeBytes = dataStart;
    const readBlock = (blockJson: unknown, what: string, place: string): (() => Buffer) => {
      const record = objectAt(blockJson, what, file);
      const offset = integerAt(record, 'offset', file, Number.MAX_SAFE_INTEGER);
      const length = integerAt(record, 'length', file, 2 ** 31 - 1);
      const expected = record['checksum'];
      if (typeof expected !== 'string' || offset < dataStart || length < overhead) {
        throw fail(file, `${what}: bad block entry`);
      }
      sizeBytes = Math.max(sizeBytes, offset + length);
      return () => {
        if (closed) throw new StoreError('E_STORE_CLOSED', `snapshot ${file} is closed`);
        const block = readExactly(fd, length, offset);
        if (block.length !== length || checksum.hex(block) !== expected) {
          throw fail(file, `${what}: checksum mismatch`, offset);
        }
        if (key === undefined) return block;
        const opened = key.open(block, `snapshot:${lsn}:${place}`);
        if (opened === undefined) throw fail(file, `${what}: fails authentication`, offset);
        return opened;
      };
    };
    const tables = new Map<string, TableState>();
    let tableId = 1;
    for (const tableJson of root['tables'] as unknown[]) {
      const record = objectAt(tableJson, 'a table', file);
      let definition;
      try {
        definition = parseTableDefinition(record['definition']);
      } catch (error) {
        throw fail(file, `bad table definition: ${(error as Error).message}`);
      }
      const entity = definition.entity;
      if (tables.has(entity)) throw fail(file, `table ${entity} appears twice`);
      const rowCount = integerAt(record, 'rowCount', file, limits.tableRowsMax);
      const activeRowCount = integerAt(record, 'activeRowCount', file, rowCount);
      const columnsJson = record['columns'];
      if (!Array.isArray(columnsJson) || columnsJson.length !== definition.columns.length) {
        throw fail(file, `table ${entity}: one column entry per column expected`);
      }
      const columns = definition.columns.map((column, columnIndex) => {
        const what = `column ${entity}.${column.name}`;
        const entry = objectAt(columnsJson[columnIndex], what, file);
        const representation = entry['representation'];
        if (
          typeof representation !== 'string' ||
          !(representation in WIDTHS) ||
          !representationFits(column, representation as Representation)
        ) {
          throw fail(file, `${what}: bad representation ${JSON.stringify(representation)}`);
        }
        const read = readBlock(entry, what, `${entity}:${columnIndex}`);
        const parts = {
          values: integerAt(entry, 'valuesBytes', file, 2 ** 31 - 1),
          validity: integerAt(entry, 'validityBytes', file, 2 ** 31 - 1),
          dictionary: integerAt(entry, 'dictionaryBytes', file, 2 ** 31 - 1),
          labels: integerAt(entry, 'labelsBytes', file, 2 ** 31 - 1),
        };
        const length = entry['length'] as number;
        const kind = representation as Representation;
        if (
          parts.values !== rowCount * WIDTHS[kind] ||
          (parts.validity !== 0 && parts.validity !== bitmapBytes(rowCount)) ||
          parts.values + parts.validity + parts.dictionary + parts.labels + overhead !== length ||
          (kind === 'dictionary') !== parts.dictionary > 0
        ) {
          throw fail(file, `${what}: part lengths do not add up`);
        }
        return new ColumnState(
          column,
          kind,
          new Lazy(() => loadColumn(read(), kind, rowCount, parts, what, file), true),
        );
      });
      let deleted: Lazy<readonly (Uint8Array | undefined)[]>;
      if (record['deleted'] === undefined) {
        if (activeRowCount !== rowCount) throw fail(file, `table ${entity}: deleted rows missing`);
        deleted = new Lazy<readonly (Uint8Array | undefined)[]>([], false);
      } else {
        const read = readBlock(record['deleted'], `deleted rows of ${entity}`, `${entity}:deleted`);
        deleted = new Lazy(() => loadDeleted(read(), rowCount, activeRowCount, entity, file), true);
      }
      tables.set(
        entity,
        new TableState(
          tableId++,
          definition,
          columnIndexMap(definition),
          rowCount,
          activeRowCount,
          columns,
          deleted,
          0,
        ),
      );
    }
    for (const table of tables.values()) {
      for (const column of table.definition.columns) {
        if (column.type.kind === 'foreignKey' && !tables.has(column.type.target)) {
          throw fail(file, `${table.entity}.${column.name} refers to a missing table`);
        }
      }
    }
    return {
      version: new DatabaseVersion(lsn, tables),
      sizeBytes,
      close: () => {
        if (closed) return;
        closed = true;
        closeSync(fd);
      },
    };
  } catch (error) {
    closed = true;
    closeSync(fd);
    throw error;
  }
}

function typedView(
  kind: Representation,
  buffer: ArrayBuffer,
  offset: number,
  rows: number,
): ChunkValues {
  switch (kind) {
    case 'float64':
      return new Float64Array(buffer, offset, rows);
    case 'bigint64':
      return new BigInt64Array(buffer, offset, rows);
    case 'date':
      return new Int32Array(buffer, offset, rows);
    case 'bool':
      return new Uint8Array(buffer, offset, rows);
    case 'rowId':
    case 'dictionary':
      return new Uint32Array(buffer, offset, rows);
  }
}

function loadColumn(
  block: Buffer,
  kind: Representation,
  rowCount: number,
  parts: { values: number; validity: number; dictionary: number; labels: number },
  what: string,
  file: string,
): ColumnContent {
  // A private, aligned copy of the values (typed arrays need aligned offsets).
  const buffer = new ArrayBuffer(parts.values + parts.validity);
  new Uint8Array(buffer).set(block.subarray(0, parts.values + parts.validity));
  let dictionary: Dictionary | undefined;
  if (kind === 'dictionary') {
    const text = block.subarray(
      parts.values + parts.validity,
      parts.values + parts.validity + parts.dictionary,
    );
    let strings: unknown;
    try {
      strings = JSON.parse(text.toString('utf8'));
    } catch {
      throw fail(file, `${what}: dictionary is not JSON`);
    }
    if (!Array.isArray(strings) || !strings.every((value) => typeof value === 'string')) {
      throw fail(file, `${what}: dictionary must be an array of strings`);
    }
    dictionary = Dictionary.of(strings as string[]);
    if (dictionary.size !== strings.length)
      throw fail(file, `${what}: duplicate dictionary entries`);
  }
  const labels = new Map<number, string>();
  if (parts.labels > 0) {
    const text = block.subarray(block.length - parts.labels);
    let json: unknown;
    try {
      json = JSON.parse(text.toString('utf8'));
    } catch {
      throw fail(file, `${what}: labels are not JSON`);
    }
    if (!Array.isArray(json)) throw fail(file, `${what}: labels must be an array`);
    for (const entry of json as unknown[]) {
      if (
        !Array.isArray(entry) ||
        !Number.isInteger(entry[0]) ||
        (entry[0] as number) < 0 ||
        (entry[0] as number) >= rowCount ||
        typeof entry[1] !== 'string'
      ) {
        throw fail(file, `${what}: a label must be [rowId, term]`);
      }
      labels.set(entry[0] as number, entry[1] as string);
    }
  }
  const width = WIDTHS[kind];
  const chunks: Chunk[] = [];
  for (let chunkIndex = 0; chunkIndex < chunkCount(rowCount); chunkIndex++) {
    const rows = rowsInChunk(rowCount, chunkIndex);
    const first = chunkIndex * CHUNK_ROWS;
    const values = typedView(kind, buffer, first * width, rows);
    const validity =
      parts.validity === 0
        ? undefined
        : new Uint8Array(buffer, parts.values + first / 8, bitmapBytes(rows));
    if (dictionary !== undefined) {
      const size = dictionary.size;
      const codes = values as Uint32Array;
      for (let offset = 0; offset < rows; offset++) {
        if (codes[offset]! >= size && (validity === undefined || getBit(validity, offset))) {
          throw fail(file, `${what}: dictionary code out of range at row ${first + offset}`);
        }
      }
    }
    let chunkLabels: Map<number, string> | undefined;
    for (const [rowId, term] of labels) {
      if (rowId < first || rowId >= first + rows) continue;
      if (validity !== undefined && getBit(validity, rowId - first)) {
        throw fail(file, `${what}: a labelled null at row ${rowId} has a value`);
      }
      chunkLabels ??= new Map();
      chunkLabels.set(rowId - first, term);
    }
    chunks.push(new Chunk(values, validity, chunkLabels));
  }
  return { chunks, dictionary };
}

function loadDeleted(
  block: Buffer,
  rowCount: number,
  activeRowCount: number,
  entity: string,
  file: string,
): (Uint8Array | undefined)[] {
  if (block.length !== bitmapBytes(rowCount))
    throw fail(file, `deleted rows of ${entity}: bad length`);
  const bitmaps: (Uint8Array | undefined)[] = [];
  let deletedCount = 0;
  for (let chunkIndex = 0; chunkIndex < chunkCount(rowCount); chunkIndex++) {
    const rows = rowsInChunk(rowCount, chunkIndex);
    const start = (chunkIndex * CHUNK_ROWS) / 8;
    // Full-size, like every deleted bitmap: a later transaction marks rows it appends to the
    // last chunk in place (those bits are invisible to published versions).
    const bitmap = new Uint8Array(bitmapBytes(CHUNK_ROWS));
    const used = bitmapBytes(rows);
    bitmap.set(block.subarray(start, start + used));
    if (rows % 8 !== 0) bitmap[used - 1]! &= (1 << (rows % 8)) - 1;
    const count = countBits(bitmap, rows);
    deletedCount += count;
    bitmaps.push(count === 0 ? undefined : bitmap);
  }
  if (rowCount - deletedCount !== activeRowCount) {
    throw fail(
      file,
      `deleted rows of ${entity}: ${deletedCount} deleted but ${rowCount - activeRowCount} expected`,
    );
  }
  return bitmaps;
}
