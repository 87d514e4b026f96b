/**
 * SIGKILL crash test: 200+ kill points across lanes of child processes writing with
 * acknowledgements (see crash-harness.ts). bench/store-crash.ts runs the same campaign with
 * 1,000+ kills.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { runCrashCampaign } from './crash-harness.js';

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
