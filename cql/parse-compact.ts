/**
 * The compact dialect (ARCHITECTURE.md, "The CQL dialect"):
 *
 *   schema Company { entities … foreign_keys … attributes … path_equations … }
 *   instance Acme : Company { Employee { ada: emp_name = "Ada", works_in = eng } … }
 *   mapping F : Company -> Org { entity Employee -> Person attributes emp_name -> name … }
 *   query ByDept : Company { from e : Employee where … group_by … select … order_by … limit 10 }
 *
 * Schema and mapping bodies are the reference's sections (shared code); the header differs.
 * Instance rows and query expressions are this dialect's own.
 */
import type {
  AttributeMapping,
  CompactBinaryOp,
  CompactExpr,
  CompactOrderItem,
  CompactQuery,
  CompactSelectItem,
  EntityMapping,
  EntityRows,
  ForeignKeyMapping,
  FromBinding,
  MappingExp,
  Name,
  OptionSetting,
  RowAssignment,
  RowDecl,
  RowValue,
  SchemaExp,
  Span,
} from './ast.js';
import {
  moreItems,
  parseAttributeMappings,
  parseForeignKeyMappings,
  parseMappingExp,
  parseOptionSettings,
} from './parse-reference.js';
import type { Token } from './lexer.js';
import type { TokenStream } from './token-stream.js';
import { exact, spanOf } from './token-stream.js';

// ─── Instances ─────────────────────────────────────────────────────────────────────────────────

/**
 * Rows after the instance's `{`:
 *   Entity { gen: field = value, field = value  gen2: …  ; … }
 * A row starts with `name :`; its assignments are separated by commas; rows may be separated by
 * newlines, `;` or nothing.
 */
export function parseInstanceRowsBody(stream: TokenStream): EntityRows[] {
  const entities: EntityRows[] = [];
  while (!stream.atSymbol('}')) {
    if (!stream.atName()) throw stream.expected('an entity name followed by `{`, or `}`');
    const entity = stream.expectName('of an entity');
    if (!stream.acceptSymbol('{')) {
      throw stream.expectedSymbol('{', `to open the rows of \`${entity.text}\``);
    }
    const rows: RowDecl[] = [];
    while (!stream.atSymbol('}')) {
      if (stream.acceptSymbol(';')) continue;
      rows.push(parseRow(stream, entity));
    }
    if (!stream.acceptSymbol('}')) {
      throw stream.expectedSymbol('}', `to close the rows of \`${entity.text}\``);
    }
    entities.push({ kind: 'EntityRows', entity, rows: exact(rows), span: entity.span });
  }
  stream.expectSymbol('}', 'to close the instance');
  return entities;
}

function parseRow(stream: TokenStream, entity: Name): RowDecl {
  if (!stream.atName() || !stream.atSymbol(':', 1)) {
    throw stream.expected(`a row \`name: field = value, …\` of \`${entity.text}\`, or \`}\``);
  }
  const generator = stream.expectName('of a row');
  stream.next(); // ':'
  const assignments: RowAssignment[] = [];
  // A row may have no assignments: the next row (`name :`), `;` or `}` follows at once.
  if (stream.atName() && stream.atSymbol('=', 1)) {
    for (;;) {
      const field = stream.expectName('of an attribute or foreign key');
      if (!stream.acceptSymbol('=')) throw stream.expectedSymbol('=', `after \`${field.text}\``);
      const value = parseRowValue(stream, field);
      assignments.push({ kind: 'RowAssignment', field, value, span: field.span });
      if (!stream.acceptSymbol(',')) break;
    }
  }
  if (
    !stream.atSymbol('}') &&
    !stream.atSymbol(';') &&
    !(stream.atName() && stream.atSymbol(':', 1))
  ) {
    throw stream.expected('`,` and another `field = value`, a new row, `;` or `}`');
  }
  return { kind: 'RowDecl', generator, assignments: exact(assignments), span: generator.span };
}

