/**
 * The entity side of Σ's chase, in memory (sigma-chase.ts) and over stored rows (store/): a
 * union-find over row nodes of the target schema T with one congruent foreign-key array per
 * foreign key of T (node → node). The first `oldCount` nodes are rows already in the target
 * tables (for sigma_delta; none for a full Σ or the in-memory chase). Those rows satisfy T's path equations and have every
 * foreign key set, so the chase only visits the nodes added after them; a union keeps the lower
 * node, so a class with a stored row keeps that row, and a stored row merged into another is
 * recorded (`droppedOld`): its table row goes and references to it are redirected.
 *
 * The arrays hold node + 1, with 0 for "none" (a parent of 0: the node is a root), so that a
 * million stored rows cost zero-filled allocations and no initialising pass.
 */
import type { SourceLocation } from '../../common/index.js';
import {
  CatalogError,
  type ForeignKey,
  type Mapping,
  type SchemaPath,
} from '../../catalog/index.js';

export const NONE = -1;

/** Thrown when the live rows pass the limit: the result would be infinite. */
export class InfiniteChase extends Error {
  constructor(readonly node: number) {
    super('infinite chase');
  }
}

export class RowClosure {
  size = 0;
  /** Rows of the result so far: active stored rows plus added nodes, minus merges. */
  live = 0;
  /** Stored rows that merged into another row, in the order merged. */
  readonly droppedOld: number[] = [];
  #capacity: number;
  #parent: Int32Array;
  #entity: Int32Array;
  #argument: Int32Array;
  #foreignKey: Int32Array;
  #values: Int32Array[];
  readonly #pending: number[] = [];
  readonly #mapping: Mapping;
  readonly #foreignKeyTargets: Int32Array;
  readonly #foreignKeysOf: number[][];
  readonly #equations: { lhs: number[]; rhs: number[] }[][];
  /** Stored nodes whose foreign keys were read (they are read on first touch). */
  readonly #loaded: Uint8Array;
  readonly #load: (node: number, entity: number, values: readonly Int32Array[]) => void;

