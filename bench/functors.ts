/**
 * Functor benchmark: Δ, Σ, Π and eval on generated instances of N source rows, in memory
 * (planner/functors/), against DuckDB doing the same job as SQL in the same run.
 *
 *   npx tsx bench/functors.ts [--rows 100000,1000000] [--runs 3] [--skip sigma-merge,…]
 *
 * Jobs (S → T mappings checked from the program below; instances built directly as tables):
 * - delta-rename: Δ along a renaming (Person ↦ Emp, attributes renamed). DuckDB: a view
 *   (`CREATE VIEW … AS SELECT … `) and a copy (`CREATE TABLE … AS SELECT …`).
 * - delta-path2: Δ sending a foreign key to a path of length 2 (a composed column). DuckDB:
 *   `CREATE TABLE AS SELECT` with two joins.
 * - sigma-union: Σ sending two entities to one (a union, N/2 + N/2 rows). DuckDB: `UNION ALL`.
 * - sigma-fresh: Σ into a schema with a foreign key nothing determines: N fresh rows. DuckDB:
 *   two `CREATE TABLE AS SELECT` (the new rows and the rows pointing at them).
 * - sigma-merge: Σ where T's path equation `manager.worksIn = worksIn` merges departments (N
 *   employees, each with a manager among the first 1 %). DuckDB: the departments' classes by
 *   a GROUP BY on the manager's department.
 * - pi-join: Π sending two entities with a shared `code` to one: a join on the code (N/2 × N/2
 *   rows, codes unique). DuckDB: `CREATE TABLE AS SELECT … JOIN … USING (code)`.
 * - eval-join: an uber-flower `from e:Emp d:Dept where e.worksIn = d`. DuckDB: the FK join.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { performance } from 'node:perf_hooks';
import {
  checkProgram,
  SaturatedInstance,
  type AttributeColumn,
  type CheckedProgram,
  type InstanceTable,
  type Schema,
  type UberQuery,
} from '../catalog/index.js';
import { CatrustError, type Value } from '../common/index.js';
import { parseProgram } from '../cql/index.js';
import { delta, evalQuery, pi, sigma } from '../planner/functors/index.js';

const PROGRAM = `
typeside Ty = sql
schema P = literal : Ty { entities Person  attributes pname : Person -> Varchar  page : Person -> Integer }
schema E = literal : Ty { entities Emp  attributes ename : Emp -> Varchar  eage : Emp -> Integer }
mapping Rename = literal : P -> E { entity Person -> Emp  attributes pname -> lambda x. x.ename  page -> lambda x. x.eage }

schema Chain = literal : Ty {
  entities A B C
  foreign_keys f : A -> B  g : B -> C
  attributes cname : C -> Varchar
}
schema Short = literal : Ty { entities X Z  foreign_keys h : X -> Z  attributes zname : Z -> Varchar }
mapping Skip = literal : Short -> Chain {
  entity X -> A  foreign_keys h -> f.g
  entity Z -> C  attributes zname -> lambda z. z.cname
}

schema Two = literal : Ty { entities L R  attributes lname : L -> Varchar  rname : R -> Varchar }
schema One = literal : Ty { entities U  attributes name : U -> Varchar }
mapping Union = literal : Two -> One {
  entity L -> U  attributes lname -> lambda x. x.name
  entity R -> U  attributes rname -> lambda x. x.name
}

schema Lone = literal : Ty { entities Emp  attributes ename : Emp -> Varchar }
schema WithDept = literal : Ty {
  entities Emp Dept  foreign_keys worksIn : Emp -> Dept
  attributes ename : Emp -> Varchar  dname : Dept -> Varchar
}
mapping Fresh = literal : Lone -> WithDept { entity Emp -> Emp  attributes ename -> lambda x. x.ename }

schema Org = literal : Ty {
  entities Emp Dept  foreign_keys manager : Emp -> Emp  worksIn : Emp -> Dept
  attributes ename : Emp -> Varchar
}
schema OrgEq = literal : Ty {
  entities Emp Dept  foreign_keys manager : Emp -> Emp  worksIn : Emp -> Dept
  path_equations Emp.manager.worksIn = Emp.worksIn
  attributes ename : Emp -> Varchar
}
mapping Merge = literal : Org -> OrgEq {
  entity Emp -> Emp  foreign_keys manager -> manager  worksIn -> worksIn  attributes ename -> lambda x. x.ename
  entity Dept -> Dept
}

schema Coded = literal : Ty {
  entities Em De  attributes ename : Em -> Varchar  ecode : Em -> Integer  dname : De -> Varchar  dcode : De -> Integer
}
schema Member = literal : Ty { entities M  attributes ename : M -> Varchar  code : M -> Integer  dname : M -> Varchar }
mapping Join = literal : Coded -> Member {
  entity Em -> M  attributes ename -> lambda x. x.ename  ecode -> lambda x. x.code
  entity De -> M  attributes dname -> lambda x. x.dname  dcode -> lambda x. x.code
}

schema Staffed = literal : Ty { entities Staff  attributes sname : Staff -> Varchar  dname : Staff -> Varchar }
query Q = literal : WithDept -> Staffed {
  entity Staff -> { from e : Emp  d : Dept  where e.worksIn = d  attributes sname -> e.ename  dname -> d.dname }
}
`;

function argument(name: string, fallback: number[]): number[] {
  const index = process.argv.indexOf(name);
  const text = index === -1 ? undefined : process.argv[index + 1];
  return text === undefined ? fallback : text.split(',').map(Number);
}

/** A table of `rowCount` rows named `prefix<row>`, with the given columns. */
function table(
  schema: Schema,
  entity: string,
  rowCount: number,
  prefix: string,
  foreignKeys: Record<string, Int32Array>,
  attributes: Record<string, (row: number) => Value>,
): InstanceTable {
  const rowNames = Array.from({ length: rowCount }, (_, row) => `${prefix}${row}`);
  const columns = new Map<string, AttributeColumn>();
  for (const attribute of schema.attributesOf(entity)) {
    const make = attributes[attribute.name];
    if (make === undefined) throw new Error(`no generator for ${attribute.name}`);
    const values = Array.from({ length: rowCount }, (_, row) => make(row));
    columns.set(attribute.name, { attribute, values, labels: new Array<undefined>(rowCount) });
  }
  return {
    entity,
    rowCount,
    rowNames,
    foreignKeys: new Map(Object.entries(foreignKeys)),
    attributes: columns,
  };
}

