/**
 * The gateway's security building blocks on their own: argument schemas, tokens and roles, path
 * confinement (real directories and symlinks), the audit log (real files, rotation, pruning),
 * and migration file scanning.
 */
import assert from 'node:assert/strict';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CatrustError } from '../../common/index.js';
import {
  arrayArg,
  booleanArg,
  enumArg,
  integerArg,
  optional,
  parseShape,
  recordArg,
  scalarArg,
  stringArg,
  withDefault,
} from '../../gateway/args.js';
import { AuditLog, type AuditRecord } from '../../gateway/audit/audit-log.js';
import { scanMigrationFiles } from '../../gateway/migrations/migration-files.js';
import { DataDirectory } from '../../gateway/security/data-dir.js';
import { roleAllows } from '../../gateway/security/roles.js';
import { TokenPolicy } from '../../gateway/security/tokens.js';

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof CatrustError, `not a CatrustError: ${String(error)}`);
    return error.code;
  }
  return 'no error';
}

function errorOf(run: () => unknown): CatrustError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof CatrustError);
    return error;
  }
  assert.fail('expected an error');
}

describe('gateway: argument schemas', () => {
  const shape = {
    entity: stringArg({ minLength: 1 }),
    rows: arrayArg(recordArg(scalarArg()), { maxItems: 3 }),
    limit: optional(integerArg({ min: 1 })),
    cascade: withDefault(booleanArg(), false),
    strategy: optional(enumArg(['hash', 'mask', 'redact'] as const)),
  };

  it('types a valid request and applies defaults', () => {
    const args = parseShape(
      shape,
      { entity: 'Employee', rows: [{ a: 1 }], cmd: 'x', id: 1 },
      '',
      new Set(['cmd', 'id']),
    );
    assert.deepEqual(args, {
      entity: 'Employee',
      rows: [{ a: 1 }],
      limit: undefined,
      cascade: false,
      strategy: undefined,
    });
  });

  it('names the field at fault, with its path', () => {
    const missing = errorOf(() => parseShape(shape, { rows: [] }));
    assert.equal(missing.code, 'E_ARG_MISSING');
    assert.deepEqual(missing.location, { kind: 'field', field: 'entity' });
    const nested = errorOf(() => parseShape(shape, { entity: 'E', rows: [{ a: 1 }, { b: [1] }] }));
    assert.equal(nested.code, 'E_ARG_TYPE');
    assert.deepEqual(nested.location, { kind: 'field', field: 'rows[1].b' });
    assert.match(nested.message, /expected a string, number, boolean or null, found an array/);
  });

  it('refuses unknown fields with a suggestion, wrong types and out-of-range values', () => {
    const unknown = errorOf(() => parseShape(shape, { entity: 'E', rows: [], limt: 3 }));
    assert.equal(unknown.code, 'E_ARG_UNKNOWN');
    assert.equal(unknown.hint, 'did you mean `limit`?');
    assert.equal(
      codeOf(() => parseShape(shape, { entity: 7, rows: [] })),
      'E_ARG_TYPE',
    );
    assert.equal(
      codeOf(() => parseShape(shape, { entity: '', rows: [] })),
      'E_ARG_TYPE',
    );
    assert.equal(
      codeOf(() => parseShape(shape, { entity: 'E', rows: [], limit: 0 })),
      'E_ARG_TYPE',
    );
    assert.equal(
      codeOf(() => parseShape(shape, { entity: 'E', rows: [], limit: 1.5 })),
      'E_ARG_TYPE',
    );
    assert.equal(
      codeOf(() => parseShape(shape, { entity: 'E', rows: [{}, {}, {}, {}] })),
      'E_ARG_TYPE',
    );
    assert.equal(
      codeOf(() => parseShape(shape, { entity: 'E', rows: {} })),
      'E_ARG_TYPE',
    );
    const near = errorOf(() => parseShape(shape, { entity: 'E', rows: [], strategy: 'hsah' }));
    assert.equal(near.hint, 'did you mean `hash`?');
  });
});

