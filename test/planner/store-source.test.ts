/**
 * SQL over the store's tables (through StoreRelationSource): every column representation,
 * deleted rows, FK columns holding row ids, index lookups, big Ints, and a snapshot that does
 * not see later writes.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'mocha';
import {
  loadSqlParser,
  resultToJson,
  runSql,
  StoreRelationSource,
  StoreTableSource,
} from '../../planner/index.js';
import {
  createMemoryDatabase,
  foreignKeyColumn,
  scalarColumn,
  tableDefinition,
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
  scalarColumn('bonus', 'Decimal'),
  foreignKeyColumn('worksIn', 'Department'),
]);

async function company(): Promise<Database> {
  const db = createMemoryDatabase('company', [department, employee]);
  const math = await db.insert('Department', { name: 'Math' });
  const cs = await db.insert('Department', { name: 'CS' });
  await db.insert('Employee', {
    name: 'Ada',
    salary: 120,
    rate: 1.5,
    hired: 19000,
    active: true,
    bonus: '12.50',
    worksIn: math,
  });
  await db.insert('Employee', {
    name: 'Bob',
    salary: 80,
    rate: 0.5,
    hired: 19001,
    active: false,
    bonus: '1',
    worksIn: cs,
  });
  await db.insert('Employee', { name: 'Cyd', salary: 2n ** 60n, worksIn: cs });
  await db.insert('Employee', { name: 'Dee', salary: 10, worksIn: math });
  return db;
}

describe('SQL over the store', () => {
  before(async () => {
    await loadSqlParser();
  });

  it('reads every column type, FK row ids and the id column', async () => {
    const db = await company();
    const source = new StoreRelationSource(db.view());
    const result = resultToJson(
      runSql(
        source,
        'SELECT id, name, salary, rate, hired, active, bonus, "worksIn" FROM employee ORDER BY id',
      ),
    );
    assert.deepEqual(
      result.columns.map((column) => column.type),
      ['Int', 'String', 'Int', 'Float', 'Date', 'Bool', 'Decimal', 'Int'],
    );
    assert.deepEqual(result.rows, [
      [0, 'Ada', 120, 1.5, '2022-01-08', true, '12.5', 0],
      [1, 'Bob', 80, 0.5, '2022-01-09', false, '1', 1],
      [2, 'Cyd', '1152921504606846976', null, null, null, null, 1],
      [3, 'Dee', 10, null, null, null, null, 0],
    ]);
  });

  it('joins on a foreign key, aggregates exactly past 2^53, skips deleted rows', async () => {
    const db = await company();
    await db.delete('Employee', 3);
    const source = new StoreRelationSource(db.view());
    const json = resultToJson(
      runSql(
        source,
        'SELECT d.name, count(*), sum(e.salary) FROM Employee e JOIN Department d ON e."worksIn" = d.id GROUP BY d.name ORDER BY d.name',
      ),
    );
    assert.deepEqual(json.rows, [
      ['CS', 2, '1152921504606847056'],
      ['Math', 1, '120'],
    ]);
  });

  it('looks rows up through the store indexes', async () => {
    const db = await company();
    const table = new StoreTableSource(db.view().table('Employee'));
    assert.deepEqual([...table.lookupEqual(1, 'Bob')], [1]);
    assert.deepEqual(
      [...table.lookupRange(2, { value: 50, inclusive: true }, { value: 200, inclusive: false })],
      [1, 0],
    );
    const fetched = table.fetch(Uint32Array.of(3, 9, 0), 3, [0, 1]);
    assert.equal(fetched.length, 3);
  });

  it('queries a snapshot: later writes are not seen', async () => {
    const db = await company();
    const source = new StoreRelationSource(db.view());
    await db.insert('Department', { name: 'Art' });
    assert.deepEqual(resultToJson(runSql(source, 'SELECT count(*) FROM Department')).rows, [[2]]);
    assert.deepEqual(
      resultToJson(runSql(new StoreRelationSource(db.view()), 'SELECT count(*) FROM Department'))
        .rows,
      [[3]],
    );
  });
});
