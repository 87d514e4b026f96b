/**
 * `import_parquet`: a Parquet file of the data directory into an entity, in one transaction.
 * parquet-wasm decodes the file into Arrow record batches; columns map to the entity's
 * columns by name (column-mapping.ts: `id` skipped, unknown names E_ARG_UNKNOWN, NOT NULL
 * columns required) and convert by arrow-values.ts. With `create` and no such entity, the
 * table is created from the file's Arrow schema (no foreign keys).
 *
 * Memory: the file is read whole (at most `limits.parquetImportBytesMax`) and decoded at once;
 * rows are staged as typed arrays (column-builder.ts) before the one short write transaction.
 */
import { stat, readFile } from 'node:fs/promises';
import { tableFromIPC, type Table, type Vector } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import {
  CatrustError,
  checkDeadline,
  createLogger,
  didYouMean,
  limits,
  LimitError,
  type ErrorLocation,
} from '../../common/index.js';
import {
  scalarColumn,
  StoreError,
  tableDefinition,
  type ColumnDefinition,
  type TableDefinition,
} from '../../store/index.js';
import type { Engine, Session } from '../engine.js';
import { GatewayError } from '../errors.js';
import { accepts, appendArrowValue, inferScalar } from './arrow-values.js';
import { BatchStager, builderTypeOf } from './column-builder.js';
import { mapColumnsByName } from './column-mapping.js';
import { appendStaged } from './staged-append.js';

const log = createLogger('gateway.import');

export interface ParquetImportRequest {
  readonly entity: string;
  readonly path: string;
  readonly create: boolean;
  /** `performance.now()` past which the import stops with E_TIMEOUT, before it writes. */
  readonly deadline: number | undefined;
}

async function readArrow(file: string, path: string): Promise<Table> {
  const size = (await stat(file)).size;
  if (size > limits.parquetImportBytesMax) {
    throw new LimitError('parquetImportBytesMax', limits.parquetImportBytesMax, size, path);
  }
  const bytes = await readFile(file);
  try {
    const decoded = readParquet(bytes, { batchSize: limits.importBatchRowsMax });
    return tableFromIPC(decoded.intoIPCStream());
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new GatewayError('E_IMPORT', `the file is not a readable Parquet file: ${reason}`, {
      location: { kind: 'file', file: path },
    });
  }
}

function fileLocation(path: string): ErrorLocation {
  return { kind: 'file', file: path };
}

/** The table `create` makes from the file's schema. */
function definitionFromSchema(arrow: Table, request: ParquetImportRequest): TableDefinition {
  const columns: ColumnDefinition[] = [];
  for (const field of arrow.schema.fields) {
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
  const arrow = await readArrow(file, request.path);
  const create = exists ? undefined : definitionFromSchema(arrow, request);
  const definition = create ?? view.table(request.entity).definition;
  const names = arrow.schema.fields.map((field) => field.name);
  const mapping = mapColumnsByName(names, definition, request.path, () =>
    fileLocation(request.path),
  );
  const types = definition.columns.map(builderTypeOf);
  arrow.schema.fields.forEach((field, position) => {
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
  const unmapped = definition.columns.map((_, columnIndex) => !mapping.includes(columnIndex));
  let fileRow = 0;
  let nextProgress = limits.importProgressRowsEvery;
  for (const batch of arrow.batches) {
    checkDeadline(request.deadline, 'import_parquet');
    const vectors: (Vector | undefined)[] = definition.columns.map(() => undefined);
    mapping.forEach((columnIndex, position) => {
      if (columnIndex >= 0) vectors[columnIndex] = batch.getChildAt(position) ?? undefined;
    });
    for (let index = 0; index < batch.numRows; index++, fileRow++) {
      definition.columns.forEach((column, columnIndex) => {
        const builder = stager.builder(columnIndex);
        const vector = vectors[columnIndex];
        if (unmapped[columnIndex] === true || vector === undefined || !vector.isValid(index)) {
          if (column.notNull) {
            throw rowError(request, fileRow, column.name, 'NULL in a NOT NULL column');
          }
          builder.appendNull();
          return;
        }
        try {
          appendArrowValue(builder, types[columnIndex]!, vector, index);
        } catch (error) {
          if (!(error instanceof CatrustError)) throw error;
          throw rowError(request, fileRow, column.name, error.bareMessage);
        }
      });
      stager.endRow();
    }
    if (stager.rowCount >= nextProgress) {
      nextProgress += limits.importProgressRowsEvery;
      log.info('import_parquet progress', {
        entity: request.entity,
        path: request.path,
        rows: stager.rowCount,
        elapsed_ms: Math.round(performance.now() - started),
      });
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
            not_null: column.notNull,
          })),
        }),
    ...(skipped.length === 0 ? {} : { skipped }),
    elapsed_ms: Math.round(performance.now() - started),
  };
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
