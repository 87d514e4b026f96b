/**
 * Data administration through a real `catrust serve` (real process, sockets and files):
 * delete_where (one expression only, purged by compact), anonymize (hash stable across
 * restarts with the same key), compliance_report, persist, from_wal, from_bin and db_save —
 * each with its success and its errors, durable across SIGKILL where it writes.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { CatrustError, valueFromJson } from '../../common/index.js';
import { Engine } from '../../gateway/index.js';
import { hashValue, maskValue } from '../../gateway/data/index.js';
import {
  createMemoryDatabase,
  exportJson,
  exportJsonText,
  foreignKeyColumn,
  labelledNull,
  purgeStatus,
  restoreDatabase,
  scalarColumn,
  Store,
  tableDefinition,
} from '../../store/index.js';
import {
  exchange,
  startServe,
  stopServe,
  type Reply,
  type ServeProcess,
} from '../helpers/serve.js';

type Request = Record<string, unknown>;
type Json = Record<string, unknown>;

const ANONYMIZE_KEY = 'anonymize-secret-key-1';
const WAL_KEY = 'wal-passphrase-for-tests';

/** Requests on one connection (one session), replies in order. */
async function ask(server: ServeProcess, requests: readonly Request[]): Promise<Reply[]> {
  const replies = await exchange(
    server.port,
    requests.map((request) => JSON.stringify(request)),
  );
  assert.equal(replies.length, requests.length, JSON.stringify(replies));
  return replies;
}

async function one(server: ServeProcess, request: Request): Promise<Reply> {
  return (await ask(server, [request]))[0]!;
}

function ok(reply: Reply | undefined): Reply {
  assert.ok(reply !== undefined);
  assert.equal(reply.ok, true, JSON.stringify(reply));
  return reply;
}

/** The error of a failed reply, checked to have `code` (and, given, to name `field`). */
function failed(reply: Reply | undefined, code: string, field?: string): Json {
  assert.ok(reply !== undefined);
  assert.equal(reply.ok, false, JSON.stringify(reply));
  const error = reply.error as unknown as Json;
  assert.equal(error['code'], code, JSON.stringify(reply));
  if (field !== undefined) {
    assert.deepEqual(error['location'], { kind: 'field', field }, JSON.stringify(reply));
  }
  return error;
}

function rowsOf(reply: Reply | undefined): unknown[][] {
  return ok(reply)['rows'] as unknown[][];
}

/** Every file under `directory`, concatenated (to look for bytes anywhere in a database). */
function allBytes(directory: string): Buffer {
  const parts: Buffer[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) parts.push(readFileSync(join(entry.parentPath, entry.name)));
  }
  return Buffer.concat(parts);
}

const PEOPLE = `schema People {
  entities Person Purchase
  foreign_keys buyer : Purchase -> Person
  attributes name : Person -> String!
             email : Person -> String
             phone : Person -> String
             age : Person -> Int
             item : Purchase -> String
}
instance Folks : People {
  Person {
    ann: name = "Ann Smith", email = "ann@example.com", phone = "+44 20 7946 0000", age = 30
    bob: name = "Bob", email = "bob@example.com", phone = "555-0100", age = 41
    al:  name = "Al", email = "ann@example.com", age = 52
  }
  Purchase {
    p1: item = "book", buyer = ann
  }
}`;

const hmac = (text: string): string =>
  createHmac('sha256', ANONYMIZE_KEY).update(text, 'utf8').digest('hex');

