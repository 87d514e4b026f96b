/**
 * Compact CQL queries run by the planner (one logical plan with SQL): hand-checked results on a
 * fixed instance, then a differential test — random instances and random compact queries, each
 * parsed, checked, planned and run by catrust, compared with DuckDB running the query's SQL
 * over the same rows.
 */
import assert from 'node:assert/strict';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import { describe, it } from 'mocha';
import { checkProgram, type CompactQuery, type SaturatedInstance } from '../../catalog/index.js';
import { parseProgram } from '../../cql/index.js';
import {
  instanceDatabase,
  resultToJson,
  runCompactQuery,
  type MemoryTable,
} from '../../planner/index.js';
import { compactQueryToSql } from './compact-sql.js';

const SCHEMA = `schema C {
  entities Emp Dept
  foreign_keys works_in : Emp -> Dept
               boss     : Emp -> Emp
  attributes name   : Emp -> String!
             pay    : Emp -> Int
             hired  : Emp -> Date
             title  : Dept -> String!
             budget : Dept -> Int
}
`;

const FIXED = `${SCHEMA}
instance I : C {
  Dept { rd: title = "R&D", budget = 100   ops: title = "Ops", budget = 50   hr: title = "HR" }
  Emp {
    ava:  name = "Ava",  pay = 100, hired = "2019-05-01", works_in = rd,  boss = ava
    ben:  name = "Ben",  pay = 120, hired = "2021-02-01", works_in = rd,  boss = ava
    cleo: name = "Cleo", pay = 90,  hired = "2020-07-15", works_in = ops, boss = ava
    dan:  name = "Dan",  pay = null, hired = "2022-01-10", works_in = ops, boss = cleo
    eve:  name = "Eve",  pay = 90,  works_in = hr, boss = eve
  }
}
`;

type Cell = string | number | boolean | null;

function run(queries: string): Record<string, Cell[][]> {
  const program = checkProgram(parseProgram(`${FIXED}${queries}`, { file: 'q.cql' }));
  const instance = program.instances.get('I')?.rows();
  assert.ok(instance);
  const out: Record<string, Cell[][]> = {};
  for (const [name, query] of program.queries) {
    assert.ok(query.kind === 'CompactQuery');
    out[name] = resultToJson(runCompactQuery(query, instanceDatabase(instance))).rows;
  }
  return out;
}

describe('compact queries on the planner', function () {
  this.timeout(120_000);

  it('filters through foreign-key paths, coerces quoted literals, orders and limits', () => {
    const result = run(`
query A : C { from e : Emp  where e.works_in.title = "R&D" or e.hired >= "2021-01-01"  select e.name  order_by e.name }
query B : C { from e : Emp  where e.boss.boss.name = "Ava" and e != e.boss  select e.name e.boss.name as boss  order_by e.name desc  limit 2 }
query D : C { from e : Emp  where e.pay is null or e.hired is null  select e.name  coalesce(e.pay, -1) as pay  order_by pay }
query E : C { from e : Emp  where e.boss = e  select e.name  upper(e.works_in.title) || "!" as t  order_by 1 + 1, e.name }`);
    assert.deepEqual(result['A'], [['Ava'], ['Ben'], ['Dan']]);
    assert.deepEqual(result['B'], [
      ['Dan', 'Cleo'],
      ['Cleo', 'Ava'],
    ]);
    assert.deepEqual(result['D'], [
      ['Dan', -1],
      ['Eve', 90],
    ]);
    assert.deepEqual(result['E'], [
      ['Ava', 'R&D!'],
      ['Eve', 'HR!'],
    ]);
  });

  it('groups and aggregates with SQL null semantics', () => {
    const result = run(`
query G : C {
  from e : Emp
  group_by e.works_in.title
  select e.works_in.title as dept  COUNT(*) as n  COUNT(e.pay) as paid  SUM(e.pay) as total  AVG(e.pay) as mean  MAX(e.hired) as last
  order_by n desc, dept
}
query H : C { from e : Emp  select COUNT(DISTINCT e.works_in)  MIN(e.name)  SUM(e.pay) / COUNT(e.pay) as mean }
query J : C { from e : Emp  d : Dept  where e.works_in = d and d.budget > 60  group_by d.title  select d.title COUNT(*) }`);
    assert.deepEqual(result['G'], [
      ['Ops', 2, 1, 90, 90, '2022-01-10'],
      ['R&D', 2, 2, 220, 110, '2021-02-01'],
      ['HR', 1, 1, 90, 90, null],
    ]);
    assert.deepEqual(result['H'], [[3, 'Ava', 100]]);
    assert.deepEqual(result['J'], [['R&D', 2]]);
  });

  it('gives every column the type the catalog announced', () => {
    const program = checkProgram(
      parseProgram(`${FIXED}
query T : C { from e : Emp  group_by e.name e.pay e.works_in  select e.name  e.pay * 2  e.pay / 4  AVG(e.pay)  SUM(e.pay)  COUNT(*)  MAX(e.hired)  e.works_in }`),
    );
    const query = program.queries.get('T') as CompactQuery;
    const result = runCompactQuery(
      query,
      instanceDatabase(program.instances.get('I')?.rows() as SaturatedInstance),
    );
    assert.deepEqual(
      result.columns.map((c) => c.type),
      query.select.map((s) => (s.type.kind === 'scalar' ? s.type.type : 'Int')),
    );
  });

  describe('differential against DuckDB', () => {
    let duck: DuckDBInstance;
    let connection: DuckDBConnection;
    before(async () => {
      duck = await DuckDBInstance.create(':memory:');
      connection = await duck.connect();
    });
    after(() => {
      connection.closeSync();
      duck.closeSync();
    });

    it('agrees on 400 random compact queries over random instances', async () => {
      const cases = fc.sample(programCase(), { numRuns: 40, seed: 2026 });
      let compared = 0;
      const differences: string[] = [];
      for (const [caseIndex, { rows, queries }] of cases.entries()) {
        const program = checkProgram(
          parseProgram(`${SCHEMA}${rows}\n${queries.join('\n')}`, { file: 'r.cql' }),
        );
        const instance = program.instances.get('I')?.rows() as SaturatedInstance;
        await loadDuck(connection, instance);
        for (const query of program.queries.values()) {
          assert.ok(query.kind === 'CompactQuery');
          const sql = compactQueryToSql(query);
          const ours = resultToJson(runCompactQuery(query, instanceDatabase(instance))).rows;
          const theirs = (await connection.runAndReadAll(sql)).getRowsJson() as Cell[][];
          compared++;
          const ordered = query.orderBy.length > 0;
          if (!sameRows(ours, theirs, ordered)) {
            differences.push(
              `case ${caseIndex}: ${sql}\n  catrust: ${JSON.stringify(ours)}\n  duckdb:  ${JSON.stringify(theirs)}`,
            );
          }
        }
      }
      assert.deepEqual(differences.slice(0, 3), [], `${differences.length} of ${compared} differ`);
      assert.ok(compared >= 400, `compared ${compared}`);
    });
  });
});

