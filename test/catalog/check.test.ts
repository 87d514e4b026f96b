/**
 * checkProgram: every check of the catalog reports a typed error at its exact place, keeps
 * checking the rest of the program, and a correct program gives a complete model.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { checkProgramCollecting, type CheckResult } from '../../catalog/index.js';
import { formatLocation } from '../../common/index.js';
import { parseProgram } from '../../cql/index.js';
import { functorEvaluator } from '../../planner/index.js';

function check(text: string): CheckResult {
  return checkProgramCollecting(parseProgram(text, { file: 'p.cql' }), { allowExternalCode: true });
}

/** The errors as `CODE line:col`, in order. */
function errorsOf(text: string): string[] {
  return check(text).errors.map(
    (e) => `${e.code} ${e.location ? formatLocation(e.location).replace('p.cql:', '') : '-'}`,
  );
}

const ORG = `
typeside Ty = sql
schema S = literal : Ty {
  entities
    Emp Dept
  foreign_keys
    worksIn : Emp -> Dept
    boss : Emp -> Emp
    secretary : Dept -> Emp
  path_equations
    Emp.boss.worksIn = Emp.worksIn
    Dept.secretary.worksIn = Dept
  attributes
    name : Emp -> Varchar
}
`;

describe('catalog: checkProgram', () => {
  it('checks a schema and saturates an instance through its path equations', () => {
    const result = check(`${ORG}
instance I = literal : S {
  generators a b : Emp  d : Dept
  equations a.worksIn = d  b.boss = a  d.secretary = b  a.boss = a
}`);
    assert.deepEqual(result.errors, []);
    const rows = result.program.instances.get('I')?.rows();
    assert.ok(rows);
    assert.equal(rows.rowCount('Emp'), 2);
    assert.equal(rows.rowCount('Dept'), 1);
    const b = rows.rowNamed('Emp', 'b') as number;
    // b's department is not given: b.boss.worksIn = b.worksIn decides it.
    assert.equal(rows.follow('Emp', 'worksIn', b), rows.rowNamed('Dept', 'd'));
    assert.deepEqual(rows.cell('Emp', 'name', b), { kind: 'labelled', label: 'b.name' });
  });

  it('reports every schema error at its place, with suggestions', () => {
    const result = check(`typeside Ty = sql
schema S = literal : Ty {
  entities
    Emp Dept Emp
  foreign_keys
    worksIn : Emp -> Dpt
    boss : Emp -> Emp
  attributes
    name : Emp -> Strin
  path_equations
    Emp.boss = Emp.worksIn
}`);
    assert.deepEqual(
      result.errors.map((e) => `${e.code} ${e.location ? formatLocation(e.location) : ''}`),
      [
        'E_CATALOG_DUPLICATE p.cql:4:14',
        'E_CATALOG_UNKNOWN p.cql:6:22',
        'E_CATALOG_UNKNOWN p.cql:9:19',
        'E_CATALOG_UNKNOWN p.cql:11:20',
      ],
    );
    assert.match(result.errors[1]?.message ?? '', /did you mean `Dept`/);
    assert.match(result.errors[2]?.message ?? '', /did you mean `String`/);
  });

  it('rejects a path equation whose sides end at different entities', () => {
    assert.deepEqual(
      errorsOf(`typeside Ty = sql
schema S = literal : Ty {
  entities A B
  foreign_keys f : A -> B  g : A -> A
  path_equations A.f = A.g
}`),
      ['E_CATALOG_PATH 5:18'],
    );
  });

  it('rejects a mapping that does not preserve a path equation, and one with a badly typed attribute', () => {
    const errors = errorsOf(`typeside Ty = sql
schema S = literal : Ty {
  entities A B
  foreign_keys f : A -> B  g : A -> B
  path_equations A.f = A.g
  attributes n : A -> Integer
}
schema T = literal : Ty {
  entities X Y
  foreign_keys p : X -> Y  q : X -> Y
  attributes m : X -> Varchar
}
mapping F = literal : S -> T {
  entity A -> X
  foreign_keys f -> p  g -> q
  attributes n -> lambda x. m(x)
  entity B -> Y
}`);
    assert.equal(errors.length, 2);
    assert.deepEqual(errors.map((e) => e.split(' ')[0]).sort(), [
      'E_CATALOG_MAPPING',
      'E_CATALOG_TYPE',
    ]);
  });

  it('accepts a mapping that preserves its path equations by the target equations', () => {
    const result = check(`typeside Ty = sql
schema S = literal : Ty {
  entities A B
  foreign_keys f : A -> B  g : A -> B
  path_equations A.f = A.g
}
schema T = literal : Ty {
  entities X Y
  foreign_keys p : X -> Y  q : X -> Y  r : X -> X
  path_equations X.r.p = X.q  X.r = X
}
mapping F = literal : S -> T {
  entity A -> X
  foreign_keys f -> p  g -> q
  entity B -> Y
}`);
    assert.deepEqual(result.errors, []);
    assert.ok(result.program.mappings.get('F'));
  });

  it('reports a value of the wrong type, an unknown row, a clash and an infinite instance', () => {
    assert.deepEqual(
      errorsOf(`schema C {
  entities Emp Dept
  foreign_keys works_in : Emp -> Dept
  attributes name : Emp -> String!
             pay : Emp -> Int
}
instance I : C {
  Dept { d1: }
  Emp { e1: name = "A", pay = 10, works_in = d1
        e2: pay = "ten", works_in = d9 }
}`),
      ['E_INSTANCE_VALUE 10:19', 'E_CATALOG_UNKNOWN 10:37'],
    );
    const errors = errorsOf(`typeside Ty = sql
schema S = literal : Ty {
  entities N
  foreign_keys next : N -> N
  attributes v : N -> Integer
}
instance Inf = literal : S {
  generators zero : N
}
instance Clash = literal : S {
  generators a b : N
  equations a = b  a.v = 1  b.v = 2 a.next = a
}`);
    assert.deepEqual(errors, ['E_INSTANCE_INFINITE 7:16', 'E_INSTANCE_CLASH 12:29']);
  });

  it('refuses a NOT NULL attribute left without a value', () => {
    const errors = errorsOf(`schema C {
  entities Emp
  attributes name : Emp -> String!
}
instance I : C {
  Emp { e1: name = "A"
        e2: }
}`);
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? '', /^E_INSTANCE_NOT_NULL /);
  });

  it('reports a reference to a failed declaration once, not at every use', () => {
    const result = check(`typeside Ty = sql
schema S = literal : Ty { entities A  attributes a : A -> Nope }
instance I = empty : S
instance J = empty : S
schema T = literal : Ty { entities B B }`);
    assert.deepEqual(
      result.errors.map((e) => e.code),
      ['E_CATALOG_UNKNOWN', 'E_CATALOG_DUPLICATE'],
    );
  });

  it('reports unknown and wrongly-kinded names', () => {
    assert.deepEqual(
      errorsOf(`typeside Ty = sql
schema S = literal : Ty { entities A }
instance I = empty : Sx
instance K = empty : S
instance J = empty : K
schema S = literal : Ty { entities A }`),
      ['E_CATALOG_UNKNOWN 3:22', 'E_CATALOG_TYPE 5:22', 'E_CATALOG_DUPLICATE 6:8'],
    );
  });
});

