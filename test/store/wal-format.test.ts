/**
 * WAL record format 2 (a binary payload after the line) on real files: format-1 WALs written by
 * the previous writer still open; a payload cut short anywhere is a reported torn tail; a
 * damaged, truncated-then-extended or moved payload is a typed error naming the record, never
 * wrong data; encrypted payloads are bound to their entry; compaction, snapshots and key
 * rotation carry payload records.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'mocha';
import {
  createMemoryDatabase,
  foreignKeyColumn,
  labelledNull,
  scalarColumn,
  Store,
  StoreError,
  tableDefinition,
  WAL_FILE,
  type Database,
} from '../../store/index.js';
import { Checksum } from '../../store/checksum.js';
import { projectRoot } from '../helpers/paths.js';
import { dumpDatabase } from './crash-workload.js';
import { format1History } from './format1-history.js';
import { joinRecords, walRecords } from './wal-records.js';

const schema = { scalarColumn, foreignKeyColumn, tableDefinition, labelledNull };
const fixtures = join(projectRoot, 'test', 'store', 'fixtures');
const FAST = { memoryKiB: 64, iterations: 1 };

const item = tableDefinition('Item', [
  scalarColumn('n', 'Int', { notNull: true }),
  scalarColumn('x', 'Float'),
  scalarColumn('s', 'String'),
  scalarColumn('d', 'Date'),
]);

/** A bulk insert of `count` rows starting at value `from` (some NULLs, some labelled nulls). */
async function bulk(database: Database, from: number, count: number): Promise<void> {
  const transaction = await database.begin();
  const validity = new Uint8Array(Math.ceil(count / 8)).fill(0xff);
  validity[0] = 0xfe;
  transaction.appendColumns('Item', {
    n: new Float64Array(count).map((_, index) => from + index),
    x: { values: new Float64Array(count).map((_, index) => (from + index) / 3), validity },
    s: {
      codes: new Uint32Array(count).map((_, index) => index % 5),
      dictionary: ['a', 'b', 'c', 'd', `e${from}`],
    },
    d: new Int32Array(count).map((_, index) => index - 10),
  });
  const first = transaction.view.table('Item').rowCount - count;
  transaction.update('Item', first + 2, { x: labelledNull(`x${from}`) });
  await transaction.commit();
}

function corrupt(line?: number): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof StoreError, String(error));
    assert.equal(error.code, 'E_STORE_CORRUPT', error.message);
    if (line !== undefined) {
      assert.equal(error.location?.kind === 'file' && error.location.line, line, error.message);
    }
    return true;
  };
}

