/**
 * The Engine in process, on a real data directory: concurrent first requests to a database
 * share one open, and the audit log names the attributes a command changes (never values).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog, Engine } from '../../gateway/index.js';
import type { RequestEnvelope } from '../../gateway/ndjson/request.js';

function request(cmd: string, fields: Record<string, unknown> = {}): RequestEnvelope {
  return { id: null, cmd, token: undefined, progress: false, fields: { cmd, ...fields } };
}

describe('gateway: the Engine', function () {
  this.timeout(30_000);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'catrust-engine-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('opens a database once for concurrent first requests', async () => {
    const first = await Engine.open({ dataDir: dir });
    const session = first.newSession('test');
    await first.execute(session, request('db_create', { name: 'd' }));
    await first.execute(
      session,
      request('load', { cql: 'schema S { entities A  attributes n : A -> Int }' }),
    );
    await first.execute(session, request('insert', { entity: 'A', rows: [{ n: 1 }, { n: 2 }] }));
    await first.close();

    const engine = await Engine.open({ dataDir: dir });
    try {
      const sessions = Array.from({ length: 8 }, (_, i) => {
        const s = engine.newSession(`client ${i}`);
        s.database = 'd';
        return s;
      });
      const replies = await Promise.all(
        sessions.map((s) => engine.execute(s, request('sql', { sql: 'SELECT count(*) FROM A' }))),
      );
      for (const reply of replies) assert.deepEqual(reply['rows'], [[2]]);
      assert.equal(engine.walKey, undefined);
    } finally {
      await engine.close();
    }
  });

  it('records the attributes anonymize and update change in the audit log, no values', async () => {
    const path = join(dir, 'audit.ndjson');
    const audit = await AuditLog.open({ path, maxBytes: 0, maxDays: 7 });
    assert.deepEqual(audit.retention, { maxDays: 7, maxBytes: 0 });
    const engine = await Engine.open({ dataDir: join(dir, 'data'), audit });
    const session = engine.newSession('auditor');
    try {
      await engine.execute(session, request('db_create', { name: 'p' }));
      await engine.execute(
        session,
        request('load', {
          cql: 'schema P { entities Person  attributes email : Person -> String  city : Person -> String }',
        }),
      );
      await engine.execute(
        session,
        request('insert', { entity: 'Person', rows: [{ email: 'ann@example.org', city: 'Oslo' }] }),
      );
      await engine.execute(
        session,
        request('anonymize', { entity: 'Person', attributes: { email: 'mask', city: 'redact' } }),
      );
      await engine.execute(
        session,
        request('update', { entity: 'Person', ids: [0], set: { city: 'Lima' } }),
      );
    } finally {
      await engine.close();
    }
    const text = readFileSync(path, 'utf8');
    const records = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const attrs = Object.fromEntries(records.map((r) => [r['cmd'], r['attr']]));
    assert.equal(attrs['anonymize'], 'city,email');
    assert.equal(attrs['update'], 'city');
    assert.doesNotMatch(text, /ann@example|Oslo|Lima/);
  });
});
