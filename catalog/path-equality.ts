/**
 * Equality of paths in a schema: the word problem of the finitely presented category whose
 * objects are the entities, whose generating arrows are the foreign keys and whose relations
 * are the path equations.
 *
 * The word problem is undecidable in general, so the answer is three-valued:
 *
 * 1. Knuth–Bendix completion of the path equations as a string rewriting system (letters are
 *    foreign keys, ordered shortlex: shorter is smaller, then by declaration order). Every rule
 *    it derives is a consequence of the equations, so two paths with the same normal form are
 *    `equal` even when completion stops early. When completion finishes, the system is
 *    confluent and different normal forms mean `different`.
 * 2. When completion does not finish within `congruenceStepsMax` steps or derives a rule
 *    longer than `pathLengthMax`, the representable instance of the source entity (one row,
 *    saturated by the chase, bounded by `congruenceStepsMax` rows) decides when it is finite:
 *    two paths are equal exactly when they lead from that row to the same row.
 * 3. Otherwise the answer is `unknown`, and callers warn (never a silent pass).
 */
import { limits } from '../common/index.js';
import type { ForeignKey, Schema, SchemaPath } from './schema.js';
import { saturateRepresentable } from './representable.js';

export type PathVerdict = 'equal' | 'different' | 'unknown';

export interface PathEqualityLimits {
  readonly congruenceStepsMax: number;
  readonly pathLengthMax: number;
}

/** Letters of the rewriting alphabet: one UTF-16 unit per foreign key, clear of surrogates. */
const LETTER_BASE = 0x100;
const LETTER_LAST = 0xd7ff;

interface Rule {
  readonly lhs: string;
  rhs: string;
}

export class PathEquality {
  readonly #schema: Schema;
  readonly #limits: PathEqualityLimits;
  #rules: Rule[] = [];
  /** True when completion finished: the rules are confluent and terminating. */
  #complete = false;
  #completed = false;
  readonly #representables = new Map<string, ((path: SchemaPath) => number) | undefined>();

  constructor(schema: Schema, pathLimits: Partial<PathEqualityLimits> = {}) {
    this.#schema = schema;
    this.#limits = {
      congruenceStepsMax: pathLimits.congruenceStepsMax ?? limits.congruenceStepsMax,
      pathLengthMax: pathLimits.pathLengthMax ?? limits.pathLengthMax,
    };
  }

  /** Whether completion produced a confluent system (every verdict is then definite). */
  get complete(): boolean {
    this.#complete0();
    return this.#complete;
  }

  /** Decide whether two paths denote the same arrow. */
  decide(p: SchemaPath, q: SchemaPath): PathVerdict {
    if (p.source !== q.source || p.target !== q.target) return 'different';
    this.#complete0();
    const left = this.#normalForm(this.#word(p.foreignKeys));
    const right = this.#normalForm(this.#word(q.foreignKeys));
    if (left === right) return 'equal';
    if (this.#complete) return 'different';
    const follow = this.#representable(p.source);
    if (follow === undefined) return 'unknown';
    return follow(p) === follow(q) ? 'equal' : 'different';
  }

  /** The normal form of a path under the rules derived so far (shortlex-least when complete). */
  normalize(path: SchemaPath): readonly ForeignKey[] {
    this.#complete0();
    const word = this.#normalForm(this.#word(path.foreignKeys));
    return [...word].map((letter) => {
      const fk = this.#schema.foreignKeys[letter.charCodeAt(0) - LETTER_BASE];
      if (fk === undefined) throw new RangeError('letter outside the alphabet');
      return fk;
    });
  }

  #word(foreignKeys: readonly ForeignKey[]): string {
    return String.fromCharCode(...foreignKeys.map((fk) => fk.index + LETTER_BASE));
  }

  #normalForm(word: string): string {
    let current = word;
    for (;;) {
      let rewritten = false;
      for (const rule of this.#rules) {
        const at = current.indexOf(rule.lhs);
        if (at >= 0) {
          current = current.slice(0, at) + rule.rhs + current.slice(at + rule.lhs.length);
          rewritten = true;
          break;
        }
      }
      if (!rewritten) return current;
    }
  }

  /** Shortlex: longer words are greater; equal lengths compare letter by letter. */
  static #greater(a: string, b: string): boolean {
    if (a.length !== b.length) return a.length > b.length;
    return a > b;
  }

  #complete0(): void {
    if (this.#completed) return;
    this.#completed = true;
    if (this.#schema.foreignKeys.length > LETTER_LAST - LETTER_BASE) return;
    const pending: [string, string][] = this.#schema.pathEquations.map((equation) => [
      this.#word(equation.lhs.foreignKeys),
      this.#word(equation.rhs.foreignKeys),
    ]);
    let steps = 0;
    while (pending.length > 0) {
      if (++steps > this.#limits.congruenceStepsMax) return;
      const [u, v] = pending.pop() as [string, string];
      const left = this.#normalForm(u);
      const right = this.#normalForm(v);
      if (left === right) continue;
      const rule: Rule = PathEquality.#greater(left, right)
        ? { lhs: left, rhs: right }
        : { lhs: right, rhs: left };
      if (rule.lhs.length > this.#limits.pathLengthMax) return;
      // Interreduce: rules whose left side the new rule rewrites go back to the queue.
      const kept: Rule[] = [];
      for (const old of this.#rules) {
        if (old.lhs.includes(rule.lhs)) pending.push([old.lhs, old.rhs]);
        else kept.push(old);
      }
      kept.push(rule);
      this.#rules = kept;
      for (const old of this.#rules) old.rhs = this.#normalForm(old.rhs);
      for (const other of this.#rules) {
        steps += this.#criticalPairs(rule, other, pending);
        if (other !== rule) steps += this.#criticalPairs(other, rule, pending);
      }
    }
    this.#complete = true;
  }

  /** Overlaps of a suffix of `first.lhs` with a prefix of `second.lhs`; returns pairs added. */
  #criticalPairs(first: Rule, second: Rule, pending: [string, string][]): number {
    let added = 0;
    const longest = Math.min(first.lhs.length, second.lhs.length) - 1;
    for (let overlap = 1; overlap <= longest; overlap++) {
      if (first.lhs.slice(first.lhs.length - overlap) !== second.lhs.slice(0, overlap)) continue;
      pending.push([
        first.rhs + second.lhs.slice(overlap),
        first.lhs.slice(0, first.lhs.length - overlap) + second.rhs,
      ]);
      added++;
    }
    return added;
  }

  /** Follows paths in the saturated representable instance of `entity`, when it is finite. */
  #representable(entity: string): ((path: SchemaPath) => number) | undefined {
    if (!this.#representables.has(entity)) {
      this.#representables.set(
        entity,
        saturateRepresentable(this.#schema, entity, this.#limits.congruenceStepsMax),
      );
    }
    return this.#representables.get(entity);
  }
}
