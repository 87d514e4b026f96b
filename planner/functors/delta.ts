/**
 * Δ_F (pull back along F : S → T): a T-instance J becomes the S-instance whose entity E has the
 * rows of F(E), whose foreign key f : E → E' follows the path F(f) in J, and whose attribute
 * a : E → τ is the term F(a) evaluated at each row of F(E) (reference: `DeltaAlgebra`).
 *
 * Nothing is copied that need not be: an entity's row names are J's array, a foreign key sent to
 * one foreign key shares J's column, an attribute sent to `x.b` shares J's value and label arrays
 * (instances are immutable, so sharing is safe). A path of length two or more is composed into
 * a new column; other attribute terms are evaluated per row (term-evaluation.ts).
 *
 * Row names: J's (`e1`), where the reference prints `E:e1`; names are unique per entity, so
 * two S-entities sent to one T-entity both have a row `e1`.
 */
import type { Value } from '../../common/index.js';
import {
  pathOf,
  SaturatedInstance,
  type AttributeColumn,
  type ForeignKey,
  type InstanceTable,
  type Mapping,
  type SchemaPath,
  type TypedTerm,
} from '../../catalog/index.js';
import { FunctorError } from './errors.js';
import { TermCompiler } from './term-evaluation.js';

/** Δ_F(J) for a T-instance J. */
export function delta(mapping: Mapping, instance: SaturatedInstance): SaturatedInstance {
  checkOnSchema(instance, mapping.target.entityNames(), `delta ${mapping.name}`);
  const tables = mapping.source.entities.map((entity): InstanceTable => {
    const image = instance.table(mapping.entity(entity.name));
    const foreignKeys = new Map<string, Int32Array>();
    for (const fk of mapping.source.foreignKeysOf(entity.name)) {
      foreignKeys.set(fk.name, followPath(instance, mapping.foreignKeyPath(entity.name, fk.name)));
    }
    const attributes = new Map<string, AttributeColumn>();
    for (const attribute of mapping.source.attributesOf(entity.name)) {
      const { variable, term } = mapping.attributeTerm(entity.name, attribute.name);
      const shared = attributeAlongPath(instance, variable, term);
      if (shared !== undefined) {
        attributes.set(attribute.name, { attribute, values: shared.values, labels: shared.labels });
        continue;
      }
      const compiled = new TermCompiler(instance, new Map([[variable, 0]])).value(term);
      const values = new Array<Value>(image.rowCount);
      const labels = new Array<string | undefined>(image.rowCount);
      const binding = new Int32Array(1);
      for (let row = 0; row < image.rowCount; row++) {
        binding[0] = row;
        const cell = compiled(binding);
        values[row] = cell.value;
        labels[row] = cell.label;
      }
      attributes.set(attribute.name, { attribute, values, labels });
    }
    return {
      entity: entity.name,
      rowCount: image.rowCount,
      rowNames: image.rowNames,
      foreignKeys,
      attributes,
    };
  });
  return new SaturatedInstance(mapping.source, tables);
}

/** The row each row of `path.source` reaches along `path` (J's own column for one key). */
export function followPath(instance: SaturatedInstance, path: SchemaPath): Int32Array {
  const rowCount = instance.rowCount(path.source);
  const [first, ...rest] = path.foreignKeys;
  if (first === undefined) {
    const identity = new Int32Array(rowCount);
    for (let row = 0; row < rowCount; row++) identity[row] = row;
    return identity;
  }
  const firstColumn = foreignKeyColumn(instance, first.source, first.name);
  if (rest.length === 0) return firstColumn;
  const result = Int32Array.from(firstColumn);
  for (const fk of rest) {
    const column = foreignKeyColumn(instance, fk.source, fk.name);
    for (let row = 0; row < rowCount; row++) result[row] = column[result[row] as number] as number;
  }
  return result;
}

function foreignKeyColumn(instance: SaturatedInstance, entity: string, name: string): Int32Array {
  const column = instance.table(entity).foreignKeys.get(name);
  if (column === undefined) {
    throw new FunctorError(
      'E_FUNCTOR_MISMATCH',
      `the instance has no foreign key \`${entity}.${name}\``,
    );
  }
  return column;
}

/**
 * For a term `x.f1…fn.b` (an attribute at the end of a path from the variable), its values and
 * labels gathered along the path (J's arrays themselves for `x.b`); undefined for other terms.
 */
function attributeAlongPath(
  instance: SaturatedInstance,
  variable: string,
  term: TypedTerm,
): { values: readonly Value[]; labels: readonly (string | undefined)[] } | undefined {
  if (term.kind !== 'Att') return undefined;
  const foreignKeys: ForeignKey[] = [];
  let inner = term.argument;
  while (inner.kind === 'Fk') {
    foreignKeys.unshift(inner.foreignKey);
    inner = inner.argument;
  }
  if (inner.kind !== 'Var' || inner.name !== variable) return undefined;
  const column = instance.table(term.attribute.entity).attributes.get(term.attribute.name);
  if (column === undefined) return undefined;
  const first = foreignKeys[0];
  if (first === undefined) return { values: column.values, labels: column.labels };
  const rows = followPath(instance, pathOf(first.source, foreignKeys));
  const values = new Array<Value>(rows.length);
  const labels = new Array<string | undefined>(rows.length);
  for (let row = 0; row < rows.length; row++) {
    const target = rows[row] as number;
    values[row] = column.values[target] ?? null;
    labels[row] = column.labels[target];
  }
  return { values, labels };
}

/** A typed error unless the instance has a table for every entity of the expected schema. */
export function checkOnSchema(
  instance: SaturatedInstance,
  entities: readonly string[],
  what: string,
): void {
  const have = new Set(instance.schema.entityNames());
  const missing = entities.filter((entity) => !have.has(entity));
  if (missing.length > 0) {
    throw new FunctorError(
      'E_FUNCTOR_MISMATCH',
      `${what} takes an instance with the entities ${entities.join(', ')}, but the instance on ` +
        `\`${instance.schema.name}\` has no ${missing.join(', ')}`,
    );
  }
}
