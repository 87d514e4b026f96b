/**
 * Store columns → Arrow data, for `export_parquet`: one Arrow column per store column, built
 * from the store's batches (typed arrays, no row objects) at the active rows' offsets.
 *
 * | catrust        | Arrow               | note                                             |
 * |----------------|---------------------|--------------------------------------------------|
 * | `id` (row id)  | Int64, not null     | added first                                      |
 * | Int            | Int64               |                                                  |
 * | Float          | Float64             |                                                  |
 * | Bool           | Bool                |                                                  |
 * | Date           | Date32 (days)       |                                                  |
 * | String         | Utf8                |                                                  |
 * | Uuid           | Utf8                | lower-case 8-4-4-4-12                            |
 * | Decimal        | Utf8                | its exact canonical text (no precision imposed)  |
 * | foreign key    | Int64               | the target's row id                              |
 *
 * Each field carries `catrust.type` metadata (`Uuid`, `Decimal`, `fk:Department`, …) so that
 * `import_parquet` with `create` restores Uuid and Decimal columns; other readers ignore it.
 * NOT NULL columns are non-nullable fields. A labelled null is a NULL here.
 */
import {
  Bool,
  DateDay,
  Field,
  Float64,
  Int64,
  makeData,
  Schema,
  Struct,
  Utf8,
  type Data,
  type DataType,
} from 'apache-arrow';
import { bitmapGet as getBit } from '../../store/index.js';
import type { ColumnBatch, ColumnDefinition, ColumnVector } from '../../store/index.js';

/** Field metadata key naming the catrust type of an exported column. */
export const CATRUST_TYPE_KEY = 'catrust.type';

function arrowType(column: ColumnDefinition): DataType {
  if (column.type.kind === 'foreignKey') return new Int64();
  switch (column.type.scalar) {
    case 'Int':
      return new Int64();
    case 'Float':
      return new Float64();
    case 'Bool':
      return new Bool();
    case 'Date':
      return new DateDay();
    case 'String':
    case 'Uuid':
    case 'Decimal':
      return new Utf8();
  }
}

export function catrustTypeName(column: ColumnDefinition): string {
  return column.type.kind === 'foreignKey' ? `fk:${column.type.target}` : column.type.scalar;
}

export function exportSchema(columns: readonly ColumnDefinition[]): Schema {
  return new Schema([
    new Field('id', new Int64(), false),
    ...columns.map(
      (column) =>
        new Field(
          column.name,
          arrowType(column),
          !column.notNull,
          new Map([[CATRUST_TYPE_KEY, catrustTypeName(column)]]),
        ),
    ),
  ]);
}

/** The validity of `offsets` of a vector, or undefined when every one has a value. */
function gatherValidity(
  validity: Uint8Array | undefined,
  offsets: Uint32Array,
): { bitmap: Uint8Array | undefined; nullCount: number } {
  if (validity === undefined) return { bitmap: undefined, nullCount: 0 };
  const bitmap = new Uint8Array(Math.ceil(offsets.length / 8));
  let nullCount = 0;
  for (let index = 0; index < offsets.length; index++) {
    if (getBit(validity, offsets[index]!)) bitmap[index >>> 3]! |= 1 << (index & 7);
    else nullCount++;
  }
  return nullCount === 0 ? { bitmap: undefined, nullCount: 0 } : { bitmap, nullCount };
}

/** One store vector at the active offsets → Arrow data of the column's export type. */
export function vectorToArrow(
  vector: ColumnVector,
  offsets: Uint32Array,
  type: DataType,
): Data<DataType> {
  const length = offsets.length;
  const { bitmap, nullCount } = gatherValidity(vector.validity, offsets);
  const nulls = { length, nullCount, ...(bitmap === undefined ? {} : { nullBitmap: bitmap }) };
  switch (vector.kind) {
    case 'float64': {
      if (vector.type === 'Float') {
        const data = new Float64Array(length);
        for (let index = 0; index < length; index++) data[index] = vector.values[offsets[index]!]!;
        return makeData({ type: type as Float64, ...nulls, data });
      }
      const data = new BigInt64Array(length);
      for (let index = 0; index < length; index++) {
        // A NULL slot holds 0; a present Int is an exact integer.
        data[index] = BigInt(vector.values[offsets[index]!]!);
      }
      return makeData({ type: type as Int64, ...nulls, data });
    }
    case 'bigint64': {
      const data = new BigInt64Array(length);
      for (let index = 0; index < length; index++) data[index] = vector.values[offsets[index]!]!;
      return makeData({ type: type as Int64, ...nulls, data });
    }
    case 'rowId': {
      const data = new BigInt64Array(length);
      for (let index = 0; index < length; index++) {
        data[index] = BigInt(vector.values[offsets[index]!]!);
      }
      return makeData({ type: type as Int64, ...nulls, data });
    }
    case 'date': {
      const data = new Int32Array(length);
      for (let index = 0; index < length; index++) data[index] = vector.values[offsets[index]!]!;
      return makeData({ type: type as DateDay, ...nulls, data });
    }
    case 'bool': {
      const data = new Uint8Array(Math.ceil(length / 8));
      for (let index = 0; index < length; index++) {
        if (vector.values[offsets[index]!] === 1) data[index >>> 3]! |= 1 << (index & 7);
      }
      return makeData({ type: type as Bool, ...nulls, data });
    }
    case 'dictionary':
      return utf8Data(vector, offsets, type as Utf8, nulls);
  }
}

/**
 * Dictionary codes → Utf8: the byte length of each value first, then every value encoded in
 * place into one buffer (Buffer.write: no per-string allocation, which costs more than the
 * encoding itself when most values are distinct).
 */
function utf8Data(
  vector: Extract<ColumnVector, { kind: 'dictionary' }>,
  offsets: Uint32Array,
  type: Utf8,
  nulls: { length: number; nullCount: number; nullBitmap?: Uint8Array },
): Data<Utf8> {
  const length = offsets.length;
  const valueOffsets = new Int32Array(length + 1);
  const strings = vector.dictionary;
  const present = (index: number): boolean =>
    nulls.nullBitmap === undefined || getBit(nulls.nullBitmap, index);
  let bytes = 0;
  for (let index = 0; index < length; index++) {
    if (present(index)) {
      bytes += Buffer.byteLength(strings[vector.codes[offsets[index]!]!] ?? '', 'utf8');
    }
    valueOffsets[index + 1] = bytes;
  }
  const data = Buffer.allocUnsafe(bytes);
  for (let index = 0; index < length; index++) {
    if (!present(index)) continue;
    data.write(strings[vector.codes[offsets[index]!]!] ?? '', valueOffsets[index]!, 'utf8');
  }
  return makeData({ type, ...nulls, valueOffsets, data });
}

/** The `id` column of a batch: its active rows' ids. */
export function rowIdData(batch: ColumnBatch, offsets: Uint32Array): Data<Int64> {
  const data = new BigInt64Array(offsets.length);
  for (let index = 0; index < offsets.length; index++) {
    data[index] = BigInt(batch.startRow + offsets[index]!);
  }
  return makeData({ type: new Int64(), length: offsets.length, nullCount: 0, data });
}

/** The columns of one batch as the Struct data of a RecordBatch of `schema`. */
export function batchStruct(
  schema: Schema,
  children: Data<DataType>[],
  length: number,
): Data<Struct> {
  return makeData({ type: new Struct(schema.fields), length, nullCount: 0, children });
}
