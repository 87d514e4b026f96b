/**
 * The executor's fast paths against a plain JavaScript reference: grouping on one number key
 * through the dense array (keys at its boundaries, negative, past 2^20, -0, NULL), dictionary
 * keys, count/sum/avg/min/max over number vectors with and without NULLs, exact Int sums past
 * 2^53, deleted rows, empty tables, and many small batches (each batch boundary is a place a
 * fast path can go wrong).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { before, describe, it } from 'mocha';
import {
  loadSqlParser,
  MemoryDatabase,
  MemoryTable,
  resultRows,
  runSql,
  StoreRelationSource,
} from '../../planner/index.js';
import type { Value } from '../../common/index.js';
import {
  createMemoryDatabase,
  foreignKeyColumn,
  scalarColumn,
  tableDefinition,
} from '../../store/index.js';

const DENSE = 2 ** 20;
const SAFE = Number.MAX_SAFE_INTEGER;

/** Keys around every boundary of the dense-array grouping. */
const KEYS: readonly (number | null)[] = [
  null,
  0,
  1,
  2,
  7,
  1023,
  1024,
  1025,
  DENSE - 1,
  DENSE,
  DENSE + 1,
  -1,
  -(2 ** 31),
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32,
  1e15,
  SAFE,
];
const FLOATS: readonly (number | null)[] = [null, 0, -0, 0.5, 1.25, -3.75, 1e6, 123.456, 2];
const INTS: readonly (number | null)[] = [null, 0, 1, -7, 1000, SAFE, -SAFE, 2 ** 52];
const STRINGS: readonly (string | null)[] = [null, 'a', 'b', '', 'long string', 'É'];

interface Row {
  readonly k: number | null;
  readonly x: number | null;
  readonly y: number | null;
  readonly s: string | null;
}

const rowArbitrary: fc.Arbitrary<Row> = fc.record({
  k: fc.constantFrom(...KEYS),
  x: fc.constantFrom(...FLOATS),
  y: fc.constantFrom(...INTS),
  s: fc.constantFrom(...STRINGS),
});

function memoryTable(rows: readonly Row[], deletions: readonly number[]): MemoryTable {
  const table = new MemoryTable('t', [
    { name: 'k', type: 'Int' },
    { name: 'x', type: 'Float' },
    { name: 'y', type: 'Int' },
    { name: 's', type: 'String' },
  ]);
  for (const row of rows) table.insert([row.k, row.x, row.y, row.s]);
  for (const deletion of deletions) if (rows.length > 0) table.delete(deletion % rows.length);
  return table;
}

/** The rows a table still holds after deletions (same rule as `memoryTable`). */
function activeRows(rows: readonly Row[], deletions: readonly number[]): Row[] {
  const deleted = new Set(rows.length === 0 ? [] : deletions.map((d) => d % rows.length));
  return rows.filter((_, index) => !deleted.has(index));
}

interface Summary {
  count: number;
  countX: number;
  sumX: number;
  absX: number;
  minX: number | null;
  maxX: number | null;
  countY: number;
  sumY: bigint;
  minY: number | null;
  maxY: number | null;
}

function summarise(rows: readonly Row[]): Summary {
  const summary: Summary = {
    count: 0,
    countX: 0,
    sumX: 0,
    absX: 0,
    minX: null,
    maxX: null,
    countY: 0,
    sumY: 0n,
    minY: null,
    maxY: null,
  };
  for (const row of rows) {
    summary.count++;
    if (row.x !== null) {
      summary.countX++;
      summary.sumX += row.x;
      summary.absX += Math.abs(row.x);
      if (summary.minX === null || row.x < summary.minX) summary.minX = row.x;
      if (summary.maxX === null || row.x > summary.maxX) summary.maxX = row.x;
    }
    if (row.y !== null) {
      summary.countY++;
      summary.sumY += BigInt(row.y);
      if (summary.minY === null || row.y < summary.minY) summary.minY = row.y;
      if (summary.maxY === null || row.y > summary.maxY) summary.maxY = row.y;
    }
  }
  return summary;
}

/** -0 and 0 are one value to SQL (min/max of {0, -0} may give either). */
function zeroed(value: Value | undefined): Value {
  return value === 0 ? 0 : (value ?? null);
}

