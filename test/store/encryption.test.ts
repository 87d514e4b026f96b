/**
 * Encryption at rest on real files: AES-256-GCM WAL lines and snapshot blocks under an
 * Argon2id key; wrong or missing passphrases are E_STORE_KEY; damaged or moved ciphertext is
 * E_STORE_CORRUPT (never garbage); key rotation while writers commit. Argon2id runs with small
 * costs here to keep the tests fast (the defaults are 64 MiB, 3 passes).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'mocha';
import {
  labelledNull,
  scalarColumn,
  SNAPSHOT_FILE,
  Store,
  StoreError,
  tableDefinition,
  WAL_FILE,
  type Database,
} from '../../store/index.js';
import { dumpDatabase } from './crash-workload.js';

const secrets = tableDefinition('Secret', [
  scalarColumn('name', 'String', { notNull: true }),
  scalarColumn('amount', 'Int'),
  scalarColumn('score', 'Float'),
]);
const FAST = { memoryKiB: 64, iterations: 1 };

function code(expected: string): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof StoreError, String(error));
    assert.equal(error.code, expected, error.message);
    return true;
  };
}

async function write(database: Database): Promise<void> {
  await database.insertRows('Secret', [
    { name: 'SECRET-alpha', amount: 1, score: 0.5 },
    { name: 'SECRET-beta', amount: 2n ** 60n },
    { name: 'SECRET-gamma', score: labelledNull('g.score') },
  ]);
  await database.appendColumns('Secret', {
    name: Array.from({ length: 100 }, (_, index) => `SECRET-bulk-${index}`),
  });
  await database.update('Secret', 1, { score: 2.5 });
  await database.delete('Secret', 0);
}

describe('store: encryption', () => {
  let directory: string;
  let store: Store;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'catrust-crypt-'));
    store = await Store.open(directory);
  });

  afterEach(async () => {
    await store.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('encrypts every WAL line and refuses a wrong or missing passphrase', async () => {
    const database = await store.create('vault', [secrets], {
      passphrase: 'correct horse',
      keyDerivation: FAST,
    });
    await write(database);
    const expected = dumpDatabase(database);
    await database.close();
    const file = join(directory, 'vault', WAL_FILE);
    const text = await readFile(file, 'latin1');
    assert.doesNotMatch(text, /SECRET|Secret|amount/);
    assert.doesNotMatch(
      text,
      new RegExp(Buffer.from('SECRET-bulk').toString('base64').slice(0, 12)),
    );
    assert.match(text.split('\n')[0]!, /^\{"e":\{"key":\{"kdf":"argon2id"/);

    await assert.rejects(store.open('vault'), code('E_STORE_KEY'));
    await assert.rejects(store.open('vault', { passphrase: 'wrong horse' }), code('E_STORE_KEY'));
    const reopened = await store.open('vault', { passphrase: 'correct horse' });
    assert.deepEqual(dumpDatabase(reopened), expected);
    await reopened.close();

    const plain = await store.create('plain', [secrets]);
    await plain.close();
    await assert.rejects(store.open('plain', { passphrase: 'x' }), code('E_STORE_KEY'));
  });

  it('detects damaged or moved ciphertext in the WAL', async function () {
    this.timeout(60_000);
    const database = await store.create('tamper', [secrets], {
      passphrase: 'p',
      keyDerivation: FAST,
    });
    await database.insert('Secret', { name: 'a' });
    await database.insert('Secret', { name: 'b' });
    await database.insert('Secret', { name: 'c' });
    await database.close();
    const file = join(directory, 'tamper', WAL_FILE);
    const original = await readFile(file);
    // Swap the sealed payloads of lines 3 and 4 and fix their checksums: authentication
    // binds each payload to its LSN, so the swap is caught although the checksums match.
    const lines = original.toString('latin1').split('\n');
    const payload = (line: string): string => /"x":"([^"]+)"/.exec(line)![1]!;
    const [third, fourth] = [payload(lines[2]!), payload(lines[3]!)];
    const { Checksum } = await import('../../store/checksum.js');
    const checksum = await Checksum.create();
    const reframe = (line: string, x: string): string => {
      const entry = line.slice(5, line.length - 24).replace(/"x":"[^"]+"/, `"x":"${x}"`);
      return `{"e":${entry},"h":"${checksum.hex(entry)}"}`;
    };
    lines[2] = reframe(lines[2]!, fourth);
    lines[3] = reframe(lines[3]!, third);
    await writeFile(file, lines.join('\n'));
    await assert.rejects(store.open('tamper', { passphrase: 'p' }), (error: unknown) => {
      code('E_STORE_CORRUPT')(error);
      assert.match((error as StoreError).message, /line 3: .*authentication/);
      return true;
    });
    // Every flipped byte: a typed error or a reported torn tail.
    for (let offset = 0; offset < original.length; offset += 5) {
      const damaged = Buffer.from(original);
      damaged[offset] = damaged[offset]! ^ 0x04;
      await writeFile(file, damaged);
      try {
        const reopened = await store.open('tamper', { passphrase: 'p' });
        assert.ok(reopened.recovery!.tornTailBytes > 0, `offset ${offset} opened silently`);
        await reopened.close();
      } catch (error) {
        assert.ok(error instanceof StoreError, String(error));
        assert.ok(['E_STORE_CORRUPT', 'E_STORE_KEY'].includes(error.code), error.message);
      }
    }
  });

  it('encrypts snapshots column by column and detects damage in them', async function () {
    this.timeout(60_000);
    const database = await store.create('snap', [secrets], {
      passphrase: 'p',
      keyDerivation: FAST,
    });
    await write(database);
    await database.snapshot();
    const expected = dumpDatabase(database);
    await database.close();
    const file = join(directory, 'snap', SNAPSHOT_FILE);
    const original = await readFile(file);
    assert.equal(original.readUInt32LE(12), 1, 'the encrypted flag');
    assert.doesNotMatch(original.toString('latin1'), /SECRET|Secret|amount/);
    const reopened = await store.open('snap', { passphrase: 'p' });
    assert.ok(reopened.recovery!.snapshotLsn! > 0);
    assert.deepEqual(dumpDatabase(reopened), expected);
    await reopened.close();
    for (let offset = 0; offset < original.length; offset += 13) {
      const damaged = Buffer.from(original);
      damaged[offset] = damaged[offset]! ^ 0x10;
      await writeFile(file, damaged);
      let opened: Database | undefined;
      try {
        opened = await store.open('snap', { passphrase: 'p' });
        dumpDatabase(opened);
        assert.fail(`offset ${offset}: damage not detected`);
      } catch (error) {
        if (error instanceof assert.AssertionError) throw error;
        code('E_STORE_CORRUPT')(error);
      } finally {
        await opened?.close();
      }
    }
  });

  it('rotates the key while writers commit, and encrypts an unencrypted database', async () => {
    const database = await store.create('rotate', [secrets], {
      passphrase: 'old',
      keyDerivation: FAST,
    });
    await write(database);
    await database.snapshot();
    const rotation = database.rotateKey('new', FAST);
    for (let index = 0; index < 10; index++) {
      await database.insert('Secret', { name: `during-${index}`, amount: index });
    }
    await rotation;
    const expected = dumpDatabase(database);
    await database.close();
    await assert.rejects(store.open('rotate', { passphrase: 'old' }), code('E_STORE_KEY'));
    const reopened = await store.open('rotate', { passphrase: 'new' });
    assert.deepEqual(dumpDatabase(reopened), expected);
    await reopened.close();

    const plain = await store.create('later', [secrets]);
    await write(plain);
    await plain.rotateKey('now secret', FAST);
    const plainExpected = dumpDatabase(plain);
    await plain.close();
    assert.doesNotMatch(await readFile(join(directory, 'later', WAL_FILE), 'latin1'), /SECRET/);
    await assert.rejects(store.open('later'), code('E_STORE_KEY'));
    const encrypted = await store.open('later', { passphrase: 'now secret' });
    assert.deepEqual(dumpDatabase(encrypted), plainExpected);
  });
});
