/**
 * The library's logger: library code never writes to the console directly (STYLE.md). Records go
 * to stderr as one line each; the level comes from CATRUST_LOG (error, warn, info, debug) and
 * defaults to warn so that tests and CLI output stay quiet.
 */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

const LEVEL_RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

function configuredLevel(): LogLevel {
  const level = process.env['CATRUST_LOG'];
  return level === 'error' || level === 'warn' || level === 'info' || level === 'debug'
    ? level
    : 'warn';
}

let threshold = LEVEL_RANK[configuredLevel()];

export function setLogLevel(level: LogLevel): void {
  threshold = LEVEL_RANK[level];
}

function write(level: LogLevel, scope: string, message: string, fields?: object): void {
  if (LEVEL_RANK[level] > threshold) return;
  const suffix = fields ? ` ${JSON.stringify(fields)}` : '';
  process.stderr.write(`${new Date().toISOString()} ${level} [${scope}] ${message}${suffix}\n`);
}

export interface Logger {
  error(message: string, fields?: object): void;
  warn(message: string, fields?: object): void;
  info(message: string, fields?: object): void;
  debug(message: string, fields?: object): void;
}

export function createLogger(scope: string): Logger {
  return {
    error: (message, fields) => write('error', scope, message, fields),
    warn: (message, fields) => write('warn', scope, message, fields),
    info: (message, fields) => write('info', scope, message, fields),
    debug: (message, fields) => write('debug', scope, message, fields),
  };
}
