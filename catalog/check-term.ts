/**
 * Type checking of the reference syntax's terms (`RawTerm`): from an AST `Term` to a
 * `TypedTerm`, in a scope of variables and generators over a typeside and a schema.
 *
 * A bare head is, in this order: a variable, a generator, a typeside constant, or a literal of
 * the expected sort (`Al`, `"2"`, `100`: parsed exactly when the sort is interpreted). An
 * application `h(t)` of one argument of an entity sort is a foreign key or an attribute of that
 * entity (`e.manager`, `age(e)`); otherwise `h` is a typeside function, whose overload (the
 * `sql` typeside has several) is chosen by the sorts of the arguments. `x@Sort` fixes the sort
 * of a literal. A variable whose sort is not written (`forall e.`, `_x` of a path-form
 * observation equation) takes the entity of the first foreign key or attribute applied to it,
 * or of the entity name a path starts with (`Employee.manager.age`).
 *
 * Errors are reported to `Diagnostics` with the location of the offending term, and the check
 * is abandoned by throwing `TermRejected` (caught by the caller, who goes on with the next
 * equation so that every error is reported).
 */
import {
  ValueError,
  didYouMean,
  parseValue,
  type Scalar,
  type ScalarType,
} from '../common/index.js';
import type { Term } from '../cql/index.js';
import type { CatalogErrorCode, Diagnostics } from './errors.js';
import type { Schema } from './schema.js';
import {
  applyTerm,
  attTerm,
  constTerm,
  entitySort,
  fkTerm,
  genTerm,
  literalTerm,
  printSort,
  sameSort,
  skTerm,
  termSort,
  typeSort,
  varTerm,
  type TermSort,
  type TypedTerm,
} from './term.js';
import type { Typeside, TypesideFunction } from './typeside.js';

/** Thrown after an error was reported: the term cannot be checked further. */
export class TermRejected extends Error {
  constructor() {
    super('term rejected');
    this.name = 'TermRejected';
  }
}

export interface TermScope {
  readonly typeside: Typeside;
  readonly schema: Schema | undefined;
  /** Variables in scope; a sort of undefined is to be inferred from the first use. */
  readonly variables: Map<string, TermSort | undefined>;
  /** Generators of the instance being checked (rows and labelled nulls). */
  readonly generators?: ReadonlyMap<string, TermSort>;
  /** The code for a literal that is not a value of its sort. */
  readonly valueErrorCode?: CatalogErrorCode;
}

const NUMBER_PATTERN = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;
const INTEGER_PATTERN = /^[+-]?[0-9]+$/;

export class TermChecker {
  /**
   * The typed term of each generator used so far: terms are immutable, so every equation that
   * names a generator shares one (an instance literal names each of its rows many times).
   */
  readonly #generatorTerms = new Map<string, TypedTerm>();

  constructor(
    readonly scope: TermScope,
    readonly diagnostics: Diagnostics,
  ) {}

