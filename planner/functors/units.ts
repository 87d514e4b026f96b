/**
 * The units and counits of the adjunctions Σ_F ⊣ Δ_F ⊣ Π_F, as row maps (a morphism of
 * instances sends each row of its source to a row of its target, entity by entity, preserving
 * foreign keys and attribute values; labelled nulls may go to values or other labels):
 *
 * - unit of Σ ⊣ Δ,   η_I : I → Δ_F Σ_F I — a row of I goes to the row of Σ_F I that its
 *   generator (or the term naming it) became;
 * - counit of Σ ⊣ Δ, ε_J : Σ_F Δ_F J → J — the row of Σ made from the row r of Δ_F J goes to r
 *   (a row of J), rows the chase created follow their foreign keys;
 * - unit of Δ ⊣ Π,   η_J : J → Π_F Δ_F J — a row j of J at t goes to the family that picks, for
 *   each (s, path p : t → F(s)), the row j.p;
 * - counit of Δ ⊣ Π, ε_I : Δ_F Π_F I → I — a family at F(s) goes to its pick at (s, identity).
 *
 * Where Σ's result has a row named by a generator, that is the generator's row; a generator
 * merged into an earlier one is placed by the presentation's equations (`x.p = g`, `g = y`),
 * which is how the saturation merged it.
 */
import { InternalError } from '../../common/index.js';
import {
  saturate,
  type Mapping,
  type Presentation,
  type SaturatedInstance,
  type TypedTerm,
} from '../../catalog/index.js';
import { delta } from './delta.js';
import { FunctorError } from './errors.js';
import { evalQueryWithTuples } from './eval-query.js';
import { pathsOfRepresentable, piQuery, piVariableName, representableInstance } from './pi.js';
import {
  generatorNames,
  sigmaPresentation,
  sigmaPresentationOfRows,
  sigmaRowsLimit,
  type SigmaOptions,
} from './sigma.js';

/** A morphism of instances: per entity of `source`, the row of `target` of each row. */
export interface InstanceMorphism {
  readonly source: SaturatedInstance;
  readonly target: SaturatedInstance;
  readonly rows: ReadonlyMap<string, Int32Array>;
}

/** η_I : I → Δ_F Σ_F I. */
export function sigmaDeltaUnit(
  mapping: Mapping,
  input: SaturatedInstance,
  options: SigmaOptions = {},
): InstanceMorphism {
  const translated =
    options.presentation === undefined
      ? sigmaPresentationOfRows(mapping, input)
      : sigmaPresentation(mapping, options.presentation);
  const pushed = saturate(translated, {
    name: options.name,
    location: options.location,
    instanceRowsMax: options.instanceRowsMax ?? sigmaRowsLimit(input),
    congruenceStepsMax: options.congruenceStepsMax,
  });
  const generatorRow = locateGenerators(translated, pushed);
  const names = options.presentation === undefined ? generatorNames(input) : undefined;
  const generatorEntity = new Map<string, string>();
  for (const generator of options.presentation?.generators ?? []) {
    if (generator.sort.kind === 'EntitySort')
      generatorEntity.set(generator.name, generator.sort.entity);
  }
  const rows = new Map<string, Int32Array>();
  for (const table of input.tables) {
    const image = mapping.entity(table.entity);
    const column = new Int32Array(table.rowCount);
    for (let row = 0; row < table.rowCount; row++) {
      if (names !== undefined) {
        column[row] =
          generatorRow.get((names.get(table.entity) as readonly string[])[row] as string) ?? -1;
      } else {
        column[row] = rowOfName(
          mapping,
          table.rowNames[row] as string,
          generatorEntity,
          generatorRow,
          pushed,
        );
      }
      if (column[row] === -1) {
        throw new InternalError(
          `unit of sigma ${mapping.name}: row ${table.rowNames[row]} of ${table.entity} has no image in ${image}`,
        );
      }
    }
    rows.set(table.entity, column);
  }
  return { source: input, target: delta(mapping, pushed), rows };
}

