/**
 * Expressions of the reference CQL syntax: typesides, schemas, instances, mappings and queries
 * (literals, `sigma`/`delta`/`pi`/`eval`, `empty`, `identity`, `[F ; G]`, variables).
 *
 * The reference fixes the order of the sections inside a literal; catrust accepts them in any
 * order and repeated (a superset), and the printer writes the reference's order. Anything the
 * reference has that catrust does not is an `E_CQL_UNSUPPORTED` at its first token.
 */
import type {
  AttributeDecl,
  AttributeMapping,
  EntityMapping,
  ExternalFunction,
  ExternalParser,
  ExternalType,
  ForeignKeyDecl,
  ForeignKeyMapping,
  FromBinding,
  FunctionSymbol,
  GeneratorDecl,
  InstanceExp,
  MappingExp,
  MultiEquation,
  Name,
  ObservationEquation,
  OptionSetting,
  PathEquation,
  QuantifiedEquation,
  QueryAttribute,
  QueryBlock,
  QueryExp,
  QueryForeignKey,
  SchemaExp,
  SchemaLiteral,
  Span,
  Term,
  TermEquation,
  TypesideExp,
} from './ast.js';
import {
  foldPath,
  parseContext,
  parsePath,
  parseQuantifiedEquation,
  parseTerm,
  parseTermEquation,
} from './parse-terms.js';
import { SECTION_WORDS } from './keywords.js';
import type { TokenStream } from './token-stream.js';
import { exact, spanOf } from './token-stream.js';

/**
 * Words that start an expression of the reference language that catrust does not support.
 * (Checked before a word is read as a variable name, so `instance J = chase …` is reported as
 * unsupported rather than as a reference to an instance named `chase`.)
 */
const UNSUPPORTED_EXPRESSIONS: ReadonlySet<string> = new Set([
  'anonymize',
  'cascade_delete',
  'chase',
  'coeval',
  'coequalize',
  'colimit',
  'coproduct',
  'coproduct_sigma',
  'core',
  'distinct',
  'dom_t',
  'cod_t',
  'except',
  'frozen',
  'getMapping',
  'getSchema',
  'getPseudo',
  'import_csv',
  'import_jdbc',
  'import_jdbc_all',
  'import_jdbc_direct',
  'import_json_ld_all',
  'import_md',
  'import_rdf_all',
  'import_tinkerpop_all',
  'import_xml_all',
  'import_excel',
  'include',
  'learn',
  'ms_catalog',
  'ms_error',
  'ms_error_shallow',
  'ms_query',
  'from_ms_catalog',
  'pivot',
  'copivot',
  'prefix',
  'quotient',
  'quotient_csv',
  'quotient_jdbc',
  'quotient_query',
  'random',
  'rdf',
  'excel',
  'sqlNull',
  'sigma_chase',
  'skolem',
  'spanify',
  'spanify_mapping',
  'tinkerpop',
  'unit',
  'counit',
  'unit_query',
  'counit_query',
  'wrap',
  'simplify',
  'modify',
  'pseudo_quotient',
  'fromInstance',
  'fromCoSpan',
  'fromConstraints',
  'fromSchema',
  'rext',
  'front',
  'back',
  'reformulate',
  'infer',
  'union',
  'from_oracle',
  'from_mysql',
  'to_prefix',
  'from_prefix',
  'theory_morphism',
]);

const TYPESIDE_SECTIONS = [
  'imports',
  'types',
  'constants',
  'functions',
  'external_types',
  'external_parsers',
  'external_functions',
  'java_types',
  'java_constants',
  'java_functions',
  'equations',
  'options',
] as const;
export const SCHEMA_SECTIONS = [
  'imports',
  'entity',
  'entities',
  'foreign_keys',
  'path_equations',
  'attributes',
  'observation_equations',
  'options',
] as const;
const INSTANCE_SECTIONS = [
  'imports',
  'generators',
  'equations',
  'multi_equations',
  'options',
] as const;
const MAPPING_SECTIONS = ['imports', 'entity', 'foreign_keys', 'attributes', 'options'] as const;
const QUERY_SECTIONS = ['params', 'bindings', 'imports', 'entity', 'options'] as const;
const BLOCK_SECTIONS = ['from', 'where', 'attributes', 'foreign_keys', 'options'] as const;

/** True when the next token is one of `sections` (a section keyword ends the previous list). */
function atSection(stream: TokenStream, sections: readonly string[]): boolean {
  const token = stream.peek();
  return token.kind === 'ident' && sections.includes(token.text);
}