describe('gateway: tokens and roles', () => {
  it('grants roles by token, and denies unknown, missing and near-miss tokens', () => {
    const policy = new TokenPolicy({
      tokenRo: 'read-only-token',
      tokenRw: 'read-write-token',
      tokenAdmin: 'administrator!',
    });
    assert.equal(policy.mode, 'roles');
    assert.equal(policy.resolve('read-only-token'), 'ro');
    assert.equal(policy.resolve('read-write-token'), 'rw');
    assert.equal(policy.resolve('administrator!'), 'admin');
    assert.equal(policy.resolve('read-only-toke'), undefined);
    assert.equal(policy.resolve('read-only-tokenX'), undefined);
    assert.equal(policy.resolve(''), undefined);
    assert.equal(policy.resolve(undefined), undefined);
  });

  it('keeps the legacy single token as admin, and trusts everyone without tokens', () => {
    const legacy = new TokenPolicy({ token: 'legacy-secret' });
    assert.equal(legacy.mode, 'token');
    assert.equal(legacy.resolve('legacy-secret'), 'admin');
    assert.equal(legacy.resolve('other-secret'), undefined);
    const open = new TokenPolicy({});
    assert.equal(open.mode, 'none');
    assert.equal(open.resolve(undefined), 'admin');
  });

  it('refuses short and shared tokens at start-up', () => {
    assert.equal(
      codeOf(() => new TokenPolicy({ token: 'short' })),
      'E_CONFIG',
    );
    assert.equal(
      codeOf(() => new TokenPolicy({ tokenRo: 'same-token', tokenRw: 'same-token' })),
      'E_CONFIG',
    );
  });

  it('orders roles ro < rw < admin', () => {
    assert.deepEqual(
      (['ro', 'rw', 'admin'] as const).map((role) =>
        (['read', 'write', 'admin'] as const).map((cls) => roleAllows(role, cls)),
      ),
      [
        [true, false, false],
        [true, true, false],
        [true, true, true],
      ],
    );
  });
});

describe('gateway: data directory confinement', () => {
  let base: string;
  let dataDir: DataDirectory;

  before(() => {
    base = mkdtempSync(join(tmpdir(), 'catrust-datadir-'));
    mkdirSync(join(base, 'data', 'exports'), { recursive: true });
    mkdirSync(join(base, 'outside'));
    writeFileSync(join(base, 'outside', 'secret.csv'), 'a\n1\n');
    writeFileSync(join(base, 'data', 'exports', 'ok.csv'), 'a\n1\n');
    symlinkSync(join(base, 'outside'), join(base, 'data', 'escape'));
    symlinkSync(join(base, 'outside', 'secret.csv'), join(base, 'data', 'secret-link.csv'));
    symlinkSync(join(base, 'data', 'exports'), join(base, 'data', 'inner-link'));
    symlinkSync(join(base, 'nowhere'), join(base, 'data', 'dangling'));
    dataDir = DataDirectory.open(join(base, 'data'));
    dataDir.closeToRequests('databases');
  });

  after(() => rmSync(base, { recursive: true, force: true }));

  it('resolves relative paths inside, and absolute paths that are inside', () => {
    assert.equal(
      dataDir.resolve('exports/ok.csv', 'path', 'read'),
      join(dataDir.root, 'exports', 'ok.csv'),
    );
    assert.equal(
      dataDir.resolve(join(base, 'data', 'exports', 'ok.csv'), 'path', 'read'),
      join(dataDir.root, 'exports', 'ok.csv'),
    );
    assert.equal(
      dataDir.resolve('exports/sub/../ok.csv', 'path', 'read'),
      join(dataDir.root, 'exports', 'ok.csv'),
    );
    assert.equal(
      dataDir.resolve('inner-link/ok.csv', 'path', 'read'),
      join(dataDir.root, 'exports', 'ok.csv'),
    );
    const written = dataDir.resolve('new/deep/file.csv', 'path', 'write');
    assert.equal(written, join(dataDir.root, 'new', 'deep', 'file.csv'));
  });

  const escapes: [string, string][] = [
    ['..', 'parent'],
    ['../outside/secret.csv', 'parent path'],
    ['exports/../../outside/secret.csv', 'nested parent'],
    ['/etc/passwd', 'absolute path elsewhere'],
    ['escape/secret.csv', 'symlinked directory'],
    ['secret-link.csv', 'symlinked file'],
    ['dangling/x.csv', 'dangling symlink'],
    ['databases/default/wal.log', 'database storage'],
    ['databases', 'database storage root'],
    ['.', 'the data directory itself, containing the storage'],
  ];
  for (const [path, what] of escapes) {
    it(`refuses ${what} (${path}) with E_PATH naming the field`, () => {
      const use = path === '.' || path === 'databases' ? 'directory' : 'read';
      const error = errorOf(() => dataDir.resolve(path.startsWith('/') ? path : path, 'dir', use));
      assert.equal(error.code, 'E_PATH');
      assert.deepEqual(error.location, { kind: 'field', field: 'dir' });
    });
  }

  it('refuses writes through escapes too, and reports missing files as E_NOT_FOUND', () => {
    assert.equal(
      codeOf(() => dataDir.resolve('escape/new.csv', 'path', 'write')),
      'E_PATH',
    );
    assert.equal(
      codeOf(() => dataDir.resolve(join(base, 'outside', 'new.csv'), 'path', 'write')),
      'E_PATH',
    );
    assert.equal(
      codeOf(() => dataDir.resolve('exports/missing.csv', 'path', 'read')),
      'E_NOT_FOUND',
    );
    assert.equal(
      codeOf(() => dataDir.resolve('exports', 'path', 'read')),
      'E_NOT_FOUND',
    );
    assert.equal(
      codeOf(() => dataDir.resolve('a\0b', 'path', 'read')),
      'E_PATH',
    );
    assert.equal(dataDir.display(join(dataDir.root, 'exports', 'ok.csv')), 'exports/ok.csv');
  });
});

