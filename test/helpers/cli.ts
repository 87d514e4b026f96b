/** Run the real `catrust` command as a child process and capture its output and exit code. */
import { spawnSync } from 'node:child_process';
import { cliArgs, projectRoot } from './paths.js';

export interface CliResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(
  args: readonly string[],
  options: { cwd?: string; input?: string } = {},
): CliResult {
  const result = spawnSync(process.execPath, [...cliArgs(), ...args], {
    cwd: options.cwd ?? projectRoot,
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, CATRUST_LOG: 'error' },
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
