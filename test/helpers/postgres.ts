/**
 * A real, throw-away PostgreSQL server for tests: `initdb` into a temporary directory, `pg_ctl
 * start` on a free port with its socket in that directory, and `stop()` that shuts it down and
 * removes the directory. PostgreSQL refuses to run as root, so under root the server runs as
 * the `postgres` user (created by Debian's package) through `runuser`.
 *
 * The binaries come from Debian's `postgresql` package, which scripts/ensure-system-deps.sh
 * installs before the tests (npm `pretest`).
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface TemporaryPostgres {
  readonly port: number;
  readonly host: string;
  readonly user: string;
  /** A connection string for `pg` / psql. */
  readonly url: string;
  stop(): void;
}

export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((name) => existsSync(join(root, name, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return join(root, versions[0], 'bin');
  }
  throw new Error(
    'PostgreSQL server binaries not found under /usr/lib/postgresql; run scripts/ensure-system-deps.sh',
  );
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startTemporaryPostgres(): Promise<TemporaryPostgres> {
  const bin = postgresBinDir();
  const asRoot = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), 'catrust-pg-'));
  const dataDir = join(dir, 'data');
  const run = (program: string, args: string[]): void => {
    const command = asRoot ? 'runuser' : join(bin, program);
    const fullArgs = asRoot ? ['-u', 'postgres', '--', join(bin, program), ...args] : args;
    execFileSync(command, fullArgs, { stdio: 'pipe', timeout: 60_000 });
  };
  if (asRoot) {
    const postgresUid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const postgresGid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, postgresUid, postgresGid);
  }
  const user = asRoot ? 'postgres' : userInfo().username;
  run('initdb', ['-D', dataDir, '-U', user, '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  run('pg_ctl', [
    '-D',
    dataDir,
    '-w',
    '-l',
    join(dir, 'server.log'),
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    'start',
  ]);
  const host = '127.0.0.1';
  return {
    port,
    host,
    user,
    url: `postgresql://${user}@${host}:${port}/postgres`,
    stop(): void {
      try {
        run('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
