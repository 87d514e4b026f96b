/**
 * Functors on the store: Σ through a store database (read the source tables, chase, replace the
 * target tables, lineage and sigma_delta checkpoint, one commit) and sigma_delta of 1 % new rows
 * into the result, against DuckDB doing the same job as SQL in the same run.
 *
 *   node --expose-gc --import tsx bench/functors-store.ts [--rows 100000,1000000] [--runs 3]
 *
 * (With --expose-gc each timed job starts after a collection, so that it does not pay for the
 * garbage of the job before it; without, the numbers are noisier.)
 *
 * Jobs (N source rows of `Emp`, in an in-memory store database; commit included):
 * - sigma-merge: Σ along Org → OrgEq, whose path equation `Staff.boss.unit = Staff.unit` merges
 *   the units of an employee and their manager (managers among the first 1 %, N/10 depts).
 *   DuckDB: the SQL of bench/functors.ts (the managers' departments by a join, then the classes
 *   by a GROUP BY), as `CREATE TABLE … AS SELECT`.
 * - sigma-union: Σ sending two entities of N/2 rows each to one (Two → One). DuckDB: UNION ALL.
 * - sigma_delta 1 %: after a full Σ (sigma-merge, which leaves the checkpoint), N/100 new
 *   employees with managers among the managers, then `sigmaDeltaInStore` + commit; compared with
 *   that full Σ. "consistent": each new employee in their manager's department (nothing old
 *   merges); "merging": a random department, so the new row's path equation merges two
 *   existing units and every row pointing at the merged one is rewritten. DuckDB: the merge SQL
 *   over the new rows only, appended (`INSERT … SELECT`), for scale.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { performance } from 'node:perf_hooks';
import { checkProgram, type CheckedProgram, type Mapping } from '../catalog/index.js';
import { parseProgram } from '../cql/index.js';
import { sigmaDeltaInStore, sigmaInStore } from '../planner/functors/index.js';
import { schemaTableDefinitions } from '../planner/index.js';
import { createMemoryDatabase, type Database, type Transaction } from '../store/index.js';

const PROGRAM = `
typeside Ty = sql
schema Org = literal : Ty {
  entities Emp Dept  foreign_keys manager : Emp -> Emp  worksIn : Emp -> Dept
  attributes ename : Emp -> Varchar
}
schema OrgEq = literal : Ty {
  entities Staff Unit  foreign_keys boss : Staff -> Staff  unit : Staff -> Unit
  path_equations Staff.boss.unit = Staff.unit
  attributes sname : Staff -> Varchar
}
mapping Merge = literal : Org -> OrgEq {
  entity Emp -> Staff  foreign_keys manager -> boss  worksIn -> unit  attributes ename -> lambda x. x.sname
  entity Dept -> Unit
}
schema Two = literal : Ty { entities L R  attributes lname : L -> Varchar  rname : R -> Varchar }
schema One = literal : Ty { entities U  attributes name : U -> Varchar }
mapping Union = literal : Two -> One {
  entity L -> U  attributes lname -> lambda x. x.name
  entity R -> U  attributes rname -> lambda x. x.name
}
`;

function argument(name: string, fallback: number[]): number[] {
  const index = process.argv.indexOf(name);
  const text = index === -1 ? undefined : process.argv[index + 1];
  return text === undefined ? fallback : text.split(',').map(Number);
}

function mappingOf(program: CheckedProgram, name: string): Mapping {
  const mapping = program.mappings.get(name);
  if (mapping === undefined) throw new Error(`no mapping ${name}`);
  return mapping;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** N employees (rows `from ..`), managers among the first 1 %, departments N/10. */
function appendEmployees(
  transaction: Transaction,
  n: number,
  from: number,
  count: number,
  mode: 'initial' | 'consistent' | 'merging',
): void {
  const managers = Math.max(1, Math.floor(n / 100));
  const depts = Math.max(1, Math.floor(n / 10));
  const manager = new Uint32Array(count);
  const worksIn = new Uint32Array(count);
  const names = new Array<string>(count);
  for (let index = 0; index < count; index++) {
    const row = from + index;
    const boss =
      mode === 'initial'
        ? row < managers
          ? row
          : row % managers
        : Math.floor(Math.random() * managers);
    manager[index] = boss;
    // consistent: the manager's own department (no two existing units merge); merging: any.
    worksIn[index] =
      mode === 'initial'
        ? row % depts
        : mode === 'consistent'
          ? boss % depts
          : Math.floor(Math.random() * depts);
    names[index] = `n${row}`;
  }
  transaction.appendColumns('Emp', { ename: names, manager, worksIn }, count);
}

