/**
 * The entity side of saturation: the term model of an instance's rows.
 *
 * Nodes are integers: one per generator, and one per foreign-key application the chase had to
 * create. A union-find over nodes holds which terms denote the same row; each class keeps, for
 * every foreign key of its entity, the node its value is (at the class representative).
 * Merging two classes merges their foreign-key values pairwise (congruence: x = y implies
 * f(x) = f(y)), which for unary symbols is all congruence closure needs.
 *
 * The chase visits nodes in creation order (breadth first, so every node is visited: the
 * chase is fair) and for each live class applies the path equations of its entity (evaluating
 * both paths, creating nodes where a foreign key has no value yet, and merging the ends), then
 * makes every foreign key total by creating a fresh node `x.fk` where none is set. When the
 * model is finite this reaches it; when it is not, the live row count passes `rowsMax` and
 * saturation stops with the foreign-key cycle it was growing along.
 *
 * The representative of a class is its oldest node, so a row is named by its generator when it
 * has one, and generators keep their declaration order.
 */
import { assert } from '../common/index.js';
import type { ForeignKey, Schema } from './schema.js';

const NONE = -1;

/** Raised when the live row count passes the limit; carries the cycle grown along. */
export class InfiniteModel extends Error {
  constructor(
    readonly cycle: readonly ForeignKey[],
    readonly rows: number,
  ) {
    super('saturation passed the row limit');
    this.name = 'InfiniteModel';
  }
}

export class EntityClosure {
  readonly schema: Schema;
  readonly rowsMax: number;
  /** Node count (every node ever created, live or merged). */
  size = 0;
  /** Classes (live rows). */
  live = 0;
  #capacity: number;
  #entityOf: Int32Array;
  #parent: Int32Array;
  /** How a node was created: the node it applied a foreign key to (NONE for a generator). */
  #termArgument: Int32Array;
  #termForeignKey: Int32Array;
  /** Foreign key index → node its value is, per class representative (NONE if not set). */
  #fkValues: Int32Array[];
  readonly #foreignKeysOf: Int32Array[];
  readonly #generatorNames: string[] = [];
  readonly #pending: number[] = [];

