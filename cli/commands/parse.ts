/** `catrust parse FILE`: the AST of a program as JSON (spans included), or the first error. */
import { parseProgram } from '../../cql/index.js';
import { readSourceFile, toJson, writeOut } from '../io.js';

export function runParse(file: string): void {
  const program = parseProgram(readSourceFile(file), { file });
  writeOut(toJson(program));
}