/** ε_J : Σ_F Δ_F J → J. */
export function sigmaDeltaCounit(mapping: Mapping, instance: SaturatedInstance): InstanceMorphism {
  const pulled = delta(mapping, instance);
  const translated = sigmaPresentationOfRows(mapping, pulled);
  const pushed = saturate(translated, {
    name: `sigma ${mapping.name} (delta ${mapping.name})`,
    instanceRowsMax: sigmaRowsLimit(pulled),
  });
  const generatorRow = locateGenerators(translated, pushed);
  const names = generatorNames(pulled);
  const rows = new Map<string, Int32Array>(
    pushed.tables.map((table) => [table.entity, new Int32Array(table.rowCount).fill(-1)]),
  );
  const assign = (entity: string, row: number, image: number): boolean => {
    const column = rows.get(entity) as Int32Array;
    if (column[row] === image) return false;
    if (column[row] !== -1) {
      throw new InternalError(
        `counit of sigma ${mapping.name}: row ${row} of ${entity} has two images`,
      );
    }
    column[row] = image;
    return true;
  };
  for (const table of pulled.tables) {
    const image = mapping.entity(table.entity);
    const tableNames = names.get(table.entity) as readonly string[];
    for (let row = 0; row < table.rowCount; row++) {
      const at = generatorRow.get(tableNames[row] as string);
      if (at === undefined)
        throw new InternalError(
          `counit of sigma ${mapping.name}: generator ${tableNames[row]} not found`,
        );
      assign(image, at, row);
    }
  }
  // Rows the chase created are reached from generator rows by foreign keys.
  for (let changed = true; changed;) {
    changed = false;
    for (const fk of pushed.schema.foreignKeys) {
      const column = rows.get(fk.source) as Int32Array;
      for (let row = 0; row < column.length; row++) {
        const image = column[row] as number;
        if (image === -1) continue;
        changed =
          assign(
            fk.target,
            pushed.follow(fk.source, fk.name, row),
            instance.follow(fk.source, fk.name, image),
          ) || changed;
      }
    }
  }
  for (const [entity, column] of rows) {
    if (column.includes(-1))
      throw new InternalError(`counit of sigma ${mapping.name}: a row of ${entity} is unreached`);
  }
  return { source: pushed, target: instance, rows };
}

/** η_J : J → Π_F Δ_F J. */
export function deltaPiUnit(mapping: Mapping, instance: SaturatedInstance): InstanceMorphism {
  const pulled = delta(mapping, instance);
  const query = piQuery(mapping, pulled);
  const { instance: pushed, tuples } = evalQueryWithTuples(query, pulled);
  const rows = new Map<string, Int32Array>();
  for (const entity of mapping.target.entities) {
    const block = tuples.get(entity.name);
    if (block === undefined)
      throw new InternalError(`pi ${mapping.name}: no block for ${entity.name}`);
    const index = new Map<string, number>();
    for (let tuple = 0; tuple < block.count; tuple++) {
      index.set(
        block.tuples.subarray(tuple * block.width, (tuple + 1) * block.width).join(','),
        tuple,
      );
    }
    const paths = pathsOfRepresentable(representableInstance(mapping, entity.name), entity.name);
    const y = representableInstance(mapping, entity.name);
    const picks = block.block.from.map((from) => {
      const table = y.table(mapping.entity(from.entity));
      const row = table.rowNames.findIndex(
        (name) => piVariableName(from.entity, name) === from.variable,
      );
      const path = paths.get(table.entity)?.[row];
      if (path === undefined)
        throw new InternalError(`pi ${mapping.name}: no path for ${from.variable}`);
      return path;
    });
    const column = new Int32Array(instance.rowCount(entity.name));
    for (let row = 0; row < column.length; row++) {
      const key = picks
        .map((path) => {
          let at = row;
          for (const fk of path) at = instance.follow(fk.source, fk.name, at);
          return at;
        })
        .join(',');
      const found = index.get(key);
      if (found === undefined) {
        throw new FunctorError(
          'E_FUNCTOR_QUERY',
          `unit of pi ${mapping.name}: the family of row ${instance.table(entity.name).rowNames[row]} of ${entity.name} is not a row of Π (an attribute sent to two places disagrees)`,
        );
      }
      column[row] = found;
    }
    rows.set(entity.name, column);
  }
  return { source: instance, target: pushed, rows };
}