describe('store: WAL record format 2 (binary payloads)', () => {
  let directory: string;
  let store: Store;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'catrust-walformat-'));
    store = await Store.open(directory);
  });

  afterEach(async () => {
    await store.close();
    await rm(directory, { recursive: true, force: true });
  });

  async function expectedFormat1State(): Promise<ReturnType<typeof dumpDatabase>> {
    const memory = createMemoryDatabase('model');
    await format1History(memory, schema, () => Promise.resolve());
    return dumpDatabase(memory);
  }

  async function installFixture(name: string, fixture: string): Promise<string> {
    await mkdir(join(directory, name));
    const file = join(directory, name, WAL_FILE);
    await copyFile(join(fixtures, fixture), file);
    return file;
  }

  it('opens a format-1 WAL (base64 columns) written by the previous writer, and appends format 2 to it', async () => {
    const expected = await expectedFormat1State();
    const file = await installFixture('old', 'wal-format1.ndjson');
    const old = walRecords(await readFile(file));
    assert.ok(old.every((record) => record.payload === undefined));
    assert.ok(old.some((record) => /"b":"[A-Za-z0-9+/=]{40,}"/.test(record.line)));
    const database = await store.open('old');
    assert.deepEqual(dumpDatabase(database), expected);
    assert.equal(database.recovery!.entries, old.length);
    await database.createTable(item);
    await bulk(database, 0, 100);
    const after = dumpDatabase(database);
    await database.close();
    const records = walRecords(await readFile(file));
    assert.equal(records.length, old.length + 2);
    assert.ok(records.at(-1)!.payload !== undefined, 'new bulk commits carry a payload');
    const reopened = await store.open('old');
    assert.deepEqual(dumpDatabase(reopened), after);
  });

  it('opens an encrypted format-1 WAL and rotates its key into format 2', async () => {
    const expected = await expectedFormat1State();
    await installFixture('sealed', 'wal-format1-encrypted.ndjson');
    await assert.rejects(store.open('sealed', { passphrase: 'wrong' }), (error: unknown) => {
      assert.ok(error instanceof StoreError && error.code === 'E_STORE_KEY');
      return true;
    });
    const database = await store.open('sealed', { passphrase: 'format-1' });
    assert.deepEqual(dumpDatabase(database), expected);
    await database.rotateKey('format-2', FAST);
    await database.close();
    const records = walRecords(await readFile(join(directory, 'sealed', WAL_FILE)));
    assert.ok(records.some((record) => record.payload !== undefined));
    const reopened = await store.open('sealed', { passphrase: 'format-2' });
    assert.deepEqual(dumpDatabase(reopened), expected);
  });

  it('reports a payload cut short at any point as a torn tail and keeps everything before it', async () => {
    const database = await store.create('torn', [item]);
    await bulk(database, 0, 100);
    const before = dumpDatabase(database);
    const file = join(directory, 'torn', WAL_FILE);
    const size = (await stat(file)).size;
    await bulk(database, 1000, 70);
    const after = dumpDatabase(database);
    await database.close();
    const whole = await readFile(file);
    const last = walRecords(whole).at(-1)!;
    assert.ok(last.payload !== undefined);
    // Every cut from inside the line to just before the payload's final newline.
    const lineEnd = size + Buffer.byteLength(last.line) + 1;
    const cuts = new Set<number>([size + 1, lineEnd - 1, lineEnd, whole.length - 1]);
    for (let cut = lineEnd; cut < whole.length; cut += 7) cuts.add(cut);
    for (const cut of cuts) {
      await writeFile(file, whole.subarray(0, cut));
      const reopened = await store.open('torn');
      assert.equal(reopened.recovery!.tornTailBytes, cut - size, `cut at ${cut}`);
      assert.deepEqual(dumpDatabase(reopened), before, `cut at ${cut}`);
      await reopened.close();
      assert.equal((await stat(file)).size, size, 'the torn record is truncated');
    }
    await writeFile(file, whole);
    const reopened = await store.open('torn');
    assert.equal(reopened.recovery!.tornTailBytes, 0);
    assert.deepEqual(dumpDatabase(reopened), after);
  });

  it('refuses a damaged payload, a wrong length or a missing terminator, naming the record; repair drops it', async () => {
    const database = await store.create('bad', [item]);
    await bulk(database, 0, 100);
    await bulk(database, 500, 100);
    await database.close();
    const file = join(directory, 'bad', WAL_FILE);
    const original = await readFile(file);
    const records = walRecords(original);
    assert.equal(records.length, 3);
    // A flipped byte in every position of the second payload.
    const payloadStart =
      original.indexOf(records[1]!.line) + Buffer.byteLength(records[1]!.line) + 1;
    for (let offset = 0; offset <= records[1]!.payload!.length; offset += 3) {
      const damaged = Buffer.from(original);
      damaged[payloadStart + offset] = damaged[payloadStart + offset]! ^ 0x10;
      await writeFile(file, damaged);
      await assert.rejects(store.open('bad'), corrupt(2));
    }
    // The payload's terminator replaced (the file still long enough).
    const terminator = payloadStart + records[1]!.payload!.length;
    const noTerminator = Buffer.from(original);
    noTerminator[terminator] = 0x20;
    await writeFile(file, noTerminator);
    await assert.rejects(store.open('bad'), (error: unknown) => {
      corrupt(2)(error);
      assert.match((error as StoreError).message, /newline/);
      return true;
    });
    // Payload bytes swapped between the two records, lines untouched: their checksums differ.
    const swapped = joinRecords([
      records[0]!,
      { ...records[1]!, payload: records[2]!.payload! },
      { ...records[2]!, payload: records[1]!.payload! },
    ]);
    await writeFile(file, swapped);
    await assert.rejects(store.open('bad'), corrupt(2));
    const repaired = await store.open('bad', { repair: true });
    assert.equal(repaired.recovery!.repairedAtLine, 2);
    assert.equal(repaired.recovery!.droppedEntries, 2);
    assert.equal(repaired.table('Item').rowCount, 0, 'only the table creation survives');
  });

  it('binds an encrypted payload to its entry: a payload moved to another record fails authentication', async () => {
    const database = await store.create('moved', [item], { passphrase: 'p', keyDerivation: FAST });
    await bulk(database, 0, 100);
    await bulk(database, 500, 100);
    const expected = dumpDatabase(database);
    await database.close();
    const file = join(directory, 'moved', WAL_FILE);
    const original = await readFile(file);
    assert.ok(!original.includes(Buffer.from('e500')), 'no dictionary string in clear');
    const records = walRecords(original);
    assert.equal(records.length, 4, 'key, create, two bulk commits');
    // Swap the two sealed payloads and fix each entry's payload checksum and line checksum:
    // the checksums pass, authentication (AAD names the LSN) does not.
    const checksum = await Checksum.create();
    const rehome = (
      record: (typeof records)[number],
      payload: Buffer,
    ): (typeof records)[number] => {
      const entry = record.line
        .slice(5, record.line.length - 24)
        .replace(
          /"bin":\{"n":\d+,"h":"[0-9a-f]{16}"\}/,
          `"bin":{"n":${payload.length},"h":"${checksum.hex(payload)}"}`,
        );
      return { ...record, line: `{"e":${entry},"h":"${checksum.hex(entry)}"}`, payload };
    };
    await writeFile(
      file,
      joinRecords([
        records[0]!,
        records[1]!,
        rehome(records[2]!, records[3]!.payload!),
        rehome(records[3]!, records[2]!.payload!),
      ]),
    );
    await assert.rejects(store.open('moved', { passphrase: 'p' }), (error: unknown) => {
      corrupt(3)(error);
      assert.match((error as StoreError).message, /payload fails authentication/);
      return true;
    });
    await writeFile(file, original);
    const reopened = await store.open('moved', { passphrase: 'p' });
    assert.deepEqual(dumpDatabase(reopened), expected);
  });

  it('re-seals payload records committed while the key is rotated', async () => {
    const database = await store.create('rekey', [item], {
      passphrase: 'old',
      keyDerivation: FAST,
    });
    // Enough rows that the new base takes a while to write: the commits below land meanwhile.
    await bulk(database, 0, 150_000);
    const rotation = database.rotateKey('new', FAST);
    for (let step = 0; step < 6; step++) await bulk(database, 1_000_000 + step * 100, 40 + step);
    const report = await rotation;
    assert.ok(report.carriedEntries > 0, 'commits were carried into the re-keyed WAL');
    const expected = dumpDatabase(database);
    await database.close();
    const file = join(directory, 'rekey', WAL_FILE);
    const records = walRecords(await readFile(file));
    assert.ok(
      records.slice(-report.carriedEntries).every((record) => record.payload !== undefined),
    );
    await assert.rejects(store.open('rekey', { passphrase: 'old' }), (error: unknown) => {
      assert.ok(error instanceof StoreError && error.code === 'E_STORE_KEY');
      return true;
    });
    const reopened = await store.open('rekey', { passphrase: 'new' });
    assert.deepEqual(dumpDatabase(reopened), expected);
  });

  it('carries payload records through compaction, snapshots and commits made meanwhile', async () => {
    const database = await store.create('carry', [item]);
    await bulk(database, 0, 300);
    await database.delete('Item', [5, 6, 7]);
    const compaction = database.compact();
    await bulk(database, 1000, 50);
    await compaction;
    await bulk(database, 2000, 40);
    await database.snapshot();
    await bulk(database, 3000, 33);
    const expected = dumpDatabase(database);
    await database.close();
    const records = walRecords(await readFile(join(directory, 'carry', WAL_FILE)));
    assert.equal(records.length, 1);
    assert.ok(records[0]!.payload !== undefined);
    const reopened = await store.open('carry');
    assert.deepEqual(dumpDatabase(reopened), expected);
    assert.equal(reopened.recovery!.snapshotLsn, reopened.lsn - 1);
  });
});