function assertClose(actual: Value, expected: number, scale: number, what: string): void {
  assert.equal(typeof actual, 'number', `${what}: ${String(actual)}`);
  assert.ok(
    Math.abs((actual as number) - expected) <= 1e-9 * (scale + 1),
    `${what}: ${String(actual)} ≠ ${expected}`,
  );
}

/** sum(x), avg(x), sum(y), avg(y) of a group against the reference. */
function assertSums(cells: readonly Value[], summary: Summary, what: string): void {
  const [sumX, avgX, sumY, avgY] = cells;
  if (summary.countX === 0) {
    assert.equal(sumX, null, `${what} sum(x)`);
    assert.equal(avgX, null, `${what} avg(x)`);
  } else {
    assertClose(sumX ?? null, summary.sumX, summary.absX, `${what} sum(x)`);
    assertClose(avgX ?? null, summary.sumX / summary.countX, summary.absX, `${what} avg(x)`);
  }
  if (summary.countY === 0) {
    assert.equal(sumY, null, `${what} sum(y)`);
    assert.equal(avgY, null, `${what} avg(y)`);
  } else {
    // sum(int8) is numeric: exact, past 2^53 too.
    assert.equal(BigInt(sumY as string), summary.sumY, `${what} sum(y)`);
    const average = Number(summary.sumY) / summary.countY;
    assert.ok(
      Math.abs(Number(avgY) - average) <= 1e-9 * (Math.abs(average) + 1),
      `${what} avg(y): ${String(avgY)} ≠ ${average}`,
    );
  }
}

/** Group rows by a key, NULL and -0 included (-0 meets 0). */
function groupBy<K>(rows: readonly Row[], key: (row: Row) => K): Map<K, Row[]> {
  const groups = new Map<K, Row[]>();
  for (const row of rows) {
    const value = key(row);
    const list = groups.get(value);
    if (list === undefined) groups.set(value, [row]);
    else list.push(row);
  }
  return groups;
}

