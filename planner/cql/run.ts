/** Preparing and running a compact query; `await loadSqlParser()` first, as for SQL. */
import type { CompactQuery, SaturatedInstance } from '../../catalog/index.js';
import type { RelationSource } from '../data/source.js';
import type { QueryResult } from '../result.js';
import { executePrepared, prepareSql, type PreparedStatement } from '../statement.js';
import { compactQueryToSql } from './compact-sql.js';
import { instanceToRelations } from './instance-source.js';

export function prepareCompactQuery(
  source: RelationSource,
  query: CompactQuery,
): PreparedStatement {
  return prepareSql(source, compactQueryToSql(query), {
    ...(query.location?.kind === 'source' && query.location.file !== undefined
      ? { file: query.location.file }
      : {}),
  });
}

/** Run a compact query over an instance (its tables as `instanceToRelations` builds them). */
export function runCompactQuery(
  query: CompactQuery,
  instance: SaturatedInstance | RelationSource,
): QueryResult {
  const source =
    'kind' in instance && instance.kind === 'SaturatedInstance'
      ? instanceToRelations(instance)
      : (instance as RelationSource);
  return executePrepared(prepareCompactQuery(source, query));
}
