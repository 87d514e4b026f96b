/**
 * The stored functors on a small hand-written program: lineage records (order, schemas,
 * statistics), atomicity (a Σ that clashes, grows without end or passes its deadline leaves the
 * target and the lineage as they were once rolled back), sigma_delta's fall backs with their
 * reasons, sigma_validate / sigma_dry on stored rows, and a real data directory reopened after
 * commit with the result, the lineage and the checkpoint in it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkProgramCollecting,
  type CheckedProgram,
  type Schema,
} from '../../../catalog/index.js';
import { parseProgram } from '../../../cql/index.js';
import {
  CHECKPOINT_TABLE,
  deltaInStore,
  functorEvaluator,
  lineageRecords,
  LINEAGE_TABLE,
  piInStore,
  readStoredInstance,
  sigmaDeltaInStore,
  sigmaDryInStore,
  sigmaDry,
  sigmaInStore,
  sigmaValidate,
  sigmaValidateInStore,
  SYSTEM_TABLE_PREFIX,
} from '../../../planner/functors/index.js';
import { schemaTableDefinitions } from '../../../planner/index.js';
import { exportJson, labelledNull, Store, type Database } from '../../../store/index.js';
import { databaseWith, inTransaction, instanceOf, mappingOf, schemaOf } from './helpers.js';

const PROGRAM = `
typeside Ty = literal { types String  constants Al Bo : String }
schema S = literal : Ty {
  entities Emp Dept
  foreign_keys worksIn : Emp -> Dept  manager : Emp -> Emp
  attributes ename : Emp -> String  dname : Dept -> String
}
schema T = literal : Ty {
  entities Person Group
  foreign_keys memberOf : Person -> Group  boss : Person -> Person
  path_equations Person.boss.memberOf = Person.memberOf
  attributes name : Person -> String  title : Group -> String
}
schema S2 = literal : Ty {
  entities Worker Unit
  foreign_keys unit : Worker -> Unit
  attributes wname : Worker -> String  uname : Unit -> String
}
schema T2 = literal : Ty {
  entities Node
  foreign_keys next : Node -> Node
  attributes tag : Node -> String
}
mapping F = literal : S -> T {
  entity Emp -> Person
  foreign_keys worksIn -> memberOf  manager -> boss
  attributes ename -> lambda x. x.name
  entity Dept -> Group
  attributes dname -> lambda x. x.title
}
mapping F2 = literal : S -> T {
  entity Emp -> Person
  foreign_keys worksIn -> memberOf  manager -> boss
  attributes ename -> lambda x. x.name
  entity Dept -> Group
  attributes dname -> lambda x. x.title
}
mapping H = literal : S -> T2 {
  entity Emp -> Node
  foreign_keys worksIn -> next  manager -> identity
  attributes ename -> lambda x. x.tag
  entity Dept -> Node
  attributes dname -> lambda x. x.tag
}
mapping K = literal : S -> S2 {
  entity Emp -> Worker
  foreign_keys worksIn -> unit  manager -> identity
  attributes ename -> lambda x. x.wname
  entity Dept -> Unit
  attributes dname -> lambda x. x.uname
}
instance I = literal : S {
  generators e0 e1 : Emp  d0 d1 : Dept
  equations e0.worksIn = d0  e0.manager = e0  e1.worksIn = d1  e1.manager = e0
            e0.ename = Al  d0.dname = Sales
}
`;

const program: CheckedProgram = checkProgramCollecting(parseProgram(PROGRAM), {
  evaluator: functorEvaluator(),
}).program;
const F = mappingOf(program, 'F');
const H = mappingOf(program, 'H');
const K = mappingOf(program, 'K');
const T: Schema = schemaOf(program, 'T');
const clock = (): Date => new Date('2026-01-02T03:04:05.000Z');

/** Everything in the database but the lineage's durations: for "exactly as before". */
function snapshot(database: Database): string {
  return JSON.stringify(exportJson(database.view()), (_, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value,
  );
}

async function addClashingRows(database: Database): Promise<void> {
  const transaction = await database.begin();
  const dept = transaction.insert('Dept', { dname: 'Ops' });
  transaction.insert('Emp', { ename: 'Bo', worksIn: dept, manager: 0 });
  await transaction.commit();
}

describe('functors on the store: migrations, lineage, atomicity', () => {
  it('Σ writes the merged result and one lineage record with its statistics', async () => {
    const database = await databaseWith(instanceOf(program, 'I'));
    const record = await inTransaction(database, (transaction) =>
      sigmaInStore(transaction, F, { now: clock }),
    );
    assert.ok(typeof record !== 'string', String(record));
    assert.deepEqual(
      { ...record, duration_ms: 0 },
      {
        ts: '2026-01-02T03:04:05.000Z',
        functor: 'sigma',
        mapping: 'F',
        source_schema: 'S',
        target_schema: 'T',
        entity_stats: {
          Person: { rows_in: 2, rows_out: 2, merged: 0, nulls: 1 },
          Group: { rows_in: 2, rows_out: 1, merged: 1, nulls: 0 },
        },
        duration_ms: 0,
      },
    );
    const result = readStoredInstance(database.view(), T).instance;
    assert.equal(result.rowCount('Group'), 1);
    assert.equal(result.table('Group').attributes.get('title')?.values[0], 'Sales');
    assert.deepEqual(lineageRecords(database.view()), [record]);
    assert.ok(LINEAGE_TABLE.startsWith(SYSTEM_TABLE_PREFIX));
    assert.ok(database.view().hasTable(CHECKPOINT_TABLE));
  });

  it('records σ, Δ and Π in the order run', async () => {
    const database = await databaseWith(instanceOf(program, 'I'));
    await inTransaction(database, (transaction) => sigmaInStore(transaction, F, { now: clock }));
    const back = await inTransaction(database, (transaction) =>
      deltaInStore(transaction, F, { now: clock }),
    );
    assert.ok(typeof back !== 'string', String(back));
    assert.equal(back.source_schema, 'T');
    assert.equal(back.target_schema, 'S');
    // Δ_F Σ_F I: the two employees, both in the one merged group.
    assert.deepEqual(back.entity_stats, {
      Emp: { rows_in: 2, rows_out: 2, merged: 0, nulls: 1 },
      Dept: { rows_in: 1, rows_out: 1, merged: 0, nulls: 0 },
    });
    const forward = await inTransaction(database, (transaction) =>
      piInStore(transaction, K, { now: clock }),
    );
    const records = lineageRecords(database.view());
    assert.deepEqual(
      records.map((record) => [record.functor, record.source_schema, record.target_schema]),
      [
        ['sigma', 'S', 'T'],
        ['delta', 'T', 'S'],
        ['pi', 'S', 'S2'],
      ],
    );
    assert.ok(typeof forward !== 'string', `Π failed: ${String(forward)}`);
    assert.deepEqual(forward.entity_stats, {
      // Π_K keeps the employees that are their own manager (manager ↦ identity): e0 only.
      Worker: { rows_in: 2, rows_out: 1, merged: 0, nulls: 0 },
      Unit: { rows_in: 1, rows_out: 1, merged: 0, nulls: 0 },
    });
  });

  it('a Σ that clashes leaves the target and the lineage exactly as before', async () => {
    const database = await databaseWith(instanceOf(program, 'I'));
    await inTransaction(database, (transaction) => sigmaInStore(transaction, F));
    await addClashingRows(database);
    const before = snapshot(database);
    for (const run of [sigmaInStore, sigmaDeltaInStore]) {
      const transaction = await database.begin();
      assert.throws(
        () => run(transaction, F),
        (error: unknown) =>
          (error as { code?: string }).code === 'E_INSTANCE_CLASH' &&
          /"Ops"/.test((error as Error).message) &&
          /"Sales"/.test((error as Error).message),
      );
      transaction.rollback();
      assert.equal(snapshot(database), before);
    }
    assert.equal(lineageRecords(database.view()).length, 1);
  });

  it('an infinite Σ and a Σ past its deadline roll back to nothing written', async () => {
    const database = await databaseWith(instanceOf(program, 'I'));
    const before = snapshot(database);
    const infinite = await database.begin();
    assert.throws(
      () => sigmaInStore(infinite, H, { instanceRowsMax: 500 }),
      (error: unknown) =>
        (error as { code?: string }).code === 'E_INSTANCE_INFINITE' &&
        /Node\.next/.test((error as Error).message),
    );
    infinite.rollback();
    assert.equal(snapshot(database), before);
    const late = await database.begin();
    assert.throws(
      () => sigmaInStore(late, F, { deadline: performance.now() - 1 }),
      (error: unknown) => (error as { code?: string }).code === 'E_TIMEOUT',
    );
    late.rollback();
    assert.equal(snapshot(database), before);
    const lateDelta = await database.begin();
    assert.throws(
      () => sigmaDeltaInStore(lateDelta, F, { deadline: performance.now() - 1 }),
      (error: unknown) => (error as { code?: string }).code === 'E_TIMEOUT',
    );
    lateDelta.rollback();
    assert.equal(snapshot(database), before);
    assert.deepEqual(lineageRecords(database.view()), []);
  });

  it('a Σ leaving a NOT NULL attribute unknown fails, validated beforehand, writing nothing', async () => {
    const compact = checkProgramCollecting(
      parseProgram(`
schema Src { entities Person  attributes name : Person -> String! }
schema Dst {
  entities Staff Dept
  foreign_keys worksIn : Staff -> Dept
  attributes name : Staff -> String!  dname : Dept -> String!
}
mapping Up : Src -> Dst { Person -> Staff { attributes name -> name } }
instance A : Src { Person { ada: name = "Ada" } }
`),
      { evaluator: functorEvaluator() },
    ).program;
    const up = mappingOf(compact, 'Up');
    const database = await databaseWith(instanceOf(compact, 'A'));
    const validation = sigmaValidateInStore(database.view(), up);
    assert.equal(validation.ok, false);
    assert.deepEqual(
      validation.problems.map((problem) => [problem.kind, problem.entity, problem.column]),
      [
        ['not_null', 'Dept', 'dname'],
        ['fresh_rows', 'Staff', 'worksIn'],
      ],
    );
    const before = snapshot(database);
    const transaction = await database.begin();
    assert.throws(
      () => sigmaInStore(transaction, up),
      (error: unknown) =>
        (error as { code?: string }).code === 'E_INSTANCE_NOT_NULL' &&
        /dname/.test((error as Error).message),
    );
    transaction.rollback();
    assert.equal(snapshot(database), before);
  });

  it('sigma_delta is incremental after inserts and falls back, saying why, otherwise', async () => {
    const database = await databaseWith(instanceOf(program, 'I'));
    const first = await inTransaction(database, (transaction) => sigmaDeltaInStore(transaction, F));
    assert.ok(typeof first !== 'string');
    assert.equal(first.incremental, false);
    assert.match(first.reason ?? '', /no checkpoint/);
    const idle = await inTransaction(database, (transaction) => sigmaDeltaInStore(transaction, F));
    assert.ok(typeof idle !== 'string');
    assert.deepEqual([idle.incremental, idle.rows_applied], [true, { Emp: 0, Dept: 0 }]);

    const insert = await database.begin();
    const dept = insert.insert('Dept', { dname: labelledNull('x') });
    insert.insert('Emp', { ename: 'Bo', worksIn: dept, manager: 1 });
    await insert.commit();
    const grown = await inTransaction(database, (transaction) => sigmaDeltaInStore(transaction, F));
    assert.ok(typeof grown !== 'string');
    assert.deepEqual([grown.incremental, grown.rows_applied], [true, { Emp: 1, Dept: 1 }]);
    // The new department merges into the one group through the path equation.
    assert.equal(grown.entity_stats['Group']?.rows_out, 1);
    assert.equal(grown.entity_stats['Group']?.merged, 1);

    const update = await database.begin();
    update.update('Emp', 1, { ename: 'Cy' });
    await update.commit();
    const updated = await inTransaction(database, (transaction) =>
      sigmaDeltaInStore(transaction, F),
    );
    assert.ok(typeof updated !== 'string');
    assert.equal(updated.incremental, false);
    assert.match(updated.reason ?? '', /Emp was updated/);

    const remove = await database.begin();
    remove.delete('Emp', 2);
    await remove.commit();
    const removed = await inTransaction(database, (transaction) =>
      sigmaDeltaInStore(transaction, F),
    );
    assert.ok(typeof removed !== 'string');
    assert.equal(removed.incremental, false);
    assert.match(removed.reason ?? '', /1 row\(s\) of Emp were deleted/);

    const touch = await database.begin();
    const group = touch.view.table('Group').activeRowIds()[0] as number;
    touch.update('Group', group, { title: 'Renamed' });
    await touch.commit();
    const touched = await inTransaction(database, (transaction) =>
      sigmaDeltaInStore(transaction, F),
    );
    assert.ok(typeof touched !== 'string');
    assert.equal(touched.incremental, false);
    assert.match(touched.reason ?? '', /result table Group changed/);
    assert.deepEqual(
      lineageRecords(database.view()).map((record) => record.functor),
      ['sigma_delta', 'sigma_delta', 'sigma_delta', 'sigma_delta', 'sigma_delta', 'sigma_delta'],
    );
  });

  it('a migration rewriting a result table drops the other mappings’ checkpoints on it', async () => {
    const database = await databaseWith(instanceOf(program, 'I'));
    const F2 = mappingOf(program, 'F2');
    await inTransaction(database, (transaction) => sigmaInStore(transaction, F));
    const other = await inTransaction(database, (transaction) => sigmaInStore(transaction, F2));
    assert.ok(typeof other !== 'string', `Σ_F2 failed: ${String(other)}`);
    const again = await inTransaction(database, (transaction) => sigmaDeltaInStore(transaction, F));
    assert.ok(typeof again !== 'string');
    assert.equal(again.incremental, false);
    assert.match(again.reason ?? '', /no checkpoint for mapping F yet/);
    // F's checkpoint is back, and F2's went with F's rewrite.
    const f2 = await inTransaction(database, (transaction) => sigmaDeltaInStore(transaction, F2));
    assert.ok(typeof f2 !== 'string');
    assert.equal(f2.incremental, false);
    const back = await inTransaction(database, (transaction) => deltaInStore(transaction, F));
    assert.ok(typeof back !== 'string', String(back));
  });

  it('result tables stay free to drop: sigma_delta then runs a full Σ and makes them again', async () => {
    const database = await databaseWith(instanceOf(program, 'I'));
    await inTransaction(database, (transaction) => sigmaInStore(transaction, F));
    const drop = await database.begin();
    drop.dropTable('Person');
    await drop.commit();
    const again = await inTransaction(database, (transaction) => sigmaDeltaInStore(transaction, F));
    assert.ok(typeof again !== 'string', String(again));
    assert.equal(again.incremental, false);
    assert.match(again.reason ?? '', /result table Person changed/);
    assert.equal(readStoredInstance(database.view(), T).instance.rowCount('Person'), 2);
  });

  it('sigma_validate and sigma_dry on stored rows report what the in-memory ones do', async () => {
    const database = await databaseWith(instanceOf(program, 'I'));
    await addClashingRows(database);
    const input = readStoredInstance(database.view(), F.source).instance;
    const validation = sigmaValidateInStore(database.view(), F);
    assert.equal(validation.ok, false);
    assert.deepEqual(
      validation.problems.map((problem) => problem.kind),
      sigmaValidate(F, input, { name: `sigma F`, location: F.location }).problems.map(
        (problem) => problem.kind,
      ),
    );
    assert.ok(validation.problems.some((problem) => problem.kind === 'clash'));
    const dry = sigmaDryInStore(database.view(), H, { instanceRowsMax: 300 });
    const json = JSON.parse(JSON.stringify(dry)) as typeof dry;
    assert.deepEqual(
      json.problems.map((problem) => [problem.kind, problem.count]),
      dry.problems.map((problem) => [problem.kind, problem.count]),
    );
    assert.ok(dry.problems.some((problem) => problem.kind === 'infinite'));
    const fine = await databaseWith(instanceOf(program, 'I'));
    const run = sigmaDryInStore(fine.view(), F);
    assert.deepEqual(
      run.entities.map((entity) => [entity.entity, entity.rowsIn, entity.rowsOut, entity.merged]),
      sigmaDry(F, readStoredInstance(fine.view(), F.source).instance).entities.map((entity) => [
        entity.entity,
        entity.rowsIn,
        entity.rowsOut,
        entity.merged,
      ]),
    );
    assert.deepEqual(
      run.entities.map((entity) => [entity.entity, entity.rowsOut]),
      [
        ['Person', 2],
        ['Group', 1],
      ],
    );
  });

  it('names a missing input table instead of writing anything', async () => {
    const loaded = await databaseWith(instanceOf(program, 'I'));
    const empty = await databaseWith();
    for (const [database, run, table] of [
      [loaded, deltaInStore, 'Person'],
      [empty, sigmaInStore, 'Emp'],
      [empty, piInStore, 'Emp'],
    ] as const) {
      const before = snapshot(database);
      const transaction = await database.begin();
      assert.throws(
        () => run(transaction, F),
        (error: unknown) =>
          (error as { code?: string }).code === 'E_FUNCTOR_MISMATCH' &&
          (error as Error).message.includes(`no table for entity \`${table}\``),
      );
      transaction.rollback();
      assert.equal(snapshot(database), before);
    }
  });

  it('reads only active rows and translates foreign keys to dense rows', async () => {
    const database = await databaseWith(instanceOf(program, 'I'));
    const transaction = await database.begin();
    transaction.insert('Emp', { ename: 'Bo', worksIn: 1, manager: 1 });
    transaction.delete('Emp', 0, { cascade: false });
    transaction.update('Emp', 1, { manager: 2 });
    await transaction.commit();
    const { instance, rowIds } = readStoredInstance(database.view(), F.source);
    assert.deepEqual(Array.from(rowIds.get('Emp') ?? []), [1, 2]);
    assert.deepEqual(instance.table('Emp').rowNames, ['Emp#1', 'Emp#2']);
    assert.deepEqual(Array.from(instance.table('Emp').foreignKeys.get('manager') ?? []), [1, 0]);
    assert.deepEqual(Array.from(instance.table('Emp').foreignKeys.get('worksIn') ?? []), [1, 1]);
  });

  it('a real data directory keeps the result, the lineage and the checkpoint across a reopen', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'catrust-functors-store-'));
    try {
      let store = await Store.open(directory);
      let database = await store.create('db', schemaTableDefinitions(F.source));
      const load = await database.begin();
      load.insertRows('Dept', [{ dname: 'Sales' }, { dname: labelledNull('d1.dname') }]);
      load.insertRows('Emp', [
        { ename: 'Al', worksIn: 0, manager: 0 },
        { ename: labelledNull('e1.ename'), worksIn: 1, manager: 0 },
      ]);
      await load.commit();
      await inTransaction(database, (transaction) => sigmaDeltaInStore(transaction, F));
      const expected = snapshot(database);
      await store.close();

      store = await Store.open(directory);
      database = await store.open('db');
      assert.equal(snapshot(database), expected);
      assert.equal(lineageRecords(database.view()).length, 1);
      assert.ok(database.view().hasTable(CHECKPOINT_TABLE));
      const insert = await database.begin();
      insert.insert('Emp', { ename: 'Bo', worksIn: 0, manager: 1 });
      await insert.commit();
      const step = await inTransaction(database, (transaction) =>
        sigmaDeltaInStore(transaction, F),
      );
      assert.ok(typeof step !== 'string');
      assert.equal(step.incremental, true, step.reason);
      assert.deepEqual(step.rows_applied, { Emp: 1, Dept: 0 });
      assert.equal(readStoredInstance(database.view(), T).instance.rowCount('Person'), 3);
      // A snapshot re-encodes dictionaries and purges deleted rows: the checkpoint still holds.
      await database.snapshot();
      await store.close();
      store = await Store.open(directory);
      database = await store.open('db');
      const more = await database.begin();
      more.insert('Emp', { ename: 'Cy', worksIn: 1, manager: 2 });
      await more.commit();
      const after = await inTransaction(database, (transaction) =>
        sigmaDeltaInStore(transaction, F),
      );
      assert.ok(typeof after !== 'string');
      assert.equal(after.incremental, true, after.reason);
      assert.equal(lineageRecords(database.view()).length, 3);
      await store.close();
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
