import assert from 'node:assert/strict';
import { CatrustError } from '../../common/index.js';
import {
  type Declaration,
  type InstanceExp,
  type MappingExp,
  type Program,
  type QueryExp,
  type SchemaExp,
  type Term,
  type TypesideExp,
  equalModuloSpans,
  parseProgram,
  parseProgramCollectingErrors,
  printProgram,
  printTerm,
} from '../../cql/index.js';

function parse(text: string): Program {
  const program = parseProgram(text, { file: 'test.cql' });
  // Every parsed program also round-trips through the printer.
  const printed = printProgram(program);
  const again = parseProgram(printed, { file: 'printed.cql' });
  assert.ok(equalModuloSpans(program, again), `round trip changed the AST:\n${printed}`);
  assert.equal(printProgram(again), printed);
  return program;
}

function only(text: string): Declaration {
  const program = parse(text);
  assert.equal(program.declarations.length, 1);
  return program.declarations[0] as Declaration;
}

function valueOf<T>(text: string): T {
  const declaration = only(text);
  assert.ok('value' in declaration);
  return declaration.value as T;
}

/** The error a text gives: code, line, column and message. */
function errorOf(text: string): { code: string; line: number; column: number; message: string } {
  try {
    parseProgram(text, { file: 'bad.cql' });
  } catch (error) {
    assert.ok(error instanceof CatrustError, `expected a CatrustError, got ${String(error)}`);
    const location = error.location;
    assert.ok(location && location.kind === 'source', 'error without a source location');
    assert.equal(location.file, 'bad.cql');
    return {
      code: error.code,
      line: location.line,
      column: location.column,
      message: error.message,
    };
  }
  assert.fail('expected a parse error');
}

function termText(term: Term): string {
  return printTerm(term);
}

