/**
 * `export_parquet`: an entity's active rows to a Parquet file of the data directory, through
 * Arrow (apache-arrow builds the batches, parquet-wasm encodes them, Snappy-compressed),
 * written to a temporary file and renamed into place. Types: arrow-columns.ts. Labelled nulls
 * are written as NULL and counted in the reply (`labelled_nulls`).
 *
 * Streamed: one store batch of rows at a time becomes an Arrow record batch, handed to
 * parquet-wasm's stream writer, whose output is appended to the temporary file as it comes.
 * The writer buffers one row group (encoded, compressed) before it writes it out.
 */
import {
  RecordBatch,
  Table,
  tableToIPC,
  vectorFromArray,
  type Data,
  type DataType,
  type Schema,
} from 'apache-arrow';
import {
  Compression,
  Table as WasmTable,
  transformParquetStream,
  WriterPropertiesBuilder,
  type RecordBatch as WasmRecordBatch,
} from 'parquet-wasm';
import { checkDeadline } from '../../common/index.js';
import { activeOffsets, type TableView } from '../../store/index.js';
import type { Engine, Session } from '../engine.js';
import { batchStruct, exportSchema, rowIdData, vectorToArrow } from './arrow-columns.js';
import { replaceFileFrom } from '../files.js';

/** Store batch `batchIndex` (its active rows) as a record batch in WebAssembly memory. */
function wasmBatch(table: TableView, schema: Schema, batchIndex: number): WasmRecordBatch {
  const columns = table.definition.columns;
  const batch = table.batch(
    batchIndex,
    columns.map((_, index) => index),
  );
  const offsets = activeOffsets(batch);
  const children: Data<DataType>[] = [rowIdData(batch, offsets)];
  batch.columns.forEach((vector, columnIndex) => {
    children.push(vectorToArrow(vector, offsets, schema.fields[columnIndex + 1]!.type));
  });
  return toWasm(new RecordBatch(schema, batchStruct(schema, children, offsets.length)), schema);
}

function toWasm(batch: RecordBatch, schema: Schema): WasmRecordBatch {
  return WasmTable.fromIPCStream(tableToIPC(new Table(schema, [batch]), 'stream')).recordBatch(0)!;
}

/** A batch of no rows: the writer needs one to know the schema of an empty entity. */
function emptyBatch(schema: Schema): WasmRecordBatch {
  const children = schema.fields.map((field) => vectorFromArray([], field.type).data[0]!);
  return toWasm(new RecordBatch(schema, batchStruct(schema, children, 0)), schema);
}

export async function exportParquet(
  engine: Engine,
  session: Session,
  entity: string,
  path: string,
  deadline: number | undefined,
): Promise<Record<string, unknown>> {
  const started = performance.now();
  const view = await engine.view(session);
  const table = view.table(entity);
  const target = engine.files.resolve(path, 'path', 'write');
  const schema = exportSchema(table.definition.columns);
  const batchCount = table.batchCount;
  let next = 0;
  let rows = 0;
  let failure: unknown;
  const batches = new ReadableStream<WasmRecordBatch>({
    pull(controller): void {
      try {
        checkDeadline(deadline, 'export_parquet');
        while (next < batchCount && table.batch(next, []).activeRowCount === 0) next++;
        if (next >= batchCount) {
          if (rows === 0 && next === batchCount) controller.enqueue(emptyBatch(schema));
          next = batchCount + 1;
          controller.close();
          return;
        }
        const batch = wasmBatch(table, schema, next++);
        rows += batch.numRows;
        controller.enqueue(batch);
      } catch (error) {
        failure = error;
        controller.error(error);
      }
    },
  });
  const properties = new WriterPropertiesBuilder().setCompression(Compression.SNAPPY).build();
  let bytes: number;
  try {
    const encoded = await transformParquetStream(batches, properties);
    bytes = await replaceFileFrom(target, encoded as ReadableStream<Uint8Array>);
  } catch (error) {
    // Our own error (a deadline) comes back through the WebAssembly writer: rethrow it as it was.
    throw failure ?? error;
  }
  let labelledNulls = 0;
  for (const column of table.definition.columns) {
    for (const rowId of table.column(column.name).labels().keys()) {
      if (table.isActive(rowId)) labelledNulls++;
    }
  }
  return {
    entity,
    path,
    rows,
    labelled_nulls: labelledNulls,
    bytes,
    elapsed_ms: Math.round(performance.now() - started),
  };
}