describe('catalog: compact queries', () => {
  const COMPANY = `schema C {
  entities Emp Dept
  foreign_keys works_in : Emp -> Dept
  attributes name : Emp -> String!
             pay : Emp -> Int
             hired : Emp -> Date
             title : Dept -> String
}
`;

  it('types paths, aggregates, aliases and coerced literals', () => {
    const result = check(`${COMPANY}
query Q : C {
  from e : Emp
  where e.hired >= "2020-01-01" and e.pay > 10
  group_by e.works_in.title
  select e.works_in.title  COUNT(*) as n  AVG(e.pay)  SUM(e.pay) + 1 as total
  order_by n desc
  limit 5
}`);
    assert.deepEqual(result.errors, []);
    const query = result.program.queries.get('Q');
    assert.ok(query?.kind === 'CompactQuery');
    assert.deepEqual(
      query.select.map((s) => [s.name, s.type.kind === 'scalar' ? s.type.type : s.type.kind]),
      [
        ['e.works_in.title', 'String'],
        ['n', 'Int'],
        ['AVG(e.pay)', 'Float'],
        ['total', 'Int'],
      ],
    );
    assert.equal(query.orderBy[0]?.expr.kind, 'OutputRef');
    assert.equal(query.limit, 5);
    assert.ok(query.aggregated);
  });

  it('reports ungrouped columns, aggregates in where, bad comparisons and unknown paths', () => {
    assert.deepEqual(
      errorsOf(`${COMPANY}
query A : C { from e : Emp  group_by e.works_in  select e.name COUNT(*) }
query B : C { from e : Emp  where COUNT(*) > 1  select e.name }
query D : C { from e : Emp  where e.name > 3  select e.name }
query E : C { from e : Emp  select e.works_in.titel }
query F : C { from e : Emp  where e.hired = "2020-02-30"  select e.name }
query G : C { from e : Emp  select e.name, e.name }`),
      [
        'E_CATALOG_QUERY 10:57',
        'E_CATALOG_QUERY 11:35',
        'E_CATALOG_TYPE 12:35',
        'E_CATALOG_UNKNOWN 13:47',
        'E_CATALOG_TYPE 14:45',
        'E_CATALOG_DUPLICATE 15:44',
      ],
    );
  });
});

