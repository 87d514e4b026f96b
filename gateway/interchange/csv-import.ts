/**
 * `import_csv`: a CSV file of the data directory (RFC 4180 quoting, streamed through
 * csv-parse) into an entity, in one transaction.
 *
 * Columns map to the entity's columns by header name (or by position without a header); an
 * `id` column naming no attribute is skipped (it is the row id of an export, and the store
 * assigns new ones). Each field is converted by its column's type (text-values.ts) into
 * staging builders; a bad field stops the import with `E_IMPORT` located at file:line:column
 * (column = the field's position in the record, from 1) and naming the column. With `create`
 * and no such entity, a first pass infers the column types and the table is created in the
 * same transaction as the rows.
 *
 * Memory: the file is read as a stream; rows are staged as typed arrays (column-builder.ts),
 * about the size the rows will take in the store. Nothing is appended until the whole file
 * has been read and checked, so a bad last line leaves the database untouched and the writer
 * lock is held only for the final copy.
 */
import { createReadStream } from 'node:fs';
import { pipeline, Transform } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import {
  CatrustError,
  checkDeadline,
  createLogger,
  didYouMean,
  limits,
  sourceLocation,
  type ErrorLocation,
} from '../../common/index.js';
import {
  scalarColumn,
  StoreError,
  tableDefinition,
  type ColumnDefinition,
  type TableDefinition,
  type TableView,
} from '../../store/index.js';
import type { ProgressSink } from '../command.js';
import type { Engine, Session } from '../engine.js';
import { GatewayError } from '../errors.js';
import { BatchStager, builderTypeOf, type BuilderType } from './column-builder.js';
import { checkNotNullCovered, mapColumnsByName } from './column-mapping.js';
import { appendStaged, importReply, reportProgress } from './staged-append.js';
import { appendText, inferredScalar, widen, type InferredType } from './text-values.js';

const log = createLogger('gateway.import');

/** The request's deadline is checked every 1024 records. */
const DEADLINE_CHECK_MASK = 1023;

export interface CsvImportRequest {
  readonly entity: string;
  /** As the request gave it (replies and errors name it so). */
  readonly path: string;
  readonly header: boolean;
  readonly delimiter: string;
  readonly create: boolean;
  /** `performance.now()` past which the import stops with E_TIMEOUT, before it writes. */
  readonly deadline: number | undefined;
  /** Where progress records go when the client asked for them (`"progress": true`). */
  readonly progress?: ProgressSink | undefined;
}

/** One record of the file: its fields and the line it starts on (from 1). */
interface CsvRecord {
  readonly fields: readonly string[];
  readonly line: number;
}

/**
 * Passes the file's bytes through unchanged, refusing any that are not UTF-8 (a byte sequence
 * csv-parse would otherwise turn into U+FFFD silently): E_IMPORT naming the byte range.
 */
function utf8Checked(path: string): Transform {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let offset = 0;
  const invalid = (end: number): GatewayError =>
    new GatewayError('E_IMPORT', `the file is not valid UTF-8 (in bytes ${offset}–${end})`, {
      location: { kind: 'file', file: path, offset },
      hint: 'convert the file to UTF-8 first (e.g. iconv -f latin1 -t utf-8)',
    });
  return new Transform({
    transform(chunk: Buffer, _encoding, done): void {
      try {
        decoder.decode(chunk, { stream: true });
      } catch {
        done(invalid(offset + chunk.length));
        return;
      }
      offset += chunk.length;
      done(null, chunk);
    },
    flush(done): void {
      try {
        decoder.decode();
      } catch {
        done(invalid(offset));
        return;
      }
      done();
    },
  });
}

/** Line breaks inside the fields of a record (quoted fields may hold them). */
function lineBreaks(fields: readonly string[]): number {
  let breaks = 0;
  for (const field of fields) {
    for (let at = field.indexOf('\n'); at >= 0; at = field.indexOf('\n', at + 1)) breaks++;
  }
  return breaks;
}

