/**
 * Checking schema expressions: a `literal` (or compact) schema, `empty : T`, a name, or
 * `dom_m F` / `cod_m F` / `dom_q Q` / `cod_q Q` / `schemaOf I`.
 *
 * A literal schema's checks, each error at the offending name: entity names unique; foreign
 * keys and attributes with existing source entities and targets (entities, or sorts of the
 * typeside), names unique within their entity (foreign keys and attributes together); path
 * equations whose paths start at an entity, follow foreign keys, and end at the same entity on
 * both sides; observation equations whose sides type-check to one type sort. Imported schemas
 * (same typeside) contribute their entities, foreign keys, attributes and equations first.
 */
import { assertNever, didYouMean, type ScalarType } from '../common/index.js';
import type {
  Name,
  ObservationEquation as AstObservationEquation,
  Path,
  SchemaExp,
  SchemaLiteral,
} from '../cql/index.js';
import type { Env } from './check-context.js';
import { TermChecker, TermRejected } from './check-term.js';
import { checkTypesideExp } from './check-typeside.js';
import {
  Schema,
  pathOf,
  printPath,
  type Attribute,
  type Entity,
  type ForeignKey,
  type ObservationEquation,
  type PathEquation,
  type SchemaPath,
} from './schema.js';
import { printTypedTerm, termSort, type TermSort, type TypedTerm } from './term.js';
import type { Typeside } from './typeside.js';

export function checkSchemaExp(env: Env, exp: SchemaExp, name: string): Schema {
  switch (exp.kind) {
    case 'SchemaVar':
      return env.schema(exp.name);
    case 'SchemaEmpty':
      return emptySchema(name, checkTypesideExp(env, exp.typeside, `typeside of ${name}`));
    case 'SchemaLiteral':
      return checkSchemaLiteral(env, exp, name);
    case 'SchemaOf':
      return schemaOf(env, exp.of, exp.target);
    default:
      return assertNever(exp, 'schema expression');
  }
}

function emptySchema(name: string, typeside: Typeside): Schema {
  return new Schema({
    name,
    typeside,
    syntax: 'literal',
    entities: [],
    foreignKeys: [],
    attributes: [],
    pathEquations: [],
    observationEquations: [],
    options: new Map(),
    location: undefined,
  });
}

function schemaOf(
  env: Env,
  of: 'dom_m' | 'cod_m' | 'dom_q' | 'cod_q' | 'schemaOf',
  target: Name,
): Schema {
  switch (of) {
    case 'dom_m':
      return env.mapping(target).source;
    case 'cod_m':
      return env.mapping(target).target;
    case 'dom_q': {
      const query = env.query(target);
      return query.kind === 'UberQuery' ? query.source : query.schema;
    }
    case 'cod_q': {
      const query = env.query(target);
      if (query.kind === 'UberQuery') return query.target;
      return env.abandon(
        'E_CATALOG_UNSUPPORTED',
        `\`cod_q\` of the compact query \`${target.text}\`: a compact query's result is a table, not a schema`,
        target.span,
      );
    }
    case 'schemaOf':
      return env.instance(target).schema;
    default:
      return assertNever(of, 'schema-of form');
  }
}

interface SchemaDraft {
  readonly entities: Entity[];
  readonly foreignKeys: ForeignKey[];
  readonly attributes: Attribute[];
  readonly pathEquations: PathEquation[];
  readonly observationEquations: ObservationEquation[];
}

function draftSchema(
  name: string,
  typeside: Typeside,
  syntax: 'literal' | 'compact',
  draft: SchemaDraft,
  literal: SchemaLiteral,
  env: Env,
): Schema {
  return new Schema({
    name,
    typeside,
    syntax,
    entities: draft.entities,
    foreignKeys: draft.foreignKeys,
    attributes: draft.attributes,
    pathEquations: draft.pathEquations,
    observationEquations: draft.observationEquations,
    options: env.optionsOf(literal.options),
    location: env.locate(literal.span),
  });
}

