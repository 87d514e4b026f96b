/**
 * gateway/interchange/ — CSV and Parquet files in and out of entities: `import_csv`,
 * `import_parquet`, `export_parquet`. The command table takes INTERCHANGE_COMMANDS; the
 * functions serve any door that wants the same capability.
 */
export { INTERCHANGE_COMMANDS } from './commands.js';
export { importCsv, type CsvImportRequest } from './csv-import.js';
export { importParquet, type ParquetImportRequest } from './parquet-import.js';
export { exportParquet } from './parquet-export.js';
