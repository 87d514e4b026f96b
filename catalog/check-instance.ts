/**
 * Checking instance expressions and saturating the ones given by a presentation.
 *
 * - `literal : S { imports … generators … equations … multi_equations … }`: generators of
 *   entities (rows) or of type sorts (labelled nulls), unique; equations type-checked (a
 *   literal takes the sort of the other side and is parsed exactly); `f -> {a x, b y}` is
 *   `f(a) = x, f(b) = y`. Then saturated (catalog/saturate.ts).
 * - compact rows `instance I : S { Entity { gen: field = value, … } … }` (rows.ts).
 * - `empty : S`; a name (another instance).
 * - `sigma F I`, `delta F I`, `pi F I`, `eval Q I`: the schemas must line up (F : S → T with I
 *   on S for Σ and Π, on T for Δ; Q : S → T with I on S); the rows come from the evaluator.
 */
import {
  asCatrustError,
  assertNever,
  CatrustError,
  didYouMean,
  type SourceLocation,
} from '../common/index.js';
import type { GeneratorDecl, InstanceExp, InstanceLiteral, Term } from '../cql/index.js';
import type { Env } from './check-context.js';
import { checkMappingExp } from './check-mapping.js';
import { checkQueryExp } from './check-query.js';
import { checkSchemaExp } from './check-schema.js';
import { TermChecker, TermRejected } from './check-term.js';
import { checkInstanceRows } from './check-rows.js';
import { CheckedInstance, type InstanceDefinition } from './checked-program.js';
import { AbandonDeclaration } from './errors.js';
import { saturateCollecting, type Presentation, type PresentationGenerator } from './saturate.js';
import type { SaturatedInstance } from './saturated-instance.js';
import type { Schema } from './schema.js';
import type { Typeside } from './typeside.js';
import {
  mapTerm,
  printTypedTerm,
  type TermSort,
  type TypedEquation,
  type TypedTerm,
} from './term.js';

export function checkInstanceExp(env: Env, exp: InstanceExp, name: string): CheckedInstance {
  const location = env.locate(exp.span);
  switch (exp.kind) {
    case 'InstanceVar': {
      const other = env.instance(exp.name);
      return new CheckedInstance(
        name,
        other.schema,
        other.definition,
        other.presentation,
        location,
        other.evaluated ? other.rows() : undefined,
      );
    }
    case 'InstanceEmpty': {
      const schema = checkSchemaExp(env, exp.schema, `schema of ${name}`);
      return saturated(
        env,
        name,
        schema,
        { kind: 'empty' },
        { schema, generators: [], equations: [] },
        location,
      );
    }
    case 'InstanceLiteral': {
      const presentation = literalPresentation(env, exp, name);
      return saturated(env, name, presentation.schema, { kind: 'literal' }, presentation, location);
    }
    case 'InstanceRows':
      return checkInstanceRows(env, exp, name);
    case 'InstanceMigration':
    case 'InstanceEval':
      return checkDerivedInstance(env, exp, name);
    default:
      return assertNever(exp, 'instance expression');
  }
}

/** Saturate a presentation, reporting every error; abandons the declaration on any. */
function saturated(
  env: Env,
  name: string,
  schema: Schema,
  definition: InstanceDefinition,
  presentation: Presentation,
  location: CheckedInstance['location'],
): CheckedInstance {
  const result = saturateCollecting(presentation, {
    name,
    location,
    instanceRowsMax: env.instanceRowsMax,
    congruenceStepsMax: env.congruenceStepsMax,
  });
  for (const error of result.errors) env.diagnostics.add(error);
  env.diagnostics.warnings.push(...result.warnings);
  if (result.instance === undefined) throw new AbandonDeclaration();
  return new CheckedInstance(name, schema, definition, presentation, location, result.instance);
}

