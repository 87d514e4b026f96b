/**
 * MemoryTable and column vectors: scans skip deleted rows, lazy indexes agree with a brute-force
 * filter after inserts and deletes (property), fetches give NULL for missing rows, vectors
 * round-trip through the builder (Ints past 2^53 included).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import fc from 'fast-check';
import type { Value } from '../../common/index.js';
import { MemoryTable } from '../../planner/index.js';
import {
  concatVectors,
  gather,
  vectorFromValues,
  vectorValues,
} from '../../planner/data/vector.js';

function scanned(table: MemoryTable, columns: number[]): Value[][] {
  const rows: Value[][] = [];
  for (const batch of table.scan(columns, 8)) {
    for (let row = 0; row < batch.length; row++) {
      rows.push(batch.columns.map((vector) => vectorValues(vector)[row] ?? null));
    }
  }
  return rows;
}

describe('planner memory tables and vectors', () => {
  it('indexes agree with a scan after inserts and deletes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.integer({ min: -5, max: 5 }), { nil: null }), { maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.integer({ min: -6, max: 6 }),
        fc.integer({ min: -6, max: 6 }),
        (values, deletions, probe, other) => {
          const table = new MemoryTable('T', [{ name: 'v', type: 'Int' }]);
          for (const value of values) table.insert([value]);
          const firstLookup = table.lookupEqual(1, probe);
          void firstLookup;
          for (const deletion of deletions)
            if (values.length > 0) table.delete(deletion % values.length);
          const active = scanned(table, [0, 1]) as [number, number | null][];
          const equal = active.filter(([, value]) => value === probe).map(([id]) => id);
          assert.deepEqual([...table.lookupEqual(1, probe)], equal);
          const [low, high] = probe <= other ? [probe, other] : [other, probe];
          const inRange = active
            .filter(([, value]) => value !== null && value >= low && value < high)
            .sort((a, b) => a[1]! - b[1]! || a[0] - b[0])
            .map(([id]) => id);
          assert.deepEqual(
            [
              ...table.lookupRange(
                1,
                { value: low, inclusive: true },
                { value: high, inclusive: false },
              ),
            ],
            inRange,
          );
          assert.equal(table.rowCount(), active.length);
        },
      ),
      { numRuns: 300, seed: 3 },
    );
  });

  it('fetches NULL for deleted and missing rows', () => {
    const table = new MemoryTable('T', [{ name: 's', type: 'String' }]);
    table.insert(['a']);
    table.insert(['b']);
    table.delete(0);
    const batch = table.fetch(Uint32Array.of(0, 1, 7), 3, [0, 1]);
    assert.deepEqual(vectorValues(batch.columns[0]!), [null, 1, null]);
    assert.deepEqual(vectorValues(batch.columns[1]!), [null, 'b', null]);
  });

  it('round-trips values through vectors, gathers and concatenation', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.option(
            fc.oneof(
              fc.integer(),
              fc
                .bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })
                .filter((big) => big > 2n ** 53n || big < -(2n ** 53n)),
            ),
            { nil: null },
          ),
          { maxLength: 40 },
        ),
        (values) => {
          const vector = vectorFromValues('Int', values);
          assert.deepEqual(vectorValues(vector), values);
          const reversed = Int32Array.from(values.map((_, index) => values.length - 1 - index));
          assert.deepEqual(vectorValues(gather(vector, reversed)), [...values].reverse());
          assert.deepEqual(vectorValues(concatVectors('Int', [vector, vector])), [
            ...values,
            ...values,
          ]);
        },
      ),
      { numRuns: 200, seed: 9 },
    );
  });
});
