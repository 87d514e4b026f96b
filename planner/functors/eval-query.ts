/**
 * `eval Q I` for an uber-flower Q : S → T (reference: `EvalInstance` / `EvalAlgebra`): for each
 * entity X of T, the rows are the tuples of I's rows, one per from-variable of X's block, that
 * satisfy the block's `where` equations; an attribute's value is its term evaluated at the
 * tuple; a foreign key f : X → Y sends a tuple to the Y-tuple given by f's substitution (Y's
 * from-variables as terms over X's), which must be a row of Y (the catalog checks that the
 * substitution respects Y's `where`; a miss is `E_FUNCTOR_QUERY`).
 *
 * The join: variables are bound in `from` order and each `where` equation is tested as soon as
 * its variables are bound. When an equation at a step compares a term of the new variable alone
 * with a term of earlier ones, the new variable's rows are found through a hash index on that
 * term (built once per block and variable) instead of a scan, so a chain of key joins costs
 * the size of its result, not the product of its tables.
 *
 * Equality in `where`: rows are equal when they are one row; values when they are one value,
 * or the same labelled null; SQL NULL equals nothing (as in SQL).
 *
 * Row names: `(e=e1)(d=d1)`, the variables and the names of the rows they are bound to, as
 * the reference prints them; `()` for a block with no variables (its one row).
 */
import { limits, LimitError, type Value } from '../../common/index.js';
import {
  SaturatedInstance,
  variablesOf,
  type AttributeColumn,
  type InstanceTable,
  type QueryBlock,
  type TypedTerm,
  type UberQuery,
} from '../../catalog/index.js';
import { checkOnSchema } from './delta.js';
import { FunctorError } from './errors.js';
import { cellKey, TermCompiler, type CellValue } from './term-evaluation.js';

export interface EvalOptions {
  /** Result rows past which evaluation stops with `E_LIMIT` (default `limits.resultRowsMax`). */
  readonly rowsMax?: number | undefined;
}

/** The tuples of one block: one row index per from-variable per tuple, flattened. */
export interface BlockTuples {
  readonly block: QueryBlock;
  readonly width: number;
  readonly tuples: Int32Array;
  readonly count: number;
}

/** `eval Q I`. */
export function evalQuery(
  query: UberQuery,
  input: SaturatedInstance,
  options: EvalOptions = {},
): SaturatedInstance {
  return evalQueryWithTuples(query, input, options).instance;
}

/** `eval Q I` and, per target entity, the tuple of input rows behind each result row. */
export function evalQueryWithTuples(
  query: UberQuery,
  input: SaturatedInstance,
  options: EvalOptions = {},
): { readonly instance: SaturatedInstance; readonly tuples: ReadonlyMap<string, BlockTuples> } {
  checkOnSchema(input, query.source.entityNames(), `eval ${query.name}`);
  const rowsMax = options.rowsMax ?? limits.resultRowsMax;
  const results = new Map<string, BlockTuples>();
  for (const entity of query.target.entities) {
    const block = query.block(entity.name);
    if (block === undefined) {
      throw new FunctorError(
        'E_FUNCTOR_QUERY',
        `query \`${query.name}\` has no block for the entity \`${entity.name}\``,
        { location: query.location },
      );
    }
    results.set(entity.name, joinBlock(input, block, rowsMax));
  }
  const indexes = new Map<string, Map<string, number>>();
  const tupleIndex = (entity: string): Map<string, number> => {
    let index = indexes.get(entity);
    if (index === undefined) {
      const tuples = results.get(entity) as BlockTuples;
      index = new Map();
      for (let tuple = 0; tuple < tuples.count; tuple++) {
        index.set(tupleKey(tuples.tuples, tuple * tuples.width, tuples.width), tuple);
      }
      indexes.set(entity, index);
    }
    return index;
  };
  const tables = query.target.entities.map((entity): InstanceTable => {
    const tuples = results.get(entity.name) as BlockTuples;
    const block = tuples.block;
    const variables = new Map(block.from.map((from, position) => [from.variable, position]));
    const compiler = new TermCompiler(input, variables);
    const binding = new Int32Array(tuples.width);
    const bind = (tuple: number): void => {
      for (let position = 0; position < tuples.width; position++) {
        binding[position] = tuples.tuples[tuple * tuples.width + position] as number;
      }
    };
    const rowNames = new Array<string>(tuples.count);
    for (let tuple = 0; tuple < tuples.count; tuple++) {
      rowNames[tuple] =
        tuples.width === 0
          ? '()'
          : block.from
              .map((from, position) => {
                const row = tuples.tuples[tuple * tuples.width + position] as number;
                return `(${from.variable}=${input.table(from.entity).rowNames[row] ?? row})`;
              })
              .join('');
    }
    const foreignKeys = new Map<string, Int32Array>();
    for (const fk of query.target.foreignKeysOf(entity.name)) {
      foreignKeys.set(
        fk.name,
        foreignKeyColumn(
          query,
          block,
          fk.name,
          fk.target,
          results,
          tupleIndex,
          compiler,
          tuples,
          bind,
          binding,
        ),
      );
    }
    const attributes = new Map<string, AttributeColumn>();
    for (const attribute of query.target.attributesOf(entity.name)) {
      const term = block.attributes.get(attribute.name);
      if (term === undefined) {
        throw new FunctorError(
          'E_FUNCTOR_QUERY',
          `query \`${query.name}\` gives no term for the attribute \`${entity.name}.${attribute.name}\``,
          { location: block.location },
        );
      }
      const compiled = compiler.value(term);
      const values = new Array<Value>(tuples.count);
      const labels = new Array<string | undefined>(tuples.count);
      for (let tuple = 0; tuple < tuples.count; tuple++) {
        bind(tuple);
        const cell = compiled(binding);
        values[tuple] = cell.value;
        labels[tuple] = cell.label;
      }
      attributes.set(attribute.name, { attribute, values, labels });
    }
    return { entity: entity.name, rowCount: tuples.count, rowNames, foreignKeys, attributes };
  });
  return { instance: new SaturatedInstance(query.target, tables), tuples: results };
}

