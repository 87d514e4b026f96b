/**
 * Property test: random sequences of inserts, updates, deletes and transactions (committed or
 * rolled back, with failing calls inside) against a simple reference model. The live store and
 * the store reopened from its WAL, compacted, reopened from the compacted WAL and restored from
 * a snapshot must all equal the model.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, it } from 'mocha';
import {
  scalarColumn,
  Store,
  StoreError,
  tableDefinition,
  type Database,
  type Transaction,
} from '../../store/index.js';

const TABLE = tableDefinition('T', [
  scalarColumn('a', 'Int'),
  scalarColumn('s', 'String', { notNull: true }),
  scalarColumn('f', 'Float'),
  scalarColumn('b', 'Bool'),
]);

type Row = {
  a: number | bigint | null;
  s: string;
  f: number | null;
  b: boolean | null;
};

type Write =
  | { kind: 'insert'; row: Row }
  | { kind: 'insertBad' }
  | { kind: 'update'; pick: number; a: number | bigint | null; f: number | null }
  | { kind: 'delete'; pick: number };

type Step =
  { kind: 'autocommit'; write: Write } | { kind: 'transaction'; writes: Write[]; commit: boolean };

const rowArbitrary: fc.Arbitrary<Row> = fc.record({
  a: fc.oneof(
    fc.constant(null),
    fc.integer({ min: -1000, max: 1000 }),
    fc
      .bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })
      .filter((v) => v > 2n ** 53n || v < -(2n ** 53n)),
  ),
  s: fc.string({ maxLength: 6 }),
  f: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }),
  b: fc.option(fc.boolean(), { nil: null }),
});

const writeArbitrary: fc.Arbitrary<Write> = fc.oneof(
  { weight: 4, arbitrary: rowArbitrary.map((row): Write => ({ kind: 'insert', row })) },
  { weight: 1, arbitrary: fc.constant<Write>({ kind: 'insertBad' }) },
  {
    weight: 2,
    arbitrary: fc
      .record({
        pick: fc.nat(),
        a: fc.option(fc.integer({ min: -5, max: 5 }), { nil: null }),
        f: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }),
      })
      .map((update): Write => ({ kind: 'update', ...update })),
  },
  { weight: 2, arbitrary: fc.nat().map((pick): Write => ({ kind: 'delete', pick })) },
);

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  writeArbitrary.map((write): Step => ({ kind: 'autocommit', write })),
  fc
    .record({ writes: fc.array(writeArbitrary, { maxLength: 8 }), commit: fc.boolean() })
    .map((transaction): Step => ({ kind: 'transaction', ...transaction })),
);

/** The model: row id → row, undefined once deleted. */
type Model = (Row | undefined)[];

function normalise(value: number | bigint | null): number | bigint | null {
  if (typeof value === 'bigint' && value >= -(2n ** 53n) + 1n && value <= 2n ** 53n - 1n) {
    return Number(value);
  }
  return value;
}

function activeIds(model: Model): number[] {
  return model.flatMap((row, id) => (row === undefined ? [] : [id]));
}

/** Apply one write to a transaction and the model (the model copy of the transaction). */
function applyWrite(transaction: Transaction, model: Model, write: Write): void {
  switch (write.kind) {
    case 'insert': {
      const id = transaction.insert('T', write.row);
      assert.equal(id, model.length);
      model.push({ ...write.row, a: normalise(write.row.a) });
      return;
    }
    case 'insertBad':
      assert.throws(
        () => transaction.insert('T', { s: null }),
        (error: unknown) => error instanceof StoreError && error.code === 'E_STORE_NOT_NULL',
      );
      return;
    case 'update': {
      const ids = activeIds(model);
      if (ids.length === 0) return;
      const id = ids[write.pick % ids.length]!;
      transaction.update('T', id, { a: write.a, f: write.f });
      model[id] = { ...model[id]!, a: write.a, f: write.f };
      return;
    }
    case 'delete': {
      const ids = activeIds(model);
      if (ids.length === 0) return;
      const id = ids[write.pick % ids.length]!;
      transaction.delete('T', id);
      model[id] = undefined;
      return;
    }
  }
}

async function run(database: Database, model: Model, steps: readonly Step[]): Promise<void> {
  for (const step of steps) {
    const transaction = await database.begin();
    const draft = [...model];
    const writes = step.kind === 'autocommit' ? [step.write] : step.writes;
    for (const write of writes) applyWrite(transaction, draft, write);
    if (step.kind === 'transaction' && !step.commit) {
      transaction.rollback();
      continue;
    }
    await transaction.commit();
    model.splice(0, model.length, ...draft);
  }
}

function assertEqualsModel(database: Database, model: Model, what: string): void {
  const table = database.table('T');
  assert.equal(table.rowCount, model.length, `${what}: row count`);
  for (let id = 0; id < model.length; id++) {
    const expected = model[id];
    const actual = table.row(id);
    assert.deepEqual(
      actual,
      expected === undefined ? undefined : { ...expected },
      `${what}: row ${id}`,
    );
  }
}

async function checkHistories(encrypted: boolean, numRuns: number): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'catrust-model-'));
  const store = await Store.open(directory);
  const passphrase = encrypted ? 'model passphrase' : undefined;
  let counter = 0;
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArbitrary, { maxLength: 25 }), async (steps) => {
        const name = `db${counter++}`;
        const database = await store.create(name, [TABLE], {
          passphrase,
          keyDerivation: { memoryKiB: 64, iterations: 1 },
        });
        const model: Model = [];
        await run(database, model, steps);
        assertEqualsModel(database, model, 'live');
        await database.close();
        const reopened = await store.open(name, { passphrase });
        assertEqualsModel(reopened, model, 'reopened');
        await reopened.compact();
        assertEqualsModel(reopened, model, 'compacted');
        await reopened.close();
        const compacted = await store.open(name, { passphrase });
        assertEqualsModel(compacted, model, 'reopened after compaction');
        await compacted.snapshot();
        await compacted.close();
        const restored = await store.open(name, { passphrase });
        assertEqualsModel(restored, model, 'restored from a snapshot');
        await store.drop(name);
      }),
      { numRuns, seed: encrypted ? 4343 : 4242 },
    );
  } finally {
    await store.close();
    await rm(directory, { recursive: true, force: true });
  }
}

describe('store: random histories equal a reference model', () => {
  it('live, reopened, compacted, reopened again and restored from a snapshot', async function () {
    this.timeout(120_000);
    await checkHistories(false, 60);
  });

  it('the same, encrypted', async function () {
    this.timeout(120_000);
    await checkHistories(true, 25);
  });
});
