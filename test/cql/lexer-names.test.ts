/**
 * The lexer's name table (cql/lexer.ts, `NameTable`): identifiers are looked up by a hash of
 * the source's characters without cutting a string first. Whatever the names (ASCII, letters
 * beyond ASCII, names that share prefixes, more names than the table's first size), every
 * identifier token must read exactly its text, with its line and column, and two occurrences
 * of one name must be one string.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { equalModuloSpans, parseProgram, printProgram, tokenize } from '../../cql/index.js';

const NAME_START = ['a', 'b', 'z', 'A', 'Q', '_', '$', 'é', 'Ж', 'λ'];
const NAME_PART = [...NAME_START, '0', '7', '٣'];

const nameArbitrary = fc
  .tuple(
    fc.constantFrom(...NAME_START),
    fc.array(fc.constantFrom(...NAME_PART), { minLength: 0, maxLength: 12 }),
  )
  .map(([first, rest]) => first + rest.join(''));

/** The identifiers of `names` separated by spaces and newlines, with where each one starts. */
function layout(names: readonly string[]): {
  text: string;
  at: { line: number; column: number }[];
} {
  let text = '';
  let line = 1;
  let column = 1;
  const at: { line: number; column: number }[] = [];
  names.forEach((name, index) => {
    at.push({ line, column });
    text += name;
    column += name.length;
    const separator = index % 7 === 6 ? '\n' : ' ';
    text += separator;
    if (separator === '\n') {
      line++;
      column = 1;
    } else {
      column++;
    }
  });
  return { text, at };
}

describe('lexer name table', () => {
  it('reads every identifier as written, where it is written', () => {
    fc.assert(
      fc.property(fc.array(nameArbitrary, { minLength: 1, maxLength: 200 }), (names) => {
        const { text, at } = layout(names);
        const tokens = tokenize(text, undefined);
        assert.equal(tokens.length, names.length + 1);
        names.forEach((name, index) => {
          const token = tokens[index];
          assert.equal(token?.kind, 'ident');
          assert.equal(token.text, name);
          assert.equal(token.line, at[index]?.line);
          assert.equal(token.column, at[index]?.column);
        });
      }),
      { seed: 20261125, numRuns: 300 },
    );
  });

  it('keeps names apart and shares repeated ones past the first table size', () => {
    // 5,000 distinct names (the table starts with 1,024 slots and grows), each written twice;
    // names differing in one character or only in length must not be confused.
    const names = Array.from({ length: 5000 }, (_, index) => `n${index.toString(36)}`);
    names.push('n', 'n00', 'N0', 'n_0', 'n0_');
    const { text } = layout([...names, ...names]);
    const tokens = tokenize(text, undefined);
    assert.equal(tokens.length, names.length * 2 + 1);
    names.forEach((name, index) => {
      assert.equal(tokens[index]?.text, name);
      assert.equal(tokens[index + names.length]?.text, name);
    });
    assert.equal(new Set(tokens.slice(0, -1).map((token) => token.text)).size, names.length);
  });

  it('tells apart two names of one hash', () => {
    // `g2rnw` and `gjpba` have the same 32-bit FNV-1a hash and the same length: only the
    // comparison with the source tells them apart.
    const tokens = tokenize('g2rnw gjpba g2rnw gjpba', undefined);
    assert.deepEqual(
      tokens.map((token) => token.text),
      ['g2rnw', 'gjpba', 'g2rnw', 'gjpba', ''],
    );
  });

  it('reuses token objects across declarations without touching the AST already built', () => {
    // The parser gives a declaration's tokens back to the scanner when it starts the next one;
    // nothing of an earlier declaration may change, and each keeps its own names and places.
    const module = (index: number): string =>
      `schema S${index} {\n  entities E${index} F\n  foreign_keys f${index} : E${index} -> F\n}\n` +
      `instance I${index} : S${index} {\n  F { x: }\n  E${index} { r${index}: f${index} = x }\n}\n`;
    const modules = Array.from({ length: 40 }, (_, index) => module(index));
    const program = parseProgram(modules.join(''));
    assert.equal(program.declarations.length, 80);
    program.declarations.forEach((declaration, position) => {
      const index = Math.floor(position / 2);
      const line = index * 8 + (position % 2 === 0 ? 1 : 5);
      assert.ok(declaration.kind !== 'OptionsDecl');
      assert.equal(declaration.name.text, `${position % 2 === 0 ? 'S' : 'I'}${index}`);
      assert.equal(declaration.span.line, line);
      assert.equal(declaration.name.span.line, line);
      const alone = parseProgram(modules[index] ?? '').declarations[position % 2];
      assert.ok(equalModuloSpans(declaration, alone), `declaration ${position}`);
    });
    assert.equal(printProgram(parseProgram(printProgram(program))), printProgram(program));
  });

  it('gives every node starting at one token the same span', () => {
    const program = parseProgram('instance I : S {\n  E { row1: name = "x" }\n}\n');
    const declaration = program.declarations[0];
    assert.ok(declaration?.kind === 'InstanceDecl' && declaration.value.kind === 'InstanceRows');
    const row = declaration.value.entities[0]?.rows[0];
    const assignment = row?.assignments[0];
    assert.deepEqual(row?.span, { line: 2, column: 7, offset: 23 });
    assert.equal(row?.span, row?.generator.span);
    assert.deepEqual(assignment?.span, { line: 2, column: 13, offset: 29 });
    assert.equal(assignment?.span, assignment?.field.span);
    assert.deepEqual(assignment?.value.span, { line: 2, column: 20, offset: 36 });
  });
});
