/**
 * Fuzzing the checker: programs that parse after a token-level mutation of a bundled example
 * (a name swapped for another name of the same file, a number or string changed, a token
 * dropped or repeated) are checked; the result is a model or typed errors with locations —
 * never another exception. 2,000 seeded cases.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { checkProgramCollecting } from '../../catalog/index.js';
import { CatrustError } from '../../common/index.js';
import { parseProgramCollectingErrors, tokenize, type Token } from '../../cql/index.js';
import { examplesDir } from '../helpers/paths.js';

const sources = readdirSync(examplesDir)
  .filter((file) => file.endsWith('.cql'))
  .map((file) => readFileSync(join(examplesDir, file), 'utf8'));

type Mutation =
  | { kind: 'rename'; at: number; other: number }
  | { kind: 'literal'; at: number; text: string }
  | { kind: 'drop'; at: number }
  | { kind: 'repeat'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('rename' as const), at: fc.nat(), other: fc.nat() }),
  fc.record({
    kind: fc.constant('literal' as const),
    at: fc.nat(),
    text: fc.constantFrom(
      '0',
      '-1',
      '9223372036854775808',
      '1.5',
      '"x"',
      '"2024-02-30"',
      'true',
      'null',
      '""',
    ),
  }),
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat() }),
);

function mutate(source: string, mutations: readonly Mutation[]): string {
  let text = source;
  for (const m of mutations) {
    const tokens = tokenize(text, 'f.cql').filter((t) => t.kind !== 'eof');
    const names = tokens.filter((t) => t.kind === 'ident');
    const pick = <T>(items: readonly T[], index: number): T | undefined =>
      items.length === 0 ? undefined : items[index % items.length];
    const replace = (token: Token | undefined, by: string): void => {
      if (token === undefined) return;
      const end = text.indexOf(
        token.kind === 'string' ? (token.quote ?? '"') : token.text,
        token.offset,
      );
      const length =
        token.kind === 'string'
          ? text.indexOf(token.quote ?? '"', token.offset + 1) + 1 - token.offset
          : token.text.length;
      if (end < 0 || length <= 0) return;
      text = text.slice(0, token.offset) + by + text.slice(token.offset + length);
    };
    switch (m.kind) {
      case 'rename':
        replace(pick(names, m.at), pick(names, m.other)?.text ?? 'x');
        break;
      case 'literal':
        replace(
          pick(
            tokens.filter((t) => t.kind === 'number' || t.kind === 'string'),
            m.at,
          ),
          m.text,
        );
        break;
      case 'drop':
        replace(pick(tokens, m.at), ' ');
        break;
      case 'repeat': {
        const token = pick(tokens, m.at);
        if (token !== undefined && token.kind !== 'string')
          replace(token, `${token.text} ${token.text}`);
        break;
      }
    }
  }
  return text;
}

describe('catalog: fuzzing the checker with mutated examples', function () {
  this.timeout(300_000);
  it('returns a model or typed, located errors, never another exception (2,000 cases)', () => {
    let checked = 0;
    let rejected = 0;
    fc.assert(
      fc.property(
        fc.nat(sources.length - 1),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        (index, mutations) => {
          const text = mutate(sources[index] ?? '', mutations);
          const parsed = parseProgramCollectingErrors(text, { file: 'f.cql', recover: false });
          if (parsed.errors.length > 0) return;
          const result = checkProgramCollecting(parsed.program, { allowExternalCode: true });
          checked++;
          for (const error of result.errors) {
            assert.ok(error instanceof CatrustError, String(error));
            assert.match(error.code, /^E_[A-Z_]+$/);
            assert.ok(
              error.location !== undefined,
              `${error.code} without a location: ${error.message}`,
            );
          }
          if (result.errors.length > 0) rejected++;
        },
      ),
      { numRuns: 2000, seed: 20261125 },
    );
    // The mutations must exercise the checker, not only the parser.
    assert.ok(checked > 500, `only ${checked} mutated programs parsed`);
    assert.ok(rejected > 100, `only ${rejected} were rejected by the checker`);
  });
});
