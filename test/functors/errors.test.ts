/**
 * The functor layer's typed errors, each with its code and location (the instance that asked
 * for the migration, as the catalog reports it): Π with an undetermined target attribute or
 * infinitely many paths, Π and eval past their row limits, a typeside function failing in Δ.
 */
import assert from 'node:assert/strict';
import { checkProgramCollecting } from '../../catalog/index.js';
import { parseProgram } from '../../cql/index.js';
import { functorEvaluator, type FunctorEvaluatorOptions } from '../../planner/functors/index.js';

const TYPESIDE = 'typeside Ty = literal { types String  constants Al Bo X Y Z : String }\n';

const PRODUCT = `${TYPESIDE}
schema S = literal : Ty { entities E D  attributes en : E -> String  dn : D -> String }
schema T = literal : Ty { entities P  attributes en : P -> String  dn : P -> String }
mapping F = literal : S -> T {
  entity E -> P  attributes en -> lambda x. x.en
  entity D -> P  attributes dn -> lambda x. x.dn
}
instance I = literal : S { generators e1 e2 : E  d1 d2 d3 : D }
instance J = pi F I
`;

function firstError(text: string, options: FunctorEvaluatorOptions = {}) {
  const result = checkProgramCollecting(parseProgram(text, { file: 'f.cql' }), {
    evaluator: functorEvaluator(options),
  });
  const error = result.errors[0];
  assert.ok(error !== undefined, 'expected an error');
  return error;
}

function assertAt(error: { location?: unknown }, line: number, column: number): void {
  assert.deepEqual(error.location, { kind: 'source', file: 'f.cql', line, column });
}

describe('functors: typed errors', () => {
  it('Π with a target attribute no source attribute reaches is E_FUNCTOR_UNSUPPORTED', () => {
    const text = PRODUCT.replace(
      'attributes en : P -> String  dn : P -> String',
      'attributes en : P -> String  dn : P -> String  note : P -> String',
    );
    const error = firstError(text);
    assert.equal(error.code, 'E_FUNCTOR_UNSUPPORTED', error.message);
    assert.match(error.message, /instance `J`: pi F: no attribute of `S` is sent to `P\.note`/);
    assertAt(error, 10, 14);
  });

  it('Π from an entity with infinitely many paths is E_FUNCTOR_UNSUPPORTED', () => {
    const text = `${TYPESIDE}
schema S = literal : Ty { entities E }
schema T = literal : Ty { entities N  foreign_keys next : N -> N }
mapping F = literal : S -> T { entity E -> N }
instance I = literal : S { generators e1 : E }
instance J = pi F I
`;
    const error = firstError(text);
    assert.equal(error.code, 'E_FUNCTOR_UNSUPPORTED', error.message);
    assert.match(error.message, /the paths from `N` in `T` are infinite/);
    assert.match(error.message, /N\.next/);
    assertAt(error, 7, 14);
  });

  it('Π past piRowsMax is E_LIMIT before joining', () => {
    const error = firstError(PRODUCT, { piRowsMax: 5 });
    assert.equal(error.code, 'E_LIMIT', error.message);
    assert.equal(error.details?.['limit'], 'piRowsMax');
    assert.equal(error.details?.['found'], 6);
    assertAt(error, 10, 14);
    // At the limit it evaluates: 2 × 3 pairs.
    const result = checkProgramCollecting(parseProgram(PRODUCT), {
      evaluator: functorEvaluator({ piRowsMax: 6 }),
    });
    assert.deepEqual(result.errors, []);
    assert.equal(result.program.instances.get('J')?.rows().rowCount('P'), 6);
  });

  it('eval past resultRowsMax is E_LIMIT', () => {
    const text = `${TYPESIDE}
schema S = literal : Ty { entities E  attributes en : E -> String }
schema T = literal : Ty { entities P  attributes a : P -> String }
query Q = literal : S -> T { entity P -> { from x : E  y : E  attributes a -> x.en } }
instance I = literal : S { generators e1 e2 : E }
instance J = eval Q I
`;
    const error = firstError(text, { resultRowsMax: 3 });
    assert.equal(error.code, 'E_LIMIT', error.message);
    assert.equal(error.details?.['limit'], 'resultRowsMax');
    const fine = checkProgramCollecting(parseProgram(text), {
      evaluator: functorEvaluator({ resultRowsMax: 4 }),
    });
    assert.equal(fine.program.instances.get('J')?.rows().rowCount('P'), 4);
  });

  it('a typeside function failing in Δ is E_FUNCTOR_VALUE naming the function and values', () => {
    const text = `typeside Ty = sql
schema T = literal : Ty { entities E  attributes n : E -> Integer }
schema S = literal : Ty { entities E  attributes q : E -> Integer }
mapping F = literal : S -> T { entity E -> E  attributes q -> lambda x. divide(x.n, 0) }
instance J = literal : T { generators e1 : E  equations e1.n = 7 }
instance K = delta F J
`;
    const error = firstError(text);
    assert.equal(error.code, 'E_FUNCTOR_VALUE', error.message);
    assert.match(error.message, /divide cannot be evaluated on \(7, 0\): division by zero/);
    assertAt(error, 6, 14);
  });
});
