/**
 * Compaction on real files: the WAL becomes one base entry of the active rows with deleted
 * values purged from the file (GDPR), atomically, while concurrent writers keep committing;
 * automatic compaction past a threshold; the compacted database reopens equal.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'mocha';
import {
  foreignKeyColumn,
  labelledNull,
  scalarColumn,
  Store,
  tableDefinition,
  WAL_FILE,
} from '../../store/index.js';
import { dumpDatabase } from './crash-workload.js';
import { walRecords } from './wal-records.js';

const person = tableDefinition('Person', [
  scalarColumn('name', 'String', { notNull: true }),
  scalarColumn('age', 'Int', { notNull: true }),
  scalarColumn('score', 'Float'),
]);
const visit = tableDefinition('Visit', [
  foreignKeyColumn('person', 'Person', { notNull: true }),
  scalarColumn('note', 'String'),
]);

describe('store: compaction', () => {
  let directory: string;
  let store: Store;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'catrust-compact-'));
    store = await Store.open(directory);
  });

  afterEach(async () => {
    await store.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('rewrites the WAL as one base entry, purging deleted values from the file', async () => {
    const database = await store.create('gdpr', [person, visit]);
    // Few rows (plain encoding) and many rows (binary encoding) of deleted secrets.
    await database.insertRows('Person', [
      { name: 'Alice', age: 30, score: 1.5 },
      { name: 'SECRET-bob', age: 41 },
      { name: 'Carol', age: 2n ** 60n, score: null },
    ]);
    await database.insertRows(
      'Person',
      Array.from({ length: 100 }, (_, index) => ({
        name: index % 10 === 0 ? `SECRET-bulk-${index}` : `p${index}`,
        age: index,
      })),
    );
    await database.insertRows('Visit', [
      { person: 1, note: 'SECRET-visit' },
      { person: 0, note: null },
    ]);
    await database.update('Visit', 1, { note: labelledNull('v1.note') });
    await database.delete('Person', 1, { cascade: true });
    await database.deleteWhere('Person', (rowId, table) =>
      String(table.column('name').value(rowId)).startsWith('SECRET'),
    );
    const expected = dumpDatabase(database);
    const file = join(directory, 'gdpr', WAL_FILE);
    assert.match(await readFile(file, 'latin1'), /SECRET/);
    const bulkBefore = Buffer.from('SECRET-bulk-50').toString('base64');

    const report = await database.compact();
    assert.ok(report !== undefined);
    assert.equal(report.lsn, database.lsn);
    assert.equal(report.purgedRows, 12);
    assert.equal(report.carriedEntries, 0);
    const text = await readFile(file, 'latin1');
    const lines = walRecords(await readFile(file)).map((record) => record.line);
    assert.equal(lines.length, 3, 'a base of three parts: the tables, Person rows, Visit rows');
    for (const line of lines) assert.ok(line.startsWith(`{"e":{"base":${report.lsn},`));
    assert.doesNotMatch(text, /SECRET/);
    assert.ok(!text.includes(bulkBefore));
    assert.deepEqual(dumpDatabase(database), expected);
    assert.deepEqual(await readdir(join(directory, 'gdpr')), ['LOCK', WAL_FILE]);

    // Writes after compaction append after the base; everything reopens equal.
    await database.insert('Person', { name: 'Dave', age: 5 });
    const after = dumpDatabase(database);
    await database.close();
    const reopened = await store.open('gdpr');
    assert.deepEqual(dumpDatabase(reopened), after);
    assert.equal(reopened.table('Person').row(1), undefined);
    assert.equal(reopened.table('Person').rowCount, 104, 'row ids are kept');
  });

  it('lets writers commit during a compaction and keeps their commits', async () => {
    const database = await store.create('busy', [person]);
    // More rows than one base line holds (262,144): the base spans several lines.
    const rows = 300_000;
    await database.appendColumns('Person', {
      name: {
        codes: new Uint32Array(rows).map((_, index) => index % 1000),
        dictionary: Array.from({ length: 1000 }, (_, index) => `n${index}`),
      },
      age: new Float64Array(rows).map((_, index) => index),
    });
    await database.deleteWhere('Person', (rowId) => rowId % 2 === 0);
    const compaction = database.compact();
    for (let index = 0; index < 20; index++) {
      await database.insert('Person', { name: `during${index}`, age: index });
    }
    const report = await compaction;
    assert.ok(report !== undefined);
    assert.ok(report.lsn < database.lsn, 'writers committed while the compaction ran');
    const expected = dumpDatabase(database);
    assert.equal(database.table('Person').activeRowCount, rows / 2 + 20);
    await database.close();
    const lines = walRecords(await readFile(join(directory, 'busy', WAL_FILE))).map(
      (record) => record.line,
    );
    assert.ok(lines[0]!.startsWith('{"e":{"base":'));
    assert.ok(lines[2]!.startsWith(`{"e":{"base":${report.lsn},`), 'rows in two base parts');
    const reopened = await store.open('busy');
    assert.deepEqual(dumpDatabase(reopened), expected);
    assert.equal(reopened.recovery!.entries, lines.length);
    assert.equal(reopened.lsn, database.lsn);
  });

  it('compacts automatically in the background past a WAL size threshold', async () => {
    await store.create('auto', [person]);
    const database = await store.open('auto');
    await database.close();
    const auto = await store.open('auto', { autoCompactBytes: 4096 });
    for (let index = 0; index < 60; index++) {
      await auto.insert('Person', { name: `x${index}`, age: index });
      if (index % 3 === 0) await auto.delete('Person', index);
    }
    const expected = dumpDatabase(auto);
    await auto.close();
    const lines = walRecords(await readFile(join(directory, 'auto', WAL_FILE))).map(
      (record) => record.line,
    );
    assert.ok(lines[0]!.startsWith('{"e":{"base":'), 'the WAL starts with a base entry');
    assert.ok(lines.length < 80, `${lines.length} lines: never compacted`);
    const reopened = await store.open('auto');
    assert.deepEqual(dumpDatabase(reopened), expected);
  });

  it('compacts automatically again only once the WAL doubled since the last compaction', async () => {
    // Live rows alone pass the threshold: compacting at every commit would rewrite them each time.
    const auto = await store.create('grown', [person], { autoCompactBytes: 4096 });
    const walFile = join(directory, 'grown', WAL_FILE);
    const records = async (): Promise<number> => walRecords(await readFile(walFile)).length;
    const batch = (tag: string, rows: number): { name: string; age: number }[] =>
      Array.from({ length: rows }, (_, i) => ({ name: `${tag}-${i}`, age: i }));
    await auto.insertRows('Person', batch('first', 500));
    await auto.compact(); // joins the compaction that commit started (or runs one)
    assert.ok((await readFile(walFile)).length > 4096, 'the live rows alone pass the threshold');
    for (let index = 0; index < 20; index++) {
      await auto.insert('Person', { name: `late-${index}`, age: index });
    }
    // The base (its definitions part and its rows part), then the 20 commits: no compaction.
    assert.equal(await records(), 22);
    await auto.insertRows('Person', batch('second', 1000)); // past double: compaction starts
    let count = await records();
    for (let waited = 0; count > 3 && waited < 10_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      count = await records();
    }
    assert.ok(count <= 3, `${count} records: never compacted again`);
    const expected = dumpDatabase(auto);
    await auto.close();
    assert.deepEqual(dumpDatabase(await store.open('grown')), expected);
  });
});
