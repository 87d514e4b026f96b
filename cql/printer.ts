/**
 * AST → canonical CQL text. parse(print(ast)) equals ast modulo spans for every AST the parser
 * produces (and every generated one that respects the grammar's constraints), and print is
 * idempotent: print(parse(print(ast))) === print(ast).
 *
 * Canonical form: two-space indentation, one item per line, the reference's section order,
 * names quoted only when they are not plain identifiers or would read as keywords, terms in the
 * style they were written (`x.f` or `f(x)` or `(a op b)`), compact expressions with the fewest
 * parentheses that keep their tree.
 */
import { InternalError, assertNever } from '../common/index.js';
import type {
  CompactExpr,
  CompactQuery,
  Declaration,
  EntityMapping,
  InstanceExp,
  InstanceRows,
  MappingExp,
  MappingLiteral,
  Name,
  OptionSetting,
  Path,
  Program,
  QueryBlock,
  QueryExp,
  RowValue,
  SchemaExp,
  SchemaLiteral,
  Term,
  TypesideExp,
  TypesideLiteral,
} from './ast.js';
import { KEYWORDS } from './keywords.js';
import { isIdentifier, isNumberText, quoteString } from './lexer.js';

const INDENT = '  ';

export function printName(text: string): string {
  if (isIdentifier(text) && !KEYWORDS.has(text)) return text;
  return quoteString(text);
}

function name(node: Name): string {
  return printName(node.text);
}

export function printProgram(program: Program): string {
  return `${program.declarations.map(printDeclaration).join('\n\n')}\n`;
}

export function printDeclaration(declaration: Declaration): string {
  switch (declaration.kind) {
    case 'TypesideDecl':
      return `typeside ${name(declaration.name)} = ${printTypesideExp(declaration.value, 0)}`;
    case 'SchemaDecl': {
      const value = declaration.value;
      if (value.kind === 'SchemaLiteral' && value.syntax === 'compact') {
        return `schema ${name(declaration.name)} {\n${schemaSections(value, 1)}}`;
      }
      return `schema ${name(declaration.name)} = ${printSchemaExp(value, 0)}`;
    }
    case 'InstanceDecl': {
      const value = declaration.value;
      if (value.kind === 'InstanceRows') {
        return `instance ${name(declaration.name)} : ${printSchemaExp(value.schema, 0)} {\n${instanceRows(value, 1)}}`;
      }
      return `instance ${name(declaration.name)} = ${printInstanceExp(value, 0)}`;
    }
    case 'MappingDecl': {
      const value = declaration.value;
      if (value.kind === 'MappingLiteral' && value.syntax === 'compact') {
        return `mapping ${name(declaration.name)} : ${printSchemaExp(value.source, 0)} -> ${printSchemaExp(value.target, 0)} {\n${compactMappingBody(value, 1)}}`;
      }
      return `mapping ${name(declaration.name)} = ${printMappingExp(value, 0)}`;
    }
    case 'QueryDecl': {
      const value = declaration.value;
      if (value.kind === 'CompactQuery') {
        return `query ${name(declaration.name)} : ${printSchemaExp(value.schema, 0)} {\n${compactQuery(value, 1)}}`;
      }
      return `query ${name(declaration.name)} = ${printQueryExp(value, 0)}`;
    }
    case 'OptionsDecl':
      return `options\n${optionLines(declaration.options, 1)}`.trimEnd();
    default:
      return assertNever(declaration, 'declaration');
  }
}

function pad(depth: number): string {
  return INDENT.repeat(depth);
}

function section(title: string, lines: readonly string[], depth: number): string {
  if (lines.length === 0) return '';
  return `${pad(depth)}${title}\n${lines.map((line) => `${pad(depth + 1)}${line}\n`).join('')}`;
}

/** Option values are kept as text; numbers print bare, other words quoted only when needed. */
function optionValue(value: string): string {
  return isNumberText(value) ? value : printName(value);
}

