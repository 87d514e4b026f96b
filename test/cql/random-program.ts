/**
 * Random CQL programs as ASTs, for the parse∘print property test, the fuzz test and the parse
 * benchmark. Deterministic from a seed. Generated ASTs respect the grammar's constraints (see
 * cql/printer.ts): compact forms only at top level, unquoted term heads are plain identifiers,
 * compact-expression names are identifiers that are not keywords.
 */
import type {
  CompactExpr,
  ContextVariable,
  Declaration,
  InstanceExp,
  MappingExp,
  Name,
  OptionSetting,
  Program,
  QueryBlock,
  QueryExp,
  SchemaExp,
  SchemaLiteral,
  Span,
  Term,
  TypesideExp,
} from '../../cql/index.js';

const SPAN: Span = { line: 1, column: 1, offset: 0 };

/** mulberry32: a small, fast, seedable PRNG. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  'Employee',
  'Department',
  'manager',
  'works_in',
  'salary',
  'name',
  'Person',
  'Unit',
  'x',
  'y',
  'e',
  'd',
  'alpha',
  'beta',
  'gamma',
  'Delta2',
  'zeta_3',
  'Ünïcode',
  'q',
  'n',
  'boss',
  'head',
  'plus',
  'times',
  'Str',
  'Nat',
  'Int',
  'String',
  'value',
  'amount',
  'city',
  'Address',
];
const ODD_NAMES = ['a b', 'x-y', '100', '2.5', 'entities', 'from', 'with "quotes"', 'sql', ''];

export class ProgramGenerator {
  private readonly random: () => number;
  private counter = 0;

  constructor(seed: number) {
    this.random = createRandom(seed);
  }

  int(maxExclusive: number): number {
    return Math.floor(this.random() * maxExclusive);
  }

  chance(probability: number): boolean {
    return this.random() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  times<T>(min: number, max: number, make: () => T): T[] {
    const count = min + this.int(max - min + 1);
    return Array.from({ length: count }, make);
  }

  /** A plain identifier that is never a keyword. */
  identifier(): string {
    const word = this.pick(WORDS);
    return this.chance(0.5) ? word : `${word}${this.counter++ % 97}`;
  }

  /** Any name text, sometimes one that must be quoted. */
  nameText(): string {
    return this.chance(0.08) ? this.pick(ODD_NAMES) : this.identifier();
  }

  name(plain = false): Name {
    return { kind: 'Name', text: plain ? this.identifier() : this.nameText(), span: SPAN };
  }

  options(max = 2): OptionSetting[] {
    return this.times(0, max, () => ({
      kind: 'OptionSetting',
      key: this.pick(['prover', 'timeout', 'random_seed', 'allow_java_eqs_unsafe']),
      value: this.pick(['true', 'false', '64', 'auto', 'a b']),
      span: SPAN,
    }));
  }

  term(depth = 0): Term {
    const leaf = depth >= 3 || this.chance(0.4);
    if (leaf) {
      const quoted = this.chance(0.2);
      const head = quoted
        ? this.nameText()
        : this.chance(0.2)
          ? String(this.int(1000))
          : this.identifier();
      return {
        kind: 'Term',
        head,
        args: [],
        quoted,
        annotation: !quoted && this.chance(0.1) ? this.identifier() : undefined,
        style: 'prefix',
        span: SPAN,
      };
    }
    const arity = this.pick([1, 1, 1, 2, 0, 3]);
    const args = this.times(arity, arity, () => this.term(depth + 1));
    const quoted = this.chance(0.1);
    return {
      kind: 'Term',
      head: quoted ? this.nameText() : this.identifier(),
      args,
      quoted,
      annotation: undefined,
      style:
        arity === 1
          ? this.pick(['dot', 'prefix'] as const)
          : arity === 2
            ? this.pick(['infix', 'prefix'] as const)
            : 'prefix',
      span: SPAN,
    };
  }

  contextVariable(sorted = this.chance(0.5)): ContextVariable {
    return {
      kind: 'ContextVariable',
      name: this.identifier(),
      sort: sorted ? this.identifier() : undefined,
      span: SPAN,
    };
  }

  typesideExp(depth = 0): TypesideExp {
    const roll = this.int(depth > 0 ? 4 : 6);
    if (roll === 0) return { kind: 'TypesideSql', span: SPAN };
    if (roll === 1) return { kind: 'TypesideEmpty', span: SPAN };
    if (roll === 2) return { kind: 'TypesideVar', name: this.name(), span: SPAN };
    if (roll === 3)
      return {
        kind: 'TypesideOf',
        schema: { kind: 'SchemaVar', name: this.name(), span: SPAN },
        span: SPAN,
      };
    return this.typesideLiteral(depth);
  }

  typesideLiteral(depth: number): TypesideExp {
    const sorts = () => this.times(0, 3, () => this.name());
    return {
      kind: 'TypesideLiteral',
      imports: depth < 1 ? this.times(0, 1, () => this.typesideExp(depth + 1)) : [],
      types: this.times(0, 4, () => this.name()),
      constants: this.times(0, 3, () => ({
        kind: 'FunctionSymbol' as const,
        name: this.name(),
        argumentSorts: [],
        resultSort: this.name(),
        span: SPAN,
      })),
      functions: this.times(0, 3, () => ({
        kind: 'FunctionSymbol' as const,
        name: this.name(),
        argumentSorts: sorts(),
        resultSort: this.name(),
        span: SPAN,
      })),
      externalTypes: this.times(0, 2, () => ({
        kind: 'ExternalType' as const,
        sort: this.name(),
        className: this.pick(['java.lang.String', 'java.lang.Integer', 'java.lang.Double']),
        span: SPAN,
      })),
      externalParsers: this.times(0, 2, () => ({
        kind: 'ExternalParser' as const,
        sort: this.name(),
        code: this.pick(['x => x', 'parseInt', 'x => "\\n" + x']),
        span: SPAN,
      })),
      externalFunctions: this.times(0, 2, () => ({
        kind: 'ExternalFunction' as const,
        name: this.name(),
        argumentSorts: sorts(),
        resultSort: this.name(),
        code: '(x, y) => x + y',
        span: SPAN,
      })),
      equations: this.times(0, 2, () => ({
        kind: 'QuantifiedEquation' as const,
        context: this.times(0, 3, () => this.contextVariable()),
        lhs: this.term(),
        rhs: this.term(),
        span: SPAN,
      })),
      options: this.options(),
      span: SPAN,
    };
  }

  schemaLiteral(syntax: 'literal' | 'compact', depth: number): SchemaLiteral {
    const entities = this.times(1, 4, () => this.name());
    const entity = (): Name => ({ ...this.pick(entities) });
    return {
      kind: 'SchemaLiteral',
      syntax,
      typeside:
        syntax === 'compact' ? { kind: 'TypesideSql', span: SPAN } : this.typesideExp(depth + 1),
      imports:
        depth < 1 && this.chance(0.2) ? [{ kind: 'SchemaVar', name: this.name(), span: SPAN }] : [],
      entities,
      foreignKeys: this.times(0, 3, () => ({
        kind: 'ForeignKeyDecl' as const,
        name: this.name(),
        source: entity(),
        target: entity(),
        span: SPAN,
      })),
      pathEquations: this.times(0, 2, () => ({
        kind: 'PathEquation' as const,
        lhs: { kind: 'Path' as const, names: this.times(1, 3, () => this.name()), span: SPAN },
        rhs: { kind: 'Path' as const, names: this.times(1, 3, () => this.name()), span: SPAN },
        span: SPAN,
      })),
      attributes: this.times(0, 4, () => ({
        kind: 'AttributeDecl' as const,
        name: this.name(),
        entity: entity(),
        type: {
          kind: 'Name' as const,
          text: this.pick(['String', 'Int', 'Date', 'Decimal', 'Nat']),
          span: SPAN,
        },
        notNull: this.chance(0.3),
        span: SPAN,
      })),
      observationEquations: this.times(0, 2, () => {
        if (this.chance(0.5)) {
          const steps = () => {
            let term: Term = {
              kind: 'Term',
              head: '_x',
              args: [],
              quoted: false,
              annotation: undefined,
              style: 'prefix',
              span: SPAN,
            };
            for (let index = 0, count = 1 + this.int(3); index < count; index++) {
              term = {
                kind: 'Term',
                head: this.identifier(),
                args: [term],
                quoted: false,
                annotation: undefined,
                style: 'dot',
                span: SPAN,
              };
            }
            return term;
          };
          return {
            kind: 'ObservationEquation' as const,
            form: 'path' as const,
            variable: {
              kind: 'ContextVariable' as const,
              name: '_x',
              sort: undefined,
              span: SPAN,
            },
            lhs: steps(),
            rhs: steps(),
            span: SPAN,
          };
        }
        return {
          kind: 'ObservationEquation' as const,
          form: 'forall' as const,
          variable: this.contextVariable(),
          lhs: this.term(),
          rhs: this.term(),
          span: SPAN,
        };
      }),
      options: this.options(),
      span: SPAN,
    };
  }

  schemaExp(depth: number): SchemaExp {
    const roll = this.int(depth > 1 ? 2 : 4);
    if (roll === 0) return { kind: 'SchemaVar', name: this.name(), span: SPAN };
    if (roll === 1)
      return {
        kind: 'SchemaOf',
        of: this.pick(['dom_m', 'cod_m', 'dom_q', 'cod_q', 'schemaOf'] as const),
        target: this.name(),
        span: SPAN,
      };
    if (roll === 2)
      return { kind: 'SchemaEmpty', typeside: this.typesideExp(depth + 1), span: SPAN };
    return this.schemaLiteral('literal', depth);
  }

  instanceExp(depth: number): InstanceExp {
    const roll = this.int(depth > 1 ? 1 : 6);
    if (roll === 0) return { kind: 'InstanceVar', name: this.name(), span: SPAN };
    if (roll === 1) return { kind: 'InstanceEmpty', schema: this.schemaExp(depth + 1), span: SPAN };
    if (roll === 2 || roll === 3) {
      return {
        kind: 'InstanceMigration',
        functor: this.pick(['sigma', 'delta', 'pi'] as const),
        mapping: this.mappingExp(depth + 1),
        instance: this.instanceExp(depth + 1),
        options: this.options(1),
        span: SPAN,
      };
    }
    if (roll === 4) {
      return {
        kind: 'InstanceEval',
        query: this.queryExp(depth + 1),
        instance: this.instanceExp(depth + 1),
        options: this.options(1),
        span: SPAN,
      };
    }
    return {
      kind: 'InstanceLiteral',
      schema: this.schemaExp(depth + 1),
      imports: this.times(0, 1, () => ({
        kind: 'InstanceVar' as const,
        name: this.name(),
        span: SPAN,
      })),
      generators: this.times(0, 4, () => ({
        kind: 'GeneratorDecl' as const,
        name: this.name(),
        sort: this.name(),
        span: SPAN,
      })),
      equations: this.times(0, 4, () => ({
        kind: 'TermEquation' as const,
        lhs: this.term(),
        rhs: this.term(),
        span: SPAN,
      })),
      multiEquations: this.times(0, 2, () => ({
        kind: 'MultiEquation' as const,
        symbol: this.name(),
        pairs: this.times(0, 3, () => ({ argument: this.term(2), value: this.term(2) })),
        span: SPAN,
      })),
      options: this.options(),
      span: SPAN,
    };
  }

  mappingBody(syntax: 'literal' | 'compact', depth: number): MappingExp {
    return {
      kind: 'MappingLiteral',
      syntax,
      source: { kind: 'SchemaVar', name: this.name(), span: SPAN },
      target:
        depth > 0
          ? { kind: 'SchemaVar', name: this.name(), span: SPAN }
          : this.schemaExp(depth + 1),
      imports: this.times(0, 1, () => ({
        kind: 'MappingVar' as const,
        name: this.name(),
        span: SPAN,
      })),
      entities: this.times(0, 3, () => ({
        kind: 'EntityMapping' as const,
        source: this.name(),
        target: this.name(),
        foreignKeys: this.times(0, 2, () => ({
          kind: 'ForeignKeyMapping' as const,
          foreignKey: this.name(),
          path: this.times(0, 3, () => this.name()),
          span: SPAN,
        })),
        attributes: this.times(0, 2, () => {
          if (this.chance(0.5)) {
            let term: Term = {
              kind: 'Term',
              head: '_x',
              args: [],
              quoted: false,
              annotation: undefined,
              style: 'prefix',
              span: SPAN,
            };
            for (let index = 0, count = 1 + this.int(3); index < count; index++) {
              term = {
                kind: 'Term',
                head: this.identifier(),
                args: [term],
                quoted: false,
                annotation: undefined,
                style: 'dot',
                span: SPAN,
              };
            }
            return {
              kind: 'AttributeMapping' as const,
              attribute: this.name(),
              form: 'path' as const,
              variable: {
                kind: 'ContextVariable' as const,
                name: '_x',
                sort: undefined,
                span: SPAN,
              },
              term,
              span: SPAN,
            };
          }
          return {
            kind: 'AttributeMapping' as const,
            attribute: this.name(),
            form: 'lambda' as const,
            variable: this.contextVariable(),
            term: this.term(),
            span: SPAN,
          };
        }),
        span: SPAN,
      })),
      options: this.options(),
      span: SPAN,
    };
  }

  mappingExp(depth: number): MappingExp {
    const roll = this.int(depth > 1 ? 1 : 4);
    if (roll === 0) return { kind: 'MappingVar', name: this.name(), span: SPAN };
    if (roll === 1)
      return { kind: 'MappingIdentity', schema: this.schemaExp(depth + 1), span: SPAN };
    if (roll === 2)
      return {
        kind: 'MappingCompose',
        first: this.mappingExp(depth + 1),
        second: this.mappingExp(depth + 1),
        span: SPAN,
      };
    return this.mappingBody('literal', depth);
  }

  queryBlock(entity: Name): QueryBlock {
    return {
      kind: 'QueryBlock',
      entity,
      from: this.times(0, 3, () => ({
        kind: 'FromBinding' as const,
        variable: this.name(),
        entity: this.name(),
        span: SPAN,
      })),
      where: this.times(0, 2, () => ({
        kind: 'TermEquation' as const,
        lhs: this.term(),
        rhs: this.term(),
        span: SPAN,
      })),
      attributes: this.times(0, 2, () => ({
        kind: 'QueryAttribute' as const,
        attribute: this.name(),
        term: this.term(),
        span: SPAN,
      })),
      foreignKeys: this.times(0, 2, () => ({
        kind: 'QueryForeignKey' as const,
        foreignKey: this.name(),
        bindings: this.times(0, 2, () => ({ variable: this.name(), term: this.term(2) })),
        span: SPAN,
      })),
      options: this.options(1),
      span: SPAN,
    };
  }

  queryExp(depth: number): QueryExp {
    const roll = this.int(depth > 1 ? 1 : 6);
    if (roll === 0) return { kind: 'QueryVar', name: this.name(), span: SPAN };
    if (roll === 1) return { kind: 'QueryIdentity', schema: this.schemaExp(depth + 1), span: SPAN };
    if (roll === 2)
      return {
        kind: 'QueryFromMapping',
        direction: this.pick(['toQuery', 'toCoQuery'] as const),
        mapping: this.mappingExp(depth + 1),
        span: SPAN,
      };
    if (roll === 3) {
      return {
        kind: 'QuerySimple',
        source: this.schemaExp(depth + 1),
        block: this.queryBlock({ kind: 'Name', text: '', span: SPAN }),
        span: SPAN,
      };
    }
    return {
      kind: 'QueryLiteral',
      source: { kind: 'SchemaVar', name: this.name(), span: SPAN },
      target: { kind: 'SchemaVar', name: this.name(), span: SPAN },
      imports: this.times(0, 1, () => ({
        kind: 'QueryVar' as const,
        name: this.name(),
        span: SPAN,
      })),
      blocks: this.times(0, 3, () => this.queryBlock(this.name())),
      options: this.options(),
      span: SPAN,
    };
  }

  compactExpr(depth = 0, aggregates = true): CompactExpr {
    const leaf = depth >= 3 || this.chance(0.35);
    if (leaf) {
      const roll = this.int(6);
      if (roll === 0)
        return {
          kind: 'ExprLiteral',
          literal: 'number',
          text: this.pick(['0', '42', '3.25', '9223372036854775807', '1e3']),
          span: SPAN,
        };
      if (roll === 1)
        return {
          kind: 'ExprLiteral',
          literal: 'string',
          text: this.pick(['Ada', "it's", 'a"b', '']),
          span: SPAN,
        };
      if (roll === 2)
        return {
          kind: 'ExprLiteral',
          literal: this.pick(['boolean', 'null'] as const),
          text: '',
          span: SPAN,
        } as CompactExpr;
      return {
        kind: 'ExprPath',
        variable: this.name(true),
        steps: this.times(0, 3, () => this.name(true)),
        span: SPAN,
      };
    }
    const roll = this.int(aggregates ? 7 : 6);
    const operand = () => this.compactExpr(depth + 1, aggregates);
    switch (roll) {
      case 0:
        return {
          kind: 'ExprUnary',
          op: this.pick(['not', '-'] as const),
          operand: operand(),
          span: SPAN,
        };
      case 1:
        return { kind: 'ExprIsNull', operand: operand(), negated: this.chance(0.5), span: SPAN };
      case 2:
        return {
          kind: 'ExprCall',
          fn: { kind: 'Name', text: this.pick(['lower', 'upper', 'coalesce', 'abs']), span: SPAN },
          args: this.times(0, 2, operand),
          span: SPAN,
        };
      case 6: {
        const fn = this.pick(['COUNT', 'SUM', 'AVG', 'MIN', 'MAX'] as const);
        const star = fn === 'COUNT' && this.chance(0.3);
        return {
          kind: 'ExprAggregate',
          fn,
          argument: star ? undefined : this.compactExpr(depth + 1, false),
          distinct: !star && this.chance(0.2),
          span: SPAN,
        };
      }
      default:
        return {
          kind: 'ExprBinary',
          op: this.pick([
            'or',
            'and',
            '=',
            '!=',
            '<',
            '<=',
            '>',
            '>=',
            '+',
            '-',
            '*',
            '/',
            '%',
            '||',
          ] as const),
          left: operand(),
          right: operand(),
          span: SPAN,
        };
    }
  }

  declaration(): Declaration {
    const roll = this.int(10);
    const name = this.name();
    switch (roll) {
      case 0:
        return { kind: 'TypesideDecl', name, value: this.typesideExp(), span: SPAN };
      case 1:
        return { kind: 'SchemaDecl', name, value: this.schemaExp(0), span: SPAN };
      case 2:
        return { kind: 'SchemaDecl', name, value: this.schemaLiteral('compact', 0), span: SPAN };
      case 3:
        return { kind: 'InstanceDecl', name, value: this.instanceExp(0), span: SPAN };
      case 4: {
        const entities = this.times(0, 3, () => ({
          kind: 'EntityRows' as const,
          entity: this.name(),
          rows: this.times(0, 3, () => ({
            kind: 'RowDecl' as const,
            generator: this.name(),
            assignments: this.times(0, 3, () => ({
              kind: 'RowAssignment' as const,
              field: this.name(),
              value: this.rowValue(),
              span: SPAN,
            })),
            span: SPAN,
          })),
          span: SPAN,
        }));
        return {
          kind: 'InstanceDecl',
          name,
          value: {
            kind: 'InstanceRows',
            schema: { kind: 'SchemaVar', name: this.name(), span: SPAN },
            entities,
            span: SPAN,
          },
          span: SPAN,
        };
      }
      case 5:
        return { kind: 'MappingDecl', name, value: this.mappingExp(0), span: SPAN };
      case 6:
        return { kind: 'MappingDecl', name, value: this.mappingBody('compact', 0), span: SPAN };
      case 7:
        return { kind: 'QueryDecl', name, value: this.queryExp(0), span: SPAN };
      case 8:
        return {
          kind: 'QueryDecl',
          name,
          value: {
            kind: 'CompactQuery',
            schema: { kind: 'SchemaVar', name: this.name(), span: SPAN },
            from: this.times(1, 2, () => ({
              kind: 'FromBinding' as const,
              variable: this.name(true),
              entity: this.name(),
              span: SPAN,
            })),
            where: this.chance(0.7) ? this.compactExpr(0, false) : undefined,
            groupBy: this.times(0, 2, () => this.compactExpr(1, false)),
            select: this.times(1, 3, () => ({
              kind: 'CompactSelectItem' as const,
              expr: this.compactExpr(),
              alias: this.chance(0.3) ? this.name() : undefined,
              span: SPAN,
            })),
            orderBy: this.times(0, 2, () => ({
              kind: 'CompactOrderItem' as const,
              expr: this.compactExpr(),
              direction: this.pick(['asc', 'desc'] as const),
              span: SPAN,
            })),
            limit: this.chance(0.5) ? String(this.int(100)) : undefined,
            span: SPAN,
          },
          span: SPAN,
        };
      default:
        return { kind: 'OptionsDecl', options: this.options(3), span: SPAN };
    }
  }

  rowValue() {
    const roll = this.int(6);
    if (roll === 0)
      return {
        kind: 'RowLiteral' as const,
        literal: 'string' as const,
        text: this.pick(['Ada', '2024-02-29', 'a "q"', '']),
        span: SPAN,
      };
    if (roll === 1)
      return {
        kind: 'RowLiteral' as const,
        literal: 'number' as const,
        text: this.pick(['5200', '-3', '12.50', '9007199254740993']),
        span: SPAN,
      };
    if (roll === 2)
      return {
        kind: 'RowLiteral' as const,
        literal: 'boolean' as const,
        text: this.pick(['true', 'false']),
        span: SPAN,
      };
    if (roll === 3) return { kind: 'RowNull' as const, span: SPAN };
    return { kind: 'RowReference' as const, generator: this.name(true), span: SPAN };
  }

  program(declarations: number): Program {
    return {
      kind: 'Program',
      file: undefined,
      declarations: this.times(declarations, declarations, () => this.declaration()),
    };
  }
}

/** Boolean and null literals are spelled by the parser; fill in the text the generator left empty. */
export function normaliseGenerated(program: Program): Program {
  return JSON.parse(JSON.stringify(program), (key, value: unknown) => {
    if (value && typeof value === 'object' && (value as { kind?: string }).kind === 'ExprLiteral') {
      const literal = value as { literal: string; text: string };
      if (literal.literal === 'null') return { ...literal, text: 'null' };
      if (literal.literal === 'boolean' && literal.text === '') return { ...literal, text: 'true' };
    }
    return value;
  }) as Program;
}
