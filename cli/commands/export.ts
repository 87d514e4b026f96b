/** `catrust export json FILE`: the checked model as JSON (catalog/model-json.ts). */
import { programToJson } from '../../catalog/index.js';
import { toJson, writeOut } from '../io.js';
import { loadProgram } from '../program.js';

export async function runExportJson(file: string): Promise<void> {
  writeOut(toJson(programToJson(await loadProgram(file))));
}