/** True while a section's items continue: not at `}`, not at the next section, not at the end. */
export function moreItems(stream: TokenStream, sections: readonly string[]): boolean {
  const token = stream.peek();
  if (token.kind === 'ident' && SECTION_WORDS.has(token.text)) return false;
  return !stream.atSymbol('}') && !stream.atEnd() && !atSection(stream, sections);
}

/**
 * Parse `{ section… }` bodies: each section keyword of `sections` is consumed and its handler
 * reads the items up to the next section or the closing brace.
 */
function parseSections(
  stream: TokenStream,
  what: string,
  sections: readonly string[],
  handle: (section: string, start: Span) => void,
): void {
  while (!stream.atSymbol('}')) {
    if (!atSection(stream, sections)) {
      throw stream.expected(
        `a section of ${what} (${sections.map((section) => `\`${section}\``).join(', ')}) or \`}\``,
        sections,
      );
    }
    const token = stream.next();
    handle(token.text, spanOf(token));
  }
  stream.expectSymbol('}', `to close ${what}`);
}

/** `n1 n2 … :` — one or more names before a colon (as in `a b c : Employee`). */
function parseNamesBefore(stream: TokenStream, separator: string, context: string): Name[] {
  const names: Name[] = [stream.expectName(context)];
  while (stream.atName() && !stream.atSymbol(separator)) names.push(stream.expectName(context));
  if (!stream.acceptSymbol(separator)) {
    throw stream.expectedSymbol(
      separator,
      `after ${names.map((name) => `\`${name.text}\``).join(' ')}`,
    );
  }
  return names;
}

/**
 * `name = value …` up to the next section or `}`. With `strict` false the list may also end at
 * anything that is not `name =` (the compact mapping's entity entries follow it).
 */
export function parseOptionSettings(
  stream: TokenStream,
  sections: readonly string[],
  strict = true,
): OptionSetting[] {
  const options: OptionSetting[] = [];
  while (moreItems(stream, sections) && stream.atName() && stream.atSymbol('=', 1)) {
    const key = stream.next();
    stream.next();
    if (!stream.atName()) throw stream.expected(`a value for option \`${key.text}\``);
    const value = stream.next();
    options.push({ kind: 'OptionSetting', key: key.text, value: value.text, span: spanOf(key) });
  }
  if (strict && moreItems(stream, sections)) throw stream.expected('an option `name = value`');
  return options;
}

/** `{ options k = v … }` or `{ }` after `sigma F I`, `eval Q I` … */
function parseOptionalOptionsBlock(stream: TokenStream): OptionSetting[] {
  if (!stream.atSymbol('{')) return [];
  stream.next();
  let options: OptionSetting[] = [];
  if (stream.acceptWord('options')) options = parseOptionSettings(stream, []);
  stream.expectSymbol('}', 'to close the options block');
  return options;
}

function rejectUnsupported(stream: TokenStream, kind: string): void {
  const token = stream.peek();
  if (token.kind === 'ident' && UNSUPPORTED_EXPRESSIONS.has(token.text)) {
    throw stream.unsupported(`the ${kind} expression \`${token.text}\``);
  }
}

function parenthesized<T>(stream: TokenStream, parse: () => T, what: string): T | undefined {
  if (!stream.atSymbol('(')) return undefined;
  stream.next();
  const value = stream.nested(parse);
  stream.expectSymbol(')', `to close the parenthesised ${what}`);
  return value;
}

// ─── Typesides ─────────────────────────────────────────────────────────────────────────────────

/** Every expression kind nests (`sigma F (sigma G I)`, `imports literal …`): guarded. */
export function parseTypesideExp(stream: TokenStream): TypesideExp {
  return stream.nested(() => parseTypesideExpUnguarded(stream));
}

function parseTypesideExpUnguarded(stream: TokenStream): TypesideExp {
  const inner = parenthesized(stream, () => parseTypesideExp(stream), 'typeside');
  if (inner) return inner;
  const span = stream.span();
  if (stream.acceptWord('literal')) {
    stream.expectSymbol('{', 'to open the typeside literal');
    return parseTypesideLiteralBody(stream, span);
  }
  if (stream.acceptWord('sql')) return { kind: 'TypesideSql', span };
  if (stream.acceptWord('empty')) return { kind: 'TypesideEmpty', span };
  if (stream.acceptWord('typesideOf')) {
    return { kind: 'TypesideOf', schema: parseSchemaExp(stream), span };
  }
  rejectUnsupported(stream, 'typeside');
  const name = stream.expectName('of a typeside (or `literal`, `sql`, `empty`)');
  return { kind: 'TypesideVar', name, span };
}