  constructor(schema: Schema, rowsMax: number, capacityHint = 1024) {
    this.schema = schema;
    this.rowsMax = rowsMax;
    this.#capacity = Math.max(16, capacityHint);
    this.#entityOf = new Int32Array(this.#capacity);
    this.#parent = new Int32Array(this.#capacity);
    this.#termArgument = new Int32Array(this.#capacity);
    this.#termForeignKey = new Int32Array(this.#capacity);
    this.#fkValues = schema.foreignKeys.map(() => new Int32Array(this.#capacity).fill(NONE));
    this.#foreignKeysOf = schema.entities.map((entity) =>
      Int32Array.from(schema.foreignKeysOf(entity.name).map((fk) => fk.index)),
    );
  }

  #grow(): void {
    const capacity = this.#capacity * 2;
    const grow = (array: Int32Array, fill?: number): Int32Array => {
      const next = new Int32Array(capacity);
      if (fill !== undefined) next.fill(fill, array.length);
      next.set(array);
      return next;
    };
    this.#entityOf = grow(this.#entityOf);
    this.#parent = grow(this.#parent);
    this.#termArgument = grow(this.#termArgument);
    this.#termForeignKey = grow(this.#termForeignKey);
    this.#fkValues = this.#fkValues.map((values) => grow(values, NONE));
    this.#capacity = capacity;
  }

  #addNode(entityIndex: number, argument: number, foreignKey: number): number {
    if (this.size === this.#capacity) this.#grow();
    const node = this.size++;
    this.#entityOf[node] = entityIndex;
    this.#parent[node] = node;
    this.#termArgument[node] = argument;
    this.#termForeignKey[node] = foreignKey;
    this.live++;
    if (this.live > this.rowsMax) throw new InfiniteModel(this.#cycleOf(node), this.live);
    return node;
  }

  /** A node for a generator; generators must be added before any other node. */
  addGenerator(name: string, entityIndex: number): number {
    assert(this.size === this.#generatorNames.length, 'generators come first');
    this.#generatorNames.push(name);
    return this.#addNode(entityIndex, NONE, NONE);
  }

  get generatorCount(): number {
    return this.#generatorNames.length;
  }

  entityOf(node: number): number {
    return this.#entityOf[node] ?? NONE;
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

  /** Merge the classes of two nodes of one entity, and everything congruence then forces. */
  union(a: number, b: number): void {
    const pending = this.#pending;
    pending.push(a, b);
    while (pending.length > 0) {
      const y = this.find(pending.pop() as number);
      const x = this.find(pending.pop() as number);
      if (x === y) continue;
      const keep = x < y ? x : y;
      const drop = x < y ? y : x;
      this.#parent[drop] = keep;
      this.live--;
      const foreignKeys = this.#foreignKeysOf[this.#entityOf[keep] as number] as Int32Array;
      for (let k = 0; k < foreignKeys.length; k++) {
        const values = this.#fkValues[foreignKeys[k] as number] as Int32Array;
        const dropped = values[drop] as number;
        if (dropped === NONE) continue;
        const kept = values[keep] as number;
        if (kept === NONE) values[keep] = dropped;
        else pending.push(kept, dropped);
      }
    }
  }

  /** The node a foreign key leads to from `node`'s class, or NONE when not set yet. */
  peek(node: number, foreignKey: number): number {
    const value = (this.#fkValues[foreignKey] as Int32Array)[this.find(node)] as number;
    return value === NONE ? NONE : this.find(value);
  }

  /** The class a foreign key leads to from `node`, creating a fresh node `node.fk` if unset. */
  follow(node: number, foreignKey: number): number {
    const root = this.find(node);
    const values = this.#fkValues[foreignKey] as Int32Array;
    const value = values[root] as number;
    if (value !== NONE) return this.find(value);
    const fk = this.schema.foreignKeys[foreignKey] as ForeignKey;
    const target = this.schema.entity(fk.target);
    assert(target !== undefined, 'foreign key target exists');
    const created = this.#addNode(target.index, root, foreignKey);
    // Adding a node may have grown (replaced) the foreign-key arrays: write to the current one.
    (this.#fkValues[foreignKey] as Int32Array)[root] = created;
    return created;
  }

  /** Set `fk(node) = target`, merging with any value already there. */
  setForeignKey(node: number, foreignKey: number, target: number): void {
    const root = this.find(node);
    const values = this.#fkValues[foreignKey] as Int32Array;
    const value = values[root] as number;
    if (value === NONE) values[root] = target;
    else this.union(value, target);
  }

  /** Follow a path of foreign keys (schema indices) from `node`, creating nodes as needed. */
  followPath(node: number, foreignKeys: readonly number[]): number {
    let current = node;
    for (const fk of foreignKeys) current = this.follow(current, fk);
    return this.find(current);
  }

  /**
   * Run the chase to its fixed point: path equations applied to every class, every foreign key
   * made total. Throws `InfiniteModel` past `rowsMax` live rows.
   */
  chase(): void {
    const equations = this.schema.entities.map((entity) =>
      this.schema.pathEquationsOf(entity.name).map((equation) => ({
        lhs: equation.lhs.foreignKeys.map((fk) => fk.index),
        rhs: equation.rhs.foreignKeys.map((fk) => fk.index),
      })),
    );
    for (let node = 0; node < this.size; node++) {
      if (this.find(node) !== node) continue;
      const entityIndex = this.#entityOf[node] as number;
      for (const equation of equations[entityIndex] ?? []) {
        this.union(this.followPath(node, equation.lhs), this.followPath(node, equation.rhs));
      }
      const foreignKeys = this.#foreignKeysOf[entityIndex] as Int32Array;
      for (let k = 0; k < foreignKeys.length; k++) this.follow(node, foreignKeys[k] as number);
    }
  }

  /** The name of a node: its generator, or its argument's class name and the foreign key. */
  nameOf(node: number, memo: Map<number, string> = new Map()): string {
    const known = memo.get(node);
    if (known !== undefined) return known;
    const chain: number[] = [];
    let current = node;
    let name: string | undefined;
    for (;;) {
      if (current < this.#generatorNames.length) {
        name = this.#generatorNames[current] as string;
        break;
      }
      const cached = memo.get(current);
      if (cached !== undefined) {
        name = cached;
        break;
      }
      chain.push(current);
      current = this.find(this.#termArgument[current] as number);
    }
    for (let index = chain.length - 1; index >= 0; index--) {
      const link = chain[index] as number;
      const fk = this.schema.foreignKeys[this.#termForeignKey[link] as number] as ForeignKey;
      name = `${name}.${fk.name}`;
      memo.set(link, name);
    }
    return name;
  }

  /** The foreign keys of the cycle the path that created `node` runs around; [] when none. */
  #cycleOf(node: number): ForeignKey[] {
    const path: ForeignKey[] = [];
    let current = node;
    while (
      current >= this.#generatorNames.length &&
      path.length <= 4 * this.schema.entities.length + 4
    ) {
      path.push(this.schema.foreignKeys[this.#termForeignKey[current] as number] as ForeignKey);
      current = this.#termArgument[current] as number;
    }
    path.reverse();
    // The last entity reached that was reached before closes the cycle.
    for (let end = path.length - 1; end >= 0; end--) {
      const target = (path[end] as ForeignKey).target;
      for (let start = end; start >= 0; start--) {
        if ((path[start] as ForeignKey).source === target) return path.slice(start, end + 1);
      }
    }
    // No cycle: the instance is finite, only larger than the limit.
    return [];
  }

  /** Row id lookups for the caller once the chase is done. */
  foreignKeyValue(root: number, foreignKey: number): number {
    const value = (this.#fkValues[foreignKey] as Int32Array)[root] as number;
    return value === NONE ? NONE : this.find(value);
  }
}
