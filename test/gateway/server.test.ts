/**
 * `catrust serve` as users run it: a real child process, real TCP sockets, a real data
 * directory. The core commands, errors that leave the connection usable, pipelining, tokens,
 * read-only, transactions, and acknowledged inserts surviving a SIGKILL.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { exchange, startServe as start, stopServe as stop } from '../helpers/serve.js';

const json = (value: unknown): string => JSON.stringify(value);

describe('gateway: catrust serve over NDJSON (real process, real sockets)', function () {
  this.timeout(120_000);
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'catrust-serve-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the example: CQL and SQL queries, load, and errors that keep the connection', async () => {
    const server = await start(['--data-dir', join(dir, 'a'), '--example']);
    try {
      assert.match(server.output(), /try: catrust send --port \d+/);
      const replies = await exchange(server.port, [
        json({
          id: 1,
          cmd: 'query',
          cql: 'from e : Employee where e.salary > 4000 select e.emp_name order_by e.emp_name',
        }),
        'this is not json',
        json({ id: 2, cmd: 'sqll', sql: 'SELECT 1' }),
        json({
          id: 3,
          cmd: 'sql',
          sql: 'SELECT count(*) AS n FROM Employee WHERE salary > $1',
          params: [1000],
        }),
        json({ id: 4, cmd: 'sql', sql: 'SELECT nope FROM Employee' }),
        json({ id: 5, cmd: 'insert', entity: 'Employee', rows: [{ emp_nam: 'x' }] }),
        json({ id: 6, cmd: 'insert', entity: 'Employee' }),
        json({ id: 7, cmd: 'db_list' }),
        json({
          id: 8,
          cmd: 'load',
          cql: 'schema S { entities A  attributes n : A -> Int }\ninstance I : S { A { a1: n = 4  a2: n = 5 } }',
        }),
        json({ id: 9, cmd: 'query', schema: 'S', cql: 'from a : A select SUM(a.n) as total' }),
        json({ id: 10, cmd: 'query', cql: 'from a : A select a.n' }),
        json({ id: 11, cmd: 'load', cql: 'schema T { entities A }' }),
        json({ id: 12, cmd: 'ping', extra: 1 }),
      ]);
      assert.deepEqual(
        replies.map((r) => r.id),
        [1, null, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
      );
      assert.deepEqual(replies[0]?.['rows'], [['Ada'], ['Alan'], ['Grace']]);
      assert.equal(replies[1]?.error?.code, 'E_PROTOCOL_JSON');
      assert.equal(replies[2]?.error?.code, 'E_UNKNOWN_COMMAND');
      assert.match(replies[2]?.error?.message ?? '', /did you mean `sql`/);
      assert.deepEqual(replies[3]?.['rows'], [[5]]);
      assert.match(replies[4]?.error?.message ?? '', /nope/);
      assert.equal(replies[5]?.error?.code, 'E_ARG_UNKNOWN');
      assert.match(replies[5]?.error?.message ?? '', /rows\[0\]\.emp_nam.*did you mean `emp_name`/);
      assert.equal(replies[6]?.error?.code, 'E_ARG_MISSING');
      assert.deepEqual(replies[7]?.['databases'], ['example']);
      assert.deepEqual(replies[8]?.['instances'], { I: { A: 2 } });
      assert.deepEqual(replies[9]?.['rows'], [[9]]);
      assert.match(replies[10]?.error?.message ?? '', /several schemas/);
      assert.equal(replies[11]?.error?.code, 'E_DATABASE_EXISTS');
      assert.equal(replies[12]?.error?.code, 'E_ARG_UNKNOWN');
    } finally {
      assert.equal(await stop(server), 0, 'SIGTERM stops the server cleanly');
    }
  });

  it('answers an oversize line with an error and serves the next one', async () => {
    const server = await start(['--data-dir', join(dir, 'b'), '--max-payload-bytes', '2048']);
    try {
      const replies = await exchange(server.port, [
        json({ id: 'big', cmd: 'sql', sql: `SELECT '${'x'.repeat(10_000)}'` }),
        json({ id: 'next', cmd: 'ping' }),
      ]);
      assert.deepEqual(
        replies.map((r) => [r.id, r.ok]),
        [
          ['big', false],
          ['next', true],
        ],
      );
      assert.match(replies[0]?.error?.message ?? '', /longer than 2048 bytes/);
    } finally {
      await stop(server);
    }
  });

  it('keeps transactions to their session and acknowledged inserts through a SIGKILL', async () => {
    const data = join(dir, 'c');
    let server = await start(['--data-dir', data, '--example']);
    const insert = (id: number, name: string): string =>
      json({ id, cmd: 'insert', entity: 'Department', rows: [{ dept_name: name }] });
    const count = json({ id: 'n', cmd: 'sql', sql: 'SELECT count(*) FROM Department' });
    try {
      // A transaction's writes are invisible to another connection until commit.
      const inside = await exchange(server.port, [
        json({ id: 1, cmd: 'begin' }),
        insert(2, 'Ops'),
        count,
      ]);
      assert.deepEqual(inside[2]?.['rows'], [[3]]);
      const outside = await exchange(server.port, [count]);
      assert.deepEqual(
        outside[0]?.['rows'],
        [[2]],
        'the first connection closed: its transaction rolled back',
      );
      const committed = await exchange(server.port, [
        json({ id: 1, cmd: 'begin' }),
        insert(2, 'Legal'),
        json({ id: 3, cmd: 'commit' }),
      ]);
      assert.ok(committed.every((r) => r.ok));
      const acknowledged = await exchange(
        server.port,
        Array.from({ length: 20 }, (_, i) => insert(10 + i, `D${i}`)),
      );
      assert.ok(acknowledged.every((r) => r.ok));
    } finally {
      await stop(server, 'SIGKILL');
    }
    server = await start(['--data-dir', data, '--example']);
    try {
      const after = await exchange(server.port, [count, json({ id: 'e', cmd: 'commit' })]);
      assert.deepEqual(
        after[0]?.['rows'],
        [[2 + 1 + 20]],
        'every acknowledged insert survived the kill',
      );
      assert.equal(after[1]?.error?.code, 'E_TRANSACTION');
    } finally {
      await stop(server);
    }
  });

  it('checks tokens and read-only', async () => {
    const server = await start([
      '--data-dir',
      join(dir, 'd'),
      '--example',
      '--token-ro',
      'reader-secret-1',
      '--token-rw',
      'writer-secret-2',
    ]);
    try {
      const replies = await exchange(server.port, [
        json({ id: 1, cmd: 'ping' }),
        json({ id: 2, cmd: 'ping', token: 'wrong-token-123' }),
        json({ id: 3, cmd: 'sql', sql: 'SELECT 1 AS one', token: 'reader-secret-1' }),
        json({
          id: 4,
          cmd: 'insert',
          entity: 'Department',
          rows: [{ dept_name: 'X' }],
          token: 'reader-secret-1',
        }),
        json({
          id: 5,
          cmd: 'insert',
          entity: 'Department',
          rows: [{ dept_name: 'X' }],
          token: 'writer-secret-2',
        }),
        json({ id: 6, cmd: 'db_drop', name: 'example', token: 'writer-secret-2' }),
      ]);
      assert.deepEqual(
        replies.map((r) => (r.ok ? 'ok' : r.error?.code)),
        ['E_AUTH', 'E_AUTH', 'ok', 'E_FORBIDDEN', 'ok', 'E_FORBIDDEN'],
      );
    } finally {
      await stop(server);
    }
    const readOnly = await start(['--data-dir', join(dir, 'd'), '--example', '--read-only']);
    try {
      const replies = await exchange(readOnly.port, [
        json({ id: 1, cmd: 'insert', entity: 'Department', rows: [{ dept_name: 'Y' }] }),
        json({ id: 2, cmd: 'sql', sql: 'SELECT count(*) FROM Department' }),
      ]);
      assert.equal(replies[0]?.error?.code, 'E_READ_ONLY');
      assert.deepEqual(replies[1]?.['rows'], [[3]]);
    } finally {
      await stop(readOnly);
    }
  });

  it('audits every request, allowed or denied, with names and never tokens or values', async () => {
    const auditFile = join(dir, 'audit.ndjson');
    const server = await start([
      '--data-dir',
      join(dir, 'f'),
      '--example',
      '--token-rw',
      'writer-secret-9',
      '--audit-log',
      auditFile,
    ]);
    try {
      await exchange(server.port, [
        json({
          id: 1,
          cmd: 'insert',
          entity: 'Employee',
          rows: [{ emp_name: 'Secret Name', salary: 777, works_in: 0, manager: 0 }],
          token: 'writer-secret-9',
        }),
        json({ id: 2, cmd: 'db_drop', name: 'example', token: 'writer-secret-9' }),
        json({ id: 3, cmd: 'sql', sql: 'SELECT 1', token: 'wrong-token-000' }),
      ]);
    } finally {
      assert.equal(await stop(server), 0);
    }
    const text = readFileSync(auditFile, 'utf8');
    const records = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(
      records.map((r) => [
        r['cmd'],
        r['role'],
        r['ok'],
        r['code'],
        r['db'],
        r['entity'],
        r['attr'],
      ]),
      [
        ['insert', 'rw', true, null, 'example', 'Employee', 'emp_name,manager,salary,works_in'],
        ['db_drop', 'rw', false, 'E_FORBIDDEN', 'example', null, null],
        ['sql', null, false, 'E_AUTH', 'example', null, null],
      ],
    );
    assert.ok(
      records.every(
        (r) =>
          typeof r['duration_ms'] === 'number' &&
          typeof r['ts'] === 'string' &&
          r['door'] === 'ndjson',
      ),
    );
    assert.doesNotMatch(text, /Secret Name|777|writer-secret|wrong-token/);
  });

  it('speaks TLS with --tls-cert/--tls-key; a plain client gets nothing usable', async () => {
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
      ],
      { stdio: 'ignore' },
    );
    const server = await start([
      '--data-dir',
      join(dir, 'g'),
      '--example',
      '--tls-cert',
      cert,
      '--tls-key',
      key,
    ]);
    try {
      assert.match(server.output(), /NDJSON over TLS on/);
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = tlsConnect(
          { port: server.port, host: '127.0.0.1', ca: readFileSync(cert), servername: 'localhost' },
          () => socket.end(`${json({ id: 1, cmd: 'security_report' })}\n`),
        );
        let text = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => (text += chunk));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      const parsed = JSON.parse(reply) as Record<string, unknown>;
      assert.equal(parsed['ok'], true);
      assert.equal(parsed['tls'], true);
      // A plain-text request on the TLS port is not answered as NDJSON.
      const plain = await exchange(server.port, [json({ id: 2, cmd: 'ping' })]);
      assert.deepEqual(plain, []);
    } finally {
      await stop(server);
    }
  });

  it('refuses connections past --max-connections with one error line', async () => {
    const server = await start(['--data-dir', join(dir, 'h'), '--max-connections', '1']);
    try {
      const held = connect(server.port, '127.0.0.1');
      await new Promise<void>((resolve) => held.once('connect', () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const refused = await exchange(server.port, [json({ id: 1, cmd: 'ping' })]);
      assert.equal(refused[0]?.error?.code, 'E_TOO_MANY_CONNECTIONS');
      held.destroy();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const served = await exchange(server.port, [json({ id: 2, cmd: 'ping' })]);
      assert.equal(served[0]?.ok, true);
    } finally {
      await stop(server);
    }
  });

  it("keeps a database's schemas across restarts, and never its rows outside the store", async () => {
    const data = join(dir, 'i');
    let server = await start(['--data-dir', data, '--example']);
    await stop(server);
    const kept = readFileSync(join(data, 'example', 'program.cql'), 'utf8');
    assert.match(kept, /schema Company/);
    assert.match(kept, /query ByDept/);
    assert.doesNotMatch(kept, /Ada|Engineering|instance/, 'instance rows live in the store only');
    server = await start(['--data-dir', data, '--example']);
    try {
      const replies = await exchange(server.port, [
        json({
          id: 1,
          cmd: 'query',
          cql: 'from d : Department select d.dept_name order_by d.dept_name',
        }),
      ]);
      assert.deepEqual(replies[0]?.['rows'], [['Engineering'], ['Sales']]);
    } finally {
      await stop(server);
    }
  });

  it('encrypts the databases with --wal-key, refuses a wrong key, rotates the key live', async () => {
    const data = join(dir, 'j');
    const key = 'first-passphrase-1';
    let server = await start(['--data-dir', data, '--example', '--wal-key', key]);
    try {
      const replies = await exchange(server.port, [
        json({ id: 1, cmd: 'insert', entity: 'Department', rows: [{ dept_name: 'Cryptography' }] }),
        json({ id: 2, cmd: 'security_report' }),
      ]);
      assert.equal(replies[0]?.ok, true);
      assert.equal(replies[1]?.['wal_encryption'], true);
    } finally {
      await stop(server);
    }
    const wal = readFileSync(join(data, 'example', 'wal.ndjson'), 'utf8');
    assert.doesNotMatch(wal, /Cryptography|Engineering|Ada/, 'no row value in clear in the WAL');
    server = await start(['--data-dir', data, '--wal-key', 'wrong-passphrase-2']);
    try {
      const refused = await exchange(server.port, [
        json({ id: 1, cmd: 'db_use', name: 'example' }),
      ]);
      assert.equal(refused[0]?.error?.code, 'E_STORE_KEY');
    } finally {
      await stop(server);
    }
    server = await start(['--data-dir', data, '--example', '--wal-key', key]);
    try {
      const rotated = await exchange(server.port, [
        json({ id: 1, cmd: 'rotate_wal_key', passphrase: 'second-passphrase-3' }),
        json({
          id: 2,
          cmd: 'sql',
          sql: "SELECT count(*) FROM Department WHERE dept_name = 'Cryptography'",
        }),
      ]);
      assert.equal(rotated[0]?.ok, true, JSON.stringify(rotated[0]));
      assert.deepEqual(rotated[1]?.['rows'], [[1]]);
    } finally {
      await stop(server);
    }
    server = await start(['--data-dir', data, '--example', '--wal-key', 'second-passphrase-3']);
    try {
      const after = await exchange(server.port, [
        json({ id: 1, cmd: 'sql', sql: 'SELECT count(*) FROM Department' }),
      ]);
      assert.deepEqual(after[0]?.['rows'], [[3]], 'the rotated key opens the database');
    } finally {
      await stop(server);
    }
  });

  it('exports rows inside the data directory and refuses paths that leave it or touch a database', async () => {
    const data = join(dir, 'k');
    const server = await start(['--data-dir', data, '--example']);
    try {
      symlinkSync(tmpdir(), join(data, 'escape'));
      const replies = await exchange(server.port, [
        json({ id: 1, cmd: 'export_jsonl', entity: 'Employee', path: 'exports/employees.jsonl' }),
        json({ id: 2, cmd: 'export_csv', entity: 'Department', path: 'exports/departments.csv' }),
        json({ id: 3, cmd: 'export_csv', entity: 'Department', path: '../outside.csv' }),
        json({ id: 4, cmd: 'export_csv', entity: 'Department', path: '/etc/catrust.csv' }),
        json({ id: 5, cmd: 'export_csv', entity: 'Department', path: 'example/wal.ndjson' }),
        json({ id: 6, cmd: 'export_csv', entity: 'Department', path: 'escape/x.csv' }),
      ]);
      assert.deepEqual(
        replies.map((r) => (r.ok ? r['rows'] : r.error?.code)),
        [7, 2, 'E_PATH', 'E_PATH', 'E_PATH', 'E_PATH'],
      );
      const lines = readFileSync(join(data, 'exports', 'employees.jsonl'), 'utf8')
        .trim()
        .split('\n');
      assert.equal(lines.length, 7);
      assert.ok(lines.some((line) => line.includes('"salary":{"null":"erin.salary"}')));
      assert.equal(
        readFileSync(join(data, 'exports', 'departments.csv'), 'utf8'),
        'id,dept_name\r\n0,Engineering\r\n1,Sales\r\n',
      );
    } finally {
      await stop(server);
    }
  });

  it('applies migrations in version order once each, refuses a changed one, leaves the database as it was on failure', async () => {
    const data = join(dir, 'l');
    const migrations = join(data, 'migrations');
    mkdirSync(migrations, { recursive: true });
    writeFileSync(
      join(migrations, 'V1__shop.cql'),
      'schema Shop { entities Item  attributes sku : Item -> String! }',
    );
    writeFileSync(
      join(migrations, 'V2__stock.cql'),
      'instance Stock : Shop { Item { a: sku = "A"  b: sku = "B" } }',
    );
    writeFileSync(join(migrations, 'V10__more.cql'), 'schema Extra { entities Box }');
    writeFileSync(join(migrations, 'README.md'), 'not a migration');
    const server = await start(['--data-dir', data]);
    try {
      const first = await exchange(server.port, [
        json({ id: 0, cmd: 'db_create', name: 'shop' }),
        json({ id: 1, cmd: 'migrate_status', dir: 'migrations' }),
        json({ id: 2, cmd: 'migrate', dir: 'migrations' }),
        json({ id: 3, cmd: 'migrate', dir: 'migrations' }),
        json({ id: 4, cmd: 'sql', sql: 'SELECT count(*) FROM Item' }),
      ]);
      assert.deepEqual(
        (first[1]?.['pending'] as { version: number }[]).map((m) => m.version),
        [1, 2, 10],
      );
      assert.deepEqual(
        (first[2]?.['applied'] as { version: number; rows_loaded: number }[]).map((m) => [
          m.version,
          m.rows_loaded,
        ]),
        [
          [1, 0],
          [2, 2],
          [10, 0],
        ],
      );
      assert.deepEqual(first[3]?.['applied'], [], 'a second run applies nothing');
      assert.deepEqual(first[4]?.['rows'], [[2]]);
      writeFileSync(
        join(migrations, 'V2__stock.cql'),
        'instance Stock : Shop { Item { a: sku = "A2" } }',
      );
      writeFileSync(
        join(migrations, 'V11__bad.cql'),
        'instance Bad : Shop { Item { x: sku = null } }',
      );
      const use = json({ id: 'use', cmd: 'db_use', name: 'shop' });
      const changed = await exchange(server.port, [
        use,
        json({ id: 5, cmd: 'migrate', dir: 'migrations' }),
      ]);
      assert.equal(changed[1]?.error?.code, 'E_MIGRATION_CHECKSUM');
      assert.match(
        changed[1]?.error?.message ?? '',
        /V2__stock\.cql was changed after it was applied/,
      );
      writeFileSync(
        join(migrations, 'V2__stock.cql'),
        'instance Stock : Shop { Item { a: sku = "A"  b: sku = "B" } }',
      );
      const failed = await exchange(server.port, [
        use,
        json({ id: 6, cmd: 'migrate', dir: 'migrations' }),
        json({ id: 7, cmd: 'sql', sql: 'SELECT count(*) FROM Item' }),
        json({ id: 8, cmd: 'migrate_status' }),
        json({ id: 9, cmd: 'migrate', dir: '../..' }),
      ]);
      assert.match(
        failed[1]?.error?.message ?? '',
        /^V11__bad\.cql:1:30: .*NOT NULL attribute `sku`/,
      );
      assert.deepEqual(failed[2]?.['rows'], [[2]], 'the failed migration changed nothing');
      assert.deepEqual(
        (failed[3]?.['applied'] as { version: number }[]).map((m) => m.version),
        [1, 2, 10],
      );
      assert.equal(failed[4]?.error?.code, 'E_PATH');
    } finally {
      await stop(server);
    }
  });

  it('serves 256 concurrent clients mixing reads and writes; every acknowledged write is there', async () => {
    const server = await start([
      '--data-dir',
      join(dir, 'm'),
      '--example',
      '--max-connections',
      '300',
    ]);
    try {
      const clients = Array.from({ length: 256 }, (_, client) =>
        exchange(server.port, [
          json({
            id: 'w',
            cmd: 'insert',
            entity: 'Department',
            rows: [{ dept_name: `D${client}` }],
          }),
          json({ id: 'r', cmd: 'sql', sql: 'SELECT count(*) FROM Employee' }),
          json({
            id: 'q',
            cmd: 'query',
            cql: 'from d : Department where d.dept_name = "Sales" select d.dept_name',
          }),
        ]),
      );
      const replies = await Promise.all(clients);
      assert.ok(
        replies.every((r) => r.length === 3),
        'no connection dropped',
      );
      const acknowledged = replies.filter((r) => r[0]?.ok === true).length;
      assert.equal(acknowledged, 256);
      assert.ok(replies.every((r) => r[1]?.ok === true && r[2]?.ok === true));
      const count = await exchange(server.port, [
        json({ id: 'n', cmd: 'sql', sql: 'SELECT count(*) FROM Department' }),
      ]);
      assert.deepEqual(count[0]?.['rows'], [[2 + acknowledged]]);
    } finally {
      await stop(server);
    }
  });

  it('catrust send talks to the server and exits 1 on an error reply', async () => {
    const server = await start(['--data-dir', join(dir, 'e'), '--example']);
    try {
      const ok = runCli([
        'send',
        '--port',
        String(server.port),
        'db_list',
        '{"cmd":"sql","sql":"SELECT count(*) FROM Employee"}',
      ]);
      assert.equal(ok.status, 0, ok.stderr);
      assert.deepEqual(
        ok.stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as unknown),
        [
          { id: null, ok: true, databases: ['example'], current: 'example' },
          { id: null, ok: true, columns: [{ name: 'count', type: 'Int' }], rows: [[7]] },
        ],
      );
      const bad = runCli(['send', '--port', String(server.port), 'nosuchcommand']);
      assert.equal(bad.status, 1);
      const down = runCli(['send', '--port', '1', 'ping']);
      assert.equal(down.status, 1);
      assert.match(down.stderr, /cannot reach catrust at 127\.0\.0\.1:1/);
    } finally {
      await stop(server);
    }
  });
});
