/**
 * gateway/data/ — data administration: delete_where, anonymize, compliance_report, persist,
 * from_wal, from_bin, db_save. The command table (gateway/commands.ts) takes `DATA_COMMANDS`.
 */
export { DATA_COMMANDS } from './commands.js';
export { hashValue, maskValue, ANONYMIZE_STRATEGIES, type AnonymizeStrategy } from './anonymize.js';
export { PERSIST_FORMAT } from './database-copies.js';
