/**
 * Σ, Δ, Π through the store are the in-memory functors (the store is not a second semantics):
 * on random migration programs (random-migration.ts, with and without path equations that make
 * Σ merge rows), the instance read back from the store after `sigmaInStore` / `deltaInStore` /
 * `piInStore` is isomorphic to the in-memory functor's result on the same rows, or both fail
 * with the same error code. Σ is chained (Σ_G of the stored Σ_F) so that Σ also reads rows that
 * a Σ created, with their labelled nulls.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  delta,
  deltaInStore,
  pi,
  piInStore,
  sigma,
  sigmaInStore,
} from '../../../planner/functors/index.js';
import type { SaturatedInstance } from '../../../catalog/index.js';
import { isomorphismObstacle } from '../isomorphism.js';
import {
  attempt,
  databaseWith,
  inTransaction,
  instanceOf,
  mappingOf,
  randomProgram,
  schemaOf,
  stored,
} from './helpers.js';

const RUNS = 60;
const seeds = fc.integer({ min: 1, max: 1_000_000 });

function same(
  expected: SaturatedInstance | string,
  actual: SaturatedInstance | string,
  what: string,
): void {
  if (typeof expected === 'string' || typeof actual === 'string') {
    assert.equal(actual, expected, what);
    return;
  }
  const obstacle = isomorphismObstacle(expected, actual);
  assert.equal(obstacle, undefined, `${what}: ${obstacle}`);
}

describe('functors on the store: Σ, Δ, Π ≡ in memory', () => {
  it('Σ_F and then Σ_G in the store give the in-memory Σ_F and Σ_G ∘ Σ_F', async () => {
    await fc.assert(
      fc.asyncProperty(seeds, fc.boolean(), async (seed, pathEquations) => {
        const program = randomProgram(seed, pathEquations);
        const input = instanceOf(program, 'I');
        const f = mappingOf(program, 'F');
        const g = mappingOf(program, 'G');
        const database = await databaseWith(input);
        const expected = attempt(() => sigma(f, input));
        const outcome = await inTransaction(database, (transaction) =>
          sigmaInStore(transaction, f),
        );
        const actual =
          typeof outcome === 'string' ? outcome : stored(database, schemaOf(program, 'T'));
        same(expected, actual, `Σ_F, seed ${seed}`);
        if (typeof expected === 'string') return;
        const expectedG = attempt(() => sigma(g, expected));
        const outcomeG = await inTransaction(database, (transaction) =>
          sigmaInStore(transaction, g),
        );
        const actualG =
          typeof outcomeG === 'string' ? outcomeG : stored(database, schemaOf(program, 'U'));
        same(expectedG, actualG, `Σ_G Σ_F, seed ${seed}`);
      }),
      { numRuns: RUNS, seed: 61 },
    );
  });

  it('Δ_G and then Δ_F in the store give the in-memory Δ_G and Δ_F ∘ Δ_G', async () => {
    await fc.assert(
      fc.asyncProperty(seeds, async (seed) => {
        const program = randomProgram(seed, false);
        const input = instanceOf(program, 'K');
        const f = mappingOf(program, 'F');
        const g = mappingOf(program, 'G');
        const database = await databaseWith(input);
        const expected = delta(g, input);
        await inTransaction(database, (transaction) => deltaInStore(transaction, g));
        same(expected, stored(database, schemaOf(program, 'T')), `Δ_G, seed ${seed}`);
        await inTransaction(database, (transaction) => deltaInStore(transaction, f));
        same(delta(f, expected), stored(database, schemaOf(program, 'S')), `Δ_F, seed ${seed}`);
      }),
      { numRuns: RUNS, seed: 62 },
    );
  });

  it('Π_F in the store gives the in-memory Π_F', async () => {
    await fc.assert(
      fc.asyncProperty(seeds, async (seed) => {
        const program = randomProgram(seed, false);
        const input = instanceOf(program, 'I');
        const f = mappingOf(program, 'F');
        const database = await databaseWith(input);
        const expected = attempt(() => pi(f, input));
        const outcome = await inTransaction(database, (transaction) => piInStore(transaction, f));
        const actual =
          typeof outcome === 'string' ? outcome : stored(database, schemaOf(program, 'T'));
        same(expected, actual, `Π_F, seed ${seed}`);
      }),
      { numRuns: RUNS, seed: 63 },
    );
  });
});
