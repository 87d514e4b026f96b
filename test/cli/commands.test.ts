/**
 * The CLI commands of the foundation, as a user runs them (real processes): validate, run,
 * export json, generate sql (applied to a real PostgreSQL) and cypher, viz.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { runCli } from '../helpers/cli.js';
import { projectRoot } from '../helpers/paths.js';
import { startTemporaryPostgres, type TemporaryPostgres } from '../helpers/postgres.js';

const expectedDir = join(projectRoot, 'test', 'examples');

describe('cli: validate, run, export, generate, viz (real processes)', function () {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'catrust-cmd-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('validate says ok for every bundled example', () => {
    for (const file of readdirSync(join(projectRoot, 'examples')).filter((f) =>
      f.endsWith('.cql'),
    )) {
      const result = runCli(['validate', `examples/${file}`]);
      assert.equal(result.status, 0, `${file}: ${result.stderr}`);
      assert.match(result.stdout, /: ok \(/);
    }
  });

  it('validate reports every error with file:line:column and exits 1', () => {
    const bad = join(dir, 'bad.cql');
    writeFileSync(
      bad,
      `typeside Ty = sql
schema S = literal : Ty {
  entities Emp Dept
  foreign_keys worksIn : Emp -> Dpt
  attributes name : Emp -> Strin
}
instance I = empty : Sx
`,
    );
    const result = runCli(['validate', bad]);
    assert.equal(result.status, 1);
    const lines = result.stderr.trim().split('\n');
    assert.deepEqual(
      lines.slice(0, 3).map((l) => l.replace(bad, 'F')),
      [
        'error[E_CATALOG_UNKNOWN]: F:4:33: unknown entity `Dpt` (target of foreign key `worksIn`) (did you mean `Dept`?)',
        'error[E_CATALOG_UNKNOWN]: F:5:28: unknown type `Strin` (typeside `sql`) (did you mean `String`?)',
        'error[E_CATALOG_UNKNOWN]: F:7:22: unknown schema `Sx` (did you mean `S`?)',
      ],
    );
    assert.match(lines[3] ?? '', /: 3 errors$/);
  });

  it('validate reports syntax errors too', () => {
    const bad = join(dir, 'syntax.cql');
    writeFileSync(bad, 'schema S = literal : Ty {\n  entities A\n  foreign_keys f : A ->\n}\n');
    const result = runCli(['validate', bad]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /error\[E_CQL_SYNTAX\]: .*syntax\.cql:4:1: /);
  });

  it('run --json gives the expected rows for every runnable example', () => {
    for (const file of readdirSync(expectedDir).filter((f) => f.endsWith('.expected.json'))) {
      const name = file.replace('.expected.json', '');
      const result = runCli(['run', '--json', `examples/${name}.cql`]);
      assert.equal(result.status, 0, `${name}: ${result.stderr}`);
      assert.deepEqual(
        JSON.parse(result.stdout),
        JSON.parse(readFileSync(join(expectedDir, file), 'utf8')),
        name,
      );
    }
  });

  it('run prints tables, labelled nulls marked with ?', () => {
    const result = runCli(['run', 'examples/company.cql']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^instance Acme : Company$/m);
    assert.match(result.stdout, /Employee \(7 rows\)/);
    assert.match(result.stdout, /\| Erin +\| \?erin\.salary +\|/);
  });

  it('run on a missing file is a user error naming the file', () => {
    const result = runCli(['run', 'no/such.cql']);
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /^error\[E_IO\]: no\/such\.cql: cannot read the file: no such file/,
    );
  });

  it('export json describes schemas, queries and instances', () => {
    const result = runCli(['export', 'json', 'examples/company.cql']);
    assert.equal(result.status, 0, result.stderr);
    const model = JSON.parse(result.stdout) as {
      schemas: Record<
        string,
        {
          entities: {
            name: string;
            attributes: { name: string; type: string; not_null: boolean }[];
          }[];
        }
      >;
      queries: Record<string, { kind: string; select: { name: string; type: string }[] }>;
      instances: Record<string, { tables: Record<string, { count: number }> }>;
    };
    const employee = model.schemas['Company']?.entities.find((e) => e.name === 'Employee');
    assert.deepEqual(
      employee?.attributes.find((a) => a.name === 'emp_name'),
      {
        name: 'emp_name',
        sort: 'String',
        type: 'String',
        not_null: true,
      },
    );
    assert.deepEqual(
      model.queries['ByDept']?.select.map((s) => `${s.name}:${s.type}`),
      ['e.works_in.dept_name:String', 'COUNT(*):Int', 'AVG(e.salary):Float'],
    );
    assert.equal(model.instances['Acme']?.tables['Employee']?.count, 7);
  });

  it('query runs SQL and compact CQL over an instance, in table, csv and json', () => {
    const table = runCli([
      'query',
      '--program',
      'examples/company.cql',
      '--sql',
      'SELECT d.dept_name, count(*) AS n FROM Employee e JOIN Department d ON e.works_in = d.id GROUP BY 1 ORDER BY 1',
    ]);
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /Engineering \| +4\nSales +\| +3\n\(2 rows\)/);
    const json = runCli([
      'query',
      '--program',
      'examples/company.cql',
      '--format',
      'json',
      '--cql',
      'from e : Employee where e.hired >= "2021-01-01" select e.emp_name e.manager.emp_name as boss order_by e.emp_name',
    ]);
    assert.equal(json.status, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), {
      columns: [
        { name: 'e.emp_name', type: 'String' },
        { name: 'boss', type: 'String' },
      ],
      rows: [
        ['Alan', 'Ada'],
        ['Dave', 'Carol'],
        ['Erin', 'Carol'],
        ['Linus', 'Alan'],
      ],
    });
    const csv = runCli([
      'query',
      '--program',
      'examples/query.cql',
      '--instance',
      'Staff',
      '--format',
      'csv',
      '--sql',
      'SELECT ename, pay FROM Emp WHERE pay > 95 ORDER BY pay',
    ]);
    assert.equal(csv.status, 0, csv.stderr);
    assert.equal(csv.stdout.trim(), 'ename,pay\r\nAva,100\r\nBen,120'); // RFC 4180 line ends
  });

  it('query reports errors at their place in --cql, --sql and the options', () => {
    const cql = runCli([
      'query',
      '--program',
      'examples/company.cql',
      '--cql',
      'from e : Employee select e.emp_nme',
    ]);
    assert.equal(cql.status, 1);
    assert.match(
      cql.stderr,
      /^error\[E_CATALOG_UNKNOWN\]: <--cql>:1:28: .*did you mean `emp_name`/,
    );
    const sql = runCli([
      'query',
      '--program',
      'examples/company.cql',
      '--sql',
      'SELECT nope FROM Employee',
    ]);
    assert.equal(sql.status, 1);
    assert.match(sql.stderr, /^error\[E_[A-Z_]+\]: .*nope/);
    const instance = runCli([
      'query',
      '--program',
      'examples/query.cql',
      '--instance',
      'Stafff',
      '--sql',
      'SELECT 1',
    ]);
    assert.equal(instance.status, 1);
    assert.match(instance.stderr, /field `--instance`: no instance `Stafff`.*did you mean `Staff`/);
    const both = runCli([
      'query',
      '--program',
      'examples/company.cql',
      '--sql',
      'SELECT 1',
      '--cql',
      'from e : Employee select e',
    ]);
    assert.equal(both.status, 1);
    assert.match(both.stderr, /field `--cql`: give one of --sql/);
  });

  it('query reads statements from standard input: SQL, CQL bodies, \\d, errors without stopping', () => {
    const input = [
      'select count(*) as n',
      '  from Employee;',
      '\\d Department',
      'from e : Employee where e.salary > 4000 select e.emp_name order_by e.emp_name;',
      'select nope from Employee;',
      "select dept_name from Department where dept_name like 'S%';",
    ].join('\n');
    const result = runCli(['query', '--program', 'examples/company.cql', '--format', 'csv'], {
      input,
    });
    assert.equal(result.status, 1, `a failed statement makes the exit status 1: ${result.stderr}`);
    assert.equal(
      result.stdout.replace(/\r\n/g, '\n'),
      [
        'n',
        '7',
        'Table Department',
        '  id               Int      id not null',
        '  dept_name        String   attribute not null',
        'e.emp_name',
        'Ada',
        'Alan',
        'Grace',
        'dept_name',
        'Sales',
        '',
      ].join('\n'),
    );
    assert.match(
      result.stderr,
      /^error\[E_SQL_UNKNOWN_COLUMN\]: <statement 3>:1:8: column "nope" does not exist/m,
    );
  });

  it('sigma, delta and pi print one migration; unit and counit print the row maps', () => {
    const sigma = runCli([
      'sigma',
      'examples/migration.cql',
      '--mapping',
      'Embed',
      '--instance',
      'People',
      '--json',
    ]);
    assert.equal(sigma.status, 0, sigma.stderr);
    const expected = JSON.parse(
      readFileSync(join(expectedDir, 'migration.expected.json'), 'utf8'),
    ) as Record<string, unknown>;
    assert.deepEqual(JSON.parse(sigma.stdout), { 'sigma Embed People': expected['PeopleInTown'] });
    const deltaResult = runCli([
      'delta',
      'examples/migration.cql',
      '--mapping',
      'Embed',
      '--instance',
      'Town',
      '--json',
    ]);
    assert.equal(deltaResult.status, 0, deltaResult.stderr);
    assert.deepEqual(JSON.parse(deltaResult.stdout), {
      'delta Embed Town': expected['TownPeople'],
    });
    const wrongSide = runCli([
      'delta',
      'examples/migration.cql',
      '--mapping',
      'Embed',
      '--instance',
      'People',
    ]);
    assert.equal(wrongSide.status, 1);
    assert.match(
      wrongSide.stderr,
      /delta takes an instance of `Linked` \(the target of `Embed`\), but `People` is on `Flat`/,
    );
    const unknown = runCli([
      'pi',
      'examples/migration.cql',
      '--mapping',
      'Embed',
      '--instance',
      'Peopel',
    ]);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /no instance `Peopel`.*did you mean `People`/);
    // ε : Σ Δ Town → Town sends each fresh city of a resident to the city the resident lives in.
    const counit = runCli([
      'counit',
      'examples/migration.cql',
      '--mapping',
      'Embed',
      '--instance',
      'Town',
      '--json',
    ]);
    assert.equal(counit.status, 0, counit.stderr);
    const morphism = JSON.parse(counit.stdout) as {
      source: Record<string, { rows: Record<string, unknown>[] }>;
      target: Record<string, { rows: Record<string, unknown>[] }>;
      map: Record<string, number[]>;
    };
    assert.deepEqual(morphism.map['Resident'], [0, 1, 2]);
    morphism.source['Resident']?.rows.forEach((row, i) => {
      const image = morphism.target['Resident']?.rows[morphism.map['Resident']?.[i] ?? -1];
      assert.equal(image?.['rname'], row['rname']);
      // The map respects the foreign key: livesIn then map = map then livesIn.
      assert.equal(morphism.map['City']?.[row['livesIn'] as number], image?.['livesIn']);
    });
    const unit = runCli([
      'unit',
      'examples/migration.cql',
      '--mapping',
      'Embed',
      '--instance',
      'People',
      '--adjunction',
      'delta-pi',
    ]);
    assert.equal(unit.status, 1, 'the Δ ⊣ Π unit takes an instance of the target');
    assert.match(unit.stderr, /the unit of Δ ⊣ Π takes an instance of `Linked`/);
  });

  it('load stores an instance durably; query --data-dir reads it back from the store', () => {
    const dataDir = join(dir, 'data');
    const load = runCli(['load', 'examples/company.cql', '--data-dir', dataDir]);
    assert.equal(load.status, 0, load.stderr);
    assert.match(load.stdout, /loaded instance Acme into database Acme .*Employee 7, Department 2/);
    const sql = runCli([
      'query',
      '--data-dir',
      dataDir,
      '--database',
      'Acme',
      '--format',
      'json',
      '--sql',
      'SELECT d.dept_name, count(*) AS n, count(e.salary) AS paid FROM Employee e JOIN Department d ON e.works_in = d.id GROUP BY 1 ORDER BY 1',
    ]);
    assert.equal(sql.status, 0, sql.stderr);
    // Erin's salary is a labelled null in the store: NULL to SQL.
    assert.deepEqual((JSON.parse(sql.stdout) as { rows: unknown[] }).rows, [
      ['Engineering', 4, 4],
      ['Sales', 3, 2],
    ]);
    const cql = runCli([
      'query',
      '--data-dir',
      dataDir,
      '--database',
      'Acme',
      '--program',
      'examples/company.cql',
      '--format',
      'csv',
      '--cql',
      'from e : Employee where e.manager.emp_name = "Carol" select e.emp_name order_by e.emp_name',
    ]);
    assert.equal(cql.status, 0, cql.stderr);
    assert.equal(cql.stdout.replace(/\r\n/g, '\n'), 'e.emp_name\nCarol\nDave\nErin\n');
    const again = runCli(['load', 'examples/company.cql', '--data-dir', dataDir]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /database Acme exists already/);
    const missing = runCli([
      'query',
      '--data-dir',
      dataDir,
      '--database',
      'Acm',
      '--sql',
      'SELECT 1',
    ]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no database named Acm \(databases: Acme\)/);
  });

  it('generate cypher writes constraints per entity', () => {
    const result = runCli(['generate', 'cypher', 'examples/company.cql']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /FOR \(n:Employee\) REQUIRE n\.id IS UNIQUE;/);
    assert.match(result.stdout, /FOR \(n:Employee\) REQUIRE n\.emp_name IS NOT NULL;/);
    assert.match(result.stdout, /\(:Employee\)-\[:works_in\]->\(:Department\)/);
  });

  it('generate sql refuses an unknown dialect', () => {
    const result = runCli(['generate', 'sql', '--dialect', 'oracle', 'examples/company.cql']);
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /error\[E_CLI_OPTION\]: field `--dialect`: unknown SQL dialect `oracle` \(supported: postgres\)/,
    );
  });

  it('viz draws DOT and SVG', () => {
    const dot = runCli(['viz', 'examples/employees.cql']);
    assert.equal(dot.status, 0, dot.stderr);
    assert.match(dot.stdout, /^digraph catrust \{/);
    assert.match(dot.stdout, /"Org\.Employee" -> "Org\.Department" \[label="worksIn"\]/);
    const out = join(dir, 'org.svg');
    const svg = runCli(['viz', '--format', 'svg', '-o', out, 'examples/employees.cql']);
    assert.equal(svg.status, 0, svg.stderr);
    const text = readFileSync(out, 'utf8');
    assert.match(text, /<svg[\s\S]*Employee[\s\S]*<\/svg>/);
  });

  describe('generate sql on a real PostgreSQL', function () {
    this.timeout(120_000);
    let server: TemporaryPostgres | undefined;
    before(async () => {
      server = await startTemporaryPostgres();
    });
    after(() => server?.stop());

    it('creates valid DDL for every bundled example', async () => {
      const client = new pg.Client({ connectionString: server?.url });
      await client.connect();
      try {
        for (const file of readdirSync(join(projectRoot, 'examples')).filter((f) =>
          f.endsWith('.cql'),
        )) {
          const result = runCli(['generate', 'sql', 'examples/' + file]);
          assert.equal(result.status, 0, `${file}: ${result.stderr}`);
          await client.query('BEGIN');
          try {
            await client.query(result.stdout);
          } finally {
            await client.query('ROLLBACK');
          }
        }
      } finally {
        await client.end();
      }
    });
    it('creates the tables with keys, NOT NULL and foreign keys, and loads the rows', async () => {
      const result = runCli(['generate', 'sql', '--data', 'examples/company.cql']);
      assert.equal(result.status, 0, result.stderr);
      const client = new pg.Client({ connectionString: server?.url });
      await client.connect();
      try {
        await client.query(result.stdout);
        const counts = await client.query<{ n: string }>(
          'SELECT (SELECT count(*) FROM "Company"."Employee") AS n UNION ALL SELECT count(*) FROM "Company"."Department"',
        );
        assert.deepEqual(
          counts.rows.map((r) => Number(r.n)),
          [7, 2],
        );
        const sales = await client.query<{ emp_name: string }>(
          `SELECT e.emp_name FROM "Company"."Employee" e JOIN "Company"."Department" d ON e.works_in = d.id
           WHERE d.dept_name = 'Sales' ORDER BY 1`,
        );
        assert.deepEqual(
          sales.rows.map((r) => r.emp_name),
          ['Carol', 'Dave', 'Erin'],
        );
        const types = await client.query<{
          column_name: string;
          data_type: string;
          is_nullable: string;
        }>(
          `SELECT column_name, data_type, is_nullable FROM information_schema.columns
           WHERE table_schema = 'Company' AND table_name = 'Employee' ORDER BY ordinal_position`,
        );
        assert.deepEqual(
          types.rows.map((r) => `${r.column_name} ${r.data_type} ${r.is_nullable}`),
          [
            'id bigint NO',
            'emp_name text NO',
            'salary bigint YES',
            'hired date YES',
            'works_in bigint NO',
            'manager bigint NO',
          ],
        );
        await assert.rejects(
          client.query(
            `INSERT INTO "Company"."Employee" (id, salary, works_in, manager) VALUES (99, 1, 0, 0)`,
          ),
          /null value in column "emp_name"/,
        );
        await assert.rejects(
          client.query(
            `INSERT INTO "Company"."Employee" (id, emp_name, works_in, manager) VALUES (98, 'X', 42, 0)`,
          ),
          /foreign key constraint/,
        );
      } finally {
        await client.end();
      }
    });
  });
});
