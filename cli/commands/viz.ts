/**
 * `catrust viz FILE [--format dot|svg] [-o OUT] [--schema NAME]`: the schema graph — entities
 * as boxes listing their attributes, foreign keys as labelled arrows. SVG is rendered by
 * Graphviz compiled to WebAssembly (@viz-js/viz), loaded only for `--format svg`.
 */
import { writeFileSync } from 'node:fs';
import { schemasToDot } from '../../catalog/index.js';
import { CatrustError, didYouMean } from '../../common/index.js';
import { optionError, writeOut } from '../io.js';
import { loadProgram } from '../program.js';

export async function runViz(
  file: string,
  options: { format: string; output?: string; schema?: string },
): Promise<void> {
  const format = options.format.toLowerCase();
  if (format !== 'dot' && format !== 'svg') {
    throw optionError('--format', `unknown format \`${options.format}\``, 'use dot or svg');
  }
  const program = await loadProgram(file);
  let schemas = [...program.schemas.values()];
  if (options.schema !== undefined) {
    const wanted = program.schemas.get(options.schema);
    if (wanted === undefined) {
      throw optionError(
        '--schema',
        `no schema \`${options.schema}\` in ${file}`,
        didYouMean(options.schema, [...program.schemas.keys()]),
      );
    }
    schemas = [wanted];
  }
  if (schemas.length === 0) {
    throw new CatrustError('E_CLI_NOTHING', 'the program declares no schema', {
      location: { kind: 'file', file },
    });
  }
  const dot = schemasToDot(schemas);
  let text = dot;
  if (format === 'svg') {
    const { instance } = await import('@viz-js/viz');
    const viz = await instance();
    text = viz.renderString(dot, { format: 'svg', engine: 'dot' });
  }
  if (options.output !== undefined) {
    try {
      writeFileSync(options.output, text);
    } catch (error) {
      throw new CatrustError('E_IO', `cannot write the file: ${(error as Error).message}`, {
        location: { kind: 'file', file: options.output },
      });
    }
  } else {
    writeOut(text);
  }
}