describe('gateway: data administration (delete_where, anonymize, compliance_report, persist, from_wal, from_bin, db_save)', function () {
  this.timeout(120_000);
  let dir = '';
  let server: ServeProcess;
  const start = async (extra: readonly string[] = []): Promise<void> => {
    server = await startServe([
      '--data-dir',
      dir,
      '--example',
      '--anonymize-key',
      ANONYMIZE_KEY,
      ...extra,
    ]);
  };
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'catrust-data-admin-'));
    await start();
  });
  after(async () => {
    await stopServe(server);
    for (const path of [dir, `${dir}-nokey`, `${dir}-encrypted`])
      rmSync(path, { recursive: true, force: true });
  });

  it('delete_where deletes by one SQL condition, refuses anything but one expression, and compact purges the values', async () => {
    const walBefore = readFileSync(join(dir, 'example', 'wal.ndjson'));
    assert.ok(walBefore.includes('Linus'), 'the WAL holds the row before the delete');
    const replies = await ask(server, [
      { cmd: 'delete_where', entity: 'Employee', where: 'salary < $1', params: [1000] },
      { cmd: 'sql', sql: 'SELECT count(*) FROM Employee' },
      // Splicing attempts: each closes the parenthesis to change the statement.
      {
        cmd: 'delete_where',
        entity: 'Employee',
        where: 'true) UNION SELECT id FROM "Department" WHERE (true',
      },
      { cmd: 'delete_where', entity: 'Employee', where: '1=1); DELETE FROM "Employee" WHERE (1=1' },
      { cmd: 'delete_where', entity: 'Employee', where: '1=1; SELECT 1' },
      { cmd: 'delete_where', entity: 'Employee', where: 'true) ORDER BY (1' },
      { cmd: 'delete_where', entity: 'Employee', where: 'true) LIMIT (1' },
      { cmd: 'delete_where', entity: 'Employee', where: 'true) GROUP BY (id' },
      { cmd: 'delete_where', entity: 'Employee', where: 'salary >' },
      { cmd: 'delete_where', entity: 'Employee', where: 'nope = 1' },
      { cmd: 'delete_where', entity: 'Employe', where: 'true' },
      { cmd: 'delete_where', entity: 'Employee' },
      { cmd: 'delete_where', entity: 'Employee', where: '' },
      { cmd: 'sql', sql: 'SELECT count(*) FROM Employee' },
      // A subquery is part of one expression: allowed (it reads, never writes).
      {
        cmd: 'delete_where',
        entity: 'Department',
        where: "dept_name = 'Sales'",
      },
      {
        cmd: 'delete_where',
        entity: 'Department',
        where: "dept_name = 'Sales'",
        cascade: true,
      },
      { cmd: 'sql', sql: 'SELECT count(*) FROM Employee' },
      {
        cmd: 'delete_where',
        entity: 'Employee',
        where: "works_in IN (SELECT id FROM Department WHERE dept_name = 'Nowhere')",
      },
    ]);
    assert.deepEqual(ok(replies[0])['deleted'], 1);
    assert.deepEqual(rowsOf(replies[1]), [[6]]);
    for (const index of [2, 3, 4, 5, 6, 7, 8]) failed(replies[index], 'E_ARG_INVALID', 'where');
    failed(replies[9], 'E_SQL_UNKNOWN_COLUMN', 'where');
    failed(replies[10], 'E_STORE_UNKNOWN_ENTITY');
    failed(replies[11], 'E_ARG_MISSING', 'where');
    failed(replies[12], 'E_ARG_TYPE', 'where');
    assert.deepEqual(rowsOf(replies[13]), [[6]], 'refused requests deleted nothing');
    failed(replies[14], 'E_STORE_FOREIGN_KEY');
    assert.equal(ok(replies[15])['deleted'], 4, 'Sales and its three employees');
    assert.deepEqual(rowsOf(replies[16]), [[3]]);
    assert.equal(ok(replies[17])['deleted'], 0);

    // In a transaction: rolled back, nothing deleted.
    const rolled = await ask(server, [
      { cmd: 'begin' },
      { cmd: 'delete_where', entity: 'Employee', where: 'true' },
      { cmd: 'sql', sql: 'SELECT count(*) FROM Employee' },
      { cmd: 'rollback' },
      { cmd: 'sql', sql: 'SELECT count(*) FROM Employee' },
    ]);
    assert.equal(ok(rolled[1])['deleted'], 3);
    assert.deepEqual(rowsOf(rolled[2]), [[0]]);
    assert.deepEqual(rowsOf(rolled[4]), [[3]]);

    // Durable when answered: SIGKILL, restart, still deleted.
    await stopServe(server, 'SIGKILL');
    await start();
    assert.deepEqual(
      rowsOf(await one(server, { cmd: 'sql', sql: 'SELECT count(*) FROM Employee' })),
      [[3]],
    );
    const database = join(dir, 'example');
    for (const value of ['Linus', 'Carol', 'Erin', 'Sales']) {
      assert.ok(allBytes(database).includes(value), `${value} is in the files before compact`);
    }
    ok(await one(server, { cmd: 'compact' }));
    const after = allBytes(database);
    for (const value of ['Linus', 'Carol', 'Dave', 'Erin', 'Sales']) {
      assert.ok(!after.includes(value), `${value} is gone from every file of the database`);
    }
    assert.ok(after.includes('Grace'), 'active rows stay');
  });

  it('anonymize hashes (keyed, stable across restarts), masks and redacts, and refuses what cannot apply', async () => {
    const setup = await ask(server, [
      { cmd: 'db_create', name: 'people' },
      { cmd: 'load', cql: PEOPLE },
    ]);
    ok(setup[0]);
    ok(setup[1]);
    const replies = await ask(server, [
      { cmd: 'db_use', name: 'people' },
      {
        cmd: 'anonymize',
        entity: 'Person',
        attributes: { email: 'hash', name: 'mask', phone: 'redact' },
        ids: [0, 1],
      },
      { cmd: 'sql', sql: 'SELECT id, name, email, phone, age FROM Person ORDER BY id' },
      {
        cmd: 'anonymize',
        entity: 'Person',
        attributes: { email: 'hash' },
        where: 'name = $1',
        params: ['Al'],
      },
      { cmd: 'sql', sql: 'SELECT count(DISTINCT email) FROM Person WHERE id IN (0, 2)' },
      { cmd: 'anonymize', entity: 'Person', attributes: { age: 'hash' } },
      { cmd: 'anonymize', entity: 'Person', attributes: { age: 'mask' } },
      { cmd: 'anonymize', entity: 'Person', attributes: { name: 'redact' } },
      { cmd: 'anonymize', entity: 'Person', attributes: { mail: 'hash' } },
      { cmd: 'anonymize', entity: 'Person', attributes: { email: 'scramble' } },
      { cmd: 'anonymize', entity: 'Person', attributes: { email: 'hash' }, ids: [99] },
      { cmd: 'anonymize', entity: 'Purchase', attributes: { buyer: 'redact' } },
      { cmd: 'anonymize', entity: 'Person', attributes: {} },
      {
        cmd: 'anonymize',
        entity: 'Person',
        attributes: { email: 'hash' },
        where: '1=1) UNION SELECT id FROM "Purchase" WHERE (1=1',
      },
      { cmd: 'anonymize', entity: 'Persons', attributes: { email: 'hash' } },
      { cmd: 'anonymize', entity: 'Person', attributes: { age: 'redact' }, params: [1] },
      { cmd: 'sql', sql: 'SELECT id, name, email, phone, age FROM Person ORDER BY id' },
    ]);
    const anonymized = ok(replies[1]);
    assert.equal(anonymized['rows'], 2);
    assert.deepEqual(anonymized['attributes'], ['email', 'name', 'phone']);
    assert.deepEqual(rowsOf(replies[2]), [
      [0, 'A*******h', hmac('ann@example.com'), null, 30],
      [1, 'B*b', hmac('bob@example.com'), null, 41],
      [2, 'Al', 'ann@example.com', null, 52],
    ]);
    assert.equal(ok(replies[3])['rows'], 1);
    assert.deepEqual(rowsOf(replies[4]), [[1]], 'equal values hash equally: joins still work');
    failed(replies[5], 'E_ARG_INVALID', 'attributes.age');
    failed(replies[6], 'E_ARG_INVALID', 'attributes.age');
    failed(replies[7], 'E_ARG_INVALID', 'attributes.name');
    failed(replies[8], 'E_ARG_UNKNOWN', 'attributes.mail');
    failed(replies[9], 'E_ARG_TYPE', 'attributes.email');
    failed(replies[10], 'E_NOT_FOUND', 'ids[0]');
    failed(replies[11], 'E_ARG_INVALID', 'attributes.buyer');
    failed(replies[12], 'E_ARG_INVALID', 'attributes');
    failed(replies[13], 'E_ARG_INVALID', 'where');
    failed(replies[14], 'E_STORE_UNKNOWN_ENTITY');
    failed(replies[15], 'E_ARG_INVALID', 'params');
    assert.deepEqual(
      rowsOf(replies[16]),
      rowsOf(replies[2]).map((row, index) =>
        index === 2 ? [2, 'Al', hmac('ann@example.com'), null, 52] : row,
      ),
      'refused requests changed nothing',
    );

    // The same key after a SIGKILL restart: the same hash; the old values leave with compact.
    await stopServe(server, 'SIGKILL');
    await start();
    const later = await ask(server, [
      { cmd: 'db_use', name: 'people' },
      { cmd: 'insert', entity: 'Person', rows: [{ name: 'Cy', email: 'bob@example.com' }] },
      { cmd: 'anonymize', entity: 'Person', attributes: { email: 'hash' }, where: "name = 'Cy'" },
      { cmd: 'sql', sql: "SELECT email FROM Person WHERE name IN ('B*b', 'Cy') ORDER BY id" },
      { cmd: 'compact' },
    ]);
    assert.deepEqual(rowsOf(later[3]), [[hmac('bob@example.com')], [hmac('bob@example.com')]]);
    ok(later[4]);
    const files = allBytes(join(dir, 'people'));
    for (const value of ['ann@example.com', 'bob@example.com', 'Ann Smith', '555-0100']) {
      assert.ok(!files.includes(value), `${value} is gone from the files after compact`);
    }
  });

  it('anonymize with "hash" needs a server key (E_CONFIG); mask and redact do not', async () => {
    const other = await startServe(['--data-dir', `${dir}-nokey`, '--example']);
    try {
      const replies = await ask(other, [
        { cmd: 'anonymize', entity: 'Employee', attributes: { emp_name: 'hash' } },
        {
          cmd: 'anonymize',
          entity: 'Employee',
          attributes: { emp_name: 'mask', salary: 'redact' },
          where: 'id = 0',
        },
        { cmd: 'sql', sql: 'SELECT emp_name, salary FROM Employee WHERE id = 0' },
      ]);
      failed(replies[0], 'E_CONFIG');
      assert.equal(ok(replies[1])['rows'], 1);
      assert.deepEqual(rowsOf(replies[2]), [['A*a', null]]);
    } finally {
      await stopServe(other);
    }
  });

  it('persist writes one JSON document; from_wal and from_bin make databases of copied files, refusing damaged ones', async () => {
    const example = join(dir, 'example');
    const backups = join(dir, 'backups');
    mkdirSync(backups, { recursive: true });
    const replies = await ask(server, [
      { cmd: 'db_use', name: 'people' },
      { cmd: 'persist', path: 'backups/people.json' },
      { cmd: 'persist', path: '../people.json' },
      { cmd: 'persist', path: 'people/wal.ndjson' },
    ]);
    const persisted = ok(replies[1]);
    assert.equal(persisted['path'], 'backups/people.json');
    failed(replies[2], 'E_PATH', 'path');
    failed(replies[3], 'E_PATH', 'path');
    const document = JSON.parse(readFileSync(join(backups, 'people.json'), 'utf8')) as Json;
    assert.equal(document['format'], 'catrust-persist');
    assert.equal(document['database'], 'people');
    assert.match(String(document['program']), /schema People/);
    const tables = document['tables'] as {
      definition: { entity: string };
      rows: { id: number; values: Json }[];
    }[];
    assert.deepEqual(tables.map((table) => table.definition.entity).sort(), ['Person', 'Purchase']);
    const person = tables.find((table) => table.definition.entity === 'Person')!;
    assert.equal(person.rows.length, (persisted['rows'] as number) - 1);

    // Concurrent persists to one path: each replaces the file whole, none leaves a temporary.
    // (The database is opened first: concurrent first opens of one database race in
    // Store.open, E_INTERNAL on its LOCK file — reported to the store and the Engine.)
    ok(await one(server, { cmd: 'stats' }));
    const concurrent = await Promise.all(
      [0, 1, 2, 3].map(() => one(server, { cmd: 'persist', path: 'backups/same.json' })),
    );
    for (const reply of concurrent) ok(reply);
    assert.equal(
      (JSON.parse(readFileSync(join(backups, 'same.json'), 'utf8')) as Json)['database'],
      'example',
    );
    assert.deepEqual(
      readdirSync(backups).filter((entry) => entry.endsWith('.tmp')),
      [],
    );

    // A WAL copied out of a database folder (as a user does), plus a torn and a damaged copy.
    const wal = readFileSync(join(example, 'wal.ndjson'));
    writeFileSync(join(backups, 'example.wal'), wal);
    writeFileSync(join(backups, 'torn.wal'), Buffer.concat([wal, Buffer.from('{"e":{"s":99,"op')]));
    const damaged = Buffer.from(wal);
    const at = damaged.indexOf('Grace');
    damaged[at] = 'g'.charCodeAt(0);
    writeFileSync(join(backups, 'damaged.wal'), damaged);
    writeFileSync(join(backups, 'other.json'), '{"a":1}\n');
    ok(await one(server, { cmd: 'persist_bin' }));
    copyFileSync(join(example, 'snapshot.cat2'), join(backups, 'example.cat2'));
    const snapshot = readFileSync(join(backups, 'example.cat2'));
    const flipped = Buffer.from(snapshot);
    flipped[flipped.length - 3]! ^= 0xff;
    writeFileSync(join(backups, 'damaged.cat2'), flipped);

    const restored = await ask(server, [
      { cmd: 'from_wal', path: 'backups/example.wal', name: 'fromwal' },
      { cmd: 'from_wal', path: 'backups/torn.wal', name: 'torn' },
      { cmd: 'from_wal', path: 'backups/damaged.wal', name: 'damaged' },
      { cmd: 'from_wal', path: 'backups/other.json', name: 'notawal' },
      { cmd: 'from_wal', path: 'backups/example.wal', name: 'people' },
      { cmd: 'from_wal', path: 'backups/missing.wal', name: 'missing' },
      { cmd: 'from_wal', path: 'example/wal.ndjson', name: 'inside' },
      { cmd: 'from_wal', path: 'backups/example.wal', name: '9bad' },
      { cmd: 'from_bin', path: 'backups/example.cat2', name: 'frombin' },
      { cmd: 'from_bin', path: 'backups/damaged.cat2', name: 'damagedbin' },
      { cmd: 'from_bin', path: 'backups/example.wal', name: 'notabin' },
      { cmd: 'db_list' },
      {
        cmd: 'sql',
        sql: 'SELECT id, emp_name, salary, hired, works_in, manager FROM Employee ORDER BY id',
      },
      { cmd: 'db_use', name: 'fromwal' },
      {
        cmd: 'sql',
        sql: 'SELECT id, emp_name, salary, hired, works_in, manager FROM Employee ORDER BY id',
      },
      { cmd: 'db_use', name: 'frombin' },
      {
        cmd: 'sql',
        sql: 'SELECT id, emp_name, salary, hired, works_in, manager FROM Employee ORDER BY id',
      },
      { cmd: 'insert', entity: 'Department', rows: [{ dept_name: 'Research' }] },
    ]);
    const fromWal = ok(restored[0]);
    assert.equal((fromWal['recovery'] as Json)['tornTailBytes'], 0);
    assert.ok(((fromWal['recovery'] as Json)['entries'] as number) > 0);
    assert.equal((ok(restored[1])['recovery'] as Json)['tornTailBytes'], 16);
    const corrupt = failed(restored[2], 'E_STORE_CORRUPT');
    assert.match(String(corrupt['message']), /backups\/damaged\.wal line \d+/);
    assert.doesNotMatch(String(corrupt['message']), /restoring|\/tmp\//);
    failed(restored[3], 'E_STORE_CORRUPT');
    failed(restored[4], 'E_DATABASE_EXISTS', 'name');
    failed(restored[5], 'E_NOT_FOUND', 'path');
    failed(restored[6], 'E_PATH', 'path');
    failed(restored[7], 'E_ARG_TYPE', 'name');
    assert.equal((ok(restored[8])['recovery'] as Json)['snapshotLsn'] !== undefined, true);
    failed(restored[9], 'E_STORE_CORRUPT');
    failed(restored[10], 'E_STORE_CORRUPT');
    const names = ok(restored[11])['databases'] as string[];
    for (const name of ['fromwal', 'torn', 'frombin']) assert.ok(names.includes(name), name);
    for (const name of ['damaged', 'notawal', 'damagedbin', 'notabin']) {
      assert.ok(!names.includes(name), `${name} is not left behind`);
      assert.ok(!existsSync(join(dir, name, 'wal.ndjson')), `${name} has no files`);
    }
    assert.deepEqual(
      readdirSync(dir).filter((entry) => entry.startsWith('.restoring')),
      [],
      'no staging folder is left',
    );
    const original = rowsOf(restored[12]);
    assert.ok(original.length > 0);
    assert.deepEqual(rowsOf(restored[14]), original);
    assert.deepEqual(rowsOf(restored[16]), original);
    ok(restored[17]);

    // Three sessions restore under one name at once: one database, the others told it exists.
    const racing = await Promise.all(
      [0, 1, 2].map(() =>
        one(server, { cmd: 'from_wal', path: 'backups/example.wal', name: 'raced' }),
      ),
    );
    assert.equal(racing.filter((reply) => reply.ok).length, 1, JSON.stringify(racing));
    for (const reply of racing.filter((candidate) => !candidate.ok)) {
      failed(reply, 'E_DATABASE_EXISTS', 'name');
    }

    // A snapshot and the WAL that continues it: the later commits too. The WAL alone is not a
    // database (it starts past LSN 1).
    ok(await one(server, { cmd: 'insert', entity: 'Department', rows: [{ dept_name: 'Ops' }] }));
    copyFileSync(join(example, 'wal.ndjson'), join(backups, 'example-after.wal'));
    const withWal = await ask(server, [
      {
        cmd: 'from_bin',
        path: 'backups/example.cat2',
        wal: 'backups/example-after.wal',
        name: 'binwal',
      },
      { cmd: 'from_wal', path: 'backups/example-after.wal', name: 'walonly' },
      { cmd: 'from_bin', path: 'backups/example.cat2', wal: 'example/wal.ndjson', name: 'inside2' },
      {
        cmd: 'from_bin',
        path: 'backups/example.cat2',
        wal: 'backups/nothing.wal',
        name: 'nothing',
      },
      { cmd: 'from_wal', path: 'backups/damaged.wal', name: 'repaired', repair: true },
      { cmd: 'db_use', name: 'binwal' },
      { cmd: 'sql', sql: 'SELECT dept_name FROM Department ORDER BY id' },
      {
        cmd: 'sql',
        sql: 'SELECT id, emp_name, salary, hired, works_in, manager FROM Employee ORDER BY id',
      },
    ]);
    assert.ok(((ok(withWal[0])['recovery'] as Json)['entries'] as number) >= 1);
    assert.match(String(failed(withWal[1], 'E_STORE_CORRUPT')['message']), /continues a snapshot/);
    failed(withWal[2], 'E_PATH', 'wal');
    failed(withWal[3], 'E_NOT_FOUND', 'wal');
    const repaired = ok(withWal[4])['recovery'] as Json;
    assert.ok((repaired['droppedEntries'] as number) >= 1, JSON.stringify(repaired));
    assert.equal(typeof repaired['repairedAtLine'], 'number');
    assert.deepEqual(rowsOf(withWal[6]).at(-1), ['Ops']);
    assert.deepEqual(rowsOf(withWal[7]), original);

    // A persist document is taken by from_wal: same tables, row ids, labelled nulls, program.
    const definition = {
      entity: 'T',
      columns: [{ name: 'n', type: { kind: 'scalar', scalar: 'Int' }, notNull: true }],
    };
    const persistDocument = (rows: unknown): string =>
      JSON.stringify({
        format: 'catrust-persist',
        version: 1,
        tables: [{ definition, rowCount: 3, rows }],
      });
    writeFileSync(join(backups, 'gap.json'), persistDocument([{ id: 2, values: { n: 7 } }]));
    writeFileSync(
      join(backups, 'order.json'),
      persistDocument([
        { id: 2, values: { n: 1 } },
        { id: 1, values: { n: 2 } },
      ]),
    );
    writeFileSync(join(backups, 'type.json'), persistDocument([{ id: 0, values: { n: 'x' } }]));
    writeFileSync(join(backups, 'broken.json'), '{"format":"catrust-persist","version":1,');
    const fromPersist = await ask(server, [
      { cmd: 'persist', path: 'backups/example.json' },
      { cmd: 'from_wal', path: 'backups/example.json', name: 'examplecopy' },
      { cmd: 'from_wal', path: 'backups/people.json', name: 'peoplecopy' },
      { cmd: 'db_use', name: 'examplecopy' },
      { cmd: 'persist', path: 'backups/examplecopy.json' },
      {
        cmd: 'query',
        schema: 'Company',
        cql: 'from e : Employee select e.emp_name order_by e.emp_name',
      },
      { cmd: 'db_use', name: 'peoplecopy' },
      { cmd: 'persist', path: 'backups/peoplecopy.json' },
      { cmd: 'from_wal', path: 'backups/gap.json', name: 'gap' },
      { cmd: 'db_use', name: 'gap' },
      { cmd: 'sql', sql: 'SELECT id, n FROM T' },
      { cmd: 'from_wal', path: 'backups/order.json', name: 'order1' },
      { cmd: 'from_wal', path: 'backups/type.json', name: 'type1' },
      { cmd: 'from_wal', path: 'backups/broken.json', name: 'broken' },
      { cmd: 'db_list' },
    ]);
    for (const index of [0, 1, 2, 4, 7, 8]) ok(fromPersist[index]);
    assert.equal(fromPersist[1]!['format'], 'persist');
    const tablesOf = (file: string): unknown =>
      (JSON.parse(readFileSync(join(backups, file), 'utf8')) as Json)['tables'];
    assert.deepEqual(tablesOf('examplecopy.json'), tablesOf('example.json'));
    assert.deepEqual(tablesOf('peoplecopy.json'), tablesOf('people.json'));
    assert.ok(JSON.stringify(tablesOf('people.json')).includes('{"label":'), 'labelled nulls kept');
    assert.deepEqual(rowsOf(fromPersist[5]), [['Ada'], ['Alan'], ['Grace']]);
    assert.deepEqual(rowsOf(fromPersist[10]), [[2, 7]], 'row ids kept; the gap is no row');
    failed(fromPersist[11], 'E_STORE_CORRUPT');
    failed(fromPersist[12], 'E_STORE_CORRUPT');
    failed(fromPersist[13], 'E_IMPORT');
    const listed = ok(fromPersist[14])['databases'] as string[];
    for (const name of ['order1', 'type1', 'broken']) assert.ok(!listed.includes(name), name);

    // The new databases are durable: SIGKILL, restart, same rows (and the insert into frombin).
    await stopServe(server, 'SIGKILL');
    await start();
    const reopened = await ask(server, [
      { cmd: 'db_use', name: 'frombin' },
      {
        cmd: 'sql',
        sql: 'SELECT id, emp_name, salary, hired, works_in, manager FROM Employee ORDER BY id',
      },
      { cmd: 'sql', sql: "SELECT count(*) FROM Department WHERE dept_name = 'Research'" },
      { cmd: 'db_use', name: 'torn' },
      {
        cmd: 'sql',
        sql: 'SELECT id, emp_name, salary, hired, works_in, manager FROM Employee ORDER BY id',
      },
    ]);
    assert.deepEqual(rowsOf(reopened[1]), original);
    assert.deepEqual(rowsOf(reopened[2]), [[1]]);
    assert.deepEqual(rowsOf(reopened[4]), original);
  });

  it('db_save branches the current database (rows, program, migrations) and leaves the session on it', async () => {
    const migrations = join(dir, 'migrations');
    mkdirSync(migrations, { recursive: true });
    writeFileSync(
      join(migrations, 'V1__stock.cql'),
      'schema Stock { entities Item  attributes sku : Item -> String! }\ninstance S : Stock { Item { i1: sku = "A-1" } }',
    );
    const replies = await ask(server, [
      { cmd: 'migrate', dir: 'migrations' },
      { cmd: 'db_save', as: 'branch' },
      { cmd: 'db_save', as: 'branch' },
      { cmd: 'db_save', as: 'example' },
      { cmd: 'db_save', as: 'bad name' },
      { cmd: 'db_list' },
      { cmd: 'insert', entity: 'Item', rows: [{ sku: 'B-2' }] },
      { cmd: 'db_use', name: 'branch' },
      { cmd: 'query', schema: 'Stock', cql: 'from i : Item select i.sku' },
      { cmd: 'migrate_status' },
      {
        cmd: 'query',
        schema: 'Company',
        cql: 'from e : Employee select e.emp_name order_by e.emp_name',
      },
    ]);
    ok(replies[0]);
    const saved = ok(replies[1]);
    assert.equal(saved['database'], 'branch');
    assert.equal(saved['current'], 'example');
    failed(replies[2], 'E_DATABASE_EXISTS', 'as');
    failed(replies[3], 'E_DATABASE_EXISTS', 'as');
    failed(replies[4], 'E_ARG_TYPE', 'as');
    assert.equal(ok(replies[5])['current'], 'example');
    ok(replies[6]);
    assert.deepEqual(rowsOf(replies[8]), [['A-1']], 'the branch keeps the program, not later rows');
    assert.equal((ok(replies[9])['applied'] as unknown[]).length, 1);
    assert.deepEqual(rowsOf(replies[10]), [['Ada'], ['Alan'], ['Grace']]);
    // Inside the session's own open transaction: the committed state, without waiting.
    const inTransaction = await ask(server, [
      { cmd: 'begin' },
      { cmd: 'insert', entity: 'Item', rows: [{ sku: 'uncommitted' }] },
      { cmd: 'db_save', as: 'branch2' },
      { cmd: 'rollback' },
      { cmd: 'db_use', name: 'branch2' },
      { cmd: 'query', schema: 'Stock', cql: 'from i : Item select i.sku order_by i.sku' },
    ]);
    ok(inTransaction[2]);
    assert.deepEqual(rowsOf(inTransaction[5]), [['A-1'], ['B-2']]);
    // Deleted rows are not copied: the branch holds no deleted value at all.
    assert.ok(!allBytes(join(dir, 'branch')).includes('Linus'));
  });

  it('compliance_report tells encryption, audit, pending purge, snapshots, migrations and client files', async () => {
    const replies = await ask(server, [
      { cmd: 'db_use', name: 'people' },
      { cmd: 'delete_where', entity: 'Purchase', where: 'true' },
      { cmd: 'update', entity: 'Person', ids: [1], set: { age: 42 } },
      { cmd: 'compliance_report' },
      { cmd: 'compact' },
      { cmd: 'compliance_report' },
      { cmd: 'compliance_report', verbose: true },
    ]);
    const report = ok(replies[3]);
    const server0 = report['server'] as Json;
    assert.equal(server0['wal_encryption'], false);
    assert.equal(server0['anonymize_key'], true);
    assert.deepEqual((server0['audit'] as Json)['enabled'], false);
    const databases = report['databases'] as Json[];
    const byName = new Map(databases.map((database) => [database['name'], database]));
    assert.deepEqual([...byName.keys()].sort(), [
      'binwal',
      'branch',
      'branch2',
      'example',
      'examplecopy',
      'frombin',
      'fromwal',
      'gap',
      'people',
      'peoplecopy',
      'raced',
      'repaired',
      'torn',
    ]);
    const people = byName.get('people')!;
    assert.equal(people['encrypted'], false);
    assert.deepEqual((people['pending_purge'] as Json)['entities'], {
      Purchase: { deleted_rows: 1, overwritten_rows: 0 },
      Person: { deleted_rows: 0, overwritten_rows: 1 },
    });
    assert.equal((people['pending_purge'] as Json)['needed'], true);
    assert.deepEqual(people['deleted_rows'], { Purchase: 1 });
    assert.equal((byName.get('example')!['snapshot'] as Json)['present'], true);
    assert.equal(byName.get('example')!['migrations_applied'], 1);
    assert.ok((byName.get('example')!['wal_bytes'] as number) > 0);
    const clientFiles = report['client_files'] as { files: { path: string }[] };
    assert.ok(clientFiles.files.some((file) => file.path === 'backups/people.json'));
    assert.ok((report['findings'] as string[]).some((finding) => /people.*compact/.test(finding)));
    const afterCompact = new Map(
      (ok(replies[5])['databases'] as Json[]).map((database) => [database['name'], database]),
    );
    assert.equal((afterCompact.get('people')!['pending_purge'] as Json)['needed'], false);
    failed(replies[6], 'E_ARG_UNKNOWN', 'verbose');
  });

  it('with --wal-key: restored and saved databases are encrypted; an encrypted snapshot alone is refused', async () => {
    const encrypted = `${dir}-encrypted`;
    mkdirSync(join(encrypted, 'backups'), { recursive: true });
    copyFileSync(join(dir, 'backups', 'example.wal'), join(encrypted, 'backups', 'plain.wal'));
    const other = await startServe([
      '--data-dir',
      encrypted,
      '--example',
      '--wal-key',
      WAL_KEY,
      '--audit-log',
      join(encrypted, 'audit.log'),
    ]);
    try {
      copyFileSync(
        join(encrypted, 'example', 'wal.ndjson'),
        join(encrypted, 'backups', 'sealed.wal'),
      );
      ok(await one(other, { cmd: 'persist_bin' }));
      copyFileSync(
        join(encrypted, 'example', 'snapshot.cat2'),
        join(encrypted, 'backups', 'sealed.cat2'),
      );
      // A plain database this server cannot open (its passphrase does not fit): reported.
      mkdirSync(join(encrypted, 'intruder'));
      copyFileSync(join(dir, 'people', 'wal.ndjson'), join(encrypted, 'intruder', 'wal.ndjson'));
      copyFileSync(
        join(encrypted, 'example', 'wal.ndjson'),
        join(encrypted, 'backups', 'sealed-after.wal'),
      );
      const replies = await ask(other, [
        { cmd: 'from_wal', path: 'backups/plain.wal', name: 'plain' },
        { cmd: 'from_wal', path: 'backups/sealed.wal', name: 'sealed' },
        { cmd: 'from_bin', path: 'backups/sealed.cat2', name: 'sealedbin' },
        { cmd: 'db_save', as: 'branch' },
        { cmd: 'db_use', name: 'plain' },
        { cmd: 'sql', sql: 'SELECT count(*) FROM Employee' },
        { cmd: 'db_use', name: 'branch' },
        { cmd: 'sql', sql: 'SELECT count(*) FROM Employee' },
        { cmd: 'compliance_report' },
        { cmd: 'db_use', name: 'sealed' },
        { cmd: 'sql', sql: 'SELECT count(*) FROM Employee' },
        {
          cmd: 'from_bin',
          path: 'backups/sealed.cat2',
          wal: 'backups/sealed-after.wal',
          name: 'sealedbin',
        },
        { cmd: 'db_use', name: 'sealedbin' },
        { cmd: 'sql', sql: 'SELECT count(*) FROM Employee' },
      ]);
      assert.equal(ok(replies[0])['encrypted'], true);
      ok(replies[1]);
      failed(replies[2], 'E_STORE_KEY');
      ok(replies[3]);
      assert.deepEqual(rowsOf(replies[5]), [[3]]);
      assert.deepEqual(rowsOf(replies[7]), [[7]]);
      const report = ok(replies[8]);
      for (const database of report['databases'] as Json[]) {
        if (database['name'] === 'intruder') {
          assert.equal((database['error'] as Json)['code'], 'E_STORE_KEY');
          continue;
        }
        assert.equal(database['encrypted'], true, String(database['name']));
      }
      assert.ok(
        (report['findings'] as string[]).some((finding) => finding.includes('intruder')),
        'a database that cannot be opened is a finding',
      );
      assert.ok(
        (report['findings'] as string[]).some((finding) =>
          /outside the databases.*not encrypted/.test(finding),
        ),
        'copies in clear on an encrypted server are a finding',
      );
      // An encrypted WAL on a server without the passphrase: E_STORE_KEY, nothing left.
      copyFileSync(join(encrypted, 'backups', 'sealed.wal'), join(dir, 'backups', 'sealed.wal'));
      failed(
        await one(server, { cmd: 'from_wal', path: 'backups/sealed.wal', name: 'sealed' }),
        'E_STORE_KEY',
      );
      assert.ok(!existsSync(join(dir, 'sealed')));
      assert.equal(((report['server'] as Json)['audit'] as Json)['enabled'], true);
      assert.deepEqual(rowsOf(replies[10]), [[7]]);
      assert.equal(ok(replies[11])['encrypted'], true);
      assert.deepEqual(rowsOf(replies[13]), [[7]], 'an encrypted snapshot opens with its WAL');
      for (const name of ['plain', 'branch', 'sealed']) {
        const walText = readFileSync(join(encrypted, name, 'wal.ndjson'), 'latin1');
        assert.ok(walText.startsWith('{"e":{"key":'), `${name}'s WAL starts with its key entry`);
        assert.ok(
          !allBytes(join(encrypted, name)).includes('Grace'),
          `${name} holds no value in clear`,
        );
      }
      assert.ok(statSync(join(encrypted, 'audit.log')).size > 0);
    } finally {
      await stopServe(other);
    }
  });
});

