/**
 * Saturation: from a presentation (generators and equations over a schema) to its term model,
 * a `SaturatedInstance` with a definite set of rows per entity.
 *
 * 1. Entity side (catalog/entity-closure.ts): generators become rows; equations between rows
 *    (`e1.manager = e2`) merge them; the chase applies the schema's path equations and makes
 *    every foreign key total, creating a row named by its term (`e1.manager`) where nothing
 *    determines the target. A model that grows past `instanceRowsMax` rows is infinite:
 *    `E_INSTANCE_INFINITE` names the foreign-key cycle.
 * 2. Type side (catalog/type-algebra.ts): one slot per (row, attribute); equations between
 *    values (`e1.salary = 100`, `e1.age = e2.age`, `name(a) = Al`) and the schema's observation
 *    equations, instantiated at every row of their entity, merge slots and give them constants;
 *    functions with an implementation are folded; the typeside's equations are applied where
 *    they match (bounded). Two different constants in one class are `E_INSTANCE_CLASH`.
 * 3. Every slot with a constant gets that value; every other slot a labelled null named by the
 *    first term of its class (`e1.manager.salary`). A NOT NULL attribute (compact `!`) left
 *    without a value is `E_INSTANCE_NOT_NULL`, naming the entity, row and attribute.
 *
 * `saturate(presentation)` is the entry point other layers use (the functor layer computes
 * Σ_F(I) as the saturation of the translated presentation). `Saturator` is the same machine
 * with a fast path for row-by-row facts, used for compact instances.
 */
import {
  CatrustError,
  formatLocation,
  formatValue,
  limits,
  type Scalar,
  type SourceLocation,
  type Value,
} from '../common/index.js';
import { EntityClosure, InfiniteModel } from './entity-closure.js';
import { CatalogError, type CatalogWarning } from './errors.js';
import type { Attribute, ForeignKey, Schema } from './schema.js';
import type { AttributeColumn, InstanceTable } from './saturated-instance.js';
import { SaturatedInstance } from './saturated-instance.js';
import { printTypedTerm, type TermSort, type TypedEquation, type TypedTerm } from './term.js';
import { TypeAlgebra, type TypeConstant } from './type-algebra.js';
import { applyTypesideEquations } from './typeside-rewriting.js';

/** A generator of a presentation: a row of an entity, or a labelled null of a type sort. */
export interface PresentationGenerator {
  readonly name: string;
  readonly sort: TermSort;
  readonly location?: SourceLocation | undefined;
}

/** An instance presentation: generators and equations over a schema. */
export interface Presentation {
  readonly schema: Schema;
  readonly generators: readonly PresentationGenerator[];
  readonly equations: readonly TypedEquation[];
}

export interface SaturateOptions {
  /** The instance's name, for messages. */
  readonly name?: string | undefined;
  /** Where the instance is declared (for errors that no single equation caused). */
  readonly location?: SourceLocation | undefined;
  /** Rows past which the model is declared infinite (default `limits.instanceRowsMax`). */
  readonly instanceRowsMax?: number | undefined;
  /** Steps of typeside-equation matching (default `limits.congruenceStepsMax`). */
  readonly congruenceStepsMax?: number | undefined;
  /**
   * Whether a NOT NULL attribute (compact `!`) left without a value is an error (default true).
   * False for instances that are not data but shapes — Π's representables y(X), whose unknown
   * values stand for whatever the source rows will give them.
   */
  readonly checkNotNull?: boolean | undefined;
  /**
   * Where a generator added without a location was declared, asked only when an error names
   * it (compact rows: a location per row would be made for nothing on the success path).
   */
  readonly generatorLocation?: ((name: string) => SourceLocation | undefined) | undefined;
}

/** What the caller knows about an equation id: its text and where it was written. */
export type DescribeEquation = (id: number) => {
  readonly text: string;
  readonly location: SourceLocation | undefined;
};

/** The errors of one saturation (all of them, up to `validateErrorsMax`). */
export class SaturationFailed extends Error {
  constructor(readonly errors: readonly CatalogError[]) {
    super(errors[0]?.message ?? 'saturation failed');
    this.name = 'SaturationFailed';
  }
}