function optionLines(options: readonly OptionSetting[], depth: number): string {
  return options
    .map((option) => `${pad(depth)}${printName(option.key)} = ${optionValue(option.value)}\n`)
    .join('');
}

function optionsSection(options: readonly OptionSetting[], depth: number): string {
  return section(
    'options',
    options.map((option) => `${printName(option.key)} = ${optionValue(option.value)}`),
    depth,
  );
}

/** `{ options … }` after a migration, or nothing. */
function optionsBlock(options: readonly OptionSetting[]): string {
  if (options.length === 0) return '';
  return ` { options ${options.map((option) => `${printName(option.key)} = ${optionValue(option.value)}`).join(' ')} }`;
}

// ─── Terms ─────────────────────────────────────────────────────────────────────────────────────

function head(term: Term): string {
  if (term.quoted) return quoteString(term.head);
  return term.head;
}

export function printTerm(term: Term): string {
  const [first, second] = term.args;
  if (term.annotation !== undefined && term.args.length === 0) {
    return `${head(term)}@${printName(term.annotation)}`;
  }
  if (
    term.style === 'dot' &&
    term.args.length === 1 &&
    first &&
    !term.quoted &&
    isIdentifier(term.head)
  ) {
    return `${printTerm(first)}.${term.head}`;
  }
  if (term.style === 'infix' && term.args.length === 2 && first && second) {
    return `(${printTerm(first)} ${head(term)} ${printTerm(second)})`;
  }
  if (term.args.length === 0) return head(term);
  return `${head(term)}(${term.args.map(printTerm).join(', ')})`;
}

function printPath(path: Path): string {
  return path.names.map(name).join('.');
}

/** The names of a path-form term `c(b(a(_x)))` → `a.b.c`. */
function unfoldPath(term: Term, variable: string): string[] | undefined {
  const names: string[] = [];
  let current: Term = term;
  while (current.args.length === 1 && current.args[0]) {
    if (current.quoted || current.annotation !== undefined) return undefined;
    names.unshift(current.head);
    current = current.args[0];
  }
  if (current.args.length !== 0 || current.head !== variable) return undefined;
  if (current.quoted || current.annotation !== undefined) return undefined;
  return names;
}

// ─── Typesides ─────────────────────────────────────────────────────────────────────────────────

export function printTypesideExp(exp: TypesideExp, depth: number): string {
  switch (exp.kind) {
    case 'TypesideLiteral':
      return `literal {\n${typesideSections(exp, depth + 1)}${pad(depth)}}`;
    case 'TypesideSql':
      return 'sql';
    case 'TypesideEmpty':
      return 'empty';
    case 'TypesideOf':
      return `typesideOf ${printSchemaExp(exp.schema, depth)}`;
    case 'TypesideVar':
      return name(exp.name);
    default:
      return assertNever(exp, 'typeside expression');
  }
}

function typesideSections(exp: TypesideLiteral, depth: number): string {
  const signature = (args: readonly Name[], result: Name): string =>
    `${args.length > 0 ? `${args.map(name).join(', ')} ` : ''}-> ${name(result)}`;
  return [
    section(
      'imports',
      exp.imports.map((item) => printTypesideExp(item, depth + 1)),
      depth,
    ),
    section('types', exp.types.map(name), depth),
    section(
      'constants',
      exp.constants.map((c) => `${name(c.name)} : ${name(c.resultSort)}`),
      depth,
    ),
    section(
      'functions',
      exp.functions.map((f) => `${name(f.name)} : ${signature(f.argumentSorts, f.resultSort)}`),
      depth,
    ),
    section(
      'external_types',
      exp.externalTypes.map((t) => `${name(t.sort)} -> ${quoteString(t.className)}`),
      depth,
    ),
    section(
      'external_parsers',
      exp.externalParsers.map((p) => `${name(p.sort)} -> ${quoteString(p.code)}`),
      depth,
    ),
    section(
      'external_functions',
      exp.externalFunctions.map(
        (f) =>
          `${name(f.name)} : ${f.argumentSorts.length > 0 ? signature(f.argumentSorts, f.resultSort) : name(f.resultSort)} = ${quoteString(f.code)}`,
      ),
      depth,
    ),
    section(
      'equations',
      exp.equations.map((equation) => {
        const context =
          equation.context.length > 0
            ? `forall ${equation.context
                .map((v) =>
                  v.sort !== undefined
                    ? `${printName(v.name)}:${printName(v.sort)}`
                    : printName(v.name),
                )
                .join(', ')}. `
            : '';
        return `${context}${printTerm(equation.lhs)} = ${printTerm(equation.rhs)}`;
      }),
      depth,
    ),
    optionsSection(exp.options, depth),
  ].join('');
}

