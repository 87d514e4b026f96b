/**
 * Σ_F (push forward along F : S → T), the left adjoint of Δ_F, as the reference computes it
 * (`SigmaInstance`): translate I's presentation along F — each generator g of entity E becomes a
 * generator of F(E), each labelled-null generator stays, each equation s = t becomes F(s) = F(t)
 * — and saturate the result over T (catalog/saturate.ts). The saturation does the rest: T's
 * path equations merge rows, foreign keys nothing determines get fresh rows named by their term
 * (`e1.manager`), attributes nothing determines get labelled nulls named by their term, two
 * different constants forced equal are `E_INSTANCE_CLASH` (naming the equation and both values),
 * a model growing past the row limit is `E_INSTANCE_INFINITE` (naming the foreign-key cycle),
 * a NOT NULL attribute left unknown is `E_INSTANCE_NOT_NULL`.
 *
 * Which presentation: the input's own generators and equations when it has them (a `literal`
 * instance; row names and labels then read exactly as the reference's), otherwise the native
 * chase over the rows (sigma-chase.ts) where it applies, else the presentation of its rows — one generator per row, one equation per foreign key and per known
 * attribute value of each row, one labelled-null generator per label — which presents the same
 * instance (so Σ of a Δ, a Σ or an `eval` works the same way).
 */
import { assertNever, limits, type SourceLocation, type Value } from '../../common/index.js';
import {
  applyTerm,
  constTerm,
  entitySort,
  fkTerm,
  genTerm,
  literalTerm,
  nullTerm,
  printTypedTerm,
  saturate,
  skTerm,
  type Attribute,
  type Mapping,
  type Presentation,
  type PresentationGenerator,
  type SaturatedInstance,
  type TypedEquation,
  type TypedTerm,
} from '../../catalog/index.js';
import { checkOnSchema } from './delta.js';
import { sigmaChase } from './sigma-chase.js';
import { FunctorError } from './errors.js';

export interface SigmaOptions {
  /** The result instance's name, for messages. */
  readonly name?: string | undefined;
  /** Where the result is declared (errors no single equation caused are reported there). */
  readonly location?: SourceLocation | undefined;
  /** The input's generators and equations, when it was given by a presentation. */
  readonly presentation?: Presentation | undefined;
  /** Rows past which the result is infinite (default `sigmaRowsLimit(input)`). */
  readonly instanceRowsMax?: number | undefined;
  /** Steps of typeside-equation matching (default `limits.congruenceStepsMax`). */
  readonly congruenceStepsMax?: number | undefined;
}

/** Σ_F(I): saturate F applied to I's presentation. */
export function sigma(
  mapping: Mapping,
  input: SaturatedInstance,
  options: SigmaOptions = {},
): SaturatedInstance {
  checkOnSchema(input, mapping.source.entityNames(), `sigma ${mapping.name}`);
  if (options.presentation === undefined) {
    const chased = sigmaChase(mapping, input, {
      name: options.name,
      location: options.location,
      instanceRowsMax: options.instanceRowsMax,
    });
    if (chased !== undefined) return chased;
  }
  const presentation =
    options.presentation === undefined
      ? sigmaPresentationOfRows(mapping, input)
      : sigmaPresentation(mapping, options.presentation);
  return saturate(presentation, {
    name: options.name,
    location: options.location,
    instanceRowsMax: options.instanceRowsMax ?? sigmaRowsLimit(input),
    congruenceStepsMax: options.congruenceStepsMax,
  });
}

/**
 * The rows past which a Σ result counts as infinite: `limits.instanceRowsMax` (what a program's
 * own instances may have), raised to 8 rows per input row for large inputs — a finite Σ creates
 * at most one row per input row and foreign-key path of its target, and schemas deeper than 8
 * are rare — and never past `limits.sigmaRowsMax`.
 */
export function sigmaRowsLimit(input: SaturatedInstance): number {
  return Math.min(limits.sigmaRowsMax, Math.max(limits.instanceRowsMax, 8 * input.totalRows));
}

/** F applied to a presentation over S: a presentation over T. */
export function sigmaPresentation(mapping: Mapping, presentation: Presentation): Presentation {
  const generators = presentation.generators.map((generator): PresentationGenerator =>
    generator.sort.kind === 'EntitySort'
      ? { ...generator, sort: entitySort(mapping.entity(generator.sort.entity)) }
      : generator,
  );
  const typeside = mapping.target.typeside;
  const equations = presentation.equations.map((equation): TypedEquation => {
    const lhs = translateTerm(mapping, equation.lhs);
    const rhs = translateTerm(mapping, equation.rhs);
    const text = `${printTypedTerm(lhs, typeside)} = ${printTypedTerm(rhs, typeside)}`;
    return {
      lhs,
      rhs,
      text: text === equation.text ? text : `${text} (from \`${equation.text}\`)`,
      location: equation.location,
    };
  });
  return { schema: mapping.target, generators, equations };
}

