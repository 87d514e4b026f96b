/**
 * Σ_F over stored rows: the native chase of sigma-chase.ts, reading the source tables of a
 * store view directly and computing what to write — for a full Σ (the result built from
 * nothing) and for sigma_delta (the stored result plus the source rows added since a
 * checkpoint). One engine for both, so that an incremental step is a full Σ whose first rows
 * happen to be stored already:
 *
 * Σ_F(I ∪ N) is the initial T-model of F(I's presentation) ∪ F(N's presentation); F(I's
 * presentation) may be replaced by Σ_F(I) itself (its rows as generators with their foreign
 * keys and values, its labelled nulls as unknowns), which is what the stored result is. The
 * map from old source rows to result rows (Σ's unit, kept in the map tables) places the foreign
 * keys of new rows that point at old ones, and the label table says what each old source
 * labelled null became when its class no longer prints as itself.
 *
 * Applies to the mappings sigma-chase.ts handles (`chaseShape`); the caller falls back to the
 * in-memory Σ otherwise. `NeedFullSigma` tells sigma_delta to fall back to a full Σ, with why.
 */
import { checkDeadline, limits, type Value } from '../../../common/index.js';
import {
  CatalogError,
  type Attribute,
  type ForeignKey,
  type Mapping,
} from '../../../catalog/index.js';
import {
  type ColumnView,
  type InputValue,
  type ReadView,
  type TableView,
} from '../../../store/index.js';
import { FunctorError } from '../errors.js';
import { requireTables, storedRowName } from './read-instance.js';
import { Namer } from './node-names.js';
import {
  activeRowsIn,
  firstActiveRow,
  forEachNewRow,
  storedRowLoader,
  type SourcePart,
} from './stored-rows.js';
import { infiniteChaseError, InfiniteChase, NONE, RowClosure } from '../row-closure.js';
import { formatConstant } from '../value-classes.js';
import type { EntityStats } from './types.js';
import { CellValues } from './cell-values.js';
import { resultWrites } from './result-writes.js';

/** What a source labelled null became in the result, when not itself. */
export type LabelResolution =
  | { readonly kind: 'label'; readonly label: string }
  | { readonly kind: 'value'; readonly value: Value };

/** sigma_delta cannot apply the new rows incrementally: `reason` says why. */
export class NeedFullSigma extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

interface AttributeImagePath {
  readonly path: readonly number[];
  readonly target: Attribute;
}

/**
 * Per source attribute `E.a`, the target attribute at the end of a path that F sends it to;
 * undefined when F or T needs the term saturation (the conditions of sigma-chase.ts).
 */
export function chaseShape(mapping: Mapping): Map<string, AttributeImagePath> | undefined {
  const target = mapping.target;
  if (target.observationEquations.length > 0 || target.typeside.equations.length > 0)
    return undefined;
  const shape = new Map<string, AttributeImagePath>();
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
    const attributeEntity =
      path.length === 0 ? mapping.entity(attribute.entity) : (path.at(-1) as ForeignKey).target;
    const targetAttribute = target.attribute(attributeEntity, image.term.attribute.name);
    if (targetAttribute === undefined) return undefined;
    shape.set(`${attribute.entity}.${attribute.name}`, {
      path: path.map((fk) => fk.index),
      target: targetAttribute,
    });
  }
  return shape;
}

export interface SigmaEngineInput {
  readonly mapping: Mapping;
  readonly view: ReadView;
  /** True: the stored target rows are part of the result (sigma_delta); false: a full Σ. */
  readonly incremental: boolean;
  /** Per source entity, the first row id to apply (0 for a full Σ). */
  readonly sourceFrom: ReadonlyMap<string, number>;
  /** Per source entity, its map table (sigma_delta). */
  readonly mapTables: ReadonlyMap<string, string>;
  readonly resolutions: ReadonlyMap<string, LabelResolution>;
  readonly rowsMax: number | undefined;
  readonly deadline: number | undefined;
}

/** An attribute column of new rows as codes into source columns' store dictionaries. */
export interface CodedColumn {
  readonly codes: Uint32Array;
  readonly dictionaryOf: Uint8Array;
  readonly dictionaries: readonly (readonly string[])[];
}

/** The writes into one target table. */
export interface TargetWrite {
  readonly entity: string;
  /** The row id the first appended row gets (the table's row count before). */
  readonly appendBase: number;
  readonly appendCount: number;
  readonly columns: Record<string, InputValue[] | Uint32Array>;
  /**
   * Attribute columns whose every string also has its code in a source column's store
   * dictionary: per row the code and the dictionary's number (1 .., 0 for a NULL or labelled
   * null) in `dictionaries`. The store appends those without interning the strings again.
   */
  readonly coded: Record<string, CodedColumn>;
  /** Stored rows merged into others (sigma_delta). */
  readonly deleteRows: number[];
  readonly foreignKeyUpdates: { column: string; rows: number[]; values: number[] }[];
  readonly labelUpdates: { column: string; rows: number[]; value: InputValue }[];
  readonly stats: EntityStats;
}

