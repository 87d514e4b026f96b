/**
 * NaN in Float columns follows PostgreSQL: NaN equals NaN and sorts above every other number
 * (NULLs apart: NULLS FIRST/LAST still place them). catrust refuses NaN at every user entry
 * (docs/sql.md), so these tests put it in memory tables directly: the executor's orderings,
 * comparisons, extremes and hash keys must still be right if one ever reaches them.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { before, describe, it } from 'mocha';
import type { Value } from '../../common/index.js';
import {
  loadSqlParser,
  MemoryDatabase,
  MemoryTable,
  resultRows,
  runSql,
} from '../../planner/index.js';

type Cell = number | null;

function database(values: readonly Cell[], others: readonly Cell[] = values): MemoryDatabase {
  const table = new MemoryTable('t', [
    { name: 'f', type: 'Float' },
    { name: 'g', type: 'Float' },
  ]);
  values.forEach((value, index) => table.insert([value, others[index] ?? null]));
  return new MemoryDatabase([table]);
}

function query(source: MemoryDatabase, sql: string, batchRowsMax = 65_536): Value[][] {
  return resultRows(runSql(source, sql, [], { batchRowsMax }));
}

/** PostgreSQL's float8 order: numbers, then NaN; NULL placed by the caller. */
function compareFloats(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Row ids of a stable sort by one Float key, as PostgreSQL orders them. */
function referenceIds(values: readonly Cell[], descending: boolean, nullsFirst: boolean): number[] {
  const ids = values.map((_, index) => index);
  return ids.sort((a, b) => {
    const x = values[a] ?? null;
    const y = values[b] ?? null;
    if (x === null || y === null) {
      if (x === y) return a - b;
      return (x === null) === nullsFirst ? -1 : 1;
    }
    return (descending ? -1 : 1) * compareFloats(x, y) || a - b;
  });
}

describe('NaN in Float columns (PostgreSQL semantics)', () => {
  before(async () => {
    await loadSqlParser();
  });

  // Many rows before the NaNs, in small batches: the top-k heap is full when they arrive.
  const values: Cell[] = [];
  for (let index = 0; index < 40; index++) values.push(index % 7 === 0 ? null : index / 2);
  values.push(NaN, 3, NaN, null, NaN);

  it('ORDER BY f DESC LIMIT k returns the NaN rows first (after NULLs only when NULLS FIRST)', () => {
    const source = database(values);
    for (const batchRowsMax of [4, 16, 65_536]) {
      assert.deepEqual(
        query(source, 'SELECT id, f FROM t ORDER BY f DESC NULLS LAST LIMIT 3', batchRowsMax),
        [
          [40, NaN],
          [42, NaN],
          [44, NaN],
        ],
        `batches of ${batchRowsMax}`,
      );
      assert.deepEqual(
        query(source, 'SELECT id FROM t ORDER BY f DESC LIMIT 12', batchRowsMax).map(
          (row) => row[0],
        ),
        referenceIds(values, true, true).slice(0, 12),
        `batches of ${batchRowsMax}`,
      );
    }
  });

  it('ORDER BY f ASC LIMIT k puts the NaN rows last, before NULLS LAST', () => {
    const source = database(values);
    for (const batchRowsMax of [4, 65_536]) {
      // 35 numbers, then the 3 NaNs, then the NULLs.
      const ids = query(source, 'SELECT id FROM t ORDER BY f LIMIT 38', batchRowsMax).map(
        (row) => row[0],
      );
      assert.deepEqual(ids, referenceIds(values, false, false).slice(0, 38));
      assert.deepEqual(ids.slice(-3), [40, 42, 44]);
      const full = query(source, 'SELECT id FROM t ORDER BY f', batchRowsMax).map((row) => row[0]);
      assert.deepEqual(full, referenceIds(values, false, false));
    }
  });

  it('sorts agree with the reference order (property, NaN among NULLs and ties)', () => {
    const cell = fc.constantFrom<Cell>(NaN, null, 0, -0, 1.5, -2, 1e15, -1e15, 7);
    fc.assert(
      fc.property(
        fc.array(cell, { maxLength: 80, size: 'max' }),
        fc.boolean(),
        fc.boolean(),
        fc.option(fc.nat({ max: 30 }), { nil: undefined }),
        fc.constantFrom(4, 16, 65_536),
        (cells, descending, nullsFirst, limit, batchRowsMax) => {
          const orderBy = `f${descending ? ' DESC' : ''} NULLS ${nullsFirst ? 'FIRST' : 'LAST'}`;
          const tail = limit === undefined ? '' : ` LIMIT ${limit}`;
          const ids = query(
            database(cells),
            `SELECT id FROM t ORDER BY ${orderBy}, id${tail}`,
            batchRowsMax,
          ).map((row) => row[0]);
          const expected = referenceIds(cells, descending, nullsFirst).slice(0, limit);
          assert.deepEqual(ids, expected, `ORDER BY ${orderBy}${tail}`);
        },
      ),
      { numRuns: 200, seed: 71 },
    );
  });

  it('comparisons: NaN = NaN, NaN above every number', () => {
    const cells: Cell[] = [NaN, NaN, 1, NaN, null];
    const others: Cell[] = [NaN, 2, NaN, null, NaN];
    const source = database(cells, others);
    const ids = (where: string): Value[] =>
      query(source, `SELECT id FROM t WHERE ${where} ORDER BY id`).map((row) => row[0] ?? null);
    assert.deepEqual(ids('f = g'), [0]);
    assert.deepEqual(ids('f <> g'), [1, 2]);
    assert.deepEqual(ids('f > g'), [1]);
    assert.deepEqual(ids('f >= g'), [0, 1]);
    assert.deepEqual(ids('f < g'), [2]);
    assert.deepEqual(ids('f <= g'), [0, 2]);
    assert.deepEqual(ids('f > 1e300'), [0, 1, 3]);
    assert.deepEqual(ids('f >= 1'), [0, 1, 2, 3]);
    assert.deepEqual(ids('f < 2'), [2]);
    assert.deepEqual(ids('f <= 1'), [2]);
    assert.deepEqual(ids('f = 1'), [2]);
    assert.deepEqual(ids('f <> 1'), [0, 1, 3]);
    assert.deepEqual(ids('f IS NOT DISTINCT FROM g'), [0]);
    assert.deepEqual(ids('f IS DISTINCT FROM g'), [1, 2, 3, 4]);
    assert.deepEqual(ids('f IN (g, 5)'), [0]);
    assert.deepEqual(ids('g BETWEEN 1 AND f'), [0, 1]);
  });

  it('min and max: NaN is the greatest value', () => {
    for (const batchRowsMax of [2, 65_536]) {
      const source = database([1, NaN, -3, null, 2], [NaN, NaN, null, null, NaN]);
      assert.deepEqual(
        query(source, 'SELECT min(f), max(f), min(g), max(g) FROM t', batchRowsMax),
        [[-3, NaN, NaN, NaN]],
      );
      assert.deepEqual(
        query(
          source,
          'SELECT g IS NULL, min(f), max(f) FROM t GROUP BY g IS NULL ORDER BY 1',
          batchRowsMax,
        ),
        [
          [false, 1, NaN],
          [true, -3, -3],
        ],
      );
    }
  });

  it('GROUP BY and DISTINCT put every NaN in one group', () => {
    const source = database([NaN, 1, NaN, null, 1, NaN], [1, 1, 1, 2, 2, 1]);
    assert.deepEqual(query(source, 'SELECT f, count(*) FROM t GROUP BY f ORDER BY f'), [
      [1, 2],
      [NaN, 3],
      [null, 1],
    ]);
    assert.deepEqual(query(source, 'SELECT f, g, count(*) FROM t GROUP BY f, g ORDER BY f, g'), [
      [1, 1, 1],
      [1, 2, 1],
      [NaN, 1, 3],
      [null, 2, 1],
    ]);
    assert.deepEqual(query(source, 'SELECT DISTINCT f FROM t ORDER BY f DESC'), [
      [null],
      [NaN],
      [1],
    ]);
    assert.deepEqual(query(source, 'SELECT count(DISTINCT f) FROM t'), [[2]]);
  });

  it('arithmetic, functions and casts pass NaN through as PostgreSQL does', () => {
    const source = database([NaN], [2]);
    const cells = query(
      source,
      'SELECT f + 1, f * g, abs(f), sqrt(f), ln(f), exp(f), power(f, 2), sin(f), floor(f), ' +
        'f::text, greatest(f, g), least(f, g) FROM t',
    );
    assert.deepEqual(cells, [[NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, 'NaN', NaN, 2]]);
    assert.deepEqual(query(source, 'SELECT sum(f), avg(f), sum(g) FROM t'), [[NaN, NaN, 2]]);
    assert.throws(() => query(source, 'SELECT f::int8 FROM t'), { code: 'E_SQL_OUT_OF_RANGE' });
    assert.throws(() => query(source, 'SELECT f / 0 FROM t'), { code: 'E_SQL_DIVISION_BY_ZERO' });
    // Finite operands still overflow as before.
    assert.throws(() => query(database([1e308], [10]), 'SELECT f * g FROM t'), {
      code: 'E_SQL_OUT_OF_RANGE',
    });
    // So does a sum of finite Floats past the largest double (PostgreSQL: overflow, not ∞),
    // grouped or not, while a NaN among them keeps the sum NaN.
    const huge = database([1e308, 1e308, NaN, 1e308], [1, 1, 2, 2]);
    for (const sql of [
      'SELECT sum(f) FROM t WHERE g = 1',
      'SELECT avg(f) FROM t WHERE g = 1',
      'SELECT g, sum(f) FROM t GROUP BY g',
    ]) {
      assert.throws(() => query(huge, sql), { code: 'E_SQL_OUT_OF_RANGE' }, sql);
    }
    assert.deepEqual(query(huge, 'SELECT sum(f) FROM t WHERE g = 2'), [[NaN]]);
  });

  it('filter and count kernels (eight rows a step, with and without NULLs, narrowed or not) agree with a reference', () => {
    const cell = fc.constantFrom<Cell>(NaN, null, 0, -0, 0.5, 1, 2, -1e15, 1e15);
    const ops = ['=', '<>', '<', '<=', '>', '>='] as const;
    const holds = (op: (typeof ops)[number], order: number): boolean =>
      op === '='
        ? order === 0
        : op === '<>'
          ? order !== 0
          : op === '<'
            ? order < 0
            : op === '<='
              ? order <= 0
              : op === '>'
                ? order > 0
                : order >= 0;
    fc.assert(
      fc.property(
        fc.array(cell, { maxLength: 70, size: 'max' }),
        fc.array(fc.boolean(), { maxLength: 70, size: 'max' }),
        fc.constantFrom(...ops),
        fc.constantFrom(0, 0.5, 1, -1, 1e300),
        fc.boolean(),
        fc.constantFrom(7, 8, 9, 16, 65_536),
        fc.boolean(),
        (drawn, gates, op, constant, narrowed, batchRowsMax, withNulls) => {
          // Without NULLs the batch has no validity bitmap: the other kernels run.
          const cells = withNulls ? drawn : drawn.map((value) => value ?? 0);
          // (Memory tables keep numbers past 2^53 as values, not a number vector: none here.)
          // g is NULL on the rows an earlier conjunct (g IS NOT NULL) removes.
          const others = cells.map((_, index) => (gates[index] === false ? null : 1));
          const where = `${narrowed ? 'g IS NOT NULL AND ' : ''}f ${op} ${constant}::float8`;
          const ids = query(
            database(cells, others),
            `SELECT id FROM t WHERE ${where}`,
            batchRowsMax,
          ).map((row) => row[0]);
          const expected = cells.flatMap((value, index) =>
            value !== null &&
            (!narrowed || others[index] !== null) &&
            holds(op, compareFloats(value, constant))
              ? [index]
              : [],
          );
          assert.deepEqual(ids, expected, where);
          // A bare count(*) over one comparison takes the counting kernels instead.
          assert.deepEqual(
            query(database(cells, others), `SELECT count(*) FROM t WHERE ${where}`, batchRowsMax),
            [[expected.length]],
            `count(*) WHERE ${where}`,
          );
        },
      ),
      { numRuns: 400, seed: 72 },
    );
  });

  it('a closed range through the sorted index never reaches NaN rows', () => {
    const source = database([3, NaN, 1, NaN, 2, 5, NaN, 0, 4]);
    const where = 'f >= 1 AND f <= 4';
    assert.match(
      String(query(source, `EXPLAIN SELECT id FROM t WHERE ${where}`)[1]?.[0]),
      /using sorted index/,
    );
    const ids = (condition: string): Value[] =>
      query(source, `SELECT id FROM t WHERE ${condition} ORDER BY id`).map((row) => row[0] ?? null);
    assert.deepEqual(ids(where), [0, 2, 4, 8]);
    assert.deepEqual(ids('f BETWEEN 2 AND 1e15'), [0, 4, 5, 8]);
    assert.deepEqual(ids('f >= 4 AND f <= 5'), [5, 8]);
  });
});
