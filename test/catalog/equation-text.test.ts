/**
 * The text of an instance literal's equations is printed only when something reads it (an
 * error message, a Σ that translates the presentation): it must still read as written, for the
 * instance's own equations and for those it imports.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { checkProgramCollecting } from '../../catalog/index.js';
import { parseProgram } from '../../cql/index.js';

const PROGRAM = `typeside Ty = sql
schema S = literal : Ty {
  entities N
  foreign_keys next : N -> N
  attributes v : N -> Integer
}
instance Base = literal : S {
  generators a b : N
  equations a.next = a  b.next = b  a.v = 1  b.v = 2
}
instance Imported = literal : S {
  imports Base
  equations a = b
}
instance Own = literal : S {
  generators a b : N
  equations a.next = a b.next = b  v(a) = 1  b.v = 2 a = b
}`;

describe('catalog: equation texts', () => {
  const result = checkProgramCollecting(parseProgram(PROGRAM, { file: 'p.cql' }));

  it('names the equations of a clash as written, own or imported', () => {
    assert.deepEqual(
      result.errors.map((error) => `${error.code} ${error.message}`),
      [
        'E_INSTANCE_CLASH p.cql:9:46: equation `b.v = 2` forces two different constants to be equal: 1 and 2 (1 comes from `a.v = 1` at p.cql:9:37)',
        'E_INSTANCE_CLASH p.cql:17:46: equation `b.v = 2` forces two different constants to be equal: 1 and 2 (1 comes from `a.v = 1` at p.cql:17:36)',
      ],
    );
  });

  it('keeps the text and location of every equation of a presentation', () => {
    const equations = result.program.instances.get('Base')?.presentation?.equations ?? [];
    assert.deepEqual(
      equations.map((equation) => equation.text),
      ['a.next = a', 'b.next = b', 'a.v = 1', 'b.v = 2'],
    );
    assert.deepEqual(
      equations.map((equation) =>
        equation.location?.kind === 'source' ? equation.location.column : undefined,
      ),
      [13, 25, 37, 46],
    );
  });
});
