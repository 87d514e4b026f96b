/**
 * Differential test: random tables and random queries run on catrust and on DuckDB (in
 * process), results compared — order-insensitive unless ORDER BY fixes the order, numbers
 * exactly when both are integers and within 1e-9 relative otherwise (DuckDB's sum(int) is
 * HUGEINT and avg is DOUBLE where PostgreSQL and catrust give numeric: values, not types, are
 * compared). A query that fails on both sides agrees (overflow, for instance); one that fails
 * on one side only is a difference. A failing seed prints the query and both results.
 */
import assert from 'node:assert/strict';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { after, before, describe, it } from 'mocha';
import { formatDate, valueToJson, type ScalarType, type Value } from '../../common/index.js';
import {
  loadSqlParser,
  MemoryDatabase,
  MemoryTable,
  OPTIMIZER_RULES,
  resultRows,
  runSql,
  type QueryResult,
} from '../../planner/index.js';
import { generateTables, QueryGenerator, Random, type TableData } from './differential/generate.js';

/** `PLANNER_DIFFERENTIAL_SEEDS=200` runs a longer search; the suite default stays fast. */
const SEEDS = Number(process.env['PLANNER_DIFFERENTIAL_SEEDS'] ?? 24);
/**
 * Further seeds run with every optimizer rule off but projection pruning (which decides what is
 * evaluated at all, as in both reference engines): the unoptimised plans must agree too.
 */
const UNOPTIMISED_SEEDS = 4;
const QUERIES_PER_SEED = 100;

const DUCK_TYPES: Readonly<Record<ScalarType, string>> = {
  Int: 'BIGINT',
  Float: 'DOUBLE',
  String: 'VARCHAR',
  Date: 'DATE',
  Bool: 'BOOLEAN',
  Decimal: 'DECIMAL(18,4)',
  Uuid: 'UUID',
};

function duckLiteral(type: ScalarType, value: Value): string {
  if (value === null) return 'NULL';
  switch (type) {
    case 'String':
      return `'${String(value).replace(/'/g, "''")}'`;
    case 'Date':
      return `DATE '${formatDate(value as number)}'`;
    case 'Decimal':
      return `${String(value)}::DECIMAL(18,4)`;
    case 'Float':
      return Number.isNaN(value) ? `'NaN'::DOUBLE` : `${String(value)}::DOUBLE`;
    default:
      return String(value);
  }
}

async function loadDuck(connection: DuckDBConnection, tables: readonly TableData[]): Promise<void> {
  for (const table of tables) {
    await connection.run(`DROP TABLE IF EXISTS ${table.name}`);
    const columns = [
      'id BIGINT',
      ...table.columns.map((column) => `${column.name} ${DUCK_TYPES[column.type]}`),
    ];
    await connection.run(`CREATE TABLE ${table.name} (${columns.join(', ')})`);
    if (table.rows.length === 0) continue;
    const rows = table.rows.map(
      (row, rowId) =>
        `(${[String(rowId), ...row.map((value, index) => duckLiteral(table.columns[index]!.type, value))].join(', ')})`,
    );
    await connection.run(`INSERT INTO ${table.name} VALUES ${rows.join(', ')}`);
  }
}

function loadCatrust(tables: readonly TableData[]): MemoryDatabase {
  const database = new MemoryDatabase();
  for (const table of tables) {
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
    database.add(memory);
  }
  return database;
}

type Cell = string | number | boolean | null;

/** NaN as DuckDB's JSON spells it. */
function catrustCells(result: QueryResult): Cell[][] {
  return resultRows(result).map((row) =>
    row.map((value, index) => {
      const cell = valueToJson(result.columns[index]!.type, value);
      return Number.isNaN(cell) ? 'NaN' : cell;
    }),
  );
}

function isNumeric(cell: Cell): boolean {
  return (
    typeof cell === 'number' ||
    (typeof cell === 'string' && /^-?[0-9]+(\.[0-9]+)?(e[+-]?[0-9]+)?$/i.test(cell))
  );
}

