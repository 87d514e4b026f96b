/**
 * A saturated instance: the definite tables of rows of an instance of a schema, as the store
 * loads them and the CLI prints them.
 *
 * Per entity (in schema order) an `InstanceTable`:
 * - `rowCount` rows, numbered 0…rowCount−1. Rows made from generators come first, in
 *   declaration order (a generator equated to an earlier one shares its row), then rows the
 *   saturation created for foreign keys nothing determined, in creation order (breadth first).
 * - `rowNames[r]`: the term naming row r — its generator (`e1`), or for a created row the
 *   foreign-key path that reached it (`e1.manager`). Names are unique within an entity.
 * - `foreignKeys.get(fk)[r]`: the index of the target row in the target entity's table. Every
 *   foreign key is total (a saturated instance has no dangling or null keys).
 * - `attributes.get(att)`: an `AttributeColumn`; per row either a value (`values[r]`, a
 *   `Scalar` of the attribute's storage type), SQL NULL (`values[r] === null` and no label; the
 *   compact dialect's `null`), or a labelled null (`labels[r]` is its term, e.g.
 *   `e1.manager.salary`; `values[r]` is null). Two cells with the same label hold the same
 *   unknown value.
 *
 * Instances are immutable; build one with `new SaturatedInstance(schema, tables)` (the functor
 * layer does so for Δ and Π) or by saturating a presentation (catalog/saturate.ts).
 */
import type { Scalar, Value } from '../common/index.js';
import { CatalogError } from './errors.js';
import type { Attribute, Schema } from './schema.js';

export interface AttributeColumn {
  readonly attribute: Attribute;
  readonly values: readonly Value[];
  readonly labels: readonly (string | undefined)[];
}

export interface InstanceTable {
  readonly entity: string;
  readonly rowCount: number;
  readonly rowNames: readonly string[];
  /** Foreign key name → target row index per row (schema order of `foreignKeysOf`). */
  readonly foreignKeys: ReadonlyMap<string, Int32Array>;
  /** Attribute name → column (schema order of `attributesOf`). */
  readonly attributes: ReadonlyMap<string, AttributeColumn>;
}

/** One cell of an attribute column. */
export type Cell =
  | { readonly kind: 'value'; readonly value: Scalar }
  | { readonly kind: 'null' }
  | { readonly kind: 'labelled'; readonly label: string };

export class SaturatedInstance {
  readonly kind = 'SaturatedInstance';
  readonly schema: Schema;
  /** One table per entity, in the order of `schema.entities`. */
  readonly tables: readonly InstanceTable[];
  readonly #tables = new Map<string, InstanceTable>();
  readonly #rowsByName = new Map<string, Map<string, number>>();

  /** Row-generator name → the row it ended up in (saturated presentations only). */
  readonly #generatorRows: ReadonlyMap<string, number> | undefined;

  constructor(
    schema: Schema,
    tables: readonly InstanceTable[],
    generatorRows?: ReadonlyMap<string, number>,
  ) {
    this.schema = schema;
    this.#generatorRows = generatorRows;
    const byEntity = new Map(tables.map((table) => [table.entity, table]));
    this.tables = Object.freeze(
      schema.entities.map((entity) => {
        const table = byEntity.get(entity.name);
        if (table === undefined) {
          throw new CatalogError('E_CATALOG_UNKNOWN', `no table for entity \`${entity.name}\``);
        }
        return table;
      }),
    );
    for (const table of this.tables) this.#tables.set(table.entity, table);
  }

  /** The table of an entity; a typed error for an unknown one. */
  table(entity: string): InstanceTable {
    const table = this.#tables.get(entity);
    if (table === undefined) {
      throw new CatalogError('E_CATALOG_UNKNOWN', `unknown entity \`${entity}\``);
    }
    return table;
  }

  rowCount(entity: string): number {
    return this.table(entity).rowCount;
  }

  /** Rows of every entity together. */
  get totalRows(): number {
    return this.tables.reduce((sum, table) => sum + table.rowCount, 0);
  }

  /** The row named `name` (a generator or a created row's term) in `entity`. */
  rowNamed(entity: string, name: string): number | undefined {
    let index = this.#rowsByName.get(entity);
    if (index === undefined) {
      index = new Map(this.table(entity).rowNames.map((rowName, row) => [rowName, row]));
      this.#rowsByName.set(entity, index);
    }
    return index.get(name);
  }

  /**
   * The row a generator of the presentation ended up in — also for a generator equated to an
   * earlier one, whose row carries the earlier name. Undefined for an instance that was not
   * saturated from a presentation (Δ, Π, eval results) or an unknown name.
   */
  generatorRow(name: string): number | undefined {
    return this.#generatorRows?.get(name);
  }

  /** The target row of a foreign key. */
  follow(entity: string, foreignKey: string, row: number): number {
    const column = this.table(entity).foreignKeys.get(foreignKey);
    const target = column?.[row];
    if (target === undefined) {
      throw new CatalogError(
        'E_CATALOG_UNKNOWN',
        `no foreign key \`${foreignKey}\` on row ${row} of \`${entity}\``,
      );
    }
    return target;
  }

  /** One cell of an attribute column. */
  cell(entity: string, attribute: string, row: number): Cell {
    const column = this.table(entity).attributes.get(attribute);
    if (column === undefined || row < 0 || row >= column.values.length) {
      throw new CatalogError(
        'E_CATALOG_UNKNOWN',
        `no attribute \`${attribute}\` on row ${row} of \`${entity}\``,
      );
    }
    const label = column.labels[row];
    if (label !== undefined) return { kind: 'labelled', label };
    const value = column.values[row];
    return value === null || value === undefined ? { kind: 'null' } : { kind: 'value', value };
  }
}
