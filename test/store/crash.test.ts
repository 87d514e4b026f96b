/**
 * SIGKILL crash test: 200+ kill points across lanes of child processes writing with
 * acknowledgements while compactions and snapshots run beside them (one lane encrypted, with
 * key rotations); see crash-harness.ts. bench/store-crash.ts runs the same campaign with
 * 1,000+ kills.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'mocha';
import { Store, StoreError } from '../../store/index.js';
import { childArgs, runCrashCampaign } from './crash-harness.js';

describe('store: SIGKILL crash recovery', () => {
  it('keeps every acknowledged transaction and never half-applies one, over 200+ kills', async function () {
    this.timeout(240_000);
    const result = await runCrashCampaign({ kills: 201, lanes: 3, seed: 20_261_125, writers: 4 });
    assert.ok(result.kills >= 200, `${result.kills} kills`);
    // The campaign must have exercised both kinds of kill point, and real acknowledged work.
    assert.ok(result.killedBeforeReady > 0, 'no kill landed during start-up and recovery');
    assert.ok(result.acknowledged > result.kills, `only ${result.acknowledged} acknowledgements`);
  });
});

describe('store: one process per database', () => {
  it('refuses to open or drop a database another live process has open', async function () {
    this.timeout(30_000);
    const directory = await mkdtemp(join(tmpdir(), 'catrust-lock-'));
    const child = spawn(process.execPath, [...childArgs(), directory, '1', '1'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (chunk: string) => {
          if (chunk.includes('ready')) resolve();
        });
        child.on('exit', (code) => reject(new Error(`child exited with ${code}`)));
      });
      const store = await Store.open(directory);
      const locked = (error: unknown): boolean => {
        assert.ok(error instanceof StoreError && error.code === 'E_STORE_LOCKED', String(error));
        assert.match(error.message, new RegExp(`process ${child.pid}`));
        return true;
      };
      await assert.rejects(store.open('crash'), locked);
      await assert.rejects(store.drop('crash'), locked);
      assert.deepEqual(await store.list(), ['crash']);
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      // Its owner gone, the lock is taken over.
      const database = await store.open('crash');
      assert.ok(database.view().hasTable('Log'));
      await store.drop('crash');
      assert.deepEqual(await store.list(), []);
      await store.close();
    } finally {
      child.kill('SIGKILL');
      await rm(directory, { recursive: true, force: true });
    }
  });
});
