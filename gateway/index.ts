/**
 * gateway/ — the Engine every front door shares (databases, sessions, the command table,
 * validation, authorization, read-only) and the NDJSON door over TCP. Other folders import
 * only from this file.
 */
export { Engine, Session, type EngineOptions } from './engine.js';
export { COMMANDS, type Command, type CommandContext } from './commands.js';
export { NdjsonServer, type NdjsonServerOptions } from './ndjson/server.js';
export { GatewayError, type GatewayErrorCode } from './errors.js';
export { TokenPolicy, type TokenConfig } from './security/tokens.js';
export type { Role, CommandClass } from './security/roles.js';
export { AuditLog, type AuditRecord, type AuditLogOptions } from './audit/audit-log.js';
