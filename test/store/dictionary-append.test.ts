/**
 * Bulk appends of dictionary codes that index another column's store dictionary (as a scan
 * hands it out): the same rows as appending the strings themselves, across repeated appends
 * (the kept translation), a source dictionary that grew in between, rollbacks, NULLs and
 * labelled nulls, checks of Uuid/Decimal targets, and recovery from the WAL of a plain and an
 * encrypted database.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, it } from 'mocha';
import {
  createMemoryDatabase,
  labelledNull,
  scalarColumn,
  Store,
  StoreError,
  tableDefinition,
  type Database,
  type Transaction,
} from '../../store/index.js';
import { dumpDatabase } from './crash-workload.js';

const FAST = { memoryKiB: 64, iterations: 1 };

const tables = [
  tableDefinition('Src', [scalarColumn('s', 'String')]),
  tableDefinition('Dst', [scalarColumn('s', 'String'), scalarColumn('n', 'Int')]),
  tableDefinition('Ids', [scalarColumn('id', 'Uuid'), scalarColumn('amount', 'Decimal')]),
  tableDefinition('Req', [scalarColumn('s', 'String', { notNull: true })]),
];

/** Append `strings` to Src; the column's store dictionary (distinct strings, first use order). */
function sourceDictionary(transaction: Transaction, strings: readonly string[]): readonly string[] {
  transaction.appendColumns('Src', { s: strings });
  return transaction.view.table('Src').column('s').dictionary as readonly string[];
}

function validityOf(nulls: readonly boolean[]): Uint8Array | undefined {
  if (!nulls.some((isNull) => isNull)) return undefined;
  const validity = new Uint8Array(Math.ceil(nulls.length / 8)).fill(0xff);
  nulls.forEach((isNull, index) => {
    if (isNull) validity[index >>> 3] = validity[index >>> 3]! & ~(1 << (index & 7));
  });
  return validity;
}

function column(database: Database, entity: string, name: string): unknown[] {
  return [...database.view().table(entity).rows({ labels: true })].map((row) => row.values[name]);
}

