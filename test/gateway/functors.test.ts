/**
 * The migration commands on a real server: sigma, sigma_delta, delta, pi, sigma_validate,
 * sigma_dry and lineage along a mapping of the database's program — their replies, their errors,
 * atomicity of a failing one, and the target rows and lineage surviving a SIGKILL.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  exchange,
  startServe,
  stopServe,
  type Reply,
  type ServeProcess,
} from '../helpers/serve.js';

const PROGRAM = `typeside Ty = sql
schema Flat = literal : Ty {
  entities Person
  attributes pname : Person -> Varchar  age : Person -> Integer
}
schema Linked = literal : Ty {
  entities Resident City
  foreign_keys livesIn : Resident -> City
  attributes rname : Resident -> Varchar  years : Resident -> Integer  cityName : City -> Varchar
}
mapping Embed = literal : Flat -> Linked {
  entity Person -> Resident
  attributes pname -> lambda p. rname(p)  age -> lambda p. years(p)
}
instance People = literal : Flat {
  generators p1 p2 : Person
  equations p1.pname = "Zoe"  p1.age = 19  p2.pname = "Raj"  p2.age = 52
}`;

const USE = '{"cmd":"db_use","name":"m"}';
const line = (request: Record<string, unknown>): string => JSON.stringify(request);

/** Send requests after `db_use m`; the replies to the requests. */
async function send(port: number, ...requests: Record<string, unknown>[]): Promise<Reply[]> {
  const replies = await exchange(port, [USE, ...requests.map(line)]);
  assert.equal(replies[0]?.ok, true, JSON.stringify(replies[0]));
  return replies.slice(1);
}

function ok(reply: Reply | undefined): Reply {
  assert.ok(reply !== undefined);
  assert.equal(reply.ok, true, JSON.stringify(reply));
  return reply;
}

function failed(reply: Reply | undefined, code: string): Reply {
  assert.ok(reply !== undefined);
  assert.equal(reply.ok, false, JSON.stringify(reply));
  assert.equal(reply.error?.code, code, JSON.stringify(reply));
  return reply;
}

const RESIDENTS = { cmd: 'sql', sql: 'SELECT rname, years FROM "Resident" ORDER BY rname' };

