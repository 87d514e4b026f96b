/**
 * The crash test's workload: transaction number n is a pure function of (seed, n) and the state
 * after transactions 1 .. n − 1. The child process runs it against a durable database; the
 * parent runs the same transactions against an in-memory model, so after a SIGKILL and a
 * recovery the recovered database must equal the model after exactly P transactions, for some P
 * at least the last acknowledged one.
 */
import {
  foreignKeyColumn,
  labelledNull,
  scalarColumn,
  tableDefinition,
  type Database,
  type RowRecord,
  type TableDefinition,
  type Transaction,
} from '../../store/index.js';

export const CRASH_TABLES: readonly TableDefinition[] = [
  tableDefinition('Log', [scalarColumn('tx', 'Int', { notNull: true })]),
  tableDefinition('Item', [
    scalarColumn('tx', 'Int', { notNull: true }),
    scalarColumn('name', 'String'),
    scalarColumn('value', 'Float'),
    scalarColumn('big', 'Int'),
    scalarColumn('day', 'Date'),
    foreignKeyColumn('log', 'Log', { notNull: true }),
  ]),
];

/** Argon2id costs for the crash test's encrypted databases (small: every open derives the key). */
export const CRASH_KEY_COSTS = { memoryKiB: 64, iterations: 1 };

/** A small deterministic PRNG (mulberry32). */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Run the next transaction's writes in `transaction`; returns its number. */
export function workloadTransaction(transaction: Transaction, seed: number): number {
  const view = transaction.view;
  const number = view.table('Log').rowCount + 1;
  const next = random(seed * 1_000_003 + number);
  const log = transaction.insert('Log', { tx: number });
  const roll = next();
  if (roll < 0.1) {
    // A bulk append: the binary WAL encoding.
    const count = 40 + Math.floor(next() * 60);
    const value = new Float64Array(count).map(() => next() * 1000);
    const logs = new Uint32Array(count).fill(log);
    const txs = new Float64Array(count).fill(number);
    transaction.appendColumns('Item', { tx: txs, value, log: logs }, count);
  } else {
    const inserts = 1 + Math.floor(next() * 4);
    for (let index = 0; index < inserts; index++) {
      transaction.insert('Item', {
        tx: number,
        name: next() < 0.2 ? null : `n${Math.floor(next() * 50)}`,
        value: Math.round(next() * 1e6) / 100,
        big:
          next() < 0.1
            ? 2n ** 60n + BigInt(number)
            : next() < 0.1
              ? labelledNull(`i${number}.big`)
              : index,
        day: Math.floor(next() * 40_000) - 10_000,
        log,
      });
    }
  }
  const items = view.table('Item');
  const active = items.activeRowIds();
  if (active.length > 0 && next() < 0.5) {
    const rows = new Set<number>();
    const updates = 1 + Math.floor(next() * 3);
    for (let index = 0; index < updates; index++) {
      rows.add(active[Math.floor(next() * active.length)]!);
    }
    transaction.update('Item', [...rows], { name: `u${number}`, value: number });
  }
  if (active.length > 10 && next() < 0.3) {
    const victim = active[Math.floor(next() * active.length)]!;
    if (items.isActive(victim)) transaction.delete('Item', victim);
  }
  return number;
}

/** Every table's active rows with their ids (labelled nulls as terms): the state to compare. */
export function dumpDatabase(database: Database): Record<string, [number, RowRecord][]> {
  const view = database.view();
  const result: Record<string, [number, RowRecord][]> = {};
  for (const entity of view.entities().sort()) {
    result[entity] = [...view.table(entity).rows({ labels: true })].map((row) => [
      row.id,
      row.values,
    ]);
  }
  return result;
}
