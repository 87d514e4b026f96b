/**
 * The WAL on real files: round trips through close and reopen, group commit, torn tails,
 * corruption anywhere in the file (every byte flipped), repair, the process lock, and the data
 * directory's create / open / list / drop.
 */
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'mocha';
import {
  foreignKeyColumn,
  labelledNull,
  scalarColumn,
  Store,
  StoreError,
  tableDefinition,
  WAL_FILE,
  type Database,
  type RowRecord,
} from '../../store/index.js';
import { joinRecords, walRecords } from './wal-records.js';

const department = tableDefinition('Department', [
  scalarColumn('name', 'String', { notNull: true }),
]);
const employee = tableDefinition('Employee', [
  scalarColumn('name', 'String', { notNull: true }),
  scalarColumn('salary', 'Int'),
  scalarColumn('rate', 'Float'),
  scalarColumn('hired', 'Date'),
  scalarColumn('active', 'Bool'),
  scalarColumn('id', 'Uuid'),
  scalarColumn('bonus', 'Decimal'),
  foreignKeyColumn('worksIn', 'Department'),
]);

function dump(database: Database): Record<string, [number, RowRecord][]> {
  const view = database.view();
  const result: Record<string, [number, RowRecord][]> = {};
  for (const entity of view.entities().sort()) {
    result[entity] = [...view.table(entity).rows({ labels: true })].map((row) => [
      row.id,
      row.values,
    ]);
  }
  return result;
}

function corrupt(line?: number): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof StoreError, String(error));
    assert.equal(error.code, 'E_STORE_CORRUPT', error.message);
    if (line !== undefined)
      assert.equal(error.location?.kind === 'file' && error.location.line, line);
    return true;
  };
}

/** A few commits of every kind; returns the dumps after each commit (index = LSN). */
async function history(database: Database): Promise<Record<string, [number, RowRecord][]>[]> {
  const states = [dump(database)];
  await database.createTables([department, employee]);
  states.push(dump(database));
  await database.insertRows('Department', [{ name: 'Math' }, { name: 'CS' }]);
  states.push(dump(database));
  await database.insert('Employee', {
    name: 'Ada',
    salary: 2n ** 62n,
    rate: 0.1,
    hired: -3,
    active: false,
    id: '123e4567-e89b-12d3-a456-426614174000',
    bonus: '-1.25',
    worksIn: 1,
  });
  states.push(dump(database));
  await database.insertRows(
    'Employee',
    Array.from({ length: 40 }, (_, index) => ({
      name: `e${index}`,
      salary: index % 3 === 0 ? labelledNull(`e${index}.manager.salary`) : index,
      rate: index / 4,
      worksIn: index % 2,
    })),
  );
  states.push(dump(database));
  const transaction = await database.begin();
  transaction.update('Employee', [1, 2, 3], { rate: 9.5, name: 'renamed' });
  transaction.delete('Employee', [4, 5]);
  transaction.insert('Department', { name: 'Physics' });
  await transaction.commit();
  states.push(dump(database));
  await database.delete('Department', 0, { cascade: true });
  states.push(dump(database));
  return states;
}

