/**
 * Σ_F(I) natively on typed arrays, for the common shape of a migration: a chase with
 * union-find over row ids instead of the catalog's term saturation (same result up to the names
 * of created rows and labels, which follow the same rules; a property test checks the
 * isomorphism on random programs).
 *
 * Applies when every attribute of S is sent to `x.p.b` (an attribute at the end of a path), T
 * has no observation equations, T's typeside has no equations, and no labelled null of I is
 * named like a typeside constant; otherwise `sigmaChase` returns undefined and `sigma`
 * saturates the presentation.
 *
 * Entity side: one node per row of I (in I's table order) and per row the chase creates; a
 * union-find (`parent`), one growable `Int32Array` per foreign key of T (node → node), merged
 * congruently on union. Each foreign key f : s → s' of I with F(f) = h1…hk sets
 * `r.h1…hk = I.f(r)` (k = 0 merges the two rows); then, over the nodes in creation order, T's
 * path equations are applied and every foreign key made total (a fresh node, named by its
 * term, when unset). Past the row limit: `E_INSTANCE_INFINITE` with the foreign-key cycle.
 *
 * Value side: one slot per (attribute of T, row) after the labelled nulls of I; union-find with
 * a constant per class; `F(a)(r) = I.a(r)` assigns the constant or joins the label's node; two
 * different constants are `E_INSTANCE_CLASH`. A class without a constant is a labelled null
 * named by I's label, or by its first slot (`row.attribute`).
 */
import type { SourceLocation, Value } from '../../common/index.js';
import {
  CatalogError,
  SaturatedInstance,
  type AttributeColumn,
  type ForeignKey,
  type InstanceTable,
  type Mapping,
} from '../../catalog/index.js';
import { FunctorError } from './errors.js';
import { generatorNames, sigmaRowsLimit } from './sigma.js';
import { infiniteChaseError, InfiniteChase, NONE, RowClosure } from './row-closure.js';
import { formatConstant, ValueClasses } from './value-classes.js';

export interface SigmaChaseOptions {
  readonly name?: string | undefined;
  readonly location?: SourceLocation | undefined;
  readonly instanceRowsMax?: number | undefined;
}

