/**
 * The table of subcommands. Each entry declares its usage and options here, so that `--help`
 * works on every command without loading it, and imports its implementation on first use.
 * Keep one `register…` block per command, in the order they appear in `catrust --help`.
 */
import type { Command } from 'commander';

export function registerCommands(program: Command): void {
  program
    .command('init')
    .description('scaffold a project with a company.cql program')
    .argument('<dir>', 'the directory to create (or fill)')
    .option('--example', 'start from the bundled example (schema, sample rows and a query)')
    .action(async (dir: string, options: { example?: boolean }) => {
      const { runInit } = await import('./commands/init.js');
      runInit(dir, options);
    });

  program
    .command('parse')
    .description('print the abstract syntax tree of a CQL program as JSON')
    .argument('<file>', 'a .cql program')
    .action(async (file: string) => {
      const { runParse } = await import('./commands/parse.js');
      runParse(file);
    });
}
