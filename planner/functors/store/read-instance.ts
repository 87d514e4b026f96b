/**
 * Stored rows as an in-memory instance: the active rows of each entity's table, renumbered
 * densely in row-id order (deleted rows are not part of the instance), foreign keys translated
 * from store row ids to the dense rows of their target, labelled nulls kept as labels. A row is
 * named `Entity#rowId` (its store row id; rows in the store have no other name), so the labelled
 * nulls Σ creates read `Employee#17.manager.salary`.
 */
import { checkDeadline, limits, normalizeInt, type Value } from '../../../common/index.js';
import {
  SaturatedInstance,
  type AttributeColumn,
  type InstanceTable,
  type Schema,
} from '../../../catalog/index.js';
import { isValidAt, type ColumnVector, type ReadView } from '../../../store/index.js';
import { FunctorError } from '../errors.js';

export interface StoredInstance {
  readonly instance: SaturatedInstance;
  /** rowIds.get(entity)[i]: the store row id of dense row i. */
  readonly rowIds: ReadonlyMap<string, Int32Array>;
}

/** The name of the store row `rowId` of `entity` in an instance read from the store. */
export function storedRowName(entity: string, rowId: number): string {
  return `${entity}#${rowId}`;
}

/** Read the rows of `schema`'s entities from the store into an in-memory instance. */
export function readStoredInstance(
  view: ReadView,
  schema: Schema,
  deadline?: number,
): StoredInstance {
  const rowIds = new Map<string, Int32Array>();
  const denseOf = new Map<string, Int32Array>();
  requireTables(view, schema);
  for (const entity of schema.entities) {
    const table = view.table(entity.name);
    const active = table.activeRowIds();
    const ids = Int32Array.from(active);
    const dense = new Int32Array(table.rowCount).fill(-1);
    for (let row = 0; row < ids.length; row++) dense[ids[row] as number] = row;
    rowIds.set(entity.name, ids);
    denseOf.set(entity.name, dense);
  }
  const tables = schema.entities.map((entity): InstanceTable => {
    checkDeadline(deadline, `reading ${entity.name}`);
    const table = view.table(entity.name);
    const ids = rowIds.get(entity.name) as Int32Array;
    const rowNames = Array.from(ids, (rowId) => storedRowName(entity.name, rowId));
    const foreignKeys = new Map<string, Int32Array>();
    for (const fk of schema.foreignKeysOf(entity.name)) {
      const column = table.column(requireColumn(table.hasColumn(fk.name), entity.name, fk.name));
      const dense = denseOf.get(fk.target) as Int32Array;
      const targets = new Int32Array(ids.length);
      for (let row = 0; row < ids.length; row++) {
        const value = column.valueUnchecked(ids[row] as number);
        const target = typeof value === 'number' ? (dense[value] ?? -1) : -1;
        if (target < 0) {
          throw new FunctorError(
            'E_FUNCTOR_MISMATCH',
            `row ${ids[row]} of \`${entity.name}\` has no \`${fk.name}\` row` +
              ` (${value === null ? 'NULL' : `row ${String(value)} of \`${fk.target}\` is deleted`})`,
            { details: { entity: entity.name, row: ids[row], foreignKey: fk.name } },
          );
        }
        targets[row] = target;
      }
      foreignKeys.set(fk.name, targets);
    }
    const attributes = new Map<string, AttributeColumn>();
    for (const attribute of schema.attributesOf(entity.name)) {
      const column = table.column(
        requireColumn(table.hasColumn(attribute.name), entity.name, attribute.name),
      );
      const values = new Array<Value>(ids.length);
      const labels = new Array<string | undefined>(ids.length).fill(undefined);
      readValues(column.batchCount, (batch) => column.vector(batch), ids, values);
      const labelled = column.labels();
      if (labelled.size > 0) {
        const dense = denseOf.get(entity.name) as Int32Array;
        for (const [rowId, term] of labelled) {
          const row = dense[rowId] ?? -1;
          if (row >= 0) labels[row] = term;
        }
      }
      attributes.set(attribute.name, { attribute, values, labels });
    }
    return { entity: entity.name, rowCount: ids.length, rowNames, foreignKeys, attributes };
  });
  return { instance: new SaturatedInstance(schema, tables), rowIds };
}

/** A typed error unless every entity of the schema has a table with its columns. */
export function requireTables(view: ReadView, schema: Schema): void {
  for (const entity of schema.entities) {
    if (!view.hasTable(entity.name)) {
      throw new FunctorError(
        'E_FUNCTOR_MISMATCH',
        `the database has no table for entity \`${entity.name}\` of schema \`${schema.name}\``,
        { hint: 'load an instance of the schema first' },
      );
    }
    const table = view.table(entity.name);
    for (const column of [
      ...schema.attributesOf(entity.name).map((attribute) => attribute.name),
      ...schema.foreignKeysOf(entity.name).map((fk) => fk.name),
    ]) {
      requireColumn(table.hasColumn(column), entity.name, column);
    }
  }
}

function requireColumn(present: boolean, entity: string, column: string): string {
  if (!present) {
    throw new FunctorError(
      'E_FUNCTOR_MISMATCH',
      `the table of \`${entity}\` has no column \`${column}\``,
    );
  }
  return column;
}

/** Values of the rows `ids` (ascending) from a column's batches, in engine form. */
function readValues(
  batchCount: number,
  vectorOf: (batch: number) => ColumnVector,
  ids: Int32Array,
  values: Value[],
): void {
  let index = 0;
  for (let batch = 0; batch < batchCount && index < ids.length; batch++) {
    const start = batch * BATCH_ROWS;
    if ((ids[index] as number) >= start + BATCH_ROWS) continue;
    const vector = vectorOf(batch);
    while (index < ids.length && (ids[index] as number) < start + BATCH_ROWS) {
      const offset = (ids[index] as number) - start;
      values[index] = isValidAt(vector, offset) ? vectorValue(vector, offset) : null;
      index++;
    }
  }
}

const BATCH_ROWS = limits.batchRowsMax;

/** The engine value at `offset` of a vector (the row is valid). */
export function vectorValue(vector: ColumnVector, offset: number): Value {
  switch (vector.kind) {
    case 'float64':
    case 'date':
    case 'rowId':
      return vector.values[offset] as number;
    case 'bigint64':
      return normalizeInt(vector.values[offset] as bigint);
    case 'bool':
      return vector.values[offset] === 1;
    case 'dictionary':
      return vector.dictionary[vector.codes[offset] as number] as string;
  }
}
