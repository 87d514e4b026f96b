/**
 * Checking uber-flower query expressions: `literal : S -> T { entity X -> { from … where …
 * attributes … foreign_keys … } … }`, `simple : S { … }`, `identity S`, `toQuery F`, a name.
 *
 * Each target entity has exactly one block. A block's `from` variables range over source
 * entities (unique names); its `where` equations type-check over them; its `attributes` give
 * every attribute of the target entity a term of the attribute's sort; its `foreign_keys` give,
 * for every target foreign key f : X → Y, a term for each from-variable of Y's block, of that
 * variable's entity, over X's variables. Unless `dont_validate_unsafe`, the query is checked to
 * be well defined (catalog/query-validation.ts): each foreign key's substitution satisfies
 * Y's `where`, and the target's path and observation equations hold.
 */
import { assertNever, didYouMean } from '../common/index.js';
import type {
  CompactQuery as AstCompactQuery,
  QueryBlock as AstQueryBlock,
  QueryExp,
  QueryLiteral,
} from '../cql/index.js';
import { booleanOption, type Env } from './check-context.js';
import { checkCompactQuery } from './check-compact-query.js';
import { sameSchema } from './check-instance.js';
import { checkMappingExp } from './check-mapping.js';
import { checkSchemaExp, checkSchemaPair } from './check-schema.js';
import { TermChecker, TermRejected } from './check-term.js';
import { AbandonDeclaration } from './errors.js';
import { UberQuery, type FromVariable, type Query, type QueryBlock } from './query.js';
import { validateQuery } from './query-validation.js';
import { Schema, type Attribute } from './schema.js';
import {
  attTerm,
  entitySort,
  fkTerm,
  printTypedTerm,
  substitute,
  termSort,
  typeSort,
  varTerm,
  type TermSort,
  type TypedEquation,
  type TypedTerm,
} from './term.js';

export function checkQueryExp(env: Env, exp: QueryExp | AstCompactQuery, name: string): Query {
  switch (exp.kind) {
    case 'QueryVar':
      return env.query(exp.name);
    case 'CompactQuery':
      return checkCompactQuery(env, exp, name);
    case 'QueryLiteral':
      return checkQueryLiteral(env, exp, name);
    case 'QuerySimple':
      return checkSimpleQuery(env, exp, name);
    case 'QueryIdentity':
      return identityQuery(checkSchemaExp(env, exp.schema, `schema of ${name}`), name);
    case 'QueryFromMapping': {
      if (exp.direction === 'toCoQuery') {
        env.abandon(
          'E_CATALOG_UNSUPPORTED',
          '`toCoQuery` is not supported by catrust (use `sigma`)',
          exp.span,
        );
      }
      const mapping = checkMappingExp(env, exp.mapping, `mapping of ${name}`);
      const blocks = new Map<string, QueryBlock>();
      for (const entity of mapping.source.entities) {
        const x = varTerm('x', entitySort(mapping.entity(entity.name)));
        const attributes = new Map<string, TypedTerm>();
        for (const attribute of mapping.source.attributesOf(entity.name)) {
          const image = mapping.attributeTerm(entity.name, attribute.name);
          attributes.set(attribute.name, substitute(image.term, new Map([[image.variable, x]])));
        }
        const foreignKeys = new Map<string, ReadonlyMap<string, TypedTerm>>();
        for (const fk of mapping.source.foreignKeysOf(entity.name)) {
          let term: TypedTerm = x;
          for (const step of mapping.foreignKeyPath(entity.name, fk.name).foreignKeys)
            term = fkTerm(step, term);
          foreignKeys.set(fk.name, new Map([['x', term]]));
        }
        blocks.set(
          entity.name,
          block(
            entity.name,
            [{ variable: 'x', entity: mapping.entity(entity.name) }],
            [],
            attributes,
            foreignKeys,
            undefined,
          ),
        );
      }
      return new UberQuery(name, mapping.target, mapping.source, blocks, env.locate(exp.span));
    }
    default:
      return assertNever(exp, 'query expression');
  }
}

function block(
  entity: string,
  from: readonly FromVariable[],
  where: readonly TypedEquation[],
  attributes: ReadonlyMap<string, TypedTerm>,
  foreignKeys: ReadonlyMap<string, ReadonlyMap<string, TypedTerm>>,
  location: QueryBlock['location'],
): QueryBlock {
  return { kind: 'QueryBlock', entity, from, where, attributes, foreignKeys, location };
}