function parseTypesideLiteralBody(stream: TokenStream, span: Span): TypesideExp {
  const imports: TypesideExp[] = [];
  const types: Name[] = [];
  const constants: FunctionSymbol[] = [];
  const functions: FunctionSymbol[] = [];
  const externalTypes: ExternalType[] = [];
  const externalParsers: ExternalParser[] = [];
  const externalFunctions: ExternalFunction[] = [];
  const equations: QuantifiedEquation[] = [];
  let options: OptionSetting[] = [];
  parseSections(stream, 'the typeside literal', TYPESIDE_SECTIONS, (section) => {
    switch (section) {
      case 'imports':
        while (moreItems(stream, TYPESIDE_SECTIONS)) imports.push(parseTypesideExp(stream));
        break;
      case 'types':
        while (moreItems(stream, TYPESIDE_SECTIONS)) types.push(stream.expectName('of a type'));
        break;
      case 'constants':
        while (moreItems(stream, TYPESIDE_SECTIONS)) {
          const names = parseNamesBefore(stream, ':', 'of a constant');
          const resultSort = stream.expectName('(the sort of the constants)');
          for (const name of names) {
            constants.push({
              kind: 'FunctionSymbol',
              name,
              argumentSorts: [],
              resultSort,
              span: name.span,
            });
          }
        }
        break;
      case 'functions':
        while (moreItems(stream, TYPESIDE_SECTIONS)) {
          const names = parseNamesBefore(stream, ':', 'of a function');
          const argumentSorts = parseSortList(stream);
          stream.expectSymbol('->', 'between the argument sorts and the result sort');
          const resultSort = stream.expectName('(the result sort)');
          for (const name of names) {
            functions.push({
              kind: 'FunctionSymbol',
              name,
              argumentSorts,
              resultSort,
              span: name.span,
            });
          }
        }
        break;
      case 'external_types':
      case 'java_types':
        while (moreItems(stream, TYPESIDE_SECTIONS)) {
          const sort = stream.expectName('of a type');
          stream.expectSymbol('->', `after \`${sort.text}\``);
          const className = stream.expectName('(the external class name)').text;
          externalTypes.push({ kind: 'ExternalType', sort, className, span: sort.span });
        }
        break;
      case 'external_parsers':
      case 'java_constants':
        while (moreItems(stream, TYPESIDE_SECTIONS)) {
          const sort = stream.expectName('of a type');
          stream.expectSymbol('->', `after \`${sort.text}\``);
          const code = stream.expectName('(the parser code)').text;
          externalParsers.push({ kind: 'ExternalParser', sort, code, span: sort.span });
        }
        break;
      case 'external_functions':
      case 'java_functions':
        while (moreItems(stream, TYPESIDE_SECTIONS)) {
          const name = stream.expectName('of an external function');
          stream.expectSymbol(':', `after \`${name.text}\``);
          let argumentSorts: Name[] = [];
          let resultSort: Name;
          // `f : a, b -> c = "code"` or `f : c = "code"` (a constant).
          const first = parseSortList(stream);
          if (stream.acceptSymbol('->')) {
            argumentSorts = first;
            resultSort = stream.expectName('(the result sort)');
          } else {
            const only = first[0];
            if (first.length !== 1 || only === undefined) {
              throw stream.expected('`->` and the result sort');
            }
            resultSort = only;
          }
          stream.expectSymbol('=', `before the code of \`${name.text}\``);
          const code = stream.expectName('(the function code)').text;
          externalFunctions.push({
            kind: 'ExternalFunction',
            name,
            argumentSorts,
            resultSort,
            code,
            span: name.span,
          });
        }
        break;
      case 'equations':
        while (moreItems(stream, TYPESIDE_SECTIONS))
          equations.push(parseQuantifiedEquation(stream));
        break;
      case 'options':
        options = options.concat(parseOptionSettings(stream, TYPESIDE_SECTIONS));
        break;
    }
  });
  return {
    kind: 'TypesideLiteral',
    imports,
    types,
    constants,
    functions,
    externalTypes,
    externalParsers,
    externalFunctions,
    equations,
    options,
    span,
  };
}

/** `a, b, c` (possibly empty, before `->`). */
function parseSortList(stream: TokenStream): Name[] {
  const sorts: Name[] = [];
  if (stream.atSymbol('->')) return sorts;
  sorts.push(stream.expectName('(a sort)'));
  while (stream.acceptSymbol(',')) sorts.push(stream.expectName('(a sort)'));
  return sorts;
}

// ─── Schemas ───────────────────────────────────────────────────────────────────────────────────

/** Every expression kind nests (`sigma F (sigma G I)`, `imports literal …`): guarded. */
export function parseSchemaExp(stream: TokenStream): SchemaExp {
  return stream.nested(() => parseSchemaExpUnguarded(stream));
}

