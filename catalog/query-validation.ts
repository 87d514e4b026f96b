/**
 * Whether an uber-flower query `Q : S -> T` is well defined, as the reference CQL checks it:
 *
 * 1. every foreign key f : X → Y of T sends a row of X's block to a row of Y's block — the
 *    substitution σ_f (Y's from-variables as terms over X's) must satisfy Y's `where` under
 *    X's `where`;
 * 2. every path equation p = q of T on X holds: following the foreign keys of p composes their
 *    substitutions into one (the end entity's variables over X's), and likewise q; the two
 *    must agree variable by variable under X's `where`;
 * 3. every observation equation of T holds once its attributes are replaced by their terms.
 *
 * Each check decides term equality under X's `where`. Rows are decided as paths: the block's
 * variables become foreign keys out of a fresh frame entity, its row equations path equations
 * there, and the schema's path equality (Knuth–Bendix completion, catalog/path-equality.ts)
 * answers — this stays finite when foreign keys form cycles (`boss : Emp -> Emp`), where the
 * frozen instance would not. Values are decided in the frozen instance of the block
 * (catalog/frozen-instance.ts). `different` is an error; `unknown` (limits, evaluated
 * functions) is a warning, never a pass.
 */
import { assertNever, limits } from '../common/index.js';
import type { Span } from '../cql/index.js';
import type { Env } from './check-context.js';
import { FrozenInstance } from './frozen-instance.js';
import type { QueryBlock, UberQuery } from './query.js';
import type { PathVerdict } from './path-equality.js';
import { PathEquality } from './path-equality.js';
import { Schema, type ForeignKey, type PathEquation, type SchemaPath } from './schema.js';
import {
  applyTerm,
  printTypedTerm,
  substitute,
  termSort,
  varTerm,
  entitySort,
  type TypedTerm,
} from './term.js';

/** The variables of a block as terms of its own frozen instance (the identity substitution). */
function identity(block: QueryBlock): Map<string, TypedTerm> {
  return new Map(block.from.map((v) => [v.variable, varTerm(v.variable, entitySort(v.entity))]));
}

/** Compose `σ_f` after `current`: the variables of f's target block over the start block. */
function follow(
  query: UberQuery,
  fk: ForeignKey,
  current: ReadonlyMap<string, TypedTerm>,
): Map<string, TypedTerm> {
  const substitution = query.block(fk.source)?.foreignKeys.get(fk.name) ?? new Map();
  const next = new Map<string, TypedTerm>();
  for (const [variable, term] of substitution) next.set(variable, substitute(term, current));
  return next;
}

/**
 * Replace the target schema's foreign keys and attributes in a term of T (over one variable
 * `variable` of entity `entity`) by their query images, giving a term over the block's variables.
 * Returns the term and, when the term is a row, the substitution reached.
 */
function translate(
  query: UberQuery,
  term: TypedTerm,
  variable: string,
  start: ReadonlyMap<string, TypedTerm>,
): { value: TypedTerm | undefined; row: Map<string, TypedTerm> | undefined } {
  switch (term.kind) {
    case 'Var':
      if (term.name !== variable) return { value: term, row: undefined };
      return { value: undefined, row: new Map(start) };
    case 'Fk': {
      const inner = translate(query, term.argument, variable, start).row;
      if (inner === undefined) return { value: term, row: undefined };
      return { value: undefined, row: follow(query, term.foreignKey, inner) };
    }
    case 'Att': {
      const inner = translate(query, term.argument, variable, start).row;
      const image = query.block(term.attribute.entity)?.attributes.get(term.attribute.name);
      if (inner === undefined || image === undefined) return { value: term, row: undefined };
      return { value: substitute(image, inner), row: undefined };
    }
    case 'Apply': {
      const args = term.args.map((arg) => translate(query, arg, variable, start).value ?? arg);
      return { value: applyTerm(term.function, args), row: undefined };
    }
    case 'Gen':
    case 'Sk':
    case 'Const':
    case 'Literal':
    case 'Null':
      return { value: term, row: undefined };
    default:
      return assertNever(term, 'term');
  }
}

/** The name of the frame entity: not a CQL identifier, so it cannot clash. */
const FRAME = '\u0000frame';

/** Equality of terms over a block's variables under its `where`. */
class BlockEquality {
  #frozen: FrozenInstance | undefined | null = null;
  #paths: PathEquality | undefined;
  readonly #variables = new Map<string, ForeignKey>();

  constructor(
    readonly source: Schema,
    readonly block: QueryBlock,
    readonly frozenLimits: { instanceRowsMax: number; congruenceStepsMax: number },
    readonly pathLimits: { congruenceStepsMax: number; pathLengthMax: number },
  ) {}