  constructor(
    mapping: Mapping,
    readonly rowsMax: number,
    readonly oldCount: number,
    capacity: number,
    /** Sets the foreign keys of stored node `node` in `values` (target node + 1; 0 for none). */
    load: (node: number, entity: number, values: readonly Int32Array[]) => void = () => undefined,
  ) {
    this.#mapping = mapping;
    const target = mapping.target;
    this.#capacity = Math.max(16, capacity, oldCount + 16);
    this.#parent = new Int32Array(this.#capacity);
    this.#entity = new Int32Array(this.#capacity);
    this.#argument = new Int32Array(this.#capacity);
    this.#foreignKey = new Int32Array(this.#capacity);
    this.#values = target.foreignKeys.map(() => new Int32Array(this.#capacity));
    this.#foreignKeyTargets = Int32Array.from(
      target.foreignKeys,
      (fk) => target.entity(fk.target)?.index ?? NONE,
    );
    this.#foreignKeysOf = target.entities.map((entity) =>
      target.foreignKeysOf(entity.name).map((fk) => fk.index),
    );
    const pathIndices = (path: SchemaPath): number[] => path.foreignKeys.map((fk) => fk.index);
    this.#equations = target.entities.map((entity) =>
      target
        .pathEquationsOf(entity.name)
        .map((equation) => ({ lhs: pathIndices(equation.lhs), rhs: pathIndices(equation.rhs) })),
    );
    this.#loaded = new Uint8Array(oldCount);
    this.#load = load;
    this.size = oldCount;
  }

  /** Declare the stored nodes `first .. first + count − 1` to be rows of `entity`. */
  setOldEntity(first: number, count: number, entity: number): void {
    this.#entity.fill(entity, first, first + count);
  }

  /** Read a stored node's foreign keys on its first use (a root's, before its arrays are). */
  #touch(root: number): void {
    if (root < this.oldCount && this.#loaded[root] === 0) {
      this.#loaded[root] = 1;
      this.#load(root, this.#entity[root] as number, this.#values);
    }
  }

  #grow(): void {
    const capacity = this.#capacity * 2;
    const grow = (array: Int32Array): Int32Array => {
      const next = new Int32Array(capacity);
      next.set(array);
      return next;
    };
    this.#parent = grow(this.#parent);
    this.#entity = grow(this.#entity);
    this.#argument = grow(this.#argument);
    this.#foreignKey = grow(this.#foreignKey);
    this.#values = this.#values.map(grow);
    this.#capacity = capacity;
  }

  addNode(entity: number, argument: number, foreignKey: number): number {
    if (this.size === this.#capacity) this.#grow();
    const node = this.size++;
    this.#parent[node] = 0;
    this.#entity[node] = entity;
    this.#argument[node] = argument + 1;
    this.#foreignKey[node] = foreignKey + 1;
    this.live++;
    if (this.live > this.rowsMax) throw new InfiniteChase(node);
    return node;
  }

  entityOf(node: number): number {
    return this.#entity[node] as number;
  }

  /** The node a created node was reached from (NONE for a source row or a stored row). */
  argumentOf(node: number): number {
    return (this.#argument[node] as number) - 1;
  }

  foreignKeyOf(node: number): number {
    return (this.#foreignKey[node] as number) - 1;
  }

  find(node: number): number {
    const parent = this.#parent;
    let root = node;
    while (parent[root] !== 0) root = (parent[root] as number) - 1;
    while (node !== root) {
      const next = (parent[node] as number) - 1;
      parent[node] = root + 1;
      node = next;
    }
    return root;
  }

  /** The node `foreignKey` leads to from `node`'s class (NONE when unset). */
  valueOf(node: number, foreignKey: number): number {
    const root = this.find(node);
    this.#touch(root);
    return ((this.#values[foreignKey] as Int32Array)[root] as number) - 1;
  }

  follow(node: number, foreignKey: number): number {
    const root = this.find(node);
    this.#touch(root);
    const value = (this.#values[foreignKey] as Int32Array)[root] as number;
    if (value !== 0) return this.find(value - 1);
    const created = this.addNode(this.#foreignKeyTargets[foreignKey] as number, root, foreignKey);
    // Read the array after addNode: growing replaces it.
    (this.#values[foreignKey] as Int32Array)[root] = created + 1;
    return created;
  }

  set(node: number, foreignKey: number, target: number): void {
    const root = this.find(node);
    this.#touch(root);
    const values = this.#values[foreignKey] as Int32Array;
    const value = values[root] as number;
    if (value === 0) values[root] = target + 1;
    else this.union(value - 1, target);
  }

  union(a: number, b: number): void {
    const pending = this.#pending;
    pending.push(a, b);
    while (pending.length > 0) {
      const y = this.find(pending.pop() as number);
      const x = this.find(pending.pop() as number);
      if (x === y) continue;
      this.#touch(x);
      this.#touch(y);
      const keep = x < y ? x : y;
      const drop = x < y ? y : x;
      this.#parent[drop] = keep + 1;
      this.live--;
      if (drop < this.oldCount) this.droppedOld.push(drop);
      for (const fk of this.#foreignKeysOf[this.#entity[keep] as number] as number[]) {
        const values = this.#values[fk] as Int32Array;
        const dropped = values[drop] as number;
        if (dropped === 0) continue;
        const kept = values[keep] as number;
        if (kept === 0) values[keep] = dropped;
        else pending.push(kept - 1, dropped - 1);
      }
    }
  }

  /**
   * Apply T's path equations and make every foreign key total on the nodes from `first` on
   * (stored rows already satisfy both), calling `tick` now and then (deadline checks).
   */
  chase(first: number, tick: () => void): void {
    for (let node = first; node < this.size; node++) {
      if ((node & 0xffff) === 0) tick();
      if (this.find(node) !== node) continue;
      const entity = this.#entity[node] as number;
      for (const equation of this.#equations[entity] ?? []) {
        let a = node;
        for (const fk of equation.lhs) a = this.follow(a, fk);
        let b = node;
        for (const fk of equation.rhs) b = this.follow(b, fk);
        this.union(a, b);
      }
      for (const fk of this.#foreignKeysOf[entity] as number[]) this.follow(node, fk);
    }
  }

  /** The foreign keys of the cycle the path that created `node` runs around. */
  cycleOf(node: number): ForeignKey[] {
    const foreignKeys = this.#mapping.target.foreignKeys;
    const path: ForeignKey[] = [];
    let current = node;
    while (
      current !== NONE &&
      this.argumentOf(current) !== NONE &&
      path.length <= 4 * foreignKeys.length + 4
    ) {
      path.push(foreignKeys[this.foreignKeyOf(current)] as ForeignKey);
      current = this.argumentOf(current);
    }
    path.reverse();
    for (let end = path.length - 1; end >= 0; end--) {
      const reached = (path[end] as ForeignKey).target;
      for (let start = end; start >= 0; start--) {
        if ((path[start] as ForeignKey).source === reached) return path.slice(start, end + 1);
      }
    }
    return path;
  }
}

/**
 * The error of a chase that passed its row limit, naming the foreign-key cycle that no
 * equation closes; `subject` says what was computed (`instance \`J\``, `sigma F`).
 */
export function infiniteChaseError(
  error: InfiniteChase,
  closure: RowClosure,
  subject: string,
  location: SourceLocation | undefined,
): CatalogError {
  const cycle = closure.cycleOf(error.node);
  const first = cycle[0];
  return new CatalogError(
    'E_INSTANCE_INFINITE',
    `${subject} has more than ${closure.rowsMax} rows: the foreign keys ` +
      `${cycle.map((fk) => `${fk.source}.${fk.name}`).join(' → ')}` +
      `${first === undefined ? '' : ` → ${first.source}`} form a cycle that no equation closes`,
    {
      location,
      hint: 'add an equation that closes the cycle (e.g. a path equation or `x.fk = y`)',
      details: { cycle: cycle.map((fk) => `${fk.source}.${fk.name}`), rows: closure.live },
    },
  );
}
