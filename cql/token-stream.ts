/**
 * The cursor every parser module reads tokens through: look-ahead, expectations with errors
 * that say what was expected and what was found, keyword suggestions, and the nesting guard.
 */
import { InternalError, LimitError, didYouMean, limits, sourceLocation } from '../common/index.js';
import type { Name, Span } from './ast.js';
import { CqlSyntaxError, CqlUnsupportedError } from './errors.js';
import type { Scanner, Token } from './lexer.js';

/**
 * Tokens are pulled from the `Scanner` on demand and kept from the last `release()` on: the
 * parser releases at each declaration, so memory holds one declaration's tokens, and
 * backtracking (`attempt`, error recovery) stays within the current declaration.
 */
export class TokenStream {
  /** Absolute index of the next token. */
  private position = 0;
  /** Absolute index of `buffer[0]`. */
  private base = 0;
  /**
   * The tokens read and not yet released are `buffer[0 .. count)`; the slots after them are
   * stale. The array only grows (to the most tokens one declaration needed), so that reading
   * a declaration allocates no array.
   */
  private readonly buffer: Token[] = [];
  private count = 0;
  private depth = 0;

  constructor(
    private readonly scanner: Scanner,
    readonly file: string | undefined,
  ) {}

  peek(ahead = 0): Token {
    const wanted = this.position + ahead - this.base;
    const buffer = this.buffer;
    if (wanted < this.count) return buffer[wanted] as Token;
    while (this.count <= wanted) {
      const last = this.count > 0 ? (buffer[this.count - 1] as Token) : undefined;
      if (last !== undefined && last.kind === 'eof') return last;
      const token = this.scanner.next();
      if (this.count < buffer.length) buffer[this.count] = token;
      else buffer.push(token);
      this.count++;
    }
    return buffer[wanted] as Token;
  }