export function checkSchemaLiteral(env: Env, literal: SchemaLiteral, name: string): Schema {
  const diagnostics = env.diagnostics;
  const typeside = checkTypesideExp(env, literal.typeside, `typeside of ${name}`);
  const draft: SchemaDraft = {
    entities: [],
    foreignKeys: [],
    attributes: [],
    pathEquations: [],
    observationEquations: [],
  };
  const entityNames = new Set<string>();
  const columnNames = new Map<string, Set<string>>();
  const addEntity = (entity: string, location: Entity['location']): void => {
    entityNames.add(entity);
    columnNames.set(entity, new Set());
    draft.entities.push({ kind: 'Entity', name: entity, index: draft.entities.length, location });
  };
  for (const importExp of literal.imports) {
    const imported = checkSchemaExp(env, importExp, `import of ${name}`);
    if (!imported.typeside.sameAs(typeside)) {
      diagnostics.error(
        'E_CATALOG_TYPE',
        `imported schema \`${imported.name}\` is over typeside \`${imported.typeside.name}\`, not \`${typeside.name}\``,
        importExp.span,
      );
      continue;
    }
    for (const entity of imported.entities)
      if (!entityNames.has(entity.name)) addEntity(entity.name, entity.location);
    for (const fk of imported.foreignKeys) {
      if (columnNames.get(fk.source)?.has(fk.name)) continue;
      columnNames.get(fk.source)?.add(fk.name);
      draft.foreignKeys.push({ ...fk, index: draft.foreignKeys.length });
    }
    for (const attribute of imported.attributes) {
      if (columnNames.get(attribute.entity)?.has(attribute.name)) continue;
      columnNames.get(attribute.entity)?.add(attribute.name);
      draft.attributes.push({ ...attribute, index: draft.attributes.length });
    }
  }
  for (const entity of literal.entities) {
    if (entityNames.has(entity.text)) {
      diagnostics.error(
        'E_CATALOG_DUPLICATE',
        `entity \`${entity.text}\` is declared twice`,
        entity.span,
      );
      continue;
    }
    addEntity(entity.text, env.locate(entity.span));
  }
  const knownEntity = (entity: Name, role: string): boolean => {
    if (entityNames.has(entity.text)) return true;
    diagnostics.error(
      'E_CATALOG_UNKNOWN',
      `unknown entity \`${entity.text}\` (${role})`,
      entity.span,
      {
        hint: didYouMean(entity.text, entityNames),
      },
    );
    return false;
  };
  const freeColumn = (entity: string, column: Name, what: string): boolean => {
    const columns = columnNames.get(entity) as Set<string>;
    if (columns.has(column.text)) {
      diagnostics.error(
        'E_CATALOG_DUPLICATE',
        `entity \`${entity}\` already has a foreign key or attribute \`${column.text}\` (${what})`,
        column.span,
      );
      return false;
    }
    columns.add(column.text);
    return true;
  };
  for (const fk of literal.foreignKeys) {
    const sourceOk = knownEntity(fk.source, `source of foreign key \`${fk.name.text}\``);
    const targetOk = knownEntity(fk.target, `target of foreign key \`${fk.name.text}\``);
    if (!sourceOk || !targetOk || !freeColumn(fk.source.text, fk.name, 'foreign key')) continue;
    draft.foreignKeys.push({
      kind: 'ForeignKey',
      name: fk.name.text,
      source: fk.source.text,
      target: fk.target.text,
      index: draft.foreignKeys.length,
      location: env.locate(fk.name.span),
    });
  }
  for (const attribute of literal.attributes) {
    const entityOk = knownEntity(
      attribute.entity,
      `entity of attribute \`${attribute.name.text}\``,
    );
    const sort = typeside.sort(attribute.type.text);
    if (sort === undefined) {
      const isEntity = entityNames.has(attribute.type.text);
      diagnostics.error(
        'E_CATALOG_UNKNOWN',
        isEntity
          ? `attribute \`${attribute.name.text}\` has the entity \`${attribute.type.text}\` as its type: use a foreign key`
          : `unknown type \`${attribute.type.text}\` (typeside \`${typeside.name}\`)`,
        attribute.type.span,
        { hint: isEntity ? undefined : didYouMean(attribute.type.text, typeside.sortNamesKnown()) },
      );
      continue;
    }
    if (!entityOk || !freeColumn(attribute.entity.text, attribute.name, 'attribute')) continue;
    const storageType: ScalarType = sort.scalarType ?? 'String';
    draft.attributes.push({
      kind: 'Attribute',
      name: attribute.name.text,
      entity: attribute.entity.text,
      sort: sort.name,
      scalarType: sort.scalarType,
      storageType,
      notNull: attribute.notNull,
      index: draft.attributes.length,
      location: env.locate(attribute.name.span),
    });
  }
  // Equations are checked against the schema without equations (names are all known now).
  const bare = draftSchema(name, typeside, literal.syntax, draft, literal, env);
  for (const equation of literal.pathEquations) {
    const lhs = resolveSchemaPath(env, bare, equation.lhs);
    const rhs = resolveSchemaPath(env, bare, equation.rhs);
    if (lhs === undefined || rhs === undefined) continue;
    if (lhs.source !== rhs.source) {
      diagnostics.error(
        'E_CATALOG_PATH',
        `the two sides of a path equation start at different entities: \`${printPath(lhs)}\` starts at ${lhs.source}, \`${printPath(rhs)}\` at ${rhs.source}`,
        equation.rhs.span,
      );
      continue;
    }
    if (lhs.target !== rhs.target) {
      diagnostics.error(
        'E_CATALOG_PATH',
        `the two sides of a path equation end at different entities: \`${printPath(lhs)}\` ends at ${lhs.target}, \`${printPath(rhs)}\` at ${rhs.target}`,
        equation.span,
      );
      continue;
    }
    draft.pathEquations.push({
      kind: 'PathEquation',
      entity: lhs.source,
      lhs,
      rhs,
      text: `${printPath(lhs)} = ${printPath(rhs)}`,
      location: env.locate(equation.span),
    });
  }
  for (const equation of literal.observationEquations)
    checkObservationEquation(env, bare, equation, draft);
  return draftSchema(name, typeside, literal.syntax, draft, literal, env);
}

