/**
 * The CQL lexer: source text → tokens with line, column and offset.
 *
 * One lexer serves both syntaxes. No word is reserved here: the parser decides from context
 * whether `entities` is a section keyword or a name, as the reference tolerates names that are
 * keywords elsewhere. Comments run to the end of the line after `#` (the reference's), `//` or
 * `--` (SQL's, for the compact dialect), or between `/*` and `*\/` (not nested, as the
 * reference's editor treats them). Strings are double-quoted with Java-style escapes, or
 * single-quoted SQL-style (`''` for a quote) in compact expressions. Numbers keep their text.
 *
 * `Scanner` produces tokens one at a time, so the parser holds only the tokens of the
 * declaration it is reading: a 10 MB program never has millions of tokens alive at once, which
 * keeps the garbage collector's work young (bench/parse.ts). A malformed token (an unterminated
 * string, a stray character) does not throw: it becomes an `invalid` token whose error is kept,
 * and the parser reports that error when it meets the token, so lexical and syntax errors come
 * out in source order and `validate` can report all of them.
 */
import { LimitError, limits, sourceLocation } from '../common/index.js';
import type { Span } from './ast.js';
import { CqlSyntaxError } from './errors.js';

export type TokenKind = 'ident' | 'string' | 'number' | 'symbol' | 'invalid' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** The token as written (for a string: its unescaped value). */
  readonly text: string;
  /** For strings: the quote used, so the printer and error messages can tell `"a"` from `a`. */
  readonly quote: '"' | "'" | undefined;
  readonly line: number;
  readonly column: number;
  readonly offset: number;
  /** True when the token is the first on its line (used by error recovery). */
  readonly startsLine: boolean;
  /**
   * The token's start as an AST `Span`, made on first use by `spanOf` (token-stream.ts) and
   * kept, so that every node starting at the token shares one object while keywords and
   * symbols, which start no node, cost none.
   */
  span: Span | undefined;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

// Character classes of ASCII, looked up by char code (the hot loop avoids regular expressions).
const CLASS_IDENT_START = 1;
const CLASS_DIGIT = 2;
const CLASS_SPACE = 4;
const CLASS_SYMBOL = 8;
const ASCII_CLASS = new Uint8Array(128);
for (let code = 65; code <= 90; code++) ASCII_CLASS[code] = CLASS_IDENT_START; // A-Z
for (let code = 97; code <= 122; code++) ASCII_CLASS[code] = CLASS_IDENT_START; // a-z
ASCII_CLASS[95] = CLASS_IDENT_START; // _
ASCII_CLASS[36] = CLASS_IDENT_START; // $
for (let code = 48; code <= 57; code++) ASCII_CLASS[code] = CLASS_DIGIT;
for (const code of [9, 10, 11, 12, 13, 32]) ASCII_CLASS[code] = CLASS_SPACE;
for (const char of ',.;:()=@[]{}*+<>|!-/%') ASCII_CLASS[char.charCodeAt(0)] = CLASS_SYMBOL;

/** The text of each one-character symbol, so that symbol tokens allocate no string. */
const SYMBOL_TEXT: readonly string[] = Array.from({ length: 128 }, (_, code) =>
  ASCII_CLASS[code] === CLASS_SYMBOL ? String.fromCharCode(code) : '',
);

/** Two-character symbols (`-> <- != <> <= >= ||`), checked before single characters. */
function twoCharSymbol(first: number, second: number): string | undefined {
  switch (first) {
    case 45: // -
      return second === 62 ? '->' : undefined;
    case 60: // <
      return second === 45 ? '<-' : second === 62 ? '<>' : second === 61 ? '<=' : undefined;
    case 33: // !
      return second === 61 ? '!=' : undefined;
    case 62: // >
      return second === 61 ? '>=' : undefined;
    case 124: // |
      return second === 124 ? '||' : undefined;
    default:
      return undefined;
  }
}

const CHAR_NEWLINE = 10;
const CHAR_HASH = 35;
const CHAR_SLASH = 47;
const CHAR_STAR = 42;
const CHAR_MINUS = 45;
const CHAR_DQUOTE = 34;
const CHAR_SQUOTE = 39;
const CHAR_BACKSLASH = 92;
const CHAR_DOT = 46;

