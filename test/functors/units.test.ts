/**
 * Units and counits of Σ ⊣ Δ ⊣ Π as row maps: their values on a hand-written program, and on
 * random programs that each is a morphism of instances (foreign keys commute, values are kept,
 * each labelled null goes to one cell).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkProgramCollecting, type CheckedProgram, type Mapping } from '../../catalog/index.js';
import { CatrustError } from '../../common/index.js';
import { parseProgram } from '../../cql/index.js';
import {
  deltaPiCounit,
  deltaPiUnit,
  functorEvaluator,
  sigmaDeltaCounit,
  sigmaDeltaUnit,
  type InstanceMorphism,
} from '../../planner/functors/index.js';
import { runProgram } from './named-json.js';
import { randomMigration } from './random-migration.js';

/** Undefined when `morphism` is a morphism of instances, else what breaks. */
function morphismObstacle(morphism: InstanceMorphism): string | undefined {
  const { source, target, rows } = morphism;
  const labels = new Map<string, string>();
  for (const table of source.tables) {
    const column = rows.get(table.entity);
    if (column === undefined || column.length !== table.rowCount) return `${table.entity}: no map`;
    for (let row = 0; row < table.rowCount; row++) {
      const image = column[row] as number;
      if (image < 0 || image >= target.rowCount(table.entity))
        return `${table.entity} ${row}: ${image}`;
      for (const fk of source.schema.foreignKeysOf(table.entity)) {
        const via = (rows.get(fk.target) as Int32Array)[source.follow(table.entity, fk.name, row)];
        if (via !== target.follow(table.entity, fk.name, image)) {
          return `${table.entity}.${fk.name} does not commute at ${table.rowNames[row]}`;
        }
      }
      for (const attribute of source.schema.attributesOf(table.entity)) {
        const from = source.cell(table.entity, attribute.name, row);
        const to = target.cell(table.entity, attribute.name, image);
        const toKey = JSON.stringify(to, (_, value: unknown) =>
          typeof value === 'bigint' ? String(value) : value,
        );
        if (from.kind === 'labelled') {
          const previous = labels.get(from.label);
          if (previous !== undefined && previous !== toKey)
            return `label ${from.label} goes to two cells`;
          labels.set(from.label, toKey);
        } else if (
          JSON.stringify(from, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v)) !== toKey
        ) {
          return `${table.entity}.${attribute.name} at ${table.rowNames[row]}: ${JSON.stringify(from)} → ${toKey}`;
        }
      }
    }
  }
  return undefined;
}

function named(morphism: InstanceMorphism, entity: string): Record<string, string> {
  const result: Record<string, string> = {};
  const column = morphism.rows.get(entity) as Int32Array;
  morphism.source.table(entity).rowNames.forEach((name, row) => {
    result[name] = morphism.target.table(entity).rowNames[column[row] as number] as string;
  });
  return result;
}

function mappingOf(program: CheckedProgram, name: string): Mapping {
  const mapping = program.mappings.get(name);
  assert.ok(mapping !== undefined);
  return mapping;
}

describe('functors: units and counits', () => {
  it('η of Σ ⊣ Δ sends merged departments to one row (sigma-merge-path-equation.cql)', () => {
    const { program } = runProgram('sigma-merge-path-equation.cql');
    const input = program.instances.get('I');
    assert.ok(input !== undefined);
    const f = mappingOf(program, 'F');
    for (const presentation of [input.presentation, undefined]) {
      const unit = sigmaDeltaUnit(f, input.rows(), { presentation });
      assert.equal(morphismObstacle(unit), undefined);
      assert.deepEqual(named(unit, 'Dept'), { sales: 'sales', ops: 'sales', hr: 'hr' });
      assert.deepEqual(named(unit, 'Emp'), { al: 'al', bo: 'bo' });
    }
  });

  it('ε of Σ ⊣ Δ and both maps of Δ ⊣ Π on the Π product program', () => {
    const { program } = runProgram('pi-product.cql');
    const input = program.instances.get('I');
    assert.ok(input !== undefined);
    const f = mappingOf(program, 'F');
    const counit = deltaPiCounit(f, input.rows());
    assert.equal(morphismObstacle(counit), undefined);
    // Each pair goes to its Emp (and its Dept): 6 pairs, 2 employees.
    assert.deepEqual(Object.values(named(counit, 'Emp')).sort(), [
      'al',
      'al',
      'al',
      'bo',
      'bo',
      'bo',
    ]);
    const p = program.instances.get('P');
    assert.ok(p !== undefined);
    const unit = deltaPiUnit(f, p.rows());
    assert.equal(morphismObstacle(unit), undefined);
    // A pair p goes to the family that picks p for both Emp and Dept.
    for (const [from, to] of Object.entries(named(unit, 'Pair'))) {
      assert.equal(to, `(Emp:Pair=${from})(Dept:Pair=${from})`);
    }
    const sigmaCounit = sigmaDeltaCounit(f, p.rows());
    assert.equal(morphismObstacle(sigmaCounit), undefined);
  });

  it('on random programs every unit and counit is a morphism of instances', () => {
    let checked = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (seed) => {
        const { text } = randomMigration(seed);
        const { program } = checkProgramCollecting(parseProgram(text), {
          evaluator: functorEvaluator(),
        });
        const f = mappingOf(program, 'F');
        const g = mappingOf(program, 'G');
        const input = program.instances.get('I');
        const k = program.instances.get('K');
        assert.ok(input !== undefined && k !== undefined);
        const attempts: (() => InstanceMorphism)[] = [
          () => sigmaDeltaUnit(f, input.rows(), { presentation: input.presentation }),
          () => sigmaDeltaUnit(f, input.rows()),
          () => sigmaDeltaCounit(g, k.rows()),
          () => deltaPiUnit(g, k.rows()),
          () => deltaPiCounit(f, input.rows()),
        ];
        for (const attempt of attempts) {
          let morphism: InstanceMorphism;
          try {
            morphism = attempt();
          } catch (error) {
            if (
              error instanceof CatrustError &&
              ['E_INSTANCE_CLASH', 'E_FUNCTOR_UNSUPPORTED'].includes(error.code)
            )
              continue;
            throw error;
          }
          assert.equal(morphismObstacle(morphism), undefined, text);
          checked++;
        }
      }),
      { numRuns: 120, seed: 13 },
    );
    assert.ok(checked > 200, `only ${checked} maps checked`);
  });

  it('ε of Σ ⊣ Δ when an input row is named like a term over another (`g.f.h` beside `g.f`)', () => {
    // Seed 392: Δ_G K has rows `ku0g0.u01` and `ku0g0.u01.u12`; Σ_G creates `ku0g0.u01.u12` too.
    const { text } = randomMigration(392);
    const { program } = checkProgramCollecting(parseProgram(text), {
      evaluator: functorEvaluator(),
    });
    const k = program.instances.get('K');
    assert.ok(k !== undefined);
    const counit = sigmaDeltaCounit(mappingOf(program, 'G'), k.rows());
    assert.equal(morphismObstacle(counit), undefined);
    const names = counit.source.table('U2').rowNames;
    assert.equal(new Set(names).size, names.length, names.join(' '));
  });
});