function storeError(code: string, pattern?: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof StoreError, `expected a StoreError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (pattern !== undefined) assert.match(error.message, pattern);
    return true;
  };
}

describe('store: appending codes of a store dictionary', () => {
  it('gives the same rows as appending the strings (property, repeated appends)', async () => {
    const word = fc
      .array(fc.constantFrom('a', 'b', 'c', 'é', '😀'), { maxLength: 3 })
      .map((letters) => letters.join(''));
    const batch = fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 90 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(word, { minLength: 1, maxLength: 12 }),
        fc.array(word, { maxLength: 6 }),
        fc.array(batch, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        async (initial, later, batches, rollBackFirst) => {
          const coded = createMemoryDatabase('coded', tables);
          const plain = createMemoryDatabase('plain', tables);
          for (const [index, rows] of batches.entries()) {
            const transaction = await coded.begin();
            // The source grows between appends (the kept translation must grow with it).
            const dictionary = sourceDictionary(transaction, index === 0 ? initial : later);
            const codes = Uint32Array.from(rows, ([pick]) => pick % dictionary.length);
            const validity = validityOf(rows.map(([, isNull]) => isNull));
            const strings = Array.from(codes, (code, offset) =>
              rows[offset]![1] ? null : dictionary[code]!,
            );
            if (index === 0 && rollBackFirst) {
              transaction.appendColumns('Dst', { s: { codes, dictionary, validity } });
              transaction.rollback();
              continue;
            }
            transaction.appendColumns('Dst', { s: { codes, dictionary, validity } });
            await transaction.commit();
            const other = await plain.begin();
            other.appendColumns('Src', { s: index === 0 ? initial : later });
            other.appendColumns('Dst', { s: strings });
            await other.commit();
          }
          assert.deepEqual(column(coded, 'Dst', 's'), column(plain, 'Dst', 's'));
          assert.deepEqual(dumpDatabase(coded), dumpDatabase(plain));
        },
      ),
      { seed: 6106, numRuns: 120 },
    );
  });

  it('appends a column its own codes, and keeps NULLs and labelled nulls', async () => {
    const database = createMemoryDatabase('own', tables);
    await database.appendColumns('Dst', { s: ['x', 'y', 'z'] });
    const transaction = await database.begin();
    const own = transaction.view.table('Dst').column('s').dictionary as readonly string[];
    const range = transaction.appendColumns('Dst', {
      s: {
        codes: Uint32Array.of(2, 7, 0, 1),
        dictionary: own,
        validity: validityOf([false, true, false, false]),
      },
      n: new Float64Array([1, 2, 3, 4]),
    });
    transaction.update('Dst', range.first + 3, { s: labelledNull('r.s') });
    await transaction.commit();
    assert.deepEqual(column(database, 'Dst', 's'), [
      'x',
      'y',
      'z',
      'z',
      null,
      'x',
      labelledNull('r.s'),
    ]);
  });

  it('checks and canonicalises entries for a Uuid or Decimal column, naming the row', async () => {
    const database = createMemoryDatabase('ids', tables);
    const good = '123E4567-E89B-12D3-A456-426614174000';
    const transaction = await database.begin();
    const dictionary = sourceDictionary(transaction, [good, '12.50', 'not-a-uuid', '-0']);
    assert.throws(
      () =>
        transaction.appendColumns('Ids', {
          id: { codes: Uint32Array.of(0, 0, 2), dictionary },
        }),
      (error: unknown) => {
        storeError('E_STORE_TYPE', /Uuid/)(error);
        assert.deepEqual((error as StoreError).details, { entity: 'Ids', row: 2, attribute: 'id' });
        return true;
      },
    );
    assert.equal(transaction.view.table('Ids').rowCount, 0);
    // The entries translated before the error stay right for the next append.
    transaction.appendColumns('Ids', {
      id: { codes: Uint32Array.of(0, 0), dictionary },
      amount: { codes: Uint32Array.of(1, 3), dictionary },
    });
    await transaction.commit();
    assert.deepEqual(column(database, 'Ids', 'id'), [good.toLowerCase(), good.toLowerCase()]);
    assert.deepEqual(column(database, 'Ids', 'amount'), ['12.5', '0']);
    await assert.rejects(
      database.appendColumns('Req', {
        s: { codes: Uint32Array.of(0, 0), dictionary, validity: validityOf([false, true]) },
      }),
      storeError('E_STORE_NOT_NULL'),
    );
  });

  describe('on files', () => {
    let directory: string;
    let store: Store;

    beforeEach(async () => {
      directory = await mkdtemp(join(tmpdir(), 'catrust-dict-append-'));
      store = await Store.open(directory);
    });

    afterEach(async () => {
      await store.close();
      await rm(directory, { recursive: true, force: true });
    });

    for (const encrypted of [false, true]) {
      it(`recovers the same table from the WAL${encrypted ? ' (encrypted)' : ''}`, async () => {
        const options = encrypted ? { passphrase: 'pass', keyDerivation: FAST } : {};
        const database = await store.create('db', tables, options);
        const rows = 5000;
        for (let round = 0; round < 2; round++) {
          const transaction = await database.begin();
          const strings = Array.from({ length: 700 }, (_, index) => `s${round}-${index}`);
          const dictionary = sourceDictionary(transaction, strings);
          const codes = new Uint32Array(rows).map((_, index) => (index * 7919) % dictionary.length);
          const nulls = Array.from({ length: rows }, (_, index) => index % 97 === 3);
          const range = transaction.appendColumns('Dst', {
            s: { codes, dictionary, validity: validityOf(nulls) },
          });
          transaction.update('Dst', [range.first + 5, range.first + 4000], {
            s: labelledNull(`r${round}.s`),
          });
          await transaction.commit();
        }
        const before = dumpDatabase(database);
        const dst = before['Dst']!;
        assert.equal(dst.length, 2 * rows);
        assert.equal(dst[3]![1]['s'], null);
        assert.deepEqual(dst[5]![1]['s'], labelledNull('r0.s'));
        const code = (6 * 7919) % 1400;
        assert.equal(dst[rows + 6]![1]['s'], code < 700 ? `s0-${code}` : `s1-${code - 700}`);
        await database.close();
        const reopened = await store.open('db', encrypted ? { passphrase: 'pass' } : {});
        assert.deepEqual(dumpDatabase(reopened), before);
        await reopened.close();
      });
    }
  });
});
