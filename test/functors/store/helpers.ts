/**
 * Shared pieces of the stored-functor tests: random migration programs checked into their
 * schemas, mappings and instances; a store database loaded with an instance; attempts that
 * return an error's code instead of throwing.
 */
import assert from 'node:assert/strict';
import {
  checkProgramCollecting,
  type CheckedProgram,
  type Mapping,
  type SaturatedInstance,
  type Schema,
} from '../../../catalog/index.js';
import { CatrustError } from '../../../common/index.js';
import { parseProgram } from '../../../cql/index.js';
import { functorEvaluator } from '../../../planner/functors/index.js';
import { loadInstanceIntoStore, readStoredInstance } from '../../../planner/index.js';
import { createMemoryDatabase, type Database, type Transaction } from '../../../store/index.js';
import { randomMigration } from '../random-migration.js';

export function randomProgram(seed: number, pathEquations: boolean): CheckedProgram {
  const { text } = randomMigration(seed, { pathEquations });
  return checkProgramCollecting(parseProgram(text), { evaluator: functorEvaluator() }).program;
}

export function instanceOf(program: CheckedProgram, name: string): SaturatedInstance {
  const instance = program.instances.get(name);
  assert.ok(instance !== undefined, `no instance ${name}`);
  return instance.rows();
}

export function mappingOf(program: CheckedProgram, name: string): Mapping {
  const mapping = program.mappings.get(name);
  assert.ok(mapping !== undefined, `no mapping ${name}`);
  return mapping;
}

export function schemaOf(program: CheckedProgram, name: string): Schema {
  const schema = program.schemas.get(name);
  assert.ok(schema !== undefined, `no schema ${name}`);
  return schema;
}

/** The result, or the code of the CatrustError thrown. */
export function attempt<T>(run: () => T): T | string {
  try {
    return run();
  } catch (error) {
    if (error instanceof CatrustError) return error.code;
    throw error;
  }
}

/** A memory database holding the instances' rows. */
export async function databaseWith(...instances: SaturatedInstance[]): Promise<Database> {
  const database = createMemoryDatabase();
  for (const instance of instances) await loadInstanceIntoStore(database, instance);
  return database;
}

/** Run `migrate` in one transaction: commit its result, or roll back and return the error code. */
export async function inTransaction<T>(
  database: Database,
  migrate: (transaction: Transaction) => T,
): Promise<T | string> {
  const transaction = await database.begin();
  let result: T | string;
  try {
    result = migrate(transaction);
  } catch (error) {
    transaction.rollback();
    if (error instanceof CatrustError) return error.code;
    throw error;
  }
  await transaction.commit();
  return result;
}

export function stored(database: Database, schema: Schema): SaturatedInstance {
  return readStoredInstance(database.view(), schema).instance;
}