describe('catalog: uber-flower queries', () => {
  const SCHEMAS = `typeside Ty = sql
schema S = literal : Ty {
  entities E D
  foreign_keys d : E -> D  c : E -> D
  attributes n : E -> Varchar  t : D -> Varchar
}
schema T = literal : Ty {
  entities R U
  foreign_keys u : R -> U
  attributes who : R -> Varchar  name : U -> Varchar
}
`;

  it('accepts a well-defined query', () => {
    const result = check(`${SCHEMAS}
query Q = literal : S -> T {
  entity U -> { from x : D  attributes name -> x.t }
  entity R -> { from e : E  where e.c = e.d  attributes who -> e.n  foreign_keys u -> { x -> e.c } }
}`);
    assert.deepEqual(result.errors, []);
  });

  it('rejects a foreign key that leaves its target block, a missing attribute and a missing block', () => {
    const errors = errorsOf(`${SCHEMAS}
query Q = literal : S -> T {
  entity U -> { from x : D  y : E  where y.d = x  attributes name -> x.t }
  entity R -> { from e : E  attributes who -> e.n  foreign_keys u -> { x -> e.c  y -> e } }
}
query P = literal : S -> T {
  entity R -> { from e : E  foreign_keys u -> { x -> e.d } }
}`);
    assert.deepEqual(errors, [
      'E_CATALOG_QUERY 13:11',
      'E_CATALOG_QUERY 18:10',
      'E_CATALOG_QUERY 17:11',
    ]);
  });
  it('decides foreign keys and path equations over foreign-key cycles (no infinite frozen instance)', () => {
    const cyclic = `typeside Ty = sql
schema S = literal : Ty {
  entities E D
  foreign_keys d : E -> D  b : E -> E
  path_equations E.b.d = E.d
  attributes n : E -> Varchar
}
schema T = literal : Ty {
  entities R U
  foreign_keys u : R -> U  m : R -> R
  path_equations R.m.u = R.u
  attributes who : R -> Varchar
}
`;
    const good = check(`${cyclic}
query Q = literal : S -> T {
  entity U -> { from x : D }
  entity R -> { from e : E  attributes who -> e.n  foreign_keys u -> { x -> e.d }  m -> { e -> e.b } }
}`);
    assert.deepEqual(good.errors, []);
    assert.deepEqual(good.program.warnings, []);
    // Without the schema's path equation, U's where fails for u.
    const bad = check(`${cyclic.replace('path_equations E.b.d = E.d', '')}
query Q = literal : S -> T {
  entity U -> { from x : D  y : E  where y.d = x }
  entity R -> { from e : E  attributes who -> e.n  foreign_keys u -> { x -> e.d  y -> e.b } m -> { e -> e.b } }
}`);
    assert.deepEqual(
      bad.errors.map((e) => e.code),
      ['E_CATALOG_QUERY', 'E_CATALOG_QUERY'],
    );
    assert.match(bad.errors[0]?.message ?? '', /along `u` to a row of `U`/);
    assert.match(bad.errors[1]?.message ?? '', /path equation `R\.m\.u = R\.u`/);
  });
});

