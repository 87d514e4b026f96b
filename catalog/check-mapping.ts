/**
 * Checking mapping expressions: `literal : S -> T { … }` (and the compact `mapping F : S -> T`),
 * `identity S`, `[F ; G]`, a name.
 *
 * A literal mapping must send every entity of S to an entity of T, every foreign key
 * f : A → B of S to a path of T from F(A) to F(B) (`identity`, the empty path, when F(A) =
 * F(B)), every attribute a : A → τ to a term of sort τ over one variable of sort F(A), over one
 * typeside. It must preserve the path equations of S: F(p) = F(q) in T for every p = q of S,
 * decided by catalog/path-equality.ts; and the observation equations, decided in the frozen
 * instance of one row (catalog/frozen-instance.ts). An equation T refutes is an error
 * (`E_CATALOG_MAPPING`); one the catalog cannot decide within its limits is a warning
 * (`W_PATH_UNDECIDED`, `W_EQUATION_UNDECIDED`). `dont_validate_unsafe = true` skips the
 * preservation checks, with a warning.
 */
import { assertNever, didYouMean, limits } from '../common/index.js';
import type { EntityMapping, MappingExp, MappingLiteral, Span } from '../cql/index.js';
import { booleanOption, type Env } from './check-context.js';
import { sameSchema } from './check-instance.js';
import { checkSchemaExp, checkSchemaPair, followNames } from './check-schema.js';
import { TermChecker, TermRejected } from './check-term.js';
import { AbandonDeclaration } from './errors.js';
import { FrozenInstance } from './frozen-instance.js';
import { Mapping, type AttributeImage } from './mapping.js';
import { printPath, type Attribute, type ForeignKey, type SchemaPath } from './schema.js';
import { entitySort, printTypedTerm, typeSort } from './term.js';

export function checkMappingExp(env: Env, exp: MappingExp, name: string): Mapping {
  switch (exp.kind) {
    case 'MappingVar':
      return env.mapping(exp.name);
    case 'MappingIdentity':
      return Mapping.identity(checkSchemaExp(env, exp.schema, `schema of ${name}`), name);
    case 'MappingCompose': {
      const first = checkMappingExp(env, exp.first, `first of ${name}`);
      const second = checkMappingExp(env, exp.second, `second of ${name}`);
      if (!sameSchema(first.target, second.source)) {
        env.abandon(
          'E_CATALOG_MAPPING',
          `cannot compose [${first.name} ; ${second.name}]: \`${first.name}\` ends at \`${first.target.name}\` but \`${second.name}\` starts at \`${second.source.name}\``,
          exp.second.span,
        );
      }
      return first.compose(second, name);
    }
    case 'MappingLiteral':
      return checkMappingLiteral(env, exp, name);
    default:
      return assertNever(exp, 'mapping expression');
  }
}

