#!/usr/bin/env node
/**
 * The `catrust` command. Each subcommand is declared here (name, arguments, options, help) and
 * implemented in its own module under cli/commands/, imported only when the subcommand runs:
 * `catrust --help` must start in well under 150 ms, so nothing heavy (the SQL parser's
 * WebAssembly, Graphviz, DuckDB) loads before it is needed.
 *
 * Exit codes: 0 success, 1 user error (a CatrustError: bad input, failed check), 2 internal error.
 */
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands.js';
import { reportAndExit } from './report.js';

const program = new Command();
program
  .name('catrust')
  .description('A categorical database: CQL schemas, Σ/Δ/Π migrations, SQL and CQL queries.')
  .version(process.env['npm_package_version'] ?? '0.1.0', '-V, --version')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version end here with exit code 0; usage errors with 1.
    process.exitCode = error.exitCode === 0 ? 0 : 1;
  } else {
    reportAndExit(error);
  }
}
