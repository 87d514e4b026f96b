/**
 * The value side of Σ's chase (in memory, sigma-chase.ts, and over stored rows, store/): a
 * growable union-find over value elements — value slots, labelled nulls (by term), cells of new
 * rows, constants read from stored cells — each class with at most one constant (compared with
 * `===` on engine values; SQL NULL counts as the constant null) and at most one name (the term
 * it prints as when it has no constant). A union keeps the lower element, and its name when it
 * has one.
 */
import type { Value } from '../../common/index.js';

export class ValueClasses {
  size = 0;
  #parent: Int32Array;
  #hasConstant: Uint8Array;
  readonly #constants: Value[] = [];
  readonly #names: (string | undefined)[] = [];

  /** `slots` unnamed elements to start with (elements 0 … slots − 1). */
  constructor(slots = 0) {
    const capacity = Math.max(64, slots);
    this.#parent = new Int32Array(capacity);
    this.#hasConstant = new Uint8Array(capacity);
    for (let element = 0; element < slots; element++) this.#parent[element] = element;
    this.size = slots;
  }

  add(name: string | undefined): number {
    if (this.size === this.#parent.length) {
      const parent = new Int32Array(this.size * 2);
      parent.set(this.#parent);
      this.#parent = parent;
      const hasConstant = new Uint8Array(this.size * 2);
      hasConstant.set(this.#hasConstant);
      this.#hasConstant = hasConstant;
    }
    const element = this.size++;
    this.#parent[element] = element;
    this.#names[element] = name;
    this.#constants[element] = null;
    return element;
  }

  find(element: number): number {
    const parent = this.#parent;
    let root = element;
    while (parent[root] !== root) root = parent[root] as number;
    while (parent[element] !== root) {
      const next = parent[element] as number;
      parent[element] = root;
      element = next;
    }
    return root;
  }

  hasConstant(root: number): boolean {
    return this.#hasConstant[root] === 1;
  }

  constantAt(root: number): Value {
    return this.#constants[root] ?? null;
  }

  nameAt(root: number): string | undefined {
    return this.#names[root];
  }

  setName(root: number, name: string): void {
    this.#names[root] = name;
  }

  /** Give an element's class a constant; the two constants when it already has another. */
  assign(element: number, value: Value): [Value, Value] | undefined {
    const root = this.find(element);
    if (this.#hasConstant[root] !== 1) {
      this.#hasConstant[root] = 1;
      this.#constants[root] = value;
      return undefined;
    }
    const existing = this.#constants[root] ?? null;
    return existing === value ? undefined : [existing, value];
  }

  union(a: number, b: number): [Value, Value] | undefined {
    const x = this.find(a);
    const y = this.find(b);
    if (x === y) return undefined;
    const keep = x < y ? x : y;
    const drop = x < y ? y : x;
    this.#parent[drop] = keep;
    if (this.#names[keep] === undefined) this.#names[keep] = this.#names[drop];
    if (this.#hasConstant[drop] !== 1) return undefined;
    const dropped = this.#constants[drop] ?? null;
    if (this.#hasConstant[keep] !== 1) {
      this.#hasConstant[keep] = 1;
      this.#constants[keep] = dropped;
      return undefined;
    }
    const kept = this.#constants[keep] ?? null;
    return kept === dropped ? undefined : [kept, dropped];
  }
}

/** A constant as messages about clashing values print it. */
export function formatConstant(value: Value): string {
  return value === null
    ? 'null'
    : typeof value === 'string'
      ? JSON.stringify(value)
      : String(value);
}