/** `Entity.fk1.fk2` as a path; reports the first name that does not resolve. */
export function resolveSchemaPath(env: Env, schema: Schema, path: Path): SchemaPath | undefined {
  const [first, ...rest] = path.names;
  if (first === undefined) return undefined;
  if (!schema.hasEntity(first.text)) {
    env.diagnostics.error(
      'E_CATALOG_PATH',
      `a path in a path equation starts with an entity; \`${first.text}\` is not one`,
      first.span,
      {
        hint:
          didYouMean(first.text, schema.entityNames()) ??
          `write \`Entity.${path.names.map((n) => n.text).join('.')}\``,
      },
    );
    return undefined;
  }
  return followNames(env, schema, first.text, rest);
}

/** Follow foreign-key names from `entity`; reports the first that is not a foreign key. */
export function followNames(
  env: Env,
  schema: Schema,
  entity: string,
  names: readonly Name[],
): SchemaPath | undefined {
  const foreignKeys: ForeignKey[] = [];
  let current = entity;
  for (const step of names) {
    const fk = schema.foreignKey(current, step.text);
    if (fk === undefined) {
      const attribute = schema.attribute(current, step.text);
      env.diagnostics.error(
        attribute ? 'E_CATALOG_PATH' : 'E_CATALOG_UNKNOWN',
        attribute
          ? `\`${step.text}\` is an attribute of \`${current}\`; a path here is made of foreign keys`
          : `entity \`${current}\` has no foreign key \`${step.text}\``,
        step.span,
        {
          hint: attribute
            ? undefined
            : didYouMean(
                step.text,
                schema.foreignKeysOf(current).map((f) => f.name),
              ),
        },
      );
      return undefined;
    }
    foreignKeys.push(fk);
    current = fk.target;
  }
  return pathOf(entity, foreignKeys);
}

