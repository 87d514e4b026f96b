/**
 * CQL compact queries on the planner: a checked program's instance loaded into tables (memory
 * and store), its queries planned onto the same logical plan as SQL — FK paths as row-id
 * lookups, grouping, ordering, limits — and checked against the equivalent SQL.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'mocha';
import { checkProgram, type CompactQuery, type CheckedProgram } from '../../catalog/index.js';
import { parseProgram } from '../../cql/index.js';
import {
  explainLogical,
  instanceDatabase,
  loadInstanceIntoStore,
  loadSqlParser,
  planCompactQuery,
  resultToJson,
  runCompactQuery,
  runSql,
  StoreRelationSource,
} from '../../planner/index.js';
import { createMemoryDatabase } from '../../store/index.js';

const PROGRAM = `
schema Company {
  entities Employee Department
  foreign_keys works_in : Employee -> Department
               manager  : Employee -> Employee
  attributes emp_name  : Employee -> String!
             salary    : Employee -> Int
             dept_name : Department -> String!
}

instance Acme : Company {
  Department { eng: dept_name = "Engineering"
               ops: dept_name = "Operations" }
  Employee {
    ada:  emp_name = "Ada",  salary = 5200, works_in = eng, manager = ada
    alan: emp_name = "Alan", salary = 4100, works_in = eng, manager = ada
    grace: emp_name = "Grace", salary = 6100, works_in = ops, manager = grace
    edsger: emp_name = "Edsger", works_in = ops, manager = grace
  }
}

query ByDept : Company {
  from e : Employee
  where e.salary > 1000
  group_by e.works_in.dept_name
  select e.works_in.dept_name as dept  COUNT(*) as staff  SUM(e.salary) as total  AVG(e.salary) as mean
  order_by staff desc, dept
}

query Bosses : Company {
  from e : Employee
  where e.manager.works_in.dept_name = "Operations"
  select e.emp_name as name  e.manager.emp_name as boss
  order_by name
  limit 3
}

query Pairs : Company {
  from e : Employee, d : Department
  where e.works_in = d and d.dept_name != "Operations"
  select e.emp_name as name  upper(d.dept_name) as dept  e.salary * 2 as twice
  order_by twice desc
}
`;

function compact(program: CheckedProgram, name: string): CompactQuery {
  const query = program.queries.get(name);
  assert.ok(query !== undefined && query.kind === 'CompactQuery', `query ${name}`);
  return query;
}

describe('CQL compact queries', () => {
  let program: CheckedProgram;
  before(async () => {
    await loadSqlParser();
    program = checkProgram(parseProgram(PROGRAM, { file: 'company.cql' }));
  });

  it('loads an instance as tables: rows in instance order, FK columns holding row ids', () => {
    const database = instanceDatabase(program.instances.get('Acme')!.rows());
    const json = resultToJson(
      runSql(database, 'SELECT id, emp_name, salary, works_in, manager FROM Employee ORDER BY id'),
    );
    assert.deepEqual(json.rows, [
      [0, 'Ada', 5200, 0, 0],
      [1, 'Alan', 4100, 0, 0],
      [2, 'Grace', 6100, 1, 2],
      [3, 'Edsger', null, 1, 2],
    ]);
  });

  it('groups by a foreign-key path, with the compact dialect’s types', () => {
    const database = instanceDatabase(program.instances.get('Acme')!.rows());
    const result = resultToJson(runCompactQuery(compact(program, 'ByDept'), database));
    assert.deepEqual(result.columns, [
      { name: 'dept', type: 'String' },
      { name: 'staff', type: 'Int' },
      { name: 'total', type: 'Int' },
      { name: 'mean', type: 'Float' },
    ]);
    assert.deepEqual(result.rows, [
      ['Engineering', 2, 9300, 4650],
      ['Operations', 1, 6100, 6100],
    ]);
    const sql = resultToJson(
      runSql(
        database,
        `SELECT d.dept_name, count(*), sum(e.salary), avg(e.salary::float8) FROM Employee e JOIN Department d ON e.works_in = d.id
         WHERE e.salary > 1000 GROUP BY d.dept_name ORDER BY 2 DESC, 1`,
      ),
    );
    assert.deepEqual(
      sql.rows.map((row) => row.map(String)),
      result.rows.map((row) => row.map(String)),
    );
  });

  it('follows paths of two foreign keys as row-id lookups, with order and limit', () => {
    const database = instanceDatabase(program.instances.get('Acme')!.rows());
    const planned = planCompactQuery(compact(program, 'Bosses'), database);
    const explain = explainLogical(planned.plan).join('\n');
    assert.match(explain, /Left Join \(foreign key e\.manager -> e\.manager\.id\)/);
    assert.match(
      explain,
      /Left Join \(foreign key e\.manager\.works_in -> e\.manager\.works_in\.id\)/,
    );
    assert.deepEqual(resultToJson(runCompactQuery(compact(program, 'Bosses'), database)).rows, [
      ['Edsger', 'Grace'],
      ['Grace', 'Grace'],
    ]);
  });

  it('joins two from variables by a row equality, over store tables too', async () => {
    const rows = program.instances.get('Acme')!.rows();
    const expected = [
      ['Ada', 'ENGINEERING', 10400],
      ['Alan', 'ENGINEERING', 8200],
    ];
    assert.deepEqual(
      resultToJson(runCompactQuery(compact(program, 'Pairs'), instanceDatabase(rows))).rows,
      expected,
    );
    const store = createMemoryDatabase('acme', []);
    await loadInstanceIntoStore(store, rows);
    const source = new StoreRelationSource(store.view());
    assert.deepEqual(
      resultToJson(runCompactQuery(compact(program, 'Pairs'), source)).rows,
      expected,
    );
    assert.deepEqual(resultToJson(runSql(source, 'SELECT count(*) FROM "Employee"')).rows, [[4]]);
  });
});
