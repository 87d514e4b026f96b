/**
 * import_csv, import_parquet and export_parquet against a real `catrust serve` on a real data
 * directory: files written by the test (and by DuckDB) go in, Parquet files come out and are
 * read back by DuckDB; every error a command can give; paths confined; imports durable through
 * a SIGKILL; a 200 k-row CSV streamed with progress in the server log and bounded memory.
 */
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import {
  Field,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import fc from 'fast-check';
import { Table as WasmTable, writeParquet } from 'parquet-wasm';
import { formatDate, normalizeInt, parseDecimalLiteral, valueToJson } from '../../common/index.js';
import { Engine } from '../../gateway/index.js';
import { exportParquet, importCsv, importParquet } from '../../gateway/interchange/index.js';
import {
  exchange,
  startServe,
  stopServe,
  type Reply,
  type ServeProcess,
} from '../helpers/serve.js';

const json = (value: unknown): string => JSON.stringify(value);

/** One request on its own connection; its reply. */
async function send(port: number, request: Record<string, unknown>): Promise<Reply> {
  const [reply] = await exchange(port, [json({ id: 1, ...request })]);
  assert.ok(reply !== undefined, `no reply to ${json(request)}`);
  return reply;
}

async function rows(port: number, sql: string): Promise<unknown[][]> {
  const reply = await send(port, { cmd: 'sql', sql });
  assert.equal(reply.ok, true, json(reply));
  return reply['rows'] as unknown[][];
}

function errorOf(reply: Reply): { code: string; message: string } & Record<string, unknown> {
  assert.equal(reply.ok, false, `expected an error, got ${json(reply)}`);
  return reply.error as { code: string; message: string } & Record<string, unknown>;
}

describe('gateway: import_csv, import_parquet, export_parquet', function () {
  this.timeout(120_000);
  let dir = '';
  let server: ServeProcess;
  let duck: DuckDBInstance;
  let duckdb: DuckDBConnection;
  const file = (path: string, text: string): void => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'catrust-interchange-'));
    server = await startServe(['--data-dir', dir, '--example']);
    duck = await DuckDBInstance.create(':memory:');
    duckdb = await duck.connect();
  });
  after(async () => {
    duckdb.closeSync();
    duck.closeSync();
    await stopServe(server);
    rmSync(dir, { recursive: true, force: true });
  });

  describe('import_csv', () => {
    it('maps columns by header, honours RFC 4180 quoting and makes empty fields NULL', async () => {
      file(
        'in/departments.csv',
        'dept_name\r\n"Ops, Inc"\r\n"Multi\nLine ""quoted"""\r\nQA\r\n\r\n',
      );
      const reply = await send(server.port, {
        cmd: 'import_csv',
        entity: 'Department',
        path: 'in/departments.csv',
      });
      assert.equal(reply.ok, true, json(reply));
      assert.equal(reply['rows'], 3);
      assert.deepEqual(reply['ids'], { first: 2, count: 3 });
      assert.equal(typeof reply['elapsed_ms'], 'number');
      assert.deepEqual(
        await rows(server.port, 'SELECT id, dept_name FROM Department WHERE id >= 2 ORDER BY id'),
        [
          [2, 'Ops, Inc'],
          [3, 'Multi\nLine "quoted"'],
          [4, 'QA'],
        ],
      );

      // Columns in any order, an `id` column skipped, foreign keys as row ids, NULLs.
      file(
        'in/employees.csv',
        'id,manager,emp_name,works_in,hired,salary\n' +
          '90,0,Zoe,2,2020-01-02, 1200 \n' +
          '91,0,Yan,3,,\n',
      );
      const employees = await send(server.port, {
        cmd: 'import_csv',
        entity: 'Employee',
        path: 'in/employees.csv',
      });
      assert.equal(employees.ok, true, json(employees));
      assert.deepEqual(employees['skipped'], ['id']);
      assert.deepEqual(
        await rows(
          server.port,
          "SELECT emp_name, salary, hired, works_in, manager FROM Employee WHERE emp_name IN ('Zoe', 'Yan') ORDER BY emp_name",
        ),
        [
          ['Yan', null, null, 3, 0],
          ['Zoe', 1200, '2020-01-02', 2, 0],
        ],
      );
    });

    it('takes another delimiter, and a file without a header in column order', async () => {
      file('in/semi.csv', 'dept_name;\n');
      const semi = await send(server.port, {
        cmd: 'import_csv',
        entity: 'Department',
        path: 'in/semi.csv',
        delimiter: ';',
      });
      assert.equal(errorOf(semi).code, 'E_ARG_UNKNOWN', 'the empty second header names nothing');
      file('in/tabs.tsv', 'a\t1\tx\nb\t\ty\n');
      const created = await send(server.port, {
        cmd: 'import_csv',
        entity: 'Tabbed',
        path: 'in/tabs.tsv',
        delimiter: '\t',
        header: false,
        create: true,
      });
      assert.equal(created.ok, true, json(created));
      assert.deepEqual(created['columns'], [
        { name: 'column1', type: 'String' },
        { name: 'column2', type: 'Int' },
        { name: 'column3', type: 'String' },
      ]);
      assert.deepEqual(
        await rows(server.port, 'SELECT column1, column2, column3 FROM Tabbed ORDER BY id'),
        [
          ['a', 1, 'x'],
          ['b', null, 'y'],
        ],
      );
      file('in/more.tsv', 'c\t3\n');
      const positional = await send(server.port, {
        cmd: 'import_csv',
        entity: 'Tabbed',
        path: 'in/more.tsv',
        delimiter: '\t',
        header: false,
      });
      assert.equal(positional.ok, true, json(positional));
      assert.deepEqual(
        await rows(
          server.port,
          'SELECT column3 FROM Tabbed WHERE column1 = $1'.replace('$1', "'c'"),
        ),
        [[null]],
      );
      const bad = await send(server.port, {
        cmd: 'import_csv',
        entity: 'Tabbed',
        path: 'in/more.tsv',
        delimiter: '\t\t',
      });
      assert.equal(errorOf(bad).code, 'E_ARG_TYPE');
    });

    it('infers column types with create: Int ⊂ Float, Bool, Date, else String', async () => {
      file(
        'in/inferred.csv',
        'n,x,flag,day,label,nothing,mixed,big\n' +
          '1,1,true,2024-02-29,a,,1,12345678901234567890123\n' +
          '-2,2.5,FALSE,1999-12-31,,,true,1\n' +
          ',,,,c,,2024-01-01,\n',
      );
      const reply = await send(server.port, {
        cmd: 'import_csv',
        entity: 'Inferred',
        path: 'in/inferred.csv',
        create: true,
      });
      assert.equal(reply.ok, true, json(reply));
      assert.equal(reply['created'], true);
      assert.deepEqual(
        (reply['columns'] as { type: string }[]).map((column) => column.type),
        ['Int', 'Float', 'Bool', 'Date', 'String', 'String', 'String', 'Float'],
      );
      assert.deepEqual(
        await rows(
          server.port,
          'SELECT n, x, flag, day, label, nothing, mixed FROM Inferred ORDER BY id',
        ),
        [
          [1, 1, true, '2024-02-29', 'a', null, '1'],
          [-2, 2.5, false, '1999-12-31', null, null, 'true'],
          [null, null, null, null, 'c', null, '2024-01-01'],
        ],
      );
      // The created table is a table like any other: a second import appends to it.
      const again = await send(server.port, {
        cmd: 'import_csv',
        entity: 'Inferred',
        path: 'in/inferred.csv',
        create: true,
      });
      assert.equal(again.ok, true, json(again));
      assert.equal(again['created'], false);
      assert.deepEqual(again['ids'], { first: 3, count: 3 });
    });

    it('locates a bad field at file:line:column, names it, and imports nothing', async () => {
      const before = await rows(server.port, 'SELECT count(*) FROM Employee');
      file(
        'in/bad-int.csv',
        'emp_name,salary,works_in,manager\n"A\nB",10,0,0\nC,20,0,0\nD,twelve,0,0\n',
      );
      const badInt = errorOf(
        await send(server.port, { cmd: 'import_csv', entity: 'Employee', path: 'in/bad-int.csv' }),
      );
      assert.equal(badInt.code, 'E_IMPORT');
      assert.match(badInt.message, /^in\/bad-int\.csv:5:2: column `salary`: expected an Int/);
      assert.deepEqual(badInt['location'], {
        kind: 'source',
        file: 'in/bad-int.csv',
        line: 5,
        column: 2,
      });

      file('in/bad-date.csv', 'emp_name,hired,works_in,manager\nE,2023-02-29,0,0\n');
      const badDate = errorOf(
        await send(server.port, { cmd: 'import_csv', entity: 'Employee', path: 'in/bad-date.csv' }),
      );
      assert.match(
        badDate.message,
        /in\/bad-date\.csv:2:2: column `hired`: .*not a valid calendar date/,
      );

      file('in/null-name.csv', 'emp_name,works_in,manager\nF,0,0\n,0,0\n');
      const nullName = errorOf(
        await send(server.port, {
          cmd: 'import_csv',
          entity: 'Employee',
          path: 'in/null-name.csv',
        }),
      );
      assert.match(nullName.message, /:3:1: column `emp_name`: .*NOT NULL/);

      file('in/no-dept.csv', 'emp_name,works_in,manager\nG,0,0\nH,77,0\n');
      const noDepartment = errorOf(
        await send(server.port, { cmd: 'import_csv', entity: 'Employee', path: 'in/no-dept.csv' }),
      );
      assert.equal(noDepartment.code, 'E_IMPORT');
      assert.match(noDepartment.message, /:3:2: column `works_in`: no active Department row 77/);

      file('in/no-manager.csv', 'emp_name,works_in,manager\nI,0,0\nJ,0,5000\n');
      const noManager = errorOf(
        await send(server.port, {
          cmd: 'import_csv',
          entity: 'Employee',
          path: 'in/no-manager.csv',
        }),
      );
      assert.equal(noManager.code, 'E_IMPORT', 'a self-reference is checked at commit, located');
      assert.match(
        noManager.message,
        /in\/no-manager\.csv:3: line 3: .*no active Employee row 5000/,
      );

      file('in/missing.csv', 'emp_name,salary\nK,1\n');
      const missing = errorOf(
        await send(server.port, { cmd: 'import_csv', entity: 'Employee', path: 'in/missing.csv' }),
      );
      assert.equal(missing.code, 'E_IMPORT');
      assert.deepEqual((missing['details'] as Record<string, unknown>)['missing'], [
        'works_in',
        'manager',
      ]);

      file('in/unknown.csv', 'emp_name,salery,works_in,manager\nL,1,0,0\n');
      const unknown = errorOf(
        await send(server.port, { cmd: 'import_csv', entity: 'Employee', path: 'in/unknown.csv' }),
      );
      assert.equal(unknown.code, 'E_ARG_UNKNOWN');
      assert.match(unknown.message, /in\/unknown\.csv:1:2: .*`salery`.*did you mean `salary`\?/);

      file('in/ragged.csv', 'dept_name\nM\nN,extra\n');
      const ragged = errorOf(
        await send(server.port, { cmd: 'import_csv', entity: 'Department', path: 'in/ragged.csv' }),
      );
      assert.equal(ragged.code, 'E_IMPORT');
      assert.match(
        ragged.message,
        /in\/ragged\.csv:3: the record has 2 fields, and the first record 1/,
      );

      file('in/open-quote.csv', 'dept_name\n"never closed\nO\n');
      const openQuote = errorOf(
        await send(server.port, {
          cmd: 'import_csv',
          entity: 'Department',
          path: 'in/open-quote.csv',
        }),
      );
      assert.equal(openQuote.code, 'E_IMPORT');

      writeFileSync(
        join(dir, 'in/latin1.csv'),
        Buffer.concat([Buffer.from('dept_name\nCaf'), Buffer.from([0xe9]), Buffer.from('\n')]),
      );
      const latin1 = errorOf(
        await send(server.port, { cmd: 'import_csv', entity: 'Department', path: 'in/latin1.csv' }),
      );
      assert.equal(latin1.code, 'E_IMPORT');
      assert.match(latin1.message, /not valid UTF-8/);

      file('in/empty.csv', '');
      const empty = errorOf(
        await send(server.port, { cmd: 'import_csv', entity: 'Department', path: 'in/empty.csv' }),
      );
      assert.equal(empty.code, 'E_IMPORT');

      assert.deepEqual(await rows(server.port, 'SELECT count(*) FROM Employee'), before);
      assert.deepEqual(
        await rows(
          server.port,
          "SELECT count(*) FROM Department WHERE dept_name IN ('M', 'N', 'O')",
        ),
        [[0]],
      );
    });

    it('converts Bool spellings, trims non-String fields and refuses header mistakes', async () => {
      const load = await send(server.port, {
        cmd: 'load',
        cql: 'schema Flags { entities Flag  attributes flag : Flag -> Bool  n : Flag -> Int  s : Flag -> String }',
      });
      assert.equal(load.ok, true, json(load));
      file('in/flags.csv', 'flag,n,s\nTRUE, 1 , a \nf,2,b\nyes,3,c\nOff,4,d\n1,5,e\n0,6,f\n');
      const flags = await send(server.port, {
        cmd: 'import_csv',
        entity: 'Flag',
        path: 'in/flags.csv',
      });
      assert.equal(flags.ok, true, json(flags));
      assert.deepEqual(await rows(server.port, 'SELECT flag, n, s FROM Flag ORDER BY id'), [
        [true, 1, ' a '],
        [false, 2, 'b'],
        [true, 3, 'c'],
        [false, 4, 'd'],
        [true, 5, 'e'],
        [false, 6, 'f'],
      ]);
      file('in/maybe.csv', 'flag\nmaybe\n');
      const maybe = errorOf(
        await send(server.port, { cmd: 'import_csv', entity: 'Flag', path: 'in/maybe.csv' }),
      );
      assert.match(maybe.message, /in\/maybe\.csv:2:1: column `flag`: expected a Bool/);
      file('in/twice.csv', 'n,s,n\n1,a,2\n');
      const twice = errorOf(
        await send(server.port, { cmd: 'import_csv', entity: 'Flag', path: 'in/twice.csv' }),
      );
      assert.equal(twice.code, 'E_IMPORT');
      assert.match(twice.message, /in\/twice\.csv:1:3: the header names column `n` twice/);
      file('in/wide.csv', 'true,1,a,extra\n');
      const tooWide = errorOf(
        await send(server.port, {
          cmd: 'import_csv',
          entity: 'Flag',
          path: 'in/wide.csv',
          header: false,
        }),
      );
      assert.equal(tooWide.code, 'E_IMPORT');
      assert.match(tooWide.message, /the file has 4 columns and `Flag` only 3/);
      assert.deepEqual(await rows(server.port, 'SELECT count(*) FROM Flag'), [[6]]);
    });

    it('refuses unknown entities, missing files and arguments of the wrong type', async () => {
      file('in/one.csv', 'dept_name\nP\n');
      const entity = errorOf(
        await send(server.port, { cmd: 'import_csv', entity: 'Departmnt', path: 'in/one.csv' }),
      );
      assert.equal(entity.code, 'E_STORE_UNKNOWN_ENTITY');
      assert.match(entity.message, /did you mean `Department`/);
      const absent = errorOf(
        await send(server.port, { cmd: 'import_csv', entity: 'Department', path: 'in/none.csv' }),
      );
      assert.equal(absent.code, 'E_NOT_FOUND');
      const noPath = errorOf(await send(server.port, { cmd: 'import_csv', entity: 'Department' }));
      assert.equal(noPath.code, 'E_ARG_MISSING');
      const header = errorOf(
        await send(server.port, {
          cmd: 'import_csv',
          entity: 'Department',
          path: 'in/one.csv',
          header: 'yes',
        }),
      );
      assert.equal(header.code, 'E_ARG_TYPE');
      const name = errorOf(
        await send(server.port, {
          cmd: 'import_csv',
          entity: 'no such',
          path: 'in/one.csv',
          create: true,
        }),
      );
      assert.equal(name.code, 'E_ARG_TYPE');
    });

    it('runs inside a transaction: rolled back with it, committed with it', async () => {
      file('in/tx.csv', 'dept_name\nTx1\nTx2\n');
      const count = json({
        id: 'n',
        cmd: 'sql',
        sql: "SELECT count(*) FROM Department WHERE dept_name LIKE 'Tx%'",
      });
      const rolledBack = await exchange(server.port, [
        json({ id: 1, cmd: 'begin' }),
        json({ id: 2, cmd: 'import_csv', entity: 'Department', path: 'in/tx.csv' }),
        count,
        json({ id: 3, cmd: 'rollback' }),
        count,
      ]);
      assert.equal(rolledBack[1]?.ok, true, json(rolledBack[1]));
      assert.deepEqual(rolledBack[2]?.['rows'], [[2]]);
      assert.deepEqual(rolledBack[4]?.['rows'], [[0]]);
      const committed = await exchange(server.port, [
        json({ id: 1, cmd: 'begin' }),
        json({ id: 2, cmd: 'import_csv', entity: 'Department', path: 'in/tx.csv' }),
        json({ id: 3, cmd: 'commit' }),
        count,
      ]);
      assert.equal(committed[2]?.ok, true, json(committed[2]));
      assert.deepEqual(committed[3]?.['rows'], [[2]]);
    });
  });

  describe('paths', () => {
    it('confines every path to the data directory (.., absolute, symlink escapes)', async () => {
      const outside = mkdtempSync(join(tmpdir(), 'catrust-outside-'));
      try {
        writeFileSync(join(outside, 'x.csv'), 'dept_name\nEscape\n');
        symlinkSync(join(outside, 'x.csv'), join(dir, 'link.csv'));
        symlinkSync(outside, join(dir, 'linkdir'));
        const attempts: Record<string, unknown>[] = [
          { cmd: 'import_csv', entity: 'Department', path: '../x.csv' },
          { cmd: 'import_csv', entity: 'Department', path: join(outside, 'x.csv') },
          { cmd: 'import_csv', entity: 'Department', path: 'link.csv' },
          { cmd: 'import_parquet', entity: 'Department', path: 'linkdir/x.csv' },
          { cmd: 'import_parquet', entity: 'Department', path: 'in/../../x.parquet' },
          { cmd: 'export_parquet', entity: 'Department', path: '../out.parquet' },
          { cmd: 'export_parquet', entity: 'Department', path: join(outside, 'out.parquet') },
          { cmd: 'export_parquet', entity: 'Department', path: 'linkdir/out.parquet' },
          { cmd: 'export_parquet', entity: 'Department', path: 'example/wal.ndjson' },
        ];
        for (const request of attempts) {
          const error = errorOf(await send(server.port, request));
          assert.equal(error.code, 'E_PATH', `${json(request)} → ${json(error)}`);
        }
        assert.deepEqual(readdirSync(outside), ['x.csv'], 'nothing was written outside');
        assert.deepEqual(
          await rows(server.port, "SELECT count(*) FROM Department WHERE dept_name = 'Escape'"),
          [[0]],
        );
      } finally {
        rmSync(outside, { recursive: true, force: true });
      }
    });
  });

  describe('Parquet', () => {
    it('exports an entity that DuckDB reads back with the same rows and types', async () => {
      const reply = await send(server.port, {
        cmd: 'export_parquet',
        entity: 'Employee',
        path: 'out/employees.parquet',
      });
      assert.equal(reply.ok, true, json(reply));
      assert.equal(reply['labelled_nulls'], 1, 'erin.salary is a labelled null');
      const ours = await rows(
        server.port,
        'SELECT id, emp_name, salary, hired, works_in, manager FROM Employee ORDER BY id',
      );
      assert.equal(reply['rows'], ours.length);
      const path = join(dir, 'out/employees.parquet');
      const described = await duckdb.runAndReadAll(
        `DESCRIBE SELECT * FROM read_parquet('${path}')`,
      );
      assert.deepEqual(
        described.getRowObjectsJson().map((row) => [row['column_name'], row['column_type']]),
        [
          ['id', 'BIGINT'],
          ['emp_name', 'VARCHAR'],
          ['salary', 'BIGINT'],
          ['hired', 'DATE'],
          ['works_in', 'BIGINT'],
          ['manager', 'BIGINT'],
        ],
      );
      const theirs = await duckdb.runAndReadAll(
        `SELECT id::INTEGER, emp_name, salary::INTEGER, strftime(hired, '%Y-%m-%d'), works_in::INTEGER, manager::INTEGER FROM read_parquet('${path}') ORDER BY id`,
      );
      assert.deepEqual(theirs.getRows(), ours);
      assert.deepEqual(
        readdirSync(join(dir, 'out')).filter((name) => name.endsWith('.tmp')),
        [],
        'no temporary file left',
      );
    });

    it('round-trips every column type: export → import reproduces the rows', async () => {
      const load = await send(server.port, {
        cmd: 'load',
        cql: 'schema Typed { entities Thing  attributes name : Thing -> String!  count : Thing -> Int  ratio : Thing -> Float  ok : Thing -> Bool  day : Thing -> Date  key : Thing -> Uuid  amount : Thing -> Decimal }',
      });
      assert.equal(load.ok, true, json(load));
      const insert = await send(server.port, {
        cmd: 'insert',
        entity: 'Thing',
        rows: [
          {
            name: 'a',
            count: '9007199254740993',
            ratio: -0.5,
            ok: true,
            day: '0001-01-01',
            key: '123E4567-E89B-12D3-A456-426614174000',
            amount: '12345678901234567890.000000001',
          },
          { name: 'é ☃ 𝄞', count: -3, ratio: 1e300, ok: false, day: '9999-12-31', amount: '-0.5' },
          { name: '' },
        ],
      });
      assert.equal(insert.ok, true, json(insert));
      await send(server.port, { cmd: 'delete', entity: 'Thing', ids: [0] });
      await send(server.port, {
        cmd: 'insert',
        entity: 'Thing',
        rows: [
          {
            name: 'again',
            count: '-9223372036854775808',
            key: '00000000-0000-0000-0000-000000000000',
          },
        ],
      });
      const exported = await send(server.port, {
        cmd: 'export_parquet',
        entity: 'Thing',
        path: 'out/things.parquet',
      });
      assert.equal(exported.ok, true, json(exported));
      assert.equal(exported['rows'], 3, 'the deleted row is not exported');
      // DuckDB reads every type back: Uuid and Decimal as their text, dates at both ends.
      const thingsPath = join(dir, 'out/things.parquet');
      const theirs = await duckdb.runAndReadAll(
        `SELECT name, count::VARCHAR, ratio, ok, strftime(day, '%Y-%m-%d'), key, amount FROM read_parquet('${thingsPath}') ORDER BY id`,
      );
      const ours = await rows(
        server.port,
        'SELECT name, count, ratio, ok, day, key, amount FROM Thing ORDER BY id',
      );
      assert.deepEqual(
        theirs.getRows(),
        ours.map((row) =>
          row.map((value, index) => (index === 1 && value !== null ? String(value) : value)),
        ),
      );
      const imported = await send(server.port, {
        cmd: 'import_parquet',
        entity: 'ThingCopy',
        path: 'out/things.parquet',
        create: true,
      });
      assert.equal(imported.ok, true, json(imported));
      assert.deepEqual(imported['columns'], [
        { name: 'name', type: 'String', not_null: true },
        { name: 'count', type: 'Int', not_null: false },
        { name: 'ratio', type: 'Float', not_null: false },
        { name: 'ok', type: 'Bool', not_null: false },
        { name: 'day', type: 'Date', not_null: false },
        { name: 'key', type: 'Uuid', not_null: false },
        { name: 'amount', type: 'Decimal', not_null: false },
      ]);
      const columns = 'name, count, ratio, ok, day, key, amount';
      const original = await rows(server.port, `SELECT ${columns} FROM Thing ORDER BY id`);
      assert.deepEqual(
        await rows(server.port, `SELECT ${columns} FROM ThingCopy ORDER BY id`),
        original,
      );
      assert.deepEqual(original[0], ['é ☃ 𝄞', -3, 1e300, false, '9999-12-31', null, '-0.5']);
      // Into the existing entity: the rows are appended again, with new ids.
      const appended = await send(server.port, {
        cmd: 'import_parquet',
        entity: 'Thing',
        path: 'out/things.parquet',
      });
      assert.equal(appended.ok, true, json(appended));
      assert.deepEqual(appended['ids'], { first: 4, count: 3 });
      assert.deepEqual(
        await rows(server.port, `SELECT ${columns} FROM Thing WHERE id >= 4 ORDER BY id`),
        original,
      );
    });

    it('imports foreign keys as row ids, checked against the target', async () => {
      const before = (await rows(server.port, 'SELECT count(*) FROM Employee'))[0]![0] as number;
      const reply = await send(server.port, {
        cmd: 'import_parquet',
        entity: 'Employee',
        path: 'out/employees.parquet',
      });
      assert.equal(reply.ok, true, json(reply));
      assert.deepEqual(await rows(server.port, 'SELECT count(*) FROM Employee'), [[before * 2]]);
      await duckdb.run(
        `COPY (SELECT 'Nobody' AS emp_name, 99 AS works_in, 0 AS manager) TO '${join(dir, 'in/dangling.parquet')}' (FORMAT parquet)`,
      );
      const dangling = errorOf(
        await send(server.port, {
          cmd: 'import_parquet',
          entity: 'Employee',
          path: 'in/dangling.parquet',
        }),
      );
      assert.equal(dangling.code, 'E_IMPORT');
      assert.match(dangling.message, /row 1 of the file: .*no active Department row 99/);
      assert.deepEqual(await rows(server.port, 'SELECT count(*) FROM Employee'), [[before * 2]]);
    });

    it('imports a Parquet file DuckDB wrote, into a new and into an existing entity', async () => {
      const path = join(dir, 'in/duck.parquet');
      await duckdb.run(
        `COPY (SELECT * FROM (VALUES
           (1::BIGINT, 7::INTEGER, 2.5::DOUBLE, true, DATE '2021-06-01', 'one', 12.34::DECIMAL(10,2), '6ba7b810-9dad-11d1-80b4-00c04fd430c8'::UUID),
           (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
           (-5, -1, -0.25, false, DATE '1960-01-01', 'three', -0.05::DECIMAL(10,2), NULL)
         ) AS t(big, small, real, flag, day, label, price, key)) TO '${path}' (FORMAT parquet)`,
      );
      const created = await send(server.port, {
        cmd: 'import_parquet',
        entity: 'Duck',
        path: 'in/duck.parquet',
        create: true,
      });
      assert.equal(created.ok, true, json(created));
      assert.deepEqual(
        (created['columns'] as { type: string }[]).map((column) => column.type),
        ['Int', 'Int', 'Float', 'Bool', 'Date', 'String', 'Decimal', 'Uuid'],
      );
      assert.deepEqual(
        await rows(
          server.port,
          'SELECT big, small, real, flag, day, label, price, key FROM Duck ORDER BY id',
        ),
        [
          [1, 7, 2.5, true, '2021-06-01', 'one', '12.34', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'],
          [null, null, null, null, null, null, null, null],
          [-5, -1, -0.25, false, '1960-01-01', 'three', '-0.05', null],
        ],
      );
      // An existing entity takes the columns it has, by name, converting where the types allow.
      await duckdb.run(
        `COPY (SELECT 'Ext' || i::VARCHAR AS dept_name, i AS id FROM range(3) t(i)) TO '${join(dir, 'in/depts.parquet')}' (FORMAT parquet)`,
      );
      const existing = await send(server.port, {
        cmd: 'import_parquet',
        entity: 'Department',
        path: 'in/depts.parquet',
      });
      assert.equal(existing.ok, true, json(existing));
      assert.deepEqual(
        await rows(
          server.port,
          "SELECT dept_name FROM Department WHERE dept_name LIKE 'Ext%' ORDER BY 1",
        ),
        [['Ext0'], ['Ext1'], ['Ext2']],
      );
    });

    it('reads a file row group by row group, and counts rows across them in errors', async () => {
      const path = join(dir, 'in/groups.parquet');
      await duckdb.run(
        `COPY (SELECT i AS n, 'v' || (i % 7) AS label FROM range(10000) t(i)) TO '${path}' (FORMAT parquet, ROW_GROUP_SIZE 2048)`,
      );
      const metadata = await duckdb.runAndReadAll(
        `SELECT count(DISTINCT row_group_id) FROM parquet_metadata('${path}')`,
      );
      assert.ok(Number(metadata.getRows()[0]![0]) >= 4, 'the file has several row groups');
      const reply = await send(server.port, {
        cmd: 'import_parquet',
        entity: 'Groups',
        path: 'in/groups.parquet',
        create: true,
      });
      assert.equal(reply.ok, true, json(reply));
      assert.deepEqual(
        await rows(
          server.port,
          'SELECT count(*), sum(n), min(n), max(n), count(DISTINCT label) FROM Groups',
        ),
        [[10000, '49995000', 0, 9999, 7]],
      );
      await duckdb.run(
        `COPY (SELECT CASE WHEN i = 7000 THEN NULL ELSE 'd' || i END AS dept_name FROM range(10000) t(i)) TO '${join(dir, 'in/late-null.parquet')}' (FORMAT parquet, ROW_GROUP_SIZE 2048)`,
      );
      const lateNull = errorOf(
        await send(server.port, {
          cmd: 'import_parquet',
          entity: 'Department',
          path: 'in/late-null.parquet',
        }),
      );
      assert.match(lateNull.message, /row 7001, column `dept_name`: NULL in a NOT NULL column/);
    });

    it('refuses files it cannot take, and imports nothing of them', async () => {
      file('in/not.parquet', 'dept_name\nthis is CSV\n');
      const notParquet = errorOf(
        await send(server.port, {
          cmd: 'import_parquet',
          entity: 'Department',
          path: 'in/not.parquet',
        }),
      );
      assert.equal(notParquet.code, 'E_IMPORT');
      await duckdb.run(
        `COPY (SELECT 1.5::DOUBLE AS dept_name) TO '${join(dir, 'in/wrong-type.parquet')}' (FORMAT parquet)`,
      );
      const wrongType = errorOf(
        await send(server.port, {
          cmd: 'import_parquet',
          entity: 'Department',
          path: 'in/wrong-type.parquet',
        }),
      );
      assert.equal(wrongType.code, 'E_IMPORT');
      assert.match(wrongType.message, /`dept_name` has Arrow type Float64/);
      await duckdb.run(
        `COPY (SELECT 'x' AS dept_nam) TO '${join(dir, 'in/misspelt.parquet')}' (FORMAT parquet)`,
      );
      const misspelt = errorOf(
        await send(server.port, {
          cmd: 'import_parquet',
          entity: 'Department',
          path: 'in/misspelt.parquet',
        }),
      );
      assert.equal(misspelt.code, 'E_ARG_UNKNOWN');
      assert.match(misspelt.message, /did you mean `dept_name`/);
      await duckdb.run(
        `COPY (SELECT * FROM (VALUES ('ok'), (NULL)) t(dept_name)) TO '${join(dir, 'in/null.parquet')}' (FORMAT parquet)`,
      );
      const nullName = errorOf(
        await send(server.port, {
          cmd: 'import_parquet',
          entity: 'Department',
          path: 'in/null.parquet',
        }),
      );
      assert.equal(nullName.code, 'E_IMPORT');
      assert.match(nullName.message, /row 2, column `dept_name`: NULL in a NOT NULL column/);
      await duckdb.run(
        `COPY (SELECT TIMESTAMP '2020-01-01 10:00:00' AS at) TO '${join(dir, 'in/ts.parquet')}' (FORMAT parquet)`,
      );
      const timestamp = errorOf(
        await send(server.port, {
          cmd: 'import_parquet',
          entity: 'Stamped',
          path: 'in/ts.parquet',
          create: true,
        }),
      );
      assert.equal(timestamp.code, 'E_IMPORT');
      // DuckDB renames a repeated column; Arrow keeps both names.
      const repeated = new Schema([
        new Field('dept_name', new Utf8(), true),
        new Field('dept_name', new Utf8(), true),
      ]);
      const columns = [
        vectorFromArray(['a'], new Utf8()).data[0]!,
        vectorFromArray(['b'], new Utf8()).data[0]!,
      ];
      const struct = makeData({
        type: new Struct(repeated.fields),
        length: 1,
        nullCount: 0,
        children: columns,
      });
      writeFileSync(
        join(dir, 'in/twice.parquet'),
        writeParquet(
          WasmTable.fromIPCStream(
            tableToIPC(new Table(repeated, [new RecordBatch(repeated, struct)]), 'stream'),
          ),
        ),
      );
      const twice = errorOf(
        await send(server.port, {
          cmd: 'import_parquet',
          entity: 'Department',
          path: 'in/twice.parquet',
        }),
      );
      assert.equal(twice.code, 'E_IMPORT', json(twice));
      assert.match(twice.message, /two columns named `dept_name`/);
      const unknownEntity = errorOf(
        await send(server.port, { cmd: 'import_parquet', entity: 'Nope', path: 'in/ts.parquet' }),
      );
      assert.equal(unknownEntity.code, 'E_STORE_UNKNOWN_ENTITY');
      const load = await send(server.port, {
        cmd: 'load',
        cql: 'schema Void { entities Nothing  attributes a : Nothing -> Int!  b : Nothing -> Decimal }',
      });
      assert.equal(load.ok, true, json(load));
      const empty = await send(server.port, {
        cmd: 'export_parquet',
        entity: 'Nothing',
        path: 'out/nothing.parquet',
      });
      assert.equal(empty.ok, true, json(empty));
      assert.equal(empty['rows'], 0);
      const emptyRead = await duckdb.runAndReadAll(
        `DESCRIBE SELECT * FROM read_parquet('${join(dir, 'out/nothing.parquet')}')`,
      );
      assert.deepEqual(
        emptyRead.getRowObjectsJson().map((row) => row['column_name']),
        ['id', 'a', 'b'],
      );
      const noExport = errorOf(
        await send(server.port, {
          cmd: 'export_parquet',
          entity: 'Nope',
          path: 'out/nope.parquet',
        }),
      );
      assert.equal(noExport.code, 'E_STORE_UNKNOWN_ENTITY');
      assert.equal(existsSync(join(dir, 'out/nope.parquet')), false);
      assert.deepEqual(
        await rows(server.port, "SELECT count(*) FROM Department WHERE dept_name = 'ok'"),
        [[0]],
      );
    });
  });

  describe('durability', () => {
    it('keeps acknowledged imports through a SIGKILL and a restart', async () => {
      file('in/durable.csv', 'dept_name\nDurable1\nDurable2\n');
      const csv = await send(server.port, {
        cmd: 'import_csv',
        entity: 'Department',
        path: 'in/durable.csv',
      });
      assert.equal(csv.ok, true, json(csv));
      const parquet = await send(server.port, {
        cmd: 'import_parquet',
        entity: 'Department',
        path: 'in/depts.parquet',
      });
      assert.equal(parquet.ok, true, json(parquet));
      const created = await send(server.port, {
        cmd: 'import_csv',
        entity: 'Fresh',
        path: 'in/durable.csv',
        create: true,
      });
      assert.equal(created.ok, true, json(created));
      await stopServe(server, 'SIGKILL');
      server = await startServe(['--data-dir', dir, '--example']);
      assert.deepEqual(
        await rows(
          server.port,
          "SELECT count(*) FROM Department WHERE dept_name LIKE 'Durable%' OR dept_name LIKE 'Ext%'",
        ),
        [[8]],
      );
      assert.deepEqual(await rows(server.port, 'SELECT dept_name FROM Fresh ORDER BY id'), [
        ['Durable1'],
        ['Durable2'],
      ]);
    });
  });
});

function memoryKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  assert.ok(match !== null, `no ${field} in /proc/${pid}/status`);
  return Number(match[1]);
}

/** A CSV of `rows` people, each with a note of `noteChars` characters (16 distinct notes). */
function peopleCsv(rows: number, noteChars: number): string {
  const lines = ['emp_name,salary,hired,team,note'];
  for (let row = 0; row < rows; row++) {
    const day = String(1 + (row % 28)).padStart(2, '0');
    const note = `${String.fromCharCode(97 + (row % 16)).repeat(noteChars)}, "quoted"`;
    lines.push(
      `"Person ${row}",${row % 9000},2020-02-${day},${row % 2},"${note.replace(/"/g, '""')}"`,
    );
  }
  return `${lines.join('\n')}\n`;
}

describe('gateway: import_csv of a large file', function () {
  this.timeout(120_000);
  const ROWS = 200_000;
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'catrust-import-large-'));
    writeFileSync(join(dir, 'large.csv'), peopleCsv(ROWS, 20));
    writeFileSync(join(dir, 'wide.csv'), peopleCsv(50_000, 1000));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('stops an import past --request-timeout-ms with E_TIMEOUT, having written nothing', async () => {
    const server = await startServe(['--data-dir', dir, '--request-timeout-ms', '300']);
    try {
      const [created, reply] = await exchange(server.port, [
        json({ id: 1, cmd: 'db_create', name: 'slow' }),
        json({ id: 2, cmd: 'import_csv', entity: 'People', path: 'large.csv', create: true }),
      ]);
      assert.equal(created?.ok, true, json(created));
      assert.ok(reply !== undefined);
      assert.equal(errorOf(reply).code, 'E_TIMEOUT');
      const tables = await exchange(server.port, [
        json({ id: 1, cmd: 'db_use', name: 'slow' }),
        json({ id: 2, cmd: 'stats' }),
      ]);
      assert.deepEqual(tables[1]?.['tables'], [], 'nothing was created');
    } finally {
      await stopServe(server);
    }
  });

  it('streams 200 k rows into one transaction with progress in the log and bounded memory', async () => {
    const server = await startServe(['--data-dir', dir, '--example'], { log: 'info' });
    try {
      const load = await send(server.port, {
        cmd: 'load',
        cql: 'schema Wide { entities Team Person Wide  foreign_keys team : Person -> Team  team : Wide -> Team  attributes team_name : Team -> String!  emp_name : Person -> String!  salary : Person -> Int  hired : Person -> Date  note : Person -> String  emp_name : Wide -> String!  salary : Wide -> Int  hired : Wide -> Date  note : Wide -> String }\ninstance Teams : Wide { Team { a: team_name = "A"  b: team_name = "B" } }',
      });
      assert.equal(load.ok, true, json(load));
      const pid = server.child.pid!;
      // Asked for, progress also comes on the connection: a line per 100 000 rows, then the reply.
      const [first, second, reply] = await exchange(
        server.port,
        [json({ id: 7, cmd: 'import_csv', entity: 'Person', path: 'large.csv', progress: true })],
        3,
      );
      for (const [line, count] of [
        [first, 100_000],
        [second, 200_000],
      ] as const) {
        assert.equal(line?.id, 7, json(line));
        assert.equal(line?.ok, undefined, json(line));
        const progress = line?.['progress'] as Record<string, unknown> | undefined;
        assert.equal(progress?.['rows'], count, json(line));
        assert.equal(progress?.['entity'], 'Person');
        assert.equal(typeof progress?.['elapsed_ms'], 'number');
      }
      assert.ok(reply !== undefined);
      assert.equal(reply.ok, true, json(reply));
      assert.equal(reply['rows'], ROWS);
      assert.deepEqual(reply['ids'], { first: 0, count: ROWS });
      assert.ok(typeof reply['elapsed_ms'] === 'number' && reply['elapsed_ms'] > 0);
      const progress = server.output().match(/import_csv progress/g) ?? [];
      assert.equal(progress.length, 2, server.output().slice(-2000));
      assert.match(
        server.output(),
        /import_csv progress \{"entity":"Person","path":"large.csv","rows":100000,"elapsed_ms":\d+\}/,
      );
      const expectedSum = Array.from({ length: ROWS }, (_, row) => row % 9000).reduce(
        (a, b) => a + b,
        0,
      );
      assert.deepEqual(
        await rows(
          server.port,
          'SELECT count(*), sum(salary), min(hired), max(hired), count(DISTINCT note) FROM Person',
        ),
        [[ROWS, String(expectedSum), '2020-02-01', '2020-02-28', 16]],
      );
      // The export streams the store's batches (four of them here) to one Parquet file.
      const exported = await send(server.port, {
        cmd: 'export_parquet',
        entity: 'Person',
        path: 'people.parquet',
      });
      assert.equal(exported.ok, true, json(exported));
      assert.equal(exported['rows'], ROWS);
      const duck = await DuckDBInstance.create(':memory:');
      const duckdb = await duck.connect();
      try {
        const read = await duckdb.runAndReadAll(
          `SELECT count(*)::INTEGER, sum(salary)::VARCHAR, count(DISTINCT id)::INTEGER, max(id)::INTEGER FROM read_parquet('${join(dir, 'people.parquet')}')`,
        );
        assert.deepEqual(read.getRows(), [[ROWS, String(expectedSum), ROWS, ROWS - 1]]);
      } finally {
        duckdb.closeSync();
        duck.closeSync();
      }
      // Streamed: a file of long lines costs the server no more than the rows it holds. The
      // peak after the first import is the baseline; a reader that held the 50 MB file's text
      // (or its lines as objects) would push the peak up by at least the file's size.
      const wideBytes = readFileSync(join(dir, 'wide.csv')).length;
      const peakBefore = memoryKb(pid, 'VmHWM');
      const wide = await send(server.port, { cmd: 'import_csv', entity: 'Wide', path: 'wide.csv' });
      assert.equal(wide.ok, true, json(wide));
      const growthKb = memoryKb(pid, 'VmHWM') - peakBefore;
      assert.ok(
        growthKb * 1024 < wideBytes,
        `the peak grew by ${Math.round(growthKb / 1024)} MiB importing a ${Math.round(wideBytes / 1048576)} MiB file`,
      );
    } finally {
      await stopServe(server);
    }
  });
});

