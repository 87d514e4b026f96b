/**
 * `import_parquet`: a Parquet file of the data directory into an entity, in one transaction.
 * parquet-wasm decodes the file into Arrow record batches; columns map to the entity's
 * columns by name (column-mapping.ts: `id` skipped, unknown names E_ARG_UNKNOWN, NOT NULL
 * columns required) and convert by arrow-values.ts. With `create` and no such entity, the
 * table is created from the file's Arrow schema (no foreign keys).
 *
 * Memory: the file is opened as a file-backed Blob and decoded one row group at a time, so
 * neither the whole file nor all its decoded batches are held at once; rows are staged as typed
 * arrays (column-builder.ts) before the one short write transaction.
 */
import { openAsBlob } from 'node:fs';
import { tableFromIPC, type RecordBatch, type Schema, type Vector } from 'apache-arrow';
import { ParquetFile } from 'parquet-wasm';
import {
  CatrustError,
  checkDeadline,
  didYouMean,
  limits,
  type ErrorLocation,
} from '../../common/index.js';
import {
  scalarColumn,
  StoreError,
  tableDefinition,
  type ColumnDefinition,
  type TableDefinition,
} from '../../store/index.js';
import type { ProgressSink } from '../command.js';
import type { Engine, Session } from '../engine.js';
import { GatewayError } from '../errors.js';
import { accepts, arrowReader, inferScalar } from './arrow-values.js';
import { BatchStager, builderTypeOf } from './column-builder.js';
import { mapColumnsByName } from './column-mapping.js';
import { appendStaged, importReply, reportProgress } from './staged-append.js';

export interface ParquetImportRequest {
  readonly entity: string;
  readonly path: string;
  readonly create: boolean;
  /** `performance.now()` past which the import stops with E_TIMEOUT, before it writes. */
  readonly deadline: number | undefined;
  /** Where progress records go when the client asked for them (`"progress": true`). */
  readonly progress?: ProgressSink | undefined;
}

/** A Parquet file as parquet-wasm reads it: its Arrow schema and its row groups. */
interface ParquetSource {
  readonly schema: Schema;
  readonly rowGroupCount: number;
  /** The record batches of row group `index`, decoded on demand. */
  rowGroup(index: number): Promise<RecordBatch[]>;
}

function unreadable(path: string, error: unknown): GatewayError {
  const reason = error instanceof Error ? error.message : String(error);
  return new GatewayError('E_IMPORT', `the file is not a readable Parquet file: ${reason}`, {
    location: { kind: 'file', file: path },
  });
}

async function openParquet(file: string, path: string): Promise<ParquetSource> {
  let parquet: ParquetFile;
  let schema: Schema;
  let rowGroupCount: number;
  try {
    parquet = await ParquetFile.fromFile(await openAsBlob(file));
    schema = tableFromIPC(parquet.schema().intoIPCStream()).schema;
    rowGroupCount = parquet.metadata().numRowGroups();
  } catch (error) {
    throw unreadable(path, error);
  }
  return {
    schema,
    rowGroupCount,
    rowGroup: async (index) => {
      try {
        const decoded = await parquet.read({
          rowGroups: [index],
          batchSize: limits.importBatchRowsMax,
        });
        return tableFromIPC(decoded.intoIPCStream()).batches;
      } catch (error) {
        throw unreadable(path, error);
      }
    },
  };
}

function fileLocation(path: string): ErrorLocation {
  return { kind: 'file', file: path };
}

/** The table `create` makes from the file's schema. */
function definitionFromSchema(schema: Schema, request: ParquetImportRequest): TableDefinition {
  const columns: ColumnDefinition[] = [];
  for (const field of schema.fields) {
    if (field.name === 'id') continue;
    const scalar = inferScalar(field);
    if (scalar === undefined) {
      throw new GatewayError(
        'E_IMPORT',
        `column \`${field.name}\` has Arrow type ${String(field.type)}, which no catrust type takes`,
        {
          location: fileLocation(request.path),
          hint: 'catrust reads integers, floats, booleans, dates, strings, decimals and 16-byte UUIDs',
          details: { column: field.name },
        },
      );
    }
    columns.push(scalarColumn(field.name, scalar, { notNull: !field.nullable }));
  }
  if (columns.length === 0) {
    throw new GatewayError('E_IMPORT', 'the file has no column besides `id`', {
      location: { kind: 'file', file: request.path },
    });
  }
  return tableDefinition(request.entity, columns);
}

