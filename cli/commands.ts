/**
 * The table of subcommands. Each entry declares its usage and options here, so that `--help`
 * works on every command without loading it, and imports its implementation on first use.
 * Keep one `register…` block per command, in the order they appear in `catrust --help`.
 */
import type { Command } from 'commander';

export function registerCommands(program: Command): void {
  void program;
}