function foreignKeyColumn(
  query: UberQuery,
  block: QueryBlock,
  name: string,
  target: string,
  results: ReadonlyMap<string, BlockTuples>,
  tupleIndex: (entity: string) => Map<string, number>,
  compiler: TermCompiler,
  tuples: BlockTuples,
  bind: (tuple: number) => void,
  binding: Int32Array,
): Int32Array {
  const substitution = block.foreignKeys.get(name);
  const targetBlock = (results.get(target) as BlockTuples).block;
  if (substitution === undefined) {
    throw new FunctorError(
      'E_FUNCTOR_QUERY',
      `query \`${query.name}\` gives no substitution for the foreign key \`${block.entity}.${name}\``,
      { location: block.location },
    );
  }
  const parts = targetBlock.from.map((from) => {
    const term = substitution.get(from.variable);
    if (term === undefined) {
      throw new FunctorError(
        'E_FUNCTOR_QUERY',
        `the foreign key \`${block.entity}.${name}\` of query \`${query.name}\` does not bind ` +
          `\`${from.variable}\` of \`${target}\``,
        { location: block.location },
      );
    }
    return compiler.row(term);
  });
  const index = tupleIndex(target);
  const column = new Int32Array(tuples.count);
  const image = new Int32Array(parts.length);
  for (let tuple = 0; tuple < tuples.count; tuple++) {
    bind(tuple);
    for (let position = 0; position < parts.length; position++) {
      image[position] = (parts[position] as (b: Int32Array) => number)(binding);
    }
    const found = index.get(tupleKey(image, 0, image.length));
    if (found === undefined) {
      throw new FunctorError(
        'E_FUNCTOR_QUERY',
        `the foreign key \`${block.entity}.${name}\` of query \`${query.name}\` sends a row of ` +
          `\`${block.entity}\` to a tuple that is not a row of \`${target}\` (it fails ` +
          `\`${target}\`'s where clause)`,
        { location: block.location, details: { foreignKey: `${block.entity}.${name}` } },
      );
    }
    column[tuple] = found;
  }
  return column;
}

function tupleKey(rows: Int32Array, start: number, width: number): string {
  let key = '';
  for (let position = 0; position < width; position++) key += `${rows[start + position]},`;
  return key;
}

/** How one `where` equation is tested once its last variable is bound. */
interface Check {
  readonly test: (binding: Int32Array) => boolean;
  /** For an equation `term(new variable) = term(earlier)`: the two sides, for a hash index. */
  readonly probe:
    | {
        readonly own: (binding: Int32Array) => Key;
        readonly other: (binding: Int32Array) => Key;
        /** The new variable's side is the variable itself (a row): its row is the key. */
        readonly identity: boolean;
      }
    | undefined;
}

