/**
 * Checking typeside expressions: `sql`, `empty`, `typesideOf S`, a name, or a `literal`.
 *
 * A literal typeside's sorts come from `types` and `external_types` (`java_types`); a sort is
 * interpreted when its external class is recognised (`scalarTypeOfClass`) or when it is named
 * like one of catrust's seven types (case-insensitively). Constants and functions have unique
 * names whose sorts exist; equations type-check with their variables' sorts given or inferred.
 * External parsers and functions are compiled only when the caller allows external code.
 */
import {
  assertNever,
  didYouMean,
  isScalarType,
  limits,
  parseValue,
  SCALAR_TYPES,
  type Scalar,
  type ScalarType,
} from '../common/index.js';
import type {
  ExternalFunction,
  FunctionSymbol,
  Name,
  TypesideExp,
  TypesideLiteral,
} from '../cql/index.js';
import type { Env } from './check-context.js';
import { checkSchemaExp } from './check-schema.js';
import { TermChecker, TermRejected } from './check-term.js';
import { ExternalCode, scalarFromExternal, scalarToExternal } from './external-code.js';
import { EMPTY_TYPESIDE, SQL_TYPESIDE } from './sql-typeside.js';
import { printTypedTerm, sameSort, termSort, type TermSort } from './term.js';
import {
  Typeside,
  type FunctionImplementation,
  type Sort,
  type TypesideConstant,
  type TypesideEquation,
  type TypesideFunction,
} from './typeside.js';

/** Java classes of the reference's external types, read as catrust's types. */
const CLASS_TYPES: ReadonlyMap<string, ScalarType> = new Map<string, ScalarType>([
  ['java.lang.String', 'String'],
  ['java.lang.Character', 'String'],
  ['java.lang.Integer', 'Int'],
  ['java.lang.Long', 'Int'],
  ['java.lang.Short', 'Int'],
  ['java.lang.Byte', 'Int'],
  ['java.math.BigInteger', 'Int'],
  ['java.lang.Double', 'Float'],
  ['java.lang.Float', 'Float'],
  ['java.lang.Boolean', 'Bool'],
  ['java.time.LocalDate', 'Date'],
  ['java.util.UUID', 'Uuid'],
  ['java.math.BigDecimal', 'Decimal'],
]);

export function scalarTypeOfClass(className: string): ScalarType | undefined {
  return CLASS_TYPES.get(className);
}

function scalarTypeOfName(name: string): ScalarType | undefined {
  return SCALAR_TYPES.find((type) => type.toLowerCase() === name.toLowerCase());
}

export function checkTypesideExp(env: Env, exp: TypesideExp, name: string): Typeside {
  switch (exp.kind) {
    case 'TypesideSql':
      return SQL_TYPESIDE;
    case 'TypesideEmpty':
      return EMPTY_TYPESIDE;
    case 'TypesideVar':
      return env.typeside(exp.name);
    case 'TypesideOf':
      return checkSchemaExp(env, exp.schema, name).typeside;
    case 'TypesideLiteral':
      return checkTypesideLiteral(env, exp, name);
    default:
      return assertNever(exp, 'typeside expression');
  }
}

interface Draft {
  readonly sorts: Map<string, Sort>;
  readonly classes: Map<string, string>;
  readonly parsers: Map<string, string>;
  readonly constants: Map<string, TypesideConstant>;
  readonly functions: Map<string, TypesideFunction>;
  readonly equations: TypesideEquation[];
}

