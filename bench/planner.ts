/**
 * Planner benchmark: the same queries on catrust (SQL over the store's tables) and on DuckDB
 * (in process), the same data, one run; prints rows/s and the ratio catrust/DuckDB time.
 *
 *   npx tsc -p tsconfig.json --outDir /tmp/planner-dist --incremental false
 *   node /tmp/planner-dist/bench/planner.js --rows 1000000 [--rows 10000000] [--runs 3]
 *
 * Data: `fact` (rows from the --rows argument) with a low-cardinality key (10 values), a
 * high-cardinality key (100,000 values), an Int, a Float, a dictionary string (100 values) and
 * a foreign key to `dim` (1,000 rows). Values are fixed formulas of the row number, computed
 * the same way in JavaScript and in DuckDB SQL.
 *
 * Each figure is the median of `--runs` runs after a warm-up run; wall time and, beside it, the
 * process's CPU time (all threads: DuckDB uses every core, catrust's executor one), which a
 * busy shared machine disturbs less than wall time.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import {
  loadSqlParser,
  prepareSql,
  executePrepared,
  runSql,
  StoreRelationSource,
} from '../planner/index.js';
import {
  createMemoryDatabase,
  foreignKeyColumn,
  scalarColumn,
  tableDefinition,
} from '../store/index.js';

function argument(name: string, fallback: number): number[] {
  const values: number[] = [];
  process.argv.forEach((arg, index) => {
    if (arg === name) values.push(Number(process.argv[index + 1]));
  });
  return values.length > 0 ? values : [fallback];
}

const DIM_ROWS = 1000;

async function buildCatrust(rows: number): Promise<StoreRelationSource> {
  const db = createMemoryDatabase('bench', [
    tableDefinition('dim', [scalarColumn('name', 'String', { notNull: true })]),
    tableDefinition('fact', [
      scalarColumn('k_low', 'Int'),
      scalarColumn('k_high', 'Int'),
      scalarColumn('y', 'Int'),
      scalarColumn('x', 'Float'),
      scalarColumn('s', 'String'),
      foreignKeyColumn('dim', 'dim'),
    ]),
  ]);
  const transaction = await db.begin();
  transaction.appendColumns(
    'dim',
    { name: Array.from({ length: DIM_ROWS }, (_, i) => `d${i % 97}`) },
    DIM_ROWS,
  );
  const chunk = 1_000_000;
  for (let start = 0; start < rows; start += chunk) {
    const count = Math.min(chunk, rows - start);
    const kLow = new Float64Array(count);
    const kHigh = new Float64Array(count);
    const y = new Float64Array(count);
    const x = new Float64Array(count);
    const s: string[] = new Array<string>(count);
    const dim = new Uint32Array(count);
    for (let offset = 0; offset < count; offset++) {
      const i = start + offset;
      kLow[offset] = i % 10;
      kHigh[offset] = (i * 31) % 100_000;
      y[offset] = (i * 7919) % 1_000_003;
      x[offset] = ((i * 7907) % 1000) / 1000;
      s[offset] = `s${(i * 13) % 100}`;
      dim[offset] = (i * 17) % DIM_ROWS;
    }
    transaction.appendColumns('fact', { k_low: kLow, k_high: kHigh, y, x, s, dim }, count);
  }
  await transaction.commit();
  return new StoreRelationSource(db.view());
}

async function buildDuck(rows: number): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(
    `CREATE TABLE dim AS SELECT i::BIGINT AS id, 'd' || (i % 97) AS name FROM range(${DIM_ROWS}) t(i)`,
  );
  await connection.run(
    `CREATE TABLE fact AS SELECT i::BIGINT AS id, (i % 10)::BIGINT AS k_low, ((i * 31) % 100000)::BIGINT AS k_high,
       ((i * 7919) % 1000003)::BIGINT AS y, ((i * 7907) % 1000) / 1000.0::DOUBLE AS x,
       's' || ((i * 13) % 100) AS s, ((i * 17) % ${DIM_ROWS})::BIGINT AS dim FROM range(${rows}) t(i)`,
  );
  return connection;
}

const QUERIES: readonly { name: string; sql: string }[] = [
  { name: 'filter + count', sql: 'SELECT count(*) FROM fact WHERE x > 0.5' },
  { name: 'filter + project', sql: 'SELECT y, x FROM fact WHERE y < 10000' },
  { name: 'sum / avg', sql: 'SELECT sum(x), avg(y) FROM fact' },
  { name: 'group by low-card', sql: 'SELECT k_low, count(*), sum(x) FROM fact GROUP BY k_low' },
  { name: 'group by high-card', sql: 'SELECT k_high, count(*) FROM fact GROUP BY k_high' },
  {
    name: 'FK join + group by',
    sql: 'SELECT d.name, count(*) FROM fact f JOIN dim d ON f.dim = d.id GROUP BY d.name',
  },
  { name: 'ORDER BY + LIMIT', sql: 'SELECT y, x FROM fact ORDER BY x DESC, y LIMIT 10' },
  { name: 'point lookup (indexed)', sql: 'SELECT id, x FROM fact WHERE y = 7919' },
];

/** CPU time of the whole process (every thread: DuckDB's workers count too), in ms. */
function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  await loadSqlParser();
  const runs = argument('--runs', 3)[0]!;
  const lines: string[] = [];
  for (const rows of argument('--rows', 1_000_000)) {
    const source = await buildCatrust(rows);
    const duck = await buildDuck(rows);
    lines.push(`\n### ${rows.toLocaleString('en-US')} rows\n`);
    lines.push(
      '| query | catrust ms | DuckDB ms | catrust rows/s | ratio (catrust/DuckDB) | catrust CPU ms | DuckDB CPU ms | CPU ratio |',
    );
    lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const query of QUERIES) {
      runSql(source, query.sql); // warm-up (builds indexes the query uses)
      await duck.runAndReadAll(query.sql);
      const ours: number[] = [];
      const theirs: number[] = [];
      const oursCpu: number[] = [];
      const theirsCpu: number[] = [];
      for (let run = 0; run < runs; run++) {
        let cpu = process.cpuUsage();
        let start = performance.now();
        runSql(source, query.sql);
        ours.push(performance.now() - start);
        oursCpu.push(cpuMs(process.cpuUsage(cpu)));
        cpu = process.cpuUsage();
        start = performance.now();
        await duck.runAndReadAll(query.sql);
        theirs.push(performance.now() - start);
        theirsCpu.push(cpuMs(process.cpuUsage(cpu)));
      }
      const a = median(ours);
      const b = median(theirs);
      const aCpu = median(oursCpu);
      const bCpu = median(theirsCpu);
      lines.push(
        `| ${query.name} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${((rows / a) * 1000).toExponential(2)} | ${(a / b).toFixed(2)} | ${aCpu.toFixed(1)} | ${bCpu.toFixed(1)} | ${(aCpu / bCpu).toFixed(2)} |`,
      );
      process.stdout.write(`${lines[lines.length - 1]!}\n`);
    }
    // Small-query latency end to end: parse → bind → optimise → execute → rows.
    const small = 'SELECT name FROM dim WHERE id = 5';
    const iterations = 2000;
    // Warm-up, as for the queries above: the first thousand runs of the parse → bind → optimise
    // path are spent compiling it (0.6 ms a query, 30 µs once warm).
    for (let index = 0; index < iterations / 4; index++) {
      executePrepared(prepareSql(source, small));
      await duck.runAndReadAll(small);
    }
    let start = performance.now();
    for (let index = 0; index < iterations; index++) executePrepared(prepareSql(source, small));
    const oursUs = ((performance.now() - start) / iterations) * 1000;
    start = performance.now();
    for (let index = 0; index < iterations; index++) await duck.runAndReadAll(small);
    const theirsUs = ((performance.now() - start) / iterations) * 1000;
    lines.push(
      `| small query latency (\`${small}\`) | ${(oursUs / 1000).toFixed(3)} | ${(theirsUs / 1000).toFixed(3)} | — | ${(oursUs / theirsUs).toFixed(2)} | | | |`,
    );
    process.stdout.write(`${lines[lines.length - 1]!}\n`);
    duck.closeSync();
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
