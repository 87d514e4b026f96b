/** A real `catrust serve` child process on a free port, for the gateway tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { cliArgs, projectRoot } from './paths.js';

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** Everything the server printed so far. */
  readonly output: () => string;
}

/**
 * Start `catrust serve --port 0 …args` and wait for the line that names its port. The server
 * logs at `error` level unless `log` says otherwise (a test reading progress records: `info`).
 */
export function startServe(
  args: readonly string[],
  options: { readonly log?: 'error' | 'warn' | 'info' | 'debug' } = {},
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [...cliArgs(), 'serve', '--port', '0', ...args], {
    cwd: projectRoot,
    env: { ...process.env, CATRUST_LOG: options.log ?? 'error' },
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${output}`)), 30_000);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => (output += text));
    child.stdout.on('data', (text: string) => {
      output += text;
      const match = /NDJSON(?: over TLS)? on [^ ]+:(\d+),/.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]), output: () => output });
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
  });
}

/** Stop it with `signal` (SIGTERM: graceful); its exit code. */
export function stopServe(
  server: ServeProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) {
      resolve(server.child.exitCode);
      return;
    }
    server.child.removeAllListeners('exit');
    server.child.once('exit', (code) => resolve(code));
    server.child.kill(signal);
  });
}

/** A parsed reply line of the NDJSON protocol. */
export type Reply = Record<string, unknown> & {
  ok: boolean;
  id?: unknown;
  error?: { code: string; message: string };
};

/**
 * Send raw lines on one connection; the replies, parsed, in order — once `expected` replies
 * came, or when the server closed the connection.
 */
export function exchange(
  port: number,
  lines: readonly string[],
  expected = lines.length,
): Promise<Reply[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(lines.map((l) => `${l}\n`).join('')),
    );
    let buffered = '';
    const replies: Reply[] = [];
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        replies.push(JSON.parse(buffered.slice(0, newline)) as Reply);
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
      }
      if (replies.length >= expected) {
        socket.end();
        resolve(replies);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(replies));
  });
}
