/**
 * Column-store benchmark, side by side with DuckDB (@duckdb/node-api) in the same run.
 *
 *   npx tsc -p tsconfig.json --outDir .tmp/store-dist --incremental false
 *   node .tmp/store-dist/bench/store.js [rows, default 1000000]
 *
 * (`.tmp/` is git-ignored and inside the repository, so node_modules resolves.)
 *
 * Data: (Int, Float, String, Date, FK) rows, generated in TypeScript for catrust and by the same
 * formulas in SQL for DuckDB (DuckDB's ingest is `CREATE TABLE … AS SELECT … FROM range(n)`,
 * its fastest path — not a JavaScript appender). Prints one line per measurement: catrust,
 * DuckDB where it has a counterpart, and the ratio (DuckDB time / catrust time: > 1 means
 * catrust is faster).
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  createMemoryDatabase,
  foreignKeyColumn,
  scalarColumn,
  Store,
  tableDefinition,
  type Database,
} from '../store/index.js';

const rows = Number(process.argv[2] ?? '1000000');
const DEPARTMENTS = 1000;
const STRINGS = 10_000;

const department = tableDefinition('Dept', [scalarColumn('name', 'String', { notNull: true })]);
const fact = tableDefinition('Fact', [
  scalarColumn('i', 'Int', { notNull: true }),
  scalarColumn('f', 'Float', { notNull: true }),
  scalarColumn('s', 'String', { notNull: true }),
  scalarColumn('d', 'Date', { notNull: true }),
  foreignKeyColumn('dept', 'Dept', { notNull: true }),
]);

function line(what: string, catrust: string, duckdb?: string, ratio?: number): void {
  const parts = [what.padEnd(44), catrust.padEnd(26)];
  if (duckdb !== undefined) parts.push(`duckdb ${duckdb}`.padEnd(28));
  if (ratio !== undefined) parts.push(`ratio ${ratio.toFixed(2)}`);
  process.stdout.write(`${parts.join(' ')}\n`);
}

function perSecond(count: number, ms: number): string {
  const rate = (count / ms) * 1000;
  return rate >= 1e6
    ? `${(rate / 1e6).toFixed(1)} M rows/s`
    : `${(rate / 1e3).toFixed(1)} k rows/s`;
}

async function time<T>(work: () => Promise<T> | T): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

function columns(count: number): {
  i: Float64Array;
  f: Float64Array;
  s: { codes: Uint32Array; dictionary: string[] };
  d: Int32Array;
  dept: Uint32Array;
} {
  const i = new Float64Array(count);
  const f = new Float64Array(count);
  const codes = new Uint32Array(count);
  const d = new Int32Array(count);
  const dept = new Uint32Array(count);
  for (let row = 0; row < count; row++) {
    i[row] = row;
    f[row] = (row * 7919) % 1_000_003;
    codes[row] = row % STRINGS;
    d[row] = 10_000 + (row % 20_000);
    dept[row] = row % DEPARTMENTS;
  }
  const dictionary = Array.from({ length: STRINGS }, (_, index) => `s${index}`);
  return { i, f, s: { codes, dictionary }, d, dept };
}

/** Rows per durable bulk-insert transaction (an entry stays under walLineBytesMax). */
const BULK_SLICE_ROWS = 2_000_000;

async function appendInSlices(database: Database, data: ReturnType<typeof columns>): Promise<void> {
  for (let first = 0; first < rows; first += BULK_SLICE_ROWS) {
    const end = Math.min(rows, first + BULK_SLICE_ROWS);
    await database.appendColumns('Fact', {
      i: data.i.subarray(first, end),
      f: data.f.subarray(first, end),
      s: { codes: data.s.codes.subarray(first, end), dictionary: data.s.dictionary },
      d: data.d.subarray(first, end),
      dept: data.dept.subarray(first, end),
    });
  }
}

