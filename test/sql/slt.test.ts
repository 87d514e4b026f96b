/**
 * Runs every test/sql/*.slt file (hand-written cases with expected results, error codes and
 * golden EXPLAIN output) against the planner, and checks the runner itself catches a mismatch.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'mocha';
import { loadSqlParser } from '../../planner/index.js';
import { projectRoot } from '../helpers/paths.js';
import { runSltFile, runSltText } from './slt-runner.js';

const folder = join(projectRoot, 'test', 'sql');

describe('sqllogictest files', () => {
  before(async () => {
    await loadSqlParser();
  });

  const files = readdirSync(folder).filter((name) => name.endsWith('.slt'));

  it('finds the .slt files', () => {
    assert.ok(files.length >= 3, `only ${files.length} .slt files`);
  });

  for (const file of files) {
    it(file, () => {
      const failures = runSltFile(join(folder, file));
      assert.deepEqual(
        failures.map((failure) => `line ${failure.line}: ${failure.sql}\n${failure.message}`),
        [],
      );
    });
  }

  it('reports a wrong expected result, a missing error and a wrong error code', () => {
    const failures = runSltText(
      [
        'load T(x Int)',
        '1',
        '2',
        '',
        'query I rowsort',
        'SELECT x FROM T',
        '----',
        '1',
        '3',
        '',
        'statement error',
        'SELECT 1',
        '',
        'statement error E_SQL_SYNTAX',
        'SELECT nope FROM T',
        '',
      ].join('\n'),
    );
    assert.deepEqual(
      failures.map((failure) => failure.line),
      [5, 11, 14],
    );
  });
});
