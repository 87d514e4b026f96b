/**
 * Π_F (the right adjoint of Δ_F) along F : S → T, as the reference computes it
 * (`InstExpPi` = eval of the query `QueryExpDeltaCoEval F`): for each entity t of T,
 *
 * 1. y(t), the representable T-instance — one generator `t`, saturated: its rows at X are the
 *    paths t → X up to T's path equations (finite, or Π is `E_FUNCTOR_UNSUPPORTED`);
 * 2. D = Δ_F(y(t)): for each S-entity s, the paths t → F(s), with S's foreign keys between them
 *    and S's attributes as labelled nulls of y(t) (`t.h.b`);
 * 3. one from-variable per row of D (`s:t.h`), ranging over I(s); `where`: every foreign key of
 *    D (`v.g = w`) and every two cells of D with one label (`v.a = w.c`) or a value
 *    (`v.a = 3`);
 * 4. a target attribute b of t takes the value of a cell of D labelled `t.b` (y(t)'s own value
 *    of b); a target foreign key h : t → t' sends t'-variable `s:q` to t-variable `s:h.q`.
 *
 * The result is `eval` of that query on I (eval-query.ts), so Π's rows are the compatible
 * families of I's rows: a product when D has unrelated variables, a join when foreign keys or
 * shared labels relate them. Before joining, the size is estimated — the product, over groups of
 * variables the `where` relates, of the largest table among the group's variables no foreign
 * key determines (joins assumed selective) — and past `limits.piRowsMax` it is `E_LIMIT`; the
 * join itself also stops with `E_LIMIT` when its result passes the limit. A target attribute
 * no cell of D determines would range over every value of its type: `E_FUNCTOR_UNSUPPORTED`
 * (the reference ranges it over the closed terms of the type).
 */
import { limits, LimitError, type SourceLocation } from '../../common/index.js';
import {
  CatalogError,
  entitySort,
  fkTerm,
  attTerm,
  literalTerm,
  saturate,
  UberQuery,
  varTerm,
  type ForeignKey,
  type Mapping,
  type QueryBlock,
  type SaturatedInstance,
  type TypedEquation,
  type TypedTerm,
} from '../../catalog/index.js';
import { delta, checkOnSchema } from './delta.js';
import { FunctorError } from './errors.js';
import { evalQuery } from './eval-query.js';

export interface PiOptions {
  /** Rows of one result entity at most (default `limits.piRowsMax`). */
  readonly rowsMax?: number | undefined;
  /** Paths from one target entity at most (rows of its representable instance). */
  readonly pathsMax?: number | undefined;
  readonly location?: SourceLocation | undefined;
}

/** Paths from one entity considered before Π is declared unsupported (infinite). */
const PATHS_MAX_DEFAULT = 10_000;

/** The from-variable of Π's query for S-entity `source` and the path named `path` of y(t). */
export function piVariableName(source: string, path: string): string {
  return `${source}:${path}`;
}

/** Π_F(I). */
export function pi(
  mapping: Mapping,
  input: SaturatedInstance,
  options: PiOptions = {},
): SaturatedInstance {
  checkOnSchema(input, mapping.source.entityNames(), `pi ${mapping.name}`);
  return evalQuery(piQuery(mapping, input, options), input, {
    rowsMax: options.rowsMax ?? limits.piRowsMax,
  });
}

