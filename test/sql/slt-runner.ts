/**
 * A sqllogictest-style runner for catrust's planner. Records are separated by blank lines:
 *
 *     load Employee(name String, salary Int, works_in -> Department)
 *     Al	100	0              (tab-separated rows; NULL is NULL, the empty string is (empty))
 *
 *     statement ok | statement error [E_CODE]
 *     <sql>
 *
 *     query <types> [rowsort]
 *     <sql>
 *     ----
 *     <expected rows, values separated by a tab or a space>
 *
 * catrust has no CREATE TABLE or INSERT in SQL (data comes from CQL instances and the store),
 * so `load` declares a table of the in-memory database and its rows. Rows are compared after
 * turning tabs into spaces and trimming the end, so EXPLAIN's indentation is compared exactly.
 */
import { readFileSync } from 'node:fs';
import { isScalarType, type ScalarType, type Value } from '../../common/index.js';
import {
  MemoryDatabase,
  MemoryTable,
  parseText,
  PlanError,
  resultRows,
  runSql,
  valueToText,
  type MemoryColumnSpec,
} from '../../planner/index.js';

export interface SltFailure {
  readonly line: number;
  readonly sql: string;
  readonly message: string;
}

interface Block {
  readonly line: number;
  readonly lines: string[];
}

function blocks(text: string): Block[] {
  const result: Block[] = [];
  let current: Block | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || (current === undefined && line.startsWith('#'))) {
      if (line.trim() === '' && current !== undefined) {
        result.push(current);
        current = undefined;
      }
      return;
    }
    if (current === undefined) current = { line: index + 1, lines: [] };
    current.lines.push(line);
  });
  if (current !== undefined) result.push(current);
  return result;
}

function cell(type: ScalarType, text: string): Value {
  if (text === 'NULL') return null;
  if (text === '(empty)') return '';
  return parseText(type, text);
}

function render(type: ScalarType, value: Value): string {
  if (value === null) return 'NULL';
  const text = valueToText(type, value);
  return text === '' ? '(empty)' : text;
}

function normalize(line: string): string {
  return line.replace(/\t/g, ' ').trimEnd();
}

function load(database: MemoryDatabase, block: Block): void {
  const header = block.lines[0]!;
  const match = /^load\s+(\w+)\s*\((.*)\)\s*$/.exec(header);
  if (match === null) throw new Error(`line ${block.line}: expected load Name(column Type, …)`);
  const specs: MemoryColumnSpec[] = match[2]!
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const fk = /^(\w+)\s*->\s*(\w+)$/.exec(part);
      if (fk !== null) return { name: fk[1]!, type: 'Int', role: 'foreignKey', target: fk[2]! };
      const [name, type] = part.split(/\s+/);
      if (name === undefined || type === undefined || !isScalarType(type)) {
        throw new Error(`line ${block.line}: bad column ${part}`);
      }
      return { name, type };
    });
  const table = new MemoryTable(match[1]!, specs);
  for (const row of block.lines.slice(1)) {
    const cells = row.split('\t');
    table.insert(specs.map((spec, index) => cell(spec.type, cells[index] ?? 'NULL')));
  }
  database.add(table);
}

export function runSltText(text: string): SltFailure[] {
  const database = new MemoryDatabase();
  const failures: SltFailure[] = [];
  for (const block of blocks(text)) {
    const head = block.lines[0]!.trim();
    if (head.startsWith('load ')) {
      load(database, block);
      continue;
    }
    const statement = /^statement\s+(ok|error)(?:\s+(\S+))?$/.exec(head);
    if (statement !== null) {
      const sql = block.lines.slice(1).join('\n');
      try {
        runSql(database, sql);
        if (statement[1] === 'error') {
          failures.push({
            line: block.line,
            sql,
            message: 'expected an error, the statement succeeded',
          });
        }
      } catch (error) {
        if (statement[1] === 'ok') {
          failures.push({ line: block.line, sql, message: `unexpected error: ${String(error)}` });
        } else if (
          statement[2] !== undefined &&
          !(error instanceof PlanError && error.code === statement[2])
        ) {
          const code = (error as { code?: string }).code ?? 'no code';
          failures.push({
            line: block.line,
            sql,
            message: `expected ${statement[2]}, got ${code}: ${String(error)}`,
          });
        }
      }
      continue;
    }
    const query = /^query\s+(\S+)(\s+rowsort)?$/.exec(head);
    if (query === null) throw new Error(`line ${block.line}: unknown record "${head}"`);
    const separator = block.lines.indexOf('----');
    const sql = block.lines.slice(1, separator < 0 ? undefined : separator).join('\n');
    const expected = separator < 0 ? [] : block.lines.slice(separator + 1).map(normalize);
    try {
      const result = runSql(database, sql);
      if (result.columns.length !== query[1]!.length) {
        failures.push({
          line: block.line,
          sql,
          message: `expected ${query[1]!.length} columns, got ${result.columns.length}`,
        });
        continue;
      }
      let actual = resultRows(result).map((row) =>
        normalize(row.map((value, index) => render(result.columns[index]!.type, value)).join(' ')),
      );
      let wanted = expected;
      if (query[2] !== undefined) {
        actual = [...actual].sort();
        wanted = [...expected].sort();
      }
      if (actual.join('\n') !== wanted.join('\n')) {
        failures.push({
          line: block.line,
          sql,
          message: `expected:\n${wanted.join('\n')}\nactual:\n${actual.join('\n')}`,
        });
      }
    } catch (error) {
      failures.push({ line: block.line, sql, message: `unexpected error: ${String(error)}` });
    }
  }
  return failures;
}

export function runSltFile(path: string): SltFailure[] {
  return runSltText(readFileSync(path, 'utf8'));
}
