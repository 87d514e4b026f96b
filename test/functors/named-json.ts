/**
 * An instance as JSON that names every row, for expected files: per entity, its rows in row
 * order, each `{"@": name, <fk>: name of the target row, <attribute>: value | null |
 * {"null": label}}`. Finer than the run JSON (docs/run-json.md), which numbers rows: a test
 * compares row names, which rows the foreign keys reach and which cells share a labelled null.
 * `runProgram` checks a program of test/cql/programs/functors/ with the functor evaluator.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkProgramCollecting, type SaturatedInstance } from '../../catalog/index.js';
import { valueToJson } from '../../common/index.js';
import { parseProgram } from '../../cql/index.js';
import { functorEvaluator } from '../../planner/functors/index.js';
import { projectRoot } from '../helpers/paths.js';

export const programsDirectory = join(projectRoot, 'test', 'cql', 'programs', 'functors');

export type NamedCell = string | number | boolean | null | { readonly null: string };
export type NamedRow = Record<string, NamedCell>;
export type NamedInstance = Record<string, NamedRow[]>;

export function namedJson(instance: SaturatedInstance): NamedInstance {
  const result: NamedInstance = {};
  for (const table of instance.tables) {
    const rows: NamedRow[] = [];
    for (let row = 0; row < table.rowCount; row++) {
      const json: NamedRow = { '@': table.rowNames[row] as string };
      for (const fk of instance.schema.foreignKeysOf(table.entity)) {
        const target = table.foreignKeys.get(fk.name)?.[row] as number;
        json[fk.name] = instance.table(fk.target).rowNames[target] as string;
      }
      for (const [name, column] of table.attributes) {
        const label = column.labels[row];
        json[name] =
          label !== undefined
            ? { null: label }
            : valueToJson(column.attribute.storageType, column.values[row] ?? null);
      }
      rows.push(json);
    }
    result[table.entity] = rows;
  }
  return result;
}

/** Small row limits, so that the infinite Σ stops fast. */
export const PROGRAM_EVALUATOR_OPTIONS = { instanceRowsMax: 2000 } as const;

export function runProgram(file: string): ReturnType<typeof checkProgramCollecting> {
  const text = readFileSync(join(programsDirectory, file), 'utf8');
  return checkProgramCollecting(parseProgram(text, { file }), {
    evaluator: functorEvaluator(PROGRAM_EVALUATOR_OPTIONS),
  });
}
