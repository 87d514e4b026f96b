/**
 * Compact instances: `instance I : S { Employee { e1: emp_name = "Ada", works_in = d1 } … }`.
 *
 * Each row is a generator of its entity; `fk = g` sets a foreign key to the row `g` (declared
 * anywhere in the instance, of the foreign key's target entity; foreign keys are total, so
 * `null` is refused); `att = literal` sets an attribute, the literal's text parsed exactly as
 * the attribute's type (a quoted literal may be of any type: `"2024-01-31"`, `"12.50"`; a
 * number only of Int, Float or Decimal; `true`/`false` only of Bool); `att = null` is SQL NULL;
 * a bare name is a typeside constant. What a row leaves out is what saturation decides: a
 * foreign key left out gets a fresh row (or one the path equations determine), an attribute a
 * labelled null, or the value an observation equation gives it. NOT NULL attributes (`!`)
 * must end up with a value.
 *
 * Rows go to the saturator's fast path (no terms are built), so a million-row instance
 * saturates in about a second.
 */
import { didYouMean, parseValue, ValueError, type Value } from '../common/index.js';
import type { InstanceRows, RowAssignment, RowDecl, RowValue } from '../cql/index.js';
import type { Env } from './check-context.js';
import { checkSchemaExp } from './check-schema.js';
import { CheckedInstance } from './checked-program.js';
import { AbandonDeclaration } from './errors.js';
import { SaturationFailed, Saturator } from './saturate.js';
import type { Attribute, ForeignKey, Schema } from './schema.js';

/** A row of the instance: its generator node, entity and declaration. */
interface RowGenerator {
  readonly node: number;
  readonly entity: string;
  readonly row: RowDecl;
}

/**
 * Rows with at most this many assignments find a field set twice by comparing with the earlier
 * ones, which costs less than a set per row; longer rows use a set.
 */
const ROW_FIELDS_SCANNED_MAX = 16;

export function checkInstanceRows(env: Env, exp: InstanceRows, name: string): CheckedInstance {
  const diagnostics = env.diagnostics;
  const errorsBefore = diagnostics.errorCount;
  const schema = checkSchemaExp(env, exp.schema, `schema of ${name}`);
  const location = env.locate(exp.span);
  // The attribute assignments that go to saturation, as parallel arrays indexed by fact id (the
  // equation id the saturator reports errors with): no object per assignment.
  const factNodes: number[] = [];
  const factAssignments: RowAssignment[] = [];
  const factRowNames: string[] = [];
  const factAttributes: Attribute[] = [];
  const factValues: Value[] = [];
  const generators = new Map<string, RowGenerator>();
  const saturator = new Saturator(
    schema,
    {
      name,
      location,
      instanceRowsMax: env.instanceRowsMax,
      congruenceStepsMax: env.congruenceStepsMax,
      // Made only for a NOT NULL error, not for every row.
      generatorLocation: (rowName) => {
        const generator = generators.get(rowName);
        return generator === undefined ? undefined : env.locate(generator.row.generator.span);
      },
    },
    (id) => {
      const assignment = factAssignments[id];
      if (assignment === undefined) return { text: `row ${id}`, location };
      return {
        text: `${factRowNames[id] ?? ''}.${assignment.field.text} = ${valueText(assignment.value)}`,
        location: env.locate(assignment.span),
      };
    },
    countRows(exp) + 16,
  );
  // Pass 1: every row is a generator (so references may point forward).
  for (const block of exp.entities) {
    if (!schema.hasEntity(block.entity.text)) {
      diagnostics.error(
        'E_CATALOG_UNKNOWN',
        `unknown entity \`${block.entity.text}\``,
        block.entity.span,
        {
          hint: didYouMean(block.entity.text, schema.entityNames()),
        },
      );
      continue;
    }
    const entity = block.entity.text;
    const sort = { kind: 'EntitySort', entity } as const;
    for (const row of block.rows) {
      const generator = row.generator;
      if (generators.has(generator.text)) {
        diagnostics.error(
          'E_CATALOG_DUPLICATE',
          `row \`${generator.text}\` is declared twice`,
          generator.span,
        );
        continue;
      }
      const node = saturator.addGenerator({ name: generator.text, sort, location: undefined });
      generators.set(generator.text, { node, entity, row });
    }
  }
  // Pass 2: classify assignments; foreign keys go in before the chase, attributes after.
  try {
    let seen: Set<string> | undefined;
    for (const { entity, row, node } of generators.values()) {
      const assignments = row.assignments;
      const scanned = assignments.length <= ROW_FIELDS_SCANNED_MAX;
      if (!scanned) (seen ??= new Set<string>()).clear();
      for (let index = 0; index < assignments.length; index++) {
        const assignment = assignments[index] as RowAssignment;
        const field = assignment.field;
        if (scanned ? setEarlier(assignments, index) : (seen as Set<string>).has(field.text)) {
          diagnostics.error(
            'E_CATALOG_DUPLICATE',
            `row \`${row.generator.text}\` sets \`${field.text}\` twice`,
            field.span,
          );
          continue;
        }
        if (!scanned) (seen as Set<string>).add(field.text);
        const fk = schema.foreignKey(entity, field.text);
        if (fk !== undefined) {
          const target = foreignKeyTarget(env, fk, assignment, generators);
          if (target !== undefined) saturator.setForeignKey(node, fk, target);
          continue;
        }
        const attribute = schema.attribute(entity, field.text);
        if (attribute === undefined) {
          const known = [...schema.foreignKeysOf(entity), ...schema.attributesOf(entity)].map(
            (c) => c.name,
          );
          diagnostics.error(
            'E_CATALOG_UNKNOWN',
            `entity \`${entity}\` has no attribute or foreign key \`${field.text}\``,
            field.span,
            {
              hint: didYouMean(field.text, known),
            },
          );
          continue;
        }
        const value = attributeValue(env, schema, attribute, assignment.value);
        if (value === undefined) continue;
        factNodes.push(node);
        factAssignments.push(assignment);
        factRowNames.push(row.generator.text);
        factAttributes.push(attribute);
        factValues.push(value);
      }
    }
    if (diagnostics.errorCount > errorsBefore) throw new AbandonDeclaration();
    saturator.closeEntities();
    for (let fact = 0; fact < factNodes.length; fact++) {
      saturator.setAttribute(
        factNodes[fact] as number,
        factAttributes[fact] as Attribute,
        factValues[fact] ?? null,
        fact,
      );
    }
    const instance = saturator.finish();
    diagnostics.warnings.push(...saturator.warnings);
    return new CheckedInstance(name, schema, { kind: 'rows' }, undefined, location, instance);
  } catch (thrown) {
    if (thrown instanceof SaturationFailed) {
      for (const error of thrown.errors) diagnostics.add(error);
      throw new AbandonDeclaration();
    }
    throw thrown;
  }
}

