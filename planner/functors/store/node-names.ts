/**
 * Names the Σ engine gives: rows (`Entity#rowId` for a source row, the term that reached a
 * created row, `Entity@rowId` for a stored result row in messages).
 */
import type { ForeignKey, Mapping } from '../../../catalog/index.js';
import { storedRowName } from './read-instance.js';
import { NONE, type RowClosure } from '../row-closure.js';
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