export interface SigmaEngineResult {
  readonly targets: TargetWrite[];
  /** Per source entity: the result row of each applied row id from `from` on (−1: deleted). */
  readonly sourceTargets: Map<string, { from: number; targets: Int32Array }>;
  /** Map-table rows to redirect (their result row merged into another). */
  readonly mapUpdates: { table: string; rows: number[]; values: number[] }[];
  /** Every label resolution of the mapping after this step. */
  readonly resolutions: Map<string, LabelResolution>;
  readonly rowsApplied: Record<string, number>;
  /** True when a stored row was deleted or updated (else the target only grew). */
  readonly changedOld: boolean;
}

export function runSigmaEngine(input: SigmaEngineInput): SigmaEngineResult {
  const { mapping, view } = input;
  const target = mapping.target;
  const shape = chaseShape(mapping);
  if (shape === undefined) throw new NeedFullSigma('the mapping needs the term saturation');
  const what = `sigma ${mapping.name}`;
  const tick = (): void => checkDeadline(input.deadline, what);

  // Stored target rows: nodes 0 .. oldCount − 1, entity by entity.
  // Rows below a table's first active row (a full Σ deletes every row before it appends) get no
  // node: node = entityBase + rowId for rowId ≥ entityLow.
  const entityBase = new Int32Array(target.entities.length);
  const entityLow = new Int32Array(target.entities.length);
  const appendBase = new Int32Array(target.entities.length);
  const targetTables: (TableView | undefined)[] = [];
  let oldCount = 0;
  let oldActive = 0;
  for (const entity of target.entities) {
    const table = view.hasTable(entity.name) ? view.table(entity.name) : undefined;
    targetTables.push(table);
    appendBase[entity.index] = table?.rowCount ?? 0;
    const low = input.incremental && table !== undefined ? firstActiveRow(table) : 0;
    entityLow[entity.index] = low;
    entityBase[entity.index] = oldCount - low;
    if (input.incremental && table !== undefined) {
      oldCount += table.rowCount - low;
      oldActive += table.activeRowCount;
    }
  }

  // Source rows to apply.
  let newRows = 0;
  let sourceActive = 0;
  requireTables(view, mapping.source);
  const ranges = mapping.source.entities.map((entity) => {
    const table = view.table(entity.name);
    const from = input.sourceFrom.get(entity.name) ?? 0;
    const active = activeRowsIn(table, from, table.rowCount);
    newRows += active.length;
    sourceActive += table.activeRowCount;
    return { entity: entity.name, table, from, active };
  });
  const rowsMax =
    input.rowsMax ??
    Math.min(limits.sigmaRowsMax, Math.max(limits.instanceRowsMax, 8 * sourceActive));
  const loader = input.incremental ? storedRowLoader(target, targetTables, entityBase) : undefined;
  const closure = new RowClosure(mapping, rowsMax, oldCount, oldCount + 2 * newRows + 16, loader);
  closure.live = oldActive;
  for (const entity of target.entities) {
    const table = targetTables[entity.index];
    if (!input.incremental || table === undefined) continue;
    const low = entityLow[entity.index] as number;
    closure.setOldEntity(
      (entityBase[entity.index] as number) + low,
      table.rowCount - low,
      entity.index,
    );
  }

  const sources: SourcePart[] = [];
  try {
    for (const range of ranges) {
      const targetEntity = target.entity(mapping.entity(range.entity))?.index as number;
      const nodes = new Int32Array(range.table.rowCount - range.from).fill(NONE);
      const firstNode = closure.size;
      for (const rowId of range.active) {
        nodes[rowId - range.from] = closure.addNode(targetEntity, NONE, NONE);
      }
      const mapTable = input.mapTables.get(range.entity);
      sources.push({
        entity: range.entity,
        table: range.table,
        from: range.from,
        to: range.table.rowCount,
        targetEntity,
        nodes,
        firstNode,
        active: range.active.length,
        activeRows: range.active,
        map: mapTable === undefined ? undefined : view.table(mapTable).column('target'),
      });
    }
  } catch (error) {
    if (error instanceof InfiniteChase)
      throw infiniteChaseError(error, closure, `sigma ${mapping.name}`, mapping.location);
    throw error;
  }
  const sourceIndex = new Map(sources.map((source, index) => [source.entity, index]));
  const nodeOfSource = (source: SourcePart, rowId: number): number => {
    const entity = source.entity;
    if (rowId >= source.from) {
      const node = source.nodes[rowId - source.from] ?? NONE;
      if (node === NONE) {
        throw new FunctorError('E_FUNCTOR_MISMATCH', `row ${rowId} of \`${entity}\` is deleted`);
      }
      return node;
    }
    const mapped = source.map === undefined ? null : source.map.value(rowId);
    const result = targetTables[source.targetEntity];
    if (typeof mapped !== 'number' || result === undefined || !result.isActive(mapped)) {
      throw new NeedFullSigma(`row ${rowId} of ${entity} has no result row in the checkpoint`);
    }
    return (entityBase[source.targetEntity] as number) + mapped;
  };

  // Entity side: the foreign keys of the new rows, then the chase.
  try {
    for (const source of sources) {
      for (const fk of mapping.source.foreignKeysOf(source.entity)) {
        tick();
        const path = mapping
          .foreignKeyPath(source.entity, fk.name)
          .foreignKeys.map((step) => step.index);
        const column = source.table.column(fk.name);
        const last = path.at(-1);
        const targetSource = sources[sourceIndex.get(fk.target) as number] as SourcePart;
        forEachNewRow(source, column, (rowId, value) => {
          if (typeof value !== 'number') {
            throw new FunctorError(
              'E_FUNCTOR_MISMATCH',
              `row ${rowId} of \`${source.entity}\` has no \`${fk.name}\` (NULL)`,
            );
          }
          const reached = nodeOfSource(targetSource, value);
          const node = source.nodes[rowId - source.from] as number;
          if (last === undefined) {
            closure.union(node, reached);
            return;
          }
          let current = node;
          for (let step = 0; step < path.length - 1; step++)
            current = closure.follow(current, path[step] as number);
          closure.set(current, last, reached);
        });
      }
    }
    closure.chase(oldCount, tick);
  } catch (error) {
    if (error instanceof InfiniteChase)
      throw infiniteChaseError(error, closure, `sigma ${mapping.name}`, mapping.location);
    throw error;
  }

  const names = new Namer(closure, mapping, sources, entityBase, oldCount);

  // Value side.
  const storedColumns = new Map<Attribute, ColumnView>();
  const cells = new CellValues(
    target,
    input.resolutions,
    oldCount,
    closure.size - oldCount,
    (attribute, node) => {
      const entity = closure.entityOf(node);
      const rowId = node - (entityBase[entity] as number);
      let column = storedColumns.get(attribute);
      if (column === undefined) {
        column = (targetTables[entity] as TableView).column(attribute.name);
        storedColumns.set(attribute, column);
      }
      return { label: column.label(rowId), value: column.valueUnchecked(rowId) };
    },
    (label) => {
      throw new NeedFullSigma(`the labelled null ${label} is named like a typeside constant`);
    },
  );
  const clashError = (equation: string, original: string, clash: [Value, Value]): CatalogError =>
    new CatalogError(
      'E_INSTANCE_CLASH',
      `${what}: equation \`${equation}\`${equation === original ? '' : ` (from \`${original}\`)`} ` +
        `forces two different constants to be equal: ${formatConstant(clash[0])} and ` +
        `${formatConstant(clash[1])}`,
      { location: mapping.location, details: { equation, values: clash.map(formatConstant) } },
    );
  // Stored rows merged into another: their cells join the kept row's.
  for (const dropped of closure.droppedOld) {
    const root = closure.find(dropped);
    const entity = target.entities[closure.entityOf(dropped)]?.name as string;
    for (const attribute of target.attributesOf(entity)) {
      const clash = cells.join(attribute, dropped, root);
      if (clash !== undefined) {
        const equation = `${names.of(dropped)}.${attribute.name} = ${names.of(root)}.${attribute.name}`;
        throw clashError(equation, equation, clash);
      }
    }
  }
  // New rows' attributes.
  for (const source of sources) {
    for (const attribute of mapping.source.attributesOf(source.entity)) {
      tick();
      const image = shape.get(`${source.entity}.${attribute.name}`) as AttributeImagePath;
      const column = source.table.column(attribute.name);
      const strings = column.dictionary;
      const dictionary = strings === undefined ? 0 : cells.dictionaryNumber(image.target, strings);
      forEachNewRow(source, column, (rowId, value, isNull, code) => {
        let node = closure.find(source.nodes[rowId - source.from] as number);
        for (const step of image.path) node = closure.find(closure.valueOf(node, step));
        const label = isNull ? column.label(rowId) : undefined;
        const clash =
          label === undefined
            ? cells.assign(image.target, node, value, code < 0 ? 0 : dictionary, code)
            : cells.assignSourceLabel(image.target, node, label);
        if (clash !== undefined) {
          const cell = label ?? formatConstant(value);
          throw clashError(
            `${names.of(node)}.${image.target.name} = ${cell}`,
            `${storedRowName(source.entity, rowId)}.${attribute.name} = ${cell}`,
            clash,
          );
        }
      });
    }
  }

  const writes = resultWrites({
    mapping,
    incremental: input.incremental,
    mapTables: input.mapTables,
    closure,
    cells,
    names,
    sources,
    layout: { entityBase, entityLow, appendBase, targetTables, oldCount },
    tick,
  });
  const resolutions = cells.nextResolutions(writes.changedLabels);
  return {
    targets: writes.targets,
    sourceTargets: writes.sourceTargets,
    mapUpdates: writes.mapUpdates,
    resolutions,
    rowsApplied: writes.rowsApplied,
    changedOld: writes.changedOld,
  };
}
