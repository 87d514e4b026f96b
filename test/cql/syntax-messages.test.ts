/**
 * Syntax errors whose message names what was just read (`after \`salary\``, `of \`E\``): the
 * parser builds those texts only when the symbol is missing, and they must read as before.
 */
import assert from 'node:assert/strict';
import { parseProgramCollectingErrors } from '../../cql/index.js';

const CASES: readonly (readonly [string, string])[] = [
  [
    'instance I : S {\n  E { r1: a = 1, name "x" }\n}',
    'E_CQL_SYNTAX p.cql:2:23: expected `=` after `name`, found string "x"',
  ],
  [
    'instance I : S {\n  E { r1: a = 1\n}\nschema T { entities A }',
    'E_CQL_SYNTAX p.cql:4:8: expected `{` to open the rows of `schema`, found `T`',
  ],
  [
    'instance I : S {\n  E { r1: name "x" }\n}',
    'E_CQL_SYNTAX p.cql:2:11: expected `,` and another `field = value`, a new row, `;` or `}`, found `name`',
  ],
  [
    'instance I : S {\n  E  r1: name = "x" }\n}',
    'E_CQL_SYNTAX p.cql:2:6: expected `{` to open the rows of `E`, found `r1`',
  ],
  [
    'instance I : S {\n  E { r1: name = "x" \n',
    'E_CQL_SYNTAX p.cql:3:1: expected `,` and another `field = value`, a new row, `;` or `}`, found end of input',
  ],
  [
    'schema S = literal : sql {\n  attributes a b Person -> String\n}',
    'E_CQL_SYNTAX p.cql:2:25: expected `:` after `a` `b` `Person`, found `->`',
  ],
  [
    'instance I = literal : S {\n  multi_equations\n    name {a "x"}\n}',
    'E_CQL_SYNTAX p.cql:3:10: expected `->` after `name`, found `{`',
  ],
  [
    'instance I = literal : S {\n  multi_equations\n    name -> a "x"}\n}',
    'E_CQL_SYNTAX p.cql:3:13: expected `{` to open the table of `name`, found `a`',
  ],
  [
    'instance I = literal : S {\n  multi_equations\n    name -> {a "x" b "y"\n}',
    'E_CQL_SYNTAX p.cql:3:20: expected `}` to close the table of `name`, found `b`',
  ],
  [
    'instance I = literal : S {\n  equations f(a, b = c\n}',
    'E_CQL_SYNTAX p.cql:2:20: expected `)` to close the arguments of `f`, found `=`',
  ],
];

describe('parser: messages built on failure only', () => {
  for (const [text, message] of CASES) {
    it(message, () => {
      const errors = parseProgramCollectingErrors(text, { file: 'p.cql' }).errors;
      assert.deepEqual(
        errors.map((error) => `${error.code} ${error.message}`),
        [message],
      );
    });
  }
});
