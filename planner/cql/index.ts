/**
 * The CQL front end of the planner: compact queries become the same logical plan as SQL
 * (through compact-sql.ts) and run over any relation source — the store's tables, or a
 * saturated instance's (instance-source.ts).
 */
export { compactQueryToSql } from './compact-sql.js';
export { instanceToRelations } from './instance-source.js';
export { prepareCompactQuery, runCompactQuery } from './run.js';