describe('cql/parser: the reference literal syntax', () => {
  it('parses a typeside with every section', () => {
    const typeside = valueOf<TypesideExp>(`
      typeside T = literal {
        imports sql
        types nat string
        constants zero one : nat
        functions plus : nat, nat -> nat   succ : nat -> nat  now : -> nat
        external_types string -> "java.lang.String"  nat -> "java.lang.Integer"
        external_parsers string -> "x => x"  nat -> "parseInt"
        external_functions add : nat, nat -> nat = "(x, y) => x + y"  seven : nat = "7"
        equations forall x:nat, y. plus(x, y) = plus(y, x)   plus(zero, zero) = zero
        options prover = auto
      }`);
    assert.equal(typeside.kind, 'TypesideLiteral');
    if (typeside.kind !== 'TypesideLiteral') return;
    assert.deepEqual(
      typeside.imports.map((item) => item.kind),
      ['TypesideSql'],
    );
    assert.deepEqual(
      typeside.types.map((name) => name.text),
      ['nat', 'string'],
    );
    assert.deepEqual(
      typeside.constants.map((c) => [c.name.text, c.resultSort.text]),
      [
        ['zero', 'nat'],
        ['one', 'nat'],
      ],
    );
    assert.deepEqual(
      typeside.functions.map((f) => [
        f.name.text,
        f.argumentSorts.map((s) => s.text),
        f.resultSort.text,
      ]),
      [
        ['plus', ['nat', 'nat'], 'nat'],
        ['succ', ['nat'], 'nat'],
        ['now', [], 'nat'],
      ],
    );
    assert.deepEqual(
      typeside.externalTypes.map((t) => [t.sort.text, t.className]),
      [
        ['string', 'java.lang.String'],
        ['nat', 'java.lang.Integer'],
      ],
    );
    assert.deepEqual(
      typeside.externalParsers.map((p) => p.code),
      ['x => x', 'parseInt'],
    );
    assert.deepEqual(
      typeside.externalFunctions.map((f) => [f.name.text, f.argumentSorts.length, f.code]),
      [
        ['add', 2, '(x, y) => x + y'],
        ['seven', 0, '7'],
      ],
    );
    const [commutative, ground] = typeside.equations;
    assert.deepEqual(
      commutative?.context.map((v) => [v.name, v.sort]),
      [
        ['x', 'nat'],
        ['y', undefined],
      ],
    );
    assert.equal(ground?.context.length, 0);
    assert.deepEqual(
      typeside.options.map((o) => [o.key, o.value]),
      [['prover', 'auto']],
    );
  });

  it('accepts the older java_types / java_constants / java_functions names', () => {
    const typeside = valueOf<TypesideExp>(`typeside T = literal {
      java_types S -> "java.lang.String" java_constants S -> "return input[0]"
      java_functions f : S -> S = "return input[0]" }`);
    assert.ok(typeside.kind === 'TypesideLiteral');
    assert.equal(typeside.externalTypes.length, 1);
    assert.equal(typeside.externalParsers.length, 1);
    assert.equal(typeside.externalFunctions.length, 1);
  });

  it('parses typeside expressions sql, empty, typesideOf and variables', () => {
    const program = parse(
      'typeside A = sql\ntypeside B = empty\ntypeside C = typesideOf S\ntypeside D = (A)',
    );
    assert.deepEqual(
      program.declarations.map((d) => (d.kind === 'TypesideDecl' ? d.value.kind : '')),
      ['TypesideSql', 'TypesideEmpty', 'TypesideOf', 'TypesideVar'],
    );
  });

  it('parses a schema with every section, several names per line', () => {
    const schema = valueOf<SchemaExp>(`
      schema S = literal : T {
        imports Base
        entities Employee Department
        foreign_keys manager : Employee -> Employee  worksIn : Employee -> Department
                     secretary : Department -> Employee
        path_equations Employee.manager.worksIn = Employee.worksIn
                       Department.secretary.worksIn = Department
        attributes first last : Employee -> string  age : Employee -> nat
        observation_equations forall e. age(e) = age(manager(e))
                              forall e:Employee. first(e) = last(e)
                              manager.age = age
        options prover = completion
      }`);
    assert.ok(schema.kind === 'SchemaLiteral');
    assert.equal(schema.syntax, 'literal');
    assert.equal(schema.typeside.kind, 'TypesideVar');
    assert.deepEqual(
      schema.entities.map((e) => e.text),
      ['Employee', 'Department'],
    );
    assert.deepEqual(
      schema.foreignKeys.map((f) => `${f.name.text}:${f.source.text}->${f.target.text}`),
      [
        'manager:Employee->Employee',
        'worksIn:Employee->Department',
        'secretary:Department->Employee',
      ],
    );
    assert.deepEqual(
      schema.pathEquations.map((p) => p.rhs.names.map((n) => n.text).join('.')),
      ['Employee.worksIn', 'Department'],
    );
    assert.deepEqual(
      schema.attributes.map((a) => a.name.text),
      ['first', 'last', 'age'],
    );
    const [forall, sorted, path] = schema.observationEquations;
    assert.equal(forall?.form, 'forall');
    assert.equal(sorted?.variable.sort, 'Employee');
    assert.equal(path?.form, 'path');
    // As the reference: the path is folded onto `_x`, whose sort the catalog infers.
    assert.equal(path?.variable.sort, undefined);
    assert.equal(path && termText(path.lhs), '_x.manager.age');
    assert.equal(path && termText(path.rhs), '_x.age');
  });

  it('parses the per-entity schema form `entity E foreign_keys f : T attributes a : Ty`', () => {
    const schema = valueOf<SchemaExp>(`schema S = literal : T {
      entity Amphibian foreign_keys isL : Land attributes name : String
      entities Land }`);
    assert.ok(schema.kind === 'SchemaLiteral');
    assert.deepEqual(
      schema.entities.map((e) => e.text),
      ['Amphibian', 'Land'],
    );
    assert.deepEqual(
      schema.foreignKeys.map((f) => [f.source.text, f.target.text]),
      [['Amphibian', 'Land']],
    );
    assert.deepEqual(
      schema.attributes.map((a) => [a.entity.text, a.type.text]),
      [['Amphibian', 'String']],
    );
  });

  it('parses schema expressions empty, dom_m, cod_q, schemaOf', () => {
    const program = parse(
      'schema A = empty : sql\nschema B = dom_m F\nschema C = cod_q Q\nschema D = schemaOf I',
    );
    assert.deepEqual(
      program.declarations.map((d) => (d.kind === 'SchemaDecl' ? d.value.kind : '')),
      ['SchemaEmpty', 'SchemaOf', 'SchemaOf', 'SchemaOf'],
    );
  });

  it('parses an instance literal: generators, equations in both term styles, multi_equations', () => {
    const instance = valueOf<InstanceExp>(`
      instance I = literal : S {
        imports J
        generators a b c : Employee  m : Department
        equations first(a) = Al  b.last = "Bo"  a.manager = b  age(a) = age@nat  (a plus b) = c
        multi_equations name -> {m Math, "x" "Y z"}  empty -> {}
        options interpret_as_algebra = true
      }`);
    assert.ok(instance.kind === 'InstanceLiteral');
    assert.deepEqual(
      instance.generators.map((g) => `${g.name.text}:${g.sort.text}`),
      ['a:Employee', 'b:Employee', 'c:Employee', 'm:Department'],
    );
    assert.deepEqual(
      instance.equations.map((e) => `${termText(e.lhs)} = ${termText(e.rhs)}`),
      ['first(a) = Al', 'b.last = "Bo"', 'a.manager = b', 'age(a) = age@nat', '(a plus b) = c'],
    );
    const quoted = instance.equations[1]?.rhs;
    assert.equal(quoted?.quoted, true);
    assert.equal(instance.multiEquations[0]?.pairs.length, 2);
    assert.equal(instance.multiEquations[1]?.pairs.length, 0);
  });

  it('parses sigma, delta, pi, eval (with options), empty and variables', () => {
    const program = parse(`
      instance A = sigma F I
      instance B = delta F I
      instance C = pi [F ; G] (sigma F I) { options timeout = 30 }
      instance D = eval Q I
      instance E = eval (toQuery F) I
      instance G = empty : S`);
    const values = program.declarations.map((d) =>
      d.kind === 'InstanceDecl' ? d.value : undefined,
    );
    assert.deepEqual(
      values.map((v) => v?.kind),
      [
        'InstanceMigration',
        'InstanceMigration',
        'InstanceMigration',
        'InstanceEval',
        'InstanceEval',
        'InstanceEmpty',
      ],
    );
    const pi = values[2];
    assert.ok(pi?.kind === 'InstanceMigration');
    assert.equal(pi.functor, 'pi');
    assert.equal(pi.mapping.kind, 'MappingCompose');
    assert.equal(pi.instance.kind, 'InstanceMigration');
    assert.deepEqual(
      pi.options.map((o) => o.key),
      ['timeout'],
    );
  });

  it('parses a mapping literal: lambda and path attributes, identity foreign keys', () => {
    const mapping = valueOf<MappingExp>(`
      mapping F = literal : C -> D {
        imports G
        entity T1 -> T
          foreign_keys f -> g.h  k -> identity
          attributes ssn -> lambda x:T. ssn0(x)  first -> lambda x. first0(x)  last -> last0
        entity T2 -> T
          attributes salary -> boss.salary0
        options dont_validate_unsafe = true
      }`);
    assert.ok(mapping.kind === 'MappingLiteral');
    const [first, second] = mapping.entities;
    assert.deepEqual(
      first?.foreignKeys.map((f) => f.path.map((n) => n.text)),
      [['g', 'h'], []],
    );
    assert.deepEqual(
      first?.attributes.map((a) => [a.form, a.variable.name, a.variable.sort, termText(a.term)]),
      [
        ['lambda', 'x', 'T', 'ssn0(x)'],
        ['lambda', 'x', undefined, 'first0(x)'],
        ['path', '_x', undefined, '_x.last0'],
      ],
    );
    assert.equal(second && termText(second.attributes[0]?.term as Term), '_x.boss.salary0');
  });

  it('parses identity and composed mappings', () => {
    const program = parse('mapping I = identity S\nmapping K = [F ; [G ; H]]');
    const [identity, compose] = program.declarations.map((d) =>
      d.kind === 'MappingDecl' ? d.value : undefined,
    );
    assert.equal(identity?.kind, 'MappingIdentity');
    assert.ok(compose?.kind === 'MappingCompose');
    assert.equal(compose.second.kind, 'MappingCompose');
  });

  it('parses an uber-flower query literal with where, attributes and foreign-key substitutions', () => {
    const query = valueOf<QueryExp>(`
      query Q = literal : Source -> Target {
        entity GoodMatch -> {
          from m:Man w:Woman
          where fav_book_m(m) = fav_book_w(w)
          attributes woman_name -> name_w(w)
          foreign_keys for_man -> {man -> m}
        }
        entity PayingGoodMatch -> {
          from man:Man woman:Woman
          where fav_book_m(man) = fav_book_w(woman) paying(man) = true
          foreign_keys is_a -> {m -> man w -> woman}
        }
        options timeout = 5
      }`);
    assert.ok(query.kind === 'QueryLiteral');
    const [good, paying] = query.blocks;
    assert.deepEqual(
      good?.from.map((b) => `${b.variable.text}:${b.entity.text}`),
      ['m:Man', 'w:Woman'],
    );
    assert.equal(paying?.where.length, 2);
    assert.deepEqual(
      paying?.foreignKeys[0]?.bindings.map((b) => `${b.variable.text}->${termText(b.term)}`),
      ['m->man', 'w->woman'],
    );
  });

  it('parses simple, identity and toQuery / toCoQuery queries', () => {
    const program = parse(`
      query A = simple : S { from e:Employee where e.first = Al attributes deptName -> e.worksIn.name }
      query B = identity S
      query C = toQuery F
      query D = toCoQuery F`);
    const kinds = program.declarations.map((d) => (d.kind === 'QueryDecl' ? d.value.kind : ''));
    assert.deepEqual(kinds, [
      'QuerySimple',
      'QueryIdentity',
      'QueryFromMapping',
      'QueryFromMapping',
    ]);
  });

  it('reads all three comment forms, string escapes and names written as strings or numbers', () => {
    const program = parse(`
      # a reference-style comment
      // a C++-style comment
      /* a block
         comment */
      typeside T = literal { types "my type" constants "100" 200 : "my type" }
      instance I = literal : S { generators a : E equations name(a) = "tab\\there \\"quoted\\" \\u00e9" }`);
    const typeside = program.declarations[0];
    assert.ok(typeside?.kind === 'TypesideDecl' && typeside.value.kind === 'TypesideLiteral');
    assert.deepEqual(
      typeside.value.constants.map((c) => c.name.text),
      ['100', '200'],
    );
    const instance = program.declarations[1];
    assert.ok(instance?.kind === 'InstanceDecl' && instance.value.kind === 'InstanceLiteral');
    assert.equal(instance.value.equations[0]?.rhs.head, 'tab\there "quoted" é');
  });

  it('parses top-level options', () => {
    const declaration = only('options\n  timeout = 30\n  prover = auto');
    assert.ok(declaration.kind === 'OptionsDecl');
    assert.deepEqual(
      declaration.options.map((o) => [o.key, o.value]),
      [
        ['timeout', '30'],
        ['prover', 'auto'],
      ],
    );
  });
});

