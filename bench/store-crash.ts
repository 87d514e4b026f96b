/**
 * The store's long crash campaign: `node .tmp/store-dist/bench/store-crash.js [kills] [lanes] [seed]`
 * (default 1,000 kills over 3 lanes) — child processes writing with acknowledgements are
 * SIGKILLed at random moments and every recovery is checked against an in-memory model
 * (test/store/crash-harness.ts). Prints one line of counts and the time taken.
 */
import { runCrashCampaign } from '../test/store/crash-harness.js';

const kills = Number(process.argv[2] ?? '1000');
const lanes = Number(process.argv[3] ?? '3');
const seed = Number(process.argv[4] ?? String(Date.now() % 1_000_000));
const result = await runCrashCampaign({ kills, lanes, seed, writers: 4 });
process.stdout.write(
  `store-crash seed=${seed} kills=${result.kills} acknowledged=${result.acknowledged} ` +
    `recovered-unacknowledged=${result.unacknowledgedRecovered} killed-before-ready=${result.killedBeforeReady} ` +
    `torn-tails=${result.tornTails} elapsed=${(result.elapsedMs / 1000).toFixed(1)}s ` +
    `(${(result.elapsedMs / result.kills).toFixed(0)} ms/kill): every recovery matched the model\n`,
);
