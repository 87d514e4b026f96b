/**
 * What a Σ step writes, once the chase is done: per target entity the new rows (roots among the
 * nodes the step added, in node order, appended after the table's last row id), the stored rows
 * merged into others (deleted) and the stored rows pointing at them (redirected), the stored
 * cells whose labelled null got a value or another label; Σ's unit for the applied source rows
 * and the map rows to redirect; the statistics of the lineage record.
 */
import { CatalogError, type Mapping } from '../../../catalog/index.js';
import { bitmapGet, type InputValue, type TableView } from '../../../store/index.js';
import type { CellValues } from './cell-values.js';
import type { Namer } from './node-names.js';
import { NONE, type RowClosure } from '../row-closure.js';
import type { CodedColumn, SigmaEngineResult, TargetWrite } from './sigma-engine.js';
import { BATCH_SHIFT, type SourcePart } from './stored-rows.js';

/** Where the stored result rows are among the nodes (see sigma-engine.ts). */
export interface StoredLayout {
  /** Per target entity: node = entityBase + rowId for a stored row. */
  readonly entityBase: Int32Array;
  /** Per target entity: its first active row (rows below have no node). */
  readonly entityLow: Int32Array;
  /** Per target entity: the row id its first appended row gets. */
  readonly appendBase: Int32Array;
  readonly targetTables: readonly (TableView | undefined)[];
  readonly oldCount: number;
}

export interface ChasedStep {
  readonly mapping: Mapping;
  readonly incremental: boolean;
  readonly mapTables: ReadonlyMap<string, string>;
  readonly closure: RowClosure;
  readonly cells: CellValues;
  readonly names: Namer;
  readonly sources: readonly SourcePart[];
  readonly layout: StoredLayout;
  readonly tick: () => void;
}

export interface ResultWrites {
  readonly targets: TargetWrite[];
  readonly sourceTargets: SigmaEngineResult['sourceTargets'];
  readonly mapUpdates: SigmaEngineResult['mapUpdates'];
  readonly rowsApplied: Record<string, number>;
  readonly changedOld: boolean;
  /** Stored labelled nulls (by term) that now hold a value or print as another label. */
  readonly changedLabels: Map<string, InputValue>;
}

