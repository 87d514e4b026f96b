/**
 * The laws of Σ, Δ, Π on random migration programs (random-migration.ts; fast-check draws the
 * seeds): Δ_F∘Δ_G = Δ_{F;G} row for row; identities act as identities (Δ exactly, Σ exactly on a
 * presentation and up to isomorphism on rows); Σ_G∘Σ_F ≅ Σ_{F;G}; Σ of the input's presentation
 * ≅ Σ of its rows' presentation; and Π either evaluates or names why it cannot.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  checkProgramCollecting,
  Mapping,
  saturate,
  type CheckedProgram,
  type SaturatedInstance,
} from '../../catalog/index.js';
import { CatrustError } from '../../common/index.js';
import { parseProgram } from '../../cql/index.js';
import {
  delta,
  functorEvaluator,
  sigma,
  sigmaChase,
  sigmaPresentationOfRows,
} from '../../planner/functors/index.js';
import { isomorphismObstacle } from './isomorphism.js';
import { namedJson, runProgram } from './named-json.js';
import { randomMigration } from './random-migration.js';

const RUNS = 150;
const seeds = fc.integer({ min: 1, max: 1_000_000 });

function check(seed: number): {
  program: CheckedProgram;
  errors: readonly CatrustError[];
  text: string;
} {
  const { text } = randomMigration(seed);
  const result = checkProgramCollecting(parseProgram(text), { evaluator: functorEvaluator() });
  return { program: result.program, errors: result.errors, text };
}

function rows(program: CheckedProgram, name: string): SaturatedInstance {
  const instance = program.instances.get(name);
  assert.ok(instance !== undefined, `no instance ${name}`);
  return instance.rows();
}

function mapping(program: CheckedProgram, name: string): Mapping {
  const found = program.mappings.get(name);
  assert.ok(found !== undefined, `no mapping ${name}`);
  return found;
}

/** Σ's result, or the code of its error. */
function attempt(run: () => SaturatedInstance): SaturatedInstance | string {
  try {
    return run();
  } catch (error) {
    if (error instanceof CatrustError) return error.code;
    throw error;
  }
}