/**
 * F applied to the presentation of I's rows. Generators are named by the rows' names, qualified
 * by their entity (`E:e1`) where two entities have a row of one name.
 */
export function sigmaPresentationOfRows(mapping: Mapping, input: SaturatedInstance): Presentation {
  const generators: PresentationGenerator[] = [];
  const typeside = mapping.target.typeside;
  const names = generatorNames(input);
  const labelSorts = new Map<string, string>();
  for (const table of input.tables) {
    const sort = entitySort(mapping.entity(table.entity));
    const rowNames = names.get(table.entity) as readonly string[];
    for (const name of rowNames) generators.push({ name, sort });
  }
  // One segment of equations per (entity, foreign key or attribute), one equation per row.
  const segments: { readonly rows: number; readonly at: (row: number) => TypedEquation }[] = [];
  const equation = (lhs: TypedTerm, rhs: TypedTerm, source: () => string): TypedEquation => ({
    lhs,
    rhs,
    get text(): string {
      const text = `${printTypedTerm(lhs, typeside)} = ${printTypedTerm(rhs, typeside)}`;
      const original = source();
      return text === original ? text : `${text} (from \`${original}\`)`;
    },
    location: undefined,
  });
  for (const table of input.tables) {
    const targetEntity = mapping.entity(table.entity);
    const rowNames = names.get(table.entity) as readonly string[];
    for (const fk of mapping.source.foreignKeysOf(table.entity)) {
      const path = mapping.foreignKeyPath(table.entity, fk.name);
      const column = table.foreignKeys.get(fk.name);
      const targetNames = names.get(fk.target);
      if (column === undefined || targetNames === undefined) {
        throw new FunctorError(
          'E_FUNCTOR_MISMATCH',
          `the instance has no foreign key \`${table.entity}.${fk.name}\``,
        );
      }
      segments.push({
        rows: table.rowCount,
        at: (row) => {
          const name = rowNames[row] as string;
          const targetName = targetNames[column[row] as number] as string;
          let lhs: TypedTerm = genTerm(name, targetEntity);
          for (const step of path.foreignKeys) lhs = fkTerm(step, lhs);
          return equation(
            lhs,
            genTerm(targetName, path.target),
            () => `${name}.${fk.name} = ${targetName}`,
          );
        },
      });
    }
    for (const attribute of mapping.source.attributesOf(table.entity)) {
      const image = mapping.attributeTerm(table.entity, attribute.name);
      const column = table.attributes.get(attribute.name);
      if (column === undefined) {
        throw new FunctorError(
          'E_FUNCTOR_MISMATCH',
          `the instance has no attribute \`${table.entity}.${attribute.name}\``,
        );
      }
      for (let row = 0; row < table.rowCount; row++) {
        const label = column.labels[row];
        if (label === undefined || labelSorts.has(label)) continue;
        const term = cellTerm(mapping, attribute, null, label);
        if (term.kind !== 'Sk') continue;
        labelSorts.set(label, attribute.sort);
        generators.push({ name: label, sort: { kind: 'TypeSort', sort: attribute.sort } });
      }
      segments.push({
        rows: table.rowCount,
        at: (row) => {
          const name = rowNames[row] as string;
          const lhs = replaceVariable(image.term, image.variable, genTerm(name, targetEntity));
          const rhs = cellTerm(mapping, attribute, column.values[row] ?? null, column.labels[row]);
          return equation(
            lhs,
            rhs,
            () => `${name}.${attribute.name} = ${printTypedTerm(rhs, typeside)}`,
          );
        },
      });
    }
  }
  return { schema: mapping.target, generators, equations: equationList(segments) };
}

/**
 * The equations of the rows' presentation as a read-only array whose elements are made when
 * read: saturation reads each once or twice, and holding one object per cell of a large
 * instance would cost more memory (and collector time) than the saturation itself.
 */