function parseSchemaExpUnguarded(stream: TokenStream): SchemaExp {
  const inner = parenthesized(stream, () => parseSchemaExp(stream), 'schema');
  if (inner) return inner;
  const span = stream.span();
  if (stream.acceptWord('literal')) {
    stream.expectSymbol(':', 'after `literal` (then the typeside)');
    const typeside = parseTypesideExp(stream);
    stream.expectSymbol('{', 'to open the schema literal');
    return parseSchemaBody(stream, 'literal', typeside, span);
  }
  if (stream.acceptWord('empty')) {
    stream.expectSymbol(':', 'after `empty` (then the typeside)');
    return { kind: 'SchemaEmpty', typeside: parseTypesideExp(stream), span };
  }
  for (const of of ['dom_m', 'cod_m', 'dom_q', 'cod_q', 'schemaOf'] as const) {
    if (stream.acceptWord(of)) {
      if (!stream.atName()) throw stream.unsupported(`\`${of}\` of an expression (name it first)`);
      const target = stream.expectName(`after \`${of}\``);
      return { kind: 'SchemaOf', of, target, span };
    }
  }
  rejectUnsupported(stream, 'schema');
  const name = stream.expectName('of a schema (or `literal : T {…}`, `empty : T`)');
  return { kind: 'SchemaVar', name, span };
}

/** The sections of a schema, after its `{`; shared by the literal and the compact syntax. */
export function parseSchemaBody(
  stream: TokenStream,
  syntax: 'literal' | 'compact',
  typeside: TypesideExp,
  span: Span,
): SchemaLiteral {
  const imports: SchemaExp[] = [];
  const entities: Name[] = [];
  const foreignKeys: ForeignKeyDecl[] = [];
  const pathEquations: PathEquation[] = [];
  const attributes: AttributeDecl[] = [];
  const observationEquations: ObservationEquation[] = [];
  let options: OptionSetting[] = [];
  // The reference's per-entity form `entity E foreign_keys f : T attributes a : Ty` declares the
  // entity and gives the source of the items that follow it (written without `E ->`).
  let currentEntity: Name | undefined;
  /** `X -> Y` (source, target), or just `Y` after `entity X`. */
  const sourceAndTarget = (what: string): { source: Name; target: Name } => {
    const first = stream.expectName(`(the source entity of the ${what})`);
    if (stream.acceptSymbol('->')) {
      return { source: first, target: stream.expectName(`(the target of the ${what})`) };
    }
    if (currentEntity) return { source: { ...currentEntity, span: first.span }, target: first };
    throw stream.expected(`\`->\` after the entity \`${first.text}\``);
  };
  parseSections(stream, 'the schema', SCHEMA_SECTIONS, (section) => {
    switch (section) {
      case 'imports':
        while (moreItems(stream, SCHEMA_SECTIONS)) imports.push(parseSchemaExp(stream));
        break;
      case 'entity':
        currentEntity = stream.expectName('of an entity');
        entities.push(currentEntity);
        break;
      case 'entities':
        currentEntity = undefined;
        while (moreItems(stream, SCHEMA_SECTIONS)) entities.push(stream.expectName('of an entity'));
        break;
      case 'foreign_keys':
        while (moreItems(stream, SCHEMA_SECTIONS)) {
          const names = parseNamesBefore(stream, ':', 'of a foreign key');
          const { source, target } = sourceAndTarget('foreign key');
          for (const name of names) {
            foreignKeys.push({ kind: 'ForeignKeyDecl', name, source, target, span: name.span });
          }
        }
        break;
      case 'path_equations':
        while (moreItems(stream, SCHEMA_SECTIONS)) {
          const equationSpan = stream.span();
          const lhs = parsePath(stream, 'in a path equation');
          stream.expectSymbol('=', 'between the two paths of a path equation');
          const rhs = parsePath(stream, 'in a path equation');
          pathEquations.push({ kind: 'PathEquation', lhs, rhs, span: equationSpan });
        }
        break;
      case 'attributes':
        while (moreItems(stream, SCHEMA_SECTIONS)) {
          const names = parseNamesBefore(stream, ':', 'of an attribute');
          const { source: entity, target: type } = sourceAndTarget('attribute');
          const notNull = stream.acceptSymbol('!');
          for (const name of names) {
            attributes.push({
              kind: 'AttributeDecl',
              name,
              entity,
              type,
              notNull,
              span: name.span,
            });
          }
        }
        break;
      case 'observation_equations':
        while (moreItems(stream, SCHEMA_SECTIONS)) {
          observationEquations.push(parseObservationEquation(stream));
        }
        break;
      case 'options':
        options = options.concat(parseOptionSettings(stream, SCHEMA_SECTIONS));
        break;
    }
  });
  return {
    kind: 'SchemaLiteral',
    syntax,
    typeside,
    imports,
    entities,
    foreignKeys,
    pathEquations,
    attributes,
    observationEquations,
    options,
    span,
  };
}