function literalPresentation(env: Env, literal: InstanceLiteral, name: string): Presentation {
  const diagnostics = env.diagnostics;
  const errorsBefore = diagnostics.errorCount;
  const schema = checkSchemaExp(env, literal.schema, `schema of ${name}`);
  const generators: PresentationGenerator[] = [];
  const equations: TypedEquation[] = [];
  const sorts = new Map<string, TermSort>();
  for (const imported of literal.imports) {
    const instance = checkInstanceExp(env, imported, `import of ${name}`);
    if (!sameSchema(instance.schema, schema) && !includedIn(instance.schema, schema)) {
      diagnostics.error(
        'E_CATALOG_TYPE',
        `imported instance \`${instance.name}\` is on schema \`${instance.schema.name}\`, which is not \`${schema.name}\` nor part of it`,
        imported.span,
      );
      continue;
    }
    if (instance.presentation === undefined) {
      diagnostics.error(
        'E_CATALOG_UNSUPPORTED',
        `only instances given by generators and equations can be imported; \`${instance.name}\` is a ${instance.definition.kind}`,
        imported.span,
      );
      continue;
    }
    for (const generator of instance.presentation.generators) {
      if (sorts.has(generator.name)) continue;
      sorts.set(generator.name, generator.sort);
      generators.push(generator);
    }
    for (const equation of instance.presentation.equations) {
      equations.push({
        lhs: retarget(equation.lhs, schema),
        rhs: retarget(equation.rhs, schema),
        text: equation.text,
        location: equation.location,
      });
    }
  }
  for (const generator of literal.generators) {
    const sort = generatorSort(env, schema, generator);
    if (sort === undefined) continue;
    if (sorts.has(generator.name.text)) {
      diagnostics.error(
        'E_CATALOG_DUPLICATE',
        `generator \`${generator.name.text}\` is declared twice`,
        generator.name.span,
      );
      continue;
    }
    sorts.set(generator.name.text, sort);
    generators.push({ name: generator.name.text, sort, location: env.locate(generator.name.span) });
  }
  const checker = new TermChecker(
    {
      typeside: schema.typeside,
      schema,
      variables: new Map(),
      generators: sorts,
      valueErrorCode: 'E_INSTANCE_VALUE',
    },
    diagnostics,
  );
  const addEquation = (lhs: Term, rhs: Term, span: Term['span']): void => {
    try {
      const [left, right] = checker.equation(lhs, rhs);
      equations.push(new InstanceEquation(left, right, schema.typeside, env.locate(span)));
    } catch (error) {
      if (!(error instanceof TermRejected)) throw error;
    }
  };
  for (const equation of literal.equations) addEquation(equation.lhs, equation.rhs, equation.span);
  for (const multi of literal.multiEquations) {
    for (const pair of multi.pairs) {
      const applied: Term = {
        kind: 'Term',
        head: multi.symbol.text,
        args: [pair.argument],
        quoted: false,
        annotation: undefined,
        style: 'prefix',
        span: pair.argument.span,
      };
      addEquation(applied, pair.value, pair.argument.span);
    }
  }
  env.optionsOf(literal.options);
  if (diagnostics.errorCount > errorsBefore) throw new AbandonDeclaration();
  return { schema, generators, equations };
}

/**
 * An equation of an instance literal. Its text is only read by error messages, so it is
 * printed on demand; a class (the getter on the prototype) rather than an object literal with
 * a getter, which would cost every equation a closure, its context and a dictionary of
 * properties (a 10 MB program has hundreds of thousands of equations, bench/parse.ts).
 */
class InstanceEquation implements TypedEquation {
  constructor(
    readonly lhs: TypedTerm,
    readonly rhs: TypedTerm,
    private readonly typeside: Typeside,
    readonly location: SourceLocation,
  ) {}

  get text(): string {
    return `${printTypedTerm(this.lhs, this.typeside)} = ${printTypedTerm(this.rhs, this.typeside)}`;
  }
}

function generatorSort(env: Env, schema: Schema, generator: GeneratorDecl): TermSort | undefined {
  if (schema.hasEntity(generator.sort.text))
    return { kind: 'EntitySort', entity: generator.sort.text };
  const sort = schema.typeside.sort(generator.sort.text);
  if (sort !== undefined) return { kind: 'TypeSort', sort: sort.name };
  env.diagnostics.error(
    'E_CATALOG_UNKNOWN',
    `unknown entity or type \`${generator.sort.text}\` for generator \`${generator.name.text}\``,
    generator.sort.span,
    {
      hint: didYouMean(generator.sort.text, [
        ...schema.entityNames(),
        ...schema.typeside.sortNamesKnown(),
      ]),
    },
  );
  return undefined;
}

/**
 * Whether every entity, foreign key and attribute of `part` is in `whole` with the same ends
 * (a schema that `imports` another contains it): an instance of `part` is then a presentation
 * over `whole`.
 */
export function includedIn(part: Schema, whole: Schema): boolean {
  if (!part.typeside.sameAs(whole.typeside)) return false;
  return (
    part.entities.every((entity) => whole.hasEntity(entity.name)) &&
    part.foreignKeys.every((fk) => whole.foreignKey(fk.source, fk.name)?.target === fk.target) &&
    part.attributes.every((a) => whole.attribute(a.entity, a.name)?.sort === a.sort)
  );
}