async function orgDatabase(program: CheckedProgram, n: number): Promise<Database> {
  const database = createMemoryDatabase('org', schemaTableDefinitions(program.schemas.get('Org')!));
  const transaction = await database.begin();
  const depts = Math.max(1, Math.floor(n / 10));
  transaction.appendColumns('Dept', {}, depts);
  appendEmployees(transaction, n, 0, n, 'initial');
  await transaction.commit();
  return database;
}

async function twoDatabase(program: CheckedProgram, n: number): Promise<Database> {
  const database = createMemoryDatabase('two', schemaTableDefinitions(program.schemas.get('Two')!));
  const transaction = await database.begin();
  const half = Math.floor(n / 2);
  transaction.appendColumns('L', { lname: Array.from({ length: half }, (_, row) => `l${row}`) });
  transaction.appendColumns('R', {
    rname: Array.from({ length: n - half }, (_, row) => `r${row}`),
  });
  await transaction.commit();
  return database;
}

/** A full collection before a timed job, when the process allows it (--expose-gc). */
function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function timed<T>(
  database: Database,
  run: (transaction: Transaction) => T,
): Promise<[number, T, number]> {
  collect();
  const cpu = process.cpuUsage();
  const start = performance.now();
  const transaction = await database.begin();
  const result = run(transaction);
  await transaction.commit();
  const used = process.cpuUsage(cpu);
  return [performance.now() - start, result, (used.user + used.system) / 1000];
}

async function duckFor(n: number): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const half = Math.floor(n / 2);
  const depts = Math.max(1, Math.floor(n / 10));
  const managers = Math.max(1, Math.floor(n / 100));
  const setup = [
    `CREATE TABLE org AS SELECT i AS id, 'n' || i AS ename, CASE WHEN i < ${managers} THEN i ELSE i % ${managers} END AS manager, i % ${depts} AS works_in FROM range(${n}) t(i)`,
    `CREATE TABLE org_new AS SELECT ${n} + i AS id, 'n' || (${n} + i) AS ename, (random() * ${managers})::BIGINT AS manager, (random() * ${depts})::BIGINT AS works_in FROM range(${Math.max(1, Math.floor(n / 100))}) t(i)`,
    `CREATE TABLE l AS SELECT 'l' || i AS lname FROM range(${half}) t(i)`,
    `CREATE TABLE r AS SELECT 'r' || i AS rname FROM range(${n - half}) t(i)`,
  ];
  for (const sql of setup) await connection.run(sql);
  return connection;
}

async function duckTime(
  duck: DuckDBConnection,
  statements: readonly string[],
  runs: number,
): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    for (const sql of statements) await duck.run(sql);
    times.push(performance.now() - start);
  }
  return median(times);
}

const MERGE_SQL = [
  'CREATE OR REPLACE TABLE staff AS SELECT e.id, e.ename AS sname, e.manager AS boss, m.works_in AS unit FROM org e JOIN org m ON e.manager = m.id',
  'CREATE OR REPLACE TABLE unit_classes AS SELECT unit, count(*) FROM staff GROUP BY unit',
];
const MERGE_DELTA_SQL = [
  'INSERT INTO staff SELECT e.id, e.ename, e.manager, m.works_in FROM org_new e JOIN org m ON e.manager = m.id',
  'CREATE OR REPLACE TABLE unit_classes AS SELECT unit, count(*) FROM staff GROUP BY unit',
];
const UNION_SQL = [
  'CREATE OR REPLACE TABLE u AS SELECT lname AS name FROM l UNION ALL SELECT rname FROM r',
];