// ─── Schemas ───────────────────────────────────────────────────────────────────────────────────

export function printSchemaExp(exp: SchemaExp, depth: number): string {
  switch (exp.kind) {
    case 'SchemaLiteral':
      return `literal : ${printTypesideExp(exp.typeside, depth)} {\n${schemaSections(exp, depth + 1)}${pad(depth)}}`;
    case 'SchemaEmpty':
      return `empty : ${printTypesideExp(exp.typeside, depth)}`;
    case 'SchemaOf':
      return `${exp.of} ${name(exp.target)}`;
    case 'SchemaVar':
      return name(exp.name);
    default:
      return assertNever(exp, 'schema expression');
  }
}

function schemaSections(exp: SchemaLiteral, depth: number): string {
  return [
    section(
      'imports',
      exp.imports.map((item) => printSchemaExp(item, depth + 1)),
      depth,
    ),
    section('entities', exp.entities.map(name), depth),
    section(
      'foreign_keys',
      exp.foreignKeys.map((fk) => `${name(fk.name)} : ${name(fk.source)} -> ${name(fk.target)}`),
      depth,
    ),
    section(
      'path_equations',
      exp.pathEquations.map(
        (equation) => `${printPath(equation.lhs)} = ${printPath(equation.rhs)}`,
      ),
      depth,
    ),
    section(
      'attributes',
      exp.attributes.map(
        (attribute) =>
          `${name(attribute.name)} : ${name(attribute.entity)} -> ${name(attribute.type)}${attribute.notNull ? '!' : ''}`,
      ),
      depth,
    ),
    section(
      'observation_equations',
      exp.observationEquations.map((equation) => {
        if (equation.form === 'path' && equation.variable.sort === undefined) {
          const lhs = unfoldPath(equation.lhs, equation.variable.name);
          const rhs = unfoldPath(equation.rhs, equation.variable.name);
          if (lhs && rhs && lhs.length > 0 && rhs.length > 0) {
            return `${lhs.map(printName).join('.')} = ${rhs.map(printName).join('.')}`;
          }
        }
        const variable = equation.variable;
        const bound =
          variable.sort !== undefined
            ? `${printName(variable.name)}:${printName(variable.sort)}`
            : printName(variable.name);
        return `forall ${bound}. ${printTerm(equation.lhs)} = ${printTerm(equation.rhs)}`;
      }),
      depth,
    ),
    optionsSection(exp.options, depth),
  ].join('');
}

// ─── Instances ─────────────────────────────────────────────────────────────────────────────────