function equationList(
  segments: readonly { readonly rows: number; readonly at: (row: number) => TypedEquation }[],
): readonly TypedEquation[] {
  const starts: number[] = [];
  let length = 0;
  for (const segment of segments) {
    starts.push(length);
    length += segment.rows;
  }
  const at = (index: number): TypedEquation | undefined => {
    if (index < 0 || index >= length) return undefined;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((starts[middle] as number) <= index) low = middle;
      else high = middle - 1;
    }
    const segment = segments[low] as (typeof segments)[number];
    return segment.at(index - (starts[low] as number));
  };
  const isIndex = (key: string | symbol): number | undefined => {
    if (typeof key !== 'string') return undefined;
    const index = Number(key);
    return Number.isInteger(index) && index >= 0 && index < length ? index : undefined;
  };
  return new Proxy<TypedEquation[]>([], {
    get(target, key, receiver) {
      if (key === 'length') return length;
      const index = isIndex(key);
      return index === undefined ? (Reflect.get(target, key, receiver) as unknown) : at(index);
    },
    has(target, key) {
      return isIndex(key) !== undefined || Reflect.has(target, key);
    },
  });
}

/** `term` with the variable `name` replaced by `by` (a mapping's lambda applied to a row). */
function replaceVariable(term: TypedTerm, name: string, by: TypedTerm): TypedTerm {
  switch (term.kind) {
    case 'Var':
      return term.name === name ? by : term;
    case 'Fk':
      return fkTerm(term.foreignKey, replaceVariable(term.argument, name, by));
    case 'Att':
      return {
        kind: 'Att',
        attribute: term.attribute,
        argument: replaceVariable(term.argument, name, by),
      };
    case 'Apply':
      return applyTerm(
        term.function,
        term.args.map((arg) => replaceVariable(arg, name, by)),
      );
    case 'Gen':
    case 'Sk':
    case 'Const':
    case 'Literal':
    case 'Null':
      return term;
    default:
      return assertNever(term, 'term');
  }
}

/** The term a cell stands for: a literal, a typeside constant, NULL, or a labelled null. */
function cellTerm(
  mapping: Mapping,
  attribute: Attribute,
  value: Value,
  label: string | undefined,
): TypedTerm {
  const typeside = mapping.target.typeside;
  if (label !== undefined) {
    const constant = typeside.constant(label);
    return constant !== undefined && constant.sort === attribute.sort
      ? constTerm(constant)
      : skTerm(label, attribute.sort);
  }
  if (value === null) return nullTerm(attribute.sort);
  if (attribute.scalarType === undefined && typeof value === 'string') {
    const constant = typeside.constant(value);
    if (constant !== undefined && constant.sort === attribute.sort) return constTerm(constant);
  }
  return literalTerm(attribute.sort, value);
}

/**
 * Per entity, a generator name for each row, unique across the instance. A row's own name is
 * kept unless another entity has a row of that name, or it reads as a term over another
 * generator (`e1.manager`, when `e1` is a generator, or `e1.manager.boss` when `e1.manager` is:
 * the saturation would name the row it creates for e1's manager the same); those are qualified
 * by their entity (`Emp:e1.manager`).
 */
export function generatorNames(input: SaturatedInstance): Map<string, readonly string[]> {
  const [only, ...others] = input.tables;
  const dotted = input.tables.map((table) => table.rowNames.some((name) => name.includes('.')));
  if (only !== undefined && others.length === 0 && dotted[0] !== true) {
    return new Map([[only.entity, only.rowNames]]);
  }
  // One pass over every name: the names two entities share.
  const seen = new Set<string>();
  const shared = new Set<string>();
  for (const table of input.tables) {
    for (const name of table.rowNames) {
      if (seen.has(name)) shared.add(name);
      else seen.add(name);
    }
  }
  // `a.f.g` reads as a term over `a` and over `a.f`: any prefix ending before a dot.
  const reads = (name: string): boolean => {
    for (let dot = name.indexOf('.'); dot > 0; dot = name.indexOf('.', dot + 1)) {
      if (seen.has(name.slice(0, dot))) return true;
    }
    return false;
  };
  const used = new Set<string>();
  const result = new Map<string, readonly string[]>();
  input.tables.forEach((table, index) => {
    const clash = (name: string): boolean =>
      shared.has(name) || (dotted[index] === true && reads(name));
    if (!table.rowNames.some(clash)) {
      result.set(table.entity, table.rowNames);
      return;
    }
    result.set(
      table.entity,
      table.rowNames.map((name, row) => {
        if (!clash(name)) return name;
        let unique = `${table.entity}:${name}`;
        if (used.has(unique) || seen.has(unique)) unique = `${table.entity}:${name}#${row}`;
        used.add(unique);
        return unique;
      }),
    );
  });
  return result;
}

/**
 * F applied to a term over S: entities of variables and generators mapped, foreign keys replaced
 * by their paths, attributes by their terms. Foreign keys and attributes are resolved by entity
 * and name in F's source, so terms of an equal copy of S translate too.
 */
export function translateTerm(mapping: Mapping, term: TypedTerm): TypedTerm {
  return mapping.translateTerm(term);
}