function parseObservationEquation(stream: TokenStream): ObservationEquation {
  const span = stream.span();
  if (stream.acceptWord('forall')) {
    const context = parseContext(stream);
    const variable = context[0];
    if (context.length !== 1 || variable === undefined) {
      throw stream.errorAt(
        stream.peek(),
        'an observation equation quantifies exactly one variable (`forall e. …` or `forall e:Entity. …`)',
      );
    }
    stream.expectSymbol('.', 'after the variable of `forall`');
    const lhs = parseTerm(stream);
    stream.expectSymbol('=', 'between the two sides of an observation equation');
    const rhs = parseTerm(stream);
    return { kind: 'ObservationEquation', form: 'forall', variable, lhs, rhs, span };
  }
  // Path form, as the reference reads it: `a.b = c` is `forall _x. b(a(_x)) = c(_x)`, the sort
  // of `_x` left to be inferred (the catalog finds the entity the paths start at).
  const lhs = parsePath(stream, 'in an observation equation');
  stream.expectSymbol('=', 'between the two sides of an observation equation');
  const rhs = parsePath(stream, 'in an observation equation');
  const variable = {
    kind: 'ContextVariable' as const,
    name: '_x',
    sort: undefined,
    span: lhs.span,
  };
  return {
    kind: 'ObservationEquation',
    form: 'path',
    variable,
    lhs: foldPath(lhs.names, '_x', lhs.span),
    rhs: foldPath(rhs.names, '_x', rhs.span),
    span,
  };
}

// ─── Instances ─────────────────────────────────────────────────────────────────────────────────

/** Every expression kind nests (`sigma F (sigma G I)`, `imports literal …`): guarded. */
export function parseInstanceExp(stream: TokenStream): InstanceExp {
  return stream.nested(() => parseInstanceExpUnguarded(stream));
}

function parseInstanceExpUnguarded(stream: TokenStream): InstanceExp {
  const inner = parenthesized(stream, () => parseInstanceExp(stream), 'instance');
  if (inner) return inner;
  const span = stream.span();
  if (stream.acceptWord('literal')) {
    stream.expectSymbol(':', 'after `literal` (then the schema)');
    const schema = parseSchemaExp(stream);
    stream.expectSymbol('{', 'to open the instance literal');
    return parseInstanceLiteralBody(stream, schema, span);
  }
  if (stream.acceptWord('empty')) {
    stream.expectSymbol(':', 'after `empty` (then the schema)');
    return { kind: 'InstanceEmpty', schema: parseSchemaExp(stream), span };
  }
  for (const functor of ['sigma', 'delta', 'pi'] as const) {
    if (stream.acceptWord(functor)) {
      const mapping = parseMappingExp(stream);
      const instance = parseInstanceExp(stream);
      const options = parseOptionalOptionsBlock(stream);
      return { kind: 'InstanceMigration', functor, mapping, instance, options, span };
    }
  }
  if (stream.acceptWord('eval')) {
    const query = parseQueryExp(stream);
    const instance = parseInstanceExp(stream);
    const options = parseOptionalOptionsBlock(stream);
    return { kind: 'InstanceEval', query, instance, options, span };
  }
  rejectUnsupported(stream, 'instance');
  const name = stream.expectName('of an instance (or `literal : S {…}`, `sigma F I`, …)');
  return { kind: 'InstanceVar', name, span };
}

function parseInstanceLiteralBody(stream: TokenStream, schema: SchemaExp, span: Span): InstanceExp {
  const imports: InstanceExp[] = [];
  const generators: GeneratorDecl[] = [];
  const equations: TermEquation[] = [];
  const multiEquations: MultiEquation[] = [];
  let options: OptionSetting[] = [];
  parseSections(stream, 'the instance literal', INSTANCE_SECTIONS, (section) => {
    switch (section) {
      case 'imports':
        while (moreItems(stream, INSTANCE_SECTIONS)) imports.push(parseInstanceExp(stream));
        break;
      case 'generators':
        while (moreItems(stream, INSTANCE_SECTIONS)) {
          const names = parseNamesBefore(stream, ':', 'of a generator');
          const sort = stream.expectName('(the entity or type of the generators)');
          for (const name of names) {
            generators.push({ kind: 'GeneratorDecl', name, sort, span: name.span });
          }
        }
        break;
      case 'equations':
        while (moreItems(stream, INSTANCE_SECTIONS)) equations.push(parseTermEquation(stream));
        break;
      case 'multi_equations':
        while (moreItems(stream, INSTANCE_SECTIONS))
          multiEquations.push(parseMultiEquation(stream));
        break;
      case 'options':
        options = options.concat(parseOptionSettings(stream, INSTANCE_SECTIONS));
        break;
    }
  });
  return {
    kind: 'InstanceLiteral',
    schema,
    imports,
    generators: exact(generators),
    equations: exact(equations),
    multiEquations,
    options,
    span,
  };
}

