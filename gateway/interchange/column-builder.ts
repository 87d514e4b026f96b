/**
 * Staging for imports: values converted from a file are written into typed arrays, one builder
 * per column, and handed to the store as whole columns (`Transaction.appendColumns`) a batch
 * at a time. Staging holds typed arrays and one dictionary per string column and batch, never
 * row objects: a million-row import costs about the memory of its columns in the store.
 *
 * Representations follow store/vectors.ts: Int and Float as Float64Array (an Int batch that
 * meets a value past ±(2^53−1) switches to BigInt64Array), Date as Int32Array days, Bool as
 * Uint8Array 0/1, a foreign key as Uint32Array row ids, String/Uuid/Decimal as dictionary codes.
 * A validity bitmap (bit = 1: value present, LSB first) is attached only when a NULL was seen.
 */
import type { ScalarType } from '../../common/index.js';
import type { ColumnDefinition, ColumnInput } from '../../store/index.js';

/** What a builder holds: a scalar type, or a foreign key's row ids. */
export type BuilderType = ScalarType | 'RowId';

export function builderTypeOf(column: ColumnDefinition): BuilderType {
  return column.type.kind === 'foreignKey' ? 'RowId' : column.type.scalar;
}

type NumericValues = Float64Array | BigInt64Array | Int32Array | Uint8Array | Uint32Array;

function allocate(type: BuilderType, capacity: number): NumericValues | undefined {
  switch (type) {
    case 'Int':
    case 'Float':
      return new Float64Array(capacity);
    case 'Date':
      return new Int32Array(capacity);
    case 'Bool':
      return new Uint8Array(capacity);
    case 'RowId':
      return new Uint32Array(capacity);
    case 'String':
    case 'Uuid':
    case 'Decimal':
      return undefined;
  }
}

/** One column of one staged batch. `capacity` rows at most; `finish` hands them over. */
export class ColumnBuilder {
  #values: NumericValues | undefined;
  #codes: Uint32Array | undefined;
  #dictionary: string[] = [];
  #codeOf = new Map<string, number>();
  #validity: Uint8Array;
  #nulls = 0;
  #length = 0;

  constructor(
    readonly type: BuilderType,
    readonly capacity: number,
  ) {
    this.#values = allocate(type, capacity);
    this.#codes = this.#values === undefined ? new Uint32Array(capacity) : undefined;
    this.#validity = new Uint8Array(Math.ceil(capacity / 8)).fill(0xff);
  }

  get length(): number {
    return this.#length;
  }

  appendNull(): void {
    const index = this.#length++;
    this.#validity[index >>> 3]! &= ~(1 << (index & 7));
    this.#nulls++;
  }

  /** Int (safe), Float, Date days, Bool 0/1 or a row id. */
  appendNumber(value: number): void {
    const values = this.#values!;
    if (values instanceof BigInt64Array) values[this.#length++] = BigInt(value);
    else values[this.#length++] = value;
  }

  /** An Int outside ±(2^53−1): the batch's values switch to BigInt64Array. */
  appendBigInt(value: bigint): void {
    let values = this.#values!;
    if (!(values instanceof BigInt64Array)) {
      const wide = new BigInt64Array(this.capacity);
      for (let index = 0; index < this.#length; index++) wide[index] = BigInt(values[index]!);
      values = wide;
      this.#values = wide;
    }
    values[this.#length++] = value;
  }

  /** A String, or a Uuid / Decimal already in its canonical form. */
  appendString(value: string): void {
    let code = this.#codeOf.get(value);
    if (code === undefined) {
      code = this.#dictionary.length;
      this.#dictionary.push(value);
      this.#codeOf.set(value, code);
    }
    this.#codes![this.#length++] = code;
  }

  /** The staged column (its arrays are the caller's from now on); the builder starts empty. */
  finish(): ColumnInput {
    const length = this.#length;
    const validity = this.#nulls === 0 ? undefined : this.#validity.slice(0, Math.ceil(length / 8));
    let input: ColumnInput;
    if (this.#codes !== undefined) {
      input = { codes: this.#codes.slice(0, length), dictionary: this.#dictionary, validity };
      this.#codes = new Uint32Array(this.capacity);
      this.#dictionary = [];
      this.#codeOf = new Map();
    } else {
      const values = this.#values!;
      input = { values: values.slice(0, length), validity };
      this.#values = allocate(this.type, this.capacity);
    }
    this.#validity.fill(0xff);
    this.#nulls = 0;
    this.#length = 0;
    return input;
  }
}

/** Rows staged for one `appendColumns` call: column name → column input. */
export interface StagedBatch {
  readonly rowCount: number;
  readonly columns: Readonly<Record<string, ColumnInput>>;
}

/** Builders for a set of columns, cut into staged batches of `capacity` rows. */
export class BatchStager {
  readonly #builders: { readonly name: string; readonly builder: ColumnBuilder }[];
  readonly batches: StagedBatch[] = [];
  #rows = 0;
  #pending = 0;

  constructor(
    columns: readonly ColumnDefinition[],
    readonly capacity: number,
  ) {
    this.#builders = columns.map((column) => ({
      name: column.name,
      builder: new ColumnBuilder(builderTypeOf(column), capacity),
    }));
  }

  /** The builder of the column at `position` in the constructor's list. */
  builder(position: number): ColumnBuilder {
    return this.#builders[position]!.builder;
  }

  /** Rows staged so far, the pending batch included. */
  get rowCount(): number {
    return this.#rows;
  }

  /** Call after every builder got the row's value: cuts a batch when it is full. */
  endRow(): void {
    this.#rows++;
    this.#pending++;
    if (this.#pending === this.capacity) this.flush();
  }

  /** Cut the pending rows into a batch (called once more at the end). */
  flush(): void {
    if (this.#pending === 0) return;
    const columns: Record<string, ColumnInput> = {};
    for (const { name, builder } of this.#builders) columns[name] = builder.finish();
    this.batches.push({ rowCount: this.#pending, columns });
    this.#pending = 0;
  }
}