/** The uber-flower whose evaluation is Π_F (`QueryExpDeltaCoEval` of the reference). */
export function piQuery(
  mapping: Mapping,
  input: SaturatedInstance | undefined,
  options: PiOptions = {},
): UberQuery {
  const target = mapping.target;
  const rowsMax = options.rowsMax ?? limits.piRowsMax;
  const representables = new Map<string, SaturatedInstance>();
  const representable = (entity: string): SaturatedInstance => {
    let instance = representables.get(entity);
    if (instance === undefined) {
      instance = representableInstance(mapping, entity, options);
      representables.set(entity, instance);
    }
    return instance;
  };
  const variableName = piVariableName;
  const blocks = new Map<string, QueryBlock>();
  for (const entity of target.entities) {
    const paths = delta(mapping, representable(entity.name));
    const from = mapping.source.entities.flatMap((source) =>
      paths.table(source.name).rowNames.map((path) => ({
        variable: variableName(source.name, path),
        entity: source.name,
      })),
    );
    const variable = (source: string, row: number): TypedTerm =>
      varTerm(
        variableName(source, paths.table(source).rowNames[row] as string),
        entitySort(source),
      );
    const where: TypedEquation[] = [];
    const equation = (lhs: TypedTerm, rhs: TypedTerm, text: string): void => {
      where.push({ lhs, rhs, text, location: undefined });
    };
    const determined = new Set<string>();
    const components = new Components();
    const firstWithLabel = new Map<string, TypedTerm>();
    for (const source of mapping.source.entities) {
      const table = paths.table(source.name);
      for (const fk of mapping.source.foreignKeysOf(source.name)) {
        const column = table.foreignKeys.get(fk.name) as Int32Array;
        for (let row = 0; row < table.rowCount; row++) {
          const reached = column[row] as number;
          const lhs = fkTerm(fk, variable(source.name, row));
          const rhs = variable(fk.target, reached);
          const reachedVariable = variableName(
            fk.target,
            paths.table(fk.target).rowNames[reached] as string,
          );
          determined.add(reachedVariable);
          components.union(
            variableName(source.name, table.rowNames[row] as string),
            reachedVariable,
          );
          equation(
            lhs,
            rhs,
            `${source.name}:${table.rowNames[row]}.${fk.name} = ${fk.target}:${paths.table(fk.target).rowNames[reached]}`,
          );
        }
      }
      for (const attribute of mapping.source.attributesOf(source.name)) {
        const column = table.attributes.get(attribute.name);
        for (let row = 0; row < table.rowCount; row++) {
          const term = attTerm(attribute, variable(source.name, row));
          const label = column?.labels[row];
          const value = column?.values[row] ?? null;
          if (label === undefined) {
            if (value !== null)
              equation(
                term,
                literalTerm(attribute.sort, value),
                `${source.name}.${attribute.name} = ${String(value)}`,
              );
            continue;
          }
          const first = firstWithLabel.get(label);
          if (first === undefined) firstWithLabel.set(label, term);
          else {
            equation(term, first, `${label} = ${label}`);
            if (first.kind === 'Att' && first.argument.kind === 'Var') {
              components.union(
                variableName(source.name, table.rowNames[row] as string),
                first.argument.name,
              );
            }
          }
        }
      }
    }
    const own = representable(entity.name);
    const attributes = new Map<string, TypedTerm>();
    for (const attribute of target.attributesOf(entity.name)) {
      const cell = own.cell(entity.name, attribute.name, 0);
      if (cell.kind === 'value') {
        attributes.set(attribute.name, literalTerm(attribute.sort, cell.value));
        continue;
      }
      const term = cell.kind === 'labelled' ? firstWithLabel.get(cell.label) : undefined;
      if (term === undefined) {
        throw new FunctorError(
          'E_FUNCTOR_UNSUPPORTED',
          `pi ${mapping.name}: no attribute of \`${mapping.source.name}\` is sent to ` +
            `\`${entity.name}.${attribute.name}\`, so its value in Π would range over every ` +
            `${attribute.sort}; catrust computes Π only when each target attribute is the image ` +
            'of a source attribute',
          { location: options.location },
        );
      }
      attributes.set(attribute.name, term);
    }
    if (input !== undefined) {
      // Per group of variables some equation relates, the largest table among those no foreign
      // key determines (joins assumed selective); unrelated groups multiply (a product).
      const largest = new Map<string, number>();
      for (const variable of from) {
        if (determined.has(variable.variable)) continue;
        const group = components.find(variable.variable);
        largest.set(group, Math.max(largest.get(group) ?? 0, input.rowCount(variable.entity)));
      }
      let estimate = 1;
      for (const rows of largest.values()) estimate *= rows;
      if (estimate > rowsMax) {
        throw new LimitError(
          'piRowsMax',
          rowsMax,
          estimate,
          `pi ${mapping.name}: rows of \`${entity.name}\` (estimated)`,
          { location: options.location },
        );
      }
    }
    blocks.set(entity.name, {
      kind: 'QueryBlock',
      entity: entity.name,
      from,
      where,
      attributes,
      foreignKeys: foreignKeySubstitutions(mapping, entity.name, representable, variableName),
      location: mapping.location,
    });
  }
  return new UberQuery(`pi ${mapping.name}`, mapping.source, target, blocks, mapping.location);
}

/**
 * y(entity): the instance of F's target with one generator (named `entity`) and no equations,
 * saturated; its rows at X are the paths entity → X up to the path equations.
 */
