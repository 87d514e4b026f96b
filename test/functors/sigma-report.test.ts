/**
 * sigma_validate / sigma_dry in memory on the migration programs: every problem grouped with its
 * entity, column, sample rows and count; per-entity counts of rows in, out, merged, created and
 * labelled nulls.
 */
import assert from 'node:assert/strict';
import { checkProgramCollecting, type CheckedProgram } from '../../catalog/index.js';
import { parseProgram } from '../../cql/index.js';
import { functorEvaluator, sigmaDry, sigmaValidate } from '../../planner/functors/index.js';
import { runProgram } from './named-json.js';

function inputs(program: CheckedProgram, mappingName: string, instanceName: string) {
  const mapping = program.mappings.get(mappingName);
  const instance = program.instances.get(instanceName);
  assert.ok(mapping !== undefined && instance !== undefined);
  return { mapping, instance };
}

describe('functors: sigma_validate and sigma_dry', () => {
  it('counts merges, fresh rows and nulls of a Σ that succeeds', () => {
    const { program } = runProgram('sigma-merge-path-equation.cql');
    const { mapping, instance } = inputs(program, 'F', 'I');
    const dry = sigmaDry(mapping, instance.rows(), { presentation: instance.presentation });
    assert.equal(dry.ok, true);
    assert.deepEqual(dry.problems, []);
    assert.deepEqual(dry.entities, [
      { entity: 'Emp', rowsIn: 2, rowsOut: 2, merged: 0, created: 0, nulls: 1 },
      { entity: 'Dept', rowsIn: 3, rowsOut: 2, merged: 1, created: 0, nulls: 1 },
    ]);
  });

  it('reports NOT NULL attributes and the fresh rows behind them, with samples and counts', () => {
    const { program } = runProgram('sigma-not-null.cql');
    const { mapping, instance } = inputs(program, 'Up', 'A');
    const validation = sigmaValidate(mapping, instance.rows(), {
      presentation: instance.presentation,
    });
    assert.equal(validation.ok, false);
    const byKind = new Map(validation.problems.map((problem) => [problem.kind, problem]));
    const notNull = byKind.get('not_null');
    assert.ok(notNull !== undefined);
    assert.equal(notNull.code, 'E_INSTANCE_NOT_NULL');
    assert.equal(notNull.entity, 'Dept');
    assert.equal(notNull.column, 'dname');
    assert.equal(notNull.count, 1);
    assert.deepEqual(notNull.sampleRows, ['ada.works_in']);
    const fresh = byKind.get('fresh_rows');
    assert.ok(fresh !== undefined);
    assert.equal(fresh.severity, 'warning');
    assert.equal(fresh.entity, 'Emp');
    assert.equal(fresh.column, 'works_in');
    assert.deepEqual(fresh.sampleRows, ['ada']);
    const dry = sigmaDry(mapping, instance.rows(), { presentation: instance.presentation });
    assert.deepEqual(dry.entities, [
      { entity: 'Emp', rowsIn: 1, rowsOut: 1, merged: 0, created: 0, nulls: 0 },
      { entity: 'Dept', rowsIn: 0, rowsOut: 1, merged: 0, created: 1, nulls: 1 },
    ]);
  });

  it('reports a clash with the equation and both values', () => {
    const { program } = runProgram('sigma-clash.cql');
    const { mapping, instance } = inputs(program, 'F', 'I');
    const validation = sigmaValidate(mapping, instance.rows(), {
      presentation: instance.presentation,
    });
    assert.equal(validation.ok, false);
    const clash = validation.problems.find((problem) => problem.kind === 'clash');
    assert.ok(clash !== undefined);
    assert.match(clash.message, /ops\.dname = Ops/);
    assert.match(clash.message, /"Sales" and "Ops"/);
  });

  it('reports an infinite result with its cycle and no entity counts', () => {
    const { program } = runProgram('sigma-infinite.cql');
    const { mapping, instance } = inputs(program, 'F', 'I');
    const dry = sigmaDry(mapping, instance.rows(), {
      presentation: instance.presentation,
      instanceRowsMax: 500,
    });
    assert.equal(dry.ok, false);
    assert.deepEqual(dry.entities, []);
    const infinite = dry.problems.find((problem) => problem.kind === 'infinite');
    assert.ok(infinite !== undefined);
    assert.match(infinite.message, /Node\.next → Node/);
  });

  it('lists the rows that need fresh rows, on a Σ of rows (no presentation)', () => {
    const { program } = runProgram('sigma-fresh-rows-and-nulls.cql');
    const { mapping, instance } = inputs(program, 'F', 'I');
    const validation = sigmaValidate(mapping, instance.rows());
    assert.equal(validation.ok, true);
    const fresh = validation.problems.find((problem) => problem.kind === 'fresh_rows');
    assert.ok(fresh !== undefined);
    assert.equal(fresh.count, 3);
    assert.deepEqual(fresh.sampleRows, ['al', 'bo', 'cy']);
  });
});

describe('functors: Σ of an instance without a presentation', () => {
  it('reports a clash with the translated equation and the row it came from', () => {
    // K = delta F J (no presentation of its own); Σ along a mapping that merges its two rows.
    const text = `typeside Ty = literal { types String  constants A B : String }
schema S = literal : Ty { entities E D  foreign_keys f : E -> D  attributes en : E -> String  dn : D -> String }
schema T = literal : Ty { entities X  attributes n : X -> String }
mapping F = literal : S -> T {
  entity E -> X  foreign_keys f -> identity  attributes en -> lambda x. x.n
  entity D -> X  attributes dn -> lambda x. x.n
}
mapping Id = identity S
instance I = literal : S { generators e : E  d : D  equations e.f = d  e.en = A  d.dn = B }
instance K = delta Id I
instance J = sigma F K
`;
    const result = checkProgramCollecting(parseProgram(text, { file: 'k.cql' }), {
      evaluator: functorEvaluator(),
    });
    const error = result.errors[0];
    assert.ok(error !== undefined);
    assert.equal(error.code, 'E_INSTANCE_CLASH', error.message);
    assert.match(error.message, /^k\.cql:11:14: instance `J`: /);
    assert.match(error.message, /"A" and "B"|"B" and "A"/);
    assert.match(error.message, /\(from `[ed]\.(en|dn) = "[AB]"`\)/);
  });
});