  #reject(code: CatalogErrorCode, message: string, term: Term, hint?: string): never {
    this.diagnostics.error(code, message, term.span, hint === undefined ? {} : { hint });
    throw new TermRejected();
  }

  /** Whether `term` is a bare head that no scope, typeside or schema name claims: a literal. */
  isLiteral(term: Term): boolean {
    if (term.args.length > 0) return false;
    if (term.quoted) return true;
    const { variables, generators, typeside } = this.scope;
    return (
      !variables.has(term.head) &&
      !(generators?.has(term.head) ?? false) &&
      typeside.constant(term.head) === undefined
    );
  }

  /** A literal, or a variable whose sort is not known yet: its sort comes from the other side. */
  #undetermined(term: Term): boolean {
    if (this.isLiteral(term)) return true;
    return (
      term.args.length === 0 &&
      this.scope.variables.has(term.head) &&
      this.scope.variables.get(term.head) === undefined
    );
  }

  /** Check a term against an expected sort. */
  check(term: Term, expected: TermSort): TypedTerm {
    const typed = this.#infer(term, expected);
    const found = termSort(typed);
    if (!sameSort(found, expected)) {
      this.#reject(
        'E_CATALOG_TYPE',
        `\`${describe(term)}\` has sort ${printSort(found)}, but ${printSort(expected)} is expected here`,
        term,
      );
    }
    return typed;
  }

  /** The term and its sort, inferred. */
  infer(term: Term): TypedTerm {
    return this.#infer(term, undefined);
  }

  /** Both sides of `lhs = rhs`, checked to have one sort (a literal side takes the other's). */
  equation(lhs: Term, rhs: Term): [TypedTerm, TypedTerm] {
    if (this.#undetermined(lhs) && !this.#undetermined(rhs)) {
      const right = this.infer(rhs);
      return [this.check(lhs, termSort(right)), right];
    }
    const left = this.infer(lhs);
    return [left, this.check(rhs, termSort(left))];
  }

  #infer(term: Term, expected: TermSort | undefined): TypedTerm {
    if (term.annotation !== undefined) {
      const sort = this.scope.typeside.sort(term.annotation);
      if (sort === undefined) {
        this.#reject(
          'E_CATALOG_UNKNOWN',
          `unknown sort \`${term.annotation}\``,
          term,
          didYouMean(term.annotation, this.scope.typeside.sortNamesKnown()),
        );
      }
      return this.#literal(term, sort.name);
    }
    if (term.args.length === 0) return this.#leaf(term, expected);
    if (term.args.length === 1) {
      const applied = this.#unary(term);
      if (applied !== undefined) return applied;
    }
    return this.#function(term, expected);
  }

  #leaf(term: Term, expected: TermSort | undefined): TypedTerm {
    const { variables, generators, typeside } = this.scope;
    if (!term.quoted) {
      if (variables.has(term.head)) {
        const sort = variables.get(term.head);
        if (sort === undefined) {
          if (expected !== undefined) {
            variables.set(term.head, expected);
            return varTerm(term.head, expected);
          }
          this.#reject(
            'E_CATALOG_TYPE',
            `cannot infer the sort of \`${term.head}\``,
            term,
            `write its sort: \`${term.head}:Sort\``,
          );
        }
        return varTerm(term.head, sort);
      }
      const generator = generators?.get(term.head);
      if (generator !== undefined) {
        let typed = this.#generatorTerms.get(term.head);
        if (typed === undefined) {
          typed =
            generator.kind === 'EntitySort'
              ? genTerm(term.head, generator.entity)
              : skTerm(term.head, generator.sort);
          this.#generatorTerms.set(term.head, typed);
        }
        return typed;
      }
      const constant = typeside.constant(term.head);
      if (constant !== undefined) return constTerm(constant);
    }
    if (expected?.kind === 'TypeSort') return this.#literal(term, expected.sort);
    if (expected === undefined) {
      const sort = this.#literalSort(term);
      if (sort !== undefined) return this.#literal(term, sort);
    }
    const known = [
      ...variables.keys(),
      ...(generators?.keys() ?? []),
      ...typeside.constants.map((constant) => constant.name),
    ];
    this.#reject(
      'E_CATALOG_UNKNOWN',
      expected === undefined
        ? `unknown symbol \`${term.head}\`: not a variable, generator or constant, and its sort cannot be inferred`
        : `unknown ${expected.kind === 'EntitySort' ? `row of ${expected.entity}` : 'symbol'} \`${term.head}\``,
      term,
      didYouMean(term.head, known),
    );
  }

  /** The sort of a literal written without context, when its shape tells (sql typeside). */
  #literalSort(term: Term): string | undefined {
    const typeside = this.scope.typeside;
    const pick = (name: string): string | undefined =>
      typeside.sort(name)?.literals === 'scalar'
        ? (typeside.sort(name)?.name ?? undefined)
        : undefined;
    if (term.quoted) return pick('String');
    if (term.head === 'true' || term.head === 'false') return pick('Bool');
    if (INTEGER_PATTERN.test(term.head)) return pick('Int');
    if (NUMBER_PATTERN.test(term.head)) return pick('Float');
    return undefined;
  }

  #literal(term: Term, sortName: string): TypedTerm {
    const sort = this.scope.typeside.sort(sortName);
    if (sort === undefined) {
      this.#reject('E_CATALOG_UNKNOWN', `unknown sort \`${sortName}\``, term);
    }
    const code = this.scope.valueErrorCode ?? 'E_CATALOG_TYPE';
    try {
      switch (sort.literals) {
        case 'scalar':
          return literalTerm(sort.name, parseScalar(sort.scalarType, term.head));
        case 'external':
          return literalTerm(
            sort.name,
            (sort.parseExternal as (text: string) => Scalar)(term.head),
          );
        case 'symbol':
          return literalTerm(sort.name, term.head);
        case 'none':
          break;
      }
    } catch (error) {
      if (error instanceof TermRejected) throw error;
      const reason = error instanceof ValueError ? error.bareMessage : String(error);
      this.#reject(
        code,
        `\`${describe(term)}\` is not a value of sort ${sort.name}: ${reason}`,
        term,
      );
    }
    this.#reject(
      'E_CATALOG_UNKNOWN',
      `\`${term.head}\` is not a constant of sort ${sort.name} (typeside \`${this.scope.typeside.name}\` has no literals of it)`,
      term,
      didYouMean(
        term.head,
        this.scope.typeside.constants.filter((c) => c.sort === sort.name).map((c) => c.name),
      ),
    );
  }

  /** `h(t)` as a foreign key, an attribute or an entity annotation; undefined if `h` is a function. */
  #unary(term: Term): TypedTerm | undefined {
    const schema = this.scope.schema;
    const argument = term.args[0] as Term;
    if (schema === undefined || term.quoted) return undefined;
    const { variables } = this.scope;
    // `Employee.manager` in a path-form equation: the entity names the variable's sort.
    if (schema.hasEntity(term.head) && argument.args.length === 0 && variables.has(argument.head)) {
      const sort = variables.get(argument.head);
      if (sort === undefined || (sort.kind === 'EntitySort' && sort.entity === term.head)) {
        variables.set(argument.head, entitySort(term.head));
        return varTerm(argument.head, entitySort(term.head));
      }
    }
    const isSchemaSymbol = schema.hasForeignKeyOrAttributeNamed(term.head);
    if (!isSchemaSymbol && this.scope.typeside.functionsNamed(term.head).length > 0)
      return undefined;
    if (
      argument.args.length === 0 &&
      variables.has(argument.head) &&
      variables.get(argument.head) === undefined
    ) {
      const owners = new Set([
        ...schema.foreignKeys.filter((fk) => fk.name === term.head).map((fk) => fk.source),
        ...schema.attributes.filter((a) => a.name === term.head).map((a) => a.entity),
      ]);
      if (owners.size !== 1) {
        this.#reject(
          'E_CATALOG_TYPE',
          owners.size === 0
            ? `unknown foreign key or attribute \`${term.head}\``
            : `cannot infer the entity of \`${argument.head}\`: \`${term.head}\` is defined on ${[...owners].join(' and ')}`,
          term,
          owners.size === 0
            ? didYouMean(term.head, schemaSymbols(schema))
            : `write \`${argument.head}:Entity\``,
        );
      }
      variables.set(argument.head, entitySort([...owners][0] as string));
    }
    const typedArgument = this.infer(argument);
    const sort = termSort(typedArgument);
    if (sort.kind !== 'EntitySort') {
      if (isSchemaSymbol && this.scope.typeside.functionsNamed(term.head).length === 0) {
        this.#reject(
          'E_CATALOG_TYPE',
          `\`${term.head}\` applies to a row, but \`${describe(argument)}\` has sort ${sort.sort}`,
          term,
        );
      }
      return undefined;
    }
    const fk = schema.foreignKey(sort.entity, term.head);
    if (fk !== undefined) return fkTerm(fk, typedArgument);
    const attribute = schema.attribute(sort.entity, term.head);
    if (attribute !== undefined) return attTerm(attribute, typedArgument);
    const known = [
      ...schema.foreignKeysOf(sort.entity).map((f) => f.name),
      ...schema.attributesOf(sort.entity).map((a) => a.name),
    ];
    this.#reject(
      'E_CATALOG_UNKNOWN',
      `entity \`${sort.entity}\` has no foreign key or attribute \`${term.head}\``,
      term,
      didYouMean(term.head, known),
    );
  }

  #function(term: Term, expected: TermSort | undefined): TypedTerm {
    const typeside = this.scope.typeside;
    let overloads: readonly TypesideFunction[] = typeside
      .functionsNamed(term.head)
      .filter((fn) => fn.argumentSorts.length === term.args.length);
    if (overloads.length === 0) {
      const any = typeside.functionsNamed(term.head);
      if (any.length > 0) {
        this.#reject(
          'E_CATALOG_TYPE',
          `\`${term.head}\` takes ${[...new Set(any.map((fn) => fn.argumentSorts.length))].join(' or ')} argument(s), not ${term.args.length}`,
          term,
        );
      }
      const symbols = [
        ...typeside.symbolNames(),
        ...(this.scope.schema ? schemaSymbols(this.scope.schema) : []),
      ];
      this.#reject(
        'E_CATALOG_UNKNOWN',
        `unknown function \`${term.head}\``,
        term,
        didYouMean(term.head, symbols),
      );
    }
    if (expected?.kind === 'TypeSort') {
      const returning = overloads.filter((fn) => fn.resultSort === expected.sort);
      if (returning.length > 0) overloads = returning;
    }
    if (overloads.length === 1) {
      const fn = overloads[0] as TypesideFunction;
      return applyTerm(
        fn,
        term.args.map((arg, index) => this.check(arg, typeSort(fn.argumentSorts[index] as string))),
      );
    }
    // Several overloads: infer the arguments that are not bare literals, then pick.
    const inferred = term.args.map((arg) => (this.isLiteral(arg) ? undefined : this.infer(arg)));
    const candidates = overloads.filter((fn) =>
      inferred.every((arg, index) => {
        if (arg === undefined) return true;
        const sort = termSort(arg);
        return sort.kind === 'TypeSort' && sort.sort === fn.argumentSorts[index];
      }),
    );
    for (const fn of candidates) {
      const args: TypedTerm[] = [];
      let fits = true;
      term.args.forEach((arg, index) => {
        if (!fits) return;
        const known = inferred[index];
        if (known !== undefined) {
          args.push(known);
          return;
        }
        const literal = this.#tryLiteral(arg, fn.argumentSorts[index] as string);
        if (literal === undefined) fits = false;
        else args.push(literal);
      });
      if (fits) return applyTerm(fn, args);
    }
    const found = inferred.map((arg) => (arg === undefined ? 'literal' : printSort(termSort(arg))));
    this.#reject(
      'E_CATALOG_TYPE',
      `no overload of \`${term.head}\` takes (${found.join(', ')})`,
      term,
      `overloads: ${overloads.map((fn) => `${fn.name}(${fn.argumentSorts.join(', ')})`).join(', ')}`,
    );
  }

  #tryLiteral(term: Term, sortName: string): TypedTerm | undefined {
    const sort = this.scope.typeside.sort(sortName);
    if (sort === undefined || sort.literals !== 'scalar' || sort.scalarType === undefined)
      return undefined;
    try {
      return literalTerm(sort.name, parseScalar(sort.scalarType, term.head));
    } catch {
      return undefined;
    }
  }
}

function parseScalar(type: ScalarType | undefined, text: string): Scalar {
  if (type === undefined) throw new ValueError('the sort has no scalar type');
  return parseValue(type, text);
}

function schemaSymbols(schema: Schema): string[] {
  return [...schema.foreignKeys.map((fk) => fk.name), ...schema.attributes.map((a) => a.name)];
}

/** A short text of an AST term for messages. */
export function describe(term: Term): string {
  if (term.args.length === 0) return term.quoted ? JSON.stringify(term.head) : term.head;
  if (term.style === 'dot' && term.args.length === 1)
    return `${describe(term.args[0] as Term)}.${term.head}`;
  return `${term.head}(${term.args.map(describe).join(', ')})`;
}