  next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.position++;
    return token;
  }

  get index(): number {
    return this.position;
  }

  set index(value: number) {
    if (value < this.base) throw new InternalError('token stream rewound past its last release');
    this.position = value;
  }

  /**
   * Forget the tokens before the current one (nothing before it will be read again): they go
   * back to the scanner for reuse, so no token read before this call may be kept by the caller.
   */
  release(): void {
    const consumed = this.position - this.base;
    if (consumed <= 0) return;
    const buffer = this.buffer;
    this.scanner.recycle(buffer, consumed);
    for (let index = consumed; index < this.count; index++) {
      buffer[index - consumed] = buffer[index] as Token;
    }
    this.count -= consumed;
    this.base = this.position;
  }

  atEnd(): boolean {
    return this.peek().kind === 'eof';
  }

  /** True when the token `ahead` is the symbol `symbol`. */
  atSymbol(symbol: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === 'symbol' && token.text === symbol;
  }

  /** True when the token `ahead` is the unquoted word `word` (keywords are contextual). */
  atWord(word: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === 'ident' && token.text === word;
  }

  /** Like `atWord` but ignoring case (SQL-like keywords of compact queries). */
  atWordInsensitive(word: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === 'ident' && token.text.toLowerCase() === word;
  }

  /** A token that can be a CQL name: an identifier, a string or a number (as the reference). */
  atName(ahead = 0): boolean {
    const kind = this.peek(ahead).kind;
    return kind === 'ident' || kind === 'string' || kind === 'number';
  }

  acceptSymbol(symbol: string): boolean {
    if (!this.atSymbol(symbol)) return false;
    this.next();
    return true;
  }

  acceptWord(word: string): boolean {
    if (!this.atWord(word)) return false;
    this.next();
    return true;
  }

  expectSymbol(symbol: string, context: string): Token {
    if (!this.atSymbol(symbol)) throw this.expectedSymbol(symbol, context);
    return this.next();
  }

  /**
   * The error of `expectSymbol`. Hot paths whose context names something (`after \`salary\``)
   * write `if (!stream.acceptSymbol(s)) throw stream.expectedSymbol(s, context)`, so that the
   * context text is only built when the symbol is missing.
   */
  expectedSymbol(symbol: string, context: string): CqlSyntaxError {
    return this.expected(`\`${symbol}\` ${context}`);
  }

  expectWord(word: string, context: string, suggestions: readonly string[] = [word]): Token {
    if (!this.atWord(word)) throw this.expected(`\`${word}\` ${context}`, suggestions);
    return this.next();
  }

  /** A name: an identifier, or (as in the reference) a string or integer literal. */
  expectName(context: string): Name {
    if (!this.atName()) throw this.expected(`a name ${context}`);
    const token = this.next();
    return { kind: 'Name', text: token.text, span: spanOf(token) };
  }

  /** An identifier only (no string or number). */
  expectIdentifier(context: string): Name {
    if (this.peek().kind !== 'ident') throw this.expected(`a name ${context}`);
    const token = this.next();
    return { kind: 'Name', text: token.text, span: spanOf(token) };
  }

  /** The error for "expected X, found Y", with a keyword suggestion when Y is close to one. */
  expected(what: string, suggestions: readonly string[] = []): CqlSyntaxError {
    const token = this.peek();
    // At a malformed token its own error says more than "expected X".
    const lexical = this.scanner.errorOf(token);
    if (lexical) return lexical;
    const hint = token.kind === 'ident' ? didYouMean(token.text, suggestions) : undefined;
    return new CqlSyntaxError(`expected ${what}, found ${describe(token)}`, {
      location: this.locationOf(token),
      hint,
    });
  }

  errorAt(token: Token, message: string, hint?: string): CqlSyntaxError {
    const lexical = this.scanner.errorOf(token);
    if (lexical) return lexical;
    return new CqlSyntaxError(message, { location: this.locationOf(token), hint });
  }

  unsupported(construct: string, token: Token = this.peek()): CqlUnsupportedError {
    return new CqlUnsupportedError(construct, { location: this.locationOf(token) });
  }

  locationOf(token: Token): ReturnType<typeof sourceLocation> {
    return sourceLocation(this.file, token.line, token.column);
  }

  span(ahead = 0): Span {
    return spanOf(this.peek(ahead));
  }

  /**
   * Try `parse`; on a syntax error, rewind and return undefined. The error is remembered when it
   * got further than any before, so that a program that fails after all is reported at the
   * furthest point any alternative reached (`furthestFailure`), not at the last alternative.
   */
  attempt<T>(parse: () => T): T | undefined {
    const start = this.position;
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof CqlSyntaxError)) throw error;
      const reached = this.position;
      if (this.furthest === undefined || reached > this.furthest.index) {
        this.furthest = { index: reached, error };
      }
      this.position = start;
      return undefined;
    }
  }

  private furthest: { index: number; error: CqlSyntaxError } | undefined;

  /** The error to report for a failure at the current position: the furthest one reached. */
  furthestFailure(error: CqlSyntaxError): CqlSyntaxError {
    const furthest = this.furthest;
    return furthest && furthest.index > this.position ? furthest.error : error;
  }

  /** Forget remembered alternatives (at the start of each declaration). */
  resetFailures(): void {
    this.furthest = undefined;
  }

  /** Guard a recursive descent step against stack exhaustion by hostile nesting. */
  nested<T>(parse: () => T): T {
    this.enter();
    try {
      return parse();
    } finally {
      this.leave();
    }
  }

  /**
   * `nested` without a closure, for the hottest recursive step (terms): `enter()`, then the
   * step in a `try` whose `finally` calls `leave()`.
   */
  enter(): void {
    if (this.depth >= limits.cqlNestingDepthMax) {
      const token = this.peek();
      throw new LimitError(
        'cqlNestingDepthMax',
        limits.cqlNestingDepthMax,
        this.depth + 1,
        'nesting depth of terms and expressions',
        { location: this.locationOf(token) },
      );
    }
    this.depth++;
  }

  leave(): void {
    this.depth--;
  }
}

/**
 * A copy of an array built by `push` with no spare capacity: V8 grows a pushed array to at least
 * 17 slots, and the AST of a large program holds hundreds of thousands of short lists.
 */
export function exact<T>(items: T[]): T[] {
  return items.length === 0 ? [] : items.slice();
}

/** The span of the node starting at `token`: one object per token, made on first use. */
export function spanOf(token: Token): Span {
  return (token.span ??= { line: token.line, column: token.column, offset: token.offset });
}

export function describe(token: Token): string {
  switch (token.kind) {
    case 'eof':
      return 'end of input';
    case 'string':
      return `string ${JSON.stringify(token.text.length > 40 ? `${token.text.slice(0, 40)}…` : token.text)}`;
    case 'number':
      return `number ${token.text}`;
    case 'symbol':
      return `\`${token.text}\``;
    case 'ident':
      return `\`${token.text}\``;
    case 'invalid':
      return `malformed text ${JSON.stringify(token.text)}`;
  }
}
