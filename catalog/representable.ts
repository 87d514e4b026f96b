/**
 * The representable instance of an entity: one generator `x` at the entity, saturated. Its
 * rows are the arrows out of the entity modulo the path equations, so when it is finite it
 * decides path equality exactly (catalog/path-equality.ts).
 */
import { EntityClosure, InfiniteModel } from './entity-closure.js';
import type { Schema, SchemaPath } from './schema.js';

/**
 * Saturate the representable instance of `entity` within `rowsMax` rows. Returns a function
 * from a path starting at `entity` to the row it reaches, or undefined when the instance is
 * infinite (or larger than `rowsMax`).
 */
export function saturateRepresentable(
  schema: Schema,
  entity: string,
  rowsMax: number,
): ((path: SchemaPath) => number) | undefined {
  const start = schema.entity(entity);
  if (start === undefined) return undefined;
  const closure = new EntityClosure(schema, rowsMax, 64);
  const root = closure.addGenerator('x', start.index);
  try {
    closure.chase();
  } catch (thrown) {
    if (thrown instanceof InfiniteModel) return undefined;
    throw thrown;
  }
  return (path) =>
    closure.find(
      closure.followPath(
        root,
        path.foreignKeys.map((fk) => fk.index),
      ),
    );
}