export function printInstanceExp(exp: InstanceExp, depth: number): string {
  switch (exp.kind) {
    case 'InstanceLiteral': {
      const body = [
        section(
          'imports',
          exp.imports.map((item) => printInstanceExp(item, depth + 1)),
          depth + 1,
        ),
        section(
          'generators',
          exp.generators.map((g) => `${name(g.name)} : ${name(g.sort)}`),
          depth + 1,
        ),
        section(
          'equations',
          exp.equations.map(
            (equation) => `${printTerm(equation.lhs)} = ${printTerm(equation.rhs)}`,
          ),
          depth + 1,
        ),
        section(
          'multi_equations',
          exp.multiEquations.map(
            (multi) =>
              `${name(multi.symbol)} -> {${multi.pairs
                .map((pair) => `${printTerm(pair.argument)} ${printTerm(pair.value)}`)
                .join(', ')}}`,
          ),
          depth + 1,
        ),
        optionsSection(exp.options, depth + 1),
      ].join('');
      return `literal : ${printSchemaExp(exp.schema, depth)} {\n${body}${pad(depth)}}`;
    }
    case 'InstanceRows':
      throw new InternalError('compact instance rows print only as a top-level declaration');
    case 'InstanceEmpty':
      return `empty : ${printSchemaExp(exp.schema, depth)}`;
    case 'InstanceMigration':
      return `${exp.functor} ${nestedMapping(exp.mapping, depth)} ${nestedInstance(exp.instance, depth)}${optionsBlock(exp.options)}`;
    case 'InstanceEval':
      return `eval ${nestedQuery(exp.query, depth)} ${nestedInstance(exp.instance, depth)}${optionsBlock(exp.options)}`;
    case 'InstanceVar':
      return name(exp.name);
    default:
      return assertNever(exp, 'instance expression');
  }
}

/** Arguments of prefix operators are parenthesised unless they are names. */
function nestedInstance(exp: InstanceExp, depth: number): string {
  return exp.kind === 'InstanceVar' ? name(exp.name) : `(${printInstanceExp(exp, depth)})`;
}

function nestedMapping(exp: MappingExp, depth: number): string {
  return exp.kind === 'MappingVar' || exp.kind === 'MappingCompose'
    ? printMappingExp(exp, depth)
    : `(${printMappingExp(exp, depth)})`;
}

function nestedQuery(exp: QueryExp, depth: number): string {
  return exp.kind === 'QueryVar' ? name(exp.name) : `(${printQueryExp(exp, depth)})`;
}

function instanceRows(exp: InstanceRows, depth: number): string {
  return exp.entities
    .map((entity) => {
      const rows = entity.rows
        .map((row) => {
          const assignments = row.assignments
            .map((assignment) => `${name(assignment.field)} = ${rowValue(assignment.value)}`)
            .join(', ');
          return `${pad(depth + 1)}${name(row.generator)}:${assignments ? ` ${assignments}` : ''}\n`;
        })
        .join('');
      return `${pad(depth)}${name(entity.entity)} {\n${rows}${pad(depth)}}\n`;
    })
    .join('');
}

function rowValue(value: RowValue): string {
  switch (value.kind) {
    case 'RowLiteral':
      return value.literal === 'string' ? quoteString(value.text) : value.text;
    case 'RowNull':
      return 'null';
    case 'RowReference':
      return value.generator.text;
    default:
      return assertNever(value, 'row value');
  }
}

// ─── Mappings ──────────────────────────────────────────────────────────────────────────────────

export function printMappingExp(exp: MappingExp, depth: number): string {
  switch (exp.kind) {
    case 'MappingLiteral':
      return `literal : ${printSchemaExp(exp.source, depth)} -> ${printSchemaExp(exp.target, depth)} {\n${mappingSections(exp, depth + 1)}${pad(depth)}}`;
    case 'MappingIdentity':
      return `identity ${printSchemaExp(exp.schema, depth)}`;
    case 'MappingCompose':
      return `[${printMappingExp(exp.first, depth)} ; ${printMappingExp(exp.second, depth)}]`;
    case 'MappingVar':
      return name(exp.name);
    default:
      return assertNever(exp, 'mapping expression');
  }
}

