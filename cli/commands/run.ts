/**
 * `catrust run FILE [--json]`: check a program, evaluate every named instance and every compact
 * query, and print them — as tables, or with `--json` as one object `{"<instance>": <run JSON>,
 * "<query>": {"count": N, "rows": [{"<column>": value, …}]}}` (docs/run-json.md). A compact
 * query runs on the last instance of its schema in the program (the planner executes it, the
 * same plan as SQL). Instances defined by Σ/Δ/Π or `eval` are evaluated by the functor layer.
 */
import {
  instanceToJson,
  type CheckedInstance,
  type CheckedProgram,
  type RunJsonInstance,
  type RunJsonRow,
  type RunJsonValue,
} from '../../catalog/index.js';
import { instanceDatabase, resultToJson, runCompactQuery } from '../../planner/index.js';
import { CatrustError } from '../../common/index.js';
import { toJson, writeOut } from '../io.js';
import { loadProgram } from '../program.js';

/** A query's result in the run JSON: rows as objects keyed by column name. */
export interface RunJsonQuery {
  readonly count: number;
  readonly rows: RunJsonRow[];
}

/** The last evaluated instance of each schema, by schema object. */
function lastInstances(program: CheckedProgram): Map<unknown, CheckedInstance> {
  const last = new Map<unknown, CheckedInstance>();
  for (const instance of program.instances.values()) {
    if (instance.evaluated) last.set(instance.schema, instance);
  }
  return last;
}

export async function runRun(file: string, options: { json?: boolean }): Promise<void> {
  const program = await loadProgram(file);
  const results: Record<string, RunJsonInstance | RunJsonQuery> = {};
  const missing: string[] = [];
  for (const [name, instance] of program.instances) {
    if (!instance.evaluated) {
      missing.push(`${name} (${instance.definition.kind})`);
      continue;
    }
    results[name] = instanceToJson(instance.rows());
  }
  const compact = [...program.queries.values()].filter((query) => query.kind === 'CompactQuery');
  const queryInputs = new Map<string, string>();
  const last = lastInstances(program);
  for (const query of compact) {
    const instance = last.get(query.schema);
    if (instance === undefined) {
      process.stderr.write(
        `note: query ${query.name} is not run: the program has no instance of schema ${query.schema.name}\n`,
      );
      continue;
    }
    const json = resultToJson(runCompactQuery(query, instanceDatabase(instance.rows())));
    const names = json.columns.map((column) => column.name);
    results[query.name] = {
      count: json.rows.length,
      rows: json.rows.map((row) =>
        Object.fromEntries(row.map((cell, i) => [names[i] ?? '', cell])),
      ),
    };
    queryInputs.set(query.name, instance.name);
  }
  if (options.json === true) {
    writeOut(toJson(results));
  } else {
    writeOut(renderText(program, results, queryInputs));
  }
  if (missing.length > 0) {
    throw new CatrustError(
      'E_INSTANCE_NOT_EVALUATED',
      `not evaluated: ${missing.join(', ')} — no evaluator for these migrations in this build`,
      { location: { kind: 'file', file } },
    );
  }
}

function cellText(value: RunJsonValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'object') return `?${value.null}`;
  return String(value);
}

/** Aligned text tables: one per entity, `#` the row's index (what foreign keys point to). */
export function renderText(
  program: CheckedProgram,
  results: Record<string, RunJsonInstance | RunJsonQuery>,
  queryInputs: ReadonlyMap<string, string>,
  /** Schemas of results that are not instances of the program (a migration's output). */
  schemaNames: ReadonlyMap<string, string> = new Map(),
): string {
  const out: string[] = [];
  for (const [name, result] of Object.entries(results)) {
    const input = queryInputs.get(name);
    let tables: Record<string, RunJsonQuery>;
    if (input !== undefined) {
      out.push(`query ${name} on instance ${input}`);
      tables = { result: result as RunJsonQuery };
    } else {
      const schema = schemaNames.get(name) ?? program.instances.get(name)?.schema.name ?? '?';
      out.push(`instance ${name} : ${schema}`);
      tables = result as RunJsonInstance;
    }
    for (const [entity, table] of Object.entries(tables)) {
      out.push('', `  ${entity} (${table.count} row${table.count === 1 ? '' : 's'})`);
      const first = table.rows[0];
      const columns = ['#', ...(first === undefined ? [] : Object.keys(first))];
      const body = table.rows.map((row, index) => [
        String(index),
        ...columns.slice(1).map((column) => cellText(row[column] ?? null)),
      ]);
      const widths = columns.map((column, c) =>
        Math.max(column.length, ...body.map((cells) => (cells[c] ?? '').length)),
      );
      const line = (cells: readonly string[]): string =>
        `  ${cells.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' | ')}`.trimEnd();
      if (table.count === 0) continue;
      out.push(line(columns), `  ${widths.map((w) => '-'.repeat(w)).join('-+-')}`);
      for (const cells of body) out.push(line(cells));
    }
    out.push('');
  }
  if (out.length === 0) out.push('(no instances)');
  return out.join('\n');
}