function parseMultiEquation(stream: TokenStream): MultiEquation {
  const span = stream.span();
  const symbol = stream.expectName('of a foreign key or attribute');
  if (!stream.acceptSymbol('->')) throw stream.expectedSymbol('->', `after \`${symbol.text}\``);
  if (!stream.acceptSymbol('{')) {
    throw stream.expectedSymbol('{', `to open the table of \`${symbol.text}\``);
  }
  const pairs: { argument: Term; value: Term }[] = [];
  if (!stream.atSymbol('}')) {
    for (;;) {
      const argument = parseTerm(stream);
      const value = parseTerm(stream);
      pairs.push({ argument, value });
      if (!stream.acceptSymbol(',')) break;
    }
  }
  if (!stream.acceptSymbol('}')) {
    throw stream.expectedSymbol('}', `to close the table of \`${symbol.text}\``);
  }
  return { kind: 'MultiEquation', symbol, pairs: exact(pairs), span };
}

// ─── Mappings ──────────────────────────────────────────────────────────────────────────────────

/** Every expression kind nests (`sigma F (sigma G I)`, `imports literal …`): guarded. */
export function parseMappingExp(stream: TokenStream): MappingExp {
  return stream.nested(() => parseMappingExpUnguarded(stream));
}

function parseMappingExpUnguarded(stream: TokenStream): MappingExp {
  const inner = parenthesized(stream, () => parseMappingExp(stream), 'mapping');
  if (inner) return inner;
  const span = stream.span();
  if (stream.acceptWord('literal')) {
    stream.expectSymbol(':', 'after `literal` (then the source schema)');
    const source = parseSchemaExp(stream);
    stream.expectSymbol('->', 'between the source and target schemas');
    const target = parseSchemaExp(stream);
    stream.expectSymbol('{', 'to open the mapping literal');
    return parseMappingBody(stream, 'literal', source, target, span);
  }
  if (stream.acceptWord('identity')) {
    return { kind: 'MappingIdentity', schema: parseSchemaExp(stream), span };
  }
  if (stream.acceptSymbol('[')) {
    const first = stream.nested(() => parseMappingExp(stream));
    stream.expectSymbol(';', 'between the two mappings of a composition `[F ; G]`');
    const second = stream.nested(() => parseMappingExp(stream));
    stream.expectSymbol(']', 'to close the composition `[F ; G]`');
    return { kind: 'MappingCompose', first, second, span };
  }
  rejectUnsupported(stream, 'mapping');
  const name = stream.expectName(
    'of a mapping (or `literal : S -> T {…}`, `identity S`, `[F ; G]`)',
  );
  return { kind: 'MappingVar', name, span };
}

/** The sections of a mapping after its `{`; shared by the literal and the compact syntax. */
export function parseMappingBody(
  stream: TokenStream,
  syntax: 'literal' | 'compact',
  source: SchemaExp,
  target: SchemaExp,
  span: Span,
): MappingExp {
  const imports: MappingExp[] = [];
  type MutableEntity = {
    source: Name;
    target: Name;
    foreignKeys: ForeignKeyMapping[];
    attributes: AttributeMapping[];
    span: Span;
  };
  const entities: MutableEntity[] = [];
  let options: OptionSetting[] = [];
  const current = (section: string, at: Span): MutableEntity => {
    const last = entities[entities.length - 1];
    if (!last) {
      throw stream.errorAt(
        { ...stream.peek(), line: at.line, column: at.column, offset: at.offset },
        `\`${section}\` must follow an \`entity X -> Y\` line of the mapping`,
      );
    }
    return last;
  };
  parseSections(stream, 'the mapping', MAPPING_SECTIONS, (section, at) => {
    switch (section) {
      case 'imports':
        while (moreItems(stream, MAPPING_SECTIONS)) imports.push(parseMappingExp(stream));
        break;
      case 'entity': {
        const sourceEntity = stream.expectName('(the source entity)');
        stream.expectSymbol('->', `after the source entity \`${sourceEntity.text}\``);
        const targetEntity = stream.expectName('(the target entity)');
        entities.push({
          source: sourceEntity,
          target: targetEntity,
          foreignKeys: [],
          attributes: [],
          span: at,
        });
        break;
      }
      case 'foreign_keys':
        parseForeignKeyMappings(stream, MAPPING_SECTIONS, current(section, at).foreignKeys);
        break;
      case 'attributes':
        parseAttributeMappings(stream, MAPPING_SECTIONS, current(section, at).attributes);
        break;
      case 'options':
        options = options.concat(parseOptionSettings(stream, MAPPING_SECTIONS));
        break;
    }
  });
  return {
    kind: 'MappingLiteral',
    syntax,
    source,
    target,
    imports,
    entities: entities.map((entity): EntityMapping => ({ kind: 'EntityMapping', ...entity })),
    options,
    span,
  };
}