export function representableInstance(
  mapping: Mapping,
  entity: string,
  options: PiOptions = {},
): SaturatedInstance {
  const target = mapping.target;
  try {
    return saturate(
      { schema: target, generators: [{ name: entity, sort: entitySort(entity) }], equations: [] },
      {
        name: `y(${entity})`,
        instanceRowsMax: options.pathsMax ?? PATHS_MAX_DEFAULT,
        // y(X)'s unknown values are variables: a NOT NULL attribute gets its value from the rows.
        checkNotNull: false,
      },
    );
  } catch (error) {
    if (!(error instanceof CatalogError) || error.code !== 'E_INSTANCE_INFINITE') throw error;
    throw new FunctorError(
      'E_FUNCTOR_UNSUPPORTED',
      `pi ${mapping.name}: the paths from \`${entity}\` in \`${target.name}\` are infinite ` +
        `(${error.bareMessage}); Π needs finitely many`,
      { location: options.location, cause: error },
    );
  }
}

/**
 * For each row of a representable instance y(entity), a path from its generator (row 0 of
 * `entity`) that reaches it: entity → rows → foreign keys. Breadth first, so the shortest.
 */
export function pathsOfRepresentable(
  instance: SaturatedInstance,
  entity: string,
): Map<string, (readonly ForeignKey[] | undefined)[]> {
  const schema = instance.schema;
  const paths = new Map<string, (readonly ForeignKey[] | undefined)[]>(
    schema.entities.map((e) => [
      e.name,
      new Array<readonly ForeignKey[] | undefined>(instance.rowCount(e.name)),
    ]),
  );
  (paths.get(entity) as (readonly ForeignKey[] | undefined)[])[0] = [];
  const queue: [string, number][] = [[entity, 0]];
  for (let head = 0; head < queue.length; head++) {
    const [at, row] = queue[head] as [string, number];
    const path = (paths.get(at) as (readonly ForeignKey[] | undefined)[])[
      row
    ] as readonly ForeignKey[];
    for (const fk of schema.foreignKeysOf(at)) {
      const next = instance.follow(at, fk.name, row);
      const known = paths.get(fk.target) as (readonly ForeignKey[] | undefined)[];
      if (known[next] !== undefined) continue;
      known[next] = [...path, fk];
      queue.push([fk.target, next]);
    }
  }
  return paths;
}

/**
 * For each target foreign key h : t → t', the t-variable each t'-variable `s:q` becomes: the
 * row of y(t) that path q reaches from `t.h`. Found by walking y(t') from its generator (every
 * row of a representable instance is reached by some path) and y(t) in step.
 */
function foreignKeySubstitutions(
  mapping: Mapping,
  entity: string,
  representable: (entity: string) => SaturatedInstance,
  variableName: (source: string, path: string) => string,
): Map<string, Map<string, TypedTerm>> {
  const target = mapping.target;
  const result = new Map<string, Map<string, TypedTerm>>();
  const here = representable(entity);
  for (const fk of target.foreignKeysOf(entity)) {
    const there = representable(fk.target);
    // image.get(X)[row of y(t') at X] = row of y(t) at X.
    const image = new Map<string, Int32Array>(
      target.entities.map((e) => [e.name, new Int32Array(there.rowCount(e.name)).fill(-1)]),
    );
    (image.get(fk.target) as Int32Array)[0] = here.follow(entity, fk.name, 0);
    const queue: [string, number][] = [[fk.target, 0]];
    while (queue.length > 0) {
      const [at, row] = queue.shift() as [string, number];
      const mapped = (image.get(at) as Int32Array)[row] as number;
      for (const step of target.foreignKeysOf(at)) {
        const next = there.follow(at, step.name, row);
        const column = image.get(step.target) as Int32Array;
        if (column[next] !== -1) continue;
        column[next] = here.follow(at, step.name, mapped);
        queue.push([step.target, next]);
      }
    }
    const substitution = new Map<string, TypedTerm>();
    for (const source of mapping.source.entities) {
      const imageEntity = mapping.entity(source.name);
      const column = image.get(imageEntity) as Int32Array;
      const thereNames = there.table(imageEntity).rowNames;
      const hereNames = here.table(imageEntity).rowNames;
      for (let row = 0; row < thereNames.length; row++) {
        substitution.set(
          variableName(source.name, thereNames[row] as string),
          varTerm(
            variableName(source.name, hereNames[column[row] as number] as string),
            entitySort(source.name),
          ),
        );
      }
    }
    result.set(fk.name, substitution);
  }
  return result;
}

/** Union-find over variable names: which variables the `where` of a Π block relates. */
class Components {
  readonly #parent = new Map<string, string>();

  find(name: string): string {
    let root = name;
    for (let next = this.#parent.get(root); next !== undefined && next !== root;) {
      root = next;
      next = this.#parent.get(root);
    }
    if (root !== name) this.#parent.set(name, root);
    return root;
  }

  union(a: string, b: string): void {
    const rootA = this.find(a);
    const rootB = this.find(b);
    if (rootA !== rootB) this.#parent.set(rootA, rootB);
  }
}