/** The identity query of a schema: each entity from itself. */
export function identityQuery(schema: Schema, name: string): UberQuery {
  const blocks = new Map<string, QueryBlock>();
  for (const entity of schema.entities) {
    const x = varTerm('x', entitySort(entity.name));
    const attributes = new Map(
      schema.attributesOf(entity.name).map((a): [string, TypedTerm] => [a.name, attTerm(a, x)]),
    );
    const foreignKeys = new Map(
      schema
        .foreignKeysOf(entity.name)
        .map((fk): [string, ReadonlyMap<string, TypedTerm>] => [
          fk.name,
          new Map([['x', fkTerm(fk, x)]]),
        ]),
    );
    blocks.set(
      entity.name,
      block(
        entity.name,
        [{ variable: 'x', entity: entity.name }],
        [],
        attributes,
        foreignKeys,
        undefined,
      ),
    );
  }
  return new UberQuery(name, schema, schema, blocks, schema.location);
}

interface BlockScope {
  readonly from: FromVariable[];
  readonly variables: Map<string, TermSort | undefined>;
  readonly checker: TermChecker;
}

/** `from` and `where` of a block; undefined variables are reported and skipped. */
function checkFromWhere(
  env: Env,
  source: Schema,
  ast: AstQueryBlock,
): { scope: BlockScope; where: TypedEquation[] } {
  const diagnostics = env.diagnostics;
  const from: FromVariable[] = [];
  const variables = new Map<string, TermSort | undefined>();
  for (const binding of ast.from) {
    if (variables.has(binding.variable.text)) {
      diagnostics.error(
        'E_CATALOG_DUPLICATE',
        `variable \`${binding.variable.text}\` is bound twice in \`from\``,
        binding.variable.span,
      );
      continue;
    }
    if (!source.hasEntity(binding.entity.text)) {
      diagnostics.error(
        'E_CATALOG_UNKNOWN',
        `unknown entity \`${binding.entity.text}\` of \`${source.name}\``,
        binding.entity.span,
        {
          hint: didYouMean(binding.entity.text, source.entityNames()),
        },
      );
      continue;
    }
    variables.set(binding.variable.text, entitySort(binding.entity.text));
    from.push({ variable: binding.variable.text, entity: binding.entity.text });
  }
  const checker = new TermChecker(
    { typeside: source.typeside, schema: source, variables },
    diagnostics,
  );
  const where: TypedEquation[] = [];
  for (const equation of ast.where) {
    try {
      const [lhs, rhs] = checker.equation(equation.lhs, equation.rhs);
      where.push({
        lhs,
        rhs,
        text: `${printTypedTerm(lhs, source.typeside)} = ${printTypedTerm(rhs, source.typeside)}`,
        location: env.locate(equation.span),
      });
    } catch (error) {
      if (!(error instanceof TermRejected)) throw error;
    }
  }
  for (const setting of ast.options) env.checkOption(setting);
  return { scope: { from, variables, checker }, where };
}