/** The path of a term made of foreign keys applied to the variable `variable`, or undefined. */
function pathOfTerm(term: TypedTerm, variable: string): SchemaPath | undefined {
  const foreignKeys: ForeignKey[] = [];
  let current = term;
  while (current.kind === 'Fk') {
    foreignKeys.unshift(current.foreignKey);
    current = current.argument;
  }
  if (current.kind !== 'Var' || current.name !== variable || current.sort.kind !== 'EntitySort')
    return undefined;
  return pathOf(current.sort.entity, foreignKeys);
}

function checkObservationEquation(
  env: Env,
  schema: Schema,
  equation: AstObservationEquation,
  draft: SchemaDraft,
): void {
  const diagnostics = env.diagnostics;
  const variable = equation.variable;
  let sort: TermSort | undefined;
  if (variable.sort !== undefined) {
    if (!schema.hasEntity(variable.sort)) {
      diagnostics.error('E_CATALOG_UNKNOWN', `unknown entity \`${variable.sort}\``, variable.span, {
        hint: didYouMean(variable.sort, schema.entityNames()),
      });
      return;
    }
    sort = { kind: 'EntitySort', entity: variable.sort };
  }
  const variables = new Map<string, TermSort | undefined>([[variable.name, sort]]);
  const checker = new TermChecker({ typeside: schema.typeside, schema, variables }, diagnostics);
  let lhs: TypedTerm;
  let rhs: TypedTerm;
  try {
    [lhs, rhs] = checker.equation(equation.lhs, equation.rhs);
  } catch (error) {
    if (error instanceof TermRejected) return;
    throw error;
  }
  const variableSort = variables.get(variable.name);
  if (variableSort === undefined || variableSort.kind !== 'EntitySort') {
    diagnostics.error(
      'E_CATALOG_TYPE',
      `the variable \`${variable.name}\` of an observation equation must range over an entity`,
      variable.span,
      {
        hint: `write \`forall ${variable.name}:Entity\``,
      },
    );
    return;
  }
  const text = `forall ${variable.name}:${variableSort.entity}. ${printTypedTerm(lhs)} = ${printTypedTerm(rhs)}`;
  const equationSort = termSort(lhs);
  if (equationSort.kind === 'EntitySort') {
    const left = pathOfTerm(lhs, variable.name);
    const right = pathOfTerm(rhs, variable.name);
    if (left === undefined || right === undefined) {
      diagnostics.error(
        'E_CATALOG_PATH',
        `an equation between rows must be a path equation: \`${text}\``,
        equation.span,
      );
      return;
    }
    draft.pathEquations.push({
      kind: 'PathEquation',
      entity: left.source,
      lhs: left,
      rhs: right,
      text: `${printPath(left)} = ${printPath(right)}`,
      location: env.locate(equation.span),
    });
    return;
  }
  draft.observationEquations.push({
    kind: 'ObservationEquation',
    variable: variable.name,
    entity: variableSort.entity,
    sort: equationSort.sort,
    lhs,
    rhs,
    text,
    location: env.locate(equation.span),
  });
}

/**
 * The source and target schemas of a mapping or a query: both checked, and on one typeside
 * (`code` names the declaration kind's error).
 */
export function checkSchemaPair(
  env: Env,
  exps: { readonly source: SchemaExp; readonly target: SchemaExp },
  name: string,
  code: 'E_CATALOG_MAPPING' | 'E_CATALOG_QUERY',
): { source: Schema; target: Schema } {
  const source = checkSchemaExp(env, exps.source, `source of ${name}`);
  const target = checkSchemaExp(env, exps.target, `target of ${name}`);
  if (!source.typeside.sameAs(target.typeside)) {
    env.abandon(
      code,
      `the source and target schemas of a ${code === 'E_CATALOG_MAPPING' ? 'mapping' : 'query'} must share a typeside: \`${source.typeside.name}\` and \`${target.typeside.name}\``,
      exps.target.span,
    );
  }
  return { source, target };
}
