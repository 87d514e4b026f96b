/**
 * The CQL lexer: source text → tokens with line, column and offset.
 *
 * One lexer serves both syntaxes. No word is reserved here: the parser decides from context
 * whether `entities` is a section keyword or a name, as the reference tolerates names that are
 * keywords elsewhere. Comments: `// …` and `# …` to the end of the line (the reference uses
 * `#`), `/* … *\/` (not nested). Strings are double-quoted with Java-style escapes, or
 * single-quoted SQL-style (`''` for a quote) in compact expressions. Numbers keep their text.
 *
 * The lexer is a hand-written loop over char codes: it must sustain well over 20 MB/s.
 */
import { LimitError, limits, sourceLocation } from '../common/index.js';
import { CqlSyntaxError } from './errors.js';

export type TokenKind = 'ident' | 'string' | 'number' | 'symbol' | 'eof';

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
}

/** Two-character symbols, checked before single characters. */
const TWO_CHAR_SYMBOLS = new Set(['->', '<-', '!=', '<>', '<=', '>=', '||']);
const ONE_CHAR_SYMBOLS = new Set([...',.;:()=@[]{}*+<>|!-/%']);

const CHAR_NEWLINE = 10;
const CHAR_CR = 13;
const CHAR_SPACE = 32;
const CHAR_TAB = 9;
const CHAR_HASH = 35;
const CHAR_SLASH = 47;
const CHAR_STAR = 42;
const CHAR_DQUOTE = 34;
const CHAR_SQUOTE = 39;
const CHAR_BACKSLASH = 92;
const CHAR_DOT = 46;
const CHAR_0 = 48;
const CHAR_9 = 57;

function isDigit(code: number): boolean {
  return code >= CHAR_0 && code <= CHAR_9;
}

function isIdentStart(code: number): boolean {
  return (
    (code >= 65 && code <= 90) || // A-Z
    (code >= 97 && code <= 122) || // a-z
    code === 95 || // _
    code === 36 || // $
    (code > 127 && isUnicodeLetter(code))
  );
}

function isIdentPart(code: number): boolean {
  return isIdentStart(code) || isDigit(code) || (code > 127 && isUnicodeDigit(code));
}

const LETTER = /\p{L}/u;
const DIGIT = /\p{N}/u;
function isUnicodeLetter(code: number): boolean {
  return LETTER.test(String.fromCharCode(code));
}
function isUnicodeDigit(code: number): boolean {
  return DIGIT.test(String.fromCharCode(code));
}

