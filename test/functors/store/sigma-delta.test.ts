/**
 * sigma_delta ≡ full Σ: on random programs whose target U has a path equation (so Σ_G merges
 * rows, also rows of earlier batches), random batches of rows are inserted into the source
 * tables (schema T) of two databases; after each batch one runs `sigmaDeltaInStore`, the other a
 * full `sigmaInStore`. The results read back are isomorphic (up to row ids and labelled-null
 * names), both agree with the in-memory Σ, and every sigma_delta after the first is incremental
 * (only inserts happened). Labelled nulls shared across batches exercise the label resolutions.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Schema } from '../../../catalog/index.js';
import { sigma, sigmaDeltaInStore, sigmaInStore } from '../../../planner/functors/index.js';
import { schemaTableDefinitions } from '../../../planner/index.js';
import {
  createMemoryDatabase,
  labelledNull,
  type Database,
  type RowInput,
} from '../../../store/index.js';
import { createRandom } from '../../cql/random-program.js';
import { canonicalForm } from './canonical.js';
import { attempt, inTransaction, mappingOf, randomProgram, schemaOf, stored } from './helpers.js';

const RUNS = 300;
const VALUES = ['c0', 'c1', 'c2', 'v3'];
const LABELS = ['L0', 'L1', 'L2'];

/** One batch of random rows for the entities of `schema` (targets first), as row inputs. */
export function randomBatch(
  schema: Schema,
  database: Database,
  random: () => number,
  rowsMax: number,
): [string, RowInput[]][] {
  const view = database.view();
  const batch: [string, RowInput[]][] = [];
  const added = new Map<string, number>();
  // Foreign keys go from Ti to Tj with i < j: insert the later entities first.
  for (const entity of [...schema.entities].reverse()) {
    const count = Math.floor(random() * (rowsMax + 1));
    const rows: RowInput[] = [];
    for (let index = 0; index < count; index++) {
      const row: Record<string, RowInput[string]> = {};
      let possible = true;
      for (const fk of schema.foreignKeysOf(entity.name)) {
        const table = view.table(fk.target);
        const candidates = [...table.activeRowIds()];
        const fresh = added.get(fk.target) ?? 0;
        for (let extra = 0; extra < fresh; extra++) candidates.push(table.rowCount + extra);
        if (candidates.length === 0) {
          possible = false;
          break;
        }
        row[fk.name] = candidates[Math.floor(random() * candidates.length)];
      }
      if (!possible) break;
      for (const attribute of schema.attributesOf(entity.name)) {
        const roll = random();
        row[attribute.name] =
          roll < 0.6
            ? VALUES[Math.floor(random() * VALUES.length)]
            : roll < 0.85
              ? labelledNull(LABELS[Math.floor(random() * LABELS.length)] as string)
              : null;
      }
      rows.push(row);
    }
    added.set(entity.name, rows.length);
    if (rows.length > 0) batch.push([entity.name, rows]);
  }
  return batch;
}

async function insertBatch(database: Database, batch: [string, RowInput[]][]): Promise<void> {
  const transaction = await database.begin();
  for (const [entity, rows] of batch) transaction.insertRows(entity, rows);
  await transaction.commit();
}

function isomorphic(
  a: ReturnType<typeof stored>,
  b: ReturnType<typeof stored>,
  what: string,
): void {
  assert.equal(canonicalForm(b), canonicalForm(a), what);
}

describe('functors on the store: sigma_delta', () => {
  it('after each batch of inserts, sigma_delta ≅ full Σ ≅ in-memory Σ, incrementally', async () => {
    let incrementalRuns = 0;
    let mergedRuns = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 2, max: 5 }),
        async (programSeed, dataSeed, batches) => {
          const program = randomProgram(programSeed, true);
          const g = mappingOf(program, 'G');
          const source = schemaOf(program, 'T');
          const target = schemaOf(program, 'U');
          const random = createRandom(dataSeed);
          const incremental = createMemoryDatabase('incremental', schemaTableDefinitions(source));
          const full = createMemoryDatabase('full', schemaTableDefinitions(source));
          let checkpointed = false;
          for (let round = 0; round < batches; round++) {
            const batch = randomBatch(source, incremental, random, 4);
            await insertBatch(incremental, batch);
            await insertBatch(full, batch);
            const expected = attempt(() => sigma(g, stored(full, source)));
            const byDelta = await inTransaction(incremental, (transaction) =>
              sigmaDeltaInStore(transaction, g),
            );
            const byFull = await inTransaction(full, (transaction) => sigmaInStore(transaction, g));
            const what = `program ${programSeed}, data ${dataSeed}, round ${round}`;
            if (typeof expected === 'string') {
              assert.equal(byDelta, expected, what);
              assert.equal(byFull, expected, what);
              continue;
            }
            assert.ok(typeof byDelta !== 'string', `${what}: sigma_delta failed with ${byDelta}`);
            assert.ok(typeof byFull !== 'string', `${what}: Σ failed with ${byFull}`);
            assert.equal(byDelta.incremental, checkpointed, `${what}: ${byDelta.reason}`);
            if (byDelta.incremental) incrementalRuns++;
            if (Object.values(byDelta.entity_stats).some((stats) => stats.merged > 0)) mergedRuns++;
            checkpointed = true;
            isomorphic(expected, stored(full, target), `full Σ, ${what}`);
            isomorphic(stored(full, target), stored(incremental, target), `sigma_delta, ${what}`);
          }
        },
      ),
      { numRuns: RUNS, seed: 64 },
    );
    assert.ok(incrementalRuns > RUNS, `only ${incrementalRuns} incremental runs`);
    assert.ok(mergedRuns > 10, `only ${mergedRuns} runs merged rows`);
  });
});
