/**
 * The per-request time limit (`--request-timeout-ms`): a query past it fails with E_TIMEOUT
 * (SQLSTATE 57014), the connection goes on, and a request within it is answered.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exchange, startServe, stopServe, type ServeProcess } from '../helpers/serve.js';

const PROGRAM = 'schema Numbers { entities Number attributes x : Number -> Int }';
const ROWS = 6_000;
const USE = '{"cmd":"db_use","name":"n"}';

describe('gateway: the per-request time limit', function () {
  this.timeout(60_000);
  let dir: string;
  let server: ServeProcess;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'catrust-limits-'));
    server = await startServe(['--data-dir', dir, '--request-timeout-ms', '200']);
    const rows = Array.from({ length: ROWS }, (_, i) => ({ x: (i * 7919) % ROWS }));
    const replies = await exchange(server.port, [
      '{"cmd":"db_create","name":"n"}',
      JSON.stringify({ cmd: 'load', cql: PROGRAM }),
      JSON.stringify({ cmd: 'insert', entity: 'Number', rows }),
    ]);
    for (const reply of replies) assert.equal(reply.ok, true, JSON.stringify(reply));
  });

  after(async () => {
    await stopServe(server);
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops a query past the limit with E_TIMEOUT and serves the next request', async () => {
    // A correlated subquery scans the table once per row: 36 M comparisons, seconds of work.
    const slow =
      'SELECT count(*) FROM "Number" a WHERE (SELECT count(*) FROM "Number" b WHERE b.x < a.x) > 10';
    const started = performance.now();
    const [, timedOut, next] = await exchange(server.port, [
      USE,
      JSON.stringify({ id: 1, cmd: 'sql', sql: slow }),
      JSON.stringify({ id: 2, cmd: 'sql', sql: 'SELECT count(*) AS n FROM "Number"' }),
    ]);
    const elapsed = performance.now() - started;
    assert.equal(timedOut?.ok, false, JSON.stringify(timedOut));
    assert.equal(timedOut?.error?.code, 'E_TIMEOUT');
    assert.match(timedOut?.error?.message ?? '', /time limit/);
    assert.ok(elapsed < 5_000, `answered after ${Math.round(elapsed)} ms`);
    assert.equal(next?.ok, true, JSON.stringify(next));
    assert.deepEqual(next?.['rows'], [[ROWS]]);
  });

  it('answers a query within the limit', async () => {
    const [, reply] = await exchange(server.port, [
      USE,
      JSON.stringify({
        cmd: 'query',
        cql: 'from n : Number where n.x < 10 select COUNT(*)',
      }),
    ]);
    assert.equal(reply?.ok, true, JSON.stringify(reply));
    assert.deepEqual(reply?.['rows'], [[10]]);
  });

  it('refuses a malformed limit at start-up', async () => {
    await assert.rejects(
      startServe(['--data-dir', dir, '--request-timeout-ms', 'soon']),
      /--request-timeout-ms must be a whole number/,
    );
  });
});