export function tokenize(text: string, file: string | undefined): Token[] {
  if (text.length > limits.cqlSourceBytesMax) {
    throw new LimitError(
      'cqlSourceBytesMax',
      limits.cqlSourceBytesMax,
      text.length,
      'CQL program',
      {
        location: sourceLocation(file, 1, 1),
      },
    );
  }
  const tokens: Token[] = [];
  let offset = 0;
  let line = 1;
  let lineStart = 0;
  let lastTokenLine = 0;
  const length = text.length;

  const fail = (message: string, at: number, atLine: number, atLineStart: number): never => {
    throw new CqlSyntaxError(message, {
      location: sourceLocation(file, atLine, at - atLineStart + 1),
    });
  };

  const push = (kind: TokenKind, value: string, start: number, quote?: '"' | "'"): void => {
    const startsLine = line !== lastTokenLine;
    lastTokenLine = line;
    tokens.push({
      kind,
      text: value,
      quote,
      line,
      column: start - lineStart + 1,
      offset: start,
      startsLine,
    });
  };

  while (offset < length) {
    const code = text.charCodeAt(offset);
    if (code === CHAR_NEWLINE) {
      offset++;
      line++;
      lineStart = offset;
      continue;
    }
    if (code === CHAR_SPACE || code === CHAR_TAB || code === CHAR_CR || code === 12) {
      offset++;
      continue;
    }
    // Line comments: `#` and `//`.
    if (code === CHAR_HASH || (code === CHAR_SLASH && text.charCodeAt(offset + 1) === CHAR_SLASH)) {
      while (offset < length && text.charCodeAt(offset) !== CHAR_NEWLINE) offset++;
      continue;
    }
    // Block comments.
    if (code === CHAR_SLASH && text.charCodeAt(offset + 1) === CHAR_STAR) {
      const startLine = line;
      const startLineStart = lineStart;
      const start = offset;
      offset += 2;
      for (;;) {
        if (offset >= length) fail('unterminated comment `/*`', start, startLine, startLineStart);
        const inner = text.charCodeAt(offset);
        if (inner === CHAR_STAR && text.charCodeAt(offset + 1) === CHAR_SLASH) {
          offset += 2;
          break;
        }
        offset++;
        if (inner === CHAR_NEWLINE) {
          line++;
          lineStart = offset;
        }
      }
      continue;
    }
    const start = offset;
    if (isIdentStart(code)) {
      offset++;
      while (offset < length && isIdentPart(text.charCodeAt(offset))) offset++;
      if (offset - start > limits.cqlTokenCharsMax) {
        throw new LimitError(
          'cqlTokenCharsMax',
          limits.cqlTokenCharsMax,
          offset - start,
          'identifier',
          {
            location: sourceLocation(file, line, start - lineStart + 1),
          },
        );
      }
      push('ident', text.slice(start, offset), start);
      continue;
    }
    if (isDigit(code)) {
      offset++;
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
        fail(
          `malformed number ${JSON.stringify(text.slice(start, offset + 1))}: a name cannot start with a digit`,
          start,
          line,
          lineStart,
        );
      }
      push('number', text.slice(start, offset), start);
      continue;
    }
    if (code === CHAR_DQUOTE || code === CHAR_SQUOTE) {
      const startLine = line;
      const startLineStart = lineStart;
      const quote = code === CHAR_DQUOTE ? '"' : "'";
      offset++;
      let value = '';
      let chunkStart = offset;
      for (;;) {
        if (offset >= length) {
          fail(
            `unterminated string literal (missing closing ${quote})`,
            start,
            startLine,
            startLineStart,
          );
        }
        const inner = text.charCodeAt(offset);
        if (inner === code) {
          if (code === CHAR_SQUOTE && text.charCodeAt(offset + 1) === CHAR_SQUOTE) {
            value += text.slice(chunkStart, offset + 1);
            offset += 2;
            chunkStart = offset;
            continue;
          }
          value += text.slice(chunkStart, offset);
          offset++;
          break;
        }
        if (inner === CHAR_BACKSLASH && code === CHAR_DQUOTE) {
          value += text.slice(chunkStart, offset);
          const escape = text[offset + 1];
          const decoded = decodeEscape(text, offset);
          if (decoded === undefined) {
            fail(
              `invalid escape sequence \\${escape ?? ''} in string literal`,
              offset,
              line,
              lineStart,
            );
          } else {
            value += decoded.value;
            offset += decoded.length;
          }
          chunkStart = offset;
          continue;
        }
        if (inner === CHAR_NEWLINE) {
          line++;
          lineStart = offset + 1;
        }
        offset++;
      }
      if (value.length > limits.cqlTokenCharsMax) {
        throw new LimitError(
          'cqlTokenCharsMax',
          limits.cqlTokenCharsMax,
          value.length,
          'string literal',
          {
            location: sourceLocation(file, startLine, start - startLineStart + 1),
          },
        );
      }
      // Report the token at its opening quote, even when it spans lines.
      const startsLine = startLine !== lastTokenLine;
      lastTokenLine = line;
      tokens.push({
        kind: 'string',
        text: value,
        quote,
        line: startLine,
        column: start - startLineStart + 1,
        offset: start,
        startsLine,
      });
      continue;
    }
    const two = text.slice(offset, offset + 2);
    if (TWO_CHAR_SYMBOLS.has(two)) {
      offset += 2;
      push('symbol', two, start);
      continue;
    }
    const one = text[offset] ?? '';
    if (ONE_CHAR_SYMBOLS.has(one)) {
      offset++;
      push('symbol', one, start);
      continue;
    }
    const codePoint = text.codePointAt(offset) ?? code;
    fail(
      `unexpected character ${JSON.stringify(String.fromCodePoint(codePoint))} (U+${codePoint
        .toString(16)
        .toUpperCase()
        .padStart(4, '0')})`,
      start,
      line,
      lineStart,
    );
  }
  tokens.push({
    kind: 'eof',
    text: '',
    quote: undefined,
    line,
    column: offset - lineStart + 1,
    offset,
    startsLine: true,
  });
  return tokens;
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

/** True when `text` lexes as a single identifier token. */
export function isIdentifier(text: string): boolean {
  return IDENTIFIER.test(text);
}

/** True when `text` lexes as a single number token. */
export function isNumberText(text: string): boolean {
  return /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(text);
}