async function main(): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'catrust-bench-'));
  const store = await Store.open(directory);
  const duck = await DuckDBInstance.create(':memory:');
  const connection = await duck.connect();
  process.stdout.write(
    `store benchmark: ${rows.toLocaleString('en')} rows of (Int, Float, String, Date, FK)\n`,
  );
  try {
    const database = await store.create('bench', [department, fact]);
    await database.appendColumns('Dept', {
      name: Array.from({ length: DEPARTMENTS }, (_, index) => `d${index}`),
    });
    const data = columns(rows);
    const heapBefore = process.memoryUsage();

    // ── bulk insert: in memory (the column append alone), then durable (WAL + fsync) ──────
    const memory = createMemoryDatabase('memory', [department, fact]);
    await memory.appendColumns('Dept', {
      name: Array.from({ length: DEPARTMENTS }, (_, index) => `d${index}`),
    });
    const [, memoryInsertMs] = await time(() => appendInSlices(memory, data));
    const heapAfter = process.memoryUsage();
    // A durable bulk insert commits one WAL entry per slice of BULK_SLICE_ROWS rows (an entry
    // stays under limits.walLineBytesMax).
    const [, insertMs] = await time(() => appendInSlices(database, data));
    const [, duckInsertMs] = await time(() =>
      connection.run(`CREATE TABLE fact AS SELECT range::BIGINT AS i,
        ((range * 7919) % 1000003)::DOUBLE AS f, 's' || (range % ${STRINGS}) AS s,
        (DATE '1970-01-01' + (10000 + range % 20000)::INTEGER) AS d,
        (range % ${DEPARTMENTS})::INTEGER AS dept FROM range(${rows})`),
    );
    line(
      'bulk insert (in memory)',
      perSecond(rows, memoryInsertMs),
      perSecond(rows, duckInsertMs),
      duckInsertMs / memoryInsertMs,
    );
    line(
      'bulk insert (durable)',
      perSecond(rows, insertMs),
      perSecond(rows, duckInsertMs),
      duckInsertMs / insertMs,
    );
    const bytesPerRow =
      (heapAfter.arrayBuffers +
        heapAfter.heapUsed -
        heapBefore.arrayBuffers -
        heapBefore.heapUsed) /
      rows;
    line('memory per row (column data)', `${bytesPerRow.toFixed(1)} B/row`);

    // ── full scan with a numeric filter ──────────────────────────────────────────────────
    const table = database.table('Fact');
    const threshold = 500_000;
    // The filter kernel, branch-free (the comparison's outcome is data-dependent, so a branch
    // per row would mispredict half the time) and eight rows per step; for a batch with
    // deleted rows a byte of the deleted bitmap (8 rows) at a time.
    const countAbove = (values: Float64Array, length: number): number => {
      let count = 0;
      let offset = 0;
      for (const end = length & ~7; offset < end; offset += 8) {
        count +=
          (values[offset]! > threshold ? 1 : 0) +
          (values[offset + 1]! > threshold ? 1 : 0) +
          (values[offset + 2]! > threshold ? 1 : 0) +
          (values[offset + 3]! > threshold ? 1 : 0) +
          (values[offset + 4]! > threshold ? 1 : 0) +
          (values[offset + 5]! > threshold ? 1 : 0) +
          (values[offset + 6]! > threshold ? 1 : 0) +
          (values[offset + 7]! > threshold ? 1 : 0);
      }
      for (; offset < length; offset++) count += values[offset]! > threshold ? 1 : 0;
      return count;
    };
    const countAboveActive = (
      values: Float64Array,
      length: number,
      deleted: Uint8Array,
    ): number => {
      // A byte of the bitmap at a time: each comparison's 0/1 masked by its row's bit of
      // the active mask, no branch per row.
      let count = 0;
      const wholeBytes = length >>> 3;
      for (let byte = 0; byte < wholeBytes; byte++) {
        const active = ~deleted[byte]!;
        const first = byte << 3;
        count +=
          ((values[first]! > threshold ? 1 : 0) & active) +
          ((values[first + 1]! > threshold ? 1 : 0) & (active >> 1)) +
          ((values[first + 2]! > threshold ? 1 : 0) & (active >> 2)) +
          ((values[first + 3]! > threshold ? 1 : 0) & (active >> 3)) +
          ((values[first + 4]! > threshold ? 1 : 0) & (active >> 4)) +
          ((values[first + 5]! > threshold ? 1 : 0) & (active >> 5)) +
          ((values[first + 6]! > threshold ? 1 : 0) & (active >> 6)) +
          ((values[first + 7]! > threshold ? 1 : 0) & (active >> 7));
      }
      for (let offset = wholeBytes << 3; offset < length; offset++) {
        if (((deleted[offset >>> 3]! >> (offset & 7)) & 1) === 0 && values[offset]! > threshold) {
          count++;
        }
      }
      return count;
    };
    const scan = (scanned = table): number => {
      let count = 0;
      for (const batch of scanned.scan(['f'])) {
        const vector = batch.columns[0]!;
        if (vector.kind !== 'float64') throw new Error('f is a Float64Array column');
        count +=
          batch.deleted === undefined
            ? countAbove(vector.values, batch.rowCount)
            : countAboveActive(vector.values, batch.rowCount, batch.deleted);
      }
      return count;
    };
    scan();
    const repeats = 10;
    const cpuBefore = process.cpuUsage();
    const [count, scanMs] = await time(() => {
      let total = 0;
      for (let repeat = 0; repeat < repeats; repeat++) total = scan();
      return total;
    });
    const cpu = process.cpuUsage(cpuBefore);
    const scanCpuMs = (cpu.user + cpu.system) / 1000;
    const duckCount = await connection.runAndReadAll(
      `SELECT count(*) FROM fact WHERE f > ${threshold}`,
    );
    const [, duckScanMs] = await time(async () => {
      for (let repeat = 0; repeat < repeats; repeat++) {
        await connection.runAndReadAll(`SELECT count(*) FROM fact WHERE f > ${threshold}`);
      }
    });
    if (BigInt(count) !== (duckCount.getRows()[0]![0] as bigint))
      throw new Error('scan counts differ');
    line(
      'scan with numeric filter',
      perSecond(rows * repeats, scanMs),
      perSecond(rows * repeats, duckScanMs),
      duckScanMs / scanMs,
    );
    // On a shared machine the wall clock includes time the scan waited for a core.
    line('scan with numeric filter (CPU time)', perSecond(rows * repeats, scanCpuMs));

    // ── equality lookup through the hash index ───────────────────────────────────────────
    const [, buildMs] = await time(() => table.lookupEqual('i', 0));
    const lookups = 100_000;
    const [, lookupMs] = await time(() => {
      let found = 0;
      for (let index = 0; index < lookups; index++)
        found += table.lookupEqual('i', (index * 7) % rows).length;
      return found;
    });
    const duckLookups = 200;
    const [, duckLookupMs] = await time(async () => {
      for (let index = 0; index < duckLookups; index++) {
        await connection.runAndReadAll(`SELECT * FROM fact WHERE i = ${(index * 7) % rows}`);
      }
    });
    const lookupUs = (lookupMs * 1000) / lookups;
    const duckLookupUs = (duckLookupMs * 1000) / duckLookups;
    line('equality index build (Int)', `${buildMs.toFixed(1)} ms`);
    line(
      'equality lookup (Int)',
      `${lookupUs.toFixed(2)} µs`,
      `${duckLookupUs.toFixed(1)} µs (SQL)`,
      duckLookupUs / lookupUs,
    );

    // ── index maintenance vs rebuild after a small commit ────────────────────────────────
    await database.insert('Fact', { i: rows, f: 1, s: 's1', d: 1, dept: 0 });
    const [, maintainedMs] = await time(() => database.table('Fact').lookupEqual('i', rows));
    line(
      'lookup after a 1-row commit (maintained)',
      `${maintainedMs.toFixed(3)} ms`,
      undefined,
      buildMs / maintainedMs,
    );

    // ── range scan through the sorted index (on the latest view: the index serves views
    // from its build on; an older view falls back to a scan) ───────────────────────────────
    const latest = database.table('Fact');
    const [, rangeBuildMs] = await time(() => latest.lookupRange('f', { lower: 0, upper: 0 }));
    const rangeRepeats = 50;
    const rangeOf = (repeat: number): { lower: number; upper: number } => ({
      lower: 100_000 + repeat * 1000,
      upper: 110_000 + repeat * 1000,
    });
    for (let repeat = 0; repeat < 5; repeat++) latest.lookupRange('f', rangeOf(repeat));
    let matches = 0;
    const [, rangeTotalMs] = await time(() => {
      for (let repeat = 0; repeat < rangeRepeats; repeat++) {
        matches += latest.lookupRange('f', rangeOf(repeat)).length;
      }
    });
    const rangeMs = rangeTotalMs / rangeRepeats;
    const [, duckRangeTotalMs] = await time(async () => {
      for (let repeat = 0; repeat < rangeRepeats; repeat++) {
        const { lower, upper } = rangeOf(repeat);
        await connection.runAndReadAll(`SELECT i FROM fact WHERE f BETWEEN ${lower} AND ${upper}`);
      }
    });
    const duckRangeMs = duckRangeTotalMs / rangeRepeats;
    line('range index build (Float)', `${rangeBuildMs.toFixed(1)} ms`);
    line(
      `range scan (~${Math.round(matches / rangeRepeats)} rows)`,
      `${rangeMs.toFixed(2)} ms`,
      `${duckRangeMs.toFixed(2)} ms`,
      duckRangeMs / rangeMs,
    );

    // ── begin on a large database ────────────────────────────────────────────────────────
    const [transaction, beginMs] = await time(() => database.begin());
    transaction.rollback();
    line('begin', `${(beginMs * 1000).toFixed(1)} µs`);

    // ── snapshot write and open, WAL replay, compaction ──────────────────────────────────
    const [snapshot] = await time(() => database.snapshot());
    line('snapshot write', `${snapshot!.elapsedMs.toFixed(1)} ms`, undefined);
    line('snapshot size', `${(snapshot!.snapshotBytes / 1e6).toFixed(1)} MB`);
    await database.close();
    const [reopened, openMs] = await time(() => store.open('bench'));
    line('open from snapshot (lazy columns)', `${openMs.toFixed(2)} ms`);
    const [, firstReadMs] = await time(() =>
      reopened
        .table('Fact')
        .column('f')
        .value(rows - 1),
    );
    line('first read of a column (load + verify)', `${firstReadMs.toFixed(1)} ms`);
    await reopened.close();

    const walDatabase = await store.create('replay', [department, fact]);
    await walDatabase.appendColumns('Dept', {
      name: Array.from({ length: DEPARTMENTS }, (_, index) => `d${index}`),
    });
    await appendInSlices(walDatabase, data);
    await walDatabase.deleteWhere('Fact', (rowId) => rowId % 10 === 0);
    await walDatabase.close();
    const walBytes = (await stat(join(directory, 'replay', 'wal.ndjson'))).size;
    const [replayed, replayMs] = await time(() => store.open('replay'));
    line('WAL replay', perSecond(rows, replayMs), undefined);
    line('WAL size', `${(walBytes / 1e6).toFixed(1)} MB`);
    // The scan again over a table with every tenth row deleted (the deleted-bitmap path),
    // checked against a row-at-a-time count.
    const withDeletes = replayed.table('Fact');
    let expectedActive = 0;
    for (let row = 0; row < rows; row++) {
      if (row % 10 !== 0 && data.f[row]! > threshold) expectedActive++;
    }
    if (scan(withDeletes) !== expectedActive) throw new Error('scan with deletes miscounts');
    const [, deletedScanMs] = await time(() => {
      for (let repeat = 0; repeat < repeats; repeat++) scan(withDeletes);
    });
    line('scan with numeric filter, 10% deleted', perSecond(rows * repeats, deletedScanMs));
    const compaction = await replayed.compact();
    line('compaction', `${compaction!.elapsedMs.toFixed(0)} ms`, undefined);
    await replayed.close();

    // ── durable single-row inserts with group commit ─────────────────────────────────────
    for (const writers of [1, 16, 128]) {
      const name = `commit${writers}`;
      const target: Database = await store.create(name, [department]);
      const durationMs = 1500;
      const started = performance.now();
      let committed = 0;
      const syncsBefore = target.walWriter!.syncCount;
      await Promise.all(
        Array.from({ length: writers }, async (_, writer) => {
          while (performance.now() - started < durationMs) {
            await target.insert('Dept', { name: `w${writer}` });
            committed++;
          }
        }),
      );
      const elapsed = performance.now() - started;
      const syncs = target.walWriter!.syncCount - syncsBefore;
      line(`durable 1-row inserts, ${writers} writers`, perSecond(committed, elapsed), undefined);
      line(`  commits per fsync, ${writers} writers`, (committed / syncs).toFixed(1));
      await target.close();
    }
  } finally {
    connection.closeSync();
    duck.closeSync();
    await store.close();
    await rm(directory, { recursive: true, force: true });
  }
}

await main();