const LETTER = /\p{L}/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

function isIdentStart(code: number): boolean {
  if (code < 128) return ASCII_CLASS[code] === CLASS_IDENT_START;
  return LETTER.test(String.fromCharCode(code));
}

function isIdentPart(code: number): boolean {
  if (code < 128)
    return (ASCII_CLASS[code] ?? 0) & (CLASS_IDENT_START | CLASS_DIGIT) ? true : false;
  return LETTER_OR_DIGIT.test(String.fromCharCode(code));
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
/** The name table starts with room for this many names and doubles when half full. */
const NAME_TABLE_SLOTS_INITIAL = 1024;

/**
 * One string per distinct identifier, looked up by the FNV-1a hash of its UTF-16 code units
 * (open addressing, linear probing). A program repeats its names thousands of times: a name
 * already in the table costs a hash and a comparison against the source, and no allocation.
 * The table holds at most one entry per distinct name of the source (bounded by
 * `cqlSourceBytesMax`).
 */
class NameTable {
  private hashes = new Int32Array(NAME_TABLE_SLOTS_INITIAL);
  private strings: (string | undefined)[] = new Array<string | undefined>(
    NAME_TABLE_SLOTS_INITIAL,
  ).fill(undefined);
  private count = 0;

  /** The interned string equal to `text.slice(start, end)`, whose hash is `hash`. */
  intern(text: string, start: number, end: number, hash: number): string {
    const mask = this.strings.length - 1;
    const length = end - start;
    let slot = hash & mask;
    for (;;) {
      const known = this.strings[slot];
      if (known === undefined) break;
      if (this.hashes[slot] === hash && known.length === length && sameAt(text, start, known)) {
        return known;
      }
      slot = (slot + 1) & mask;
    }
    const name = text.slice(start, end);
    this.strings[slot] = name;
    this.hashes[slot] = hash;
    this.count++;
    if (this.count * 2 > this.strings.length) this.grow();
    return name;
  }

  private grow(): void {
    const oldStrings = this.strings;
    const oldHashes = this.hashes;
    const slots = oldStrings.length * 2;
    const mask = slots - 1;
    this.strings = new Array<string | undefined>(slots).fill(undefined);
    this.hashes = new Int32Array(slots);
    for (let index = 0; index < oldStrings.length; index++) {
      const name = oldStrings[index];
      if (name === undefined) continue;
      const hash = oldHashes[index] ?? 0;
      let slot = hash & mask;
      while (this.strings[slot] !== undefined) slot = (slot + 1) & mask;
      this.strings[slot] = name;
      this.hashes[slot] = hash;
    }
  }
}

/** Whether `text` holds `name` at `start` (a loop: faster than `startsWith` on short names). */
function sameAt(text: string, start: number, name: string): boolean {
  for (let index = 0; index < name.length; index++) {
    if (text.charCodeAt(start + index) !== name.charCodeAt(index)) return false;
  }
  return true;
}

/** Reads tokens one by one from a source text. */
export class Scanner {
  private offset = 0;
  private line = 1;
  private lineStart = 0;
  private lastTokenLine = 0;
  private readonly length: number;
  /** The errors of the `invalid` tokens produced so far, in source order. */
  readonly errors: CqlSyntaxError[] = [];
  private readonly errorsByOffset = new Map<number, CqlSyntaxError>();

  constructor(
    private readonly text: string,
    private readonly file: string | undefined,
  ) {
    if (text.length > limits.cqlSourceBytesMax) {
      throw new LimitError(
        'cqlSourceBytesMax',
        limits.cqlSourceBytesMax,
        text.length,
        'CQL program',
        { location: sourceLocation(file, 1, 1) },
      );
    }
    this.length = text.length;
    // A byte-order mark is not part of the program.
    if (text.charCodeAt(0) === 0xfeff) this.offset = 1;
  }

  private readonly names = new NameTable();
  /** Tokens given back by `recycle`, reused by `token`. */
  private readonly spare: Writable<Token>[] = [];

  /** The lexical error of an `invalid` token. */
  errorOf(token: Token): CqlSyntaxError | undefined {
    return token.kind === 'invalid' ? this.errorsByOffset.get(token.offset) : undefined;
  }

  /** The next token; at the end of the text an `eof` token, on every call. */
  next(): Token {
    const text = this.text;
    const length = this.length;
    let offset = this.offset;
    // Skip whitespace and comments.
    for (;;) {
      if (offset >= length) {
        this.offset = offset;
        return this.make('eof', '', offset, undefined);
      }
      const code = text.charCodeAt(offset);
      if (code < 128 && ASCII_CLASS[code] === CLASS_SPACE) {
        offset++;
        if (code === CHAR_NEWLINE) {
          this.line++;
          this.lineStart = offset;
        }
        continue;
      }
      const following = text.charCodeAt(offset + 1);
      if (
        code === CHAR_HASH ||
        (code === CHAR_SLASH && following === CHAR_SLASH) ||
        (code === CHAR_MINUS && following === CHAR_MINUS)
      ) {
        const end = text.indexOf('\n', offset);
        offset = end < 0 ? length : end;
        continue;
      }
      if (code === CHAR_SLASH && following === CHAR_STAR) {
        const end = text.indexOf('*/', offset + 2);
        if (end < 0) {
          this.offset = offset;
          return this.invalid(offset, length, 'unterminated comment `/*` (missing `*/`)');
        }
        this.countLines(offset, end);
        offset = end + 2;
        continue;
      }
      break;
    }
    this.offset = offset;
    const start = offset;
    const code = text.charCodeAt(offset);
    const charClass = code < 128 ? (ASCII_CLASS[code] ?? 0) : isIdentStart(code) ? 1 : 0;

    if (charClass === CLASS_IDENT_START) {
      // The name's hash is computed while scanning it, so that a name seen before is found in
      // the table without cutting a new string out of the source.
      let hash = Math.imul(FNV_OFFSET ^ code, FNV_PRIME);
      offset++;
      while (offset < length) {
        const part = text.charCodeAt(offset);
        if (part < 128 ? ((ASCII_CLASS[part] ?? 0) & 3) === 0 : !isIdentPart(part)) break;
        hash = Math.imul(hash ^ part, FNV_PRIME);
        offset++;
      }
      if (offset - start > limits.cqlTokenCharsMax) {
        throw new LimitError(
          'cqlTokenCharsMax',
          limits.cqlTokenCharsMax,
          offset - start,
          'identifier',
          { location: this.locationAt(start) },
        );
      }
      this.offset = offset;
      return this.make('ident', this.names.intern(text, start, offset, hash), start, undefined);
    }

    if (charClass === CLASS_DIGIT) return this.number(start);

    if (code === CHAR_DQUOTE || code === CHAR_SQUOTE) return this.string(start, code);

    if (charClass === CLASS_SYMBOL) {
      const two = twoCharSymbol(code, text.charCodeAt(start + 1));
      if (two !== undefined) {
        this.offset = start + 2;
        return this.make('symbol', two, start, undefined);
      }
      this.offset = start + 1;
      return this.make('symbol', SYMBOL_TEXT[code] ?? '', start, undefined);
    }

    const codePoint = text.codePointAt(start) ?? code;
    const width = codePoint > 0xffff ? 2 : 1;
    const hex = codePoint.toString(16).toUpperCase().padStart(4, '0');
    return this.invalid(
      start,
      start + width,
      `unexpected character ${JSON.stringify(String.fromCodePoint(codePoint))} (U+${hex})`,
    );
  }

  private number(start: number): Token {
    const text = this.text;
    const length = this.length;
    let offset = start + 1;
    while (offset < length && isDigit(text.charCodeAt(offset))) offset++;
    if (text.charCodeAt(offset) === CHAR_DOT && isDigit(text.charCodeAt(offset + 1))) {
      offset += 2;
      while (offset < length && isDigit(text.charCodeAt(offset))) offset++;
    }
    const maybeExponent = text.charCodeAt(offset);
    if (maybeExponent === 101 || maybeExponent === 69) {
      let cursor = offset + 1;
      const sign = text.charCodeAt(cursor);
      if (sign === 43 || sign === 45) cursor++;
      if (isDigit(text.charCodeAt(cursor))) {
        offset = cursor;
        while (offset < length && isDigit(text.charCodeAt(offset))) offset++;
      }
    }
    if (offset < length && isIdentStart(text.charCodeAt(offset))) {
      let end = offset;
      while (end < length && isIdentPart(text.charCodeAt(end))) end++;
      return this.invalid(
        start,
        end,
        `malformed number ${JSON.stringify(text.slice(start, end))}: a name cannot start with a digit`,
      );
    }
    if (offset - start > limits.cqlTokenCharsMax) {
      throw new LimitError('cqlTokenCharsMax', limits.cqlTokenCharsMax, offset - start, 'number', {
        location: this.locationAt(start),
      });
    }
    this.offset = offset;
    return this.make('number', text.slice(start, offset), start, undefined);
  }

  private string(start: number, quoteCode: number): Token {
    const text = this.text;
    const length = this.length;
    const quote = quoteCode === CHAR_DQUOTE ? '"' : "'";
    const startLine = this.line;
    const startLineStart = this.lineStart;
    let offset = start + 1;
    let value = '';
    let chunkStart = offset;
    for (;;) {
      if (offset >= length) {
        this.line = startLine;
        this.lineStart = startLineStart;
        return this.invalid(
          start,
          length,
          `unterminated string literal (missing closing ${quote})`,
        );
      }
      const inner = text.charCodeAt(offset);
      if (inner === quoteCode) {
        if (quoteCode === CHAR_SQUOTE && text.charCodeAt(offset + 1) === CHAR_SQUOTE) {
          value += text.slice(chunkStart, offset + 1);
          offset += 2;
          chunkStart = offset;
          continue;
        }
        value += text.slice(chunkStart, offset);
        offset++;
        break;
      }
      if (inner === CHAR_BACKSLASH && quoteCode === CHAR_DQUOTE) {
        value += text.slice(chunkStart, offset);
        const decoded = decodeEscape(text, offset);
        if (decoded === undefined) {
          // Report the bad escape where it is, then resume after the string's closing quote.
          const end = text.indexOf(quote, offset + 2);
          const sequence = JSON.stringify(text.slice(offset, offset + 2));
          const error = this.errorAt(
            offset,
            `invalid escape sequence ${sequence} in string literal`,
          );
          this.line = startLine;
          this.lineStart = startLineStart;
          return this.invalidWith(start, end < 0 ? length : end + 1, error);
        }
        value += decoded.value;
        offset += decoded.length;
        chunkStart = offset;
        continue;
      }
      if (inner === CHAR_NEWLINE) {
        this.line++;
        this.lineStart = offset + 1;
      }
      offset++;
    }
    if (value.length > limits.cqlTokenCharsMax) {
      throw new LimitError(
        'cqlTokenCharsMax',
        limits.cqlTokenCharsMax,
        value.length,
        'string literal',
        { location: sourceLocation(this.file, startLine, start - startLineStart + 1) },
      );
    }
    this.offset = offset;
    // The token is reported at its opening quote, even when it spans lines.
    const startsLine = startLine !== this.lastTokenLine;
    this.lastTokenLine = this.line;
    return this.token(
      'string',
      value,
      quote,
      startLine,
      start - startLineStart + 1,
      start,
      startsLine,
    );
  }

  private make(kind: TokenKind, text: string, start: number, quote: '"' | "'" | undefined): Token {
    const startsLine = this.line !== this.lastTokenLine;
    this.lastTokenLine = this.line;
    return this.token(kind, text, quote, this.line, start - this.lineStart + 1, start, startsLine);
  }

  /** A token object: a recycled one when the reader gave some back, else a new one. */
  private token(
    kind: TokenKind,
    text: string,
    quote: '"' | "'" | undefined,
    line: number,
    column: number,
    offset: number,
    startsLine: boolean,
  ): Token {
    const token = this.spare.pop();
    if (token === undefined) {
      return { kind, text, quote, line, column, offset, startsLine, span: undefined };
    }
    token.kind = kind;
    token.text = text;
    token.quote = quote;
    token.line = line;
    token.column = column;
    token.offset = offset;
    token.startsLine = startsLine;
    token.span = undefined;
    return token;
  }

  /**
   * Give back tokens the reader will never look at again (the parser's, once a declaration is
   * read) to be reused for the next ones: a 10 MB program has two million tokens, and making
   * each a new object was a third of everything the parser allocates (bench/parse.ts). Holds at
   * most as many tokens as the reader had at once.
   */
  recycle(tokens: readonly Token[], count: number): void {
    for (let index = 0; index < count; index++) {
      const token = tokens[index];
      if (token !== undefined) this.spare.push(token);
    }
  }

  /** An `invalid` token covering [start, end), its error recorded; lexing resumes at `end`. */
  private invalid(start: number, end: number, message: string): Token {
    return this.invalidWith(start, end, this.errorAt(start, message));
  }

  private invalidWith(start: number, end: number, error: CqlSyntaxError): Token {
    const token = this.make(
      'invalid',
      this.text.slice(start, Math.min(end, start + 40)),
      start,
      undefined,
    );
    this.countLines(start, end);
    this.offset = end;
    this.errors.push(error);
    this.errorsByOffset.set(start, error);
    return token;
  }

  private countLines(from: number, to: number): void {
    let newline = this.text.indexOf('\n', from);
    while (newline >= 0 && newline < to) {
      this.line++;
      this.lineStart = newline + 1;
      newline = this.text.indexOf('\n', newline + 1);
    }
  }

  private locationAt(offset: number): ReturnType<typeof sourceLocation> {
    return sourceLocation(this.file, this.line, offset - this.lineStart + 1);
  }

  private errorAt(offset: number, message: string): CqlSyntaxError {
    return new CqlSyntaxError(message, { location: this.locationAt(offset) });
  }
}

/**
 * Every token of `text`, ending with `eof`. Without `errors` the first malformed token throws
 * its `CqlSyntaxError`; with it, malformed tokens are left out and their errors collected.
 */
export function tokenize(
  text: string,
  file: string | undefined,
  errors?: CqlSyntaxError[],
): Token[] {
  const scanner = new Scanner(text, file);
  const tokens: Token[] = [];
  for (;;) {
    const token = scanner.next();
    if (token.kind === 'invalid') {
      const error = scanner.errorOf(token);
      if (!errors && error) throw error;
      if (error) errors?.push(error);
      continue;
    }
    tokens.push(token);
    if (token.kind === 'eof') return tokens;
  }
}

function decodeEscape(text: string, at: number): { value: string; length: number } | undefined {
  const escape = text[at + 1];
  switch (escape) {
    case '"':
      return { value: '"', length: 2 };
    case '\\':
      return { value: '\\', length: 2 };
    case '/':
      return { value: '/', length: 2 };
    case "'":
      return { value: "'", length: 2 };
    case 'n':
      return { value: '\n', length: 2 };
    case 't':
      return { value: '\t', length: 2 };
    case 'r':
      return { value: '\r', length: 2 };
    case 'b':
      return { value: '\b', length: 2 };
    case 'f':
      return { value: '\f', length: 2 };
    case 'u': {
      const hex = text.slice(at + 2, at + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) return undefined;
      return { value: String.fromCharCode(parseInt(hex, 16)), length: 6 };
    }
    default:
      // As the reference's tokenizer: a backslash before any other character stands for it.
      return escape === undefined || escape === '\n' ? undefined : { value: escape, length: 2 };
  }
}

/** Escape a string for a double-quoted CQL literal (the inverse of the lexer). */
export function quoteString(value: string): string {
  let out = '"';
  for (const char of value) {
    switch (char) {
      case '"':
        out += '\\"';
        break;
      case '\\':
        out += '\\\\';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\b':
        out += '\\b';
        break;
      case '\f':
        out += '\\f';
        break;
      default: {
        const code = char.charCodeAt(0);
        out += code < 32 ? `\\u${code.toString(16).padStart(4, '0')}` : char;
      }
    }
  }
  return `${out}"`;
}

const IDENTIFIER = /^[\p{L}_$][\p{L}\p{N}_$]*$/u;
const SURROGATE = /[\uD800-\uDFFF]/;

/** True when `text` lexes as a single identifier token. */
export function isIdentifier(text: string): boolean {
  // The lexer reads UTF-16 code units: a letter outside the BMP is not part of a name.
  return IDENTIFIER.test(text) && !SURROGATE.test(text);
}

/** True when `text` lexes as a single number token. */
export function isNumberText(text: string): boolean {
  return /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(text);
}