// ─── random programs ─────────────────────────────────────────────────────────────────────────

const NAMES = ['Ann', 'Bo', 'Cy', 'Di', 'Ann'];
const TITLES = ['R&D', 'Ops', 'HR'];

function programCase(): fc.Arbitrary<{ rows: string; queries: string[] }> {
  const emp = fc.record({
    name: fc.constantFrom(...NAMES),
    pay: fc.option(fc.integer({ min: -5, max: 30 }), { nil: undefined, freq: 4 }),
    hired: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined, freq: 4 }),
    dept: fc.nat(),
    boss: fc.nat(),
  });
  const dept = fc.record({
    title: fc.constantFrom(...TITLES),
    budget: fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }),
  });
  return fc
    .record({
      depts: fc.array(dept, { minLength: 1, maxLength: 4 }),
      emps: fc.array(emp, { minLength: 0, maxLength: 12 }),
      queries: fc.array(queryText(), { minLength: 10, maxLength: 10 }),
    })
    .map(({ depts, emps, queries }) => {
      const deptRows = depts.map(
        (d, i) =>
          `d${i}: title = "${d.title}"${d.budget === undefined ? ', budget = null' : `, budget = ${d.budget}`}`,
      );
      const empRows = emps.map(
        (e, i) =>
          `e${i}: name = "${e.name}", pay = ${e.pay ?? 'null'}, hired = ${e.hired === undefined ? 'null' : `"202${e.hired}-0${1 + (i % 9)}-1${i % 10}"`}, works_in = d${e.dept % depts.length}, boss = e${e.boss % emps.length}`,
      );
      const rows = `instance I : C {\n  Dept {\n    ${deptRows.join('\n    ')}\n  }\n  Emp {\n    ${empRows.join('\n    ')}\n  }\n}`;
      return { rows, queries: queries.map((q, i) => `query Q${i} : C { ${q} }`) };
    });
}

const PATHS_INT = ['e.pay', 'e.boss.pay', 'e.works_in.budget', 'e.boss.works_in.budget'];
const PATHS_STRING = ['e.name', 'e.boss.name', 'e.works_in.title'];
const PATHS_DATE = ['e.hired', 'e.boss.hired'];