/** `foreign_keys` and `attributes` sections of one entity mapping. */
function entityMappingSections(entity: EntityMapping, depth: number): string {
  const foreignKeys = section(
    'foreign_keys',
    entity.foreignKeys.map(
      (fk) =>
        `${name(fk.foreignKey)} -> ${fk.path.length === 0 ? 'identity' : fk.path.map(name).join('.')}`,
    ),
    depth,
  );
  const attributes = section(
    'attributes',
    entity.attributes.map((attribute) => {
      if (attribute.form === 'path') {
        const path = unfoldPath(attribute.term, attribute.variable.name);
        if (path && path.length > 0)
          return `${name(attribute.attribute)} -> ${path.map(printName).join('.')}`;
      }
      const variable = attribute.variable;
      const bound =
        variable.sort !== undefined
          ? `${printName(variable.name)}:${printName(variable.sort)}`
          : printName(variable.name);
      return `${name(attribute.attribute)} -> lambda ${bound}. ${printTerm(attribute.term)}`;
    }),
    depth,
  );
  return `${foreignKeys}${attributes}`;
}

/** The compact form: `Source -> Target { foreign_keys … attributes … }` per entity. */
function compactMappingBody(exp: MappingLiteral, depth: number): string {
  const entities = exp.entities
    .map((entity) => {
      const header = `${pad(depth)}${name(entity.source)} -> ${name(entity.target)}`;
      const body = entityMappingSections(entity, depth + 1);
      return body === '' ? `${header}\n` : `${header} {\n${body}${pad(depth)}}\n`;
    })
    .join('');
  return [
    section(
      'imports',
      exp.imports.map((item) => printMappingExp(item, depth + 1)),
      depth,
    ),
    entities,
    optionsSection(exp.options, depth),
  ].join('');
}

function mappingSections(exp: MappingLiteral, depth: number): string {
  const entities = exp.entities
    .map(
      (entity) =>
        `${pad(depth)}entity ${name(entity.source)} -> ${name(entity.target)}\n${entityMappingSections(entity, depth + 1)}`,
    )
    .join('');
  return [
    section(
      'imports',
      exp.imports.map((item) => printMappingExp(item, depth + 1)),
      depth,
    ),
    entities,
    optionsSection(exp.options, depth),
  ].join('');
}

// ─── Queries ───────────────────────────────────────────────────────────────────────────────────

export function printQueryExp(exp: QueryExp, depth: number): string {
  switch (exp.kind) {
    case 'QueryLiteral': {
      const blocks = exp.blocks
        .map(
          (block) =>
            `${pad(depth + 1)}entity ${name(block.entity)} -> {\n${queryBlock(block, depth + 2)}${pad(depth + 1)}}\n`,
        )
        .join('');
      const body = [
        section(
          'imports',
          exp.imports.map((item) => printQueryExp(item, depth + 2)),
          depth + 1,
        ),
        blocks,
        optionsSection(exp.options, depth + 1),
      ].join('');
      return `literal : ${printSchemaExp(exp.source, depth)} -> ${printSchemaExp(exp.target, depth)} {\n${body}${pad(depth)}}`;
    }
    case 'QuerySimple':
      return `simple : ${printSchemaExp(exp.source, depth)} {\n${queryBlock(exp.block, depth + 1)}${pad(depth)}}`;
    case 'QueryIdentity':
      return `identity ${printSchemaExp(exp.schema, depth)}`;
    case 'QueryFromMapping':
      return `${exp.direction} ${nestedMapping(exp.mapping, depth)}`;
    case 'QueryVar':
      return name(exp.name);
    default:
      return assertNever(exp, 'query expression');
  }
}

function queryBlock(block: QueryBlock, depth: number): string {
  return [
    section(
      'from',
      block.from.map((binding) => `${name(binding.variable)}:${name(binding.entity)}`),
      depth,
    ),
    section(
      'where',
      block.where.map((equation) => `${printTerm(equation.lhs)} = ${printTerm(equation.rhs)}`),
      depth,
    ),
    section(
      'attributes',
      block.attributes.map(
        (attribute) => `${name(attribute.attribute)} -> ${printTerm(attribute.term)}`,
      ),
      depth,
    ),
    section(
      'foreign_keys',
      block.foreignKeys.map(
        (fk) =>
          `${name(fk.foreignKey)} -> {${fk.bindings
            .map((binding) => `${name(binding.variable)} -> ${printTerm(binding.term)}`)
            .join(', ')}}`,
      ),
      depth,
    ),
    optionsSection(block.options, depth),
  ].join('');
}