describe('cql/parser: the compact dialect', () => {
  it('parses a compact schema with NOT NULL attributes', () => {
    const schema = valueOf<SchemaExp>(`
      schema Company {
        entities Employee Department
        foreign_keys works_in : Employee -> Department
                     manager  : Employee -> Employee
        attributes emp_name : Employee -> String!
                   salary : Employee -> Int
        path_equations Employee.manager.works_in = Employee.works_in
      }`);
    assert.ok(schema.kind === 'SchemaLiteral');
    assert.equal(schema.syntax, 'compact');
    assert.equal(schema.typeside.kind, 'TypesideSql');
    assert.deepEqual(
      schema.attributes.map((a) => [a.name.text, a.notNull]),
      [
        ['emp_name', true],
        ['salary', false],
      ],
    );
  });

  it('parses instance rows: commas, semicolons, references, negative and exact numbers, null', () => {
    const instance = valueOf<InstanceExp>(`
      instance Acme : Company {
        Department { eng: dept_name = "Engineering"; sales: dept_name = "Sales" }
        Employee {
          ada: emp_name = "Ada", salary = 9007199254740993, works_in = eng, manager = ada
          bob: emp_name = 'Bob''s', salary = -5, bonus = 12.50, active = true, works_in = sales, manager = ada
          eve:
          zed: note = null
        }
      }`);
    assert.ok(instance.kind === 'InstanceRows');
    const [departments, employees] = instance.entities;
    assert.deepEqual(
      departments?.rows.map((r) => r.generator.text),
      ['eng', 'sales'],
    );
    assert.deepEqual(
      employees?.rows.map((r) => r.assignments.length),
      [4, 6, 0, 1],
    );
    const bob = employees?.rows[1];
    assert.deepEqual(
      bob?.assignments.map((a) => a.value),
      [
        {
          kind: 'RowLiteral',
          literal: 'string',
          text: "Bob's",
          span: bob?.assignments[0]?.value.span,
        },
        {
          kind: 'RowLiteral',
          literal: 'number',
          text: '-5',
          span: bob?.assignments[1]?.value.span,
        },
        {
          kind: 'RowLiteral',
          literal: 'number',
          text: '12.50',
          span: bob?.assignments[2]?.value.span,
        },
        {
          kind: 'RowLiteral',
          literal: 'boolean',
          text: 'true',
          span: bob?.assignments[3]?.value.span,
        },
        {
          kind: 'RowReference',
          generator: bob?.assignments[4]?.field && {
            kind: 'Name',
            text: 'sales',
            span: (bob.assignments[4].value as { generator: { span: unknown } }).generator.span,
          },
          span: bob?.assignments[4]?.value.span,
        },
        {
          kind: 'RowReference',
          generator: {
            kind: 'Name',
            text: 'ada',
            span: (bob?.assignments[5]?.value as { generator: { span: unknown } }).generator.span,
          },
          span: bob?.assignments[5]?.value.span,
        },
      ],
    );
    assert.equal(
      employees?.rows[0]?.assignments[1]?.value.kind === 'RowLiteral' &&
        employees.rows[0].assignments[1].value.text,
      '9007199254740993',
    );
    assert.equal(employees?.rows[3]?.assignments[0]?.value.kind, 'RowNull');
  });

  it('parses a compact mapping: one block per entity, the reference flat form too', () => {
    const mapping = valueOf<MappingExp>(`
      mapping F : Company -> Org {
        imports G H
        Employee -> Person {
          foreign_keys works_in -> member_of
                       manager  -> boss.boss  self -> identity
          attributes   emp_name -> full_name
                       pay      -> lambda e. plus(e.salary, e.bonus)
        }
        Department -> Unit
        entity Site -> Place
          attributes city -> town
        options timeout = 30
      }`);
    assert.ok(mapping.kind === 'MappingLiteral');
    assert.equal(mapping.syntax, 'compact');
    assert.deepEqual(
      mapping.imports.map((item) => item.kind === 'MappingVar' && item.name.text),
      ['G', 'H'],
    );
    assert.deepEqual(
      mapping.entities.map((e) => `${e.source.text}->${e.target.text}`),
      ['Employee->Person', 'Department->Unit', 'Site->Place'],
    );
    const [employee, department, site] = mapping.entities;
    assert.deepEqual(
      employee?.foreignKeys.map((f) => [f.foreignKey.text, f.path.map((n) => n.text).join('.')]),
      [
        ['works_in', 'member_of'],
        ['manager', 'boss.boss'],
        ['self', ''],
      ],
    );
    assert.deepEqual(
      employee?.attributes.map((a) => [a.form, termText(a.term)]),
      [
        ['path', '_x.full_name'],
        ['lambda', 'plus(e.salary, e.bonus)'],
      ],
    );
    assert.equal(department?.foreignKeys.length, 0);
    assert.equal(site?.attributes[0]?.attribute.text, 'city');
    assert.deepEqual(
      mapping.options.map((o) => [o.key, o.value]),
      [['timeout', '30']],
    );
    // The printer writes the block form.
    assert.equal(
      printProgram(parse('mapping F : A -> B { entity X -> Y attributes a -> b  entity Z -> W }')),
      'mapping F : A -> B {\n  X -> Y {\n    attributes\n      a -> b\n  }\n  Z -> W\n}\n',
    );
  });

  it('parses the bundled example query: whitespace-separated select items, aggregates', () => {
    const declaration = only(`
      query ByDept : Company {
        from e : Employee
        where e.salary > 1000
        group_by e.works_in.dept_name
        select e.works_in.dept_name  COUNT(*)  AVG(e.salary) as average
        order_by COUNT(*) desc, e.works_in.dept_name
        limit 10
      }`);
    assert.ok(declaration.kind === 'QueryDecl' && declaration.value.kind === 'CompactQuery');
    const query = declaration.value;
    assert.equal(query.select.length, 3);
    assert.deepEqual(
      query.select.map((s) => s.expr.kind),
      ['ExprPath', 'ExprAggregate', 'ExprAggregate'],
    );
    assert.equal(query.select[2]?.alias?.text, 'average');
    assert.deepEqual(
      query.orderBy.map((o) => o.direction),
      ['desc', 'asc'],
    );
    assert.equal(query.limit, '10');
    assert.equal(query.where?.kind, 'ExprBinary');
  });

  it('gives compact expressions SQL precedence', () => {
    const declaration = only(`query Q : S {
      from e : E, d : D
      where not e.a = 1 or e.b + 2 * 3 >= 7 and e.c is not null and e.s || 'x' = 'yx'
      select COUNT(distinct e.a), -e.b, lower(e.s), (e.a + 1) * 2 }`);
    assert.ok(declaration.kind === 'QueryDecl' && declaration.value.kind === 'CompactQuery');
    const where = declaration.value.where;
    assert.ok(where?.kind === 'ExprBinary');
    assert.equal(where.op, 'or');
    assert.ok(where.left.kind === 'ExprUnary' && where.left.op === 'not');
    assert.ok(where.right.kind === 'ExprBinary' && where.right.op === 'and');
    assert.equal(declaration.value.from.length, 2);
    const [count, negate, call, product] = declaration.value.select.map((s) => s.expr);
    assert.ok(count?.kind === 'ExprAggregate' && count.distinct);
    assert.ok(negate?.kind === 'ExprUnary' && negate.op === '-');
    assert.ok(call?.kind === 'ExprCall' && call.fn.text === 'lower');
    assert.ok(
      product?.kind === 'ExprBinary' && product.op === '*' && product.left.kind === 'ExprBinary',
    );
  });
});

