/**
 * Programs: a sequence of declarations in either syntax.
 *
 *   typeside T = <typeside>            schema S = <schema>        schema S { … }       (compact)
 *   instance I = <instance>            instance I : S { … }       (compact rows)
 *   mapping F = <mapping>              mapping F : S -> T { … }   (compact)
 *   query Q = <query>                  query Q : S { from … }     (compact)
 *   options k = v …
 *
 * Other declaration kinds of the reference (`transform`, `constraints`, `command`, …) are
 * `E_CQL_UNSUPPORTED`. With `recover: true` the parser records an error, skips to the next line
 * that starts with a declaration keyword, and goes on, so `catrust validate` reports every error.
 */
import { CatrustError, LimitError, limits } from '../common/index.js';
import type { Declaration, Program, Span } from './ast.js';
import {
  parseCompactMappingBody,
  parseCompactQueryBody,
  parseInstanceRowsBody,
} from './parse-compact.js';
import {
  parseInstanceExp,
  parseMappingExp,
  parseOptionSettings,
  parseQueryExp,
  parseSchemaBody,
  parseSchemaExp,
  parseTypesideExp,
} from './parse-reference.js';
import { CqlSyntaxError } from './errors.js';
import { Scanner } from './lexer.js';
import { TokenStream } from './token-stream.js';

const DECLARATION_KEYWORDS = [
  'typeside',
  'schema',
  'instance',
  'mapping',
  'query',
  'options',
] as const;

/** Declaration kinds of the reference language that catrust rejects. */
const UNSUPPORTED_DECLARATIONS: ReadonlySet<string> = new Set([
  'transform',
  'constraints',
  'command',
  'pragma',
  'graph',
  'schema_colimit',
  'theory_morphism',
  'comment',
  'html',
  'md',
  'apg_typeside',
  'apg_schema',
  'apg_instance',
  'apg_morphism',
  'apg_mapping',
]);

export interface ParseOptions {
  /** The file name used in error locations. */
  readonly file?: string | undefined;
  /** Keep going after an error and collect every error (for `catrust validate`). */
  readonly recover?: boolean;
}

export interface ParseResult {
  /** The declarations that parsed (all of them when `errors` is empty). */
  readonly program: Program;
  readonly errors: readonly CatrustError[];
}

/** Parse a whole program; throws the first error. */
export function parseProgram(text: string, options: { file?: string | undefined } = {}): Program {
  const result = parseProgramCollectingErrors(text, { file: options.file, recover: false });
  const first = result.errors[0];
  if (first) throw first;
  return result.program;
}

/**
 * Parse a whole program. Without `recover`, `errors` holds at most the first error (in source
 * order); with it, every lexical and syntax error, in source order, and `program` the
 * declarations that parsed.
 */
export function parseProgramCollectingErrors(
  text: string,
  options: ParseOptions = {},
): ParseResult {
  const file = options.file;
  const errors: CatrustError[] = [];
  const declarations: Declaration[] = [];
  let scanner: Scanner;
  try {
    scanner = new Scanner(text, file);
  } catch (error) {
    if (error instanceof CatrustError) {
      return { program: { kind: 'Program', file, declarations }, errors: [error] };
    }
    throw error;
  }
  const stream = new TokenStream(scanner, file);
  try {
    while (!stream.atEnd()) {
      stream.release();
      const start = stream.index;
      stream.resetFailures();
      try {
        declarations.push(parseDeclaration(stream));
      } catch (thrown) {
        if (!(thrown instanceof CatrustError)) throw thrown;
        const error = thrown instanceof CqlSyntaxError ? stream.furthestFailure(thrown) : thrown;
        errors.push(error);
        // A limit stops everything: the rest of the text is not read.
        if (!options.recover || error instanceof LimitError) break;
        if (errors.length >= limits.validateErrorsMax) break;
        skipToNextDeclaration(stream, start);
      }
    }
  } catch (thrown) {
    // A limit met while skipping to the next declaration.
    if (!(thrown instanceof CatrustError)) throw thrown;
    errors.push(thrown);
  }
  // Lexical errors the parser did not meet itself (skipped by recovery, or read ahead).
  const reported = new Set<CatrustError>(errors);
  for (const lexical of scanner.errors) if (!reported.has(lexical)) errors.push(lexical);
  errors.sort(byPosition);
  errors.splice(options.recover ? limits.validateErrorsMax : 1);
  return { program: { kind: 'Program', file, declarations }, errors };
}