/** Saturate a presentation; throws the first `CatalogError` when it has errors. */
export function saturate(
  presentation: Presentation,
  options: SaturateOptions = {},
): SaturatedInstance {
  const result = saturateCollecting(presentation, options);
  const first = result.errors[0];
  if (result.instance === undefined || first !== undefined) {
    throw first ?? new CatalogError('E_INSTANCE_VALUE', 'saturation failed');
  }
  return result.instance;
}

export interface SaturationResult {
  /** The saturated instance; undefined when there are errors. */
  readonly instance: SaturatedInstance | undefined;
  /** Every error (clashes, NOT NULL, an infinite model…), up to `validateErrorsMax`. */
  readonly errors: readonly CatalogError[];
  readonly warnings: readonly CatalogWarning[];
}

/** Saturate a presentation and report every error instead of throwing the first. */
export function saturateCollecting(
  presentation: Presentation,
  options: SaturateOptions = {},
): SaturationResult {
  // Sized for the generators (the chase grows it when it makes rows): most instances of a
  // program are small, and the default capacity made each one allocate 1,024 slots per array.
  const saturator = new Saturator(
    presentation.schema,
    options,
    (id) => {
      const equation = presentation.equations[id];
      return { text: equation?.text ?? `equation ${id}`, location: equation?.location };
    },
    presentation.generators.length + 16,
  );
  try {
    for (const generator of presentation.generators) saturator.addGenerator(generator);
    const typeEquations: number[] = [];
    presentation.equations.forEach((equation, id) => {
      if (denotesRow(equation.lhs)) {
        saturator.equateRows(equation.lhs, equation.rhs, id);
      } else {
        typeEquations.push(id);
      }
    });
    saturator.closeEntities();
    for (const id of typeEquations) {
      const equation = presentation.equations[id] as TypedEquation;
      saturator.equateValues(equation.lhs, equation.rhs, id);
    }
    const instance = saturator.finish();
    return { instance, errors: [], warnings: saturator.warnings };
  } catch (thrown) {
    if (thrown instanceof SaturationFailed) {
      return { instance: undefined, errors: thrown.errors, warnings: saturator.warnings };
    }
    if (thrown instanceof CatalogError) {
      return { instance: undefined, errors: [thrown], warnings: saturator.warnings };
    }
    throw thrown;
  }
}

/** Whether `sortOf(term)` is an entity sort, without making the sort. */
function denotesRow(term: TypedTerm): boolean {
  switch (term.kind) {
    case 'Gen':
    case 'Fk':
      return true;
    case 'Var':
      return term.sort.kind === 'EntitySort';
    default:
      return false;
  }
}

/** Equation ids: ≥ 0 the caller's, −1 the typeside's, ≤ −2 observation equations at a row. */
const TYPESIDE_EQUATION = -1;
const OBSERVATION = -2;

export class Saturator {
  readonly schema: Schema;
  readonly errors: CatalogError[] = [];
  readonly warnings: CatalogWarning[] = [];
  readonly #options: SaturateOptions;
  readonly #describe: DescribeEquation;
  readonly #closure: EntityClosure;
  readonly #generatorNodes = new Map<string, number>();
  readonly #labelledNulls: PresentationGenerator[] = [];
  readonly #labelledNullNodes = new Map<string, number>();
  #applications: Map<number, number> | undefined;
  #algebra: TypeAlgebra | undefined;
  /** After closeEntities: row index of each class root; rows per entity; root of each row. */
  #rowOf = new Int32Array(0);
  #rootsOf: Int32Array[] = [];
  #slotBase: number[] = [];
  #foreignKeyTables: Int32Array[] = [];

