/**
 * sigma_delta where new rows merge rows of the stored result: Σ along Org → OrgEq, whose path
 * equation `Staff.boss.unit = Staff.unit` puts an employee in their manager's unit. A new
 * employee whose manager's unit and own department's unit differ merges two stored units: the
 * dropped unit's row goes, every stored row and map row pointing at it is redirected. Random
 * batches (managers among old and new employees, themselves included; random departments),
 * sigma_delta on one database and a full Σ on another, compared row for row up to isomorphism
 * (employee names are unique, so the search is direct), plus one case spelled out.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkProgram } from '../../../catalog/index.js';
import { parseProgram } from '../../../cql/index.js';
import {
  readStoredInstance,
  sigmaDeltaInStore,
  sigmaInStore,
} from '../../../planner/functors/index.js';
import { schemaTableDefinitions } from '../../../planner/index.js';
import { createMemoryDatabase, type Database, type RowInput } from '../../../store/index.js';
import { createRandom } from '../../cql/random-program.js';
import { isomorphismObstacle } from '../isomorphism.js';
import { inTransaction } from './helpers.js';

const program = checkProgram(
  parseProgram(`
typeside Ty = literal { types String }
schema Org = literal : Ty {
  entities Emp Dept  foreign_keys manager : Emp -> Emp  worksIn : Emp -> Dept
  attributes ename : Emp -> String
}
schema OrgEq = literal : Ty {
  entities Staff Unit  foreign_keys boss : Staff -> Staff  unit : Staff -> Unit
  path_equations Staff.boss.unit = Staff.unit
  attributes sname : Staff -> String
}
mapping Merge = literal : Org -> OrgEq {
  entity Emp -> Staff  foreign_keys manager -> boss  worksIn -> unit  attributes ename -> lambda x. x.sname
  entity Dept -> Unit
}`),
);
const merge = program.mappings.get('Merge')!;
const org = program.schemas.get('Org')!;
const orgEq = program.schemas.get('OrgEq')!;

async function insert(database: Database, depts: number, emps: RowInput[]): Promise<void> {
  const transaction = await database.begin();
  if (depts > 0)
    transaction.insertRows(
      'Dept',
      Array.from({ length: depts }, () => ({})),
    );
  if (emps.length > 0) transaction.insertRows('Emp', emps);
  await transaction.commit();
}

describe('functors on the store: sigma_delta merging stored rows', () => {
  it('a new employee merges two stored units; rows pointing at the dropped one follow', async () => {
    const database = createMemoryDatabase('org', schemaTableDefinitions(org));
    await insert(database, 2, [
      { ename: 'al', manager: 0, worksIn: 0 },
      { ename: 'bo', manager: 1, worksIn: 1 },
    ]);
    await inTransaction(database, (transaction) => sigmaDeltaInStore(transaction, merge));
    assert.equal(readStoredInstance(database.view(), orgEq).instance.rowCount('Unit'), 2);
    await insert(database, 0, [{ ename: 'cy', manager: 0, worksIn: 1 }]);
    const step = await inTransaction(database, (transaction) =>
      sigmaDeltaInStore(transaction, merge),
    );
    assert.ok(typeof step !== 'string', String(step));
    assert.equal(step.incremental, true, step.reason);
    assert.deepEqual(step.entity_stats['Unit'], { rows_in: 0, rows_out: 1, merged: 0, nulls: 0 });
    const result = readStoredInstance(database.view(), orgEq).instance;
    assert.equal(result.rowCount('Unit'), 1);
    assert.deepEqual(Array.from(result.table('Staff').foreignKeys.get('unit') ?? []), [0, 0, 0]);
    // The map rows of both departments now name the one unit: a further step still applies.
    await insert(database, 0, [{ ename: 'di', manager: 1, worksIn: 0 }]);
    const next = await inTransaction(database, (transaction) =>
      sigmaDeltaInStore(transaction, merge),
    );
    assert.ok(typeof next !== 'string' && next.incremental);
    assert.equal(readStoredInstance(database.view(), orgEq).instance.rowCount('Staff'), 4);
  });

  it('random batches: sigma_delta ≅ full Σ, incrementally', async () => {
    let merges = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1_000_000 }), async (seed) => {
        const random = createRandom(seed);
        const incremental = createMemoryDatabase('a', schemaTableDefinitions(org));
        const full = createMemoryDatabase('b', schemaTableDefinitions(org));
        let emps = 0;
        let depts = 0;
        for (let round = 0; round < 4; round++) {
          const newDepts = (depts === 0 ? 1 : 0) + Math.floor(random() * 3);
          const count = 1 + Math.floor(random() * 5);
          const rows: RowInput[] = [];
          for (let index = 0; index < count; index++) {
            rows.push({
              ename: `e${emps + index}`,
              manager: Math.floor(random() * (emps + index + 1)),
              worksIn: Math.floor(random() * (depts + newDepts)),
            });
          }
          emps += count;
          depts += newDepts;
          await insert(incremental, newDepts, rows);
          await insert(full, newDepts, rows);
          const unitsBefore =
            round === 0
              ? 0
              : readStoredInstance(incremental.view(), orgEq).instance.rowCount('Unit');
          const step = await inTransaction(incremental, (transaction) =>
            sigmaDeltaInStore(transaction, merge),
          );
          await inTransaction(full, (transaction) => sigmaInStore(transaction, merge));
          assert.ok(typeof step !== 'string', String(step));
          assert.equal(step.incremental, round > 0, step.reason);
          const a = readStoredInstance(full.view(), orgEq).instance;
          const b = readStoredInstance(incremental.view(), orgEq).instance;
          assert.equal(isomorphismObstacle(a, b), undefined, `seed ${seed}, round ${round}`);
          if (round > 0 && b.rowCount('Unit') < unitsBefore) merges++;
        }
      }),
      { numRuns: 150, seed: 65 },
    );
    assert.ok(merges > 20, `only ${merges} steps merged stored units`);
  });
});
