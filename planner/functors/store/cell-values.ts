/**
 * The value side of the Σ engine: which attribute cells of the result are equal, and to what.
 * Elements of a union-find (value-classes.ts) stand for labelled nulls (by term: a stored
 * cell's label and a source row's label name the same unknown), for the cells of new rows, and
 * for the constants of stored cells; two different constants in one class are a clash.
 *
 * A source labelled null that the checkpoint's resolutions say became another label or a value
 * is that label or value. A new row's cell given one constant and nothing else — the common
 * case — keeps it directly, without an element.
 *
 * A direct string constant read from a source column also keeps its code in that column's
 * store dictionary, so that the result is appended as codes the store translates once per
 * dictionary entry instead of as strings it interns again (see `newRowCode`).
 */
import type { Value } from '../../../common/index.js';
import type { Attribute, Schema } from '../../../catalog/index.js';
import { labelledNull, type InputValue } from '../../../store/index.js';
import { NONE } from '../row-closure.js';
import type { LabelResolution } from './sigma-engine.js';
import { ValueClasses } from '../value-classes.js';

/** A new row's cell holding one constant directly. */
const DIRECT = -2;

/** What a stored result cell holds. */
export interface StoredCell {
  readonly label: string | undefined;
  readonly value: Value;
}

export class CellValues {
  readonly #values = new ValueClasses();
  readonly #labels = new Map<string, number>();
  readonly #sourceLabels = new Map<string, number>();
  /** Stored rows' cells, per target attribute: node → element. */
  readonly #stored: Map<number, number>[];
  /** New rows' cells, per target attribute: node − oldCount → element, NONE or DIRECT. */
  readonly #fresh: Int32Array[];
  readonly #direct: Value[][];
  /** Per target attribute: the store dictionaries direct cells' codes index (at most 255). */
  readonly #dictionaries: (readonly string[])[][];
  /** Per target attribute: per new row, the code's dictionary (index + 1, 0: no code). */
  readonly #codeDictionary: (Uint8Array | undefined)[];
  /** Per target attribute: per new row, the code of its direct constant. */
  readonly #codes: (Uint32Array | undefined)[];
  readonly #newCount: number;

  constructor(
    private readonly target: Schema,
    private readonly resolutions: ReadonlyMap<string, LabelResolution>,
    private readonly oldCount: number,
    newCount: number,
    private readonly storedCell: (attribute: Attribute, node: number) => StoredCell,
    /** Called for a source label named like a typeside constant (Σ must saturate then). */
    private readonly constantLabel: (label: string) => never,
  ) {
    this.#stored = target.attributes.map(() => new Map<number, number>());
    this.#fresh = target.attributes.map(() => new Int32Array(newCount).fill(NONE));
    this.#direct = target.attributes.map(() => new Array<Value>(newCount));
    this.#dictionaries = target.attributes.map(() => []);
    this.#codeDictionary = target.attributes.map(() => undefined);
    this.#codes = target.attributes.map(() => undefined);
    this.#newCount = newCount;
  }

  /**
   * The number (1 ..) under which direct cells of `attribute` give codes of the store
   * dictionary `dictionary` to `assign`; 0 when the attribute has too many dictionaries.
   */
  dictionaryNumber(attribute: Attribute, dictionary: readonly string[]): number {
    const list = this.#dictionaries[attribute.index] as (readonly string[])[];
    const index = list.indexOf(dictionary);
    if (index >= 0) return index + 1;
    if (list.length >= 255) return 0;
    list.push(dictionary);
    if (this.#codes[attribute.index] === undefined) {
      this.#codes[attribute.index] = new Uint32Array(this.#newCount);
      this.#codeDictionary[attribute.index] = new Uint8Array(this.#newCount);
    }
    return list.length;
  }

  /** The store dictionaries that `newRowCode` numbers for `attribute` (empty: no codes). */
  dictionariesOf(attribute: Attribute): readonly (readonly string[])[] {
    return this.#dictionaries[attribute.index] as (readonly string[])[];
  }

  /**
   * The dictionary number of a new row's cell whose constant came with a code (0 when none);
   * the code is then `newRowCodeAt`. The caller compares the entry with the cell's value.
   */
  newRowCode(attribute: Attribute, root: number): number {
    const numbers = this.#codeDictionary[attribute.index];
    return numbers === undefined ? 0 : (numbers[root - this.oldCount] as number);
  }

