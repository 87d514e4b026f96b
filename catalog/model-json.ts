/**
 * The checked model as plain JSON (`catrust export json`): what a tool needs to know about a
 * program without parsing CQL — every schema's entities, foreign keys, attributes (with their
 * scalar types and NOT NULL) and equations, every mapping's images, every query's shape, and
 * every instance's rows in the run JSON form (catalog/run-json.ts). Locations are `file:line:col`.
 */
import { assertNever, formatLocation, type SourceLocation } from '../common/index.js';
import type { CheckedInstance, CheckedProgram } from './checked-program.js';
import type { Mapping } from './mapping.js';
import { printExprType, type Query } from './query.js';
import { instanceToJson, type RunJsonInstance } from './run-json.js';
import { printPath, type Schema } from './schema.js';
import { printTypedTerm } from './term.js';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const where = (location: SourceLocation | undefined): Json =>
  location === undefined ? null : formatLocation(location);

export function schemaToJson(schema: Schema): Json {
  return {
    typeside: schema.typeside.name,
    location: where(schema.location),
    entities: schema.entities.map((entity) => ({
      name: entity.name,
      foreign_keys: schema.foreignKeysOf(entity.name).map((fk) => ({
        name: fk.name,
        target: fk.target,
      })),
      attributes: schema.attributesOf(entity.name).map((attribute) => ({
        name: attribute.name,
        sort: attribute.sort,
        type: attribute.storageType,
        not_null: attribute.notNull,
      })),
    })),
    path_equations: schema.pathEquations.map((equation) => equation.text),
    observation_equations: schema.observationEquations.map((equation) => equation.text),
  };
}

export function mappingToJson(mapping: Mapping): Json {
  const foreignKeys: Record<string, Json> = {};
  for (const [fk, path] of mapping.foreignKeys) {
    foreignKeys[`${fk.source}.${fk.name}`] = printPath(path);
  }
  const attributes: Record<string, Json> = {};
  for (const [attribute, image] of mapping.attributes) {
    attributes[`${attribute.entity}.${attribute.name}`] =
      `lambda ${image.variable}. ${printTypedTerm(image.term, mapping.target.typeside)}`;
  }
  return {
    source: mapping.source.name,
    target: mapping.target.name,
    location: where(mapping.location),
    entities: Object.fromEntries(mapping.entities),
    foreign_keys: foreignKeys,
    attributes,
  };
}

export function queryToJson(query: Query): Json {
  switch (query.kind) {
    case 'UberQuery':
      return {
        kind: 'uber-flower',
        source: query.source.name,
        target: query.target.name,
        location: where(query.location),
        blocks: Object.fromEntries(
          [...query.blocks].map(([entity, block]): [string, Json] => [
            entity,
            {
              from: Object.fromEntries(block.from.map((v) => [v.variable, v.entity])),
              where: block.where.map((equation) => equation.text),
              attributes: Object.fromEntries(
                [...block.attributes].map(([name, term]) => [
                  name,
                  printTypedTerm(term, query.source.typeside),
                ]),
              ),
              foreign_keys: Object.fromEntries(
                [...block.foreignKeys].map(([name, substitution]): [string, Json] => [
                  name,
                  Object.fromEntries(
                    [...substitution].map(([variable, term]) => [
                      variable,
                      printTypedTerm(term, query.source.typeside),
                    ]),
                  ),
                ]),
              ),
            },
          ]),
        ),
      };
    case 'CompactQuery':
      return {
        kind: 'compact',
        schema: query.schema.name,
        location: where(query.location),
        from: Object.fromEntries(query.from.map((v) => [v.variable, v.entity])),
        where: query.where?.text ?? null,
        group_by: query.groupBy.map((expr) => expr.text),
        select: query.select.map((item) => ({
          name: item.name,
          expr: item.expr.text,
          type: printExprType(item.type),
        })),
        order_by: query.orderBy.map((item) => `${item.expr.text} ${item.direction}`),
        limit: query.limit ?? null,
      };
    default:
      return assertNever(query, 'query');
  }
}

export function instanceSummaryToJson(instance: CheckedInstance): Json {
  const rows: RunJsonInstance | null = instance.evaluated ? instanceToJson(instance.rows()) : null;
  return {
    schema: instance.schema.name,
    definition: instance.definition.kind,
    location: where(instance.location),
    tables: rows as unknown as Json,
  };
}

/** The whole checked program. */
export function programToJson(program: CheckedProgram): Json {
  const section = <T>(map: ReadonlyMap<string, T>, convert: (value: T) => Json): Json =>
    Object.fromEntries([...map].map(([name, value]) => [name, convert(value)]));
  return {
    file: program.file ?? null,
    typesides: section(program.typesides, (typeside) => ({
      sorts: typeside.sortNamesKnown(),
    })),
    schemas: section(program.schemas, schemaToJson),
    mappings: section(program.mappings, mappingToJson),
    queries: section(program.queries, queryToJson),
    instances: section(program.instances, instanceSummaryToJson),
    warnings: program.warnings.map((warning) => ({
      code: warning.code,
      message: warning.message,
      location: where(warning.location),
    })),
  };
}
