/**
 * The type side of saturation: which attribute values are equal, and which are known.
 *
 * Nodes are integers: the instance's labelled-null generators, one *slot* per (row, attribute),
 * constant nodes (hash-consed per sort and value) and function applications (hash-consed per
 * function and argument classes). A union-find over nodes with congruence over applications
 * (use lists and a signature table, the classic congruence closure) holds which terms are
 * equal. A class may carry one constant: a value of an interpreted sort, SQL NULL (`null`), or
 * an uninterpreted symbol (a typeside constant, by name). Two different constants forced into
 * one class are a clash, reported with the equations that set them.
 *
 * Applications of functions that have an implementation are folded as soon as all their
 * arguments are constants: the result becomes the application's constant (a function of SQL
 * NULL is NULL). The representative of a class is its oldest node, so a labelled null is named
 * after the first generator or slot of its class.
 */
import type { Scalar } from '../common/index.js';
import type { TypesideFunction } from './typeside.js';

const NONE = -1;

export interface TypeConstant {
  /** The value; null for SQL NULL. For a symbol, its name. */
  readonly value: Scalar | null;
  readonly symbol: boolean;
}

export interface TypeAlgebraHooks {
  /** Two different constants in one class: `equation` forced it, `other` set the first value. */
  clash(equation: number, first: TypeConstant, second: TypeConstant, other: number): void;
  /** A function could not be evaluated (division by zero, overflow…). */
  evaluationFailed(equation: number, fn: TypesideFunction, error: unknown): void;
}

export class TypeAlgebra {
  size = 0;
  #capacity: number;
  #parent: Int32Array;
  /** Equation index that set the class constant (at representatives). */
  #constantSource: Int32Array;
  readonly #constantValue: (Scalar | null | undefined)[] = [];
  readonly #constantSymbol: boolean[] = [];
  readonly #applyFunction = new Map<number, TypesideFunction>();
  readonly #applyArgs = new Map<number, Int32Array>();
  readonly #uses = new Map<number, number[]>();
  readonly #signatures = new Map<string, number>();
  readonly #functionIds = new Map<TypesideFunction, number>();
  readonly #constantNodes = new Map<string, number>();
  readonly #pending: number[] = [];
  readonly #folds: number[] = [];
  readonly #hooks: TypeAlgebraHooks;

  constructor(hooks: TypeAlgebraHooks, capacityHint = 1024) {
    this.#hooks = hooks;
    this.#capacity = Math.max(16, capacityHint);
    this.#parent = new Int32Array(this.#capacity);
    this.#constantSource = new Int32Array(this.#capacity).fill(NONE);
  }