  constructor(
    schema: Schema,
    options: SaturateOptions,
    describe: DescribeEquation,
    capacityHint = 1024,
  ) {
    this.schema = schema;
    this.#options = options;
    this.#describe = describe;
    this.#closure = new EntityClosure(
      schema,
      options.instanceRowsMax ?? limits.instanceRowsMax,
      capacityHint,
    );
  }

  #fail(error: CatalogError): void {
    if (this.errors.length < limits.validateErrorsMax) this.errors.push(error);
  }

  #guard<T>(action: () => T): T {
    try {
      return action();
    } catch (thrown) {
      if (thrown instanceof InfiniteModel) throw this.#infinite(thrown);
      throw thrown;
    }
  }

  #infinite(thrown: InfiniteModel): SaturationFailed {
    if (thrown.cycle.length === 0) {
      // Rows were created along no cycle: a finite instance larger than the limit.
      this.#fail(
        new CatalogError(
          'E_INSTANCE_TOO_LARGE',
          `instance${this.#options.name ? ` \`${this.#options.name}\`` : ''} has more than ` +
            `${this.#closure.rowsMax} rows (the limit instanceRowsMax); no foreign-key cycle is involved`,
          {
            location: this.#options.location,
            hint: 'the instance is finite but larger than the limit: raise instanceRowsMax',
            details: { limit: 'instanceRowsMax', max: this.#closure.rowsMax, rows: thrown.rows },
          },
        ),
      );
      return new SaturationFailed(this.errors);
    }
    const cycle = thrown.cycle.map((fk) => `${fk.source}.${fk.name}`).join(' → ');
    const first = thrown.cycle[0];
    const error = new CatalogError(
      'E_INSTANCE_INFINITE',
      `instance${this.#options.name ? ` \`${this.#options.name}\`` : ''} has more than ` +
        `${this.#closure.rowsMax} rows: the foreign keys ${cycle}${first ? ` → ${first.source}` : ''} ` +
        'form a cycle that no equation closes',
      {
        location: this.#options.location,
        hint: 'add an equation that closes the cycle (e.g. a path equation or `x.fk = y`)',
        details: { cycle: thrown.cycle.map((fk) => `${fk.source}.${fk.name}`), rows: thrown.rows },
      },
    );
    this.#fail(error);
    return new SaturationFailed(this.errors);
  }

  /** Add a generator (all generators before any equation). */
  addGenerator(generator: PresentationGenerator): number {
    if (generator.sort.kind === 'TypeSort') {
      this.#labelledNulls.push(generator);
      return -1;
    }
    const entity = this.schema.entity(generator.sort.entity);
    if (entity === undefined)
      throw new CatalogError('E_CATALOG_UNKNOWN', `unknown entity \`${generator.sort.entity}\``);
    const node = this.#guard(() => this.#closure.addGenerator(generator.name, entity.index));
    this.#generatorNodes.set(generator.name, node);
    this.locateGenerator(generator.name, generator.location);
    return node;
  }

  sortOf(term: TypedTerm): TermSort {
    switch (term.kind) {
      case 'Gen':
        return { kind: 'EntitySort', entity: term.entity };
      case 'Fk':
        return { kind: 'EntitySort', entity: term.foreignKey.target };
      case 'Var':
        return term.sort;
      default:
        return { kind: 'TypeSort', sort: '' };
    }
  }

  #rowNode(term: TypedTerm): number {
    switch (term.kind) {
      case 'Gen': {
        const node = this.#generatorNodes.get(term.name);
        if (node === undefined)
          throw new CatalogError('E_CATALOG_UNKNOWN', `unknown generator \`${term.name}\``);
        return node;
      }
      case 'Fk':
        return this.#closure.follow(this.#rowNode(term.argument), term.foreignKey.index);
      default:
        throw new CatalogError('E_CATALOG_TYPE', `\`${printTypedTerm(term)}\` is not a row`);
    }
  }

  /** `lhs = rhs` between two rows (before `closeEntities`). */
  equateRows(lhs: TypedTerm, rhs: TypedTerm, equation: number): void {
    void equation;
    this.#guard(() => this.#closure.union(this.#rowNode(lhs), this.#rowNode(rhs)));
  }

  /** `generator.fk = target` (fast path of compact rows; before `closeEntities`). */
  setForeignKey(generator: number, foreignKey: ForeignKey, target: number): void {
    this.#guard(() => this.#closure.setForeignKey(generator, foreignKey.index, target));
  }

  /** Run the chase and fix the rows; after this only value equations may be added. */
  closeEntities(): void {
    this.#guard(() => this.#closure.chase());
    const closure = this.#closure;
    const counts = new Int32Array(this.schema.entities.length);
    this.#rowOf = new Int32Array(closure.size).fill(-1);
    for (let node = 0; node < closure.size; node++) {
      if (closure.find(node) !== node) continue;
      const entity = closure.entityOf(node);
      this.#rowOf[node] = counts[entity] as number;
      counts[entity] = (counts[entity] as number) + 1;
    }
    this.#rootsOf = this.schema.entities.map(
      (entity) => new Int32Array(counts[entity.index] as number),
    );
    for (let node = 0; node < closure.size; node++) {
      const row = this.#rowOf[node] as number;
      if (row >= 0) (this.#rootsOf[closure.entityOf(node)] as Int32Array)[row] = node;
    }
    this.#foreignKeyTables = this.schema.foreignKeys.map((fk) => {
      const roots = this.#rootsOf[this.#entityIndex(fk.source)] as Int32Array;
      const table = new Int32Array(roots.length);
      for (let row = 0; row < roots.length; row++) {
        table[row] = this.#rowOf[closure.foreignKeyValue(roots[row] as number, fk.index)] as number;
      }
      return table;
    });
    let slots = this.#labelledNulls.length;
    this.#slotBase = this.schema.attributes.map((attribute) => {
      const base = slots;
      slots += (this.#rootsOf[this.#entityIndex(attribute.entity)] as Int32Array).length;
      return base;
    });
    const algebra = new TypeAlgebra(
      {
        clash: (equation, first, second, other) => this.#clash(equation, first, second, other),
        evaluationFailed: (equation, fn, error) => {
          const { text, location } = this.#describeAny(equation);
          const reason = error instanceof Error ? error.message : String(error);
          this.#fail(
            new CatalogError(
              'E_INSTANCE_VALUE',
              `in \`${text}\`, ${fn.name} cannot be evaluated: ${reason}`,
              {
                location,
              },
            ),
          );
        },
      },
      slots + 16,
    );
    algebra.addNodes(slots);
    this.#labelledNulls.forEach((generator, index) =>
      this.#labelledNullNodes.set(generator.name, index),
    );
    this.#algebra = algebra;
    this.#applications = undefined;
  }

  #entityIndex(entity: string): number {
    return this.schema.entity(entity)?.index ?? -1;
  }

  /** The row (index in its entity's table) a generator ended up in. */
  rowOfGenerator(generator: number): number {
    return this.#rowOf[this.#closure.find(generator)] as number;
  }

  #rowOfTerm(term: TypedTerm, binding: number): number {
    switch (term.kind) {
      case 'Gen':
        return this.rowOfGenerator(this.#rowNode(term));
      case 'Var':
        return binding;
      case 'Fk':
        return (this.#foreignKeyTables[term.foreignKey.index] as Int32Array)[
          this.#rowOfTerm(term.argument, binding)
        ] as number;
      default:
        throw new CatalogError('E_CATALOG_TYPE', `\`${printTypedTerm(term)}\` is not a row`);
    }
  }

  #slot(attribute: Attribute, row: number): number {
    return (this.#slotBase[attribute.index] as number) + row;
  }

  #valueNode(term: TypedTerm, binding: number, equation: number): number {
    const algebra = this.#algebra as TypeAlgebra;
    switch (term.kind) {
      case 'Att':
        return this.#slot(term.attribute, this.#rowOfTerm(term.argument, binding));
      case 'Sk': {
        const node = this.#labelledNullNodes.get(term.name);
        if (node === undefined)
          throw new CatalogError('E_CATALOG_UNKNOWN', `unknown generator \`${term.name}\``);
        return node;
      }
      case 'Literal':
        return algebra.constantNode(term.sort, { value: term.value, symbol: false }, equation);
      case 'Null':
        return algebra.constantNode(term.sort, { value: null, symbol: false }, equation);
      case 'Const': {
        const constant = term.constant;
        const value: TypeConstant =
          constant.value === undefined
            ? { value: constant.name, symbol: true }
            : { value: constant.value, symbol: false };
        return algebra.constantNode(constant.sort, value, equation);
      }
      case 'Apply':
        return algebra.applyNode(
          term.function,
          term.args.map((arg) => this.#valueNode(arg, binding, equation)),
          equation,
        );
      default:
        throw new CatalogError('E_CATALOG_TYPE', `\`${printTypedTerm(term)}\` is not a value`);
    }
  }

  /** `lhs = rhs` between two values (after `closeEntities`). */
  equateValues(lhs: TypedTerm, rhs: TypedTerm, equation: number): void {
    const algebra = this.#algebra as TypeAlgebra;
    if (lhs.kind === 'Literal' && rhs.kind === 'Att') {
      this.equateValues(rhs, lhs, equation);
      return;
    }
    if (rhs.kind === 'Literal' && lhs.kind === 'Att') {
      algebra.assign(
        this.#valueNode(lhs, -1, equation),
        { value: rhs.value, symbol: false },
        equation,
      );
      return;
    }
    algebra.union(this.#valueNode(lhs, -1, equation), this.#valueNode(rhs, -1, equation), equation);
  }

  /** `generator.attribute = value` (fast path of compact rows; after `closeEntities`). */
  setAttribute(generator: number, attribute: Attribute, value: Value, equation: number): void {
    const slot = this.#slot(attribute, this.rowOfGenerator(generator));
    (this.#algebra as TypeAlgebra).assign(slot, { value, symbol: false }, equation);
  }

  #describeAny(equation: number): { text: string; location: SourceLocation | undefined } {
    if (equation === TYPESIDE_EQUATION) {
      return { text: 'an equation of the typeside', location: this.schema.typeside.location };
    }
    if (equation > OBSERVATION) return this.#describe(equation);
    const count = Math.max(1, this.schema.observationEquations.length);
    const index = (OBSERVATION - equation) % count;
    const row = Math.floor((OBSERVATION - equation) / count);
    const observation = this.schema.observationEquations[index];
    const entity = observation?.entity ?? '';
    const rowName = this.#rowName(entity, row);
    return {
      text: `${observation?.text ?? 'observation equation'} at ${entity} row \`${rowName}\``,
      location: observation?.location,
    };
  }

  #formatConstant(constant: TypeConstant, sort: string | undefined): string {
    if (constant.value === null) return 'null';
    if (constant.symbol) return constant.value as string;
    const scalarType = sort === undefined ? undefined : this.schema.typeside.sort(sort)?.scalarType;
    const text =
      scalarType === undefined ? String(constant.value) : formatValue(scalarType, constant.value);
    return typeof constant.value === 'string' ? JSON.stringify(text) : text;
  }

  #clash(equation: number, first: TypeConstant, second: TypeConstant, other: number): void {
    const { text, location } = this.#describeAny(equation);
    const previous = other === -1 ? undefined : this.#describeAny(other);
    const a = this.#formatConstant(first, undefined);
    const b = this.#formatConstant(second, undefined);
    const where = previous?.location ? ` at ${formatLocation(previous.location)}` : '';
    this.#fail(
      new CatalogError(
        'E_INSTANCE_CLASH',
        `equation \`${text}\` forces two different constants to be equal: ${a} and ${b}` +
          (previous && previous.text !== text
            ? ` (${a} comes from \`${previous.text}\`${where})`
            : ''),
        {
          location,
          details: {
            equation: text,
            values: [a, b],
            ...(previous ? { other: previous.text } : {}),
          },
        },
      ),
    );
  }

  #rowNameMemo = new Map<number, string>();

  #rowName(entity: string, row: number): string {
    const roots = this.#rootsOf[this.#entityIndex(entity)];
    const root = roots?.[row];
    return root === undefined ? `#${row}` : this.#closure.nameOf(root, this.#rowNameMemo);
  }

  /**
   * Whether two terms (over the generators) are equal in the saturated model: 'equal' when
   * they denote one row or one class of values, 'constants' when they hold two different
   * constants, 'distinct' otherwise (not provably equal). Call after `finish`.
   */
  compare(lhs: TypedTerm, rhs: TypedTerm): 'equal' | 'constants' | 'distinct' {
    if (this.sortOf(lhs).kind === 'EntitySort') {
      return this.#rowOfTerm(lhs, -1) === this.#rowOfTerm(rhs, -1) ? 'equal' : 'distinct';
    }
    const algebra = this.#algebra as TypeAlgebra;
    const left = algebra.find(this.#valueNode(lhs, -1, TYPESIDE_EQUATION));
    const right = algebra.find(this.#valueNode(rhs, -1, TYPESIDE_EQUATION));
    if (left === right) return 'equal';
    const a = algebra.constantOf(left);
    const b = algebra.constantOf(right);
    return a !== undefined && b !== undefined ? 'constants' : 'distinct';
  }

  /** Observation equations, typeside equations, then the tables; throws on any error. */
  finish(): SaturatedInstance {
    const algebra = this.#algebra as TypeAlgebra;
    const count = this.schema.observationEquations.length;
    this.schema.observationEquations.forEach((observation, index) => {
      const roots = this.#rootsOf[this.#entityIndex(observation.entity)] as Int32Array;
      for (let row = 0; row < roots.length; row++) {
        const id = OBSERVATION - (row * count + index);
        algebra.union(
          this.#valueNode(observation.lhs, row, id),
          this.#valueNode(observation.rhs, row, id),
          id,
        );
      }
    });
    if (this.schema.typeside.equations.length > 0) {
      const complete = applyTypesideEquations(
        algebra,
        this.schema.typeside,
        this.#options.congruenceStepsMax ?? limits.congruenceStepsMax,
      );
      if (!complete) {
        this.warnings.push({
          code: 'W_TYPESIDE_EQUATIONS',
          message:
            `the equations of typeside \`${this.schema.typeside.name}\` were not applied to a ` +
            `fixed point within congruenceStepsMax steps: some values may be left as labelled nulls`,
          location: this.#options.location,
        });
      }
    }
    if (this.errors.length > 0) throw new SaturationFailed(this.errors);
    const generatorRows = new Map<string, number>();
    for (const [name, node] of this.#generatorNodes)
      generatorRows.set(name, this.rowOfGenerator(node));
    const instance = new SaturatedInstance(
      this.schema,
      this.schema.entities.map((entity) => this.#table(entity.index)),
      generatorRows,
    );
    if (this.#options.checkNotNull !== false) this.#checkNotNull(instance);
    if (this.errors.length > 0) throw new SaturationFailed(this.errors);
    return instance;
  }

  #table(entityIndex: number): InstanceTable {
    const entity = this.schema.entities[entityIndex]?.name ?? '';
    const roots = this.#rootsOf[entityIndex] as Int32Array;
    const rowNames: string[] = new Array<string>(roots.length);
    for (let row = 0; row < roots.length; row++) rowNames[row] = this.#rowName(entity, row);
    const foreignKeys = new Map<string, Int32Array>();
    for (const fk of this.schema.foreignKeysOf(entity)) {
      foreignKeys.set(fk.name, this.#foreignKeyTables[fk.index] as Int32Array);
    }
    const attributes = new Map<string, AttributeColumn>();
    for (const attribute of this.schema.attributesOf(entity)) {
      attributes.set(attribute.name, this.#column(attribute, rowNames));
    }
    return { entity, rowCount: roots.length, rowNames, foreignKeys, attributes };
  }

  #column(attribute: Attribute, rowNames: readonly string[]): AttributeColumn {
    const algebra = this.#algebra as TypeAlgebra;
    const values: Value[] = new Array<Value>(rowNames.length);
    const labels: (string | undefined)[] = new Array<string | undefined>(rowNames.length);
    const base = this.#slotBase[attribute.index] as number;
    for (let row = 0; row < rowNames.length; row++) {
      const root = algebra.find(base + row);
      const constant = algebra.constantOf(root);
      if (constant !== undefined && !(constant.symbol && attribute.scalarType !== undefined)) {
        values[row] = constant.value === null ? null : this.#store(attribute, constant.value);
        labels[row] = undefined;
      } else {
        values[row] = null;
        labels[row] = constant !== undefined ? String(constant.value) : this.#termOf(root);
      }
    }
    return { attribute, values, labels };
  }

  /**
   * The term a labelled null prints as (as the reference CQL's normal forms do): a generator's
   * name; else, when the class holds a function application that nothing could fold (an
   * observation equation over an unknown value: `plus(610000, w3.bonus)`), that application with
   * its arguments printed the same way; else the first slot's `row.attribute`.
   */
  #termOf(root: number, visiting?: Set<number>): string {
    if (root < this.#labelledNulls.length || visiting?.has(root)) return this.#labelOf(root);
    const algebra = this.#algebra as TypeAlgebra;
    const application = this.#applicationByRoot().get(root);
    const applied = application === undefined ? undefined : algebra.application(application);
    if (applied === undefined) return this.#labelOf(root);
    // The set of classes being printed is made only when there is an application to print.
    visiting ??= new Set<number>();
    visiting.add(root);
    const args = Array.from(applied.args, (arg) => {
      const argRoot = algebra.find(arg);
      const constant = algebra.constantOf(argRoot);
      return constant !== undefined && constant.value !== null
        ? String(constant.value)
        : this.#termOf(argRoot, visiting);
    });
    visiting.delete(root);
    return `${applied.fn.name}(${args.join(', ')})`;
  }

  /** Each class's first function application (built once, when a labelled null needs it). */
  #applicationByRoot(): Map<number, number> {
    if (this.#applications !== undefined) return this.#applications;
    const algebra = this.#algebra as TypeAlgebra;
    const byRoot = new Map<number, number>();
    for (const node of algebra.applicationNodes()) {
      const root = algebra.find(node);
      if (!byRoot.has(root)) byRoot.set(root, node);
    }
    this.#applications = byRoot;
    return byRoot;
  }

  #store(attribute: Attribute, value: Scalar): Scalar {
    return attribute.scalarType === undefined && typeof value !== 'string' ? String(value) : value;
  }

  /** The name of a labelled null: its generator, or the first slot's `row.attribute`. */
  #labelOf(root: number): string {
    if (root < this.#labelledNulls.length)
      return (this.#labelledNulls[root] as PresentationGenerator).name;
    let attributeIndex = 0;
    for (let index = 0; index < this.#slotBase.length; index++) {
      if ((this.#slotBase[index] as number) <= root) attributeIndex = index;
    }
    const attribute = this.schema.attributes[attributeIndex] as Attribute;
    const row = root - (this.#slotBase[attributeIndex] as number);
    return `${this.#rowName(attribute.entity, row)}.${attribute.name}`;
  }

  #checkNotNull(instance: SaturatedInstance): void {
    for (const attribute of this.schema.attributes) {
      if (!attribute.notNull) continue;
      const table = instance.table(attribute.entity);
      const column = table.attributes.get(attribute.name) as AttributeColumn;
      for (let row = 0; row < table.rowCount; row++) {
        if (column.values[row] !== null) continue;
        const label = column.labels[row];
        const rowName = table.rowNames[row] as string;
        this.#fail(
          new CatalogError(
            'E_INSTANCE_NOT_NULL',
            `${attribute.entity} row \`${rowName}\` has no value for the NOT NULL attribute ` +
              `\`${attribute.name}\`${label === undefined ? ' (it is null)' : ` (it would be the labelled null ${label})`}`,
            {
              location: this.#generatorLocation(rowName) ?? this.#options.location,
              details: { entity: attribute.entity, row: rowName, attribute: attribute.name },
            },
          ),
        );
      }
    }
  }

  readonly #generatorLocations = new Map<string, SourceLocation>();

  /** Remember where a generator was declared (for NOT NULL errors). */
  locateGenerator(name: string, location: SourceLocation | undefined): void {
    if (location !== undefined) this.#generatorLocations.set(name, location);
  }

  #generatorLocation(rowName: string): SourceLocation | undefined {
    return this.#generatorLocations.get(rowName) ?? this.#options.generatorLocation?.(rowName);
  }
}

/** Saturation errors as a list (a `SaturationFailed`, or any other `CatrustError`). */
export function saturationErrors(thrown: unknown): readonly CatrustError[] | undefined {
  if (thrown instanceof SaturationFailed) return thrown.errors;
  if (thrown instanceof CatrustError) return [thrown];
  return undefined;
}