describe('gateway: audit log', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'catrust-audit-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  function record(index: number): AuditRecord {
    return {
      ts: new Date().toISOString(),
      peer: '127.0.0.1:5000',
      door: 'ndjson',
      role: 'rw',
      cmd: 'insert',
      db: 'default',
      entity: 'Employee',
      attr: null,
      ok: index % 2 === 0,
      code: index % 2 === 0 ? null : 'E_FORBIDDEN',
      duration_ms: 0.5,
    };
  }

  it('writes every record as one JSON line, also past a full queue', async () => {
    const path = join(folder, 'audit.log');
    const log = await AuditLog.open({ path, maxBytes: 0, maxDays: 0, queueRecordsMax: 4 });
    const waits: Promise<void>[] = [];
    for (let index = 0; index < 100; index++) {
      const waiting = log.record(record(index));
      if (waiting) waits.push(waiting);
    }
    assert.ok(waits.length > 0, 'a full queue makes callers wait');
    await Promise.all(waits);
    await log.close();
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    assert.equal(lines.length, 100);
    const parsed = JSON.parse(lines[1]!) as Record<string, unknown>;
    assert.deepEqual(Object.keys(parsed), [
      'ts',
      'peer',
      'door',
      'role',
      'cmd',
      'db',
      'entity',
      'attr',
      'ok',
      'code',
      'duration_ms',
    ]);
    assert.equal(parsed['code'], 'E_FORBIDDEN');
  });

  it('rotates past the size limit and prunes rotated files older than the age limit', async () => {
    const path = join(folder, 'audit.log');
    const old = join(folder, 'audit.log.20000101T000000000Z');
    writeFileSync(old, 'old\n');
    const recent = `audit.log.${new Date().toISOString().replace(/[-:.]/g, '')}`;
    writeFileSync(join(folder, recent), 'recent\n');
    writeFileSync(join(folder, 'audit.log.notes'), 'unrelated\n');
    const log = await AuditLog.open({ path, maxBytes: 2000, maxDays: 30 });
    assert.ok(
      !readdirSync(folder).includes('audit.log.20000101T000000000Z'),
      'old rotated file pruned',
    );
    for (let index = 0; index < 60; index++) {
      log.record(record(index));
      await log.flush();
    }
    await log.close();
    const rotated = readdirSync(folder).filter(
      (name) => /^audit\.log\.\d{8}T/.test(name) && name !== recent,
    );
    assert.ok(rotated.length >= 2, `rotated files: ${rotated.join(', ')}`);
    let total = 0;
    for (const name of [...rotated, 'audit.log']) {
      const text = readFileSync(join(folder, name), 'utf8');
      assert.ok(Buffer.byteLength(text) <= 2000, `${name} within the size limit`);
      total += text
        .trim()
        .split('\n')
        .filter((line) => line !== '').length;
    }
    assert.equal(total, 60);
    assert.ok(readdirSync(folder).includes('audit.log.notes'));
    assert.ok(readdirSync(folder).includes(recent));
    utimesSync(join(folder, recent), new Date(), new Date());
  });
});

describe('gateway: migration files', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'catrust-migrations-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('orders by numeric version and checksums each file', () => {
    writeFileSync(join(folder, 'V10__ten.cql'), 'ten');
    writeFileSync(join(folder, 'V9__nine_and_more.cql'), 'nine');
    writeFileSync(join(folder, 'V1__one.cql'), 'one');
    writeFileSync(join(folder, 'README.md'), 'notes');
    const files = scanMigrationFiles(folder);
    assert.deepEqual(
      files.map((file) => file.version),
      [1, 9, 10],
    );
    assert.equal(files[1]!.description, 'nine and more');
    assert.equal(
      files[0]!.sha256,
      '7692c3ad3540bb803c020b3aee66cd8887123234ea0c6e7143c0add73ff431ed',
    );
  });

  it('refuses misnamed migrations and duplicate versions, naming the files', () => {
    writeFileSync(join(folder, 'V1_init.cql'), 'x');
    assert.match(
      errorOf(() => scanMigrationFiles(folder)).message,
      /V1_init\.cql looks like a migration/,
    );
    rmSync(join(folder, 'V1_init.cql'));
    writeFileSync(join(folder, 'V2__a.cql'), 'a');
    writeFileSync(join(folder, 'V02__b.cql'), 'b');
    assert.equal(
      codeOf(() => scanMigrationFiles(folder)),
      'E_MIGRATION_FILE',
    );
    rmSync(join(folder, 'V02__b.cql'));
    writeFileSync(join(folder, 'V3__b.cql'), 'b');
    writeFileSync(join(folder, 'V3__c.cql'), 'c');
    assert.match(
      errorOf(() => scanMigrationFiles(folder)).message,
      /V3__b\.cql and V3__c\.cql have the same version 3/,
    );
  });
});
