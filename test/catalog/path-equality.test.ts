/**
 * Path equality in a schema (Knuth–Bendix completion, then the representable instance): equal
 * paths are equal whatever the presentation, different ones different, and what neither method
 * settles within the limits is `unknown` — never a guess. Checked against a brute-force oracle
 * on random finite-monoid schemas.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describe, it } from 'mocha';
import { checkProgram, PathEquality, type Schema, type SchemaPath } from '../../catalog/index.js';
import { parseProgram } from '../../cql/index.js';

function schema(text: string): Schema {
  const program = checkProgram(parseProgram(`typeside Ty = sql\n${text}`, { file: 's.cql' }));
  const found = program.schemas.get('S');
  assert.ok(found);
  return found;
}

function path(s: Schema, source: string, names: readonly string[]): SchemaPath {
  let entity = source;
  const foreignKeys = names.map((name) => {
    const fk = s.foreignKey(entity, name);
    assert.ok(fk, `${entity}.${name}`);
    entity = fk.target;
    return fk;
  });
  return { kind: 'SchemaPath', source, foreignKeys, target: entity };
}

describe('catalog: path equality', () => {
  it('decides consequences of the equations, and non-consequences, in a confluent system', () => {
    const s = schema(`schema S = literal : Ty {
  entities A
  foreign_keys f : A -> A  g : A -> A
  path_equations A.f.f = A  A.g.f = A.f.g
}`);
    const equality = new PathEquality(s);
    const p = (...names: string[]): SchemaPath => path(s, 'A', names);
    assert.equal(equality.decide(p('f', 'f', 'g'), p('g')), 'equal');
    assert.equal(equality.decide(p('f', 'g', 'f'), p('g')), 'equal');
    assert.equal(equality.decide(p('g', 'f', 'f'), p('g')), 'equal');
    assert.equal(equality.decide(p('g'), p('f')), 'different');
    assert.equal(equality.decide(p('g', 'g'), p('g')), 'different');
    assert.ok(equality.complete);
  });

  it('says different for paths with different ends', () => {
    const s = schema(
      `schema S = literal : Ty { entities A B  foreign_keys f : A -> B  g : A -> A }`,
    );
    assert.equal(new PathEquality(s).decide(path(s, 'A', ['f']), path(s, 'A', ['g'])), 'different');
  });

  it('answers unknown, not a guess, past its limits on an infinite category', () => {
    // A presentation whose completion is infinite (f g^n f = g f^n g style) and whose
    // representable instance is infinite: nothing can settle f.g.f = g.f.g here.
    const s = schema(`schema S = literal : Ty {
  entities A
  foreign_keys f : A -> A  g : A -> A
  path_equations A.f.g.f = A.g.f.g
}`);
    const equality = new PathEquality(s, { congruenceStepsMax: 200, pathLengthMax: 8 });
    const p = (...names: string[]): SchemaPath => path(s, 'A', names);
    assert.equal(equality.decide(p('f', 'g', 'f'), p('g', 'f', 'g')), 'equal');
    // fgf → gfg inside a longer word.
    assert.equal(equality.decide(p('f', 'f', 'g', 'f', 'g'), p('f', 'g', 'f', 'g', 'g')), 'equal');
    // ff and gg differ (no relation applies to words of length 2); whether completion can tell
    // within 200 steps or not, the answer must not be `equal`.
    const verdict = equality.decide(p('f', 'f'), p('g', 'g'));
    assert.ok(verdict === 'unknown' || verdict === 'different', verdict);
    if (!equality.complete) assert.equal(verdict, 'unknown');
  });

  it('agrees with the finite model on random cyclic-group schemas', () => {
    // A : one entity, f and g act on Z_n by +a and +b; the equations f^n = id and g = f^k
    // make the category exactly Z_n, so paths are equal iff their sums agree mod n.
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 0, max: 5 }),
        fc.array(fc.constantFrom('f', 'g'), { minLength: 1, maxLength: 7 }),
        fc.array(fc.constantFrom('f', 'g'), { minLength: 1, maxLength: 7 }),
        (n, kRaw, left, right) => {
          const k = kRaw % n;
          const fs = (count: number): string => Array.from({ length: count }, () => 'f').join('.');
          const gImage = k === 0 ? 'A' : `A.${fs(k)}`;
          const s = schema(`schema S = literal : Ty {
  entities A
  foreign_keys f : A -> A  g : A -> A
  path_equations A.${fs(n)} = A  A.g = ${gImage}
}`);
          const value = (names: readonly string[]): number =>
            names.reduce((sum, name) => (sum + (name === 'f' ? 1 : k)) % n, 0);
          const expected = value(left) === value(right) ? 'equal' : 'different';
          assert.equal(
            new PathEquality(s).decide(path(s, 'A', left), path(s, 'A', right)),
            expected,
          );
        },
      ),
      { numRuns: 200, seed: 42 },
    );
  });
});
