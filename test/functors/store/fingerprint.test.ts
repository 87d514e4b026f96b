/**
 * Table fingerprints (planner/functors/store/fingerprint.ts), which decide whether sigma_delta
 * may trust its checkpoint: equal contents give equal fingerprints whatever the chunks' history;
 * any update, delete or labelled-null change of a row below the range changes it — also right
 * after the hashes of full chunks were cached (a cache answering for a changed chunk would let
 * sigma_delta build on a source that is not what it saw).
 */
import assert from 'node:assert/strict';
import { tableFingerprint } from '../../../planner/functors/store/fingerprint.js';
import {
  createMemoryDatabase,
  foreignKeyColumn,
  labelledNull,
  scalarColumn,
  tableDefinition,
  type Database,
} from '../../../store/index.js';

const ROWS = 70_000; // more than one chunk of limits.batchRowsMax (65,536) rows

async function database(): Promise<Database> {
  const result = createMemoryDatabase('fingerprints', [
    tableDefinition('Item', [
      scalarColumn('name', 'String'),
      scalarColumn('size', 'Float'),
      scalarColumn('flag', 'Bool'),
      foreignKeyColumn('parent', 'Item'),
    ]),
  ]);
  const transaction = await result.begin();
  transaction.appendColumns('Item', {
    name: Array.from({ length: ROWS }, (_, row) => `n${row % 1000}`),
    size: Float64Array.from({ length: ROWS }, (_, row) => row / 4),
    flag: Uint8Array.from({ length: ROWS }, (_, row) => row % 2),
    parent: Uint32Array.from({ length: ROWS }, (_, row) => Math.floor(row / 2)),
  });
  await transaction.commit();
  return result;
}

function fingerprint(db: Database): string {
  const table = db.view().table('Item');
  return tableFingerprint(table, table.rowCount);
}

async function change(
  db: Database,
  run: (transaction: Awaited<ReturnType<Database['begin']>>) => void,
): Promise<void> {
  const transaction = await db.begin();
  run(transaction);
  await transaction.commit();
}

describe('functors on the store: table fingerprints', () => {
  it('depend on the contents only, and see every change below the range, cached or not', async () => {
    const a = await database();
    const b = await database();
    const original = fingerprint(a);
    assert.equal(fingerprint(b), original);
    assert.equal(fingerprint(a), original, 'the cached hashes give the same fingerprint');

    await change(a, (transaction) => transaction.update('Item', 5, { size: 99 }));
    const updated = fingerprint(a);
    assert.notEqual(updated, original);
    await change(a, (transaction) => transaction.update('Item', 5, { size: 5 / 4 }));
    assert.equal(fingerprint(a), original, 'the same contents again');

    await change(a, (transaction) => transaction.update('Item', 7, { name: labelledNull('x') }));
    const labelled = fingerprint(a);
    assert.notEqual(labelled, original);
    await change(a, (transaction) => transaction.update('Item', 7, { name: labelledNull('y') }));
    assert.notEqual(fingerprint(a), labelled, 'another label is another content');
    await change(a, (transaction) => transaction.update('Item', 7, { name: null }));
    assert.notEqual(fingerprint(a), labelled);
    await change(a, (transaction) => transaction.update('Item', 7, { name: 'n7' }));
    assert.equal(fingerprint(a), original);

    await change(a, (transaction) => transaction.update('Item', 9, { parent: 3, flag: true }));
    assert.notEqual(fingerprint(a), original);
    await change(a, (transaction) => transaction.update('Item', 9, { parent: 4 }));
    assert.equal(fingerprint(a), original);

    await change(b, (transaction) => transaction.delete('Item', 65_000));
    assert.notEqual(fingerprint(b), original);

    // Rows past the range do not count; rows inside it do.
    const before = tableFingerprint(a.view().table('Item'), ROWS);
    await change(a, (transaction) => transaction.insert('Item', { name: 'new', parent: 0 }));
    assert.equal(tableFingerprint(a.view().table('Item'), ROWS), before);
    assert.notEqual(fingerprint(a), before);
  });

  it('are not cached from a transaction that rolled back (its rows were written in place)', async () => {
    const db = createMemoryDatabase('rolled back', [
      tableDefinition('Item', [scalarColumn('name', 'String'), scalarColumn('size', 'Float')]),
    ]);
    await change(db, (transaction) =>
      transaction.insertRows(
        'Item',
        Array.from({ length: 10 }, (_, row) => ({ name: `n${row}`, size: row })),
      ),
    );
    const first = await db.begin();
    first.insert('Item', { name: 'a', size: 1 });
    const seen = tableFingerprint(first.view.table('Item'), 11);
    first.rollback();
    await change(db, (transaction) => transaction.insert('Item', { name: 'b', size: 2 }));
    assert.notEqual(tableFingerprint(db.view().table('Item'), 11), seen);
  });

  it('are not cached for a shared last chunk a transaction filled and rolled back', async () => {
    const db = createMemoryDatabase('filled', [
      tableDefinition('Item', [scalarColumn('size', 'Float')]),
    ]);
    const full = 65_536;
    await change(db, (transaction) =>
      transaction.appendColumns('Item', {
        size: Float64Array.from({ length: full - 10 }, (_, row) => row),
      }),
    );
    const first = await db.begin();
    first.appendColumns('Item', { size: new Float64Array(10).fill(1) });
    const seen = tableFingerprint(first.view.table('Item'), full);
    first.rollback();
    await change(db, (transaction) =>
      transaction.appendColumns('Item', { size: new Float64Array(10).fill(2) }),
    );
    assert.notEqual(tableFingerprint(db.view().table('Item'), full), seen);
  });
});