function parseRowValue(stream: TokenStream, field: Name): RowValue {
  const token = stream.peek();
  const span = spanOf(token);
  if (token.kind === 'string') {
    stream.next();
    return { kind: 'RowLiteral', literal: 'string', text: token.text, span };
  }
  if (token.kind === 'number') {
    stream.next();
    return { kind: 'RowLiteral', literal: 'number', text: token.text, span };
  }
  if (stream.atSymbol('-') && stream.peek(1).kind === 'number') {
    stream.next();
    return { kind: 'RowLiteral', literal: 'number', text: `-${stream.next().text}`, span };
  }
  if (stream.atWord('true') || stream.atWord('false')) {
    stream.next();
    return { kind: 'RowLiteral', literal: 'boolean', text: token.text, span };
  }
  if (stream.atWord('null')) {
    stream.next();
    return { kind: 'RowNull', span };
  }
  if (token.kind === 'ident') {
    const generator = stream.expectName('of a row');
    return { kind: 'RowReference', generator, span };
  }
  throw stream.expected(
    `a value for \`${field.text}\` (a string, a number, true, false, null, or the name of a row)`,
  );
}

// ─── Mappings ──────────────────────────────────────────────────────────────────────────────────

const MAPPING_SECTIONS = ['imports', 'entity', 'foreign_keys', 'attributes', 'options'] as const;
const ENTITY_BLOCK_SECTIONS = ['foreign_keys', 'attributes'] as const;

type MutableEntityMapping = {
  source: Name;
  target: Name;
  foreignKeys: ForeignKeyMapping[];
  attributes: AttributeMapping[];
  span: Span;
};

/**
 * The body of `mapping F : S -> T { … }` after its `{`: one entry per source entity,
 *
 *   Employee -> Person {
 *     foreign_keys works_in -> member_of
 *     attributes   emp_name -> name
 *                  pay      -> lambda e. e.salary
 *   }
 *   Department -> Unit
 *
 * plus `imports` and `options` sections. The reference's flat form (`entity X -> Y` followed by
 * `foreign_keys` / `attributes` sections for the last entity) is read here too.
 */
export function parseCompactMappingBody(
  stream: TokenStream,
  source: SchemaExp,
  target: SchemaExp,
  span: Span,
): MappingExp {
  const imports: MappingExp[] = [];
  const entities: MutableEntityMapping[] = [];
  let options: OptionSetting[] = [];
  const last = (section: Token): MutableEntityMapping => {
    const entity = entities[entities.length - 1];
    if (!entity) {
      throw stream.errorAt(
        section,
        `\`${section.text}\` must follow an entity mapping \`Source -> Target\``,
      );
    }
    return entity;
  };
  while (!stream.atSymbol('}')) {
    const section = stream.peek();
    if (stream.acceptWord('imports')) {
      // Imports end where an entity mapping `Source -> Target` starts.
      while (moreItems(stream, MAPPING_SECTIONS) && !stream.atSymbol('->', 1)) {
        imports.push(parseMappingExp(stream));
      }
    } else if (stream.acceptWord('options')) {
      options = options.concat(parseOptionSettings(stream, MAPPING_SECTIONS, false));
    } else if (stream.acceptWord('foreign_keys')) {
      parseForeignKeyMappings(stream, MAPPING_SECTIONS, last(section).foreignKeys);
    } else if (stream.acceptWord('attributes')) {
      parseAttributeMappings(stream, MAPPING_SECTIONS, last(section).attributes);
    } else {
      entities.push(parseEntityMapping(stream));
    }
  }
  stream.expectSymbol('}', 'to close the mapping');
  return {
    kind: 'MappingLiteral',
    syntax: 'compact',
    source,
    target,
    imports,
    entities: entities.map((entity): EntityMapping => ({ kind: 'EntityMapping', ...entity })),
    options,
    span,
  };
}

