/**
 * `catrust run FILE [--json]`: check a program, evaluate every named instance and print it —
 * as tables, or with `--json` as one object `{"<instance>": <run JSON>}` (docs/run-json.md).
 * Instances defined by Σ/Δ/Π or `eval` are evaluated by the functor layer when it is present;
 * otherwise the command says which instances it could not evaluate and exits 1.
 */
import {
  instanceToJson,
  type CheckedProgram,
  type RunJsonInstance,
  type RunJsonValue,
} from '../../catalog/index.js';
import { CatrustError } from '../../common/index.js';
import { toJson, writeOut } from '../io.js';
import { loadProgram } from '../program.js';

export function runRun(file: string, options: { json?: boolean }): void {
  const program = loadProgram(file);
  const results: Record<string, RunJsonInstance> = {};
  const missing: string[] = [];
  for (const [name, instance] of program.instances) {
    if (!instance.evaluated) {
      missing.push(`${name} (${instance.definition.kind})`);
      continue;
    }
    results[name] = instanceToJson(instance.rows());
  }
  if (options.json === true) {
    writeOut(toJson(results));
  } else {
    writeOut(renderText(program, results));
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
  results: Record<string, RunJsonInstance>,
): string {
  const out: string[] = [];
  for (const [name, tables] of Object.entries(results)) {
    const schema = program.instances.get(name)?.schema.name ?? '?';
    out.push(`instance ${name} : ${schema}`);
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
