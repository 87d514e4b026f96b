/**
 * The interchange commands of the NDJSON protocol: CSV and Parquet files of the data directory
 * in and out of entities. Imports write data (class `write`); the export reads (class `read`,
 * like export_csv). Paths resolve inside the data directory (E_PATH otherwise).
 */
import { stringArg, withDefault, booleanArg } from '../args.js';
import { command, NAME, type Command } from '../command.js';
import { importCsv } from './csv-import.js';
import { exportParquet } from './parquet-export.js';
import { importParquet } from './parquet-import.js';

const PATH = stringArg({ minLength: 1, maxLength: 4096 });

export const INTERCHANGE_COMMANDS: readonly Command[] = [
  command({
    name: 'import_csv',
    commandClass: 'write',
    summary:
      'a CSV file of the data directory into an entity (header, types, create), one transaction',
    args: {
      entity: stringArg(NAME),
      path: PATH,
      header: withDefault(booleanArg(), true),
      delimiter: withDefault(
        stringArg({
          minLength: 1,
          maxLength: 1,
          pattern: /^[^"\r\n]$/,
          patternName: 'one character (not a quote or a line break)',
        }),
        ',',
      ),
      create: withDefault(booleanArg(), false),
    },
    run: ({ engine, session, deadline, progress }, { entity, path, header, delimiter, create }) =>
      importCsv(engine, session, { entity, path, header, delimiter, create, deadline, progress }),
  }),
  command({
    name: 'import_parquet',
    commandClass: 'write',
    summary: 'a Parquet file of the data directory into an entity (create: from its schema)',
    args: { entity: stringArg(NAME), path: PATH, create: withDefault(booleanArg(), false) },
    run: ({ engine, session, deadline, progress }, { entity, path, create }) =>
      importParquet(engine, session, { entity, path, create, deadline, progress }),
  }),
  command({
    name: 'export_parquet',
    commandClass: 'read',
    summary: 'an entity’s rows (with their ids) to a Parquet file of the data directory',
    args: { entity: stringArg({ minLength: 1 }), path: PATH },
    run: ({ engine, session, deadline }, { entity, path }) =>
      exportParquet(engine, session, entity, path, deadline),
  }),
];