/** `[entity] Source -> Target [{ foreign_keys … attributes … }]`. */
function parseEntityMapping(stream: TokenStream): MutableEntityMapping {
  const span = stream.span();
  // `entity` is the reference's keyword here; an entity may still be named `entity`.
  if (stream.atWord('entity') && stream.atName(1)) stream.next();
  if (!stream.atName()) {
    throw stream.expected(
      'an entity mapping `Source -> Target`, `imports`, `options` or `}`',
      MAPPING_SECTIONS,
    );
  }
  const sourceEntity = stream.expectName('(the source entity)');
  stream.expectSymbol('->', `after the source entity \`${sourceEntity.text}\``);
  const targetEntity = stream.expectName('(the target entity)');
  const entity: MutableEntityMapping = {
    source: sourceEntity,
    target: targetEntity,
    foreignKeys: [],
    attributes: [],
    span,
  };
  if (!stream.acceptSymbol('{')) return entity;
  const what = `\`${sourceEntity.text} -> ${targetEntity.text}\``;
  while (!stream.atSymbol('}')) {
    if (stream.acceptWord('foreign_keys')) {
      parseForeignKeyMappings(stream, ENTITY_BLOCK_SECTIONS, entity.foreignKeys);
    } else if (stream.acceptWord('attributes')) {
      parseAttributeMappings(stream, ENTITY_BLOCK_SECTIONS, entity.attributes);
    } else {
      throw stream.expected(
        `\`foreign_keys\`, \`attributes\` or \`}\` in ${what}`,
        ENTITY_BLOCK_SECTIONS,
      );
    }
  }
  stream.expectSymbol('}', `to close ${what}`);
  return entity;
}

// ─── Queries ───────────────────────────────────────────────────────────────────────────────────

const CLAUSES = ['from', 'where', 'group_by', 'select', 'order_by', 'limit'] as const;
type Clause = (typeof CLAUSES)[number];

/** Words that end an expression list (they start the next clause or an item's suffix). */
const STOP_WORDS: ReadonlySet<string> = new Set([...CLAUSES, 'as', 'asc', 'desc']);

const AGGREGATES = new Set(['count', 'sum', 'avg', 'min', 'max']);

function atClause(stream: TokenStream): boolean {
  const token = stream.peek();
  return token.kind === 'ident' && (CLAUSES as readonly string[]).includes(token.text);
}

/** The body of `query Q : S { … }` after its `{`. Clauses in SQL order; `from` and `select` required. */
export function parseCompactQueryBody(
  stream: TokenStream,
  schema: SchemaExp,
  span: Span,
): CompactQuery {
  const from: FromBinding[] = [];
  let where: CompactExpr | undefined;
  let groupBy: CompactExpr[] = [];
  let select: CompactSelectItem[] = [];
  let orderBy: CompactOrderItem[] = [];
  let limit: string | undefined;
  let lastClause = -1;
  const seen = new Set<Clause>();
  while (!stream.atSymbol('}')) {
    if (!atClause(stream)) {
      throw stream.expected(
        `a query clause (${CLAUSES.map((clause) => `\`${clause}\``).join(', ')}) or \`}\``,
        CLAUSES,
      );
    }
    const token = stream.next();
    const clause = token.text as Clause;
    const order = CLAUSES.indexOf(clause);
    if (seen.has(clause)) throw stream.errorAt(token, `the clause \`${clause}\` appears twice`);
    if (order < lastClause) {
      throw stream.errorAt(
        token,
        `the clause \`${clause}\` must come before \`${CLAUSES[lastClause] ?? ''}\` (order: ${CLAUSES.join(', ')})`,
      );
    }
    seen.add(clause);
    lastClause = order;
    switch (clause) {
      case 'from':
        do {
          const variable = stream.expectIdentifier('of a `from` variable');
          stream.expectSymbol(':', `after the variable \`${variable.text}\``);
          const entity = stream.expectName('(the entity the variable ranges over)');
          from.push({ kind: 'FromBinding', variable, entity, span: variable.span });
          stream.acceptSymbol(',');
        } while (stream.atName() && stream.atSymbol(':', 1));
        break;
      case 'where':
        where = parseExpr(stream);
        break;
      case 'group_by':
        groupBy = parseItemList(stream, () => parseExpr(stream));
        break;
      case 'select':
        select = parseItemList(stream, (): CompactSelectItem => {
          const expr = parseExpr(stream);
          let alias: Name | undefined;
          if (stream.atWordInsensitive('as')) {
            stream.next();
            alias = stream.expectName('(the name of the select item)');
          }
          return { kind: 'CompactSelectItem', expr, alias, span: expr.span };
        });
        break;
      case 'order_by':
        orderBy = parseItemList(stream, (): CompactOrderItem => {
          const expr = parseExpr(stream);
          let direction: 'asc' | 'desc' = 'asc';
          if (stream.atWordInsensitive('asc')) stream.next();
          else if (stream.atWordInsensitive('desc')) {
            stream.next();
            direction = 'desc';
          }
          return { kind: 'CompactOrderItem', expr, direction, span: expr.span };
        });
        break;
      case 'limit': {
        const count = stream.peek();
        if (count.kind !== 'number') throw stream.expected('a number after `limit`');
        stream.next();
        limit = count.text;
        break;
      }
    }
  }
  if (!seen.has('from'))
    throw stream.errorAt(stream.peek(), 'a compact query needs a `from` clause');
  if (!seen.has('select'))
    throw stream.errorAt(stream.peek(), 'a compact query needs a `select` clause');
  stream.expectSymbol('}', 'to close the query');
  return { kind: 'CompactQuery', schema, from, where, groupBy, select, orderBy, limit, span };
}