function checkMappingLiteral(env: Env, literal: MappingLiteral, name: string): Mapping {
  const diagnostics = env.diagnostics;
  const errorsBefore = diagnostics.errorCount;
  const { source, target } = checkSchemaPair(env, literal, name, 'E_CATALOG_MAPPING');
  const entities = new Map<string, string>();
  const foreignKeys = new Map<ForeignKey, SchemaPath>();
  const attributes = new Map<Attribute, AttributeImage>();
  const spans = new Map<string, Span>();
  const ends: MappingDraft['ends'] = [];
  for (const imported of literal.imports) {
    const mapping = checkMappingExp(env, imported, `import of ${name}`);
    if (!sameSchema(mapping.source, source) || !sameSchema(mapping.target, target)) {
      diagnostics.error(
        'E_CATALOG_MAPPING',
        `imported mapping \`${mapping.name}\` is not from \`${source.name}\` to \`${target.name}\``,
        imported.span,
      );
      continue;
    }
    for (const [from, to] of mapping.entities) entities.set(from, to);
    for (const [fk, path] of mapping.foreignKeys) {
      const own = source.foreignKey(fk.source, fk.name);
      if (own !== undefined) foreignKeys.set(own, path);
    }
    for (const [attribute, image] of mapping.attributes) {
      const own = source.attribute(attribute.entity, attribute.name);
      if (own !== undefined) attributes.set(own, { ...image, attribute: own });
    }
  }
  for (const block of literal.entities) {
    checkEntityMapping(env, block, {
      source,
      target,
      entities,
      foreignKeys,
      attributes,
      spans,
      ends,
    });
  }
  for (const { fk, path, span } of ends) {
    const expected = entities.get(fk.target);
    if (expected !== undefined && path.target !== expected) {
      diagnostics.error(
        'E_CATALOG_MAPPING',
        `foreign key \`${fk.source}.${fk.name}\` goes to \`${fk.target}\`, which the mapping sends to \`${expected}\`, but the path \`${printPath(path)}\` ends at \`${path.target}\``,
        span,
      );
    }
  }
  const mappingSpan = literal.span;
  for (const entity of source.entities) {
    if (!entities.has(entity.name)) {
      diagnostics.error(
        'E_CATALOG_MAPPING',
        `mapping \`${name}\` does not say where entity \`${entity.name}\` goes`,
        mappingSpan,
        {
          hint: `add \`entity ${entity.name} -> …\``,
        },
      );
    }
  }
  for (const fk of source.foreignKeys) {
    if (entities.has(fk.source) && !foreignKeys.has(fk)) {
      diagnostics.error(
        'E_CATALOG_MAPPING',
        `mapping \`${name}\` does not map foreign key \`${fk.source}.${fk.name}\``,
        spans.get(fk.source) ?? mappingSpan,
      );
    }
  }
  for (const attribute of source.attributes) {
    if (entities.has(attribute.entity) && !attributes.has(attribute)) {
      diagnostics.error(
        'E_CATALOG_MAPPING',
        `mapping \`${name}\` does not map attribute \`${attribute.entity}.${attribute.name}\``,
        spans.get(attribute.entity) ?? mappingSpan,
      );
    }
  }
  const options = env.optionsOf(literal.options);
  if (diagnostics.errorCount > errorsBefore) throw new AbandonDeclaration();
  const mapping = new Mapping({
    name,
    source,
    target,
    entities,
    foreignKeys,
    attributes,
    location: env.locate(literal.span),
  });
  if (booleanOption(options, 'dont_validate_unsafe', false)) {
    diagnostics.warn(
      'W_VALIDATION_SKIPPED',
      `mapping \`${name}\` is not checked to preserve the equations of \`${source.name}\` (dont_validate_unsafe)`,
      mappingSpan,
    );
  } else {
    checkPreservation(env, mapping, (entity) => spans.get(entity) ?? mappingSpan);
  }
  if (diagnostics.errorCount > errorsBefore) throw new AbandonDeclaration();
  return mapping;
}

interface MappingDraft {
  readonly source: Mapping['source'];
  readonly target: Mapping['target'];
  readonly entities: Map<string, string>;
  readonly foreignKeys: Map<ForeignKey, SchemaPath>;
  readonly attributes: Map<Attribute, AttributeImage>;
  readonly spans: Map<string, Span>;
  /** Foreign-key images whose ends are checked once every entity is mapped. */
  readonly ends: { fk: ForeignKey; path: SchemaPath; span: Span }[];
}