describe('gateway: data administration in process (properties)', function () {
  this.timeout(120_000);
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'catrust-data-admin-props-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a JSON export restores to the same tables, row ids, values and labelled nulls (random tables with deletions)', async () => {
    const parent = tableDefinition('Parent', [
      scalarColumn('name', 'String', { notNull: true }),
      scalarColumn('score', 'Int'),
      scalarColumn('ratio', 'Float'),
    ]);
    const child = tableDefinition('Child', [
      scalarColumn('label', 'String'),
      scalarColumn('since', 'Date', { notNull: true }),
      scalarColumn('flag', 'Bool', { notNull: true }),
      foreignKeyColumn('parent', 'Parent', { notNull: true }),
    ]);
    const text = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('Ann', 'é€', ''));
    const parentRows = fc.array(
      fc.record({
        name: text,
        score: fc.oneof(
          fc.integer({ min: -1000, max: 1000 }),
          fc.constant(null),
          fc.constant('label'),
        ),
        ratio: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }),
      }),
      { minLength: 1, maxLength: 12 },
    );
    const childRows = fc.array(
      fc.record({
        label: fc.oneof(text, fc.constant(null), fc.constant('label')),
        day: fc.integer({ min: 1, max: 28 }),
        flag: fc.boolean(),
        parent: fc.nat(),
      }),
      { maxLength: 12 },
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        parentRows,
        childRows,
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        async (parents, children, deleteChildren, deleteParents) => {
          run++;
          const database = createMemoryDatabase('source', [parent, child]);
          const transaction = await database.begin();
          transaction.insertRows(
            'Parent',
            parents.map((row, index) => ({
              name: row.name,
              score: row.score === 'label' ? labelledNull(`p${index}.score`) : row.score,
              ratio: row.ratio,
            })),
          );
          transaction.insertRows(
            'Child',
            children.map((row, index) => ({
              label: row.label === 'label' ? labelledNull(`c${index}.label`) : row.label,
              since: valueFromJson('Date', `2024-02-${String(row.day).padStart(2, '0')}`, 'since'),
              flag: row.flag,
              parent: row.parent % parents.length,
            })),
          );
          const childIds = [...new Set(deleteChildren.filter((id) => id < children.length))];
          if (childIds.length > 0) transaction.delete('Child', childIds);
          const parentIds = [...new Set(deleteParents.map((id) => id % parents.length))];
          transaction.delete('Parent', parentIds, { cascade: true });
          await transaction.commit();
          const head = { format: 'catrust-persist', version: 1, program: null };
          assert.equal(
            [...exportJsonText(database.view(), head)].join(''),
            JSON.stringify({ ...head, ...exportJson(database.view()) }),
            'the export in pieces is the export',
          );
          const exported = JSON.parse(JSON.stringify(exportJson(database.view()))) as Json;
          const name = `r${run}`;
          const report = await restoreDatabase(dir, name, {
            kind: 'json',
            file: 'export.json',
            document: exported,
          });
          assert.equal(
            report.rows,
            database.view().table('Parent').activeRowCount +
              database.view().table('Child').activeRowCount,
          );
          const store = await Store.open(dir);
          try {
            const restored = await store.open(name);
            const again = JSON.parse(JSON.stringify(exportJson(restored.view()))) as Json;
            assert.deepEqual(again['tables'], exported['tables']);
          } finally {
            await store.close();
          }
        },
      ),
      { numRuns: 25, seed: 20261125 },
    );
  });

  it('the export in pieces equals the export past one piece (10 000 rows, some deleted)', async () => {
    const table = tableDefinition('Big', [scalarColumn('n', 'Int'), scalarColumn('s', 'String')]);
    const database = createMemoryDatabase('big', [table]);
    const transaction = await database.begin();
    transaction.insertRows(
      'Big',
      Array.from({ length: 10_000 }, (_, index) => ({ n: index, s: `row ${index}` })),
    );
    transaction.delete('Big', [0, 4095, 4096, 9999]);
    await transaction.commit();
    const pieces = [...exportJsonText(database.view())];
    assert.ok(pieces.length > 4, `${pieces.length} pieces`);
    assert.equal(pieces.join(''), JSON.stringify(exportJson(database.view())));
  });

  it('the purge status counts exactly the deleted and overwritten rows since the last compaction or snapshot', async () => {
    type Step =
      | { kind: 'insert'; count: number; deleteOwn: number; updateOwn: number }
      | { kind: 'delete'; pick: number }
      | { kind: 'update'; pick: number }
      | { kind: 'compact' }
      | { kind: 'snapshot' };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({
        kind: fc.constant('insert' as const),
        count: fc.integer({ min: 1, max: 6 }),
        deleteOwn: fc.nat(),
        updateOwn: fc.nat(),
      }),
      fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('update' as const), pick: fc.nat() }),
      fc.constant({ kind: 'compact' as const }),
      fc.constant({ kind: 'snapshot' as const }),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 14 }), async (steps) => {
        run++;
        const store = await Store.open(join(dir, `purge${run}`));
        try {
          const database = await store.create('p', [
            tableDefinition('T', [scalarColumn('s', 'String')]),
          ]);
          const deleted = new Set<number>();
          const overwritten = new Set<number>();
          const active: number[] = [];
          const value = (): string => `v${Math.random()}`;
          for (const current of steps) {
            if (current.kind === 'compact' || current.kind === 'snapshot') {
              await (current.kind === 'compact' ? database.compact() : database.snapshot());
              deleted.clear();
              overwritten.clear();
              continue;
            }
            const transaction = await database.begin();
            if (current.kind === 'insert') {
              const range = transaction.insertRows(
                'T',
                Array.from({ length: current.count }, () => ({ s: value() })),
              );
              const fresh = Array.from({ length: range.count }, (_, index) => range.first + index);
              // Updated in the transaction that inserted it: one insert op, final values only.
              transaction.update('T', fresh[current.updateOwn % fresh.length]!, { s: value() });
              const gone = fresh[current.deleteOwn % fresh.length]!;
              if (current.deleteOwn % 2 === 0) {
                transaction.delete('T', gone);
                deleted.add(gone);
              }
              active.push(...fresh.filter((row) => !deleted.has(row)));
            } else if (active.length > 0) {
              const row = active[current.pick % active.length]!;
              if (current.kind === 'delete') {
                transaction.delete('T', row);
                active.splice(active.indexOf(row), 1);
                deleted.add(row);
                overwritten.delete(row);
              } else {
                transaction.update('T', row, { s: value() });
                overwritten.add(row);
              }
            }
            await transaction.commit();
          }
          const status = await purgeStatus(database);
          const counts = status?.entities['T'];
          assert.deepEqual(
            counts ?? { deletedRows: 0, overwrittenRows: 0 },
            { deletedRows: deleted.size, overwrittenRows: overwritten.size },
            JSON.stringify(steps),
          );
        } finally {
          await store.close();
        }
      }),
      { numRuns: 30, seed: 11 },
    );
  });

  it('mask keeps the first and last code point and the length; hash is HMAC-SHA256, keyed', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-composite', maxLength: 12 }), (text) => {
        const characters = Array.from(text);
        const masked = Array.from(maskValue(text));
        assert.equal(masked.length, characters.length);
        if (characters.length > 2) {
          assert.equal(masked[0], characters[0]);
          assert.equal(masked.at(-1), characters.at(-1));
          assert.ok(masked.slice(1, -1).every((character) => character === '*'));
        } else assert.ok(masked.every((character) => character === '*'));
      }),
      { numRuns: 200, seed: 3 },
    );
    assert.equal(maskValue('Ann Smith'), 'A*******h');
    assert.equal(maskValue('😀ab😀'), '😀**😀');
    assert.equal(hashValue(ANONYMIZE_KEY, 'ann@example.com'), hmac('ann@example.com'));
    assert.notEqual(hashValue('another-key-12345', 'ann@example.com'), hmac('ann@example.com'));
    assert.match(hashValue(ANONYMIZE_KEY, ''), /^[0-9a-f]{64}$/);
  });

  it('a damaged JSON export leaves no database (ids out of order, wrong types, bad definitions)', async () => {
    const definition = {
      entity: 'T',
      columns: [{ name: 'n', type: { kind: 'scalar', scalar: 'Int' }, notNull: true }],
    };
    const documents: unknown[] = [
      [],
      { tables: 'no' },
      { tables: [{ definition, rowCount: 1, rows: [{ id: 1, values: { n: 1 } }] }] },
      {
        tables: [
          {
            definition,
            rowCount: 2,
            rows: [
              { id: 1, values: { n: 1 } },
              { id: 0, values: { n: 2 } },
            ],
          },
        ],
      },
      { tables: [{ definition, rowCount: 1, rows: [{ id: 0, values: { n: 'one' } }] }] },
      { tables: [{ definition, rowCount: 1, rows: [{ id: 0, values: { n: { label: 'x' } } }] }] },
      { tables: [{ definition: { entity: 'T' }, rowCount: 0, rows: [] }] },
    ];
    for (const [index, document] of documents.entries()) {
      await assert.rejects(
        restoreDatabase(dir, `bad${index}`, { kind: 'json', file: 'bad.json', document }),
        (error: unknown) =>
          error instanceof CatrustError &&
          ['E_STORE_CORRUPT', 'E_STORE_NOT_NULL'].includes(error.code),
        JSON.stringify(document),
      );
      assert.ok(!existsSync(join(dir, `bad${index}`)), `bad${index} left nothing`);
    }
    assert.deepEqual(
      readdirSync(dir).filter((entry) => entry.startsWith('.restoring')),
      [],
    );
  });

  it('delete_where never answers an untyped error, and deletes exactly what the same condition counts', async () => {
    const engine = await Engine.open({ dataDir: join(dir, 'engine') });
    const session = engine.newSession('test');
    const run = (fields: Request): Promise<Record<string, unknown>> =>
      engine.execute(session, {
        id: 1,
        cmd: String(fields['cmd']),
        token: undefined,
        progress: false,
        fields,
      });
    try {
      await run({ cmd: 'db_create', name: 'fuzz' });
      await run({
        cmd: 'load',
        cql: 'schema F { entities T Other  attributes n : T -> Int  s : T -> String  m : Other -> Int }\ninstance I : F { T { a: n = 1, s = "x"  b: n = 2, s = "y"  c: n = 3  d: n = 4, s = "x" } Other { o1: m = 9  o2: m = 8 } }',
      });
      const fragments = [
        'true',
        'false',
        'n > 1',
        'n = $1',
        "s = 'x'",
        's IS NULL',
        'OR',
        'AND',
        'NOT',
        '(',
        ')',
        'UNION',
        'UNION ALL',
        'INTERSECT',
        'EXCEPT',
        'SELECT id FROM "Other"',
        'SELECT 1',
        'WHERE',
        'LIMIT 1',
        'OFFSET 1',
        'ORDER BY 1',
        'GROUP BY id',
        'HAVING true',
        ';',
        '--',
        '/*',
        '*/',
        "'",
        '"T"',
        'id',
        'IN',
        'n IN (SELECT m - 7 FROM "Other")',
        'DELETE FROM "T"',
        ',',
      ];
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.constantFrom(...fragments), { minLength: 1, maxLength: 8 }),
          async (parts) => {
            const where = parts.join(' ');
            const params = where.includes('$1') ? [2] : [];
            await run({ cmd: 'begin' });
            try {
              let reply: Record<string, unknown>;
              try {
                reply = await run({ cmd: 'delete_where', entity: 'T', where, params });
              } catch (error) {
                assert.ok(error instanceof CatrustError, `${where}: ${String(error)}`);
                return;
              }
              // Succeeded: the text is one condition, so counting with it gives one row.
              const counted = (await engine.sql(
                session,
                `SELECT count(*) FROM "T" WHERE (${where})`,
                params,
              )) as { rows: unknown[][] };
              assert.deepEqual(counted.rows, [[0]], `${where}: every matching row is deleted`);
              const remaining = (await engine.sql(session, 'SELECT count(*) FROM "T"', [])) as {
                rows: unknown[][];
              };
              assert.equal(Number(remaining.rows[0]![0]) + Number(reply['deleted']), 4, where);
              const others = (await engine.sql(session, 'SELECT count(*) FROM "Other"', [])) as {
                rows: unknown[][];
              };
              assert.deepEqual(others.rows, [[2]], `${where}: no other table touched`);
            } finally {
              await run({ cmd: 'rollback' });
            }
          },
        ),
        { numRuns: 300, seed: 7 },
      );
    } finally {
      engine.endSession(session);
      await engine.close();
    }
  });
});
