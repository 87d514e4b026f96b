/**
 * One command of the NDJSON protocol (docs/protocol.md): its argument shape (checked by the
 * Engine for every door), its class for roles (read / write / admin) and its handler. The
 * command table (commands.ts) gathers the commands of every area.
 */
import type { ArgsOf, Shape } from './args.js';
import type { Engine, Session } from './engine.js';
import type { CommandClass, Role } from './security/roles.js';

export interface CommandContext {
  readonly engine: Engine;
  readonly session: Session;
  readonly role: Role;
  /**
   * `performance.now()` past which the request's long loops stop with E_TIMEOUT
   * (`--request-timeout-ms`); undefined: no limit.
   */
  readonly deadline: number | undefined;
  /**
   * Where a long command reports how far it got (rows so far, elapsed time), when the client
   * asked with `"progress": true`; undefined otherwise. Never blocks: a report the connection
   * cannot take at once is dropped.
   */
  readonly progress: ProgressSink | undefined;
}

/** Receives a long command's progress records (`{rows, elapsed_ms, …}`). */
export type ProgressSink = (fields: Record<string, unknown>) => void;

export interface Command<S extends Shape = Shape> {
  readonly name: string;
  readonly commandClass: CommandClass;
  readonly summary: string;
  readonly args: S;
  run(context: CommandContext, args: ArgsOf<S>): Promise<Record<string, unknown>>;
}

export const NAME = {
  minLength: 1,
  maxLength: 63,
  pattern: /^[A-Za-z_][A-Za-z0-9_]*$/,
  patternName: 'a name (letters, digits, _)',
};

export function command<S extends Shape>(definition: Command<S>): Command {
  return definition as unknown as Command;
}