function checkTypesideLiteral(env: Env, literal: TypesideLiteral, name: string): Typeside {
  const diagnostics = env.diagnostics;
  const draft: Draft = {
    sorts: new Map(),
    classes: new Map(),
    parsers: new Map(),
    constants: new Map(),
    functions: new Map(),
    equations: [],
  };
  for (const imported of literal.imports) {
    const typeside = checkTypesideExp(env, imported, name);
    for (const sort of typeside.sorts) draft.sorts.set(sort.name, sort);
    for (const constant of typeside.constants) draft.constants.set(constant.name, constant);
    for (const fn of typeside.functions)
      draft.functions.set(`${fn.name}/${fn.argumentSorts.join(',')}`, fn);
    draft.equations.push(...typeside.equations);
  }
  const declaredSorts = new Map<string, Name>();
  const declareSort = (sortName: Name): void => {
    if (declaredSorts.has(sortName.text)) return;
    declaredSorts.set(sortName.text, sortName);
  };
  for (const type of literal.types) {
    if (declaredSorts.has(type.text) || draft.sorts.has(type.text)) {
      diagnostics.error(
        'E_CATALOG_DUPLICATE',
        `type \`${type.text}\` is declared twice`,
        type.span,
      );
    }
    declareSort(type);
  }
  for (const external of literal.externalTypes) {
    if (draft.classes.has(external.sort.text)) {
      diagnostics.error(
        'E_CATALOG_DUPLICATE',
        `external type of \`${external.sort.text}\` is given twice`,
        external.span,
      );
    }
    draft.classes.set(external.sort.text, external.className);
    declareSort(external.sort);
  }
  for (const parser of literal.externalParsers) {
    if (!declaredSorts.has(parser.sort.text) && !draft.sorts.has(parser.sort.text)) {
      diagnostics.error(
        'E_CATALOG_UNKNOWN',
        `external parser for unknown type \`${parser.sort.text}\``,
        parser.sort.span,
        {
          hint: didYouMean(parser.sort.text, declaredSorts.keys()),
        },
      );
      continue;
    }
    draft.parsers.set(parser.sort.text, parser.code);
  }
  const timeoutMs = env.options.externalCodeTimeoutMs ?? limits.externalCodeTimeoutMs;
  const disabled: string[] = [];
  for (const [sortName, declaration] of declaredSorts) {
    const className = draft.classes.get(sortName);
    const scalarType =
      (className === undefined ? undefined : scalarTypeOfClass(className)) ??
      scalarTypeOfName(sortName);
    const parserCode = draft.parsers.get(sortName);
    let literals: Sort['literals'] =
      scalarType !== undefined ? 'scalar' : parserCode !== undefined ? 'symbol' : 'none';
    let parseExternal: ((text: string) => Scalar) | undefined;
    if (scalarType === undefined && parserCode !== undefined) {
      if (env.options.allowExternalCode === true) {
        try {
          const code = new ExternalCode(parserCode, 1, timeoutMs);
          parseExternal = (text) => scalarFromExternal(undefined, code.call([text]));
          literals = 'external';
        } catch (error) {
          diagnostics.error(
            'E_CATALOG_EXTERNAL',
            `external parser of \`${sortName}\` does not compile: ${messageOf(error)}`,
            declaration.span,
          );
        }
      } else {
        disabled.push(`parser of ${sortName}`);
      }
    }
    draft.sorts.set(sortName, {
      kind: 'Sort',
      name: sortName,
      scalarType,
      externalClass: className,
      literals,
      parseExternal,
      location: env.locate(declaration.span),
    });
  }
  const sortExists = (sortName: Name): boolean => {
    if (draft.sorts.has(sortName.text)) return true;
    diagnostics.error('E_CATALOG_UNKNOWN', `unknown type \`${sortName.text}\``, sortName.span, {
      hint: didYouMean(sortName.text, draft.sorts.keys()),
    });
    return false;
  };
  const symbolTaken = (symbol: Name): boolean => {
    const taken =
      draft.constants.has(symbol.text) ||
      [...draft.functions.values()].some((fn) => fn.name === symbol.text);
    if (taken)
      diagnostics.error(
        'E_CATALOG_DUPLICATE',
        `symbol \`${symbol.text}\` is declared twice`,
        symbol.span,
      );
    return taken;
  };
  for (const constant of literal.constants) {
    if (symbolTaken(constant.name) || !sortExists(constant.resultSort)) continue;
    const sort = draft.sorts.get(constant.resultSort.text) as Sort;
    draft.constants.set(constant.name.text, {
      kind: 'TypesideConstant',
      name: constant.name.text,
      sort: sort.name,
      value: constantValue(sort, constant.name.text),
      location: env.locate(constant.name.span),
    });
  }
  const addFunction = (
    symbol: FunctionSymbol | ExternalFunction,
    implementation: FunctionImplementation,
  ): void => {
    if (symbolTaken(symbol.name)) return;
    const sortsOk = [...symbol.argumentSorts, symbol.resultSort].map(sortExists).every(Boolean);
    if (!sortsOk) return;
    draft.functions.set(symbol.name.text, {
      kind: 'TypesideFunction',
      name: symbol.name.text,
      argumentSorts: symbol.argumentSorts.map((sort) => (draft.sorts.get(sort.text) as Sort).name),
      resultSort: (draft.sorts.get(symbol.resultSort.text) as Sort).name,
      implementation,
      location: env.locate(symbol.name.span),
    });
  };
  for (const fn of literal.functions) addFunction(fn, { kind: 'uninterpreted' });
  for (const fn of literal.externalFunctions) {
    let evaluate: ((args: readonly Scalar[]) => Scalar) | undefined;
    if (env.options.allowExternalCode === true) {
      try {
        const code = new ExternalCode(fn.code, fn.argumentSorts.length, timeoutMs);
        const argumentTypes = fn.argumentSorts.map(
          (sort) => draft.sorts.get(sort.text)?.scalarType,
        );
        const resultType = draft.sorts.get(fn.resultSort.text)?.scalarType;
        evaluate = (args) =>
          scalarFromExternal(
            resultType,
            code.call(args.map((arg, index) => scalarToExternal(argumentTypes[index], arg))),
          );
      } catch (error) {
        diagnostics.error(
          'E_CATALOG_EXTERNAL',
          `external function \`${fn.name.text}\` does not compile: ${messageOf(error)}`,
          fn.name.span,
        );
      }
    } else {
      disabled.push(fn.name.text);
    }
    addFunction(fn, { kind: 'external', code: fn.code, evaluate });
  }
  if (disabled.length > 0) {
    diagnostics.warn(
      'W_EXTERNAL_CODE_DISABLED',
      `external code is not allowed here, so ${disabled.map((d) => `\`${d}\``).join(', ')} ` +
        'stay uninterpreted (their results are terms, not values)',
      literal.span,
    );
  }
  const typeside = (equations: readonly TypesideEquation[]): Typeside =>
    new Typeside({
      name,
      builtin: undefined,
      sorts: [...draft.sorts.values()],
      constants: [...draft.constants.values()],
      functions: [...draft.functions.values()],
      equations,
      location: env.locate(literal.span),
    });
  const partial = typeside([]);
  for (const equation of literal.equations) {
    const variables = new Map<string, TermSort | undefined>();
    for (const variable of equation.context) {
      if (variable.sort === undefined) {
        variables.set(variable.name, undefined);
        continue;
      }
      const sort = partial.sort(variable.sort);
      if (sort === undefined) {
        diagnostics.error('E_CATALOG_UNKNOWN', `unknown type \`${variable.sort}\``, variable.span, {
          hint: didYouMean(variable.sort, partial.sortNamesKnown()),
        });
        continue;
      }
      variables.set(variable.name, { kind: 'TypeSort', sort: sort.name });
    }
    const checker = new TermChecker(
      { typeside: partial, schema: undefined, variables },
      diagnostics,
    );
    try {
      const [lhs, rhs] = checker.equation(equation.lhs, equation.rhs);
      if (!sameSort(termSort(lhs), termSort(rhs))) continue;
      const sorts = new Map<string, string>();
      for (const [variable, sort] of variables) {
        if (sort === undefined || sort.kind !== 'TypeSort') {
          diagnostics.error(
            'E_CATALOG_TYPE',
            `cannot infer the type of \`${variable}\``,
            equation.span,
            {
              hint: `write \`forall ${variable}:Type\``,
            },
          );
          continue;
        }
        sorts.set(variable, sort.sort);
      }
      draft.equations.push({
        kind: 'TypesideEquation',
        variables: sorts,
        lhs,
        rhs,
        text: `${printTypedTerm(lhs)} = ${printTypedTerm(rhs)}`,
        location: env.locate(equation.span),
      });
    } catch (error) {
      if (!(error instanceof TermRejected)) throw error;
    }
  }
  for (const setting of literal.options) env.checkOption(setting);
  return typeside(draft.equations);
}

function constantValue(sort: Sort, name: string): Scalar | undefined {
  if (sort.scalarType === undefined) return undefined;
  if (!isScalarType(sort.scalarType)) return undefined;
  try {
    return sort.literals === 'scalar' ? parseConstant(sort.scalarType, name) : undefined;
  } catch {
    return undefined;
  }
}

function parseConstant(type: ScalarType, name: string): Scalar {
  return parseValue(type, name);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
