/**
 * The planner's front: prepared statements (output columns and `$n` types known before any
 * value), parameters, EXPLAIN [ANALYZE], the memory limit, error codes with locations, and the
 * result formats (JSON, text table, CSV).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'mocha';
import { CatrustError, parseDateLiteral } from '../../common/index.js';
import {
  executePrepared,
  loadSqlParser,
  MemoryDatabase,
  MemoryTable,
  PlanError,
  prepareSql,
  resultRows,
  resultToCsv,
  resultToJson,
  resultToText,
  runSql,
} from '../../planner/index.js';

function company(): MemoryDatabase {
  const department = new MemoryTable('Department', [{ name: 'name', type: 'String' }]);
  department.insert(['Math']);
  department.insert(['CS']);
  const employee = new MemoryTable('Employee', [
    { name: 'name', type: 'String' },
    { name: 'salary', type: 'Int' },
    { name: 'hired', type: 'Date' },
    { name: 'bonus', type: 'Decimal' },
    { name: 'works_in', type: 'Int', role: 'foreignKey', target: 'Department' },
  ]);
  employee.insert(['Ada', 120, parseDateLiteral('2020-01-02'), '1.5', 0]);
  employee.insert(['Bob, Jr.', 2n ** 60n, null, null, 1]);
  employee.insert(['Cy "C"', null, parseDateLiteral('2021-03-04'), '-2', 1]);
  return new MemoryDatabase([department, employee]);
}

function planError(code: string, line?: number, column?: number): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof PlanError, `expected a PlanError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (line !== undefined) {
      assert.equal(error.location?.kind, 'source');
      if (error.location?.kind === 'source') {
        assert.equal(error.location.line, line);
        assert.equal(error.location.column, column);
      }
    }
    return true;
  };
}

describe('planner statements', () => {
  before(async () => {
    await loadSqlParser();
  });

  it('knows output columns and parameter types before execution', () => {
    const prepared = prepareSql(
      company(),
      'SELECT name, salary + $1 AS raised, $2 AS note FROM Employee WHERE hired > $3 AND name LIKE $4',
    );
    assert.deepEqual(prepared.columns, [
      { name: 'name', type: 'String' },
      { name: 'raised', type: 'Int' },
      { name: 'note', type: 'String' },
    ]);
    assert.deepEqual(prepared.parameterTypes, ['Int', 'String', 'Date', 'String']);
    const result = executePrepared(prepared, [5, 'hi', parseDateLiteral('2020-06-01'), 'C%']);
    assert.deepEqual(resultRows(result), [['Cy "C"', null, 'hi']]);
  });

  it('uses declared parameter types and checks the number of values', () => {
    const prepared = prepareSql(company(), 'SELECT $1 AS x', { parameterTypes: ['Int'] });
    assert.deepEqual(prepared.parameterTypes, ['Int']);
    assert.deepEqual(resultRows(executePrepared(prepared, [7])), [[7]]);
    assert.throws(() => executePrepared(prepared, []), planError('E_SQL_PARAMETER'));
  });

  it('converts parameter values to their types (text as PostgreSQL parses it)', () => {
    const prepared = prepareSql(
      company(),
      'SELECT name FROM Employee WHERE hired > $1 AND bonus > -$2 AND works_in = $3 ORDER BY name',
    );
    assert.deepEqual(prepared.parameterTypes, ['Date', 'Decimal', 'Int']);
    assert.deepEqual(resultRows(executePrepared(prepared, ['2020-01-01', 5, '1'])), [['Cy "C"']]);
    assert.deepEqual(resultRows(executePrepared(prepared, [null, '5', 1])), []);
    assert.throws(() => executePrepared(prepared, ['2020-13-01', 5, 1]), planError('E_SQL_VALUE'));
    assert.throws(() => executePrepared(prepared, [true, 5, 1]), planError('E_SQL_PARAMETER'));
    assert.throws(
      () => executePrepared(prepared, ['2020-01-01', 5, 1.5]),
      planError('E_SQL_PARAMETER'),
    );
  });

  it('prints results as JSON, text and CSV', () => {
    const result = runSql(company(), 'SELECT name, salary, hired, bonus FROM Employee ORDER BY id');
    assert.deepEqual(resultToJson(result), {
      columns: [
        { name: 'name', type: 'String' },
        { name: 'salary', type: 'Int' },
        { name: 'hired', type: 'Date' },
        { name: 'bonus', type: 'Decimal' },
      ],
      rows: [
        ['Ada', 120, '2020-01-02', '1.5'],
        ['Bob, Jr.', '1152921504606846976', null, null],
        ['Cy "C"', null, '2021-03-04', '-2'],
      ],
    });
    assert.equal(
      resultToCsv(result),
      'name,salary,hired,bonus\r\nAda,120,2020-01-02,1.5\r\n"Bob, Jr.",1152921504606846976,,\r\n"Cy ""C""",,2021-03-04,-2\r\n',
    );
    const text = resultToText(result);
    assert.match(text, /^ {2}name {3}\| +salary +\| +hired +\| bonus\n/);
    assert.match(text, /\n\(3 rows\)\n$/);
  });

  it('explains the optimised plan and analyses it with rows per operator', () => {
    const db = company();
    const explain = resultRows(
      runSql(db, 'EXPLAIN SELECT name FROM Employee WHERE salary > 100'),
    ).map((row) => row[0]);
    assert.deepEqual(explain, [
      'Project: Employee.name',
      '  Scan Employee [name, salary] filter: Employee.salary > 100',
    ]);
    const analyzed = resultRows(
      runSql(db, 'EXPLAIN ANALYZE SELECT name FROM Employee WHERE salary > 100'),
    ).map((row) => String(row[0]));
    assert.match(
      analyzed[0]!,
      /^Project: Employee\.name \(actual rows=2 batches=1 time=[0-9.]+ ms\)$/,
    );
    assert.match(analyzed[1]!, /Scan Employee .* \(actual rows=2 /);
    assert.match(analyzed[2]!, /^Execution Time: [0-9.]+ ms$/);
  });

  it('stops a query past its memory limit with E_QUERY_MEMORY', () => {
    const prepared = prepareSql(
      company(),
      'SELECT a.name FROM Employee a, Employee b, Employee c ORDER BY 1',
    );
    assert.throws(
      () => executePrepared(prepared, [], { memoryBytesMax: 64 }),
      planError('E_QUERY_MEMORY'),
    );
    assert.equal(executePrepared(prepared, []).rowCount, 27);
  });

  it('reports errors with codes, SQLSTATEs and line/column', () => {
    const db = company();
    assert.throws(
      () => runSql(db, 'SELECT name\nFROM Employee\nWHERE salry > 1'),
      planError('E_SQL_UNKNOWN_COLUMN', 3, 7),
    );
    assert.throws(
      () => runSql(db, 'SELECT name FROM Employe'),
      (error: unknown) => {
        assert.ok(error instanceof CatrustError);
        assert.equal(error.sqlstate, '42P01');
        assert.match(String(error.hint), /Employee/);
        return true;
      },
    );
    assert.throws(
      () => runSql(db, 'SELECT name FROM Employee WHERE'),
      planError('E_SQL_SYNTAX', 1, 32),
    );
    assert.throws(
      () => runSql(db, 'UPDATE Employee SET salary = 1'),
      (error: unknown) => {
        assert.ok(error instanceof PlanError);
        assert.equal(error.code, 'E_SQL_UNSUPPORTED');
        assert.equal(error.sqlstate, '0A000');
        assert.match(error.message, /UPDATE/);
        return true;
      },
    );
    assert.throws(
      () => runSql(db, "SELECT name FROM Employee WHERE salary = 'lots'"),
      planError('E_SQL_VALUE'),
    );
  });

  it('runs FROM-less selects, VALUES and session statements', () => {
    const db = company();
    assert.deepEqual(resultRows(runSql(db, 'SELECT 1 AS one, NULL IS NULL AS yes')), [[1, true]]);
    assert.equal(prepareSql(db, 'BEGIN').kind, 'session');
    assert.deepEqual(prepareSql(db, 'SHOW search_path').columns, [
      { name: 'search_path', type: 'String' },
    ]);
  });
});
