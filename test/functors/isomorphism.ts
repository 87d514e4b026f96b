/**
 * Whether two saturated instances of one schema are isomorphic: a bijection of rows per entity
 * that preserves foreign keys and attribute values, and a bijection of labelled nulls (their
 * names may differ: `e1.manager.salary` in one, `x` in the other). Backtracking over rows in
 * entity order with candidates narrowed by each row's values; for the small instances of the
 * property tests. Returns a description of the first obstacle, or undefined when isomorphic.
 */
import type { SaturatedInstance } from '../../catalog/index.js';

const STEPS_MAX = 200_000;

export function isomorphismObstacle(
  a: SaturatedInstance,
  b: SaturatedInstance,
): string | undefined {
  const entities = a.schema.entityNames();
  for (const entity of entities) {
    if (a.rowCount(entity) !== b.rowCount(entity)) {
      return `${entity}: ${a.rowCount(entity)} rows against ${b.rowCount(entity)}`;
    }
  }
  const signature = (instance: SaturatedInstance, entity: string, row: number): string =>
    [...instance.table(entity).attributes.values()]
      .map((column) =>
        column.labels[row] !== undefined
          ? '?'
          : `${typeof column.values[row]}:${String(column.values[row])}`,
      )
      .join('|');
  const order: [string, number][] = entities.flatMap((entity) =>
    Array.from({ length: a.rowCount(entity) }, (_, row): [string, number] => [entity, row]),
  );
  const rowMap = new Map(
    entities.map((entity) => [entity, new Int32Array(a.rowCount(entity)).fill(-1)]),
  );
  const used = new Map(entities.map((entity) => [entity, new Uint8Array(b.rowCount(entity))]));
  const labelsAB = new Map<string, string>();
  const labelsBA = new Map<string, string>();
  let steps = 0;

  const consistent = (entity: string, row: number, image: number, added: string[]): boolean => {
    for (const [name, column] of a.table(entity).attributes) {
      const la = column.labels[row];
      if (la === undefined) continue;
      const lb = b.table(entity).attributes.get(name)?.labels[image];
      if (lb === undefined) return false;
      const mapped = labelsAB.get(la);
      if (mapped === undefined) {
        if (labelsBA.has(lb)) return false;
        labelsAB.set(la, lb);
        labelsBA.set(lb, la);
        added.push(la);
      } else if (mapped !== lb) return false;
    }
    for (const fk of a.schema.foreignKeysOf(entity)) {
      const target = (rowMap.get(fk.target) as Int32Array)[
        a.follow(entity, fk.name, row)
      ] as number;
      if (target !== -1 && target !== b.follow(entity, fk.name, image)) return false;
    }
    // Rows already mapped whose foreign keys reach this one.
    for (const fk of a.schema.foreignKeys) {
      if (fk.target !== entity) continue;
      const sources = rowMap.get(fk.source) as Int32Array;
      for (let source = 0; source < sources.length; source++) {
        const mapped = sources[source] as number;
        if (mapped === -1 || a.follow(fk.source, fk.name, source) !== row) continue;
        if (b.follow(fk.source, fk.name, mapped) !== image) return false;
      }
    }
    return true;
  };

  const search = (position: number): boolean => {
    if (position === order.length) return true;
    if (++steps > STEPS_MAX) throw new Error('isomorphism search exceeded its step budget');
    const [entity, row] = order[position] as [string, number];
    const wanted = signature(a, entity, row);
    const taken = used.get(entity) as Uint8Array;
    for (let image = 0; image < b.rowCount(entity); image++) {
      if (taken[image] === 1 || signature(b, entity, image) !== wanted) continue;
      const added: string[] = [];
      (rowMap.get(entity) as Int32Array)[row] = image;
      if (consistent(entity, row, image, added)) {
        taken[image] = 1;
        if (search(position + 1)) return true;
        taken[image] = 0;
      }
      (rowMap.get(entity) as Int32Array)[row] = -1;
      for (const label of added) {
        labelsBA.delete(labelsAB.get(label) as string);
        labelsAB.delete(label);
      }
    }
    return false;
  };
  return search(0) ? undefined : 'no bijection of rows preserves foreign keys, values and labels';
}