/**
 * Items separated by commas or by whitespace alone (`select a COUNT(*) AVG(b)`): each item is an
 * expression with an optional suffix (`as name`, `asc`, `desc`) read by `parseItem`. The list
 * ends at a clause keyword, at `}` or at anything that cannot start an expression.
 */
function parseItemList<T>(stream: TokenStream, parseItem: () => T): T[] {
  const items: T[] = [];
  for (;;) {
    items.push(parseItem());
    if (stream.acceptSymbol(',')) continue;
    if (!startsExpression(stream)) return items;
  }
}

function startsExpression(stream: TokenStream): boolean {
  const token = stream.peek();
  if (token.kind === 'number' || token.kind === 'string') return true;
  if (token.kind === 'ident') return !STOP_WORDS.has(token.text.toLowerCase()) && !atClause(stream);
  return token.kind === 'symbol' && token.text === '(';
}

// Precedence, loosest first (as in SQL): or, and, not, comparison / is null, ||, + -, * / %, unary -.
export function parseExpr(stream: TokenStream): CompactExpr {
  return stream.nested(() => parseOr(stream));
}

function binary(op: CompactBinaryOp, left: CompactExpr, right: CompactExpr): CompactExpr {
  return { kind: 'ExprBinary', op, left, right, span: left.span };
}

function parseOr(stream: TokenStream): CompactExpr {
  let left = parseAnd(stream);
  while (stream.atWordInsensitive('or')) {
    stream.next();
    left = binary('or', left, parseAnd(stream));
  }
  return left;
}

function parseAnd(stream: TokenStream): CompactExpr {
  let left = parseNot(stream);
  while (stream.atWordInsensitive('and')) {
    stream.next();
    left = binary('and', left, parseNot(stream));
  }
  return left;
}

function parseNot(stream: TokenStream): CompactExpr {
  if (stream.atWordInsensitive('not')) {
    const span = stream.span();
    stream.next();
    const operand = stream.nested(() => parseNot(stream));
    return { kind: 'ExprUnary', op: 'not', operand, span };
  }
  return parseComparison(stream);
}

const COMPARISONS: ReadonlyMap<string, CompactBinaryOp> = new Map([
  ['=', '='],
  ['!=', '!='],
  ['<>', '!='],
  ['<', '<'],
  ['<=', '<='],
  ['>', '>'],
  ['>=', '>='],
]);

function parseComparison(stream: TokenStream): CompactExpr {
  let left = parseConcat(stream);
  for (;;) {
    const token = stream.peek();
    const op = token.kind === 'symbol' ? COMPARISONS.get(token.text) : undefined;
    if (op) {
      stream.next();
      left = binary(op, left, parseConcat(stream));
      continue;
    }
    if (stream.atWordInsensitive('is')) {
      stream.next();
      let negated = false;
      if (stream.atWordInsensitive('not')) {
        stream.next();
        negated = true;
      }
      if (!stream.atWordInsensitive('null')) throw stream.expected('`null` after `is`');
      stream.next();
      left = { kind: 'ExprIsNull', operand: left, negated, span: left.span };
      continue;
    }
    return left;
  }
}

