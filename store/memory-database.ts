/** A database without files: for tests, scratch results (Σ, Δ, Π outputs) and benchmarks. */
import { Database } from './database.js';
import type { TableDefinition } from './schema.js';
import { DatabaseVersion } from './table-state.js';

/**
 * A new, empty in-memory database (commits are immediate and nothing survives the process).
 * Tables can be created with `createTables` or passed here (created synchronously).
 */
export function createMemoryDatabase(
  name = 'memory',
  tables: readonly TableDefinition[] = [],
): Database {
  const database = new Database(name, new DatabaseVersion(0, new Map()));
  // Replaying a create op publishes synchronously (and checks the definitions like a commit).
  if (tables.length > 0) database.replay([{ op: 'create', tables }], 1);
  return database;
}