function queryText(): fc.Arbitrary<string> {
  const condition = fc.oneof(
    fc
      .tuple(
        fc.constantFrom(...PATHS_INT),
        fc.constantFrom('<', '<=', '>', '>=', '=', '!='),
        fc.integer({ min: -2, max: 25 }),
      )
      .map(([p, op, n]) => `${p} ${op} ${n}`),
    fc
      .tuple(
        fc.constantFrom(...PATHS_STRING),
        fc.constantFrom('=', '!=', '<'),
        fc.constantFrom(...NAMES, ...TITLES),
      )
      .map(([p, op, s]) => `${p} ${op} "${s}"`),
    fc
      .tuple(
        fc.constantFrom(...PATHS_DATE),
        fc.constantFrom('<', '>='),
        fc.integer({ min: 0, max: 4 }),
      )
      .map(([p, op, y]) => `${p} ${op} "202${y}-06-01"`),
    fc.constantFrom(...PATHS_INT, ...PATHS_DATE).map((p) => `${p} is null`),
    fc.constantFrom(
      'e.boss = e',
      'e.boss != e',
      'e.works_in = e.boss.works_in',
      'e.pay > e.boss.pay',
      'e.pay + e.works_in.budget > 20',
    ),
  );
  const where = fc.option(
    fc.array(condition, { minLength: 1, maxLength: 3 }).chain((cs) =>
      fc
        .array(fc.constantFrom('and', 'or'), {
          minLength: cs.length - 1,
          maxLength: cs.length - 1,
        })
        .map((ops) => cs.reduce((acc, c, i) => `(${acc}) ${ops[i - 1] ?? 'and'} (${c})`)),
    ),
    { nil: undefined },
  );
  const plain = fc
    .tuple(
      where,
      fc.uniqueArray(fc.constantFrom(...PATHS_INT, ...PATHS_STRING, ...PATHS_DATE), {
        minLength: 1,
        maxLength: 3,
      }),
      fc.boolean(),
      fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
    )
    .map(([w, columns, ordered, limit]) => {
      const order =
        ordered || limit !== undefined
          ? `order_by ${[
              ...columns,
              'e.name',
              'e.pay',
              'e.hired',
              'e.boss.name',
              'e.works_in.title',
            ]
              .filter((c, i, all) => all.indexOf(c) === i)
              .map((c) => `${c} asc`)
              .join(', ')}`
          : '';
      // A limit after an order that is not total would make both sides right and different.
      const lim = limit !== undefined && ordered ? `limit ${limit}` : '';
      return `from e : Emp ${w === undefined ? '' : `where ${w}`} select ${columns.join(' ')} ${ordered ? order : ''} ${lim}`;
    });
  const grouped = fc
    .tuple(
      where,
      fc.constantFrom('e.works_in.title', 'e.boss.name', 'e.hired', 'e.works_in'),
      fc.uniqueArray(
        fc.constantFrom(
          'COUNT(*)',
          'COUNT(e.pay)',
          'SUM(e.pay)',
          'MIN(e.name)',
          'MAX(e.hired)',
          'AVG(e.pay)',
          'COUNT(DISTINCT e.boss)',
          'MAX(e.pay) - MIN(e.pay)',
        ),
        { minLength: 1, maxLength: 4 },
      ),
      fc.boolean(),
    )
    .map(
      ([w, key, aggregates, ordered]) =>
        `from e : Emp ${w === undefined ? '' : `where ${w}`} group_by ${key} select ${key} as k ${aggregates.join(' ')} ${ordered && key !== 'e.works_in' ? 'order_by k asc' : ''}`,
    );
  return fc.oneof(plain, grouped);
}

async function loadDuck(connection: DuckDBConnection, instance: SaturatedInstance): Promise<void> {
  const relations = instanceDatabase(instance);
  const types: Record<string, string> = {
    String: 'VARCHAR',
    Int: 'BIGINT',
    Date: 'DATE',
    Float: 'DOUBLE',
    Bool: 'BOOLEAN',
  };
  for (const name of relations.tableNames()) {
    const table = relations.table(name) as MemoryTable | undefined;
    assert.ok(table);
    await connection.run(`DROP TABLE IF EXISTS "${name}"`);
    await connection.run(
      `CREATE TABLE "${name}" (${table.columns.map((c) => `"${c.name}" ${types[c.type] ?? 'VARCHAR'}`).join(', ')})`,
    );
    const rows: string[] = [];
    for (let id = 0; id < table.rowCount(); id++) {
      rows.push(
        `(${table.columns
          .map((c, index) => {
            const value = table.valueAt(id, index);
            if (value === null) return 'NULL';
            if (c.type === 'String') return `'${String(value).replace(/'/g, "''")}'`;
            if (c.type === 'Date')
              return `DATE '${new Date(Number(value) * 86_400_000).toISOString().slice(0, 10)}'`;
            return String(value);
          })
          .join(', ')})`,
      );
    }
    if (rows.length > 0) await connection.run(`INSERT INTO "${name}" VALUES ${rows.join(', ')}`);
  }
}

function normal(cell: Cell): Cell {
  if (typeof cell === 'string' && /^-?\d+(\.\d+)?(e[-+]?\d+)?$/.test(cell)) return Number(cell);
  return cell;
}

function sameCell(a: Cell, b: Cell): boolean {
  const x = normal(a);
  const y = normal(b);
  if (typeof x === 'number' && typeof y === 'number') {
    return x === y || Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y));
  }
  return x === y;
}

function sameRows(ours: Cell[][], theirs: Cell[][], ordered: boolean): boolean {
  if (ours.length !== theirs.length) return false;
  const key = (row: Cell[]): string => JSON.stringify(row.map(normal));
  const left = ordered ? ours : [...ours].sort((a, b) => key(a).localeCompare(key(b)));
  const right = ordered ? theirs : [...theirs].sort((a, b) => key(a).localeCompare(key(b)));
  return left.every(
    (row, i) =>
      row.length === right[i]?.length &&
      row.every((cell, j) => sameCell(cell, right[i]?.[j] ?? null)),
  );
}