/** Σ_F(I) by the native chase, or undefined when the mapping or schema needs saturation. */
export function sigmaChase(
  mapping: Mapping,
  input: SaturatedInstance,
  options: SigmaChaseOptions = {},
): SaturatedInstance | undefined {
  const target = mapping.target;
  if (target.observationEquations.length > 0 || target.typeside.equations.length > 0)
    return undefined;
  const attributePaths = new Map<string, { path: readonly ForeignKey[]; attribute: string }>();
  for (const attribute of mapping.source.attributes) {
    const image = mapping.attributeTerm(attribute.entity, attribute.name);
    if (image.term.kind !== 'Att') return undefined;
    const path: ForeignKey[] = [];
    let inner = image.term.argument;
    while (inner.kind === 'Fk') {
      path.unshift(inner.foreignKey);
      inner = inner.argument;
    }
    if (inner.kind !== 'Var' || inner.name !== image.variable) return undefined;
    attributePaths.set(`${attribute.entity}.${attribute.name}`, {
      path,
      attribute: image.term.attribute.name,
    });
  }
  for (const table of input.tables) {
    for (const column of table.attributes.values()) {
      for (const label of column.labels) {
        if (label !== undefined && target.typeside.constant(label) !== undefined) return undefined;
      }
    }
  }
  const rowsMax = options.instanceRowsMax ?? sigmaRowsLimit(input);
  const closure = new RowClosure(mapping, rowsMax, 0, input.totalRows + 16);
  const names = generatorNames(input);
  // Nodes of I's rows, table by table.
  const base = new Map<string, number>();
  for (const table of input.tables) {
    base.set(table.entity, closure.size);
    const entity = target.entity(mapping.entity(table.entity))?.index as number;
    for (let row = 0; row < table.rowCount; row++) closure.addNode(entity, NONE, NONE);
  }
  /** Nodes below it are I's rows (generators); the others were created by the chase. */
  const generatorCount = closure.size;
  const fail = (error: InfiniteChase): CatalogError =>
    infiniteChaseError(
      error,
      closure,
      `instance${options.name === undefined ? '' : ` \`${options.name}\``}`,
      options.location,
    );
  try {
    for (const table of input.tables) {
      const start = base.get(table.entity) as number;
      for (const fk of mapping.source.foreignKeysOf(table.entity)) {
        const path = mapping
          .foreignKeyPath(table.entity, fk.name)
          .foreignKeys.map((step) => step.index);
        const column = table.foreignKeys.get(fk.name) as Int32Array;
        const targetStart = base.get(fk.target) as number;
        const last = path[path.length - 1];
        for (let row = 0; row < table.rowCount; row++) {
          const reached = targetStart + (column[row] as number);
          if (last === undefined) {
            closure.union(start + row, reached);
            continue;
          }
          let node = start + row;
          for (let step = 0; step < path.length - 1; step++)
            node = closure.follow(node, path[step] as number);
          closure.set(node, last, reached);
        }
      }
    }
    closure.chase(0, () => undefined);
  } catch (error) {
    if (error instanceof InfiniteChase) throw fail(error);
    throw error;
  }
  // Rows: roots, numbered per entity in node order (I's rows first, as the saturation does).
  const rowOf = new Int32Array(closure.size).fill(NONE);
  const counts = new Int32Array(target.entities.length);
  const rootsOf: number[][] = target.entities.map(() => []);
  for (let node = 0; node < closure.size; node++) {
    if (closure.find(node) !== node) continue;
    const entity = closure.entityOf(node);
    rowOf[node] = counts[entity] as number;
    counts[entity] = (counts[entity] as number) + 1;
    (rootsOf[entity] as number[]).push(node);
  }
  const ranges = input.tables.map((table) => ({
    start: base.get(table.entity) as number,
    end: (base.get(table.entity) as number) + table.rowCount,
    names: names.get(table.entity) as readonly string[],
  }));
  const generatorName = (node: number): string | undefined => {
    for (const range of ranges) {
      if (node >= range.start && node < range.end) return range.names[node - range.start];
    }
    return undefined;
  };
  const nameMemo = new Array<string | undefined>(closure.size);
  const nameOf = (root: number): string => {
    if (root < generatorCount) return generatorName(root) as string;
    const known = nameMemo[root];
    if (known !== undefined) return known;
    const chain: number[] = [];
    let current = root;
    let name: string;
    for (;;) {
      if (current < generatorCount) {
        name = generatorName(current) as string;
        break;
      }
      const cached = nameMemo[current];
      if (cached !== undefined) {
        name = cached;
        break;
      }
      chain.push(current);
      current = closure.find(closure.argumentOf(current));
    }
    for (let index = chain.length - 1; index >= 0; index--) {
      const link = chain[index] as number;
      name = `${name}.${(target.foreignKeys[closure.foreignKeyOf(link)] as ForeignKey).name}`;
      nameMemo[link] = name;
    }
    nameMemo[root] = name;
    return name;
  };
  // Value side.
  const labels = new Map<string, number>();
  for (const table of input.tables) {
    for (const column of table.attributes.values()) {
      for (const label of column.labels)
        if (label !== undefined && !labels.has(label)) labels.set(label, labels.size);
    }
  }
  const slotBase = target.attributes.map(() => 0);
  let slots = labels.size;
  for (const attribute of target.attributes) {
    slotBase[attribute.index] = slots;
    slots += counts[target.entity(attribute.entity)?.index as number] as number;
  }
  const values = new ValueClasses(slots);
  for (const table of input.tables) {
    const start = base.get(table.entity) as number;
    for (const [name, column] of table.attributes) {
      const image = attributePaths.get(`${table.entity}.${name}`);
      if (image === undefined) {
        throw new FunctorError(
          'E_FUNCTOR_MISMATCH',
          `sigma ${mapping.name}: the instance has an attribute \`${table.entity}.${name}\` that ` +
            `\`${mapping.source.name}\` does not have`,
        );
      }
      const targetEntity =
        image.path.length === 0
          ? mapping.entity(table.entity)
          : (image.path[image.path.length - 1] as ForeignKey).target;
      const targetAttribute = target.attribute(targetEntity, image.attribute);
      if (targetAttribute === undefined) return undefined;
      const steps = image.path.map((fk) => fk.index);
      for (let row = 0; row < table.rowCount; row++) {
        let node = closure.find(start + row);
        for (const step of steps) node = closure.find(closure.valueOf(node, step));
        const slot = (slotBase[targetAttribute.index] as number) + (rowOf[node] as number);
        const label = column.labels[row];
        const clash =
          label !== undefined
            ? values.union(slot, labels.get(label) as number)
            : values.assign(slot, column.values[row] ?? null);
        if (clash !== undefined) {
          const rowName = (names.get(table.entity) as readonly string[])[row] as string;
          const cell = label ?? formatConstant(column.values[row] ?? null);
          const text = `${nameOf(node)}.${targetAttribute.name} = ${cell}`;
          const original = `${rowName}.${name} = ${cell}`;
          throw new CatalogError(
            'E_INSTANCE_CLASH',
            `${options.name === undefined ? '' : `instance \`${options.name}\`: `}equation \`${text}\`` +
              `${text === original ? '' : ` (from \`${original}\`)`} forces two different constants ` +
              `to be equal: ${formatConstant(clash[0])} and ${formatConstant(clash[1])}`,
            {
              location: options.location,
              details: { equation: text, values: clash.map(formatConstant) },
            },
          );
        }
      }
    }
  }
  const labelNames = [...labels.keys()];
  const tables = target.entities.map((entity): InstanceTable => {
    const roots = rootsOf[entity.index] as number[];
    const rowNames = roots.map(nameOf);
    const foreignKeys = new Map<string, Int32Array>();
    for (const fk of target.foreignKeysOf(entity.name)) {
      foreignKeys.set(
        fk.name,
        Int32Array.from(
          roots,
          (root) => rowOf[closure.find(closure.valueOf(root, fk.index))] as number,
        ),
      );
    }
    const attributes = new Map<string, AttributeColumn>();
    for (const attribute of target.attributesOf(entity.name)) {
      const cellValues = new Array<Value>(roots.length);
      const cellLabels = new Array<string | undefined>(roots.length);
      const start = slotBase[attribute.index] as number;
      for (let row = 0; row < roots.length; row++) {
        const root = values.find(start + row);
        if (values.hasConstant(root)) {
          cellValues[row] = values.constantAt(root);
          cellLabels[row] = undefined;
          continue;
        }
        cellValues[row] = null;
        if (root < labelNames.length) {
          cellLabels[row] = labelNames[root];
        } else if (root >= start && root < start + roots.length) {
          cellLabels[row] = `${rowNames[root - start] as string}.${attribute.name}`;
        } else {
          const owner =
            target.attributes.findLast(
              (candidate) => (slotBase[candidate.index] as number) <= root,
            ) ?? attribute;
          const ownerEntity = target.entity(owner.entity)?.index as number;
          cellLabels[row] =
            `${nameOf((rootsOf[ownerEntity] as number[])[root - (slotBase[owner.index] as number)] as number)}.${owner.name}`;
        }
      }
      if (attribute.notNull) {
        const missing = cellLabels.findIndex((label) => label !== undefined);
        if (missing !== -1) {
          throw new CatalogError(
            'E_INSTANCE_NOT_NULL',
            `${entity.name} row \`${rowNames[missing]}\` has no value for the NOT NULL attribute \`${attribute.name}\` (it would be the labelled null ${cellLabels[missing]})`,
            {
              location: options.location,
              details: { entity: entity.name, row: rowNames[missing], attribute: attribute.name },
            },
          );
        }
      }
      attributes.set(attribute.name, { attribute, values: cellValues, labels: cellLabels });
    }
    return { entity: entity.name, rowCount: roots.length, rowNames, foreignKeys, attributes };
  });
  return new SaturatedInstance(target, tables);
}