  newRowCodeAt(attribute: Attribute, root: number): number {
    return (this.#codes[attribute.index] as Uint32Array)[root - this.oldCount] as number;
  }

  /** The element of a labelled null of the result (stored, or created by this step). */
  labelElement(label: string): number {
    let element = this.#labels.get(label);
    if (element === undefined) {
      element = this.#values.add(label);
      this.#labels.set(label, element);
    }
    return element;
  }

  /** The element of a source row's labelled null, through the checkpoint's resolutions. */
  sourceLabelElement(label: string): number {
    let element = this.#sourceLabels.get(label);
    if (element !== undefined) return element;
    if (this.target.typeside.constant(label) !== undefined) this.constantLabel(label);
    const resolution = this.resolutions.get(label);
    if (resolution === undefined) element = this.labelElement(label);
    else if (resolution.kind === 'label') element = this.labelElement(resolution.label);
    else {
      element = this.#values.add(undefined);
      this.#values.assign(element, resolution.value);
    }
    this.#sourceLabels.set(label, element);
    return element;
  }

  /** The element of the cell (attribute, node), made on first use. */
  cellElement(attribute: Attribute, node: number): number {
    if (node >= this.oldCount) {
      const fresh = this.#fresh[attribute.index] as Int32Array;
      const slot = node - this.oldCount;
      let element = fresh[slot] as number;
      if (element === NONE || element === DIRECT) {
        const constant = element === DIRECT;
        element = this.#values.add(undefined);
        if (constant) {
          this.#values.assign(element, (this.#direct[attribute.index] as Value[])[slot] ?? null);
        }
        fresh[slot] = element;
      }
      return element;
    }
    const stored = this.#stored[attribute.index] as Map<number, number>;
    let element = stored.get(node);
    if (element !== undefined) return element;
    const cell = this.storedCell(attribute, node);
    if (cell.label !== undefined) element = this.labelElement(cell.label);
    else {
      element = this.#values.add(undefined);
      this.#values.assign(element, cell.value);
    }
    stored.set(node, element);
    return element;
  }

  /**
   * The cell (attribute, root) is `value`; the two constants on a clash. `dictionary` (from
   * `dictionaryNumber`, 0: none) and `code` say where a string came from in a store dictionary.
   */
  assign(
    attribute: Attribute,
    root: number,
    value: Value,
    dictionary = 0,
    code = 0,
  ): [Value, Value] | undefined {
    const slot = root - this.oldCount;
    if (slot >= 0) {
      const fresh = this.#fresh[attribute.index] as Int32Array;
      const direct = this.#direct[attribute.index] as Value[];
      if (fresh[slot] === NONE) {
        fresh[slot] = DIRECT;
        direct[slot] = value;
        if (dictionary !== 0) {
          (this.#codeDictionary[attribute.index] as Uint8Array)[slot] = dictionary;
          (this.#codes[attribute.index] as Uint32Array)[slot] = code;
        }
        return undefined;
      }
      if (fresh[slot] === DIRECT) {
        const known = direct[slot] ?? null;
        return known === value ? undefined : [known, value];
      }
    }
    return this.#values.assign(this.cellElement(attribute, root), value);
  }

  /** The cell (attribute, root) is the source labelled null `label`. */
  assignSourceLabel(attribute: Attribute, root: number, label: string): [Value, Value] | undefined {
    return this.#values.union(this.cellElement(attribute, root), this.sourceLabelElement(label));
  }

  /** Two cells are equal (a stored row merged into another). */
  join(attribute: Attribute, a: number, b: number): [Value, Value] | undefined {
    return this.#values.union(this.cellElement(attribute, a), this.cellElement(attribute, b));
  }

  /** The value of a new row's cell: a constant, or a labelled null (named by `name` if new). */
  newRowCell(
    attribute: Attribute,
    root: number,
    name: (root: number, attribute: Attribute) => string,
  ): InputValue {
    const slot = root - this.oldCount;
    const element = (this.#fresh[attribute.index] as Int32Array)[slot] as number;
    if (element === DIRECT) return (this.#direct[attribute.index] as Value[])[slot] ?? null;
    if (element === NONE) return labelledNull(name(root, attribute));
    const found = this.#values.find(element);
    if (this.#values.hasConstant(found)) return this.#values.constantAt(found);
    let label = this.#values.nameAt(found);
    if (label === undefined) {
      label = name(root, attribute);
      this.#values.setName(found, label);
    }
    return labelledNull(label);
  }

  /** Labelled nulls (as terms) whose class now has a value or prints as another label. */
  changedLabels(): Map<string, InputValue> {
    const changed = new Map<string, InputValue>();
    for (const [label, element] of this.#labels) {
      const root = this.#values.find(element);
      if (this.#values.hasConstant(root)) changed.set(label, this.#values.constantAt(root));
      else if (this.#values.nameAt(root) !== label) {
        changed.set(label, labelledNull(this.#values.nameAt(root) as string));
      }
    }
    return changed;
  }

  /**
   * The checkpoint's resolutions after this step: the earlier ones brought up to date, one per
   * source label this step met and per changed label, none for a label that is itself.
   */
  nextResolutions(changed: ReadonlyMap<string, InputValue>): Map<string, LabelResolution> {
    const resolve = (element: number): LabelResolution => {
      const root = this.#values.find(element);
      return this.#values.hasConstant(root)
        ? { kind: 'value', value: this.#values.constantAt(root) }
        : { kind: 'label', label: this.#values.nameAt(root) as string };
    };
    const result = new Map<string, LabelResolution>();
    for (const [label, resolution] of this.resolutions) {
      const element = resolution.kind === 'label' ? this.#labels.get(resolution.label) : undefined;
      result.set(label, element === undefined ? resolution : resolve(element));
    }
    for (const [label, element] of this.#sourceLabels) result.set(label, resolve(element));
    for (const label of changed.keys()) {
      result.set(label, resolve(this.#labels.get(label) as number));
    }
    for (const [label, resolution] of result) {
      if (resolution.kind === 'label' && resolution.label === label) result.delete(label);
    }
    return result;
  }
}