async function main(): Promise<void> {
  const program = checkProgram(parseProgram(PROGRAM, { file: 'bench/functors-store.ts' }));
  const merge = mappingOf(program, 'Merge');
  const union = mappingOf(program, 'Union');
  const runs = argument('--runs', [3])[0] as number;
  const lines: string[] = [];
  const notes: string[] = [];
  const emit = (line: string): void => {
    lines.push(line);
    process.stdout.write(`${line}\n`);
  };
  for (const n of argument('--rows', [100_000, 1_000_000])) {
    const duck = await duckFor(n);
    emit(`\n${n.toLocaleString('en-US')} source rows:\n`);
    emit('| job | catrust ms | rows out | M rows/s | DuckDB ms | ratio (catrust/DuckDB) |');
    emit('| --- | ---: | ---: | ---: | ---: | ---: |');

    const org = await orgDatabase(program, n);
    const sigmaTimes: number[] = [];
    let rowsOut = 0;
    const sigmaCpu: number[] = [];
    for (let run = 0; run < runs; run++) {
      const [ms, record, cpuMs] = await timed(org, (transaction) =>
        sigmaInStore(transaction, merge),
      );
      sigmaCpu.push(cpuMs);
      sigmaTimes.push(ms);
      rowsOut = Object.values(record.entity_stats).reduce((sum, stats) => sum + stats.rows_out, 0);
    }
    const sigmaMs = median(sigmaTimes);
    const mergeDuck = await duckTime(duck, MERGE_SQL, runs);
    notes.push(`sigma-merge CPU ms (median): ${median(sigmaCpu).toFixed(1)}`);
    emit(
      `| sigma-merge (store) | ${sigmaMs.toFixed(1)} | ${rowsOut.toLocaleString('en-US')} | ${(n / sigmaMs / 1000).toFixed(2)} | ${mergeDuck.toFixed(1)} | ${(sigmaMs / mergeDuck).toFixed(2)} |`,
    );

    const two = await twoDatabase(program, n);
    const unionTimes: number[] = [];
    const unionCpu: number[] = [];
    for (let run = 0; run < runs; run++) {
      const [ms, record, cpuMs] = await timed(two, (transaction) =>
        sigmaInStore(transaction, union),
      );
      unionTimes.push(ms);
      unionCpu.push(cpuMs);
      rowsOut = record.entity_stats['U']?.rows_out ?? 0;
    }
    const unionMs = median(unionTimes);
    const unionDuck = await duckTime(duck, UNION_SQL, runs);
    notes.push(`sigma-union CPU ms (median): ${median(unionCpu).toFixed(1)}`);
    notes.push(
      `sigma-merge runs (wall ms): ${sigmaTimes.map((ms) => ms.toFixed(0)).join(', ')}; ` +
        `sigma-union runs: ${unionTimes.map((ms) => ms.toFixed(0)).join(', ')}`,
    );
    emit(
      `| sigma-union (store) | ${unionMs.toFixed(1)} | ${rowsOut.toLocaleString('en-US')} | ${(n / unionMs / 1000).toFixed(2)} | ${unionDuck.toFixed(1)} | ${(unionMs / unionDuck).toFixed(2)} |`,
    );

    // sigma_delta: per run, a full Σ (which leaves the checkpoint), 1 % new rows, sigma_delta.
    const added = Math.max(1, Math.floor(n / 100));
    let total = n;
    for (const mode of ['consistent', 'merging'] as const) {
      const deltaTimes: number[] = [];
      const deltaCpu: number[] = [];
      const fullTimes: number[] = [];
      for (let run = 0; run < runs; run++) {
        const [fullMs] = await timed(org, (transaction) => sigmaInStore(transaction, merge));
        fullTimes.push(fullMs);
        const insert = await org.begin();
        appendEmployees(insert, n, total, added, mode);
        await insert.commit();
        total += added;
        const [ms, record, cpuMs] = await timed(org, (transaction) =>
          sigmaDeltaInStore(transaction, merge),
        );
        deltaCpu.push(cpuMs);
        if (!record.incremental) throw new Error(`sigma_delta fell back: ${record.reason}`);
        deltaTimes.push(ms);
      }
      const deltaMs = median(deltaTimes);
      const fullMs = median(fullTimes);
      const deltaDuck = await duckTime(duck, MERGE_DELTA_SQL, 1);
      emit(
        `| sigma_delta 1 % ${mode} (${added.toLocaleString('en-US')} rows) | ${deltaMs.toFixed(1)} | ${added.toLocaleString('en-US')} | ${(added / deltaMs / 1000).toFixed(2)} | ${deltaDuck.toFixed(1)} | ${(deltaMs / deltaDuck).toFixed(2)} |`,
      );
      notes.push(
        `sigma_delta ${mode} / full Σ at ${n.toLocaleString('en-US')}: ${deltaMs.toFixed(1)} ms (CPU ${median(deltaCpu).toFixed(1)} ms) / ${fullMs.toFixed(1)} ms = ${((100 * deltaMs) / fullMs).toFixed(1)} % (target < 5 %)`,
      );
    }
    for (const note of notes.splice(0)) emit(`\n${note}`);
    duck.closeSync();
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