function sameCell(a: Cell, b: Cell): boolean {
  if (a === null || b === null) return a === b;
  if (typeof a === 'boolean' || typeof b === 'boolean') return a === b;
  if (isNumeric(a) && isNumeric(b)) {
    const x = String(a);
    const y = String(b);
    // Integers compare exactly — unless one side is a double (a JSON number past 2^53: DuckDB's
    // avg is DOUBLE where PostgreSQL's and catrust's is exact numeric), which compares within
    // the relative tolerance below.
    const approximate = (cell: Cell): boolean =>
      typeof cell === 'number' && !Number.isSafeInteger(cell);
    if (/^-?[0-9]+$/.test(x) && /^-?[0-9]+$/.test(y) && !approximate(a) && !approximate(b)) {
      return BigInt(x) === BigInt(y);
    }
    const p = Number(x);
    const q = Number(y);
    if (p === q) return true;
    return (
      Math.abs(p - q) <= 1e-9 * Math.max(Math.abs(p), Math.abs(q), 1e-300) ||
      Math.abs(p - q) < 1e-12
    );
  }
  return String(a) === String(b);
}

/** A sort key for order-insensitive comparison (numbers rounded so near-equal floats meet). */
function cellKey(cell: Cell): string {
  if (cell === null) return '\u0000';
  if (isNumeric(cell)) {
    const text = String(cell);
    if (/^-?[0-9]+$/.test(text)) return `n${BigInt(text)}`;
    return `n${Number(text).toPrecision(9)}`;
  }
  return `${typeof cell}:${String(cell)}`;
}

function sameRows(a: Cell[][], b: Cell[][], ordered: boolean): boolean {
  if (a.length !== b.length) return false;
  const sort = (rows: Cell[][]): Cell[][] =>
    ordered
      ? rows
      : [...rows].sort((x, y) => {
          const kx = x.map(cellKey).join('\u0001');
          const ky = y.map(cellKey).join('\u0001');
          return kx < ky ? -1 : kx > ky ? 1 : 0;
        });
  const left = sort(a);
  const right = sort(b);
  return left.every(
    (row, index) =>
      row.length === right[index]!.length &&
      row.every((cell, column) => sameCell(cell, right[index]![column]!)),
  );
}

describe('differential test against DuckDB', function () {
  this.timeout(120_000);
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  let compared = 0;
  let bothFailed = 0;

  before(async () => {
    await loadSqlParser();
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
  });

  after(() => {
    connection.closeSync();
    instance.closeSync();
  });

  for (let seed = 1; seed <= SEEDS + UNOPTIMISED_SEEDS; seed++) {
    const unoptimised = seed > SEEDS;
    const options = unoptimised
      ? {
          disabledRules: OPTIMIZER_RULES.map((rule) => rule.name).filter(
            (name) => name !== 'projection-pruning',
          ),
        }
      : {};
    it(`seed ${seed}: ${QUERIES_PER_SEED} random queries agree${unoptimised ? ' (optimizer off)' : ''}`, async () => {
      const random = new Random(seed * 7919);
      const tables = generateTables(random);
      await loadDuck(connection, tables);
      const database = loadCatrust(tables);
      const generator = new QueryGenerator(random);
      const differences: string[] = [];
      for (let index = 0; index < QUERIES_PER_SEED; index++) {
        const { sql, ordered } = generator.query();
        let ours: Cell[][] | Error;
        let theirs: Cell[][] | Error;
        try {
          ours = catrustCells(runSql(database, sql, [], options));
        } catch (error) {
          ours = error as Error;
        }
        try {
          const reader = await connection.runAndReadAll(sql);
          theirs = reader.getRowsJson() as Cell[][];
        } catch (error) {
          theirs = error as Error;
        }
        compared++;
        if (ours instanceof Error || theirs instanceof Error) {
          if (ours instanceof Error && theirs instanceof Error) {
            bothFailed++;
            continue;
          }
          differences.push(
            `seed ${seed} query ${index}: ${sql}\n  catrust: ${ours instanceof Error ? `error ${String(ours)}` : JSON.stringify(ours)}\n  duckdb:  ${theirs instanceof Error ? `error ${String(theirs)}` : JSON.stringify(theirs)}`,
          );
          continue;
        }
        if (!sameRows(ours, theirs, ordered)) {
          differences.push(
            `seed ${seed} query ${index}: ${sql}\n  catrust: ${JSON.stringify(ours)}\n  duckdb:  ${JSON.stringify(theirs)}`,
          );
        }
      }
      assert.deepEqual(differences.slice(0, 5), [], `${differences.length} differences`);
    });
  }

  it('compared at least 2,000 queries, almost all of which ran', () => {
    assert.ok(compared >= 2000, `compared ${compared}`);
    assert.ok(bothFailed < compared * 0.1, `${bothFailed} of ${compared} failed on both sides`);
  });
});