export function resultWrites(step: ChasedStep): ResultWrites {
  const { mapping, closure, cells, names, sources, tick } = step;
  const { entityBase, entityLow, appendBase, targetTables, oldCount } = step.layout;
  const target = mapping.target;
  // The result's new rows: roots among the added nodes, per entity in node order.
  tick();
  // Per added node that is a root, the row id it gets in its table.
  const newRowIds = new Int32Array(closure.size - oldCount).fill(NONE);
  const newRoots: number[][] = target.entities.map(() => []);
  for (let node = oldCount; node < closure.size; node++) {
    if (closure.find(node) !== node) continue;
    const entity = closure.entityOf(node);
    const roots = newRoots[entity] as number[];
    newRowIds[node - oldCount] = (appendBase[entity] as number) + roots.length;
    roots.push(node);
  }
  const rowIdOf = (node: number): number => {
    const root = closure.find(node);
    return root >= oldCount
      ? (newRowIds[root - oldCount] as number)
      : root - (entityBase[closure.entityOf(root)] as number);
  };
  const dropped = new Uint8Array(oldCount);
  for (const node of closure.droppedOld) dropped[node] = 1;

  const cellName = (root: number, attribute: { readonly name: string }): string =>
    `${names.of(root)}.${attribute.name}`;
  const targets = target.entities.map((entity): TargetWrite => {
    tick();
    const roots = newRoots[entity.index] as number[];
    const columns: Record<string, InputValue[] | Uint32Array> = {};
    const coded: Record<string, CodedColumn> = {};
    let nulls = 0;
    for (const attribute of target.attributesOf(entity.name)) {
      const column = new Array<InputValue>(roots.length);
      // Codes while every string cell has one (and its entry is the cell's value).
      const dictionaries = cells.dictionariesOf(attribute);
      let codes = dictionaries.length > 0 ? new Uint32Array(roots.length) : undefined;
      const dictionaryOf = codes === undefined ? undefined : new Uint8Array(roots.length);
      for (let index = 0; index < roots.length; index++) {
        const root = roots[index] as number;
        const cell = cells.newRowCell(attribute, root, cellName);
        if (codes !== undefined && typeof cell === 'string') {
          const number = cells.newRowCode(attribute, root);
          const code = cells.newRowCodeAt(attribute, root);
          if (number === 0 || (dictionaries[number - 1] as readonly string[])[code] !== cell) {
            codes = undefined;
          } else {
            codes[index] = code;
            (dictionaryOf as Uint8Array)[index] = number;
          }
        } else if (codes !== undefined && cell !== null && typeof cell !== 'object') {
          codes = undefined;
        }
        if (cell !== null && typeof cell === 'object') {
          nulls++;
          if (attribute.notNull) {
            throw new CatalogError(
              'E_INSTANCE_NOT_NULL',
              `${entity.name} row \`${names.of(root)}\` has no value for the NOT NULL attribute ` +
                `\`${attribute.name}\` (it would be the labelled null ${cell.term})`,
              {
                location: mapping.location,
                details: { entity: entity.name, row: names.of(root), attribute: attribute.name },
              },
            );
          }
        }
        column[index] = cell;
      }
      columns[attribute.name] = column;
      if (codes !== undefined) {
        coded[attribute.name] = {
          codes,
          dictionaryOf: dictionaryOf as Uint8Array,
          dictionaries,
        };
      }
    }
    for (const fk of target.foreignKeysOf(entity.name)) {
      const rowIds = new Uint32Array(roots.length);
      for (let index = 0; index < roots.length; index++) {
        rowIds[index] = rowIdOf(closure.valueOf(roots[index] as number, fk.index));
      }
      columns[fk.name] = rowIds;
    }
    const deleteRows: number[] = [];
    const foreignKeyUpdates: TargetWrite['foreignKeyUpdates'] = [];
    const base = entityBase[entity.index] as number;
    const table = targetTables[entity.index];
    if (closure.droppedOld.length > 0 && table !== undefined && step.incremental) {
      for (const node of closure.droppedOld) {
        if (closure.entityOf(node) === entity.index) deleteRows.push(node - base);
      }
      for (const fk of target.foreignKeysOf(entity.name)) {
        const targetBase = entityBase[target.entity(fk.target)?.index as number] as number;
        const rows: number[] = [];
        const updated: number[] = [];
        const low = entityLow[entity.index] as number;
        for (const batch of table.scan([fk.name], { fromBatch: low >>> BATCH_SHIFT })) {
          tick();
          const vector = batch.columns[0];
          if (vector === undefined || vector.kind !== 'rowId') continue;
          for (let offset = 0; offset < batch.rowCount; offset++) {
            const node = targetBase + (vector.values[offset] as number);
            if (dropped[node] !== 1) continue;
            if (batch.deleted !== undefined && bitmapGet(batch.deleted, offset)) continue;
            const rowId = batch.startRow + offset;
            if (dropped[base + rowId] === 1) continue;
            rows.push(rowId);
            updated.push(rowIdOf(node));
          }
        }
        if (rows.length > 0) foreignKeyUpdates.push({ column: fk.name, rows, values: updated });
      }
    }
    let rowsIn = 0;
    let rootsIn = 0;
    for (const source of sources) {
      if (source.targetEntity !== entity.index) continue;
      rowsIn += source.active;
      for (let node = source.firstNode; node < source.firstNode + source.active; node++) {
        if (closure.find(node) === node) rootsIn++;
      }
    }
    const activeBefore = step.incremental ? (table?.activeRowCount ?? 0) : 0;
    return {
      entity: entity.name,
      appendBase: appendBase[entity.index] as number,
      appendCount: roots.length,
      columns,
      coded,
      deleteRows,
      foreignKeyUpdates,
      labelUpdates: [],
      stats: {
        rows_in: rowsIn,
        rows_out: activeBefore - deleteRows.length + roots.length,
        merged: rowsIn - rootsIn,
        nulls,
      },
    };
  });

  // Stored labelled nulls whose class now has a value or prints as another label.
  const changedLabels = cells.changedLabels();
  if (step.incremental && changedLabels.size > 0) {
    for (const entity of target.entities) {
      const table = targetTables[entity.index];
      if (table === undefined) continue;
      const write = targets[entity.index] as TargetWrite;
      const base = entityBase[entity.index] as number;
      for (const attribute of target.attributesOf(entity.name)) {
        const byLabel = new Map<string, number[]>();
        for (const [rowId, term] of table.column(attribute.name).labels()) {
          if (!changedLabels.has(term) || !table.isActive(rowId) || dropped[base + rowId] === 1)
            continue;
          let rows = byLabel.get(term);
          if (rows === undefined) byLabel.set(term, (rows = []));
          rows.push(rowId);
        }
        for (const [term, rows] of byLabel) {
          write.labelUpdates.push({
            column: attribute.name,
            rows,
            value: changedLabels.get(term) as InputValue,
          });
        }
      }
    }
  }

  // Σ's unit for the applied rows, and redirects of stored map rows.
  const sourceTargets: SigmaEngineResult['sourceTargets'] = new Map();
  const rowsApplied: Record<string, number> = {};
  for (const source of sources) {
    rowsApplied[source.entity] = source.active;
    const targets = new Int32Array(source.nodes.length);
    for (let index = 0; index < targets.length; index++) {
      const node = source.nodes[index] as number;
      targets[index] = node === NONE ? NONE : rowIdOf(node);
    }
    sourceTargets.set(source.entity, { from: source.from, targets });
  }
  const mapUpdates: SigmaEngineResult['mapUpdates'] = [];
  if (closure.droppedOld.length > 0) {
    for (const source of sources) {
      const table = step.mapTables.get(source.entity);
      if (table === undefined || source.map === undefined) continue;
      const base = entityBase[source.targetEntity] as number;
      const rows: number[] = [];
      const updated: number[] = [];
      for (let rowId = 0; rowId < source.from; rowId++) {
        const value = source.map.valueUnchecked(rowId);
        if (typeof value !== 'number' || dropped[base + value] !== 1) continue;
        rows.push(rowId);
        updated.push(rowIdOf(base + value));
      }
      if (rows.length > 0) mapUpdates.push({ table, rows, values: updated });
    }
  }

  const changedOld = targets.some(
    (write) =>
      write.deleteRows.length > 0 ||
      write.foreignKeyUpdates.length > 0 ||
      write.labelUpdates.length > 0,
  );
  return { targets, sourceTargets, mapUpdates, rowsApplied, changedOld, changedLabels };
}