describe('functors: laws on random programs', () => {
  it('the random programs check: Δ always evaluates, Σ evaluates or clashes', () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const { program, errors, text } = check(seed);
        for (const error of errors) {
          assert.ok(
            ['E_INSTANCE_CLASH', 'E_FUNCTOR_UNSUPPORTED'].includes(error.code),
            `${error.message}\n${text}`,
          );
        }
        assert.ok(program.instances.get('DK')?.evaluated, text);
        assert.ok(program.instances.get('DDK')?.evaluated, text);
      }),
      { numRuns: RUNS, seed: 6 },
    );
  });

  it('Δ_F ∘ Δ_G = Δ_{F;G}, row for row', () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const { program, text } = check(seed);
        const composed = mapping(program, 'F').compose(mapping(program, 'G'));
        assert.deepEqual(
          namedJson(delta(composed, rows(program, 'K'))),
          namedJson(rows(program, 'DDK')),
          text,
        );
      }),
      { numRuns: RUNS, seed: 7 },
    );
  });

  it('Δ along an identity is the identity', () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const { program } = check(seed);
        const k = rows(program, 'K');
        assert.deepEqual(namedJson(delta(Mapping.identity(k.schema), k)), namedJson(k));
      }),
      { numRuns: RUNS, seed: 8 },
    );
  });

  it('Σ along an identity is the identity (exactly on the presentation, ≅ on rows)', () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const { program, text } = check(seed);
        const input = program.instances.get('I');
        assert.ok(input !== undefined);
        const identity = Mapping.identity(input.schema);
        const viaPresentation = sigma(identity, input.rows(), { presentation: input.presentation });
        assert.deepEqual(namedJson(viaPresentation), namedJson(input.rows()), text);
        const viaRows = sigma(identity, input.rows());
        assert.equal(isomorphismObstacle(viaRows, input.rows()), undefined, text);
      }),
      { numRuns: RUNS, seed: 9 },
    );
  });

  it('Σ of the presentation ≅ Σ of the rows', () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const { program, text } = check(seed);
        const input = program.instances.get('I');
        assert.ok(input !== undefined);
        const f = mapping(program, 'F');
        const a = attempt(() => sigma(f, input.rows(), { presentation: input.presentation }));
        const b = attempt(() => sigma(f, input.rows()));
        if (typeof a === 'string' || typeof b === 'string') {
          assert.equal(a, b, text);
          return;
        }
        assert.equal(isomorphismObstacle(a, b), undefined, text);
      }),
      { numRuns: RUNS, seed: 10 },
    );
  });

  it('Σ_G ∘ Σ_F ≅ Σ_{F;G}', () => {
    let compared = 0;
    fc.assert(
      fc.property(seeds, (seed) => {
        const { program, text } = check(seed);
        const input = program.instances.get('I');
        assert.ok(input !== undefined);
        const composed = mapping(program, 'F').compose(mapping(program, 'G'));
        const direct = attempt(() =>
          sigma(composed, input.rows(), { presentation: input.presentation }),
        );
        const twoSteps = program.instances.get('SSI');
        if (typeof direct === 'string') {
          assert.equal(twoSteps, undefined, text);
          return;
        }
        assert.ok(twoSteps !== undefined, text);
        assert.equal(isomorphismObstacle(direct, twoSteps.rows()), undefined, text);
        compared++;
      }),
      { numRuns: RUNS, seed: 11 },
    );
    assert.ok(compared > RUNS / 3, `only ${compared} of ${RUNS} programs had a Σ without clash`);
  });

  it('Π evaluates, or says which target attribute no source attribute determines', () => {
    let evaluated = 0;
    fc.assert(
      fc.property(seeds, (seed) => {
        const { program, errors, text } = check(seed);
        if (program.instances.get('PI')?.evaluated === true) {
          evaluated++;
          return;
        }
        const error = errors.find(
          (candidate) =>
            candidate.message.includes('instance `PI`') || candidate.message.includes('pi F'),
        );
        assert.ok(error !== undefined, text);
        assert.equal(error.code, 'E_FUNCTOR_UNSUPPORTED', error.message);
      }),
      { numRuns: RUNS, seed: 12 },
    );
    assert.ok(evaluated > 0);
  });

  it('the native chase ≅ the saturation of the rows, on random programs', () => {
    let chased = 0;
    fc.assert(
      fc.property(seeds, (seed) => {
        const { program, text } = check(seed);
        for (const [mappingName, instanceName] of [
          ['F', 'I'],
          ['G', 'DK'],
        ] as const) {
          const instance = program.instances.get(instanceName);
          if (instance === undefined) continue;
          const f = mapping(program, mappingName);
          const native = attempt(() => {
            const result = sigmaChase(f, instance.rows());
            assert.ok(result !== undefined, 'random mappings are in the native fragment');
            return result;
          });
          const saturated = attempt(() => saturate(sigmaPresentationOfRows(f, instance.rows())));
          if (typeof native === 'string' || typeof saturated === 'string') {
            assert.equal(native, saturated, text);
            continue;
          }
          assert.equal(isomorphismObstacle(native, saturated), undefined, text);
          chased++;
        }
      }),
      { numRuns: RUNS, seed: 14 },
    );
    assert.ok(chased > RUNS / 2, `only ${chased} native results compared`);
  });

  it('the native chase ≅ the saturation on the hand-written Σ programs (path equations, NOT NULL)', () => {
    for (const [file, mappingName, instanceName] of [
      ['sigma-merge-path-equation.cql', 'F', 'I'],
      ['sigma-clash.cql', 'F', 'I'],
      ['sigma-fresh-rows-and-nulls.cql', 'F', 'I'],
      ['sigma-not-null.cql', 'Up', 'A'],
      ['sigma-infinite.cql', 'F', 'I'],
    ] as const) {
      const { program } = runProgram(file);
      const instance = program.instances.get(instanceName);
      assert.ok(instance !== undefined, file);
      const f = mapping(program, mappingName);
      const native = attempt(() => {
        const result = sigmaChase(f, instance.rows(), { instanceRowsMax: 300 });
        assert.ok(result !== undefined, file);
        return result;
      });
      const saturated = attempt(() =>
        saturate(sigmaPresentationOfRows(f, instance.rows()), { instanceRowsMax: 300 }),
      );
      if (typeof native === 'string' || typeof saturated === 'string') {
        assert.equal(native, saturated, file);
        continue;
      }
      assert.equal(isomorphismObstacle(native, saturated), undefined, file);
    }
  });

  it('with a path equation in U: Σ into U merges, and chase ≅ saturation, Σ_G∘Σ_F ≅ Σ_{F;G}', () => {
    let programs = 0;
    let compared = 0;
    let merged = 0;
    for (let seed = 1; programs < 60 && seed < 2000; seed++) {
      const { text } = randomMigration(seed, { pathEquations: true });
      if (!text.includes('path_equations')) continue;
      programs++;
      const result = checkProgramCollecting(parseProgram(text), { evaluator: functorEvaluator() });
      for (const error of result.errors) {
        assert.ok(
          ['E_INSTANCE_CLASH', 'E_FUNCTOR_UNSUPPORTED'].includes(error.code),
          `${error.message}\n${text}`,
        );
      }
      const program = result.program;
      // K itself may clash once the equation merges its rows: then there is nothing to migrate.
      if (program.instances.get('DK') === undefined) continue;
      compared++;
      const g = mapping(program, 'G');
      const pulled = rows(program, 'DK');
      const native = attempt(() => sigmaChase(g, pulled) as SaturatedInstance);
      const saturated = attempt(() => saturate(sigmaPresentationOfRows(g, pulled)));
      if (typeof native === 'string' || typeof saturated === 'string') {
        assert.equal(native, saturated, text);
      } else {
        assert.equal(isomorphismObstacle(native, saturated), undefined, text);
        if (native.totalRows < pulled.totalRows) merged++;
      }
      const input = program.instances.get('I');
      assert.ok(input !== undefined);
      const composed = mapping(program, 'F').compose(g);
      const direct = attempt(() =>
        sigma(composed, input.rows(), { presentation: input.presentation }),
      );
      const twoSteps = program.instances.get('SSI');
      if (typeof direct === 'string') assert.equal(twoSteps, undefined, text);
      else {
        assert.ok(twoSteps !== undefined, text);
        assert.equal(isomorphismObstacle(direct, twoSteps.rows()), undefined, text);
      }
      assert.deepEqual(
        namedJson(delta(composed, rows(program, 'K'))),
        namedJson(rows(program, 'DDK')),
        text,
      );
    }
    assert.equal(programs, 60);
    assert.ok(compared > 20, `only ${compared} programs without a clash in K`);
    assert.ok(merged > 0, 'no Σ merged rows through the path equation');
  });
});
