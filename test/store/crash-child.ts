/**
 * The crash test's child process: `crash-child <data directory> <seed> <writers> [passphrase]`. Opens (or
 * creates) database `crash`, prints `ready <lsn>`, then runs workload transactions with
 * `writers` concurrent committers forever, printing `ack <n>` once transaction n is durable.
 * The parent SIGKILLs it at a random moment. Between commits it also begins, writes and rolls
 * back a transaction now and then (which must leave no trace), and compactions and snapshots
 * run beside the writers (a kill may land in the middle of one) — and, when the database is
 * encrypted, key rotations (to the same passphrase with a new salt).
 */
import { Store } from '../../store/index.js';
import { CRASH_KEY_COSTS, CRASH_TABLES, random, workloadTransaction } from './crash-workload.js';

const [directory, seedText, writersText, passphrase] = process.argv.slice(2);
const seed = Number(seedText);
const writers = Number(writersText ?? '1');
const store = await Store.open(directory!);
const database = (await store.has('crash'))
  ? await store.open('crash', { passphrase })
  : await store.create('crash', CRASH_TABLES, { passphrase, keyDerivation: CRASH_KEY_COSTS });
// A kill between creating the database and committing its tables leaves it empty.
if (!database.view().hasTable('Log')) await database.createTables(CRASH_TABLES);
process.stdout.write(`ready ${database.lsn}\n`);

const noise = random(seed ^ process.pid);

async function writer(): Promise<void> {
  for (;;) {
    if (noise() < 0.1) {
      const discarded = await database.begin();
      workloadTransaction(discarded, seed + 1);
      discarded.rollback();
    }
    let number = 0;
    await database.write((transaction) => {
      number = workloadTransaction(transaction, seed);
    });
    process.stdout.write(`ack ${number}\n`);
  }
}

/** Now and then a compaction or a snapshot runs beside the writers: kills land in them too. */
async function maintainer(): Promise<void> {
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 5 + noise() * 30));
    const choice = noise();
    if (passphrase !== undefined && choice < 0.3) {
      await database.rotateKey(passphrase, CRASH_KEY_COSTS);
    } else if (choice < 0.65) {
      await database.compact();
    } else {
      await database.snapshot();
    }
  }
}

await Promise.all([maintainer(), ...Array.from({ length: writers }, () => writer())]);
