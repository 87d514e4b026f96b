/**
 * planner/ — one logical plan for SQL (and, next, CQL queries), an optimizer of named rules, a
 * batch executor over column vectors, EXPLAIN. Other folders import only from this file.
 *
 * Use: `await loadSqlParser()` once; `prepareSql(source, text)` → a prepared statement whose
 * `columns` and `parameterTypes` are known before execution; `executePrepared(prepared,
 * parameters)` → a `QueryResult`; `resultToJson` / `resultToText` / `resultToCsv` at the edge.
 * `source` is a `RelationSource`: `MemoryDatabase` of `MemoryTable`s here, or an adapter over
 * the store.
 */
export { PlanError, unsupported, type PlanErrorCode } from './errors.js';
export { loadSqlParser, parseSql, parseSqlStatement, sqlParserReady } from './sql/parse.js';
export {
  prepareSql,
  executePrepared,
  runSql,
  executeLogicalPlan,
  explainAnalyzed,
  EXPLAIN_COLUMNS,
  type PreparedStatement,
  type PrepareOptions,
  type ExecuteOptions,
} from './statement.js';
export {
  resultRows,
  resultToJson,
  resultToText,
  resultToCsv,
  cellText,
  type QueryResult,
  type ResultColumn,
  type ResultJson,
  type JsonCell,
} from './result.js';
export { MemoryTable, MemoryDatabase, type MemoryColumnSpec } from './data/memory-table.js';
export type {
  TableSource,
  RelationSource,
  ColumnInfo,
  ColumnRole,
  RowIds,
  RangeBound,
} from './data/source.js';
export type { Batch, Vector } from './data/vector.js';
export { explainLogical, describeNode, type LogicalPlan, type PlanColumn } from './logical/plan.js';
export { OPTIMIZER_RULES, optimize, type OptimizerOptions } from './optimizer/optimize.js';
export { sqlTypeName, postgresTypeOid, typeFromSqlName, typeFromPostgresOid } from './types.js';
export { parseText, valueToText } from './expr/cast.js';
export * from './functors/index.js';
export { StoreTableSource, StoreRelationSource } from './data/store-source.js';
export {
  planCompactQuery,
  runCompactQuery,
  type PlannedCompactQuery,
} from './cql/compact-query.js';
export {
  instanceDatabase,
  instanceTableDefinitions,
  schemaTableDefinitions,
  appendInstanceRows,
  loadInstanceIntoStore,
} from './instance-loader.js';
export { explainPhysical } from './exec/physical.js';