function schemaOf(program: CheckedProgram, name: string): Schema {
  const schema = program.schemas.get(name);
  if (schema === undefined) throw new Error(`no schema ${name}`);
  return schema;
}

interface Job {
  readonly name: string;
  readonly rows: number;
  readonly run: () => number;
  readonly duck: readonly string[];
}

function jobs(program: CheckedProgram, n: number): Job[] {
  const mapping = (name: string) => program.mappings.get(name)!;
  const half = Math.floor(n / 2);
  const e = schemaOf(program, 'E');
  const emps = new SaturatedInstance(e, [
    table(e, 'Emp', n, 'e', {}, { ename: (row) => `n${row}`, eage: (row) => BigInt(row % 90) }),
  ]);
  const chain = schemaOf(program, 'Chain');
  const f = new Int32Array(n).map((_, row) => row % half);
  const g = new Int32Array(half).map((_, row) => row % Math.max(1, n / 10));
  const chained = new SaturatedInstance(chain, [
    table(chain, 'A', n, 'a', { f }, {}),
    table(chain, 'B', half, 'b', { g }, {}),
    table(chain, 'C', Math.max(1, n / 10), 'c', {}, { cname: (row) => `c${row}` }),
  ]);
  const two = schemaOf(program, 'Two');
  const sides = new SaturatedInstance(two, [
    table(two, 'L', half, 'l', {}, { lname: (row) => `l${row}` }),
    table(two, 'R', n - half, 'r', {}, { rname: (row) => `r${row}` }),
  ]);
  const lone = schemaOf(program, 'Lone');
  const alone = new SaturatedInstance(lone, [
    table(lone, 'Emp', n, 'e', {}, { ename: (row) => `n${row}` }),
  ]);
  const org = schemaOf(program, 'Org');
  const managers = Math.max(1, Math.floor(n / 100));
  const depts = Math.max(1, Math.floor(n / 10));
  const orgInstance = new SaturatedInstance(org, [
    table(
      org,
      'Emp',
      n,
      'e',
      {
        manager: new Int32Array(n).map((_, row) => (row < managers ? row : row % managers)),
        worksIn: new Int32Array(n).map((_, row) => row % depts),
      },
      { ename: (row) => `n${row}` },
    ),
    table(org, 'Dept', depts, 'd', {}, {}),
  ]);
  const coded = schemaOf(program, 'Coded');
  const codedInstance = new SaturatedInstance(coded, [
    table(coded, 'Em', half, 'm', {}, { ename: (row) => `n${row}`, ecode: (row) => BigInt(row) }),
    table(
      coded,
      'De',
      n - half,
      'd',
      {},
      { dname: (row) => `d${row}`, dcode: (row) => BigInt((row * 7) % (n - half)) },
    ),
  ]);
  const withDept = schemaOf(program, 'WithDept');
  const staffed = new SaturatedInstance(withDept, [
    table(
      withDept,
      'Emp',
      n,
      'e',
      { worksIn: new Int32Array(n).map((_, row) => row % depts) },
      { ename: (row) => `n${row}` },
    ),
    table(withDept, 'Dept', depts, 'd', {}, { dname: (row) => `d${row}` }),
  ]);
  const query = program.queries.get('Q') as UberQuery;
  return [
    {
      name: 'delta-rename (view)',
      rows: n,
      run: () => delta(mapping('Rename'), emps).totalRows,
      duck: ['CREATE OR REPLACE VIEW person AS SELECT ename AS pname, eage AS page FROM emp'],
    },
    {
      name: 'delta-path2',
      rows: n,
      run: () => delta(mapping('Skip'), chained).totalRows,
      duck: ['CREATE OR REPLACE TABLE x AS SELECT a.id, b.g AS h FROM a JOIN b ON a.f = b.id'],
    },
    {
      name: 'sigma-union',
      rows: n,
      run: () => sigma(mapping('Union'), sides).totalRows,
      duck: [
        'CREATE OR REPLACE TABLE u AS SELECT lname AS name FROM l UNION ALL SELECT rname FROM r',
      ],
    },
    {
      name: 'sigma-fresh',
      rows: n,
      run: () => sigma(mapping('Fresh'), alone).totalRows,
      duck: [
        'CREATE OR REPLACE TABLE dept AS SELECT id, NULL::VARCHAR AS dname FROM lone',
        'CREATE OR REPLACE TABLE emp2 AS SELECT id, ename, id AS works_in FROM lone',
      ],
    },
    {
      name: 'sigma-merge',
      rows: n,
      run: () => sigma(mapping('Merge'), orgInstance).totalRows,
      duck: [
        'CREATE OR REPLACE TABLE merged AS SELECT e.id, m.works_in AS works_in FROM org e JOIN org m ON e.manager = m.id',
        'CREATE OR REPLACE TABLE dept_classes AS SELECT works_in, count(*) FROM merged GROUP BY works_in',
      ],
    },
    {
      name: 'pi-join',
      rows: n,
      run: () => pi(mapping('Join'), codedInstance).totalRows,
      duck: [
        'CREATE OR REPLACE TABLE m AS SELECT em.ename, em.code, de.dname FROM em JOIN de USING (code)',
      ],
    },
    {
      name: 'eval-join',
      rows: n,
      run: () => evalQuery(query, staffed).totalRows,
      duck: [
        'CREATE OR REPLACE TABLE staff AS SELECT e.ename, d.dname FROM wemp e JOIN wdept d ON e.works_in = d.id',
      ],
    },
  ];
}