// ─── Compact queries ───────────────────────────────────────────────────────────────────────────

function compactQuery(query: CompactQuery, depth: number): string {
  const lines: string[] = [];
  lines.push(
    `from ${query.from.map((binding) => `${binding.variable.text} : ${name(binding.entity)}`).join(', ')}`,
  );
  if (query.where) lines.push(`where ${printCompactExpr(query.where)}`);
  if (query.groupBy.length > 0)
    lines.push(`group_by ${query.groupBy.map(printCompactExpr).join(', ')}`);
  lines.push(
    `select ${query.select
      .map((item) => `${printCompactExpr(item.expr)}${item.alias ? ` as ${name(item.alias)}` : ''}`)
      .join(', ')}`,
  );
  if (query.orderBy.length > 0) {
    lines.push(
      `order_by ${query.orderBy.map((item) => `${printCompactExpr(item.expr)} ${item.direction}`).join(', ')}`,
    );
  }
  if (query.limit !== undefined) lines.push(`limit ${query.limit}`);
  return lines.map((line) => `${pad(depth)}${line}\n`).join('');
}

const PRECEDENCE: Readonly<Record<string, number>> = {
  or: 1,
  and: 2,
  not: 3,
  '=': 4,
  '!=': 4,
  '<': 4,
  '<=': 4,
  '>': 4,
  '>=': 4,
  isNull: 4,
  '||': 5,
  '+': 6,
  '-': 6,
  '*': 7,
  '/': 7,
  '%': 7,
  negate: 8,
  primary: 9,
};

function precedenceOf(expr: CompactExpr): number {
  switch (expr.kind) {
    case 'ExprBinary':
      return PRECEDENCE[expr.op] ?? 0;
    case 'ExprUnary':
      return expr.op === 'not' ? 3 : 8;
    case 'ExprIsNull':
      return 4;
    default:
      return 9;
  }
}

/** Print `expr`, parenthesised when its precedence is below `minimum`. */
function operand(expr: CompactExpr, minimum: number): string {
  const text = printCompactExpr(expr);
  return precedenceOf(expr) < minimum ? `(${text})` : text;
}

export function printCompactExpr(expr: CompactExpr): string {
  switch (expr.kind) {
    case 'ExprPath':
      // The variable is an identifier (the parser reads no other); steps may need quotes.
      return [expr.variable.text, ...expr.steps.map(name)].join('.');
    case 'ExprLiteral':
      return expr.literal === 'string' ? quoteString(expr.text) : expr.text;
    case 'ExprUnary': {
      if (expr.op === 'not') return `not ${operand(expr.operand, 3)}`;
      const text = operand(expr.operand, 8);
      return text.startsWith('-') ? `- ${text}` : `-${text}`;
    }
    case 'ExprBinary': {
      const level = PRECEDENCE[expr.op] ?? 0;
      // Left-associative: the right operand needs parentheses at equal precedence.
      return `${operand(expr.left, level)} ${expr.op} ${operand(expr.right, level + 1)}`;
    }
    case 'ExprIsNull':
      return `${operand(expr.operand, 4)} is ${expr.negated ? 'not ' : ''}null`;
    case 'ExprAggregate':
      if (expr.argument === undefined) return `${expr.fn}(*)`;
      return `${expr.fn}(${expr.distinct ? 'distinct ' : ''}${printCompactExpr(expr.argument)})`;
    case 'ExprCall':
      return `${expr.fn.text}(${expr.args.map(printCompactExpr).join(', ')})`;
    default:
      return assertNever(expr, 'compact expression');
  }
}
