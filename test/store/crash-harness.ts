/**
 * Kill-and-recover campaigns for the crash test (test/store/crash.test.ts, 200+ kill points) and
 * bench/store-crash.ts (1,000+). Each lane is one data directory: a child process writes with
 * acknowledgements, the parent SIGKILLs it at a random moment — during recovery and start-up
 * or while commits are in flight — then recovers the database itself and checks it against the
 * in-memory model: every acknowledged transaction present, nothing else half-applied (the
 * recovered state is exactly the model after P whole transactions, P ≥ the last ack).
 */
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMemoryDatabase, Store, type Database } from '../../store/index.js';
import { CRASH_TABLES, dumpDatabase, random, workloadTransaction } from './crash-workload.js';

export interface CampaignOptions {
  readonly kills: number;
  readonly lanes: number;
  readonly seed: number;
  /** Concurrent committers in each child. */
  readonly writers: number;
}

export interface CampaignResult {
  readonly kills: number;
  /** Acknowledgements the children sent before they were killed. */
  readonly acknowledged: number;
  /** Transactions recovered beyond the last acknowledgement (committed, ack not yet sent). */
  readonly unacknowledgedRecovered: number;
  readonly tornTails: number;
  readonly killedBeforeReady: number;
  readonly elapsedMs: number;
}

/** The child next to this file: compiled JavaScript, or TypeScript under tsx. */
export function childArgs(): string[] {
  const here = fileURLToPath(import.meta.url);
  return here.endsWith('.js')
    ? [join(dirname(here), 'crash-child.js')]
    : ['--import', 'tsx/esm', join(dirname(here), 'crash-child.ts')];
}

interface Run {
  readonly lastAck: number;
  /** Acknowledgements received. */
  readonly acks: number;
  readonly ready: boolean;
}

/** Start a child, kill it after a random moment, report what it acknowledged. */
function runChild(
  directory: string,
  seed: number,
  writers: number,
  next: () => number,
  passphrase: string | undefined,
): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      [
        ...childArgs(),
        directory,
        String(seed),
        String(writers),
        ...(passphrase === undefined ? [] : [passphrase]),
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let lastAck = 0;
    let acks = 0;
    let ready = false;
    let buffered = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const kill = (): void => {
      child.kill('SIGKILL');
    };
    // One kill in six lands at a random moment of start-up and recovery.
    if (next() < 1 / 6) timer = setTimeout(kill, next() * 250);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.startsWith('ready')) {
          ready = true;
          if (timer === undefined) timer = setTimeout(kill, 2 + next() * 60);
        } else if (line.startsWith('ack ')) {
          lastAck = Math.max(lastAck, Number(line.slice(4)));
          acks++;
        }
        newline = buffered.indexOf('\n');
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      if (signal !== 'SIGKILL') {
        reject(new Error(`crash child exited with ${code ?? signal}: ${stderr}`));
        return;
      }
      resolvePromise({ lastAck, acks, ready });
    });
  });
}

interface LaneState {
  readonly model: Database;
  applied: number;
}

async function advanceModel(lane: LaneState, target: number, seed: number): Promise<void> {
  while (lane.applied < target) {
    await lane.model.write((transaction) => workloadTransaction(transaction, seed));
    lane.applied++;
  }
}

/** Kills against one directory before a lane starts a fresh one (keeps replays short). */
const KILLS_PER_DIRECTORY = 8;

async function runEpisode(
  kills: number,
  seed: number,
  writers: number,
  next: () => number,
  passphrase: string | undefined,
  totals: { acknowledged: number; extra: number; torn: number; early: number },
): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'catrust-crash-'));
  const lane: LaneState = { model: createMemoryDatabase('model', CRASH_TABLES), applied: 0 };
  const store = await Store.open(directory);
  try {
    let acknowledged = 0;
    for (let kill = 0; kill < kills; kill++) {
      const run = await runChild(directory, seed, writers, next, passphrase);
      if (!run.ready) totals.early++;
      acknowledged = Math.max(acknowledged, run.lastAck);
      if (!(await store.has('crash'))) {
        assert.equal(acknowledged, 0, 'acknowledged writes but no database');
        continue;
      }
      let database: Database;
      try {
        database = await store.open('crash', { passphrase });
      } catch (error) {
        throw new Error(`seed ${seed}: recovery failed after kill ${kill}: ${String(error)}`, {
          cause: error,
        });
      }
      try {
        if (database.recovery!.tornTailBytes > 0) totals.torn++;
        const present = database.view().hasTable('Log') ? database.table('Log').rowCount : 0;
        assert.ok(
          present >= acknowledged,
          `seed ${seed} kill ${kill}: ${present} transactions recovered, ${acknowledged} acknowledged`,
        );
        totals.extra += present - acknowledged;
        await advanceModel(lane, present, seed);
        if (database.view().hasTable('Log')) {
          assert.deepEqual(
            dumpDatabase(database),
            dumpDatabase(lane.model),
            `seed ${seed} kill ${kill}`,
          );
        }
        totals.acknowledged += run.acks;
        acknowledged = present;
      } finally {
        await database.close();
      }
    }
  } finally {
    await store.close();
    await rm(directory, { recursive: true, force: true });
  }
}

async function runLane(
  kills: number,
  seed: number,
  writers: number,
  passphrase: string | undefined,
  totals: { acknowledged: number; extra: number; torn: number; early: number },
): Promise<void> {
  const next = random(seed);
  for (let episode = 0; kills > 0; episode++) {
    const episodeKills = Math.min(kills, KILLS_PER_DIRECTORY);
    await runEpisode(episodeKills, seed * 7919 + episode, writers, next, passphrase, totals);
    kills -= episodeKills;
  }
}

export async function runCrashCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const started = Date.now();
  const totals = { acknowledged: 0, extra: 0, torn: 0, early: 0 };
  const perLane = Math.ceil(options.kills / options.lanes);
  await Promise.all(
    Array.from({ length: options.lanes }, (_, lane) =>
      // Every third lane writes an encrypted database (and rotates its key now and then).
      runLane(
        perLane,
        options.seed + lane,
        options.writers,
        lane % 3 === 2 ? `crash passphrase ${lane}` : undefined,
        totals,
      ),
    ),
  );
  return {
    kills: perLane * options.lanes,
    acknowledged: totals.acknowledged,
    unacknowledgedRecovered: totals.extra,
    tornTails: totals.torn,
    killedBeforeReady: totals.early,
    elapsedMs: Date.now() - started,
  };
}