describe('gateway: migration commands (sigma, delta, pi, sigma_delta, lineage)', function () {
  this.timeout(90_000);
  let dir: string;
  let server: ServeProcess;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'catrust-functors-'));
    server = await startServe(['--data-dir', dir]);
    const replies = await exchange(server.port, [
      '{"cmd":"db_create","name":"m"}',
      line({ cmd: 'load', cql: PROGRAM }),
    ]);
    for (const reply of replies) ok(reply);
  });

  after(async () => {
    await stopServe(server);
    rmSync(dir, { recursive: true, force: true });
  });

  it('validates and dry-runs Σ without writing', async () => {
    const [validation, dry, residents] = await send(
      server.port,
      { cmd: 'sigma_validate', mapping: 'Embed' },
      { cmd: 'sigma_dry', mapping: 'Embed' },
      RESIDENTS,
    );
    ok(validation);
    ok(dry);
    // Every Person needs a City nobody named: fresh rows, reported before anything is written.
    assert.match(JSON.stringify(validation), /fresh/);
    assert.match(JSON.stringify(dry), /City/);
    assert.deepEqual(ok(residents)['rows'], []);
  });

  it('pushes rows forward with sigma, in one transaction, with a lineage record', async () => {
    const [sigma, residents, cities] = await send(
      server.port,
      { cmd: 'sigma', mapping: 'Embed' },
      RESIDENTS,
      { cmd: 'sql', sql: 'SELECT count(*) AS n, count(cityName) AS named FROM "City"' },
    );
    const record = ok(sigma);
    assert.equal(record['functor'], 'sigma');
    assert.equal(record['mapping'], 'Embed');
    assert.equal(record['source_schema'], 'Flat');
    assert.equal(record['target_schema'], 'Linked');
    const stats = record['entity_stats'] as Record<string, Record<string, number>>;
    assert.equal(stats['Resident']?.['rows_out'], 2);
    assert.equal(stats['City']?.['rows_out'], 2);
    assert.equal(stats['City']?.['nulls'], 2);
    assert.deepEqual(ok(residents)['rows'], [
      ['Raj', 52],
      ['Zoe', 19],
    ]);
    // The fresh cities' names are labelled nulls: SQL sees them as NULL.
    assert.deepEqual(ok(cities)['rows'], [[2, 0]]);
  });

  it('applies only new source rows with sigma_delta', async () => {
    const [inserted, delta, residents] = await send(
      server.port,
      { cmd: 'insert', entity: 'Person', rows: [{ pname: 'Ada', age: 30 }] },
      { cmd: 'sigma_delta', mapping: 'Embed' },
      RESIDENTS,
    );
    ok(inserted);
    const record = ok(delta);
    assert.equal(record['functor'], 'sigma_delta');
    assert.equal(record['incremental'], true, JSON.stringify(record));
    assert.deepEqual(record['rows_applied'], { Person: 1 });
    assert.deepEqual(ok(residents)['rows'], [
      ['Ada', 30],
      ['Raj', 52],
      ['Zoe', 19],
    ]);
  });

  it('pulls rows back with delta', async () => {
    const [delta, people] = await send(
      server.port,
      { cmd: 'delta', mapping: 'Embed' },
      { cmd: 'sql', sql: 'SELECT pname, age FROM "Person" ORDER BY pname' },
    );
    const record = ok(delta);
    assert.equal(record['functor'], 'delta');
    assert.equal(record['source_schema'], 'Linked');
    assert.equal(record['target_schema'], 'Flat');
    assert.deepEqual(ok(people)['rows'], [
      ['Ada', 30],
      ['Raj', 52],
      ['Zoe', 19],
    ]);
  });

  it('refuses a Π it cannot compute and leaves the target as it was', async () => {
    // City has no preimage: Π would let cityName range over every string.
    const [pi, residents] = await send(server.port, { cmd: 'pi', mapping: 'Embed' }, RESIDENTS);
    failed(pi, 'E_FUNCTOR_UNSUPPORTED');
    assert.equal(ok(residents)['rows'] instanceof Array, true);
    assert.equal((ok(residents)['rows'] as unknown[]).length, 3);
  });

  it('answers typed errors for unknown mappings and bad arguments', async () => {
    const replies = await send(
      server.port,
      { cmd: 'sigma', mapping: 'Embd' },
      { cmd: 'sigma' },
      { cmd: 'delta', mapping: 'not a name' },
      { cmd: 'lineage', limit: 0 },
    );
    const unknown = failed(replies[0], 'E_NOT_FOUND');
    assert.match(JSON.stringify(unknown), /Embed/);
    failed(replies[1], 'E_ARG_MISSING');
    failed(replies[2], 'E_ARG_TYPE');
    failed(replies[3], 'E_ARG_TYPE');
  });

  it('keeps migrated rows and lineage through a SIGKILL', async () => {
    await stopServe(server, 'SIGKILL');
    server = await startServe(['--data-dir', dir]);
    const [lineage, last, residents, stats] = await send(
      server.port,
      { cmd: 'lineage' },
      { cmd: 'lineage', mapping: 'Embed', limit: 1 },
      RESIDENTS,
      { cmd: 'stats' },
    );
    const records = ok(lineage)['lineage'] as Record<string, unknown>[];
    assert.deepEqual(
      records.map((record) => record['functor']),
      ['sigma', 'sigma_delta', 'delta'],
    );
    assert.deepEqual(
      (ok(last)['lineage'] as Record<string, unknown>[]).map((record) => record['functor']),
      ['delta'],
    );
    assert.equal((ok(residents)['rows'] as unknown[]).length, 3);
    // The system tables that keep lineage and checkpoints are not the user's entities.
    const tables = (ok(stats)['tables'] as { entity: string }[]).map((table) => table.entity);
    assert.deepEqual(tables.sort(), ['City', 'Person', 'Resident']);
  });
});
