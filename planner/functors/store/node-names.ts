/**
 * Names the Σ engine gives: rows (`Entity#rowId` for a source row, the term that reached a
 * created row, `Entity@rowId` for a stored result row in messages), constants in messages, and
 * the error of an infinite result naming the foreign-key cycle.
 */
import type { Value } from '../../../common/index.js';
import { CatalogError, type ForeignKey, type Mapping } from '../../../catalog/index.js';
import { storedRowName } from './read-instance.js';
import { NONE, type InfiniteChase, type RowClosure } from './row-closure.js';
import type { SourcePart } from './stored-rows.js';

/** Names of nodes for labels and messages: `Entity#rowId` for source rows, terms for created ones. */
export class Namer {
  readonly #memo = new Map<number, string>();

  constructor(
    private readonly closure: RowClosure,
    private readonly mapping: Mapping,
    private readonly sources: readonly SourcePart[],
    private readonly entityBase: Int32Array,
    private readonly oldCount: number,
  ) {}

  of(node: number): string {
    const known = this.#memo.get(node);
    if (known !== undefined) return known;
    const target = this.mapping.target;
    let name: string;
    if (node < this.oldCount) {
      const entity = this.closure.entityOf(node);
      name = `${target.entities[entity]?.name}@${node - (this.entityBase[entity] as number)}`;
    } else {
      const argument = this.closure.argumentOf(node);
      if (argument !== NONE) {
        const fk = target.foreignKeys[this.closure.foreignKeyOf(node)] as ForeignKey;
        name = `${this.of(argument)}.${fk.name}`;
      } else {
        name = this.sourceName(node);
      }
    }
    this.#memo.set(node, name);
    return name;
  }

  private sourceName(node: number): string {
    for (const source of this.sources) {
      if (node < source.firstNode || node >= source.firstNode + source.active) continue;
      return storedRowName(source.entity, source.activeRows[node - source.firstNode] as number);
    }
    return `node${node}`;
  }
}

export function formatConstant(value: Value): string {
  return value === null
    ? 'null'
    : typeof value === 'string'
      ? JSON.stringify(value)
      : String(value);
}

export function infiniteError(
  error: InfiniteChase,
  closure: RowClosure,
  mapping: Mapping,
): CatalogError {
  const cycle = closure.cycleOf(error.node);
  const first = cycle[0];
  return new CatalogError(
    'E_INSTANCE_INFINITE',
    `sigma ${mapping.name} has more than ${closure.rowsMax} rows: the foreign keys ` +
      `${cycle.map((fk) => `${fk.source}.${fk.name}`).join(' → ')}` +
      `${first === undefined ? '' : ` → ${first.source}`} form a cycle that no equation closes`,
    {
      location: mapping.location,
      hint: 'add an equation that closes the cycle (e.g. a path equation or `x.fk = y`)',
      details: { cycle: cycle.map((fk) => `${fk.source}.${fk.name}`), rows: closure.live },
    },
  );
}
