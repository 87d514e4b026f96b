/**
 * The run JSON of an instance (docs/run-json.md): how a program's result is compared, by tests
 * and by users, independently of row numbering.
 *
 *   { "<Entity>": { "count": N, "rows": [ { "<attr>": value, "<fk>": k, … }, … ] }, … }
 *
 * - an attribute value is its JSON form (`valueToJson`: Int a number, or a string past ±2^53;
 *   Date `YYYY-MM-DD`; Decimal a string), SQL NULL is `null`, a labelled null
 *   `{"null": "<term>"}` (e.g. `{"null": "e1.salary"}`);
 * - a foreign key value `k` is the index of the target row in the target entity's `rows`;
 * - rows are sorted by their attribute values (schema order; values, then NULL, then labelled
 *   nulls by label), then by the positions of the rows their foreign keys reach (refined until
 *   stable, so two rows differing only through their foreign keys still sort the same way every
 *   run), then by the row's name (its generator or creating term).
 */
import { compareValues, valueToJson, type Scalar } from '../common/index.js';
import type { AttributeColumn, SaturatedInstance } from './saturated-instance.js';

export type RunJsonValue = string | number | boolean | null | { readonly null: string };
export type RunJsonRow = Record<string, RunJsonValue>;
export interface RunJsonTable {
  readonly count: number;
  readonly rows: RunJsonRow[];
}
export type RunJsonInstance = Record<string, RunJsonTable>;

/** Each row's position in its entity's sorted `rows`: entity → row → position. */
export function canonicalOrder(instance: SaturatedInstance): Map<string, Int32Array> {
  const schema = instance.schema;
  // Attribute keys compared once: rank rows by attributes alone.
  let ranks = new Map<string, Int32Array>();
  const byAttributes = new Map<string, (a: number, b: number) => number>();
  for (const table of instance.tables) {
    const columns = [...table.attributes.values()];
    const compare = (a: number, b: number): number => {
      for (const column of columns) {
        const order = compareCells(column.attribute.storageType, column, a, b);
        if (order !== 0) return order;
      }
      return 0;
    };
    byAttributes.set(table.entity, compare);
    ranks.set(table.entity, denseRanks(table.rowCount, compare));
  }
  // Refine by the ranks of foreign-key targets until the number of classes stops growing.
  let classes = countClasses(ranks);
  for (let round = 0; round < instance.tables.length + 1; round++) {
    const next = new Map<string, Int32Array>();
    for (const table of instance.tables) {
      const own = ranks.get(table.entity) as Int32Array;
      const keys = schema.foreignKeysOf(table.entity).map((fk) => ({
        column: table.foreignKeys.get(fk.name) as Int32Array,
        target: ranks.get(fk.target) as Int32Array,
      }));
      next.set(
        table.entity,
        denseRanks(table.rowCount, (a, b) => {
          const order = (own[a] as number) - (own[b] as number);
          if (order !== 0) return order;
          for (const { column, target } of keys) {
            const delta =
              (target[column[a] as number] as number) - (target[column[b] as number] as number);
            if (delta !== 0) return delta;
          }
          return 0;
        }),
      );
    }
    ranks = next;
    const refined = countClasses(ranks);
    if (refined === classes) break;
    classes = refined;
  }
  // Break the remaining ties by row name.
  const positions = new Map<string, Int32Array>();
  for (const table of instance.tables) {
    const rank = ranks.get(table.entity) as Int32Array;
    const rows = Array.from({ length: table.rowCount }, (_, row) => row);
    rows.sort((a, b) => {
      const order = (rank[a] as number) - (rank[b] as number);
      if (order !== 0) return order;
      const nameA = table.rowNames[a] ?? '';
      const nameB = table.rowNames[b] ?? '';
      return nameA < nameB ? -1 : nameA > nameB ? 1 : a - b;
    });
    const position = new Int32Array(table.rowCount);
    rows.forEach((row, index) => (position[row] = index));
    positions.set(table.entity, position);
  }
  return positions;
}

export function instanceToJson(instance: SaturatedInstance): RunJsonInstance {
  const positions = canonicalOrder(instance);
  const result: RunJsonInstance = {};
  for (const table of instance.tables) {
    const position = positions.get(table.entity) as Int32Array;
    const rows: RunJsonRow[] = new Array<RunJsonRow>(table.rowCount);
    for (let row = 0; row < table.rowCount; row++) {
      const json: RunJsonRow = {};
      for (const [name, column] of table.attributes) {
        const label = column.labels[row];
        json[name] =
          label !== undefined
            ? { null: label }
            : valueToJson(column.attribute.storageType, column.values[row] ?? null);
      }
      for (const [name, column] of table.foreignKeys) {
        const fk = instance.schema.foreignKey(table.entity, name);
        const target = positions.get(fk?.target ?? '');
        json[name] = target?.[column[row] as number] ?? -1;
      }
      rows[position[row] as number] = json;
    }
    result[table.entity] = { count: table.rowCount, rows };
  }
  return result;
}

/** Values first (by value), then SQL NULL, then labelled nulls (by label). */
function compareCells(
  type: Parameters<typeof compareValues>[0],
  column: AttributeColumn,
  a: number,
  b: number,
): number {
  const classOf = (row: number): number =>
    column.labels[row] !== undefined ? 2 : column.values[row] == null ? 1 : 0;
  const ca = classOf(a);
  const cb = classOf(b);
  if (ca !== cb) return ca - cb;
  if (ca === 0) return compareValues(type, column.values[a] as Scalar, column.values[b] as Scalar);
  if (ca === 2) {
    const la = column.labels[a] as string;
    const lb = column.labels[b] as string;
    return la < lb ? -1 : la > lb ? 1 : 0;
  }
  return 0;
}

function denseRanks(count: number, compare: (a: number, b: number) => number): Int32Array {
  const rows = Array.from({ length: count }, (_, row) => row);
  rows.sort(compare);
  const ranks = new Int32Array(count);
  let rank = 0;
  for (let i = 0; i < rows.length; i++) {
    if (i > 0 && compare(rows[i - 1] as number, rows[i] as number) !== 0) rank++;
    ranks[rows[i] as number] = rank;
  }
  return ranks;
}

function countClasses(ranks: ReadonlyMap<string, Int32Array>): number {
  let total = 0;
  for (const rank of ranks.values()) total += new Set(rank).size;
  return total;
}