describe('cql/parser: errors with their exact location', () => {
  const cases: {
    name: string;
    text: string;
    code: string;
    line: number;
    column: number;
    message: RegExp;
  }[] = [
    {
      name: 'a misspelled section keyword, with a suggestion',
      text: 'schema S {\n  entites A B\n}',
      code: 'E_CQL_SYNTAX',
      line: 2,
      column: 3,
      message: /expected a section of the schema .* found `entites` \(did you mean `entities`\?\)/,
    },
    {
      name: 'a missing arrow in a foreign key',
      text: 'schema S {\n  entities A\n  foreign_keys f : A B\n}',
      code: 'E_CQL_SYNTAX',
      line: 3,
      column: 22,
      message: /expected `->` after the entity `A`, found `B`/,
    },
    {
      name: 'an unterminated string',
      text: 'instance I : S {\n  E { a: n = "abc }\n}',
      code: 'E_CQL_SYNTAX',
      line: 2,
      column: 14,
      message: /unterminated string literal/,
    },
    {
      name: 'an unterminated block comment',
      text: 'schema S { }\n  /* never closed',
      code: 'E_CQL_SYNTAX',
      line: 2,
      column: 3,
      message: /unterminated comment/,
    },
    {
      name: 'an unexpected character',
      text: 'schema S {\n  entities A ~ B\n}',
      code: 'E_CQL_SYNTAX',
      line: 2,
      column: 14,
      message: /unexpected character "~"/,
    },
    {
      name: 'a misspelled declaration keyword',
      text: '\nshcema S { }',
      code: 'E_CQL_SYNTAX',
      line: 2,
      column: 1,
      message: /expected a declaration .* found `shcema` \(did you mean `schema`\?\)/,
    },
    {
      name: 'an unsupported declaration kind',
      text: 'schema S { }\ntransform t = identity I',
      code: 'E_CQL_UNSUPPORTED',
      line: 2,
      column: 1,
      message: /the declaration kind `transform` is not supported/,
    },
    {
      name: 'an unsupported instance expression',
      text: 'instance J =   chase C I',
      code: 'E_CQL_UNSUPPORTED',
      line: 1,
      column: 16,
      message: /the instance expression `chase` is not supported/,
    },
    {
      name: 'query composition',
      text: 'query Q = [A ; B]',
      code: 'E_CQL_UNSUPPORTED',
      line: 1,
      column: 11,
      message: /query composition/,
    },
    {
      name: 'aggregation in an uber-flower block',
      text: 'query Q = literal : S -> T {\n entity E -> { from x:X attributes n -> from y:Y return y aggregate 0 lambda a b. a } }',
      code: 'E_CQL_UNSUPPORTED',
      line: 2,
      column: 41,
      message: /aggregation in a query block/,
    },
    {
      name: 'query params',
      text: 'query Q = literal : S -> T {\n  params x : Int\n}',
      code: 'E_CQL_UNSUPPORTED',
      line: 2,
      column: 3,
      message: /query `params`/,
    },
    {
      name: 'a compact row without a colon',
      text: 'instance I : S {\n  E {\n    a = 1\n  }\n}',
      code: 'E_CQL_SYNTAX',
      line: 3,
      column: 5,
      message: /expected a row `name: field = value, …` of `E`/,
    },
    {
      name: 'compact query clauses out of order',
      text: 'query Q : S {\n  select e.a\n  from e : E\n}',
      code: 'E_CQL_SYNTAX',
      line: 3,
      column: 3,
      message: /the clause `from` must come before `select`/,
    },
    {
      name: 'a compact query without select',
      text: 'query Q : S { from e : E }',
      code: 'E_CQL_SYNTAX',
      line: 1,
      column: 26,
      message: /needs a `select` clause/,
    },
    {
      name: 'COUNT-only star',
      text: 'query Q : S { from e : E select SUM(*) }',
      code: 'E_CQL_SYNTAX',
      line: 1,
      column: 37,
      message: /`\*` is an argument of COUNT only/,
    },
    {
      name: 'a foreign_keys section before any entity in a mapping',
      text: 'mapping F = literal : S -> T {\n  foreign_keys f -> g\n}',
      code: 'E_CQL_SYNTAX',
      line: 2,
      column: 3,
      message: /`foreign_keys` must follow an `entity X -> Y` line/,
    },
    {
      name: 'an application that never closes',
      text: 'instance I = literal : S {\n  equations f(a, b = c\n}',
      code: 'E_CQL_SYNTAX',
      line: 2,
      column: 20,
      message: /expected `\)`/,
    },
    {
      name: 'a number that runs into a name',
      text: 'schema S { entities 12abc }',
      code: 'E_CQL_SYNTAX',
      line: 1,
      column: 21,
      message: /malformed number/,
    },
  ];
  for (const testCase of cases) {
    it(`reports ${testCase.name}`, () => {
      const error = errorOf(testCase.text);
      assert.equal(error.code, testCase.code, error.message);
      assert.deepEqual([error.line, error.column], [testCase.line, testCase.column], error.message);
      assert.match(error.message, testCase.message);
      assert.ok(
        error.message.startsWith(`bad.cql:${testCase.line}:${testCase.column}: `),
        error.message,
      );
    });
  }

  it('reports nesting beyond the limit as E_LIMIT, not a stack overflow', () => {
    const deep = `instance I = literal : S { equations ${'f('.repeat(5000)}x${')'.repeat(5000)} = y }`;
    const error = errorOf(deep);
    assert.equal(error.code, 'E_LIMIT');
  });

  it('collects every error when recovering, one per broken declaration', () => {
    const result = parseProgramCollectingErrors(
      'schema A { entites X }\nschema B { entities Y }\ninstance I = chase C I\nschema C { entities Z ~ }\n',
      { file: 'many.cql', recover: true },
    );
    assert.deepEqual(
      result.errors.map((e) => e.code),
      ['E_CQL_SYNTAX', 'E_CQL_UNSUPPORTED', 'E_CQL_SYNTAX'],
    );
    assert.deepEqual(
      result.errors.map((e) => (e.location?.kind === 'source' ? e.location.line : 0)),
      [1, 3, 4],
    );
    assert.match(result.errors[2]?.message ?? '', /many\.cql:4:23: unexpected character "~"/);
    assert.deepEqual(
      result.program.declarations.map((d) => (d.kind === 'SchemaDecl' ? d.name.text : '?')),
      ['B'],
    );
  });
});
