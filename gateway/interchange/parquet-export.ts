/**
 * `export_parquet`: an entity's active rows to a Parquet file of the data directory, through
 * Arrow (apache-arrow builds the batches, parquet-wasm writes the file, Snappy-compressed),
 * written to a temporary file and renamed into place. Types: arrow-columns.ts. Labelled nulls
 * are written as NULL and counted in the reply (`labelled_nulls`).
 *
 * Memory: the Arrow batches and the Parquet bytes of the whole entity are held at once (one
 * store batch of rows per Arrow batch), about twice the entity's size in the store.
 */
import { RecordBatch, Table, tableToIPC, type Data, type DataType } from 'apache-arrow';
import {
  Compression,
  Table as WasmTable,
  writeParquet,
  WriterPropertiesBuilder,
} from 'parquet-wasm';
import { checkDeadline } from '../../common/index.js';
import { activeOffsets } from '../../store/index.js';
import type { Engine, Session } from '../engine.js';
import { batchStruct, exportSchema, rowIdData, vectorToArrow } from './arrow-columns.js';
import { replaceFileBytes } from './atomic-file.js';

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
  const columns = table.definition.columns;
  const schema = exportSchema(columns);
  const batches: RecordBatch[] = [];
  let rows = 0;
  for (const batch of table.scan(columns.map((_, index) => index))) {
    checkDeadline(deadline, 'export_parquet');
    const offsets = activeOffsets(batch);
    const children: Data<DataType>[] = [rowIdData(batch, offsets)];
    batch.columns.forEach((vector, columnIndex) => {
      children.push(vectorToArrow(vector, offsets, schema.fields[columnIndex + 1]!.type));
    });
    batches.push(new RecordBatch(schema, batchStruct(schema, children, offsets.length)));
    rows += offsets.length;
  }
  let labelledNulls = 0;
  for (const column of columns) {
    for (const rowId of table.column(column.name).labels().keys()) {
      if (table.isActive(rowId)) labelledNulls++;
    }
  }
  const ipc = tableToIPC(new Table(schema, batches), 'stream');
  const wasmTable = WasmTable.fromIPCStream(ipc);
  const properties = new WriterPropertiesBuilder().setCompression(Compression.SNAPPY).build();
  const bytes = writeParquet(wasmTable, properties);
  await replaceFileBytes(target, bytes);
  return {
    entity,
    path,
    rows,
    labelled_nulls: labelledNulls,
    bytes: bytes.length,
    elapsed_ms: Math.round(performance.now() - started),
  };
}