describe('store: WAL and data directory', () => {
  let directory: string;
  let store: Store;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'catrust-wal-'));
    store = await Store.open(directory);
  });

  afterEach(async () => {
    await store.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('reopens every kind of write exactly, from the WAL alone', async () => {
    const database = await store.create('company');
    const states = await history(database);
    const expected = states.at(-1)!;
    assert.deepEqual(dump(database), expected);
    assert.equal(database.lsn, states.length - 1);
    await database.close();
    await assert.rejects(database.insert('Department', { name: 'x' }), (error: unknown) => {
      assert.ok(error instanceof StoreError && error.code === 'E_STORE_CLOSED');
      return true;
    });
    const reopened = await store.open('company');
    assert.deepEqual(dump(reopened), expected);
    assert.deepEqual(reopened.recovery, {
      entries: states.length - 1,
      lsn: states.length - 1,
      tornTailBytes: 0,
      droppedEntries: 0,
      sizeBytes: (await stat(join(directory, 'company', WAL_FILE))).size,
    });
    // Writes continue after the replayed ones.
    await reopened.insert('Department', { name: 'Biology' });
    await reopened.close();
    const again = await store.open('company');
    assert.equal(again.table('Department').row(3)!['name'], 'Biology');
    // Each record is an NDJSON line of the documented form, bulk columns in a binary payload.
    const records = walRecords(await readFile(join(directory, 'company', WAL_FILE)));
    assert.equal(records.length, states.length);
    for (const [index, record] of records.entries()) {
      assert.equal(record.parsed.e['s'], index + 1);
      assert.ok(Array.isArray(record.parsed.e['ops']));
    }
    assert.ok(
      records.some((record) => record.payload !== undefined),
      'the 40-row insert has a binary payload',
    );
  });

  it('shares fsyncs among concurrent committers (group commit) and acknowledges each', async () => {
    const database = await store.create('group', [department]);
    const writers = 64;
    const before = database.walWriter!.syncCount;
    const ids = await Promise.all(
      Array.from({ length: writers }, (_, index) =>
        database.insert('Department', { name: `d${index}` }),
      ),
    );
    const syncs = database.walWriter!.syncCount - before;
    assert.ok(syncs < writers, `${syncs} fsyncs for ${writers} commits`);
    assert.deepEqual(
      [...ids].sort((a, b) => a - b),
      Array.from({ length: writers }, (_, index) => index),
    );
    await database.close();
    const reopened = await store.open('group');
    assert.equal(reopened.table('Department').activeRowCount, writers);
  });

  it('truncates and reports a torn final line, then keeps writing', async () => {
    const database = await store.create('torn');
    const states = await history(database);
    await database.close();
    const file = join(directory, 'torn', WAL_FILE);
    const size = (await stat(file)).size;
    await appendFile(file, '{"e":{"s":8,"ops":[{"op":"delete","enti');
    const reopened = await store.open('torn');
    assert.equal(reopened.recovery!.tornTailBytes, 39);
    assert.equal((await stat(file)).size, size);
    assert.deepEqual(dump(reopened), states.at(-1));
    await reopened.insert('Department', { name: 'after' });
    await reopened.close();
    const again = await store.open('torn');
    assert.equal(again.recovery!.tornTailBytes, 0);
    assert.equal(again.lsn, states.length);
  });

  it('detects a flipped byte anywhere in the WAL: typed error or reported torn tail, never wrong data', async function () {
    this.timeout(60_000);
    const database = await store.create('flip');
    const states = await history(database);
    await database.close();
    const file = join(directory, 'flip', WAL_FILE);
    const original = await readFile(file);
    let errors = 0;
    let torn = 0;
    for (let offset = 0; offset < original.length; offset++) {
      for (const mask of offset % 5 === 0 ? [0x01, 0x5a] : [0x01]) {
        const damaged = Buffer.from(original);
        damaged[offset] = damaged[offset]! ^ mask;
        await writeFile(file, damaged);
        try {
          const reopened = await store.open('flip');
          // Only a damaged final newline can open: the last line is then a torn tail.
          assert.ok(reopened.recovery!.tornTailBytes > 0, `offset ${offset} opened silently`);
          assert.deepEqual(dump(reopened), states[reopened.lsn]);
          torn++;
          await reopened.close();
        } catch (error) {
          corrupt()(error);
          errors++;
        }
      }
    }
    assert.ok(errors > 0 && torn > 0);
    await writeFile(file, original);
  });

  it('names the bad line, and repair truncates there reporting the entries dropped', async () => {
    const database = await store.create('repair');
    const states = await history(database);
    await database.close();
    const file = join(directory, 'repair', WAL_FILE);
    const records = walRecords(await readFile(file));
    // Line 3 with a wrong checksum.
    records[2] = {
      ...records[2]!,
      line: records[2]!.line.replace(/"h":"[0-9a-f]{16}"/, '"h":"0000000000000000"'),
    };
    await writeFile(file, joinRecords(records));
    await assert.rejects(store.open('repair'), corrupt(3));
    await assert.rejects(store.open('repair'), (error: unknown) => {
      assert.match(String((error as StoreError).hint), /repair.*line 3.*dropping 4 entries/);
      return true;
    });
    const repaired = await store.open('repair', { repair: true });
    assert.equal(repaired.recovery!.droppedEntries, 4);
    assert.equal(repaired.recovery!.repairedAtLine, 3);
    assert.deepEqual(dump(repaired), states[2]);
    await repaired.close();
    assert.equal(walRecords(await readFile(file)).length, 2);
  });

  it('refuses an entry out of sequence or one that cannot be applied, naming the line', async () => {
    const database = await store.create('sequence');
    await history(database);
    await database.close();
    const file = join(directory, 'sequence', WAL_FILE);
    const records = walRecords(await readFile(file));
    await writeFile(file, joinRecords([records[0]!, records[1]!, records[1]!]));
    await assert.rejects(store.open('sequence'), corrupt(3));
    await writeFile(file, joinRecords([records[1]!]));
    await assert.rejects(store.open('sequence'), corrupt(1));
  });

  it('locks a database to one process and takes over a lock whose owner died', async () => {
    const database = await store.create('locked', [department]);
    const other = await Store.open(directory);
    await assert.rejects(other.open('locked'), (error: unknown) => {
      assert.ok(error instanceof StoreError && error.code === 'E_STORE_LOCKED');
      return true;
    });
    await database.close();
    // A LOCK left by a process that is gone (pid 2^22 + 1 is above Linux's pid_max default).
    await writeFile(join(directory, 'locked', 'LOCK'), String(2 ** 22 + 1));
    const reopened = await other.open('locked');
    assert.ok(reopened.view().hasTable('Department'));
    await other.close();
  });

  it('creates, lists, opens and drops named databases', async () => {
    assert.deepEqual(await store.list(), []);
    const a = await store.create('alpha', [department]);
    await store.create('beta');
    assert.deepEqual(await store.list(), ['alpha', 'beta']);
    assert.equal(await store.open('alpha'), a, 'an open database is shared');
    await assert.rejects(store.create('alpha'), (error: unknown) => {
      assert.ok(error instanceof StoreError && error.code === 'E_STORE_DUPLICATE');
      return true;
    });
    await assert.rejects(store.open('gamma'), (error: unknown) => {
      assert.ok(error instanceof StoreError && error.code === 'E_STORE_UNKNOWN_DATABASE');
      assert.match(String(error.hint), /alpha, beta/);
      return true;
    });
    await assert.rejects(store.create('../x'), (error: unknown) => {
      assert.ok(error instanceof StoreError && error.code === 'E_STORE_NAME');
      return true;
    });
    await store.drop('alpha');
    assert.deepEqual(await store.list(), ['beta']);
    assert.ok(a.isClosed);
    const fresh = await store.create('alpha');
    assert.equal(fresh.view().hasTable('Department'), false);
  });
});