/** The items of a mapping's `foreign_keys` section: `f g -> path` or `f -> identity`. */
export function parseForeignKeyMappings(
  stream: TokenStream,
  sections: readonly string[],
  into: ForeignKeyMapping[],
): void {
  while (moreItems(stream, sections)) {
    const names = parseNamesBefore(stream, '->', 'of a foreign key');
    let path: Name[] = [];
    if (!stream.acceptWord('identity')) {
      path = [...parsePath(stream, 'in the path of a foreign key').names];
    }
    for (const name of names) {
      into.push({ kind: 'ForeignKeyMapping', foreignKey: name, path, span: name.span });
    }
  }
}

/** The items of a mapping's `attributes` section: `a -> lambda x. term` or `a -> path`. */
export function parseAttributeMappings(
  stream: TokenStream,
  sections: readonly string[],
  into: AttributeMapping[],
): void {
  while (moreItems(stream, sections)) {
    const names = parseNamesBefore(stream, '->', 'of an attribute');
    const mapped = parseAttributeTerm(stream);
    for (const name of names) {
      into.push({ kind: 'AttributeMapping', attribute: name, ...mapped, span: name.span });
    }
  }
}

function parseAttributeTerm(
  stream: TokenStream,
): Pick<AttributeMapping, 'form' | 'variable' | 'term'> {
  if (stream.acceptWord('lambda')) {
    const variableName = stream.expectName('(the variable of `lambda`)');
    let sort: string | undefined;
    if (stream.acceptSymbol(':')) sort = stream.expectName('(the sort of the variable)').text;
    stream.expectSymbol('.', 'after the variable of `lambda`');
    const term = parseTerm(stream);
    return {
      form: 'lambda',
      variable: { kind: 'ContextVariable', name: variableName.text, sort, span: variableName.span },
      term,
    };
  }
  const path = parsePath(stream, 'in the path of an attribute');
  return {
    form: 'path',
    variable: { kind: 'ContextVariable', name: '_x', sort: undefined, span: path.span },
    term: foldPath(path.names, '_x', path.span),
  };
}

// ─── Queries ───────────────────────────────────────────────────────────────────────────────────

/** Every expression kind nests (`sigma F (sigma G I)`, `imports literal …`): guarded. */
export function parseQueryExp(stream: TokenStream): QueryExp {
  return stream.nested(() => parseQueryExpUnguarded(stream));
}

function parseQueryExpUnguarded(stream: TokenStream): QueryExp {
  const inner = parenthesized(stream, () => parseQueryExp(stream), 'query');
  if (inner) return inner;
  const span = stream.span();
  if (stream.acceptWord('literal')) {
    stream.expectSymbol(':', 'after `literal` (then the source schema)');
    const source = parseSchemaExp(stream);
    stream.expectSymbol('->', 'between the source and target schemas');
    const target = parseSchemaExp(stream);
    stream.expectSymbol('{', 'to open the query literal');
    return parseQueryLiteralBody(stream, source, target, span);
  }
  if (stream.acceptWord('simple')) {
    stream.expectSymbol(':', 'after `simple` (then the source schema)');
    const source = parseSchemaExp(stream);
    const blockStart = stream.peek();
    stream.expectSymbol('{', 'to open the simple query');
    const block = parseQueryBlockBody(stream, {
      kind: 'Name',
      text: '',
      span: spanOf(blockStart),
    });
    return { kind: 'QuerySimple', source, block, span };
  }
  if (stream.acceptWord('identity')) {
    return { kind: 'QueryIdentity', schema: parseSchemaExp(stream), span };
  }
  for (const direction of ['toQuery', 'toCoQuery'] as const) {
    if (stream.acceptWord(direction)) {
      const mapping = parseMappingExp(stream);
      const optionsStart = stream.peek();
      if (parseOptionalOptionsBlock(stream).length > 0) {
        throw stream.unsupported(`options on \`${direction}\``, optionsStart);
      }
      return { kind: 'QueryFromMapping', direction, mapping, span };
    }
  }
  if (stream.atSymbol('[')) throw stream.unsupported('query composition `[Q ; R]`');
  if (stream.atWord('delta')) throw stream.unsupported('the query expression `delta F Q`');
  rejectUnsupported(stream, 'query');
  const name = stream.expectName('of a query (or `literal : S -> T {…}`, `simple : S {…}`)');
  return { kind: 'QueryVar', name, span };
}