/** RFC 4180 field: quoted when it holds the delimiter, a quote, a line break or edge blanks. */
function csvField(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) || text === '' ? `"${text.replace(/"/g, '""')}"` : text;
}

describe('gateway: interchange round trips on generated tables (fast-check)', function () {
  this.timeout(120_000);
  let dir = '';
  let engine: Engine;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'catrust-interchange-fc-'));
    engine = await Engine.open({ dataDir: dir });
  });
  after(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const text = fc.oneof(
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
    fc
      .array(fc.constantFrom('a', '"', ',', '\n', '\r\n', ' ', 'é', '𝄞', ';'), {
        minLength: 1,
        maxLength: 8,
      })
      .map((parts) => parts.join('')),
  );
  // Edges of the 32-bit halves an Int64 is read in, and of the safe-integer range.
  const edges = [0, -1, 2 ** 31, -(2 ** 31), 2 ** 32 - 1, 2 ** 32, -(2 ** 32), 2 ** 53 - 1];
  const int = fc.oneof(
    fc.integer({ min: -1000, max: 1000 }),
    fc.constantFrom(...edges, ...edges.map((edge) => 0 - edge || 0)),
    fc.constantFrom(2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n)),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  );
  const float = fc.double({ noNaN: true, noDefaultInfinity: true });
  const day = fc.integer({ min: -719_162, max: 2_932_896 }); // 0001-01-01 … 9999-12-31
  const decimal = fc
    .tuple(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: 0, max: 12 }))
    .map(([digits, scale]) => {
      const magnitude = (digits < 0n ? -digits : digits).toString().padStart(scale + 1, '0');
      const point = magnitude.length - scale;
      const body =
        scale === 0 ? magnitude : `${magnitude.slice(0, point)}.${magnitude.slice(point)}`;
      return digits < 0n ? `-${body}` : body;
    });
  const uuid = fc
    .uuid()
    .chain((value) => fc.boolean().map((upper) => (upper ? value.toUpperCase() : value)));
  const row = fc.record({
    s: fc.option(text, { nil: null }),
    i: fc.option(int, { nil: null }),
    f: fc.option(float, { nil: null }),
    b: fc.option(fc.boolean(), { nil: null }),
    d: fc.option(day, { nil: null }),
    m: fc.option(decimal, { nil: null }),
    u: fc.option(uuid, { nil: null }),
  });
  type Row = typeof row extends fc.Arbitrary<infer T> ? T : never;

  /** What SQL answers for a generated row (the JSON value rules of the planner). */
  function expected(generated: Row): unknown[] {
    const int = generated.i;
    return [
      generated.s,
      int === null ? null : typeof int === 'bigint' ? valueToJson('Int', normalizeInt(int)) : int,
      generated.f === null ? null : generated.f + 0,
      generated.b,
      generated.d === null ? null : formatDate(generated.d),
      generated.m === null ? null : parseDecimalLiteral(generated.m),
      generated.u === null ? null : generated.u.toLowerCase(),
    ];
  }

  function csvOf(table: readonly Row[]): string {
    const lines = ['u,m,d,b,f,i,s'];
    for (const generated of table) {
      const fields = [
        generated.u ?? '',
        generated.m ?? '',
        generated.d === null ? '' : formatDate(generated.d),
        generated.b === null ? '' : String(generated.b),
        generated.f === null ? '' : String(generated.f),
        generated.i === null ? '' : String(generated.i),
        generated.s === null ? '' : csvField(generated.s),
      ];
      lines.push(fields.join(','));
    }
    return `${lines.join('\r\n')}\r\n`;
  }

  it('CSV in, Parquet out and in: every value comes back as SQL reads it', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 0, maxLength: 30 }), async (table) => {
        run++;
        const database = `db${run}`;
        await engine.createDatabase(database);
        const session = engine.newSession('fast-check');
        session.database = database;
        await engine.load(
          session,
          'schema G { entities T  attributes s : T -> String  i : T -> Int  f : T -> Float  b : T -> Bool  d : T -> Date  m : T -> Decimal  u : T -> Uuid }',
        );
        writeFileSync(join(dir, `${database}.csv`), csvOf(table));
        const reply = await importCsv(engine, session, {
          entity: 'T',
          path: `${database}.csv`,
          header: true,
          delimiter: ',',
          create: false,
          deadline: undefined,
        });
        assert.equal(reply['rows'], table.length);
        const select = 'SELECT s, i, f, b, d, m, u FROM T ORDER BY id';
        const read = async (sql: string): Promise<unknown> => {
          const result = await engine.sql(session, sql, []);
          return 'rows' in result ? result.rows : result;
        };
        // NULL and the empty string are one in CSV: an empty String field is NULL.
        assert.deepEqual(await read(select), table.map(expected));
        await exportParquet(engine, session, 'T', `${database}.parquet`, undefined);
        await importParquet(engine, session, {
          entity: 'Copy',
          path: `${database}.parquet`,
          create: true,
          deadline: undefined,
        });
        assert.deepEqual(await read(select.replace('FROM T', 'FROM Copy')), table.map(expected));
        engine.endSession(session);
      }),
      { numRuns: 50, seed: 20261125 },
    );
  });
});
