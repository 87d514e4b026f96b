/**
 * Terms, contexts and equations of the reference syntax (its `RawTerm`):
 *
 *   term     := primary ('.' name)*
 *   primary  := name '@' name            -- annotated: x@Employee
 *             | name '(' term,* ')'       -- application: f(x, y)
 *             | '(' term name term ')'   -- infix application: (x plus y)
 *             | '(' term ')'
 *             | name                     -- variable, generator, constant or literal
 *   context  := (name+ (':' name)?),*    -- forall x y:T, z.
 *
 * A name is an identifier, a string literal or a number, as in the reference, where `"2"`,
 * `2` and `Al` are all symbols resolved later by the catalog.
 */
import type { ContextVariable, Path, QuantifiedEquation, Span, Term, TermEquation } from './ast.js';
import type { TokenStream } from './token-stream.js';
import { exact, spanOf } from './token-stream.js';

/**
 * The arguments of every constant, variable and literal: one shared frozen empty list, since
 * leaves are most of the terms of an instance and an empty array costs an object each.
 */
const NO_ARGUMENTS: readonly Term[] = Object.freeze([]);

export function parseTerm(stream: TokenStream): Term {
  stream.enter();
  try {
    let term = parsePrimary(stream);
    while (stream.atSymbol('.') && stream.atName(1)) {
      stream.next();
      const token = stream.next();
      term = {
        kind: 'Term',
        head: token.text,
        args: [term],
        quoted: token.kind === 'string',
        annotation: undefined,
        style: 'dot',
        span: term.span,
      };
    }
    return term;
  } finally {
    stream.leave();
  }
}

function parsePrimary(stream: TokenStream): Term {
  const start = stream.peek();
  if (stream.atSymbol('(')) {
    stream.next();
    const first = parseTerm(stream);
    if (stream.acceptSymbol(')')) return first;
    if (!stream.atName()) throw stream.expected('`)` or an infix function name');
    const operator = stream.next();
    const second = parseTerm(stream);
    stream.expectSymbol(')', 'to close the infix application');
    return {
      kind: 'Term',
      head: operator.text,
      args: [first, second],
      quoted: operator.kind === 'string',
      annotation: undefined,
      style: 'infix',
      span: spanOf(start),
    };
  }
  if (!stream.atName()) throw stream.expected('a term');
  const head = stream.next();
  const quoted = head.kind === 'string';
  if (stream.atSymbol('@')) {
    stream.next();
    const sort = stream.expectName('after `@` (the sort of the annotated term)');
    return {
      kind: 'Term',
      head: head.text,
      args: NO_ARGUMENTS,
      quoted,
      annotation: sort.text,
      style: 'prefix',
      span: spanOf(head),
    };
  }
  if (stream.atSymbol('(')) {
    // As the reference (whose alternatives backtrack): `y (z eq z)` is `y` followed by another
    // item when `y(…)` does not parse as an application.
    const applied = stream.attempt(() => parseApplication(stream, head.text, quoted, spanOf(head)));
    if (applied) return applied;
  }
  return {
    kind: 'Term',
    head: head.text,
    args: NO_ARGUMENTS,
    quoted,
    annotation: undefined,
    style: 'prefix',
    span: spanOf(head),
  };
}

function parseApplication(stream: TokenStream, head: string, quoted: boolean, span: Span): Term {
  {
    stream.next();
    const args: Term[] = [];
    if (!stream.atSymbol(')')) {
      for (;;) {
        args.push(parseTerm(stream));
        if (stream.acceptSymbol(',')) continue;
        break;
      }
    }
    if (!stream.acceptSymbol(')')) {
      throw stream.expectedSymbol(')', `to close the arguments of \`${head}\``);
    }
    return {
      kind: 'Term',
      head,
      args: exact(args),
      quoted,
      annotation: undefined,
      style: 'prefix',
      span,
    };
  }
}

export function parseTermEquation(stream: TokenStream): TermEquation {
  const span = stream.span();
  const lhs = parseTerm(stream);
  stream.expectSymbol('=', 'between the two sides of an equation');
  const rhs = parseTerm(stream);
  return { kind: 'TermEquation', lhs, rhs, span };
}

/** `x y:T, z` up to (not including) the `.` that ends it. */
export function parseContext(stream: TokenStream): ContextVariable[] {
  const variables: ContextVariable[] = [];
  for (;;) {
    const group: { text: string; span: Span }[] = [];
    do {
      const name = stream.expectName('in the variable context');
      group.push({ text: name.text, span: name.span });
    } while (stream.atName());
    let sort: string | undefined;
    if (stream.acceptSymbol(':')) sort = stream.expectName('after `:` (a sort)').text;
    for (const variable of group) {
      variables.push({ kind: 'ContextVariable', name: variable.text, sort, span: variable.span });
    }
    if (!stream.acceptSymbol(',')) break;
  }
  return variables;
}

/** `forall ctx. lhs = rhs` or `lhs = rhs`. */
export function parseQuantifiedEquation(stream: TokenStream): QuantifiedEquation {
  const span = stream.span();
  let context: ContextVariable[] = [];
  if (stream.acceptWord('forall')) {
    context = parseContext(stream);
    stream.expectSymbol('.', 'after the variables of `forall`');
  }
  const lhs = parseTerm(stream);
  stream.expectSymbol('=', 'between the two sides of an equation');
  const rhs = parseTerm(stream);
  return { kind: 'QuantifiedEquation', context, lhs, rhs, span };
}

/** `a.b.c`: one or more names separated by dots. */
export function parsePath(stream: TokenStream, context: string): Path {
  const span = stream.span();
  const names = [stream.expectName(context)];
  while (stream.atSymbol('.') && stream.atName(1)) {
    stream.next();
    names.push(stream.expectName(context));
  }
  return { kind: 'Path', names: exact(names), span };
}

/** The reference's fold of a path into a term on a variable: [f, g] on x is g(f(x)). */
export function foldPath(
  names: readonly { text: string; span: Span }[],
  variable: string,
  span: Span,
): Term {
  let term: Term = {
    kind: 'Term',
    head: variable,
    args: NO_ARGUMENTS,
    quoted: false,
    annotation: undefined,
    style: 'prefix',
    span,
  };
  for (const name of names) {
    term = {
      kind: 'Term',
      head: name.text,
      args: [term],
      quoted: false,
      annotation: undefined,
      style: 'dot',
      span: name.span,
    };
  }
  return term;
}
