/**
 * Migration programs in the reference syntax (test/cql/programs/functors/*.cql) checked with the
 * functor evaluator, compared in full with `NAME.expected.json` beside each program:
 *
 *   { "instances": { "J": { "Entity": [ {"@": row, fk: row, attribute: value | {"null": label}} ] } },
 *     "error": { "code": "E_…", "instance": "J", "line": 27, "column": 41, "includes": ["…"] } }
 *
 * `instances` lists the instances compared (every row of every entity); `error`, when present,
 * is the first error of the program. Expected values were derived by hand and cross-checked
 * against the reference CQL tool (structure: rows, foreign keys, which cells share a labelled
 * null; the reference names created rows differently).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { namedJson, programsDirectory, runProgram, type NamedInstance } from './named-json.js';

interface Expected {
  readonly instances?: Record<string, NamedInstance>;
  readonly error?: {
    readonly code: string;
    readonly instance: string;
    readonly line?: number;
    readonly column?: number;
    readonly includes?: readonly string[];
  };
}

describe('functors: migration programs with expected results', () => {
  const programs = readdirSync(programsDirectory).filter((name) => name.endsWith('.cql'));
  it('has the programs the issue asks for', () => {
    assert.ok(programs.length >= 8, `only ${programs.length} programs`);
  });
  for (const file of programs) {
    it(file, () => {
      const expected = JSON.parse(
        readFileSync(join(programsDirectory, file.replace(/\.cql$/, '.expected.json')), 'utf8'),
      ) as Expected;
      const result = runProgram(file);
      if (expected.error === undefined) {
        assert.deepEqual(
          result.errors.map((error) => error.message),
          [],
        );
      } else {
        const error = result.errors[0];
        assert.ok(error !== undefined, 'expected an error');
        assert.equal(error.code, expected.error.code, error.message);
        assert.equal(result.program.instances.has(expected.error.instance), false);
        if (expected.error.line !== undefined) {
          assert.equal(error.location?.kind, 'source', error.message);
          if (error.location?.kind === 'source') {
            assert.equal(error.location.file, file);
            assert.equal(error.location.line, expected.error.line, error.message);
            assert.equal(error.location.column, expected.error.column, error.message);
          }
        }
        for (const text of expected.error.includes ?? []) {
          assert.ok(error.message.includes(text), `${error.message} lacks ${text}`);
        }
      }
      for (const [name, instance] of Object.entries(expected.instances ?? {})) {
        const checked = result.program.instances.get(name);
        assert.ok(checked !== undefined, `no instance ${name}`);
        assert.deepEqual(namedJson(checked.rows()), instance, `instance ${name}`);
      }
    });
  }
});
