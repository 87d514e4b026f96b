import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { equalModuloSpans, parseProgram, printProgram } from '../../cql/index.js';
import { examplesDir } from '../helpers/paths.js';
import { ProgramGenerator, normaliseGenerated } from './random-program.js';

describe('cql: parse ∘ print', () => {
  it('round-trips every example program', () => {
    const files = readdirSync(examplesDir).filter((file) => file.endsWith('.cql'));
    assert.ok(files.length > 0);
    for (const file of files) {
      const text = readFileSync(join(examplesDir, file), 'utf8');
      const program = parseProgram(text, { file });
      const printed = printProgram(program);
      assert.ok(equalModuloSpans(parseProgram(printed, { file }), program), file);
    }
  });

  it('round-trips generated programs: parse(print(ast)) = ast and print is idempotent', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const program = normaliseGenerated(new ProgramGenerator(seed).program(4));
        const printed = printProgram(program);
        let reparsed;
        try {
          reparsed = parseProgram(printed, { file: 'generated.cql' });
        } catch (error) {
          assert.fail(`seed ${seed}: printed program does not parse: ${String(error)}\n${printed}`);
        }
        assert.ok(equalModuloSpans(reparsed, program), `seed ${seed}: AST changed\n${printed}`);
        assert.equal(printProgram(reparsed), printed, `seed ${seed}: print not idempotent`);
      }),
      { numRuns: 1500, seed: 20261125 },
    );
  });
});