function checkQueryLiteral(env: Env, literal: QueryLiteral, name: string): UberQuery {
  const diagnostics = env.diagnostics;
  const errorsBefore = diagnostics.errorCount;
  const { source, target } = checkSchemaPair(env, literal, name, 'E_CATALOG_QUERY');
  const blocks = new Map<string, QueryBlock>();
  for (const imported of literal.imports) {
    const query = checkQueryExp(env, imported, `import of ${name}`);
    if (
      query.kind !== 'UberQuery' ||
      !sameSchema(query.source, source) ||
      !sameSchema(query.target, target)
    ) {
      diagnostics.error(
        'E_CATALOG_QUERY',
        `imported query \`${query.name}\` is not from \`${source.name}\` to \`${target.name}\``,
        imported.span,
      );
      continue;
    }
    for (const [entity, imported_] of query.blocks) blocks.set(entity, imported_);
  }
  const scopes = new Map<string, BlockScope>();
  const pending: { ast: AstQueryBlock; scope: BlockScope; where: TypedEquation[] }[] = [];
  for (const ast of literal.blocks) {
    const entity = ast.entity.text;
    if (!target.hasEntity(entity)) {
      diagnostics.error(
        'E_CATALOG_UNKNOWN',
        `unknown entity \`${entity}\` of the target schema \`${target.name}\``,
        ast.entity.span,
        {
          hint: didYouMean(entity, target.entityNames()),
        },
      );
      continue;
    }
    if (scopes.has(entity)) {
      diagnostics.error(
        'E_CATALOG_DUPLICATE',
        `entity \`${entity}\` has two blocks`,
        ast.entity.span,
      );
      continue;
    }
    const { scope, where } = checkFromWhere(env, source, ast);
    scopes.set(entity, scope);
    pending.push({ ast, scope, where });
  }
  // Foreign keys refer to other blocks' variables, so they are checked once every block is known.
  for (const { ast, scope, where } of pending) {
    const entity = ast.entity.text;
    const attributes = checkBlockAttributes(env, target, ast, scope);
    const foreignKeys = new Map<string, ReadonlyMap<string, TypedTerm>>();
    for (const fkAst of ast.foreignKeys) {
      const fk = target.foreignKey(entity, fkAst.foreignKey.text);
      if (fk === undefined) {
        diagnostics.error(
          'E_CATALOG_UNKNOWN',
          `target entity \`${entity}\` has no foreign key \`${fkAst.foreignKey.text}\``,
          fkAst.foreignKey.span,
          {
            hint: didYouMean(
              fkAst.foreignKey.text,
              target.foreignKeysOf(entity).map((f) => f.name),
            ),
          },
        );
        continue;
      }
      if (foreignKeys.has(fk.name)) {
        diagnostics.error(
          'E_CATALOG_DUPLICATE',
          `foreign key \`${fk.name}\` is given twice`,
          fkAst.foreignKey.span,
        );
        continue;
      }
      const targetScope = scopes.get(fk.target) ?? scopeOfImported(blocks.get(fk.target));
      if (targetScope === undefined) continue;
      const substitution = new Map<string, TypedTerm>();
      for (const binding of fkAst.bindings) {
        const variable = targetScope.from.find((v) => v.variable === binding.variable.text);
        if (variable === undefined) {
          diagnostics.error(
            'E_CATALOG_UNKNOWN',
            `the block of \`${fk.target}\` has no variable \`${binding.variable.text}\``,
            binding.variable.span,
            {
              hint: didYouMean(
                binding.variable.text,
                targetScope.from.map((v) => v.variable),
              ),
            },
          );
          continue;
        }
        if (substitution.has(variable.variable)) {
          diagnostics.error(
            'E_CATALOG_DUPLICATE',
            `variable \`${variable.variable}\` is given twice`,
            binding.variable.span,
          );
          continue;
        }
        try {
          substitution.set(
            variable.variable,
            scope.checker.check(binding.term, entitySort(variable.entity)),
          );
        } catch (error) {
          if (!(error instanceof TermRejected)) throw error;
        }
      }
      const missing = targetScope.from.filter((v) => !substitution.has(v.variable));
      if (missing.length > 0 && fkAst.bindings.length === substitution.size) {
        diagnostics.error(
          'E_CATALOG_QUERY',
          `foreign key \`${fk.name}\` must give ${missing.map((v) => `\`${v.variable}\``).join(', ')} (the variables of \`${fk.target}\`'s block)`,
          fkAst.span,
        );
      }
      foreignKeys.set(fk.name, substitution);
    }
    for (const fk of target.foreignKeysOf(entity)) {
      if (
        !foreignKeys.has(fk.name) &&
        !ast.foreignKeys.some((f) => f.foreignKey.text === fk.name)
      ) {
        diagnostics.error(
          'E_CATALOG_QUERY',
          `the block of \`${entity}\` does not give foreign key \`${fk.name}\``,
          ast.entity.span,
        );
      }
    }
    blocks.set(
      entity,
      block(entity, scope.from, where, attributes, foreignKeys, env.locate(ast.span)),
    );
  }
  for (const entity of target.entities) {
    if (!blocks.has(entity.name)) {
      diagnostics.error(
        'E_CATALOG_QUERY',
        `query \`${name}\` has no block for target entity \`${entity.name}\``,
        literal.span,
        {
          hint: `add \`entity ${entity.name} -> { from … }\``,
        },
      );
    }
  }
  const options = env.optionsOf(literal.options);
  if (diagnostics.errorCount > errorsBefore) throw new AbandonDeclaration();
  const ordered = new Map(
    target.entities.map((entity) => [entity.name, blocks.get(entity.name) as QueryBlock]),
  );
  const query = new UberQuery(name, source, target, ordered, env.locate(literal.span));
  if (booleanOption(options, 'dont_validate_unsafe', false)) {
    diagnostics.warn(
      'W_VALIDATION_SKIPPED',
      `query \`${name}\` is not checked to respect the equations of \`${target.name}\` (dont_validate_unsafe)`,
      literal.span,
    );
  } else {
    validateQuery(env, query, literal.span);
  }
  if (diagnostics.errorCount > errorsBefore) throw new AbandonDeclaration();
  return query;
}

function scopeOfImported(imported: QueryBlock | undefined): Pick<BlockScope, 'from'> | undefined {
  return imported === undefined ? undefined : { from: [...imported.from] };
}

