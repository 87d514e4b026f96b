/**
 * `sigma_validate` and `sigma_dry` in memory: what Σ_F(I) would do, without producing it.
 *
 * - `sigmaValidate` lists every problem, grouped, each with its entity, attribute or foreign
 *   key, the first `limits.reportSampleRowsMax` rows concerned and a count:
 *   `not_null` (a NOT NULL target attribute that would hold labelled nulls), `fresh_rows` (a
 *   target foreign key nothing in I determines, so Σ creates rows for it — a warning unless the
 *   target has NOT NULL attributes there), `clash` (two constants forced equal: the equation
 *   and both values), `infinite` (the foreign-key cycle), `value` (a function failed).
 * - `sigmaDry` gives, per target entity, the rows Σ would hold: how many come from I's rows,
 *   how many of those merge with another, how many the chase creates, and how many cells are
 *   left as labelled nulls; plus the problems.
 *
 * Both saturate the translated presentation (as `sigma` does) and, so that a NOT NULL problem
 * does not hide the rest, a second time over a copy of T without NOT NULL.
 */
import { limits } from '../../common/index.js';
import {
  saturateCollecting,
  Schema,
  type Mapping,
  type Presentation,
  type SaturatedInstance,
} from '../../catalog/index.js';
import { checkOnSchema } from './delta.js';
import {
  sigmaPresentation,
  sigmaPresentationOfRows,
  sigmaRowsLimit,
  type SigmaOptions,
} from './sigma.js';

export type SigmaProblemKind = 'not_null' | 'fresh_rows' | 'clash' | 'infinite' | 'value';

export interface SigmaProblem {
  readonly kind: SigmaProblemKind;
  /** The error code Σ would raise (`E_INSTANCE_…`); undefined for a warning. */
  readonly code: string | undefined;
  readonly severity: 'error' | 'warning';
  readonly entity: string | undefined;
  /** The attribute (not_null) or foreign key (fresh_rows) concerned. */
  readonly column: string | undefined;
  readonly message: string;
  /** How many rows the problem concerns. */
  readonly count: number;
  /** The first rows concerned (names of rows of the result, e.g. `e1.worksIn`). */
  readonly sampleRows: readonly string[];
}

export interface SigmaValidation {
  /** True when Σ would succeed (warnings allowed). */
  readonly ok: boolean;
  readonly problems: readonly SigmaProblem[];
}

export interface SigmaEntityStats {
  readonly entity: string;
  /** Rows of I sent to this entity (generators of the translated presentation). */
  readonly rowsIn: number;
  /** Rows of the result. */
  readonly rowsOut: number;
  /** Rows of I that share a result row with an earlier one. */
  readonly merged: number;
  /** Rows the chase creates for foreign keys nothing determines. */
  readonly created: number;
  /** Attribute cells left as labelled nulls. */
  readonly nulls: number;
}

export interface SigmaDryRun extends SigmaValidation {
  /** Per target entity, in schema order; empty when the result would be infinite. */
  readonly entities: readonly SigmaEntityStats[];
}

export function sigmaValidate(
  mapping: Mapping,
  input: SaturatedInstance,
  options: SigmaOptions = {},
): SigmaValidation {
  const { ok, problems } = sigmaDry(mapping, input, options);
  return { ok, problems };
}

