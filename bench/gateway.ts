/**
 * The NDJSON door end to end: a `catrust serve` child process on the bundled example, clients
 * over real TCP sockets, each sending one request and waiting for its reply before the next
 * (closed loop). Requests/s and latency percentiles for a point query (SQL, indexed equality)
 * and a durable single-row insert (acknowledged after fsync, group commit), at 1, 16 and 128
 * clients.
 *
 *   npx tsc -p tsconfig.json --outDir .tmp/bench-dist --incremental false
 *   node .tmp/bench-dist/bench/gateway.js [--seconds 3]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1] ?? '3') || 3;
const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'main.js');

async function startServer(dataDir: string): Promise<{ port: number; stop: () => void }> {
  const child = spawn(
    process.execPath,
    [main, 'serve', '--port', '0', '--data-dir', dataDir, '--example'],
    {
      env: { ...process.env, CATRUST_LOG: 'error' },
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      output += text;
      const match = /NDJSON on [^ ]+:(\d+),/.exec(output);
      if (match !== null) resolve(Number(match[1]));
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
  });
  return { port, stop: () => child.kill('SIGTERM') };
}

/** One client: a connection and a request/reply loop until `deadline`; its latencies in ms. */
async function client(
  port: number,
  request: (n: number) => string,
  deadline: number,
): Promise<number[]> {
  const socket: Socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.setNoDelay(true);
  socket.setEncoding('utf8');
  const latencies: number[] = [];
  let buffered = '';
  let waiting: (() => void) | undefined;
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    if (buffered.includes('\n')) {
      if (!buffered.includes('"ok":true')) throw new Error(`error reply: ${buffered}`);
      buffered = buffered.slice(buffered.indexOf('\n') + 1);
      waiting?.();
    }
  });
  for (let n = 0; performance.now() < deadline; n++) {
    const started = performance.now();
    await new Promise<void>((resolve) => {
      waiting = resolve;
      socket.write(`${request(n)}\n`);
    });
    latencies.push(performance.now() - started);
  }
  socket.end();
  return latencies;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function run(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'catrust-bench-gw-'));
  const server = await startServer(dataDir);
  console.log(
    `catrust serve (NDJSON) on the example; closed-loop clients, ${seconds} s per row; node ${process.version}`,
  );
  const workloads: [string, (client: number) => (n: number) => string][] = [
    [
      'point query',
      () => (n) =>
        JSON.stringify({ cmd: 'sql', sql: `SELECT emp_name FROM Employee WHERE id = ${n % 7}` }),
    ],
    [
      'durable insert (1 row)',
      (c) => (n) =>
        JSON.stringify({
          cmd: 'insert',
          entity: 'Department',
          rows: [{ dept_name: `c${c}-${n}` }],
        }),
    ],
  ];
  try {
    for (const [name, makeRequest] of workloads) {
      for (const clients of [1, 16, 128]) {
        const deadline = performance.now() + seconds * 1000;
        const started = performance.now();
        const all = (
          await Promise.all(
            Array.from({ length: clients }, (_, c) =>
              client(server.port, makeRequest(c), deadline),
            ),
          )
        ).flat();
        const elapsed = (performance.now() - started) / 1000;
        all.sort((a, b) => a - b);
        console.log(
          `${name.padEnd(24)} ${String(clients).padStart(3)} clients  ${(all.length / elapsed).toFixed(0).padStart(7)} req/s  ` +
            `p50 ${percentile(all, 50).toFixed(2).padStart(7)} ms  p99 ${percentile(all, 99).toFixed(2).padStart(7)} ms`,
        );
      }
    }
  } finally {
    server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await run();