function checkAggregates(
  source: MemoryDatabase | StoreRelationSource,
  active: readonly Row[],
  batchRowsMax: number,
): void {
  const options = { batchRowsMax };
  // Ungrouped: one row, even over no rows.
  const [ungrouped] = resultRows(
    runSql(
      source,
      'SELECT count(*), count(x), sum(x), avg(x), sum(y), avg(y), min(x), max(x), min(y), max(y), count(y) FROM t',
      [],
      options,
    ),
  );
  const all = summarise(active);
  assert.equal(ungrouped![0], all.count, 'count(*)');
  assert.equal(ungrouped![1], all.countX, 'count(x)');
  assertSums(ungrouped!.slice(2, 6), all, 'ungrouped');
  assert.deepEqual(
    ungrouped!.slice(6, 11).map(zeroed),
    [all.minX, all.maxX, all.minY, all.maxY, all.countY].map(zeroed),
  );

  // One Int key: the dense array, its boundaries and the hash table past them.
  const byK = resultRows(
    runSql(
      source,
      'SELECT k, count(*), count(x), sum(x), avg(x), sum(y), avg(y), min(x), max(y) FROM t GROUP BY k',
      [],
      options,
    ),
  );
  const expectedK = groupBy(active, (row) => row.k);
  assert.equal(byK.length, expectedK.size, 'groups of k');
  const seen = new Set<Value>();
  for (const row of byK) {
    const key = row[0] ?? null;
    assert.ok(!seen.has(key), `group ${String(key)} twice`);
    seen.add(key);
    const group = expectedK.get(key as number | null);
    assert.ok(group !== undefined, `unexpected group ${String(key)}`);
    const summary = summarise(group);
    assert.equal(row[1], summary.count, `count(*) of ${String(key)}`);
    assert.equal(row[2], summary.countX, `count(x) of ${String(key)}`);
    assertSums(row.slice(3, 7), summary, `group ${String(key)}`);
    assert.equal(zeroed(row[7]), zeroed(summary.minX), `min(x) of ${String(key)}`);
    assert.equal(row[8], summary.maxY, `max(y) of ${String(key)}`);
  }

  // count(*)s beside one sum or avg of a Float: grouping and summing fused when nothing is NULL.
  for (const sql of [
    'SELECT k, count(*), sum(x) FROM t GROUP BY k',
    'SELECT k, avg(x), count(*), count(*) FROM t GROUP BY k',
  ]) {
    const fused = resultRows(runSql(source, sql, [], options));
    assert.equal(fused.length, expectedK.size, `groups of ${sql}`);
    const sumFirst = sql.includes('sum(x)');
    for (const row of fused) {
      const group = expectedK.get(row[0] as number | null);
      assert.ok(group !== undefined, `unexpected group ${String(row[0])} in ${sql}`);
      const summary = summarise(group);
      const [total, value] = sumFirst ? [row[1], row[2]] : [row[2], row[1]];
      assert.equal(total, summary.count, `count(*) of ${String(row[0])} in ${sql}`);
      if (!sumFirst) assert.equal(row[3], summary.count);
      if (summary.countX === 0) assert.equal(value, null);
      else {
        const expected = sumFirst ? summary.sumX : summary.sumX / summary.countX;
        assertClose(value ?? null, expected, summary.absX, `${sql} of ${String(row[0])}`);
      }
    }
  }

  // A Float key: fractions and negatives miss the dense array, -0 meets 0.
  const byX = resultRows(
    runSql(source, 'SELECT x, count(*), sum(y) FROM t GROUP BY x', [], options),
  );
  const expectedX = groupBy(active, (row) => (row.x === 0 ? 0 : row.x));
  assert.equal(byX.length, expectedX.size, 'groups of x');
  for (const row of byX) {
    const group = expectedX.get(row[0] as number | null);
    assert.ok(group !== undefined, `unexpected group ${String(row[0])}`);
    const summary = summarise(group);
    assert.equal(row[1], summary.count);
    assert.equal(
      row[2] === null ? null : BigInt(row[2] as string),
      summary.countY === 0 ? null : summary.sumY,
    );
  }

  // A dictionary key.
  const byS = resultRows(
    runSql(
      source,
      'SELECT s, count(*), sum(x), avg(x), sum(y), avg(y) FROM t GROUP BY s',
      [],
      options,
    ),
  );
  const expectedS = groupBy(active, (row) => row.s);
  assert.equal(byS.length, expectedS.size, 'groups of s');
  for (const row of byS) {
    const group = expectedS.get(row[0] as string | null);
    assert.ok(group !== undefined, `unexpected group ${String(row[0])}`);
    const summary = summarise(group);
    assert.equal(row[1], summary.count);
    assertSums(row.slice(2, 6), summary, `group ${String(row[0])}`);
  }
}