/** Skip to the next line that starts a declaration outside any braces opened since `start`. */
function skipToNextDeclaration(stream: TokenStream, start: number): void {
  stream.index = start;
  stream.next();
  let depth = 0;
  while (!stream.atEnd()) {
    const token = stream.peek();
    if (token.kind === 'symbol' && token.text === '{') depth++;
    if (token.kind === 'symbol' && token.text === '}') depth = Math.max(0, depth - 1);
    // Inside braces a declaration keyword in column 1 still restarts (an unclosed brace must not
    // swallow the rest of the file), except `options`, which also opens sections of blocks.
    const restarts = depth === 0 || (token.column === 1 && token.text !== 'options');
    if (
      restarts &&
      token.startsLine &&
      token.kind === 'ident' &&
      ((DECLARATION_KEYWORDS as readonly string[]).includes(token.text) ||
        UNSUPPORTED_DECLARATIONS.has(token.text))
    ) {
      return;
    }
    stream.next();
  }
}

function parseDeclaration(stream: TokenStream): Declaration {
  const keyword = stream.peek();
  const span: Span = stream.span();
  if (keyword.kind === 'ident' && UNSUPPORTED_DECLARATIONS.has(keyword.text)) {
    throw stream.unsupported(`the declaration kind \`${keyword.text}\``);
  }
  if (
    keyword.kind !== 'ident' ||
    !(DECLARATION_KEYWORDS as readonly string[]).includes(keyword.text)
  ) {
    throw stream.expected(
      `a declaration (${DECLARATION_KEYWORDS.map((word) => `\`${word}\``).join(', ')})`,
      DECLARATION_KEYWORDS,
    );
  }
  stream.next();
  if (keyword.text === 'options') {
    const stops = [...DECLARATION_KEYWORDS, ...UNSUPPORTED_DECLARATIONS];
    return { kind: 'OptionsDecl', options: parseOptionSettings(stream, stops), span };
  }
  const name = stream.expectName(`of the ${keyword.text}`);
  switch (keyword.text) {
    case 'typeside':
      stream.expectSymbol('=', `after \`typeside ${name.text}\``);
      return { kind: 'TypesideDecl', name, value: parseTypesideExp(stream), span };
    case 'schema': {
      if (stream.atSymbol('{')) {
        const bodySpan = stream.span();
        stream.next();
        const value = parseSchemaBody(
          stream,
          'compact',
          { kind: 'TypesideSql', span: bodySpan },
          bodySpan,
        );
        return { kind: 'SchemaDecl', name, value, span };
      }
      stream.expectSymbol('=', `after \`schema ${name.text}\` (or \`{\` for a compact schema)`);
      return { kind: 'SchemaDecl', name, value: parseSchemaExp(stream), span };
    }
    case 'instance': {
      if (stream.atSymbol(':')) {
        const bodySpan = stream.span();
        stream.next();
        const schema = parseSchemaExp(stream);
        stream.expectSymbol('{', 'to open the rows of the compact instance');
        const entities = parseInstanceRowsBody(stream);
        return {
          kind: 'InstanceDecl',
          name,
          value: { kind: 'InstanceRows', schema, entities, span: bodySpan },
          span,
        };
      }
      stream.expectSymbol('=', `after \`instance ${name.text}\` (or \`:\` for compact rows)`);
      return { kind: 'InstanceDecl', name, value: parseInstanceExp(stream), span };
    }
    case 'mapping': {
      if (stream.atSymbol(':')) {
        const bodySpan = stream.span();
        stream.next();
        const source = parseSchemaExp(stream);
        stream.expectSymbol('->', 'between the source and target schemas');
        const target = parseSchemaExp(stream);
        stream.expectSymbol('{', 'to open the compact mapping');
        const value = parseCompactMappingBody(stream, source, target, bodySpan);
        return { kind: 'MappingDecl', name, value, span };
      }
      stream.expectSymbol('=', `after \`mapping ${name.text}\` (or \`:\` for a compact mapping)`);
      return { kind: 'MappingDecl', name, value: parseMappingExp(stream), span };
    }
    case 'query': {
      if (stream.atSymbol(':')) {
        const bodySpan = stream.span();
        stream.next();
        const schema = parseSchemaExp(stream);
        stream.expectSymbol('{', 'to open the compact query');
        return {
          kind: 'QueryDecl',
          name,
          value: parseCompactQueryBody(stream, schema, bodySpan),
          span,
        };
      }
      stream.expectSymbol('=', `after \`query ${name.text}\` (or \`:\` for a compact query)`);
      return { kind: 'QueryDecl', name, value: parseQueryExp(stream), span };
    }
    default:
      throw stream.expected('a declaration');
  }
}

function byPosition(a: CatrustError, b: CatrustError): number {
  const left = a.location?.kind === 'source' ? a.location : undefined;
  const right = b.location?.kind === 'source' ? b.location : undefined;
  return (left?.line ?? 0) - (right?.line ?? 0) || (left?.column ?? 0) - (right?.column ?? 0);
}
