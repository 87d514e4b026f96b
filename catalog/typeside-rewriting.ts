/**
 * Typeside equations (`forall x. plus(zero, x) = x`) applied inside an instance's type algebra,
 * "where simple": each equation side that is a function application and mentions every
 * variable of the other side is a pattern; every application node of the algebra that matches
 * it (by e-matching over the classes) is merged with the other side, instantiated. This runs to
 * a fixed point or until `stepsMax` matches and creations, whichever comes first; a run that
 * stops early returns false and the caller warns that equalities may be missing.
 */
import { assertNever } from '../common/index.js';
import { variablesOf, type TypedTerm } from './term.js';
import type { TypeAlgebra } from './type-algebra.js';
import type { Typeside, TypesideFunction } from './typeside.js';

type Binding = ReadonlyMap<string, number>;

interface Rule {
  readonly pattern: TypedTerm & { kind: 'Apply' };
  readonly replacement: TypedTerm;
}

const TYPESIDE_EQUATION = -1;

function rulesOf(typeside: Typeside): Rule[] {
  const rules: Rule[] = [];
  for (const equation of typeside.equations) {
    const lhsVariables = variablesOf(equation.lhs);
    const rhsVariables = variablesOf(equation.rhs);
    const covers = (outer: Set<string>, inner: Set<string>): boolean =>
      [...inner].every((name) => outer.has(name));
    if (equation.lhs.kind === 'Apply' && covers(lhsVariables, rhsVariables)) {
      rules.push({ pattern: equation.lhs, replacement: equation.rhs });
    }
    if (equation.rhs.kind === 'Apply' && covers(rhsVariables, lhsVariables)) {
      rules.push({ pattern: equation.rhs, replacement: equation.lhs });
    }
  }
  return rules;
}

class Matcher {
  steps = 0;
  constructor(
    readonly algebra: TypeAlgebra,
    readonly stepsMax: number,
  ) {}

  /** Substitutions under which `pattern` denotes the class of `node`. */
  matchClass(pattern: TypedTerm, node: number, binding: Binding): Binding[] {
    const algebra = this.algebra;
    const root = algebra.find(node);
    switch (pattern.kind) {
      case 'Var': {
        const bound = binding.get(pattern.name);
        if (bound !== undefined) return algebra.find(bound) === root ? [binding] : [];
        return [new Map(binding).set(pattern.name, root)];
      }
      case 'Literal':
      case 'Const': {
        const constant = algebra.constantOf(root);
        if (constant === undefined) return [];
        const expected =
          pattern.kind === 'Literal'
            ? { value: pattern.value, symbol: false }
            : pattern.constant.value === undefined
              ? { value: pattern.constant.name, symbol: true }
              : { value: pattern.constant.value, symbol: false };
        return constant.value === expected.value && constant.symbol === expected.symbol
          ? [binding]
          : [];
      }
      case 'Apply': {
        const results: Binding[] = [];
        for (const application of algebra.applicationsIn(root)) {
          results.push(...this.matchApplication(pattern, application, binding));
        }
        return results;
      }
      case 'Null':
      case 'Gen':
      case 'Sk':
      case 'Fk':
      case 'Att':
        return [];
      default:
        return assertNever(pattern, 'pattern');
    }
  }

  /** Substitutions under which `pattern` matches the application node itself. */
  matchApplication(
    pattern: TypedTerm & { kind: 'Apply' },
    application: number,
    binding: Binding,
  ): Binding[] {
    this.steps++;
    const found = this.algebra.application(application);
    if (found === undefined || found.fn !== pattern.function) return [];
    let bindings: Binding[] = [binding];
    pattern.args.forEach((argument, index) => {
      const next: Binding[] = [];
      for (const partial of bindings) {
        next.push(...this.matchClass(argument, found.args[index] as number, partial));
      }
      bindings = next;
    });
    return bindings;
  }

  /** The node of `term` under a substitution, creating applications and constants. */
  instantiate(term: TypedTerm, binding: Binding): number | undefined {
    const algebra = this.algebra;
    this.steps++;
    switch (term.kind) {
      case 'Var':
        return binding.get(term.name);
      case 'Literal':
        return algebra.constantNode(
          term.sort,
          { value: term.value, symbol: false },
          TYPESIDE_EQUATION,
        );
      case 'Const':
        return algebra.constantNode(
          term.constant.sort,
          term.constant.value === undefined
            ? { value: term.constant.name, symbol: true }
            : { value: term.constant.value, symbol: false },
          TYPESIDE_EQUATION,
        );
      case 'Apply': {
        const args: number[] = [];
        for (const argument of term.args) {
          const node = this.instantiate(argument, binding);
          if (node === undefined) return undefined;
          args.push(node);
        }
        return algebra.applyNode(term.function, args, TYPESIDE_EQUATION);
      }
      case 'Null':
      case 'Gen':
      case 'Sk':
      case 'Fk':
      case 'Att':
        return undefined;
      default:
        return assertNever(term, 'term');
    }
  }
}

/**
 * Apply the typeside's equations to the algebra until nothing changes. Returns true when a
 * fixed point was reached within `stepsMax` steps.
 */
export function applyTypesideEquations(
  algebra: TypeAlgebra,
  typeside: Typeside,
  stepsMax: number,
): boolean {
  const rules = rulesOf(typeside);
  if (rules.length === 0) return true;
  const matcher = new Matcher(algebra, stepsMax);
  for (;;) {
    let changed = false;
    for (const rule of rules) {
      const fn: TypesideFunction = rule.pattern.function;
      for (const application of algebra.applicationsOf(fn)) {
        for (const binding of matcher.matchApplication(rule.pattern, application, new Map())) {
          const node = matcher.instantiate(rule.replacement, binding);
          if (node !== undefined && algebra.find(node) !== algebra.find(application)) {
            algebra.union(node, application, TYPESIDE_EQUATION);
            changed = true;
          }
          if (matcher.steps > stepsMax) return false;
        }
      }
    }
    if (!changed) return true;
  }
}