function parseQueryLiteralBody(
  stream: TokenStream,
  source: SchemaExp,
  target: SchemaExp,
  span: Span,
): QueryExp {
  const imports: QueryExp[] = [];
  const blocks: QueryBlock[] = [];
  let options: OptionSetting[] = [];
  parseSections(stream, 'the query literal', QUERY_SECTIONS, (section, at) => {
    switch (section) {
      case 'params':
      case 'bindings':
        throw stream.unsupported(`query \`${section}\``, {
          ...stream.peek(),
          line: at.line,
          column: at.column,
          offset: at.offset,
        });
      case 'imports':
        while (moreItems(stream, QUERY_SECTIONS)) imports.push(parseQueryExp(stream));
        break;
      case 'entity': {
        const entity = stream.expectName('(the target entity of the block)');
        stream.expectSymbol('->', `after the target entity \`${entity.text}\``);
        stream.expectSymbol('{', `to open the block of \`${entity.text}\``);
        blocks.push(parseQueryBlockBody(stream, entity, at));
        break;
      }
      case 'options':
        options = options.concat(parseOptionSettings(stream, QUERY_SECTIONS));
        break;
    }
  });
  return { kind: 'QueryLiteral', source, target, imports, blocks, options, span };
}

/** `from … where … attributes … foreign_keys … options … }` (after the block's `{`). */
function parseQueryBlockBody(
  stream: TokenStream,
  entity: Name,
  span: Span = entity.span,
): QueryBlock {
  const from: FromBinding[] = [];
  const where: TermEquation[] = [];
  const attributes: QueryAttribute[] = [];
  const foreignKeys: QueryForeignKey[] = [];
  let options: OptionSetting[] = [];
  parseSections(stream, 'the query block', BLOCK_SECTIONS, (section, at) => {
    switch (section) {
      case 'from':
        while (moreItems(stream, BLOCK_SECTIONS)) {
          const variables = parseNamesBefore(stream, ':', 'of a `from` variable');
          const sourceEntity = stream.expectName('(the entity the variable ranges over)');
          for (const variable of variables) {
            from.push({ kind: 'FromBinding', variable, entity: sourceEntity, span: variable.span });
          }
        }
        break;
      case 'where':
        while (moreItems(stream, BLOCK_SECTIONS)) where.push(parseTermEquation(stream));
        break;
      case 'attributes':
        if (stream.atSymbol('*')) throw stream.unsupported('`attributes *` in a query block');
        while (moreItems(stream, BLOCK_SECTIONS)) {
          const names = parseNamesBefore(stream, '->', 'of a target attribute');
          if (stream.atWord('from')) throw stream.unsupported('aggregation in a query block');
          const term = parseTerm(stream);
          for (const name of names) {
            attributes.push({ kind: 'QueryAttribute', attribute: name, term, span: name.span });
          }
        }
        break;
      case 'foreign_keys':
        while (moreItems(stream, BLOCK_SECTIONS)) {
          const names = parseNamesBefore(stream, '->', 'of a target foreign key');
          stream.expectSymbol('{', 'to open the substitution of the foreign key');
          const bindings: { variable: Name; term: Term }[] = [];
          while (!stream.atSymbol('}') && !stream.atWord('options')) {
            const variables = parseNamesBefore(stream, '->', 'of a variable of the target block');
            const term = parseTerm(stream);
            for (const variable of variables) bindings.push({ variable, term });
            stream.acceptSymbol(',');
          }
          if (stream.acceptWord('options') && parseOptionSettings(stream, []).length > 0) {
            throw stream.unsupported('options on a foreign key substitution');
          }
          stream.expectSymbol('}', 'to close the substitution of the foreign key');
          for (const name of names) {
            foreignKeys.push({
              kind: 'QueryForeignKey',
              foreignKey: name,
              bindings,
              span: name.span,
            });
          }
        }
        break;
      case 'options':
        options = options.concat(parseOptionSettings(stream, BLOCK_SECTIONS));
        break;
      default:
        throw stream.errorAt(stream.peek(), `unexpected section at ${at.line}:${at.column}`);
    }
  });
  return {
    kind: 'QueryBlock',
    entity,
    from,
    where,
    attributes,
    foreignKeys,
    options,
    span,
  };
}
