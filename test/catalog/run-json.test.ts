/**
 * The run JSON (docs/run-json.md) is a function of the instance, not of how it was written:
 * permuting generators and equations gives the same object; foreign keys index the target's
 * `rows`; labelled nulls are `{"null": term}`.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describe, it } from 'mocha';
import {
  checkProgram,
  instanceToJson,
  type RunJsonInstance,
  type RunJsonRow,
} from '../../catalog/index.js';
import { parseProgram } from '../../cql/index.js';

const SCHEMA = `typeside Ty = sql
schema S = literal : Ty {
  entities Emp Dept
  foreign_keys worksIn : Emp -> Dept  boss : Emp -> Emp
  path_equations Emp.boss.worksIn = Emp.worksIn
  attributes name : Emp -> Varchar  pay : Emp -> Integer  title : Dept -> Varchar
}
`;

function run(text: string): RunJsonInstance {
  const program = checkProgram(parseProgram(text, { file: 'p.cql' }));
  const instance = program.instances.get('I');
  assert.ok(instance);
  return instanceToJson(instance.rows());
}

interface Emp {
  name: string;
  pay: number | undefined;
  dept: number;
  boss: number;
}

const staff = fc
  .record({
    depts: fc.array(fc.constantFrom('Ops', 'R&D', 'Ops'), { minLength: 1, maxLength: 3 }),
    emps: fc.array(
      fc.record({
        name: fc.constantFrom('Ann', 'Bob', 'Ann', 'Cy'),
        pay: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
        dept: fc.nat(),
        boss: fc.nat(),
      }),
      { minLength: 1, maxLength: 8 },
    ),
  })
  .map(({ depts, emps }) => {
    // Each employee's boss works in the same department (the path equation holds).
    const fixed: Emp[] = emps.map((e) => ({ ...e, dept: e.dept % depts.length }));
    for (const [i, e] of fixed.entries()) {
      const colleagues = fixed.map((_, j) => j).filter((j) => (fixed[j] as Emp).dept === e.dept);
      e.boss = colleagues[e.boss % colleagues.length] ?? i;
    }
    return { depts, emps: fixed };
  });

function program(data: { depts: string[]; emps: Emp[] }, order: number[]): string {
  const gens = [
    ...data.depts.map((_, i) => `d${i} : Dept`),
    ...data.emps.map((_, i) => `e${i} : Emp`),
  ];
  const equations = [
    ...data.depts.map((t, i) => `d${i}.title = "${t}"`),
    ...data.emps.flatMap((e, i) => [
      `e${i}.name = "${e.name}"`,
      ...(e.pay === undefined ? [] : [`e${i}.pay = ${e.pay}`]),
      `e${i}.worksIn = d${e.dept}`,
      `e${i}.boss = e${e.boss}`,
    ]),
  ];
  const permute = <T>(items: T[]): T[] =>
    items
      .map((item, i) => ({ item, key: order[i % order.length] ?? 0 }))
      .sort((a, b) => a.key - b.key)
      .map((x) => x.item);
  return `${SCHEMA}instance I = literal : S {
  generators ${permute(gens).join('  ')}
  equations ${permute(equations).join('\n    ')}
}`;
}

describe('catalog: run JSON', () => {
  it('does not depend on the order of generators and equations', () => {
    fc.assert(
      fc.property(staff, fc.array(fc.nat(1000), { minLength: 1, maxLength: 30 }), (data, order) => {
        const identity = data.emps.map((_, i) => i);
        assert.deepEqual(
          run(program(data, order)),
          run(program(data, identity.length > 0 ? identity : [0])),
        );
      }),
      { numRuns: 150, seed: 7 },
    );
  });

  it('indexes foreign keys into the target rows and writes labelled nulls as objects', () => {
    fc.assert(
      fc.property(staff, (data) => {
        const json = run(program(data, [0]));
        const emps = json['Emp'];
        const depts = json['Dept'];
        assert.ok(emps && depts);
        assert.equal(emps.count, data.emps.length);
        assert.equal(emps.rows.length, emps.count);
        for (const row of emps.rows) {
          const dept = depts.rows[row['worksIn'] as number];
          const boss: RunJsonRow | undefined = emps.rows[row['boss'] as number];
          assert.ok(dept && boss);
          assert.equal(boss['worksIn'], row['worksIn']);
          const pay = row['pay'];
          assert.ok(
            typeof pay === 'number' ||
              (typeof pay === 'object' && pay !== null && /^e\d+\.pay$/.test(pay.null)),
          );
        }
        // Sorted by attribute values: names never decrease.
        const names = emps.rows.map((r) => r['name'] as string);
        assert.deepEqual(names, [...names].sort());
      }),
      { numRuns: 100, seed: 11 },
    );
  });

  it('prints a value an observation equation computes from unknown values as its normal form', () => {
    // As the reference CQL does: `total` of w3 is `plus(c610, w3.extra)`, not a fresh `w3.total`;
    // an application of constants nothing can fold stays a term too.
    const json = run(`typeside Ty = literal {
  types Cents Text
  constants c0 c25 c610 : Cents  Ann Bo : Text
  functions plus : Cents, Cents -> Cents
}
schema S = literal : Ty {
  entities W
  attributes who : W -> Text  basis : W -> Cents  extra : W -> Cents  total : W -> Cents
             twice : W -> Cents
  observation_equations
    forall w. total(w) = plus(basis(w), extra(w))
    forall w. twice(w) = plus(total(w), total(w))
}
instance I = literal : S {
  generators w1 w3 : W
  equations w1.who = Ann  w1.basis = c0  w1.extra = c25  w3.who = Bo  w3.basis = c610
}`);
    const rows = json['W']?.rows ?? [];
    assert.deepEqual(
      rows.map((row) => [row['who'], row['total'], row['twice']]),
      [
        ['Ann', { null: 'plus(c0, c25)' }, { null: 'plus(plus(c0, c25), plus(c0, c25))' }],
        [
          'Bo',
          { null: 'plus(c610, w3.extra)' },
          { null: 'plus(plus(c610, w3.extra), plus(c610, w3.extra))' },
        ],
      ],
    );
  });
});
