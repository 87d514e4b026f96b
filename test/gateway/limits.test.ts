/**
 * The per-request time limit (`--request-timeout-ms`): a query past it fails with E_TIMEOUT
 * (SQLSTATE 57014), the connection goes on, and a request within it is answered. And the WAL
 * size limit (`--wal-compact-threshold`): past it, a database compacts itself in the
 * background, purging deleted values from its files.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

describe('gateway: background compaction past --wal-compact-threshold', function () {
  this.timeout(60_000);

  it('compacts a database whose WAL passed the threshold, purging deleted values', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'catrust-autocompact-'));
    const server = await startServe(['--data-dir', dir, '--wal-compact-threshold', '1']);
    try {
      const secret = 'confidential-note-';
      const rows = Array.from({ length: 3_000 }, (_, i) => ({
        note: `${secret}${i}`.padEnd(400, '.'),
      }));
      const use = '{"cmd":"db_use","name":"w"}';
      const replies = await exchange(server.port, [
        '{"cmd":"db_create","name":"w"}',
        JSON.stringify({
          cmd: 'load',
          cql: 'schema Notes { entities Note attributes note : Note -> String }',
        }),
        JSON.stringify({ cmd: 'insert', entity: 'Note', rows }),
      ]);
      for (const reply of replies) assert.equal(reply.ok, true, JSON.stringify(reply));
      const wal = join(dir, 'w', 'wal.ndjson');
      assert.ok(readFileSync(wal).length > 1024 * 1024, 'the WAL passed 1 MiB');
      // The insert passed the threshold: a compaction ran in the background (the rows are live,
      // so the WAL stays about as big). Deleting them and writing half as much again more than
      // doubles the WAL since that compaction, which starts the next one (at once, or when the
      // first ends); it leaves the live rows only.
      const others = Array.from({ length: 4_500 }, (_, i) => ({
        note: `public-${i}`.padEnd(400, '.'),
      }));
      const [, deleted, inserted] = await exchange(server.port, [
        use,
        JSON.stringify({ cmd: 'delete', entity: 'Note', ids: rows.map((_, i) => i) }),
        JSON.stringify({ cmd: 'insert', entity: 'Note', rows: others }),
      ]);
      assert.equal(deleted?.ok, true, JSON.stringify(deleted));
      assert.equal(inserted?.ok, true, JSON.stringify(inserted));
      let text = readFileSync(wal, 'latin1');
      for (let waited = 0; text.includes(secret) && waited < 20_000; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        text = readFileSync(wal, 'latin1');
      }
      assert.equal(text.includes(secret), false, 'deleted values are purged from the WAL');
      assert.ok(
        text.length < 2.5 * 1024 * 1024,
        `the WAL is ${text.length} bytes after compaction`,
      );
      const [, count] = await exchange(server.port, [
        use,
        '{"cmd":"sql","sql":"SELECT count(*) FROM Note"}',
      ]);
      assert.deepEqual(count?.['rows'], [[others.length]]);
    } finally {
      await stopServe(server);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