describe('catalog: checking on top of a checked program', () => {
  it('sees the base declarations, reports at the new file, and refuses redeclaring them', () => {
    const base = checkProgramCollecting(
      parseProgram(
        'schema C { entities A  attributes n : A -> Int }\ninstance I : C { A { a: n = 1 } }',
        { file: 'base.cql' },
      ),
    );
    assert.deepEqual(base.errors, []);
    const more = checkProgramCollecting(
      parseProgram(
        'query Q : C { from x : A  select x.n }\nschema C { entities B }\nquery R : C { from x : A select x.m }',
        { file: 'more.cql' },
      ),
      {},
      base.program,
    );
    assert.deepEqual(
      more.errors.map((e) => `${e.code} ${e.location ? formatLocation(e.location) : ''}`),
      ['E_CATALOG_DUPLICATE more.cql:2:8', 'E_CATALOG_UNKNOWN more.cql:3:35'],
    );
    assert.deepEqual([...more.program.queries.keys()], ['Q']);
    assert.ok(more.program.instances.get('I')?.evaluated);
    assert.deepEqual(
      more.program.declarations.map((d) => d.name),
      ['C', 'I', 'Q'],
    );
  });
});

describe('catalog: saturation past the initial capacity', () => {
  it('keeps foreign keys created while its arrays grow (400 rows, created departments merged)', () => {
    // Regression: a created node was written into the foreign-key array read before the arrays
    // grew, so the write was lost and the chase kept creating rows until "infinite".
    const generators = Array.from({ length: 400 }, (_, i) => `e${i}`);
    const equations = generators.map((g) => `${g}.manager = e0`);
    const result = check(`typeside Ty = sql
schema S = literal : Ty {
  entities Emp Dept
  foreign_keys manager : Emp -> Emp  worksIn : Emp -> Dept
  path_equations Emp.manager.worksIn = Emp.worksIn
}
instance I = literal : S {
  generators ${generators.join(' ')} : Emp
  equations ${equations.join('  ')}
}`);
    assert.deepEqual(result.errors, []);
    const rows = result.program.instances.get('I')?.rows();
    assert.equal(rows?.rowCount('Emp'), 400);
    // Every employee works where e0 works: one created department.
    assert.equal(rows?.rowCount('Dept'), 1);
  });
});

describe('catalog: where generators land', () => {
  it('gives the row of every generator, merged ones included', () => {
    const result = check(`typeside Ty = sql
schema S = literal : Ty { entities A  foreign_keys f : A -> A }
instance I = literal : S {
  generators a b c : A
  equations b = a  c.f = c  a.f = c
}`);
    assert.deepEqual(result.errors, []);
    const rows = result.program.instances.get('I')?.rows();
    assert.ok(rows);
    assert.equal(rows.rowCount('A'), 2); // a (= b) and c
    assert.equal(rows.generatorRow('a'), rows.generatorRow('b'));
    assert.notEqual(rows.generatorRow('a'), rows.generatorRow('c'));
    assert.equal(rows.follow('A', 'f', rows.generatorRow('c') as number), rows.generatorRow('c'));
    assert.equal(rows.generatorRow('zz'), undefined);
  });
});

describe('catalog: limits reach the evaluator', () => {
  const program = `typeside Ty = sql
schema S = literal : Ty { entities A }
schema T = literal : Ty { entities A B  foreign_keys f : A -> B }
mapping F = literal : S -> T { entity A -> A }
instance I = literal : S { generators a1 a2 a3 : A }
instance J = sigma F I`;

  it('stops a Σ result past instanceRowsMax, saying no cycle is involved', () => {
    const parsed = parseProgram(program, { file: 'l.cql' });
    const free = checkProgramCollecting(parsed, { evaluator: functorEvaluator() });
    assert.equal(free.program.instances.get('J')?.rows().totalRows, 6);
    const limited = checkProgramCollecting(parsed, {
      evaluator: functorEvaluator(),
      instanceRowsMax: 5,
    });
    assert.deepEqual(
      limited.errors.map((e) => `${e.code} ${e.location ? formatLocation(e.location) : ''}`),
      ['E_INSTANCE_TOO_LARGE l.cql:6:14'],
    );
    assert.match(limited.errors[0]?.message ?? '', /more than 5 rows .*no foreign-key cycle/);
  });
});