/**
 * The records of a CSV file, with their starting lines; a malformed file is E_IMPORT. Lines are
 * counted here rather than by csv-parse's `info` (which builds an object per record and costs a
 * third of the parse): a record takes one line plus the line breaks inside its quoted fields.
 * Blank lines are skipped; every other record must have as many fields as the first.
 */
async function* csvRecords(
  file: string,
  path: string,
  delimiter: string,
): AsyncGenerator<CsvRecord> {
  const parser = parse({
    delimiter,
    bom: true,
    relax_column_count: true,
    max_record_size: limits.csvRecordBytesMax,
  });
  // pipeline, not pipe: a read error or bad UTF-8 destroys the parser with it, so the loop
  // below throws it instead of waiting forever. Its callback has nothing left to do.
  pipeline(createReadStream(file), utf8Checked(path), parser, () => undefined);
  let line = 1;
  let width: number | undefined;
  try {
    for await (const fields of parser as AsyncIterable<string[]>) {
      const start = line;
      line += 1 + lineBreaks(fields);
      if (fields.length === 1 && fields[0] === '') continue;
      width ??= fields.length;
      if (fields.length !== width) {
        throw new GatewayError(
          'E_IMPORT',
          `the record has ${fields.length} fields, and the first record ${width}`,
          {
            location: { kind: 'file', file: path, line: start },
            hint: 'quote fields that hold the delimiter, a quote or a line break (RFC 4180)',
            details: { line: start, fields: fields.length, expected: width },
          },
        );
      }
      yield { fields, line: start };
    }
  } catch (error) {
    if (error instanceof CatrustError) throw error;
    const csvError = error as Partial<CsvError> & { lines?: number; message?: string };
    const at = typeof csvError.lines === 'number' ? csvError.lines : undefined;
    throw new GatewayError('E_IMPORT', `the file is not valid CSV: ${csvError.message ?? error}`, {
      location:
        at === undefined ? { kind: 'file', file: path } : { kind: 'file', file: path, line: at },
      hint: 'RFC 4180: fields separated by the delimiter, quoted with " when they hold it, a quote or a line break',
      details: { reason: csvError.code ?? 'CSV' },
    });
  } finally {
    parser.destroy();
  }
}

/** The line a field of a multi-line record is on: its record's line plus the breaks before it. */
function fieldLine(record: CsvRecord, position: number): number {
  let line = record.line;
  for (let index = 0; index < position; index++) {
    const field = record.fields[index]!;
    for (let at = field.indexOf('\n'); at >= 0; at = field.indexOf('\n', at + 1)) line++;
  }
  return line;
}

function fieldError(
  path: string,
  record: CsvRecord,
  position: number,
  column: string,
  message: string,
  details: Record<string, unknown> = {},
): GatewayError {
  const line = fieldLine(record, position);
  return new GatewayError('E_IMPORT', `column \`${column}\`: ${message}`, {
    location: sourceLocation(path, line, position + 1),
    details: { line, column: position + 1, field: column, ...details },
  });
}

/** Names of the file's columns: the header record, or column1 … columnN without one. */
function columnNames(first: CsvRecord, header: boolean, path: string): string[] {
  if (!header) return first.fields.map((_, index) => `column${index + 1}`);
  const seen = new Map<string, number>();
  first.fields.forEach((name, index) => {
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      throw new GatewayError('E_IMPORT', `the header names column \`${name}\` twice`, {
        location: sourceLocation(path, first.line, index + 1),
        details: { column: name, positions: [earlier + 1, index + 1] },
      });
    }
    seen.set(name, index);
  });
  return [...first.fields];
}

