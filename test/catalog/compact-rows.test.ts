/**
 * Errors of compact instance rows, exactly as reported: the row a NOT NULL error names is
 * located at its generator (found only when the error is made), a field set twice is found in
 * short rows and in rows longer than the scanned ones, a value of the wrong type is located at
 * the value, and a clash names both assignments as written.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { checkProgramCollecting } from '../../catalog/index.js';
import { parseProgram } from '../../cql/index.js';

const COLUMNS = 20;
const columns = Array.from({ length: COLUMNS }, (_, index) => `a${index} : Dept -> Int`);
const longRow = Array.from({ length: COLUMNS }, (_, index) => `a${index} = ${index}`).join(', ');

const PROGRAM = `schema C {
  entities Emp Dept
  foreign_keys works_in : Emp -> Dept
               boss : Emp -> Emp
  attributes name : Emp -> String!
             pay : Emp -> Int
             ${columns.join('\n             ')}
  path_equations Emp.boss.works_in = Emp.works_in
}
instance Missing : C {
  Dept { d1: }
  Emp { e1: name = "A", works_in = d1, boss = e1
        e2: pay = 3, works_in = d1, boss = e1 }
}
instance Twice : C {
  Dept { d1: ${longRow}, a3 = 4
         d2: a1 = 1 }
  Emp { e1: name = "A", works_in = d1, boss = e1, name = "B", pay = "x" }
}
instance Clash : C {
  Dept { d1: a1 = 1
         d2: a1 = 2 }
  Emp { e1: name = "A", works_in = d1, boss = e1
        e2: name = "B", works_in = d2, boss = e1 }
}
instance Fine : C {
  Dept { d1: ${longRow} }
  Emp { e1: name = "A", works_in = d1, boss = e1, pay = 7 }
}`;

describe('catalog: compact rows', () => {
  const result = checkProgramCollecting(parseProgram(PROGRAM, { file: 'p.cql' }));

  it('reports each error of the rows where it is, with what was written', () => {
    assert.deepEqual(
      result.errors.map((error) => `${error.code} ${error.message}`),
      [
        'E_INSTANCE_NOT_NULL p.cql:32:9: Emp row `e2` has no value for the NOT NULL attribute `name` (it would be the labelled null e2.name)',
        'E_CATALOG_DUPLICATE p.cql:35:194: row `d1` sets `a3` twice',
        'E_CATALOG_DUPLICATE p.cql:37:51: row `e1` sets `name` twice',
        'E_INSTANCE_VALUE p.cql:37:69: attribute `Emp.pay` (Int): expected an Int literal, found "x"',
        'E_INSTANCE_CLASH p.cql:41:14: equation `d2.a1 = 2` forces two different constants to be equal: 1 and 2 (1 comes from `d1.a1 = 1` at p.cql:40:14)',
      ],
    );
  });

  it('keeps every value of a correct instance, long rows included', () => {
    const rows = result.program.instances.get('Fine')?.rows();
    assert.ok(rows);
    const dept = rows.table('Dept');
    assert.deepEqual(
      Array.from({ length: COLUMNS }, (_, index) => dept.attributes.get(`a${index}`)?.values[0]),
      Array.from({ length: COLUMNS }, (_, index) => index),
    );
    assert.deepEqual(rows.table('Emp').attributes.get('pay')?.values, [7]);
  });
});
