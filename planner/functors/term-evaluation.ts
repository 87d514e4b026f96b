/**
 * Evaluating terms of a schema over the rows of a saturated instance: Δ evaluates a mapping's
 * attribute terms at the rows of the target, `eval` evaluates a query's `where`, attribute and
 * foreign-key terms at tuples of source rows.
 *
 * A term is compiled once into a closure over a *binding* (an `Int32Array`, one row index per
 * variable, by position) and then run per row, so the per-row work is array reads.
 *
 * Values: a cell is a value, SQL NULL (the compact dialect's `null`), or a labelled null (an
 * unknown value named by its term; two cells with one label are the same unknown). A typeside
 * function applied to values is folded when the typeside implements it; applied to a labelled
 * null (or when it has no implementation) the result is the labelled null named by the printed
 * application, `plus(e1.age, 1)`, so equal applications stay equal. SQL NULL propagates: a
 * function of a NULL is NULL. The typeside's equations are not applied here (Σ, which saturates,
 * applies them).
 *
 * Foreign keys and attributes are looked up by entity and name, so a term of a schema equal by
 * name to the instance's (a mapping checked against another copy of it) evaluates the same.
 */
import { assertNever, formatValue, type Scalar, type Value } from '../../common/index.js';
import {
  printTypedTerm,
  type SaturatedInstance,
  type TypedTerm,
  type Typeside,
} from '../../catalog/index.js';
import { FunctorError } from './errors.js';

/** One evaluated cell: `label` set for a labelled null; `value` null and no label for NULL. */
export interface CellValue {
  readonly value: Value;
  readonly label: string | undefined;
}

export type RowFunction = (binding: Int32Array) => number;
export type ValueFunction = (binding: Int32Array) => CellValue;

const NULL_CELL: CellValue = Object.freeze({ value: null, label: undefined });

/**
 * A key that two cells share exactly when they are equal (undefined: NULL equals nothing):
 * the value itself for numbers, bigints and booleans (no allocation), a tagged string for
 * strings and labelled nulls.
 */
export function cellKey(cell: CellValue): string | number | bigint | boolean | undefined {
  if (cell.label !== undefined) return `l${cell.label}`;
  const value = cell.value;
  if (value === null) return undefined;
  return typeof value === 'string' ? `v${value}` : value;
}

/** Printed form of a cell inside a label (`plus(e1.age, 1)`). */
export function cellText(cell: CellValue, typeside: Typeside, sort: string): string {
  if (cell.label !== undefined) return cell.label;
  if (cell.value === null) return 'null';
  const scalarType = typeside.sort(sort)?.scalarType;
  const text = scalarType === undefined ? String(cell.value) : formatValue(scalarType, cell.value);
  return typeof cell.value === 'string' ? JSON.stringify(text) : text;
}

export class TermCompiler {
  readonly #instance: SaturatedInstance;
  readonly #variables: ReadonlyMap<string, number>;

  /** `variables`: variable name → its position in the binding. */
  constructor(instance: SaturatedInstance, variables: ReadonlyMap<string, number>) {
    this.#instance = instance;
    this.#variables = variables;
  }

  /** A term whose sort is an entity: the row it reaches. */
  row(term: TypedTerm): RowFunction {
    switch (term.kind) {
      case 'Var': {
        const position = this.#position(term.name);
        return (binding) => binding[position] as number;
      }
      case 'Fk': {
        const inner = this.row(term.argument);
        const column = this.#instance
          .table(term.foreignKey.source)
          .foreignKeys.get(term.foreignKey.name);
        if (column === undefined) throw this.#unknown(`foreign key`, term);
        return (binding) => column[inner(binding)] as number;
      }
      case 'Gen':
      case 'Sk':
      case 'Att':
      case 'Const':
      case 'Literal':
      case 'Null':
      case 'Apply':
        throw new FunctorError(
          'E_FUNCTOR_UNSUPPORTED',
          `\`${printTypedTerm(term)}\` is not a row term over variables (a ${term.kind} here ` +
            'cannot be evaluated at a row)',
        );
      default:
        return assertNever(term, 'term');
    }
  }

  /** A term whose sort is a type: its cell. */
  value(term: TypedTerm): ValueFunction {
    const typeside = this.#instance.schema.typeside;
    switch (term.kind) {
      case 'Att': {
        const inner = this.row(term.argument);
        const column = this.#instance
          .table(term.attribute.entity)
          .attributes.get(term.attribute.name);
        if (column === undefined) throw this.#unknown('attribute', term);
        const { values, labels } = column;
        return (binding) => {
          const row = inner(binding);
          const label = labels[row];
          const value = values[row] ?? null;
          return label === undefined && value === null ? NULL_CELL : { value, label };
        };
      }
      case 'Literal': {
        const cell: CellValue = { value: term.value, label: undefined };
        return () => cell;
      }
      case 'Null':
        return () => NULL_CELL;
      case 'Const': {
        const constant = term.constant;
        const interpreted = typeside.sort(constant.sort)?.scalarType !== undefined;
        // As saturation stores them: a symbol of an uninterpreted sort is its name as a value;
        // a symbol of an interpreted sort without a literal reading is an unknown of that name.
        const cell: CellValue =
          constant.value !== undefined
            ? { value: constant.value, label: undefined }
            : interpreted
              ? { value: null, label: constant.name }
              : { value: constant.name, label: undefined };
        return () => cell;
      }
      case 'Sk': {
        const cell: CellValue = { value: null, label: term.name };
        return () => cell;
      }
      case 'Apply':
        return this.#apply(term);
      case 'Var':
      case 'Gen':
      case 'Fk':
        throw new FunctorError(
          'E_FUNCTOR_UNSUPPORTED',
          `\`${printTypedTerm(term)}\` is a row, not a value`,
        );
      default:
        return assertNever(term, 'term');
    }
  }

  #apply(term: Extract<TypedTerm, { kind: 'Apply' }>): ValueFunction {
    const typeside = this.#instance.schema.typeside;
    const fn = term.function;
    const args = term.args.map((arg) => this.value(arg));
    const implementation = fn.implementation;
    const evaluate = implementation.kind === 'uninterpreted' ? undefined : implementation.evaluate;
    return (binding) => {
      const cells = args.map((arg) => arg(binding));
      if (cells.some((cell) => cell.value === null && cell.label === undefined)) return NULL_CELL;
      if (evaluate !== undefined && cells.every((cell) => cell.label === undefined)) {
        try {
          return { value: evaluate(cells.map((cell) => cell.value as Scalar)), label: undefined };
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new FunctorError(
            'E_FUNCTOR_VALUE',
            `${fn.name} cannot be evaluated on (${cells
              .map((cell, index) => cellText(cell, typeside, fn.argumentSorts[index] ?? ''))
              .join(', ')}): ${reason}`,
            { details: { function: fn.name } },
          );
        }
      }
      const printed = cells.map((cell, index) =>
        cellText(cell, typeside, fn.argumentSorts[index] ?? ''),
      );
      return { value: null, label: `${fn.name}(${printed.join(', ')})` };
    };
  }

  #position(name: string): number {
    const position = this.#variables.get(name);
    if (position === undefined) {
      throw new FunctorError('E_FUNCTOR_UNSUPPORTED', `unbound variable \`${name}\` in a term`);
    }
    return position;
  }

  #unknown(what: string, term: TypedTerm): FunctorError {
    return new FunctorError(
      'E_FUNCTOR_MISMATCH',
      `the instance has no ${what} for \`${printTypedTerm(term)}\`: it is not on the schema ` +
        `the term is written in`,
    );
  }
}
