/**
 * Snapshot V2 on real files: round trips of every column kind across chunk boundaries, lazy
 * column loading, snapshot + later WAL, writes on top of snapshot chunks, every byte of a
 * snapshot flipped (always a typed error, never wrong data), snapshot vs compaction ordering,
 * and the JSON export.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'mocha';
import { limits } from '../../common/index.js';
import {
  exportJson,
  foreignKeyColumn,
  labelledNull,
  scalarColumn,
  SNAPSHOT_FILE,
  Store,
  StoreError,
  tableDefinition,
  WAL_FILE,
  type Database,
} from '../../store/index.js';
import { dumpDatabase } from './crash-workload.js';

const city = tableDefinition('City', [scalarColumn('name', 'String', { notNull: true })]);
const person = tableDefinition('Person', [
  scalarColumn('name', 'String', { notNull: true }),
  scalarColumn('age', 'Int'),
  scalarColumn('score', 'Float'),
  scalarColumn('born', 'Date'),
  scalarColumn('member', 'Bool'),
  scalarColumn('id', 'Uuid'),
  scalarColumn('balance', 'Decimal'),
  foreignKeyColumn('city', 'City'),
]);

async function fill(database: Database, rows: number): Promise<void> {
  await database.insertRows('City', [{ name: 'Oslo' }, { name: 'Lima' }, { name: 'Pune' }]);
  await database.appendColumns('Person', {
    name: Array.from({ length: rows }, (_, index) => `p${index % 997}`),
    age: new Float64Array(rows).map((_, index) => index % 90),
    score: new Float64Array(rows).map((_, index) => index / 3),
    born: new Int32Array(rows).map((_, index) => index - 5000),
    member: new Uint8Array(rows).map((_, index) => index % 2),
    city: new Uint32Array(rows).map((_, index) => index % 3),
  });
  await database.insertRows('Person', [
    {
      name: 'big',
      age: 2n ** 62n,
      id: '123e4567-e89b-12d3-a456-426614174000',
      balance: '12.5',
      score: labelledNull('big.score'),
    },
    { name: 'nulls' },
  ]);
  await database.deleteWhere('Person', (rowId) => rowId % 7 === 3);
  await database.update('Person', [1, 2], { balance: '-0.5', age: null });
}

function corrupt(error: unknown): boolean {
  assert.ok(error instanceof StoreError, String(error));
  assert.equal(error.code, 'E_STORE_CORRUPT', error.message);
  return true;
}

describe('store: Snapshot V2', () => {
  let directory: string;
  let store: Store;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'catrust-snapshot-'));
    store = await Store.open(directory);
  });

  afterEach(async () => {
    await store.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('round-trips every column kind across chunks and loads columns lazily', async () => {
    const database = await store.create('snap', [city, person]);
    await fill(database, limits.batchRowsMax + 1000);
    const expected = dumpDatabase(database);
    const report = await database.snapshot();
    assert.ok(report !== undefined);
    assert.equal(report.lsn, database.lsn);
    assert.equal(report.walBytesAfter, 0, 'the WAL lines the snapshot covers are dropped');
    assert.equal((await stat(join(directory, 'snap', WAL_FILE))).size, 0);
    await database.close();

    const reopened = await store.open('snap');
    assert.equal(reopened.recovery!.snapshotLsn, report.lsn);
    assert.equal(reopened.recovery!.entries, 0);
    const state = reopened.latestVersion().tables.get('Person')!;
    assert.equal(state.isFullyLoaded, false, 'open reads the directory only');
    assert.equal(reopened.table('Person').column('score').value(11), 11 / 3);
    assert.ok(state.columns[2]!.isLoaded);
    assert.equal(state.columns[0]!.isLoaded, false);
    assert.deepEqual(dumpDatabase(reopened), expected);

    // Writes on top of snapshot chunks: updates, appends into the last chunk, deletes.
    await reopened.update('Person', [0, limits.batchRowsMax + 5], {
      name: 'changed',
      age: 2n ** 60n,
    });
    await reopened.insert('Person', { name: 'new', city: 2, score: 1 });
    await reopened.delete('Person', 4);
    const after = dumpDatabase(reopened);
    await reopened.close();
    const again = await store.open('snap');
    assert.equal(again.recovery!.entries, 3, 'snapshot + the later WAL');
    assert.deepEqual(dumpDatabase(again), after);
    assert.deepEqual(again.table('Person').lookupEqual('name', 'changed').length, 2);
  });

  it('detects a flipped byte anywhere in a snapshot: a typed error, never wrong data', async function () {
    this.timeout(60_000);
    const database = await store.create('flip', [city, person]);
    await database.insertRows('City', [{ name: 'Oslo' }, { name: 'Lima' }]);
    await database.insertRows('Person', [
      { name: 'a', age: 1, score: 0.5, born: 3, member: true, city: 1 },
      { name: 'b', age: 2n ** 60n, balance: '1.25', id: '123e4567-e89b-12d3-a456-426614174000' },
      { name: 'c', score: labelledNull('c.score'), city: 0 },
    ]);
    await database.delete('Person', 0);
    await database.snapshot();
    const expected = dumpDatabase(database);
    await database.close();
    const file = join(directory, 'flip', SNAPSHOT_FILE);
    const original = await readFile(file);
    let detected = 0;
    for (let offset = 0; offset < original.length; offset++) {
      const damaged = Buffer.from(original);
      damaged[offset] = damaged[offset]! ^ (offset % 3 === 0 ? 0x80 : 0x01);
      await writeFile(file, damaged);
      let reopened: Database | undefined;
      try {
        reopened = await store.open('flip');
        const dump = dumpDatabase(reopened);
        assert.fail(
          `offset ${offset}: opened and read ${JSON.stringify(dump) === JSON.stringify(expected) ? 'the same' : 'different'} data`,
        );
      } catch (error) {
        if (error instanceof assert.AssertionError) throw error;
        corrupt(error);
        detected++;
      } finally {
        await reopened?.close();
      }
    }
    assert.equal(detected, original.length);
    await writeFile(file, original);
    assert.deepEqual(dumpDatabase(await store.open('flip')), expected);
  });

  it('deletes rows appended after a snapshot to its last chunk (full-size deleted bitmaps)', async () => {
    const database = await store.create('tail', [city]);
    await database.insertRows('City', [{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    await database.delete('City', 1);
    await database.snapshot();
    await database.close();
    const reopened = await store.open('tail');
    const added = await reopened.insertRows(
      'City',
      Array.from({ length: 30 }, (_, index) => ({ name: `n${index}` })),
    );
    await reopened.delete('City', [added.first + 20, 2]);
    const expected = dumpDatabase(reopened);
    assert.equal(reopened.table('City').isActive(added.first + 20), false);
    assert.equal(reopened.table('City').activeRowCount, 30);
    await reopened.close();
    assert.deepEqual(dumpDatabase(await store.open('tail')), expected);
  });

  it('replays a WAL that still holds lines an older snapshot covered', async () => {
    const database = await store.create('older', [city]);
    await database.insert('City', { name: 'a' });
    await database.snapshot();
    await database.insert('City', { name: 'b' });
    await database.insert('City', { name: 'c' });
    const wal = join(directory, 'older', WAL_FILE);
    const before = await readFile(wal);
    await database.snapshot();
    await database.insert('City', { name: 'd' });
    await database.insert('City', { name: 'e' });
    const after = await readFile(wal);
    const expected = dumpDatabase(database);
    await database.close();
    // A crash between writing the second snapshot and dropping the lines it covers.
    await writeFile(wal, Buffer.concat([before, after]));
    const reopened = await store.open('older');
    assert.deepEqual(dumpDatabase(reopened), expected);
    await reopened.close();
    // A WAL starting past the snapshot is a gap: refused.
    await writeFile(wal, after.subarray(after.indexOf(0x0a) + 1));
    await assert.rejects(store.open('older'), corrupt);
  });

  it('leaves the values of deleted rows out of a snapshot', async () => {
    const database = await store.create('purge', [city, person]);
    await database.insertRows('City', [{ name: 'Oslo' }, { name: 'SECRET-city' }]);
    await database.insertRows(
      'Person',
      Array.from({ length: 200 }, (_, index) => ({
        name: index % 50 === 7 ? `SECRET-${index}` : `p${index % 13}`,
        age: index,
        score: index % 50 === 7 ? labelledNull(`SECRET-label-${index}`) : index / 2,
        city: 0,
      })),
    );
    await database.deleteWhere('Person', (rowId, table) =>
      String(table.column('name').value(rowId)).startsWith('SECRET'),
    );
    await database.delete('City', 1);
    await database.compact();
    await database.snapshot();
    const expected = dumpDatabase(database);
    await database.close();
    const bytes = await readFile(join(directory, 'purge', SNAPSHOT_FILE), 'latin1');
    assert.doesNotMatch(bytes, /SECRET/);
    const reopened = await store.open('purge');
    assert.deepEqual(dumpDatabase(reopened), expected);
    assert.equal(reopened.table('Person').lookupEqual('name', 'p3').length, 15);
    await reopened.insert('Person', { name: 'new', city: 0 });
    await reopened.close();
    const again = await store.open('purge');
    assert.equal(again.table('Person').activeRowCount, 197);
  });

  it('a compaction supersedes the snapshot; a stale snapshot is ignored', async () => {
    const database = await store.create('order', [city]);
    await database.insert('City', { name: 'Oslo' });
    await database.snapshot();
    const stale = await readFile(join(directory, 'order', SNAPSHOT_FILE));
    await database.insert('City', { name: 'Lima' });
    await database.delete('City', 0);
    await database.compact();
    await assert.rejects(stat(join(directory, 'order', SNAPSHOT_FILE)));
    const expected = dumpDatabase(database);
    await database.close();
    // A crash between the WAL swap and the snapshot's removal leaves the older snapshot.
    await writeFile(join(directory, 'order', SNAPSHOT_FILE), stale);
    const reopened = await store.open('order');
    assert.equal(reopened.recovery!.snapshotLsn, undefined);
    assert.deepEqual(dumpDatabase(reopened), expected);
  });

  it('exports the whole database as JSON', async () => {
    const database = await store.create('json', [city, person]);
    await database.insertRows('City', [{ name: 'Oslo' }]);
    await database.insertRows('Person', [
      { name: 'a', age: 2n ** 60n, born: 0, balance: '1.5', city: 0, score: labelledNull('a.s') },
      { name: 'gone' },
    ]);
    await database.delete('Person', 1);
    const exported = exportJson(database.view());
    assert.equal(exported.lsn, database.lsn);
    assert.deepEqual(exported.tables[1], {
      definition: person,
      rowCount: 2,
      rows: [
        {
          id: 0,
          values: {
            name: 'a',
            age: String(2n ** 60n),
            score: { label: 'a.s' },
            born: '1970-01-01',
            member: null,
            id: null,
            balance: '1.5',
            city: 0,
          },
        },
      ],
    });
    assert.doesNotThrow(() => JSON.stringify(exported));
  });
});
