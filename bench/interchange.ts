/**
 * Interchange benchmark: import_csv, export_parquet and import_parquet through the Engine (the
 * code every door runs; durable commits to a real data directory), side by side with DuckDB
 * (@duckdb/node-api) reading the same CSV and writing / reading Parquet in the same run.
 *
 *   npx tsx bench/interchange.ts [rows, default 1000000]
 *
 * The CSV has six columns (String unique per row, Int, Float, Date, Bool, String of 16 values).
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Engine } from '../gateway/index.js';
import { exportParquet, importCsv, importParquet } from '../gateway/interchange/index.js';

const rows = Number(process.argv[2] ?? 1_000_000);

function csvText(count: number): string {
  const parts: string[] = ['name,amount,price,day,flag,category\n'];
  for (let row = 0; row < count; row++) {
    const day = `20${String(10 + (row % 15))}-0${1 + (row % 9)}-${String(1 + (row % 28)).padStart(2, '0')}`;
    parts.push(
      `person ${row},${(row * 7919) % 1_000_003},${(row % 1000) / 8},${day},${row % 3 === 0},"cat, ${row % 16}"\n`,
    );
  }
  return parts.join('');
}

function line(what: string, ms: number, extra = ''): void {
  const rate = (rows / ms) * 1000;
  process.stdout.write(
    `${what.padEnd(44)} ${ms.toFixed(0).padStart(7)} ms ${Math.round(rate).toLocaleString('en-US').padStart(12)} rows/s ${extra}\n`,
  );
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

const dir = mkdtempSync(join(tmpdir(), 'catrust-bench-interchange-'));
try {
  writeFileSync(join(dir, 'data.csv'), csvText(rows));
  const csvBytes = statSync(join(dir, 'data.csv')).size;
  process.stdout.write(
    `${rows.toLocaleString('en-US')} rows, CSV ${(csvBytes / 1048576).toFixed(1)} MiB; node ${process.version}, ${cpus().length} cores\n`,
  );
  const engine = await Engine.open({ dataDir: join(dir, 'data') });
  const session = engine.newSession('bench');
  await engine.createDatabase('bench');
  session.database = 'bench';
  await engine.load(
    session,
    'schema B { entities Row  attributes name : Row -> String  amount : Row -> Int  price : Row -> Float  day : Row -> Date  flag : Row -> Bool  category : Row -> String }',
  );
  // The data directory is the engine's; the CSV is written into it for the imports.
  writeFileSync(join(dir, 'data', 'data.csv'), csvText(rows));
  const base = { header: true, delimiter: ',', deadline: undefined };
  const existing = await timed(() =>
    importCsv(engine, session, { ...base, entity: 'Row', path: 'data.csv', create: false }),
  );
  line(
    'import_csv into an existing entity',
    existing.ms,
    `${(((csvBytes / existing.ms) * 1000) / 1048576).toFixed(1)} MB/s`,
  );
  const created = await timed(() =>
    importCsv(engine, session, { ...base, entity: 'Inferred', path: 'data.csv', create: true }),
  );
  line('import_csv with create (type inference pass)', created.ms);
  const exported = await timed(() =>
    exportParquet(engine, session, 'Row', 'out/data.parquet', undefined),
  );
  line('export_parquet', exported.ms, `${exported.value['bytes'] as number} bytes`);
  const imported = await timed(() =>
    importParquet(engine, session, {
      entity: 'FromParquet',
      path: 'out/data.parquet',
      create: true,
      deadline: undefined,
    }),
  );
  line('import_parquet with create', imported.ms);
  await engine.close();

  const duck = await DuckDBInstance.create(join(dir, 'duck.db'));
  const connection = await duck.connect();
  const csvPath = join(dir, 'data.csv');
  const duckCsv = await timed(() =>
    connection.run(
      `CREATE TABLE t AS SELECT * FROM read_csv('${csvPath}', header = true, columns = {'name': 'VARCHAR', 'amount': 'BIGINT', 'price': 'DOUBLE', 'day': 'DATE', 'flag': 'BOOLEAN', 'category': 'VARCHAR'})`,
    ),
  );
  line(
    'duckdb read_csv into a table',
    duckCsv.ms,
    `ratio ${(existing.ms / duckCsv.ms).toFixed(1)}×`,
  );
  const parquetPath = join(dir, 'duck.parquet');
  const duckExport = await timed(() =>
    connection.run(`COPY t TO '${parquetPath}' (FORMAT parquet, COMPRESSION snappy)`),
  );
  line(
    'duckdb COPY TO parquet',
    duckExport.ms,
    `ratio ${(exported.ms / duckExport.ms).toFixed(1)}×`,
  );
  const duckImport = await timed(() =>
    connection.run(`CREATE TABLE u AS SELECT * FROM read_parquet('${parquetPath}')`),
  );
  line(
    'duckdb read_parquet into a table',
    duckImport.ms,
    `ratio ${(imported.ms / duckImport.ms).toFixed(1)}×`,
  );
  connection.closeSync();
  duck.closeSync();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