export async function importParquet(
  engine: Engine,
  session: Session,
  request: ParquetImportRequest,
): Promise<Record<string, unknown>> {
  const started = performance.now();
  const file = engine.files.resolve(request.path, 'path', 'read');
  const view = await engine.view(session);
  const exists = view.hasTable(request.entity);
  if (!exists && !request.create) {
    throw new StoreError('E_STORE_UNKNOWN_ENTITY', `no table for entity ${request.entity}`, {
      hint:
        didYouMean(request.entity, view.entities()) ??
        'send "create": true to create it with the column types of the file',
    });
  }
  const source = await openParquet(file, request.path);
  const create = exists ? undefined : definitionFromSchema(source.schema, request);
  const definition = create ?? view.table(request.entity).definition;
  const names = source.schema.fields.map((field) => field.name);
  const mapping = mapColumnsByName(names, definition, request.path, () =>
    fileLocation(request.path),
  );
  const types = definition.columns.map(builderTypeOf);
  source.schema.fields.forEach((field, position) => {
    const columnIndex = mapping[position]!;
    if (columnIndex < 0) return;
    const column = definition.columns[columnIndex]!;
    if (!accepts(types[columnIndex]!, field.type)) {
      const expected =
        column.type.kind === 'foreignKey' ? 'a row id (integer)' : types[columnIndex];
      throw new GatewayError(
        'E_IMPORT',
        `column \`${field.name}\` has Arrow type ${String(field.type)}; \`${definition.entity}.${column.name}\` takes ${expected}`,
        { location: fileLocation(request.path), details: { column: field.name } },
      );
    }
  });

  const stager = new BatchStager(definition.columns, limits.importBatchRowsMax);
  let nextProgress = limits.importProgressRowsEvery;
  for (let rowGroup = 0; rowGroup < source.rowGroupCount; rowGroup++) {
    checkDeadline(request.deadline, 'import_parquet');
    for (const batch of await source.rowGroup(rowGroup)) {
      stageBatch(batch, mapping, definition, stager, request);
    }
    if (stager.rowCount >= nextProgress) {
      nextProgress += limits.importProgressRowsEvery;
      reportProgress('import_parquet', request, stager.rowCount, started);
    }
  }
  stager.flush();
  checkDeadline(request.deadline, 'import_parquet');
  const ids = await appendStaged(
    engine,
    session,
    request.entity,
    stager.batches,
    create,
    (index) => ({
      location: { kind: 'file', file: request.path },
      what: `row ${index + 1} of the file`,
    }),
  );
  const skipped = names.filter((_, position) => mapping[position] === -1);
  return importReply(request, ids, create, skipped, started, true);
}

/** Convert one record batch into the stager (file columns by `mapping`, NULL where absent). */
function stageBatch(
  batch: RecordBatch,
  mapping: readonly number[],
  definition: TableDefinition,
  stager: BatchStager,
  request: ParquetImportRequest,
): void {
  const vectors: (Vector | undefined)[] = definition.columns.map(() => undefined);
  mapping.forEach((columnIndex, position) => {
    if (columnIndex >= 0) vectors[columnIndex] = batch.getChildAt(position) ?? undefined;
  });
  const readers = vectors.map((vector, columnIndex) => {
    const builder = stager.builder(columnIndex);
    return vector === undefined ? undefined : arrowReader(builder, builder.type, vector);
  });
  const firstRow = stager.rowCount;
  for (let index = 0; index < batch.numRows; index++) {
    definition.columns.forEach((column, columnIndex) => {
      const vector = vectors[columnIndex];
      if (vector === undefined || !vector.isValid(index)) {
        if (column.notNull) {
          throw rowError(request, firstRow + index, column.name, 'NULL in a NOT NULL column');
        }
        stager.builder(columnIndex).appendNull();
        return;
      }
      try {
        readers[columnIndex]!(index);
      } catch (error) {
        if (!(error instanceof CatrustError)) throw error;
        throw rowError(request, firstRow + index, column.name, error.bareMessage);
      }
    });
    stager.endRow();
  }
}

function rowError(
  request: ParquetImportRequest,
  fileRow: number,
  column: string,
  message: string,
): GatewayError {
  return new GatewayError('E_IMPORT', `row ${fileRow + 1}, column \`${column}\`: ${message}`, {
    location: { kind: 'file', file: request.path },
    details: { row: fileRow + 1, column },
  });
}