/** First pass of `create`: the file's columns and their inferred types → a table definition. */
async function inferDefinition(file: string, request: CsvImportRequest): Promise<TableDefinition> {
  let names: string[] | undefined;
  let types: InferredType[] = [];
  let records = 0;
  for await (const record of csvRecords(file, request.path, request.delimiter)) {
    if (names === undefined) {
      names = columnNames(record, request.header, request.path);
      types = names.map(() => 'Empty');
      if (request.header) continue;
    }
    const fields = record.fields;
    for (let position = 0; position < fields.length; position++) {
      const field = fields[position]!;
      if (field !== '') types[position] = widen(types[position]!, field);
    }
    if ((++records & DEADLINE_CHECK_MASK) === 0) checkDeadline(request.deadline, 'import_csv');
  }
  if (names === undefined) {
    throw new GatewayError('E_IMPORT', 'the file is empty: nothing to infer the columns from', {
      location: { kind: 'file', file: request.path },
    });
  }
  const columns: ColumnDefinition[] = [];
  names.forEach((name, position) => {
    if (name === 'id') return;
    if (name.trim() === '') {
      throw new GatewayError('E_IMPORT', `header column ${position + 1} has no name`, {
        location: sourceLocation(request.path, 1, position + 1),
      });
    }
    columns.push(scalarColumn(name, inferredScalar(types[position]!)));
  });
  if (columns.length === 0) {
    throw new GatewayError('E_IMPORT', 'the file has no column besides `id`', {
      location: { kind: 'file', file: request.path },
    });
  }
  return tableDefinition(request.entity, columns);
}

