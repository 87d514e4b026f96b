/** A real `catrust serve` child process on a free port, for the gateway tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { cliArgs, projectRoot } from './paths.js';

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** Everything the server printed so far. */
  readonly output: () => string;
}

/** Start `catrust serve --port 0 …args` and wait for the line that names its port. */
export function startServe(args: readonly string[]): Promise<ServeProcess> {
  const child = spawn(process.execPath, [...cliArgs(), 'serve', '--port', '0', ...args], {
    cwd: projectRoot,
    env: { ...process.env, CATRUST_LOG: 'error' },
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
