/**
 * Fuzzing the SQL front end: random queries from the differential generator, mutated token by
 * token (dropped, duplicated, swapped, replaced by another keyword or symbol), must either run
 * or fail with a typed `CatrustError` — never a TypeError, an assertion or an internal error.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'mocha';
import fc from 'fast-check';
import { CatrustError } from '../../common/index.js';
import { loadSqlParser, MemoryDatabase, MemoryTable, runSql } from '../../planner/index.js';
import { generateTables, QueryGenerator, Random } from './differential/generate.js';

const REPLACEMENTS = [
  'SELECT',
  'FROM',
  'WHERE',
  'GROUP BY',
  'ORDER BY',
  'HAVING',
  'LIMIT',
  'JOIN',
  'ON',
  'AND',
  'OR',
  'NOT',
  'NULL',
  '(',
  ')',
  ',',
  '*',
  '=',
  '<',
  '+',
  '||',
  "'x'",
  '1',
  '1.5',
  'x.id',
  't1.i',
  'q',
  'AS',
  'DISTINCT',
  'UNION',
  'IN',
  'EXISTS',
  'CASE',
  'WHEN',
  'END',
  'count(*)',
  'sum(',
  '::int',
  '$1',
  'y.s',
  'WITH',
];

function tokens(sql: string): string[] {
  return (
    sql.match(/'(?:[^']|'')*'|[A-Za-z_][A-Za-z_0-9.]*|\d+(?:\.\d+)?|::|\|\||<=|>=|<>|\S/g) ?? []
  );
}

function database(seed: number): MemoryDatabase {
  const db = new MemoryDatabase();
  for (const table of generateTables(new Random(seed))) {
    const memory = new MemoryTable(
      table.name,
      table.columns.map((column) =>
        column.target === undefined
          ? { name: column.name, type: column.type }
          : {
              name: column.name,
              type: column.type,
              role: 'foreignKey' as const,
              target: column.target,
            },
      ),
    );
    for (const row of table.rows) memory.insert(row);
    db.add(memory);
  }
  return db;
}

describe('SQL front end fuzzing', function () {
  this.timeout(60_000);
  before(async () => {
    await loadSqlParser();
  });

  it('mutated queries run or fail with a typed error', () => {
    const db = database(11);
    const generator = new QueryGenerator(new Random(99));
    const queries = Array.from({ length: 120 }, () => generator.query().sql);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: queries.length - 1 }),
        fc.array(
          fc.record({
            kind: fc.constantFrom('drop', 'duplicate', 'swap', 'replace', 'copy', 'copy', 'copy'),
            position: fc.nat(),
            other: fc.nat(),
            replacement: fc.constantFrom(...REPLACEMENTS),
          }),
          { minLength: 1, maxLength: 2 },
        ),
        (index, mutations) => {
          const parts = tokens(queries[index]!);
          for (const mutation of mutations) {
            if (parts.length === 0) break;
            const at = mutation.position % parts.length;
            const other = mutation.other % parts.length;
            switch (mutation.kind) {
              case 'drop':
                parts.splice(at, 1);
                break;
              case 'duplicate':
                parts.splice(at, 0, parts[at]!);
                break;
              case 'swap':
                [parts[at], parts[other]] = [parts[other]!, parts[at]!];
                break;
              case 'replace':
                parts[at] = mutation.replacement;
                break;
              case 'copy':
                // Another token of the same query: often still valid SQL, now meaning something else.
                parts[at] = parts[other]!;
                break;
            }
          }
          const sql = parts.join(' ');
          try {
            runSql(db, sql, sql.includes('$1') ? [1] : []);
          } catch (error) {
            if (!(error instanceof CatrustError) || error.code === 'E_PLAN') {
              assert.fail(
                `${sql}\n→ ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
              );
            }
          }
        },
      ),
      { numRuns: 8000, seed: 5 },
    );
  });

  it('arbitrary text fails with a typed error', () => {
    const db = database(3);
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        try {
          runSql(db, `SELECT ${text}`);
        } catch (error) {
          assert.ok(error instanceof CatrustError, `${text} → ${String(error)}`);
        }
      }),
      { numRuns: 500, seed: 7 },
    );
  });
});