export function sigmaDry(
  mapping: Mapping,
  input: SaturatedInstance,
  options: SigmaOptions = {},
): SigmaDryRun {
  checkOnSchema(input, mapping.source.entityNames(), `sigma ${mapping.name}`);
  const presentation =
    options.presentation === undefined
      ? sigmaPresentationOfRows(mapping, input)
      : sigmaPresentation(mapping, options.presentation);
  const saturateOptions = {
    name: options.name,
    location: options.location,
    instanceRowsMax: options.instanceRowsMax ?? sigmaRowsLimit(input),
    congruenceStepsMax: options.congruenceStepsMax,
  };
  const problems: SigmaProblem[] = [];
  const strict = saturateCollecting(presentation, saturateOptions);
  const notNull = new Map<
    string,
    { entity: string; column: string; rows: string[]; count: number; message: string }
  >();
  for (const error of strict.errors) {
    const details = error.details ?? {};
    switch (error.code) {
      case 'E_INSTANCE_NOT_NULL': {
        const entity = String(details['entity'] ?? '');
        const column = String(details['attribute'] ?? '');
        const key = `${entity}.${column}`;
        const group = notNull.get(key) ?? {
          entity,
          column,
          rows: [],
          count: 0,
          message: error.bareMessage,
        };
        group.count++;
        if (group.rows.length < limits.reportSampleRowsMax)
          group.rows.push(String(details['row'] ?? ''));
        notNull.set(key, group);
        break;
      }
      case 'E_INSTANCE_CLASH':
      case 'E_INSTANCE_INFINITE':
      case 'E_INSTANCE_VALUE':
        problems.push({
          kind:
            error.code === 'E_INSTANCE_CLASH'
              ? 'clash'
              : error.code === 'E_INSTANCE_INFINITE'
                ? 'infinite'
                : 'value',
          code: error.code,
          severity: 'error',
          entity: undefined,
          column: undefined,
          message: error.message,
          count: 1,
          sampleRows: [],
        });
        break;
      default:
        problems.push({
          kind: 'value',
          code: error.code,
          severity: 'error',
          entity: undefined,
          column: undefined,
          message: error.message,
          count: 1,
          sampleRows: [],
        });
    }
  }
  for (const group of notNull.values()) {
    problems.push({
      kind: 'not_null',
      code: 'E_INSTANCE_NOT_NULL',
      severity: 'error',
      entity: group.entity,
      column: group.column,
      message:
        `${group.count} row(s) of ${group.entity} would hold a labelled null in the NOT NULL ` +
        `attribute \`${group.column}\` (first: ${group.message})`,
      count: group.count,
      sampleRows: group.rows,
    });
  }
  const result =
    strict.instance ??
    (problems.some((problem) => problem.kind === 'infinite')
      ? undefined
      : saturateCollecting(
          { ...presentation, schema: withoutNotNull(presentation.schema) },
          saturateOptions,
        ).instance);
  const entities = result === undefined ? [] : statistics(presentation, result, problems);
  return { ok: !problems.some((problem) => problem.severity === 'error'), problems, entities };
}

/** Per-entity counts, and a `fresh_rows` warning per target foreign key the chase fills. */
function statistics(
  presentation: Presentation,
  result: SaturatedInstance,
  problems: SigmaProblem[],
): SigmaEntityStats[] {
  const generatorsOf = new Map<string, number>();
  for (const generator of presentation.generators) {
    if (generator.sort.kind !== 'EntitySort') continue;
    generatorsOf.set(generator.sort.entity, (generatorsOf.get(generator.sort.entity) ?? 0) + 1);
  }
  const generatorNames = new Set(
    presentation.generators.filter((g) => g.sort.kind === 'EntitySort').map((g) => g.name),
  );
  return result.tables.map((table): SigmaEntityStats => {
    let fromGenerators = 0;
    for (const name of table.rowNames) if (generatorNames.has(name)) fromGenerators++;
    let nulls = 0;
    for (const column of table.attributes.values()) {
      for (let row = 0; row < table.rowCount; row++) if (column.labels[row] !== undefined) nulls++;
    }
    for (const fk of result.schema.foreignKeysOf(table.entity)) {
      const column = table.foreignKeys.get(fk.name) as Int32Array;
      const targetNames = result.table(fk.target).rowNames;
      const rows: string[] = [];
      let count = 0;
      for (let row = 0; row < table.rowCount; row++) {
        const name = table.rowNames[row] as string;
        if (targetNames[column[row] as number] !== `${name}.${fk.name}`) continue;
        count++;
        if (rows.length < limits.reportSampleRowsMax) rows.push(name);
      }
      if (count === 0) continue;
      problems.push({
        kind: 'fresh_rows',
        code: undefined,
        severity: 'warning',
        entity: table.entity,
        column: fk.name,
        message:
          `${count} row(s) of ${table.entity} have no \`${fk.name}\` in the input: Σ creates a ` +
          `${fk.target} row for each (named like \`${rows[0]}.${fk.name}\`)`,
        count,
        sampleRows: rows,
      });
    }
    const rowsIn = generatorsOf.get(table.entity) ?? 0;
    return {
      entity: table.entity,
      rowsIn,
      rowsOut: table.rowCount,
      merged: rowsIn - fromGenerators,
      created: table.rowCount - fromGenerators,
      nulls,
    };
  });
}

/** A copy of a schema with no NOT NULL attribute (same entities, keys and indices). */
function withoutNotNull(schema: Schema): Schema {
  if (!schema.attributes.some((attribute) => attribute.notNull)) return schema;
  return new Schema({
    name: schema.name,
    typeside: schema.typeside,
    syntax: schema.syntax,
    entities: schema.entities,
    foreignKeys: schema.foreignKeys,
    attributes: schema.attributes.map((attribute) => ({ ...attribute, notNull: false })),
    pathEquations: schema.pathEquations,
    observationEquations: schema.observationEquations,
    options: schema.options,
    location: schema.location,
  });
}
