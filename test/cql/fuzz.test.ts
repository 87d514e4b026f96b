/**
 * Fuzzing the parser: mutated programs either parse or fail with a `CatrustError` — never another
 * exception, never a hang. 10,000 seeded cases over the examples and generated programs.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CatrustError, LimitError } from '../../common/index.js';
import {
  equalModuloSpans,
  parseProgram,
  parseProgramCollectingErrors,
  printProgram,
  tokenize,
} from '../../cql/index.js';
import { examplesDir } from '../helpers/paths.js';
import { ProgramGenerator, createRandom, normaliseGenerated } from './random-program.js';

const PIECES = [
  '{',
  '}',
  '(',
  ')',
  '->',
  ':',
  '=',
  '.',
  ',',
  ';',
  '"',
  "'",
  '/*',
  '*/',
  '//',
  '#',
  '\\',
  '!',
  'entities',
  'literal',
  'sigma',
  'forall',
  'lambda',
  'select',
  'from',
  'COUNT(*)',
  '@',
  '[',
  ']',
  '\u0000',
  '\u00e9',
  '\ud83d\ude00',
  '9999999999999999999999',
  '\n',
  ' ',
  'x.y.z',
  '((((',
  '('.repeat(300),
  'f('.repeat(300),
  'sigma F '.repeat(300),
  '--',
];

/** Token-level mutations of `text`: delete, duplicate or swap whole tokens. */
function mutateTokens(text: string, random: () => number): string {
  let tokens;
  try {
    tokens = tokenize(text, undefined).filter((token) => token.kind !== 'eof');
  } catch {
    return text;
  }
  if (tokens.length < 2) return text;
  // A token's text runs to the next token (so its trailing space and comments go with it).
  const pieces = tokens.map((token, index) =>
    text.slice(token.offset, tokens[index + 1]?.offset ?? text.length),
  );
  const pick = () => Math.floor(random() * pieces.length);
  const first = pick();
  const second = pick();
  switch (Math.floor(random() * 3)) {
    case 0:
      pieces.splice(first, 1);
      break;
    case 1:
      pieces.splice(first, 0, pieces[first] ?? '');
      break;
    default: {
      const swap = pieces[first] ?? '';
      pieces[first] = pieces[second] ?? '';
      pieces[second] = swap;
    }
  }
  return text.slice(0, tokens[0]?.offset ?? 0) + pieces.join('');
}

function mutate(text: string, random: () => number): string {
  const at = () => Math.floor(random() * (text.length + 1));
  const count = 1 + Math.floor(random() * 4);
  let result = text;
  for (let step = 0; step < count; step++) {
    const position = Math.min(at(), result.length);
    switch (Math.floor(random() * 6)) {
      case 0: // delete a span
        result = result.slice(0, position) + result.slice(position + 1 + Math.floor(random() * 8));
        break;
      case 1: // insert a piece of syntax
        result =
          result.slice(0, position) +
          (PIECES[Math.floor(random() * PIECES.length)] ?? '') +
          result.slice(position);
        break;
      case 2: // duplicate a span
        result =
          result.slice(0, position) +
          result.slice(position, position + 20) +
          result.slice(position);
        break;
      case 3: // truncate
        result = result.slice(0, position);
        break;
      case 4: // swap two characters
        result =
          result.slice(0, position) +
          (result[position + 1] ?? '') +
          (result[position] ?? '') +
          result.slice(position + 2);
        break;
      default: // a random byte
        result =
          result.slice(0, position) +
          String.fromCharCode(Math.floor(random() * 256)) +
          result.slice(position);
    }
  }
  return result;
}

function expectOnlyTypedErrors(text: string, label: string): void {
  for (const recover of [false, true]) {
    try {
      if (recover) {
        const result = parseProgramCollectingErrors(text, { file: 'fuzz.cql', recover: true });
        for (const error of result.errors) assert.ok(error instanceof CatrustError);
        printProgram(result.program);
      } else {
        // Whatever parses also round-trips through the printer.
        const program = parseProgram(text, { file: 'fuzz.cql' });
        const printed = printProgram(program);
        const again = parseProgram(printed, { file: 'printed.cql' });
        assert.ok(equalModuloSpans(again, program), `${label}: round trip changed the AST`);
        assert.equal(printProgram(again), printed, `${label}: print is not idempotent`);
      }
    } catch (error) {
      if (!(error instanceof CatrustError)) {
        assert.fail(`${label} (recover=${recover}): ${String(error)}\n--- input ---\n${text}`);
      }
      assert.ok(error.location, `${label}: error without a location: ${error.message}`);
    }
  }
}

describe('cql: fuzzing', () => {
  it('10,000 mutated programs give only typed errors', function () {
    this.timeout(120_000);
    const seeds: string[] = readdirSync(examplesDir)
      .filter((file) => file.endsWith('.cql'))
      .map((file) => readFileSync(join(examplesDir, file), 'utf8'));
    for (let seed = 0; seed < 20; seed++) {
      seeds.push(printProgram(normaliseGenerated(new ProgramGenerator(seed).program(3))));
    }
    const random = createRandom(424242);
    const cases = 10_000;
    for (let index = 0; index < cases; index++) {
      const base = seeds[index % seeds.length] ?? '';
      const tokenLevel = random() < 0.4 ? mutateTokens(base, random) : base;
      expectOnlyTypedErrors(mutate(tokenLevel, random), `case ${index}`);
    }
  });

  it('survives hostile nesting, huge tokens and random bytes', () => {
    expectOnlyTypedErrors(
      `query Q : S { from e : E select ${'('.repeat(20_000)}1${')'.repeat(20_000)} }`,
      'parens',
    );
    expectOnlyTypedErrors(
      `instance I = ${'sigma F ('.repeat(5000)}I${')'.repeat(5000)}`,
      'nested sigma',
    );
    expectOnlyTypedErrors(
      `query Q : S { from e : E select ${'- '.repeat(50_000)}1 }`,
      'unary chain',
    );
    expectOnlyTypedErrors(`schema S { entities ${'x'.repeat(70_000)} }`, 'long identifier');
    // Nesting past the limit is a LimitError at the token that goes too deep, never a crash.
    for (const deep of [
      `query Q : S { from e : E select ${'('.repeat(20_000)}1${')'.repeat(20_000)} }`,
      `query Q : S { from e : E where ${'not '.repeat(20_000)}true select 1 }`,
      `instance I = literal : S { equations ${'f('.repeat(20_000)}x${')'.repeat(20_000)} = y }`,
      `instance I = ${'sigma F ('.repeat(5000)}I${')'.repeat(5000)}`,
      `mapping M = ${'['.repeat(5000)}F${' ; G]'.repeat(5000)}`,
      `instance I = ${'sigma F '.repeat(20_000)}I`,
      `typeside T = ${'typesideOf literal : '.repeat(20_000)}sql`,
      `schema S = ${'empty : typesideOf '.repeat(20_000)}S`,
      `schema S = literal : sql { imports ${'literal : sql { imports '.repeat(20_000)} }`,
    ]) {
      assert.throws(
        () => parseProgram(deep),
        (error: unknown) =>
          error instanceof LimitError && error.details?.['limit'] === 'cqlNestingDepthMax',
      );
    }
    const random = createRandom(7);
    for (let index = 0; index < 200; index++) {
      const bytes = Array.from({ length: 200 }, () =>
        String.fromCharCode(Math.floor(random() * 128)),
      ).join('');
      expectOnlyTypedErrors(bytes, `random ${index}`);
    }
    assert.ok(tokenize('a b', undefined).length === 3);
  });
});