interface OrderKey {
  readonly column: 'k' | 'x' | 'y' | 's';
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

const orderKeyArbitrary: fc.Arbitrary<OrderKey> = fc.record({
  column: fc.constantFrom<OrderKey['column']>('k', 'x', 'y', 's'),
  descending: fc.boolean(),
  nullsFirst: fc.boolean(),
});

/** Stable sort of the active rows (ids are their positions among all rows) under the keys. */
function referenceOrder(
  rows: readonly Row[],
  deletions: readonly number[],
  keys: readonly OrderKey[],
): number[] {
  const deleted = new Set(rows.length === 0 ? [] : deletions.map((d) => d % rows.length));
  const ids = rows.map((_, index) => index).filter((index) => !deleted.has(index));
  return ids.sort((a, b) => {
    for (const key of keys) {
      const x = rows[a]![key.column];
      const y = rows[b]![key.column];
      if (x === null || y === null) {
        if (x === y) continue;
        return (x === null) === key.nullsFirst ? -1 : 1;
      }
      if (x < y) return key.descending ? 1 : -1;
      if (x > y) return key.descending ? -1 : 1;
    }
    return a - b;
  });
}

type Op = '=' | '<>' | '<' | '<=' | '>' | '>=';
const OPS: readonly Op[] = ['=', '<>', '<', '<=', '>', '>='];
const FLIP: Readonly<Record<Op, Op>> = {
  '=': '=',
  '<>': '<>',
  '<': '>',
  '<=': '>=',
  '>': '<',
  '>=': '<=',
};

/** One comparison of a column with a constant, as SQL and as a reference test of a row. */
interface Atom {
  readonly sql: string;
  readonly test: (row: Row) => boolean | null;
}

function holds(op: Op, a: number | string, b: number | string): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '<>':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

function literal(value: number | string | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  return value < 0 ? `(${value})` : String(value === 0 ? 0 : value);
}

const atomArbitrary: fc.Arbitrary<Atom> = fc.oneof(
  // A number column against a number constant, either way round (NULL constants included).
  fc
    .tuple(
      fc.constantFrom<'k' | 'x' | 'y'>('k', 'x', 'y'),
      fc.constantFrom(...OPS),
      fc.constantFrom(...FLOATS, ...INTS, ...KEYS),
      fc.boolean(),
    )
    .map(([column, op, constant, flipped]): Atom => ({
      sql: flipped
        ? `${literal(constant)} ${FLIP[op]} ${column}`
        : `${column} ${op} ${literal(constant)}`,
      test: (row) => {
        const value = row[column];
        return value === null || constant === null ? null : holds(op, value, constant);
      },
    })),
  // A dictionary column against a string constant.
  fc
    .tuple(fc.constantFrom(...OPS), fc.constantFrom(...STRINGS), fc.boolean())
    .map(([op, constant, flipped]): Atom => ({
      sql: flipped ? `${literal(constant)} ${FLIP[op]} s` : `s ${op} ${literal(constant)}`,
      test: (row) => (row.s === null || constant === null ? null : holds(op, row.s, constant)),
    })),
  // Not a plain comparison: evaluated as a Bool vector.
  fc.constantFrom(...FLOATS.filter((value) => value !== null)).map((constant): Atom => ({
    sql: `x + 1 > ${literal(constant)}`,
    test: (row) => (row.x === null ? null : row.x + 1 > constant),
  })),
);

interface Predicate {
  readonly sql: string;
  readonly test: (row: Row) => boolean;
}

const predicateArbitrary: fc.Arbitrary<Predicate> = fc.oneof(
  fc.array(atomArbitrary, { minLength: 1, maxLength: 3 }).map((atoms): Predicate => ({
    sql: atoms.map((atom) => `(${atom.sql})`).join(' AND '),
    test: (row) => atoms.every((atom) => atom.test(row) === true),
  })),
  fc.tuple(atomArbitrary, atomArbitrary).map(([a, b]): Predicate => ({
    sql: `(${a.sql}) OR (${b.sql})`,
    test: (row) => a.test(row) === true || b.test(row) === true,
  })),
);

function checkFilters(
  source: MemoryDatabase | StoreRelationSource,
  rows: readonly Row[],
  deleted: ReadonlySet<number>,
  predicate: Predicate,
  batchRowsMax: number,
): void {
  const expected = rows
    .map((row, id) => ({ row, id }))
    .filter(({ row, id }) => !deleted.has(id) && predicate.test(row))
    .map(({ id }) => id);
  const where = `WHERE ${predicate.sql}`;
  const options = { batchRowsMax };
  const [counted] = resultRows(runSql(source, `SELECT count(*) FROM t ${where}`, [], options));
  assert.equal(counted![0], expected.length, `count(*) ${where}`);
  const ids = resultRows(runSql(source, `SELECT id, x FROM t ${where} ORDER BY id`, [], options));
  assert.deepEqual(
    ids.map((row) => row[0]),
    expected,
    `rows ${where}`,
  );
  assert.deepEqual(
    ids.map((row) => zeroed(row[1])),
    expected.map((id) => zeroed(rows[id]!.x)),
    `x ${where}`,
  );
}

describe('executor fast paths', () => {
  before(async () => {
    await loadSqlParser();
  });

  it('aggregates agree with a reference over memory tables (nulls, deletions, many batches)', () => {
    fc.assert(
      fc.property(
        fc.array(rowArbitrary, { maxLength: 120, size: 'max' }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.constantFrom(8, 16, 64, 65_536),
        (rows, deletions, batchRowsMax) => {
          const table = memoryTable(rows, deletions);
          checkAggregates(new MemoryDatabase([table]), activeRows(rows, deletions), batchRowsMax);
        },
      ),
      { numRuns: 150, seed: 51 },
    );
  });

  it('ORDER BY … LIMIT (top-k heap) and full sorts agree with a stable reference sort', () => {
    fc.assert(
      fc.property(
        fc.array(rowArbitrary, { maxLength: 150, size: 'max' }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.array(orderKeyArbitrary, { minLength: 1, maxLength: 3 }),
        fc.option(fc.nat({ max: 40 }), { nil: undefined }),
        fc.nat({ max: 20 }),
        fc.constantFrom(8, 16, 64, 65_536),
        (rows, deletions, keys, limit, offset, batchRowsMax) => {
          const source = new MemoryDatabase([memoryTable(rows, deletions)]);
          const orderBy = keys
            .map(
              (key) =>
                `${key.column}${key.descending ? ' DESC' : ''} NULLS ${key.nullsFirst ? 'FIRST' : 'LAST'}`,
            )
            .join(', ');
          const tail =
            limit === undefined ? ` OFFSET ${offset}` : ` LIMIT ${limit} OFFSET ${offset}`;
          const ids = resultRows(
            runSql(source, `SELECT id, x FROM t ORDER BY ${orderBy}${tail}`, [], { batchRowsMax }),
          ).map((row) => row[0]);
          const expected = referenceOrder(rows, deletions, keys).slice(
            offset,
            limit === undefined ? undefined : offset + limit,
          );
          assert.deepEqual(ids, expected, `ORDER BY ${orderBy}${tail}`);
        },
      ),
      { numRuns: 300, seed: 52 },
    );
  });

  it('filters (selection vectors, COUNT(*) without gathering) agree with a reference', () => {
    fc.assert(
      fc.property(
        fc.array(rowArbitrary, { maxLength: 100, size: 'max' }),
        fc.array(fc.nat(), { maxLength: 20 }),
        predicateArbitrary,
        fc.constantFrom(8, 16, 65_536),
        (rows, deletions, predicate, batchRowsMax) => {
          const deleted = new Set(rows.length === 0 ? [] : deletions.map((d) => d % rows.length));
          const source = new MemoryDatabase([memoryTable(rows, deletions)]);
          checkFilters(source, rows, deleted, predicate, batchRowsMax);
        },
      ),
      { numRuns: 300, seed: 53 },
    );
  });

  it('a count(*) beside a count or sum over a column without NULLs takes its counts (few groups, many rows)', () => {
    const rows: Row[] = [];
    for (let index = 0; index < 3000; index++) {
      rows.push({
        // Keys that miss the dense array (negative, past 2^20) and one that appears late.
        k: index % 97 === 0 ? -1 : index % 89 === 0 ? DENSE + 3 : index === 2500 ? 900 : index % 5,
        x: FLOATS[1 + (index % 8)]!,
        y: INTS[1 + (index % 7)]!,
        s: STRINGS[1 + (index % 5)]!,
      });
    }
    // A tail with NULLs and new groups: those batches count their rows themselves.
    for (let index = 0; index < 200; index++) {
      rows.push({ k: index % 7, x: index % 3 === 0 ? null : 0.5, y: null, s: null });
    }
    const deletions = [7, 8, 9, 3100];
    for (const batchRowsMax of [64, 512, 65_536]) {
      checkAggregates(
        new MemoryDatabase([memoryTable(rows, deletions)]),
        activeRows(rows, deletions),
        batchRowsMax,
      );
    }
  });

  it('aggregates agree on an empty table', () => {
    checkAggregates(new MemoryDatabase([memoryTable([], [])]), [], 8);
  });

  it('aggregates agree over the store: two chunks, deleted rows, NULLs, the dense boundary', async () => {
    const db = createMemoryDatabase('fast', [
      tableDefinition('t', [
        scalarColumn('k', 'Int'),
        scalarColumn('x', 'Float'),
        scalarColumn('y', 'Int'),
        scalarColumn('s', 'String'),
      ]),
    ]);
    const count = 70_000;
    const rows: Row[] = [];
    for (let index = 0; index < count; index++) {
      rows.push({
        k: index % 11 === 0 ? null : index % 5 === 0 ? KEYS[index % KEYS.length]! : index % 3000,
        x: FLOATS[index % FLOATS.length]!,
        y: index % 13 === 0 ? null : index % 1000,
        s: STRINGS[index % STRINGS.length]!,
      });
    }
    const transaction = await db.begin();
    transaction.appendColumns(
      't',
      {
        k: rows.map((row) => row.k),
        x: rows.map((row) => row.x),
        y: rows.map((row) => row.y),
        s: rows.map((row) => row.s),
      },
      count,
    );
    await transaction.commit();
    const deleted = [0, 1, 5, 65_535, 65_536, 69_999, 12_345];
    for (const rowId of deleted) await db.delete('t', rowId);
    const active = rows.filter((_, index) => !deleted.includes(index));
    const source = new StoreRelationSource(db.view());
    checkAggregates(source, active, 65_536);
    for (const predicate of fc.sample(predicateArbitrary, { numRuns: 40, seed: 54 })) {
      checkFilters(source, rows, new Set(deleted), predicate, 65_536);
    }
  });

  it('foreign-key row ids (grouped on directly, followed by joins) agree with a reference', async () => {
    const db = createMemoryDatabase('fk', [
      tableDefinition('p', [scalarColumn('name', 'String', { notNull: true })]),
      tableDefinition('c', [foreignKeyColumn('fk', 'p'), scalarColumn('v', 'Int')]),
    ]);
    // More parents than the dense array's first size (1,024): it grows while grouping.
    const parents = 1500;
    const names = Array.from({ length: parents }, (_, index) => `n${index % 37}`);
    const count = 70_000;
    const fks: (number | null)[] = [];
    const vs: (number | null)[] = [];
    for (let index = 0; index < count; index++) {
      // Parents 1,400… are never referenced; every 9th child has no parent; only the second
      // chunk references parents past 1,000 (the dense array grows while reading row ids).
      const parent = index < 65_536 ? (index * 7) % 1000 : 1000 + ((index * 7) % 400);
      fks.push(index % 9 === 0 ? null : parent);
      vs.push(index % 4 === 0 ? null : index % 1000);
    }
    const transaction = await db.begin();
    transaction.appendColumns('p', { name: names }, parents);
    transaction.appendColumns('c', { fk: fks, v: vs }, count);
    await transaction.commit();
    // Deleted rows only in the first chunk: the second reaches the executor as the store's own
    // row-id array, the first through a gather.
    const deletedChildren = [3, 65_535];
    for (const rowId of deletedChildren) await db.delete('c', rowId);
    for (const rowId of [1400, 1401, 1499]) await db.delete('p', rowId);
    const source = new StoreRelationSource(db.view());
    const children = fks
      .map((fk, id) => ({ id, fk, v: vs[id]! }))
      .filter(({ id }) => !deletedChildren.includes(id));

    interface Tally {
      count: number;
      sum: number;
      values: number;
    }
    const tally = <K>(map: Map<K, Tally>, key: K, v: number | null): void => {
      const entry = map.get(key) ?? { count: 0, sum: 0, values: 0 };
      entry.count++;
      if (v !== null) {
        entry.sum += v;
        entry.values++;
      }
      map.set(key, entry);
    };
    const byFk = new Map<number | null, Tally>();
    const byName = new Map<string, Tally>();
    for (const child of children) {
      tally(byFk, child.fk, child.v);
      if (child.fk !== null) tally(byName, names[child.fk]!, child.v);
    }
    const check = (rows: Value[][], expected: Map<unknown, Tally>): void => {
      assert.equal(rows.length, expected.size);
      for (const [key, counted, sum] of rows) {
        const entry = expected.get(key);
        assert.ok(entry !== undefined, `group ${String(key)}`);
        assert.equal(counted, entry.count, `count of ${String(key)}`);
        assert.equal(sum === null ? null : Number(sum), entry.values === 0 ? null : entry.sum);
      }
    };
    check(resultRows(runSql(source, 'SELECT fk, count(*), sum(v) FROM c GROUP BY fk')), byFk);
    check(
      resultRows(
        runSql(
          source,
          'SELECT p.name, count(*), sum(c.v) FROM c JOIN p ON c.fk = p.id GROUP BY p.name',
        ),
      ),
      byName,
    );
    const joined = resultRows(
      runSql(source, 'SELECT c.id, p.name FROM c LEFT JOIN p ON c.fk = p.id ORDER BY c.id'),
    );
    assert.deepEqual(
      joined,
      children.map(({ id, fk }) => [id, fk === null ? null : names[fk]!]),
    );
  });
});
