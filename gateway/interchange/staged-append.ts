/**
 * The write of an import: staged batches appended in ONE transaction — the session's open one,
 * or one of its own committed (durable) before the reply — with the table created first when
 * the import creates it. Everything was converted and checked while staging, outside the
 * writer lock, so the transaction only copies columns and holds the lock briefly.
 */
import { CatrustError, createLogger, type ErrorLocation } from '../../common/index.js';
import type { TableDefinition } from '../../store/index.js';
import type { Engine, Session } from '../engine.js';
import { GatewayError } from '../errors.js';
import type { StagedBatch } from './column-builder.js';
import type { ProgressSink } from '../command.js';

const log = createLogger('gateway.import');

/**
 * Report how far an import got: in the server log (`info`) and, when the client asked, on its
 * connection.
 */
export function reportProgress(
  command: 'import_csv' | 'import_parquet',
  request: {
    readonly entity: string;
    readonly path: string;
    readonly progress?: ProgressSink | undefined;
  },
  rows: number,
  started: number,
): void {
  const record = {
    entity: request.entity,
    path: request.path,
    rows,
    elapsed_ms: Math.round(performance.now() - started),
  };
  log.info(`${command} progress`, record);
  request.progress?.(record);
}

export interface AppendedRows {
  /** Row id of the first imported row; the rows have ids first .. first + count − 1. */
  readonly first: number;
  readonly count: number;
}

/** Where the staged row `index` (0-based) came from, for errors found by the store. */
export type RowLocator = (index: number) => { location: ErrorLocation; what: string };

export async function appendStaged(
  engine: Engine,
  session: Session,
  entity: string,
  batches: readonly StagedBatch[],
  create: TableDefinition | undefined,
  locate: RowLocator,
): Promise<AppendedRows> {
  const inOpenTransaction = session.transaction !== undefined;
  let first = 0;
  let appended = 0;
  try {
    return await engine.write(session, (transaction) => {
      if (create !== undefined && !transaction.view.hasTable(entity)) {
        transaction.createTables([create]);
      }
      first = transaction.view.table(entity).rowCount;
      for (const batch of batches) {
        transaction.appendColumns(entity, batch.columns, batch.rowCount);
        appended += batch.rowCount;
      }
      return { first, count: appended };
    });
  } catch (error) {
    let thrown = error;
    // The store names its own row ids: turn an imported row's id into its place in the file.
    if (error instanceof CatrustError && error.details?.['entity'] === entity) {
      const row = error.details['row'];
      if (typeof row === 'number' && row >= first && row < first + appended) {
        const place = locate(row - first);
        thrown = new GatewayError('E_IMPORT', `${place.what}: ${error.bareMessage}`, {
          location: place.location,
          hint: error.hint,
          details: { ...error.details, cause: error.code },
        });
      }
    }
    // Batches already appended to the session's transaction cannot be taken out one by one:
    // the whole transaction goes, so that "nothing of a failed import" stays true.
    if (inOpenTransaction && appended > 0 && session.transaction !== undefined) {
      engine.rollback(session);
      if (thrown instanceof CatrustError) {
        throw new CatrustError(thrown.code, thrown.bareMessage, {
          location: thrown.location,
          sqlstate: thrown.sqlstate,
          hint: 'the open transaction was rolled back: nothing of it is kept',
          details: thrown.details,
        });
      }
    }
    throw thrown;
  }
}

/**
 * The reply of an import: what went where, the new ids, the created columns (with `not_null`
 * when the file's schema can say so: Parquet), the time.
 */
export function importReply(
  request: { readonly entity: string; readonly path: string },
  ids: AppendedRows,
  create: TableDefinition | undefined,
  skipped: readonly string[],
  started: number,
  withNotNull: boolean,
): Record<string, unknown> {
  return {
    entity: request.entity,
    path: request.path,
    rows: ids.count,
    ids,
    created: create !== undefined,
    ...(create === undefined
      ? {}
      : {
          columns: create.columns.map((column) => ({
            name: column.name,
            type: column.type.kind === 'scalar' ? column.type.scalar : 'Int',
            ...(withNotNull ? { not_null: column.notNull } : {}),
          })),
        }),
    ...(skipped.length === 0 ? {} : { skipped }),
    elapsed_ms: Math.round(performance.now() - started),
  };
}