  /** Add `count` plain nodes (generators or slots); returns the first one's id. */
  addNodes(count: number): number {
    const first = this.size;
    while (this.size + count > this.#capacity) this.#grow();
    for (let node = first; node < first + count; node++) this.#parent[node] = node;
    this.size += count;
    return first;
  }

  #grow(): void {
    const capacity = this.#capacity * 2;
    const parent = new Int32Array(capacity);
    parent.set(this.#parent);
    const source = new Int32Array(capacity).fill(NONE);
    source.set(this.#constantSource);
    this.#parent = parent;
    this.#constantSource = source;
    this.#capacity = capacity;
  }

  find(node: number): number {
    const parent = this.#parent;
    let root = node;
    while (parent[root] !== root) root = parent[root] as number;
    let current = node;
    while (parent[current] !== root) {
      const next = parent[current] as number;
      parent[current] = root;
      current = next;
    }
    return root;
  }

  /** The constant of a node's class, if any. */
  constantOf(node: number): TypeConstant | undefined {
    const root = this.find(node);
    const value = this.#constantValue[root];
    return value === undefined ? undefined : { value, symbol: this.#constantSymbol[root] === true };
  }

  /** A node holding a constant (one per sort and value). */
  constantNode(sort: string, constant: TypeConstant, equation: number): number {
    const key = `${constant.symbol ? 's' : 'v'}${typeof constant.value}\u0000${sort}\u0000${String(constant.value)}`;
    const known = this.#constantNodes.get(key);
    if (known !== undefined) return known;
    const node = this.addNodes(1);
    this.#constantNodes.set(key, node);
    this.assign(node, constant, equation);
    return node;
  }

  /** A node for `fn(args)` (hash-consed on argument classes), folded when it can be. */
  applyNode(fn: TypesideFunction, args: readonly number[], equation: number): number {
    const roots = Int32Array.from(args, (arg) => this.find(arg));
    const key = this.#signature(fn, roots);
    const known = this.#signatures.get(key);
    if (known !== undefined) return known;
    const node = this.addNodes(1);
    this.#applyFunction.set(node, fn);
    this.#applyArgs.set(node, Int32Array.from(args));
    this.#signatures.set(key, node);
    for (const root of new Set(roots)) {
      const uses = this.#uses.get(root);
      if (uses) uses.push(node);
      else this.#uses.set(root, [node]);
    }
    this.#folds.push(node);
    this.#drainFolds(equation);
    return node;
  }

  #signature(fn: TypesideFunction, roots: Int32Array): string {
    let id = this.#functionIds.get(fn);
    if (id === undefined) {
      id = this.#functionIds.size;
      this.#functionIds.set(fn, id);
    }
    return `${id}(${roots.join(',')})`;
  }

  /** Give a node's class a constant (a clash if it holds a different one). */
  assign(node: number, constant: TypeConstant, equation: number): void {
    const root = this.find(node);
    const current = this.#constantValue[root];
    if (current === undefined) {
      this.#constantValue[root] = constant.value;
      this.#constantSymbol[root] = constant.symbol;
      this.#constantSource[root] = equation;
      const uses = this.#uses.get(root);
      if (uses) {
        this.#folds.push(...uses);
        this.#drainFolds(equation);
      }
      return;
    }
    if (current !== constant.value || this.#constantSymbol[root] !== constant.symbol) {
      this.#hooks.clash(
        equation,
        { value: current, symbol: this.#constantSymbol[root] === true },
        constant,
        this.#constantSource[root] as number,
      );
    }
  }

  /** Merge two classes, and everything congruence and folding then force. */
  union(a: number, b: number, equation: number): void {
    const pending = this.#pending;
    pending.push(a, b);
    while (pending.length > 0) {
      const y = this.find(pending.pop() as number);
      const x = this.find(pending.pop() as number);
      if (x === y) continue;
      const keep = x < y ? x : y;
      const drop = x < y ? y : x;
      this.#parent[drop] = keep;
      const droppedValue = this.#constantValue[drop];
      if (droppedValue !== undefined) {
        this.#constantValue[drop] = undefined;
        const constant = { value: droppedValue, symbol: this.#constantSymbol[drop] === true };
        const keptValue = this.#constantValue[keep];
        if (keptValue === undefined) {
          this.#constantValue[keep] = droppedValue;
          this.#constantSymbol[keep] = constant.symbol;
          this.#constantSource[keep] = this.#constantSource[drop] as number;
          this.#folds.push(...(this.#uses.get(keep) ?? []));
        } else if (keptValue !== droppedValue || this.#constantSymbol[keep] !== constant.symbol) {
          this.#hooks.clash(
            equation,
            { value: keptValue, symbol: this.#constantSymbol[keep] === true },
            constant,
            this.#constantSource[keep] as number,
          );
        }
      } else if (this.#constantValue[keep] !== undefined) {
        this.#folds.push(...(this.#uses.get(drop) ?? []));
      }
      const droppedUses = this.#uses.get(drop);
      if (droppedUses !== undefined) {
        this.#uses.delete(drop);
        const keptUses = this.#uses.get(keep);
        if (keptUses) keptUses.push(...droppedUses);
        else this.#uses.set(keep, droppedUses);
        for (const application of droppedUses) {
          const fn = this.#applyFunction.get(application) as TypesideFunction;
          const args = this.#applyArgs.get(application) as Int32Array;
          const key = this.#signature(
            fn,
            args.map((arg) => this.find(arg)),
          );
          const other = this.#signatures.get(key);
          if (other === undefined) this.#signatures.set(key, application);
          else if (this.find(other) !== this.find(application)) pending.push(other, application);
        }
      }
    }
    this.#drainFolds(equation);
  }

  #drainFolds(equation: number): void {
    while (this.#folds.length > 0) {
      const application = this.#folds.pop() as number;
      const fn = this.#applyFunction.get(application);
      const args = this.#applyArgs.get(application);
      if (fn === undefined || args === undefined) continue;
      const implementation = fn.implementation;
      const evaluate =
        implementation.kind === 'builtin'
          ? implementation.evaluate
          : implementation.kind === 'external'
            ? implementation.evaluate
            : undefined;
      if (evaluate === undefined) continue;
      const values: Scalar[] = [];
      let isNull = false;
      let known = true;
      for (const arg of args) {
        const root = this.find(arg);
        const value = this.#constantValue[root];
        if (value === undefined || this.#constantSymbol[root] === true) {
          known = false;
          break;
        }
        if (value === null) isNull = true;
        else values.push(value);
      }
      if (!known) continue;
      let result: Scalar | null;
      if (isNull) {
        result = null;
      } else {
        try {
          result = evaluate(values);
        } catch (error) {
          this.#hooks.evaluationFailed(equation, fn, error);
          continue;
        }
      }
      this.assign(application, { value: result, symbol: false }, equation);
    }
  }

  /** Application nodes of a function (for typeside-equation matching). */
  applicationsOf(fn: TypesideFunction): number[] {
    const nodes: number[] = [];
    for (const [node, candidate] of this.#applyFunction) if (candidate === fn) nodes.push(node);
    return nodes;
  }

  /** The function and argument nodes of an application node. */
  application(node: number): { fn: TypesideFunction; args: Int32Array } | undefined {
    const fn = this.#applyFunction.get(node);
    const args = this.#applyArgs.get(node);
    return fn === undefined || args === undefined ? undefined : { fn, args };
  }

  /** Every application node, in creation order. */
  applicationNodes(): IterableIterator<number> {
    return this.#applyFunction.keys();
  }

  /** The application nodes whose class is `root`'s (for matching). */
  applicationsIn(root: number): number[] {
    const nodes: number[] = [];
    for (const node of this.#applyFunction.keys()) if (this.find(node) === root) nodes.push(node);
    return nodes;
  }
}
