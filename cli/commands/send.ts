/**
 * `catrust send [--host H] [--port P] [--token T] [REQUEST …]`: a minimal NDJSON client. Each
 * argument (or, without arguments, each line of standard input) is one request; a request
 * written as a bare command name (`db_list`) is sent as `{"cmd":"db_list"}`; `--token` is added
 * to every request. Replies are printed one per line, in order; the exit status is 1 when a
 * reply is an error.
 */
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { CatrustError } from '../../common/index.js';

export interface SendOptions {
  readonly host: string;
  readonly port: string;
  readonly token?: string;
}

function request(text: string, token: string | undefined): string {
  const trimmed = text.trim();
  let value: unknown = /^[a-z_]+$/.test(trimmed) ? { cmd: trimmed } : undefined;
  if (value === undefined) {
    try {
      value = JSON.parse(trimmed);
    } catch {
      // Sent as written: the server answers E_PROTOCOL_JSON.
      return trimmed;
    }
  }
  if (token !== undefined && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    value = { ...value, token };
  }
  return JSON.stringify(value);
}

export async function runSend(requests: readonly string[], options: SendOptions): Promise<void> {
  const lines: string[] = [...requests];
  if (lines.length === 0) {
    for await (const line of createInterface({ input: process.stdin }))
      if (line.trim() !== '') lines.push(line);
  }
  const token = options.token ?? process.env['CATRUSTDB_TOKEN'];
  const body = lines.map((line) => `${request(line, token)}\n`).join('');
  await new Promise<void>((resolve, reject) => {
    const socket = connect(Number(options.port), options.host, () => socket.end(body));
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const reply = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        process.stdout.write(`${reply}\n`);
        if (reply.includes('"ok":false')) process.exitCode = 1;
        newline = buffered.indexOf('\n');
      }
    });
    socket.on('end', () => resolve());
    socket.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        new CatrustError(
          'E_IO',
          `cannot reach catrust at ${options.host}:${options.port}: ${error.code ?? error.message}`,
          {
            hint: 'is `catrust serve` running there?',
          },
        ),
      ),
    );
  });
}
