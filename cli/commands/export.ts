/** `catrust export json FILE`: the checked model as JSON (catalog/model-json.ts). */
import { programToJson } from '../../catalog/index.js';
import { toJson, writeOut } from '../io.js';
import { loadProgram } from '../program.js';

export function runExportJson(file: string): void {
  writeOut(toJson(programToJson(loadProgram(file))));
}