function parseConcat(stream: TokenStream): CompactExpr {
  let left = parseAdditive(stream);
  while (stream.atSymbol('||')) {
    stream.next();
    left = binary('||', left, parseAdditive(stream));
  }
  return left;
}

function parseAdditive(stream: TokenStream): CompactExpr {
  let left = parseMultiplicative(stream);
  for (;;) {
    if (stream.atSymbol('+')) {
      stream.next();
      left = binary('+', left, parseMultiplicative(stream));
    } else if (stream.atSymbol('-')) {
      stream.next();
      left = binary('-', left, parseMultiplicative(stream));
    } else {
      return left;
    }
  }
}

function parseMultiplicative(stream: TokenStream): CompactExpr {
  let left = parseUnary(stream);
  for (;;) {
    const token = stream.peek();
    if (
      token.kind === 'symbol' &&
      (token.text === '*' || token.text === '/' || token.text === '%')
    ) {
      stream.next();
      left = binary(token.text, left, parseUnary(stream));
    } else {
      return left;
    }
  }
}

function parseUnary(stream: TokenStream): CompactExpr {
  if (stream.atSymbol('-')) {
    const span = stream.span();
    stream.next();
    const operand = stream.nested(() => parseUnary(stream));
    return { kind: 'ExprUnary', op: '-', operand, span };
  }
  return parsePrimary(stream);
}

function parsePrimary(stream: TokenStream): CompactExpr {
  const token = stream.peek();
  const span = spanOf(token);
  if (token.kind === 'number') {
    stream.next();
    return { kind: 'ExprLiteral', literal: 'number', text: token.text, span };
  }
  if (token.kind === 'string') {
    stream.next();
    return { kind: 'ExprLiteral', literal: 'string', text: token.text, span };
  }
  if (stream.atSymbol('(')) {
    stream.next();
    const inner = parseExpr(stream);
    stream.expectSymbol(')', 'to close the parenthesised expression');
    return inner;
  }
  if (token.kind !== 'ident' || STOP_WORDS.has(token.text)) {
    throw stream.expected('an expression');
  }
  const lower = token.text.toLowerCase();
  if (lower === 'true' || lower === 'false') {
    stream.next();
    return { kind: 'ExprLiteral', literal: 'boolean', text: lower, span };
  }
  if (lower === 'null') {
    stream.next();
    return { kind: 'ExprLiteral', literal: 'null', text: 'null', span };
  }
  if (stream.atSymbol('(', 1)) {
    stream.next();
    stream.next();
    if (AGGREGATES.has(lower)) {
      const fn = token.text.toUpperCase() as 'COUNT' | 'SUM' | 'AVG' | 'MIN' | 'MAX';
      if (stream.atSymbol('*')) {
        if (fn !== 'COUNT')
          throw stream.errorAt(stream.peek(), `\`*\` is an argument of COUNT only, not ${fn}`);
        stream.next();
        stream.expectSymbol(')', 'after `COUNT(*`');
        return { kind: 'ExprAggregate', fn, argument: undefined, distinct: false, span };
      }
      let distinct = false;
      if (stream.atWordInsensitive('distinct')) {
        stream.next();
        distinct = true;
      }
      const argument = parseExpr(stream);
      stream.expectSymbol(')', `to close ${fn}(`);
      return { kind: 'ExprAggregate', fn, argument, distinct, span };
    }
    const args: CompactExpr[] = [];
    if (!stream.atSymbol(')')) {
      for (;;) {
        args.push(parseExpr(stream));
        if (!stream.acceptSymbol(',')) break;
      }
    }
    stream.expectSymbol(')', `to close the arguments of \`${token.text}\``);
    return { kind: 'ExprCall', fn: { kind: 'Name', text: token.text, span }, args, span };
  }
  const variable = stream.expectName('(a `from` variable)');
  const steps: Name[] = [];
  while (stream.atSymbol('.') && stream.atName(1)) {
    stream.next();
    steps.push(stream.expectName('(a foreign key or attribute)'));
  }
  return { kind: 'ExprPath', variable, steps: exact(steps), span };
}