/** A term over a schema included in `schema`, its foreign keys and attributes taken from `schema`. */
function retarget(term: TypedTerm, schema: Schema): TypedTerm {
  return mapTerm(term, {
    foreignKey: (fk) => schema.foreignKey(fk.source, fk.name) ?? fk,
    attribute: (attribute) => schema.attribute(attribute.entity, attribute.name) ?? attribute,
  });
}

/** The same schema: one object, or the same entities, foreign keys and attributes by name. */
export function sameSchema(a: Schema, b: Schema): boolean {
  if (a === b) return true;
  const key = (schema: Schema): string =>
    JSON.stringify([
      schema.entities.map((entity) => entity.name),
      schema.foreignKeys.map((fk) => [fk.source, fk.name, fk.target]),
      schema.attributes.map((attribute) => [attribute.entity, attribute.name, attribute.sort]),
      schema.pathEquations.map((equation) => equation.text),
    ]);
  return a.typeside.sameAs(b.typeside) && key(a) === key(b);
}

function checkDerivedInstance(
  env: Env,
  exp: Extract<InstanceExp, { kind: 'InstanceMigration' | 'InstanceEval' }>,
  name: string,
): CheckedInstance {
  const location = env.locate(exp.span);
  const input = checkInstanceExp(env, exp.instance, `input of ${name}`);
  const options = env.optionsOf(exp.options);
  let definition: InstanceDefinition;
  let schema: Schema;
  if (exp.kind === 'InstanceMigration') {
    const mapping = checkMappingExp(env, exp.mapping, `mapping of ${name}`);
    const expected = exp.functor === 'delta' ? mapping.target : mapping.source;
    if (!sameSchema(input.schema, expected)) {
      env.abandon(
        'E_CATALOG_TYPE',
        `${exp.functor} ${mapping.name} takes an instance of \`${expected.name}\` (the mapping's ${exp.functor === 'delta' ? 'target' : 'source'}), but \`${input.name}\` is on \`${input.schema.name}\``,
        exp.instance.span,
      );
    }
    schema = exp.functor === 'delta' ? mapping.source : mapping.target;
    definition = { kind: exp.functor, mapping, input, options };
  } else {
    const query = checkQueryExp(env, exp.query, `query of ${name}`);
    if (query.kind !== 'UberQuery') {
      env.abandon(
        'E_CATALOG_UNSUPPORTED',
        '`eval` takes an uber-flower query (`literal : S -> T`); compact queries are run by `catrust query`',
        exp.query.span,
      );
    }
    if (!sameSchema(input.schema, query.source)) {
      env.abandon(
        'E_CATALOG_TYPE',
        `eval ${query.name} takes an instance of \`${query.source.name}\`, but \`${input.name}\` is on \`${input.schema.name}\``,
        exp.instance.span,
      );
    }
    schema = query.target;
    definition = { kind: 'eval', query, input, options };
  }
  const instance = new CheckedInstance(name, schema, definition, undefined, location, undefined);
  const evaluator = env.options.evaluator;
  if (evaluator === undefined || !input.evaluated) return instance;
  let rows: SaturatedInstance;
  try {
    const request = {
      instance,
      input: input.rows(),
      limits: {
        instanceRowsMax: env.options.instanceRowsMax,
        congruenceStepsMax: env.options.congruenceStepsMax,
      },
    };
    switch (definition.kind) {
      case 'sigma':
        rows = evaluator.sigma(definition.mapping, request);
        break;
      case 'delta':
        rows = evaluator.delta(definition.mapping, request);
        break;
      case 'pi':
        rows = evaluator.pi(definition.mapping, request);
        break;
      case 'eval':
        rows = evaluator.eval(definition.query, request);
        break;
      default:
        return assertNever(definition, 'derived instance');
    }
  } catch (thrown) {
    const error = asCatrustError(thrown);
    if (!(error instanceof CatrustError)) throw error;
    env.diagnostics.add(
      error.location !== undefined
        ? error
        : new CatrustError(error.code, `instance \`${name}\`: ${error.bareMessage}`, {
            location,
            sqlstate: error.sqlstate,
            hint: error.hint,
            details: error.details,
            cause: error,
          }),
    );
    throw new AbandonDeclaration();
  }
  return new CheckedInstance(name, schema, definition, undefined, location, rows);
}