function checkBlockAttributes(
  env: Env,
  target: Schema,
  ast: AstQueryBlock,
  scope: BlockScope,
): Map<string, TypedTerm> {
  const diagnostics = env.diagnostics;
  const entity = ast.entity.text;
  const attributes = new Map<string, TypedTerm>();
  for (const attributeAst of ast.attributes) {
    const attribute = target.attribute(entity, attributeAst.attribute.text);
    if (attribute === undefined) {
      diagnostics.error(
        'E_CATALOG_UNKNOWN',
        `target entity \`${entity}\` has no attribute \`${attributeAst.attribute.text}\``,
        attributeAst.attribute.span,
        {
          hint: didYouMean(
            attributeAst.attribute.text,
            target.attributesOf(entity).map((a) => a.name),
          ),
        },
      );
      continue;
    }
    if (attributes.has(attribute.name)) {
      diagnostics.error(
        'E_CATALOG_DUPLICATE',
        `attribute \`${attribute.name}\` is given twice`,
        attributeAst.attribute.span,
      );
      continue;
    }
    try {
      attributes.set(
        attribute.name,
        scope.checker.check(attributeAst.term, typeSort(attribute.sort)),
      );
    } catch (error) {
      if (!(error instanceof TermRejected)) throw error;
    }
  }
  for (const attribute of target.attributesOf(entity)) {
    if (!ast.attributes.some((a) => a.attribute.text === attribute.name)) {
      diagnostics.error(
        'E_CATALOG_QUERY',
        `the block of \`${entity}\` does not give attribute \`${attribute.name}\``,
        ast.entity.span,
      );
    }
  }
  return attributes;
}

function checkSimpleQuery(
  env: Env,
  exp: Extract<QueryExp, { kind: 'QuerySimple' }>,
  name: string,
): UberQuery {
  const diagnostics = env.diagnostics;
  const errorsBefore = diagnostics.errorCount;
  const source = checkSchemaExp(env, exp.source, `source of ${name}`);
  const options = env.optionsOf(exp.block.options);
  const entity = options.get('simple_query_entity') ?? 'Q';
  const { scope, where } = checkFromWhere(env, source, exp.block);
  const attributes = new Map<string, TypedTerm>();
  const targetAttributes: Attribute[] = [];
  for (const attributeAst of exp.block.attributes) {
    if (attributes.has(attributeAst.attribute.text)) {
      diagnostics.error(
        'E_CATALOG_DUPLICATE',
        `attribute \`${attributeAst.attribute.text}\` is given twice`,
        attributeAst.attribute.span,
      );
      continue;
    }
    try {
      const term = scope.checker.infer(attributeAst.term);
      const sort = termSort(term);
      if (sort.kind !== 'TypeSort') {
        diagnostics.error(
          'E_CATALOG_TYPE',
          `attribute \`${attributeAst.attribute.text}\` must be a value, but \`${printTypedTerm(term)}\` is a row of ${sort.entity}`,
          attributeAst.term.span,
        );
        continue;
      }
      const typesideSort = source.typeside.sort(sort.sort);
      attributes.set(attributeAst.attribute.text, term);
      targetAttributes.push({
        kind: 'Attribute',
        name: attributeAst.attribute.text,
        entity,
        sort: sort.sort,
        scalarType: typesideSort?.scalarType,
        storageType: typesideSort?.scalarType ?? 'String',
        notNull: false,
        index: targetAttributes.length,
        location: env.locate(attributeAst.attribute.span),
      });
    } catch (error) {
      if (!(error instanceof TermRejected)) throw error;
    }
  }
  if (exp.block.foreignKeys.length > 0) {
    diagnostics.error(
      'E_CATALOG_QUERY',
      'a `simple` query has one target entity and no foreign keys',
      exp.block.foreignKeys[0]?.span ?? exp.span,
    );
  }
  if (diagnostics.errorCount > errorsBefore) throw new AbandonDeclaration();
  const target = new Schema({
    name: `${name} (result)`,
    typeside: source.typeside,
    syntax: 'literal',
    entities: [{ kind: 'Entity', name: entity, index: 0, location: env.locate(exp.span) }],
    foreignKeys: [],
    attributes: targetAttributes,
    pathEquations: [],
    observationEquations: [],
    options: new Map(),
    location: env.locate(exp.span),
  });
  const blocks = new Map([
    [entity, block(entity, scope.from, where, attributes, new Map(), env.locate(exp.block.span))],
  ]);
  return new UberQuery(name, source, target, blocks, env.locate(exp.span));
}