  decide(lhs: TypedTerm, rhs: TypedTerm): PathVerdict {
    if (termSort(lhs).kind === 'EntitySort') {
      const paths = this.#pathEquality();
      const left = this.#path(lhs);
      const right = this.#path(rhs);
      if (left !== undefined && right !== undefined) return paths.decide(left, right);
    }
    if (this.#frozen === null) {
      this.#frozen = FrozenInstance.build(
        this.source,
        this.block.from.map((v) => ({ name: v.variable, entity: v.entity })),
        this.block.where,
        this.frozenLimits,
      );
    }
    return this.#frozen === undefined ? 'unknown' : this.#frozen.decide(lhs, rhs);
  }

  #pathEquality(): PathEquality {
    if (this.#paths !== undefined) return this.#paths;
    const base = this.source.foreignKeys.length;
    for (const [index, v] of this.block.from.entries()) {
      this.#variables.set(v.variable, {
        kind: 'ForeignKey',
        name: v.variable,
        source: FRAME,
        target: v.entity,
        index: base + index,
        location: undefined,
      });
    }
    const equations: PathEquation[] = [...this.source.pathEquations];
    for (const equation of this.block.where) {
      if (termSort(equation.lhs).kind !== 'EntitySort') continue;
      const lhs = this.#path(equation.lhs);
      const rhs = this.#path(equation.rhs);
      if (lhs === undefined || rhs === undefined) continue;
      equations.push({
        kind: 'PathEquation',
        entity: FRAME,
        lhs,
        rhs,
        text: equation.text,
        location: equation.location,
      });
    }
    const frame = new Schema({
      name: `${this.source.name} (frame)`,
      typeside: this.source.typeside,
      syntax: this.source.syntax,
      entities: [
        ...this.source.entities,
        { kind: 'Entity', name: FRAME, index: this.source.entities.length, location: undefined },
      ],
      foreignKeys: [...this.source.foreignKeys, ...this.#variables.values()],
      attributes: [],
      pathEquations: equations,
      observationEquations: [],
      options: new Map(),
      location: undefined,
    });
    this.#paths = new PathEquality(frame, this.pathLimits);
    return this.#paths;
  }

  /** A row term over the variables as a path from the frame; undefined for other terms. */
  #path(term: TypedTerm): SchemaPath | undefined {
    const steps: ForeignKey[] = [];
    let current = term;
    while (current.kind === 'Fk') {
      steps.unshift(current.foreignKey);
      current = current.argument;
    }
    if (current.kind !== 'Var') return undefined;
    const variable = this.#variables.get(current.name);
    if (variable === undefined) return undefined;
    const last = steps[steps.length - 1];
    return {
      kind: 'SchemaPath',
      source: FRAME,
      foreignKeys: [variable, ...steps],
      target: last === undefined ? variable.target : last.target,
    };
  }
}

export function validateQuery(env: Env, query: UberQuery, span: Span): void {
  const diagnostics = env.diagnostics;
  const frozenLimits = {
    instanceRowsMax: Math.min(env.instanceRowsMax, limits.frozenInstanceRowsMax),
    congruenceStepsMax: env.congruenceStepsMax,
  };
  const pathLimits = {
    congruenceStepsMax: env.congruenceStepsMax,
    pathLengthMax: env.pathLengthMax,
  };
  const equalities = new Map<string, BlockEquality>();
  const equalityOf = (block: QueryBlock): BlockEquality => {
    let equality = equalities.get(block.entity);
    if (equality === undefined) {
      equality = new BlockEquality(query.source, block, frozenLimits, pathLimits);
      equalities.set(block.entity, equality);
    }
    return equality;
  };
  const report = (
    verdict: 'equal' | 'different' | 'unknown',
    what: string,
    location: Span,
  ): void => {
    if (verdict === 'different') {
      diagnostics.error('E_CATALOG_QUERY', `query \`${query.name}\` ${what}`, location);
    } else if (verdict === 'unknown') {
      diagnostics.warn(
        'W_EQUATION_UNDECIDED',
        `could not decide within the limits whether query \`${query.name}\` ${what.replace(/^does not /, '')}`,
        location,
      );
    }
  };
  const agree = (
    instance: BlockEquality,
    pairs: readonly (readonly [TypedTerm, TypedTerm])[],
  ): 'equal' | 'different' | 'unknown' => {
    let result: 'equal' | 'different' | 'unknown' = 'equal';
    for (const [lhs, rhs] of pairs) {
      const verdict = instance.decide(lhs, rhs);
      if (verdict === 'different') return 'different';
      if (verdict === 'unknown') result = 'unknown';
    }
    return result;
  };

  // 1. Foreign keys land in their target block.
  for (const block of query.blocks.values()) {
    for (const [fkName, substitution] of block.foreignKeys) {
      const fk = query.target.foreignKey(block.entity, fkName);
      const targetBlock = fk === undefined ? undefined : query.block(fk.target);
      if (fk === undefined || targetBlock === undefined || targetBlock.where.length === 0) continue;
      const pairs = targetBlock.where.map(
        (equation) =>
          [substitute(equation.lhs, substitution), substitute(equation.rhs, substitution)] as const,
      );
      report(
        agree(equalityOf(block), pairs),
        `does not send every row of \`${block.entity}\` along \`${fk.name}\` to a row of \`${fk.target}\` (the \`where\` of \`${fk.target}\` fails)`,
        span,
      );
    }
  }

  // 2. Path equations of the target.
  for (const equation of query.target.pathEquations) {
    const block = query.block(equation.entity);
    if (block === undefined) continue;
    let left = identity(block);
    for (const fk of equation.lhs.foreignKeys) left = follow(query, fk, left);
    let right = identity(block);
    for (const fk of equation.rhs.foreignKeys) right = follow(query, fk, right);
    const pairs = [...left].map(([variable, term]) => [term, right.get(variable) ?? term] as const);
    report(
      agree(equalityOf(block), pairs),
      `does not respect the path equation \`${equation.text}\` of \`${query.target.name}\``,
      span,
    );
  }

  // 3. Observation equations of the target.
  for (const equation of query.target.observationEquations) {
    const block = query.block(equation.entity);
    if (block === undefined) continue;
    const start = identity(block);
    const lhs = translate(query, equation.lhs, equation.variable, start).value;
    const rhs = translate(query, equation.rhs, equation.variable, start).value;
    if (lhs === undefined || rhs === undefined) continue;
    const verdict = agree(equalityOf(block), [[lhs, rhs]]);
    report(
      verdict,
      `does not respect the observation equation \`${equation.text}\` of \`${query.target.name}\` (\`${printTypedTerm(lhs)}\` = \`${printTypedTerm(rhs)}\`)`,
      span,
    );
  }
}