/** Where each file column goes: by header name, or in order without a header. */
function mapColumns(
  names: readonly string[],
  definition: TableDefinition,
  request: CsvImportRequest,
): number[] {
  if (request.header) {
    return mapColumnsByName(names, definition, request.path, (position) =>
      sourceLocation(request.path, 1, position + 1),
    );
  }
  const known = definition.columns.map((column) => column.name);
  if (names.length > known.length) {
    throw new GatewayError(
      'E_IMPORT',
      `the file has ${names.length} columns and \`${definition.entity}\` only ${known.length}`,
      {
        location: { kind: 'file', file: request.path, line: 1 },
        hint: `without a header, fields map to ${known.map((n) => `\`${n}\``).join(', ')} in order`,
      },
    );
  }
  const mapping = names.map((_, position) => position);
  checkNotNullCovered(mapping, definition, request.path);
  return mapping;
}

/** Row ids of foreign keys to another, existing table are checked while staging. */
function foreignKeyTargets(
  definition: TableDefinition,
  view: { hasTable(entity: string): boolean; table(entity: string): TableView },
): (TableView | undefined)[] {
  return definition.columns.map((column) =>
    column.type.kind === 'foreignKey' &&
    column.type.target !== definition.entity &&
    view.hasTable(column.type.target)
      ? view.table(column.type.target)
      : undefined,
  );
}

/** How the records of the file become rows: fixed once the first record is read. */
interface StagingPlan {
  readonly definition: TableDefinition;
  /** Per file column: the index of its table column, or −1 when skipped. */
  readonly mapping: readonly number[];
  /** Table columns no file column fills: NULL in every row. */
  readonly unmapped: readonly number[];
  readonly types: readonly BuilderType[];
  /** Per table column: the target table of a foreign key checked while staging. */
  readonly targets: readonly (TableView | undefined)[];
  readonly path: string;
}

/** The file's rows, staged: batches for `appendColumns` and each row's line for errors. */
interface StagedFile {
  readonly stager: BatchStager;
  /** The line each staged row starts on, by row (4 bytes a row). */
  readonly lines: Uint32Array;
  readonly skipped: string[];
}

async function stageFile(
  file: string,
  request: CsvImportRequest,
  definition: TableDefinition,
  targets: readonly (TableView | undefined)[],
  started: number,
): Promise<StagedFile> {
  let plan: StagingPlan | undefined;
  let skipped: string[] = [];
  const stager = new BatchStager(definition.columns, limits.importBatchRowsMax);
  let lines = new Uint32Array(1024);
  let nextProgress = limits.importProgressRowsEvery;
  for await (const record of csvRecords(file, request.path, request.delimiter)) {
    if (plan === undefined) {
      const names = columnNames(record, request.header, request.path);
      const mapping = mapColumns(names, definition, request);
      skipped = names.filter((_, position) => mapping[position] === -1);
      plan = {
        definition,
        mapping,
        unmapped: definition.columns.flatMap((_, index) =>
          mapping.includes(index) ? [] : [index],
        ),
        types: definition.columns.map(builderTypeOf),
        targets,
        path: request.path,
      };
      if (request.header) continue;
    }
    if (stager.rowCount === lines.length) {
      const grown = new Uint32Array(lines.length * 2);
      grown.set(lines);
      lines = grown;
    }
    lines[stager.rowCount] = record.line;
    stageRecord(record, plan, stager);
    if ((stager.rowCount & DEADLINE_CHECK_MASK) === 0) {
      checkDeadline(request.deadline, 'import_csv');
    }
    if (stager.rowCount === nextProgress) {
      nextProgress += limits.importProgressRowsEvery;
      reportProgress('import_csv', request, stager.rowCount, started);
    }
  }
  if (plan === undefined && request.header) {
    throw new GatewayError('E_IMPORT', 'the file is empty: it has no header row', {
      location: { kind: 'file', file: request.path },
      hint: 'send "header": false for a file without one',
    });
  }
  stager.flush();
  return { stager, lines, skipped };
}

export async function importCsv(
  engine: Engine,
  session: Session,
  request: CsvImportRequest,
): Promise<Record<string, unknown>> {
  const started = performance.now();
  const file = engine.files.resolve(request.path, 'path', 'read');
  const view = await engine.view(session);
  let create: TableDefinition | undefined;
  if (!view.hasTable(request.entity)) {
    if (!request.create) {
      throw new StoreError('E_STORE_UNKNOWN_ENTITY', `no table for entity ${request.entity}`, {
        hint:
          didYouMean(request.entity, view.entities()) ??
          'send "create": true to create it with the column types inferred from the file',
      });
    }
    create = await inferDefinition(file, request);
  }
  const definition = create ?? view.table(request.entity).definition;
  const staged = await stageFile(
    file,
    request,
    definition,
    foreignKeyTargets(definition, view),
    started,
  );
  checkDeadline(request.deadline, 'import_csv');
  const lines = staged.lines;
  const ids = await appendStaged(
    engine,
    session,
    request.entity,
    staged.stager.batches,
    create,
    (index): { location: ErrorLocation; what: string } => ({
      location: { kind: 'file', file: request.path, line: lines[index]! },
      what: `line ${lines[index]!}`,
    }),
  );
  const reply = importReply(request, ids, create, staged.skipped, started, false);
  log.info('import_csv done', {
    entity: request.entity,
    rows: ids.count,
    elapsed_ms: reply['elapsed_ms'],
  });
  return reply;
}

/** Convert one record's fields into the stager; NULL for table columns the file lacks. */
function stageRecord(record: CsvRecord, plan: StagingPlan, stager: BatchStager): void {
  const fields = record.fields;
  const columns = plan.definition.columns;
  for (let position = 0; position < fields.length; position++) {
    const columnIndex = plan.mapping[position]!;
    if (columnIndex < 0) continue;
    const column = columns[columnIndex]!;
    const builder = stager.builder(columnIndex);
    const field = fields[position]!;
    if (field === '') {
      if (column.notNull) {
        throw fieldError(
          plan.path,
          record,
          position,
          column.name,
          `the field is empty (NULL), and the column is NOT NULL in \`${plan.definition.entity}\``,
        );
      }
      builder.appendNull();
      continue;
    }
    try {
      appendText(builder, plan.types[columnIndex]!, field);
    } catch (error) {
      if (!(error instanceof CatrustError)) throw error;
      throw fieldError(plan.path, record, position, column.name, error.bareMessage, {
        value: field.length > 200 ? `${field.slice(0, 200)}…` : field,
      });
    }
    const target = plan.targets[columnIndex];
    if (target !== undefined && column.type.kind === 'foreignKey') {
      const rowId = Number(field.trim());
      if (!target.isActive(rowId)) {
        throw fieldError(
          plan.path,
          record,
          position,
          column.name,
          `no active ${column.type.target} row ${rowId}`,
        );
      }
    }
  }
  // NOT NULL columns were required of the file before: these take NULL.
  for (const columnIndex of plan.unmapped) stager.builder(columnIndex).appendNull();
  stager.endRow();
}