/** Whether the field of `assignments[index]` is set by an earlier assignment of the row. */
function setEarlier(assignments: readonly RowAssignment[], index: number): boolean {
  const field = (assignments[index] as RowAssignment).field.text;
  for (let earlier = 0; earlier < index; earlier++) {
    if ((assignments[earlier] as RowAssignment).field.text === field) return true;
  }
  return false;
}

function countRows(exp: InstanceRows): number {
  return exp.entities.reduce((sum, block) => sum + block.rows.length, 0);
}

function valueText(value: RowValue): string {
  switch (value.kind) {
    case 'RowLiteral':
      return value.literal === 'string' ? JSON.stringify(value.text) : value.text;
    case 'RowNull':
      return 'null';
    case 'RowReference':
      return value.generator.text;
  }
}

function foreignKeyTarget(
  env: Env,
  fk: ForeignKey,
  assignment: RowAssignment,
  generators: ReadonlyMap<string, RowGenerator>,
): number | undefined {
  const value = assignment.value;
  if (value.kind !== 'RowReference') {
    env.diagnostics.error(
      'E_CATALOG_TYPE',
      value.kind === 'RowNull'
        ? `foreign key \`${fk.name}\` cannot be null: foreign keys are total (leave it out to let saturation create its row)`
        : `foreign key \`${fk.name}\` takes a row of \`${fk.target}\`, not the ${value.literal} ${valueText(value)}`,
      value.span,
    );
    return undefined;
  }
  const target = generators.get(value.generator.text);
  if (target === undefined) {
    env.diagnostics.error(
      'E_CATALOG_UNKNOWN',
      `unknown row \`${value.generator.text}\` (of \`${fk.target}\`)`,
      value.generator.span,
      {
        hint: didYouMean(
          value.generator.text,
          [...generators].filter(([, g]) => g.entity === fk.target).map(([n]) => n),
        ),
      },
    );
    return undefined;
  }
  if (target.entity !== fk.target) {
    env.diagnostics.error(
      'E_CATALOG_TYPE',
      `foreign key \`${fk.source}.${fk.name}\` points to \`${fk.target}\`, but \`${value.generator.text}\` is a row of \`${target.entity}\``,
      value.generator.span,
    );
    return undefined;
  }
  return target.node;
}

/** The value of `att = value`; undefined (after reporting) when it is not one. */
function attributeValue(
  env: Env,
  schema: Schema,
  attribute: Attribute,
  value: RowValue,
): Value | undefined {
  const diagnostics = env.diagnostics;
  const sort = schema.typeside.sort(attribute.sort);
  switch (value.kind) {
    case 'RowNull':
      return null;
    case 'RowReference': {
      const constant = schema.typeside.constant(value.generator.text);
      if (constant !== undefined && constant.sort === attribute.sort)
        return constant.value ?? constant.name;
      diagnostics.error(
        'E_CATALOG_TYPE',
        `attribute \`${attribute.name}\` takes a ${attribute.sort} value, not the name \`${value.generator.text}\``,
        value.span,
        {
          hint:
            attribute.scalarType === 'String' ? `quote it: "${value.generator.text}"` : undefined,
        },
      );
      return undefined;
    }
    case 'RowLiteral': {
      const type = attribute.scalarType;
      const fits =
        value.literal === 'string' ||
        (value.literal === 'number' &&
          (type === 'Int' || type === 'Float' || type === 'Decimal')) ||
        (value.literal === 'boolean' && type === 'Bool');
      if (type !== undefined && !fits) {
        diagnostics.error(
          'E_INSTANCE_VALUE',
          `attribute \`${attribute.name}\` is ${type}, not the ${value.literal} ${value.text}`,
          value.span,
        );
        return undefined;
      }
      try {
        // A ValueError is reported below at the value's span: no location is made up front.
        if (type !== undefined) return parseValue(type, value.text);
        if (sort?.literals === 'external' && sort.parseExternal)
          return sort.parseExternal(value.text);
        const constant = schema.typeside.constant(value.text);
        if (constant !== undefined && constant.sort === attribute.sort) return constant.name;
        if (sort?.literals === 'symbol') return value.text;
        diagnostics.error(
          'E_INSTANCE_VALUE',
          `\`${value.text}\` is not a constant of sort ${attribute.sort}`,
          value.span,
        );
        return undefined;
      } catch (error) {
        if (!(error instanceof ValueError)) throw error;
        diagnostics.error(
          'E_INSTANCE_VALUE',
          `attribute \`${attribute.entity}.${attribute.name}\` (${type ?? attribute.sort}): ${error.bareMessage}`,
          value.span,
        );
        return undefined;
      }
    }
  }
}