async function duckFor(n: number): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const half = Math.floor(n / 2);
  const depts = Math.max(1, Math.floor(n / 10));
  const managers = Math.max(1, Math.floor(n / 100));
  const setup = [
    `CREATE TABLE emp AS SELECT i AS id, 'n' || i AS ename, (i % 90)::BIGINT AS eage FROM range(${n}) t(i)`,
    `CREATE TABLE a AS SELECT i AS id, i % ${half} AS f FROM range(${n}) t(i)`,
    `CREATE TABLE b AS SELECT i AS id, i % ${Math.max(1, n / 10)} AS g FROM range(${half}) t(i)`,
    `CREATE TABLE l AS SELECT 'l' || i AS lname FROM range(${half}) t(i)`,
    `CREATE TABLE r AS SELECT 'r' || i AS rname FROM range(${n - half}) t(i)`,
    `CREATE TABLE lone AS SELECT i AS id, 'n' || i AS ename FROM range(${n}) t(i)`,
    `CREATE TABLE org AS SELECT i AS id, CASE WHEN i < ${managers} THEN i ELSE i % ${managers} END AS manager, i % ${depts} AS works_in FROM range(${n}) t(i)`,
    `CREATE TABLE em AS SELECT 'n' || i AS ename, i::BIGINT AS code FROM range(${half}) t(i)`,
    `CREATE TABLE de AS SELECT 'd' || i AS dname, ((i * 7) % ${n - half})::BIGINT AS code FROM range(${n - half}) t(i)`,
    `CREATE TABLE wemp AS SELECT i AS id, 'n' || i AS ename, i % ${depts} AS works_in FROM range(${n}) t(i)`,
    `CREATE TABLE wdept AS SELECT i AS id, 'd' || i AS dname FROM range(${depts}) t(i)`,
  ];
  for (const sql of setup) await connection.run(sql);
  return connection;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function main(): Promise<void> {
  const program = checkProgram(parseProgram(PROGRAM, { file: 'bench/functors.ts' }));
  const runs = argument('--runs', [3])[0] as number;
  const lines: string[] = [];
  for (const n of argument('--rows', [100_000, 1_000_000])) {
    const duck = await duckFor(n);
    lines.push(`\n### ${n.toLocaleString('en-US')} source rows\n`);
    lines.push('| job | catrust ms | rows out | M rows/s | DuckDB ms | ratio (catrust/DuckDB) |');
    lines.push('| --- | ---: | ---: | ---: | ---: | ---: |');
    const skip = new Set(
      process.argv.includes('--skip')
        ? (process.argv[process.argv.indexOf('--skip') + 1] ?? '').split(',')
        : [],
    );
    for (const job of jobs(program, n)) {
      if (skip.has(job.name.split(' ')[0] as string)) continue;
      const ours: number[] = [];
      let out = 0;
      try {
        for (let run = 0; run < runs; run++) {
          const start = performance.now();
          out = job.run();
          ours.push(performance.now() - start);
        }
      } catch (error) {
        if (!(error instanceof CatrustError)) throw error;
        const line = `| ${job.name} | failed: ${error.code} (${error.bareMessage.slice(0, 80)}) | | | | |`;
        lines.push(line);
        process.stdout.write(`${line}\n`);
        continue;
      }
      const theirs: number[] = [];
      for (let run = 0; run < runs; run++) {
        const start = performance.now();
        for (const sql of job.duck) await duck.run(sql);
        theirs.push(performance.now() - start);
      }
      const oursMs = median(ours);
      const duckMs = median(theirs);
      const line = `| ${job.name} | ${oursMs.toFixed(1)} | ${out.toLocaleString('en-US')} | ${(job.rows / oursMs / 1000).toFixed(2)} | ${duckMs.toFixed(1)} | ${(oursMs / duckMs).toFixed(2)} |`;
      lines.push(line);
      process.stdout.write(`${line}\n`);
    }
    duck.closeSync();
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