/** ε_I : Δ_F Π_F I → I. */
export function deltaPiCounit(mapping: Mapping, input: SaturatedInstance): InstanceMorphism {
  const { instance: pushed, tuples } = evalQueryWithTuples(piQuery(mapping, input), input);
  const pulled = delta(mapping, pushed);
  const rows = new Map<string, Int32Array>();
  for (const entity of mapping.source.entities) {
    const image = mapping.entity(entity.name);
    const block = tuples.get(image);
    if (block === undefined) throw new InternalError(`pi ${mapping.name}: no block for ${image}`);
    // The identity path of y(F(s)) is its generator's row, named by the entity.
    const position = block.block.from.findIndex(
      (from) => from.variable === piVariableName(entity.name, image),
    );
    if (position === -1)
      throw new InternalError(`pi ${mapping.name}: no identity variable for ${entity.name}`);
    const column = new Int32Array(block.count);
    for (let tuple = 0; tuple < block.count; tuple++) {
      column[tuple] = block.tuples[tuple * block.width + position] as number;
    }
    rows.set(entity.name, column);
  }
  return { source: pulled, target: input, rows };
}

/** The row of `result` each entity generator of `presentation` ended up in. */
function locateGenerators(
  presentation: Presentation,
  result: SaturatedInstance,
): Map<string, number> {
  const known = new Map<string, number>();
  for (const generator of presentation.generators) {
    if (generator.sort.kind !== 'EntitySort') continue;
    const row = result.rowNamed(generator.sort.entity, generator.name);
    if (row !== undefined) known.set(generator.name, row);
  }
  const rowOf = (term: TypedTerm): number | undefined => {
    if (term.kind === 'Gen') return known.get(term.name);
    if (term.kind !== 'Fk') return undefined;
    const inner = rowOf(term.argument);
    return inner === undefined
      ? undefined
      : result.follow(term.foreignKey.source, term.foreignKey.name, inner);
  };
  const rowEquations = presentation.equations.filter(
    (equation) =>
      equation.lhs.kind === 'Gen' || equation.rhs.kind === 'Gen' || equation.lhs.kind === 'Fk',
  );
  for (let changed = true; changed;) {
    changed = false;
    for (const equation of rowEquations) {
      for (const [side, other] of [
        [equation.lhs, equation.rhs],
        [equation.rhs, equation.lhs],
      ] as const) {
        if (side.kind !== 'Gen' || known.has(side.name)) continue;
        const row = rowOf(other);
        if (row === undefined) continue;
        known.set(side.name, row);
        changed = true;
      }
    }
  }
  for (const generator of presentation.generators) {
    if (generator.sort.kind === 'EntitySort' && !known.has(generator.name)) {
      throw new InternalError(`generator ${generator.name} has no row in the saturated instance`);
    }
  }
  return known;
}

/**
 * The row of Σ_F I reached by a row of I named `g.f1.f2` (a generator of I's presentation, then
 * foreign keys of S): the generator's row followed along F(f1), F(f2). −1 when the name is not
 * of that form.
 */
function rowOfName(
  mapping: Mapping,
  name: string,
  generatorEntity: ReadonlyMap<string, string>,
  generatorRow: ReadonlyMap<string, number>,
  pushed: SaturatedInstance,
): number {
  const [generator, ...foreignKeys] = name.split('.');
  let row = generatorRow.get(generator ?? '');
  let at = generatorEntity.get(generator ?? '');
  if (row === undefined || at === undefined) return -1;
  for (const fkName of foreignKeys) {
    const fk = mapping.source.foreignKey(at, fkName);
    if (fk === undefined) return -1;
    for (const step of mapping.foreignKeyPath(fk.source, fk.name).foreignKeys) {
      row = pushed.follow(step.source, step.name, row);
    }
    at = fk.target;
  }
  return row;
}
