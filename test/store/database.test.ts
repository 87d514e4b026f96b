/**
 * Tables, typed columns, inserts with typed errors, soft delete, scans, lazy indexes and
 * transactions of an in-memory database (the same code paths a durable one runs, minus the WAL).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { limits } from '../../common/index.js';
import {
  createMemoryDatabase,
  foreignKeyColumn,
  isValidAt,
  labelledNull,
  scalarColumn,
  StoreError,
  tableDefinition,
  type ColumnBatch,
  type Database,
} from '../../store/index.js';

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

function company(): Database {
  return createMemoryDatabase('company', [department, employee]);
}

function storeError(code: string, pattern?: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof StoreError, `expected a StoreError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (pattern !== undefined) assert.match(error.message, pattern);
    return true;
  };
}

describe('store: tables and inserts', () => {
  it('inserts rows of every type and reads them back', async () => {
    const db = company();
    const math = await db.insert('Department', { name: 'Math' });
    assert.equal(math, 0);
    const ada = await db.insert('Employee', {
      name: 'Ada',
      salary: 120,
      rate: 1.5,
      hired: 19000,
      active: true,
      id: '123e4567-e89b-12d3-a456-426614174000',
      bonus: '12.50',
      worksIn: math,
    });
    const big = await db.insert('Employee', { name: 'Big', salary: 2n ** 60n });
    const table = db.table('Employee');
    assert.equal(table.rowCount, 2);
    assert.deepEqual(table.row(ada), {
      name: 'Ada',
      salary: 120,
      rate: 1.5,
      hired: 19000,
      active: true,
      id: '123e4567-e89b-12d3-a456-426614174000',
      bonus: '12.5',
      worksIn: 0,
    });
    assert.equal(table.row(big)!['salary'], 2n ** 60n);
    assert.equal(table.row(big)!['rate'], null);
    assert.equal(table.column('salary').value(ada), 120);
    assert.equal(table.column('worksIn').value(ada), 0);
  });

  it('names entity, row and attribute in type and NOT NULL errors', async () => {
    const db = company();
    await db.insert('Department', { name: 'Math' });
    await assert.rejects(
      db.insert('Employee', { name: 'A', salary: 'lots' }),
      storeError('E_STORE_TYPE', /Employee row 0 attribute salary/),
    );
    await assert.rejects(
      db.insert('Employee', { salary: 1 }),
      storeError('E_STORE_NOT_NULL', /Employee row 0 attribute name/),
    );
    await assert.rejects(
      db.insert('Employee', { name: 'A', hired: 'yesterday' }),
      storeError('E_STORE_TYPE', /attribute hired/),
    );
    await assert.rejects(db.insert('Employee', { name: 'A', salry: 1 }), (error: unknown) => {
      assert.ok(error instanceof StoreError);
      assert.equal(error.code, 'E_STORE_UNKNOWN_COLUMN');
      assert.match(String(error.hint), /salary/);
      return true;
    });
    await assert.rejects(db.insert('Employe', { name: 'A' }), storeError('E_STORE_UNKNOWN_ENTITY'));
    await assert.rejects(
      db.insert('Employee', { name: 'A', worksIn: 7 }),
      storeError('E_STORE_FOREIGN_KEY', /worksIn/),
    );
    // A bulk insert with one bad row inserts nothing and names the bad row.
    await assert.rejects(
      db.insertRows('Employee', [{ name: 'A' }, { name: 'B' }, { name: null }]),
      storeError('E_STORE_NOT_NULL', /row 2 attribute name/),
    );
    assert.equal(db.table('Employee').rowCount, 0);
  });

  it('keeps Int exact past 2^53 by upgrading the column to BigInt64Array', async () => {
    const db = company();
    await db.insertRows('Employee', [
      { name: 'a', salary: 1 },
      { name: 'b', salary: 2 },
    ]);
    let vector = db.table('Employee').column('salary').vector(0);
    assert.equal(vector.kind, 'float64');
    await db.insert('Employee', { name: 'c', salary: -(2n ** 63n) });
    vector = db.table('Employee').column('salary').vector(0);
    assert.equal(vector.kind, 'bigint64');
    assert.deepEqual([...(vector.values as BigInt64Array)].slice(0, 3), [1n, 2n, -(2n ** 63n)]);
    assert.equal(db.table('Employee').row(0)!['salary'], 1);
    await assert.rejects(
      db.insert('Employee', { name: 'd', salary: 2n ** 63n }),
      storeError('E_STORE_TYPE'),
    );
  });

  it('bulk-appends typed columns and dictionary codes', async () => {
    const db = createMemoryDatabase('bulk', [
      tableDefinition('T', [
        scalarColumn('x', 'Float'),
        scalarColumn('s', 'String'),
        scalarColumn('d', 'Date'),
      ]),
    ]);
    const rows = 100_000;
    const x = new Float64Array(rows).map((_, index) => index * 0.5);
    const codes = new Uint32Array(rows).map((_, index) => index % 3);
    const d = new Int32Array(rows).map((_, index) => index);
    const range = await db.appendColumns('T', {
      x,
      s: { codes, dictionary: ['a', 'b', 'c'] },
      d,
    });
    assert.deepEqual(range, { first: 0, count: rows });
    const table = db.table('T');
    assert.equal(table.rowCount, rows);
    assert.equal(table.batchCount, Math.ceil(rows / limits.batchRowsMax));
    assert.deepEqual(table.row(70_001), { x: 35_000.5, s: 'c', d: 70_001 });
  });
});

describe('store: bulk checks', () => {
  it('refuses bulk rows pointing at deleted or missing rows, and names a bad dictionary row', async () => {
    const db = company();
    await db.insertRows('Department', [{ name: 'a' }, { name: 'b' }]);
    await db.delete('Department', 0);
    const rows = 70_000;
    const worksIn = new Uint32Array(rows).fill(1);
    worksIn[rows - 5] = 0;
    await assert.rejects(
      db.appendColumns('Employee', {
        name: { codes: new Uint32Array(rows), dictionary: ['x'] },
        worksIn,
      }),
      storeError('E_STORE_FOREIGN_KEY', new RegExp(`Employee row ${rows - 5} attribute worksIn`)),
    );
    worksIn[rows - 5] = 2;
    await assert.rejects(
      db.appendColumns('Employee', {
        name: { codes: new Uint32Array(rows), dictionary: ['x'] },
        worksIn,
      }),
      storeError('E_STORE_FOREIGN_KEY', new RegExp(`row ${rows - 5}`)),
    );
    const ids = new Uint32Array(rows);
    ids[1234] = 1;
    await assert.rejects(
      db.appendColumns('Employee', {
        name: { codes: new Uint32Array(rows), dictionary: ['x'] },
        id: { codes: ids, dictionary: ['123e4567-e89b-12d3-a456-426614174000', 'not-a-uuid'] },
      }),
      storeError('E_STORE_TYPE', /Employee row 1234 attribute id/),
    );
    assert.equal(db.table('Employee').rowCount, 0);
  });

  it('stores −0 as 0 and checks foreign keys into a table without deleted rows', async () => {
    const db = createMemoryDatabase('zero', [
      tableDefinition('P', [scalarColumn('n', 'Int')]),
      tableDefinition('T', [
        scalarColumn('x', 'Float'),
        scalarColumn('i', 'Int'),
        foreignKeyColumn('p', 'P'),
      ]),
    ]);
    await db.insertRows('P', [{ n: 1 }, { n: 2 }]);
    const rows = 1000;
    const x = new Float64Array(rows).map((_, index) => index * 0.25);
    const i = new Float64Array(rows).map((_, index) => index);
    x[0] = -0;
    x[999] = -0;
    i[500] = -0;
    const p = new Uint32Array(rows).map((_, index) => index % 2);
    const validity = new Uint8Array(rows / 8).fill(0xff);
    validity[10] = 0;
    p[81] = 7; // NULL (bit 81 is in byte 10): not checked
    await db.appendColumns('T', { x, i, p: { values: p, validity } });
    const table = db.table('T');
    for (const [column, row] of [
      ['x', 0],
      ['x', 999],
      ['i', 500],
    ] as const) {
      const value = table.column(column).value(row);
      assert.ok(Object.is(value, 0), `${column}[${row}] is ${Object.is(value, -0) ? '−0' : value}`);
    }
    assert.equal(table.column('x').value(4), 1);
    assert.equal(table.column('p').value(81), null);
    // A row id past the target's rows, with no deleted row there (the tight check).
    p[700] = 2;
    await assert.rejects(
      db.appendColumns('T', { x, i, p: { values: p, validity } }),
      storeError('E_STORE_FOREIGN_KEY', new RegExp(`T row ${rows + 700} attribute p`)),
    );
    assert.equal(db.table('T').rowCount, rows);
  });
});

describe('store: soft delete and scans', () => {
  async function numbers(count: number): Promise<Database> {
    const db = createMemoryDatabase('n', [
      tableDefinition('N', [scalarColumn('v', 'Float'), scalarColumn('s', 'String')]),
    ]);
    await db.insertRows(
      'N',
      Array.from({ length: count }, (_, index) => ({
        v: index,
        s: index % 10 === 0 ? null : `s${index % 7}`,
      })),
    );
    return db;
  }

  function scanSum(batches: Iterable<ColumnBatch>): { sum: number; rows: number } {
    let sum = 0;
    let rows = 0;
    for (const batch of batches) {
      const vector = batch.columns[0]!;
      assert.equal(vector.kind, 'float64');
      for (let offset = 0; offset < batch.rowCount; offset++) {
        if (batch.deleted !== undefined && (batch.deleted[offset >>> 3]! >> (offset & 7)) & 1)
          continue;
        sum += vector.values[offset]!;
        rows++;
      }
    }
    return { sum, rows };
  }

  it('scans batches of at most batchRowsMax rows, skipping deleted rows', async () => {
    const count = limits.batchRowsMax * 2 + 17;
    const db = await numbers(count);
    const deleted = await db.deleteWhere('N', (rowId) => rowId % 3 === 0);
    assert.equal(deleted, Math.ceil(count / 3));
    const table = db.table('N');
    assert.equal(table.rowCount, count);
    assert.equal(table.activeRowCount, count - deleted);
    const batches = [...table.scan(['v', 's'])];
    assert.equal(batches.length, 3);
    for (const batch of batches) assert.ok(batch.rowCount <= limits.batchRowsMax);
    assert.equal(batches[2]!.startRow, limits.batchRowsMax * 2);
    let expected = 0;
    for (let index = 0; index < count; index++) if (index % 3 !== 0) expected += index;
    assert.deepEqual(scanSum(batches), { sum: expected, rows: count - deleted });
    // Dictionary column with NULLs: validity bitmap present.
    const strings = batches[0]!.columns[1]!;
    assert.equal(strings.kind, 'dictionary');
    assert.equal(isValidAt(strings, 0), false);
    assert.equal(isValidAt(strings, 1), true);
    assert.equal(table.row(0), undefined, 'a deleted row reads as absent');
    assert.equal(table.isActive(1), true);
    assert.deepEqual([...table.activeRowIds().subarray(0, 3)], [1, 2, 4]);
    await assert.rejects(db.delete('N', 0), storeError('E_STORE_ROW'));
    await assert.rejects(db.update('N', 3, { v: 1 }), storeError('E_STORE_ROW'));
  });

  it('updates in place and keeps views taken before the update unchanged', async () => {
    const db = await numbers(10);
    const before = db.view().table('N');
    await db.update('N', [1, 2], { v: 100, s: 'x' });
    assert.equal(before.row(1)!['v'], 1, 'a view is a consistent snapshot');
    const after = db.table('N');
    assert.deepEqual(after.row(1), { v: 100, s: 'x' });
    assert.deepEqual(after.row(2), { v: 100, s: 'x' });
    assert.deepEqual(after.row(3), { v: 3, s: 's3' });
  });

  it('cascades deletes along foreign keys when asked and refuses dangling ones otherwise', async () => {
    const db = company();
    await db.insertRows('Department', [{ name: 'Math' }, { name: 'CS' }]);
    await db.insertRows('Employee', [
      { name: 'a', worksIn: 0 },
      { name: 'b', worksIn: 1 },
      { name: 'c', worksIn: 0 },
    ]);
    await assert.rejects(db.delete('Department', 0), storeError('E_STORE_FOREIGN_KEY'));
    assert.equal(await db.delete('Department', 0, { cascade: true }), 3);
    assert.deepEqual(
      [...db.table('Employee').rows()].map((row) => row.values['name']),
      ['b'],
    );
  });

  it('stores labelled nulls as NULL with their term', async () => {
    const db = company();
    await db.insert('Employee', { name: 'e1', salary: labelledNull('e1.manager.salary') });
    const table = db.table('Employee');
    assert.equal(table.row(0)!['salary'], null);
    assert.deepEqual(table.row(0, { labels: true })!['salary'], labelledNull('e1.manager.salary'));
    assert.equal(table.column('salary').label(0), 'e1.manager.salary');
    await assert.rejects(
      db.insert('Employee', { name: labelledNull('x') }),
      storeError('E_STORE_NOT_NULL'),
    );
  });
});

describe('store: lazy indexes and statistics', () => {
  it('builds equality and range indexes on first use and keeps them correct after writes', async () => {
    const db = company();
    await db.insertRows(
      'Employee',
      Array.from({ length: 1000 }, (_, index) => ({
        name: `n${index % 50}`,
        salary: index % 100,
        rate: index / 10,
      })),
    );
    let table = db.table('Employee');
    assert.equal(table.hasEqualityIndex('salary'), false, 'nothing is built before a query');
    const sevens = table.lookupEqual('salary', 7);
    assert.equal(table.hasEqualityIndex('salary'), true);
    assert.deepEqual([...sevens], [7, 107, 207, 307, 407, 507, 607, 707, 807, 907]);
    assert.equal(table.lookupEqual('name', 'n3').length, 20);
    const range = table.lookupRange('rate', { lower: 10, upper: 10.3 });
    assert.deepEqual([...range], [100, 101, 102, 103]);
    const open = table.lookupRange('rate', { lower: 99.8, lowerInclusive: false });
    assert.deepEqual([...open], [999]);

    await db.update('Employee', 107, { salary: 8 });
    await db.delete('Employee', 207);
    await db.insert('Employee', { name: 'new', salary: 7, rate: 10.1 });
    table = db.table('Employee');
    assert.deepEqual(
      [...table.lookupEqual('salary', 7)],
      [7, 307, 407, 507, 607, 707, 807, 907, 1000],
    );
    assert.deepEqual(
      [...table.lookupRange('rate', { lower: 10, upper: 10.3 })],
      [100, 101, 1000, 102, 103],
    );
    assert.equal(table.lookupEqual('salary', 12345).length, 0);

    const stats = table.columnStatistics('salary');
    assert.equal(stats.min, 0);
    assert.equal(stats.max, 99);
    assert.ok(
      stats.distinctEstimate >= 95 && stats.distinctEstimate <= 105,
      String(stats.distinctEstimate),
    );
    assert.equal(table.statistics().activeRowCount, 1000);
  });
});

describe('store: unique-value lookups', () => {
  it('keeps single-posting lookups right after deletes, updates and inside transactions', async () => {
    const db = createMemoryDatabase('u', [tableDefinition('U', [scalarColumn('k', 'Int')])]);
    await db.insertRows(
      'U',
      Array.from({ length: 100 }, (_, index) => ({ k: index })),
    );
    assert.deepEqual([...db.table('U').lookupEqual('k', 42)], [42]);
    await db.delete('U', 42);
    assert.deepEqual([...db.table('U').lookupEqual('k', 42)], []);
    await db.update('U', 43, { k: 1000 });
    assert.deepEqual([...db.table('U').lookupEqual('k', 43)], []);
    assert.deepEqual([...db.table('U').lookupEqual('k', 1000)], [43]);
    await db.update('U', 44, { k: null });
    assert.deepEqual([...db.table('U').lookupEqual('k', 44)], []);
    const transaction = await db.begin();
    transaction.update('U', 45, { k: 2000 });
    transaction.insert('U', { k: 45 });
    assert.deepEqual([...transaction.view.table('U').lookupEqual('k', 45)], [100]);
    assert.deepEqual([...transaction.view.table('U').lookupEqual('k', 2000)], [45]);
    assert.deepEqual([...db.table('U').lookupEqual('k', 45)], [45]);
    transaction.rollback();
  });
});

describe('store: transactions', () => {
  it('hides uncommitted writes from other views and shows them to the transaction', async () => {
    const db = company();
    await db.insert('Department', { name: 'Math' });
    const transaction = await db.begin();
    transaction.insert('Department', { name: 'CS' });
    transaction.update('Department', 0, { name: 'Maths' });
    assert.equal(transaction.view.table('Department').rowCount, 2);
    assert.equal(transaction.view.table('Department').row(0)!['name'], 'Maths');
    assert.equal(db.table('Department').rowCount, 1);
    assert.equal(db.table('Department').row(0)!['name'], 'Math');
    assert.deepEqual([...transaction.view.table('Department').lookupEqual('name', 'CS')], [1]);
    assert.equal(db.table('Department').lookupEqual('name', 'CS').length, 0);
    const result = await transaction.commit();
    assert.ok(result.lsn > 0);
    assert.equal(db.table('Department').row(0)!['name'], 'Maths');
    assert.equal(db.table('Department').rowCount, 2);
    assert.throws(
      () => transaction.insert('Department', { name: 'x' }),
      storeError('E_STORE_TRANSACTION'),
    );
  });

  it('rolls back every write, and a failed commit changes nothing', async () => {
    const db = company();
    await db.insert('Department', { name: 'Math' });
    const transaction = await db.begin();
    transaction.insert('Department', { name: 'CS' });
    transaction.delete('Department', 0);
    transaction.rollback();
    assert.equal(db.table('Department').activeRowCount, 1);
    assert.equal(db.table('Department').rowCount, 1);

    const failing = await db.begin();
    failing.insert('Department', { name: 'CS' });
    failing.insert('Employee', { name: 'x', worksIn: 5 });
    await assert.rejects(failing.commit(), storeError('E_STORE_FOREIGN_KEY'));
    assert.equal(db.table('Department').rowCount, 1);
    // The lock was released: the next transaction starts at once.
    const next = db.tryBegin();
    assert.ok(next !== undefined);
    next.rollback();
  });

  it('lets one writer at a time in and times the second out with E_STORE_BUSY', async () => {
    const db = company();
    const first = await db.begin();
    assert.equal(db.tryBegin(), undefined);
    await assert.rejects(db.begin({ timeoutMs: 20 }), storeError('E_STORE_BUSY'));
    const waiting = db.begin({ timeoutMs: 5000 });
    first.insert('Department', { name: 'a' });
    await first.commit();
    const second = await waiting;
    assert.equal(second.view.table('Department').rowCount, 1);
    second.rollback();
  });

  it('begins in O(1) on a large database (no copy)', async () => {
    const db = createMemoryDatabase('big', [tableDefinition('T', [scalarColumn('x', 'Float')])]);
    await db.appendColumns('T', { x: new Float64Array(1_000_000) });
    const started = process.hrtime.bigint();
    const transaction = await db.begin();
    const elapsedNs = Number(process.hrtime.bigint() - started);
    transaction.update('T', 5, { x: 1 });
    assert.equal(db.table('T').row(5)!['x'], 0);
    transaction.rollback();
    // Generous bound for a loaded CI machine: a copy of 1 M rows takes far longer than this.
    assert.ok(elapsedNs < 50_000_000, `begin took ${elapsedNs} ns`);
  });

  it('creates and drops tables transactionally', async () => {
    const db = company();
    const transaction = await db.begin();
    transaction.createTable(tableDefinition('Project', [foreignKeyColumn('lead', 'Employee')]));
    assert.ok(transaction.view.hasTable('Project'));
    assert.equal(db.view().hasTable('Project'), false);
    await transaction.commit();
    assert.ok(db.view().hasTable('Project'));
    await assert.rejects(db.dropTable('Employee'), storeError('E_STORE_FOREIGN_KEY'));
    await db.dropTable('Project');
    assert.equal(db.view().hasTable('Project'), false);
    await assert.rejects(db.createTable(department), storeError('E_STORE_DUPLICATE'));
  });
});

describe('store: delete by row ids', () => {
  it('counts each row once, whatever the order or repeats of the ids', async () => {
    const db = createMemoryDatabase('ids', [department]);
    await db.appendColumns('Department', {
      name: Array.from({ length: 10 }, (_, index) => `d${index}`),
    });
    const transaction = await db.begin();
    assert.equal(transaction.delete('Department', [5, 2, 5, 2]), 2);
    assert.equal(transaction.delete('Department', Uint32Array.of(0, 1, 3)), 3);
    assert.equal(transaction.delete('Department', [4, 6, 6]), 2);
    assert.throws(() => transaction.delete('Department', [7, 5]), storeError('E_STORE_ROW'));
    assert.equal(
      transaction.delete('Department', transaction.view.table('Department').activeRowIds()),
      3,
    );
    await transaction.commit();
    assert.equal(db.view().table('Department').activeRowCount, 0);
  });
});