/** The tuples satisfying a block's `where`, in lexicographic order of the from-variables. */
function joinBlock(input: SaturatedInstance, block: QueryBlock, rowsMax: number): BlockTuples {
  const width = block.from.length;
  const variables = new Map(block.from.map((from, position) => [from.variable, position]));
  const compiler = new TermCompiler(input, variables);
  const checksAt: Check[][] = block.from.map(() => []);
  const constantChecks: Check[] = [];
  for (const equation of block.where) {
    const left = lastVariable(equation.lhs, variables);
    const right = lastVariable(equation.rhs, variables);
    const step = Math.max(left, right);
    const keyOf = keyFunction(compiler, equation.lhs);
    const otherKeyOf = keyFunction(compiler, equation.rhs);
    const test = (binding: Int32Array): boolean => {
      const a = keyOf(binding);
      return a !== undefined && a === otherKeyOf(binding);
    };
    let probe: Check['probe'];
    const alone = (term: TypedTerm): boolean =>
      [...variablesOf(term)].every((name) => variables.get(name) === step);
    if (step >= 0 && left !== right) {
      probe =
        left === step && alone(equation.lhs)
          ? { own: keyOf, other: otherKeyOf, identity: equation.lhs.kind === 'Var' }
          : right === step && alone(equation.rhs)
            ? { own: otherKeyOf, other: keyOf, identity: equation.rhs.kind === 'Var' }
            : undefined;
    }
    (step < 0 ? constantChecks : (checksAt[step] as Check[])).push({ test, probe });
  }
  const empty = new Int32Array(0);
  if (!constantChecks.every((check) => check.test(empty))) {
    return { block, width, tuples: empty, count: 0 };
  }
  const rowCounts = block.from.map((from) => input.rowCount(from.entity));
  // Per step, a hash index of the new variable's rows by the first probe-able equation.
  const indexes = checksAt.map((checks, step) => {
    const probe = checks.find((check) => check.probe !== undefined)?.probe;
    if (probe === undefined) return undefined;
    // `d = e.worksIn` with d the new variable: the candidate is the row the other side reaches.
    if (probe.identity) return { index: undefined, other: probe.other };
    const index = new Map<Key & {}, number[]>();
    const binding = new Int32Array(width);
    for (let row = 0; row < (rowCounts[step] as number); row++) {
      binding[step] = row;
      const key = probe.own(binding);
      if (key === undefined) continue;
      const rows = index.get(key);
      if (rows === undefined) index.set(key, [row]);
      else rows.push(row);
    }
    return { index, other: probe.other };
  });
  let tuples = new Int32Array(Math.max(16, width * 16));
  let count = 0;
  const binding = new Int32Array(width);
  const emit = (): void => {
    if (count >= rowsMax) {
      throw new LimitError(
        'resultRowsMax',
        rowsMax,
        `more than ${rowsMax}`,
        `rows of \`${block.entity}\``,
        {
          location: block.location,
        },
      );
    }
    if ((count + 1) * width > tuples.length) {
      const grown = new Int32Array(tuples.length * 2);
      grown.set(tuples);
      tuples = grown;
    }
    tuples.set(binding, count * width);
    count++;
  };
  const visit = (step: number, row: number): void => {
    binding[step] = row;
    for (const check of checksAt[step] as Check[]) if (!check.test(binding)) return;
    descend(step + 1);
  };
  const descend = (step: number): void => {
    if (step === width) {
      emit();
      return;
    }
    const indexed = indexes[step];
    if (indexed !== undefined) {
      const key = indexed.other(binding);
      if (key === undefined) return;
      if (indexed.index === undefined) {
        visit(step, key as number);
        return;
      }
      const rows = indexed.index.get(key);
      for (const row of rows ?? []) visit(step, row);
      return;
    }
    const rowCount = rowCounts[step] as number;
    for (let row = 0; row < rowCount; row++) visit(step, row);
  };
  if (width === 0) count = 1;
  else descend(0);
  return { block, width, tuples: tuples.subarray(0, count * width), count };
}

/** The position of the last variable a term uses (−1 for a closed term). */
function lastVariable(term: TypedTerm, variables: ReadonlyMap<string, number>): number {
  let last = -1;
  for (const name of variablesOf(term)) last = Math.max(last, variables.get(name) ?? -1);
  return last;
}

/** A row (its index) or a value (`cellKey`); undefined for SQL NULL, which equals nothing. */
type Key = number | bigint | boolean | string | undefined;

/** A function giving, at a binding, a key equal for equal rows or values (undefined: NULL). */
function keyFunction(compiler: TermCompiler, term: TypedTerm): (binding: Int32Array) => Key {
  const sortIsEntity =
    term.kind === 'Var'
      ? term.sort.kind === 'EntitySort'
      : term.kind === 'Fk' || term.kind === 'Gen';
  if (sortIsEntity) {
    return compiler.row(term);
  }
  const value = compiler.value(term);
  return (binding) => cellKey(value(binding) as CellValue);
}