function checkEntityMapping(env: Env, block: EntityMapping, draft: MappingDraft): void {
  const diagnostics = env.diagnostics;
  const { source, target } = draft;
  const from = block.source.text;
  const to = block.target.text;
  let ok = true;
  if (!source.hasEntity(from)) {
    diagnostics.error(
      'E_CATALOG_UNKNOWN',
      `unknown entity \`${from}\` of the source schema \`${source.name}\``,
      block.source.span,
      {
        hint: didYouMean(from, source.entityNames()),
      },
    );
    ok = false;
  }
  if (!target.hasEntity(to)) {
    diagnostics.error(
      'E_CATALOG_UNKNOWN',
      `unknown entity \`${to}\` of the target schema \`${target.name}\``,
      block.target.span,
      {
        hint: didYouMean(to, target.entityNames()),
      },
    );
    ok = false;
  }
  if (!ok) return;
  const previous = draft.entities.get(from);
  if (previous !== undefined && previous !== to) {
    diagnostics.error(
      'E_CATALOG_DUPLICATE',
      `entity \`${from}\` is mapped twice (to \`${previous}\` and \`${to}\`)`,
      block.source.span,
    );
    return;
  }
  draft.entities.set(from, to);
  draft.spans.set(from, block.span);
  for (const fkMapping of block.foreignKeys) {
    const fk = source.foreignKey(from, fkMapping.foreignKey.text);
    if (fk === undefined) {
      diagnostics.error(
        'E_CATALOG_UNKNOWN',
        `entity \`${from}\` of \`${source.name}\` has no foreign key \`${fkMapping.foreignKey.text}\``,
        fkMapping.foreignKey.span,
        {
          hint: didYouMean(
            fkMapping.foreignKey.text,
            source.foreignKeysOf(from).map((f) => f.name),
          ),
        },
      );
      continue;
    }
    if (draft.foreignKeys.has(fk)) {
      diagnostics.error(
        'E_CATALOG_DUPLICATE',
        `foreign key \`${from}.${fk.name}\` is mapped twice`,
        fkMapping.foreignKey.span,
      );
      continue;
    }
    // A path may be written from the entity: `Person.boss` as well as `boss`.
    let names = fkMapping.path;
    const first = names[0];
    if (first !== undefined && first.text === to && target.foreignKey(to, first.text) === undefined)
      names = names.slice(1);
    const path = followNames(env, target, to, names);
    if (path === undefined) continue;
    draft.ends.push({ fk, path, span: fkMapping.span });
    draft.foreignKeys.set(fk, path);
  }
  for (const attributeMapping of block.attributes) {
    const attribute = source.attribute(from, attributeMapping.attribute.text);
    if (attribute === undefined) {
      diagnostics.error(
        'E_CATALOG_UNKNOWN',
        `entity \`${from}\` of \`${source.name}\` has no attribute \`${attributeMapping.attribute.text}\``,
        attributeMapping.attribute.span,
        {
          hint: didYouMean(
            attributeMapping.attribute.text,
            source.attributesOf(from).map((a) => a.name),
          ),
        },
      );
      continue;
    }
    if (draft.attributes.has(attribute)) {
      diagnostics.error(
        'E_CATALOG_DUPLICATE',
        `attribute \`${from}.${attribute.name}\` is mapped twice`,
        attributeMapping.attribute.span,
      );
      continue;
    }
    const variable = attributeMapping.variable;
    if (variable.sort !== undefined && variable.sort !== to) {
      diagnostics.error(
        'E_CATALOG_MAPPING',
        `the variable \`${variable.name}\` ranges over \`${to}\` (where \`${from}\` goes), not \`${variable.sort}\``,
        variable.span,
      );
      continue;
    }
    const checker = new TermChecker(
      {
        typeside: target.typeside,
        schema: target,
        variables: new Map([[variable.name, entitySort(to)]]),
      },
      diagnostics,
    );
    try {
      const term = checker.check(attributeMapping.term, typeSort(attribute.sort));
      draft.attributes.set(attribute, { attribute, variable: variable.name, term });
    } catch (error) {
      if (!(error instanceof TermRejected)) throw error;
    }
  }
}

function checkPreservation(env: Env, mapping: Mapping, spanOf: (entity: string) => Span): void {
  const diagnostics = env.diagnostics;
  const equality = mapping.target.pathEquality();
  for (const equation of mapping.source.pathEquations) {
    const lhs = mapping.translatePath(equation.lhs);
    const rhs = mapping.translatePath(equation.rhs);
    const verdict = equality.decide(lhs, rhs);
    const image = `\`${printPath(lhs)}\` = \`${printPath(rhs)}\``;
    if (verdict === 'different') {
      diagnostics.error(
        'E_CATALOG_MAPPING',
        `mapping \`${mapping.name}\` does not preserve the path equation \`${equation.text}\` of \`${mapping.source.name}\`: ${image} does not hold in \`${mapping.target.name}\``,
        spanOf(equation.entity),
      );
    } else if (verdict === 'unknown') {
      diagnostics.warn(
        'W_PATH_UNDECIDED',
        `could not decide within the limits whether mapping \`${mapping.name}\` preserves \`${equation.text}\` (${image} in \`${mapping.target.name}\`)`,
        spanOf(equation.entity),
      );
    }
  }
  for (const equation of mapping.source.observationEquations) {
    const entity = mapping.entity(equation.entity);
    const frozen = FrozenInstance.build(mapping.target, [{ name: equation.variable, entity }], [], {
      instanceRowsMax: Math.min(env.instanceRowsMax, limits.frozenInstanceRowsMax),
      congruenceStepsMax: env.congruenceStepsMax,
    });
    const lhs = mapping.translateTerm(equation.lhs);
    const rhs = mapping.translateTerm(equation.rhs);
    const verdict = frozen === undefined ? 'unknown' : frozen.decide(lhs, rhs);
    const image = `\`${printTypedTerm(lhs)}\` = \`${printTypedTerm(rhs)}\``;
    if (verdict === 'different') {
      diagnostics.error(
        'E_CATALOG_MAPPING',
        `mapping \`${mapping.name}\` does not preserve the observation equation \`${equation.text}\`: ${image} does not hold in \`${mapping.target.name}\``,
        spanOf(equation.entity),
      );
    } else if (verdict === 'unknown') {
      diagnostics.warn(
        'W_EQUATION_UNDECIDED',
        `could not decide whether mapping \`${mapping.name}\` preserves \`${equation.text}\` (${image})`,
        spanOf(equation.entity),
      );
    }
  }
}
