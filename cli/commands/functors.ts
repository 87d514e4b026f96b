/**
 * `catrust sigma|delta|pi FILE --mapping F --instance I [--json]`: one migration of one
 * instance of a program, printed as `run` prints instances (docs/run-json.md).
 *
 * `catrust unit|counit FILE --mapping F --instance I [--adjunction sigma-delta|delta-pi]
 * [--json]`: the unit or counit of Σ_F ⊣ Δ_F or Δ_F ⊣ Π_F at that instance, as a row map
 * between two instances: `{"source": <run JSON>, "target": <run JSON>, "map": {"<Entity>":
 * [k0, k1, …]}}` where row i of the source entity's `rows` goes to row k_i of the target's.
 */
import {
  canonicalOrder,
  instanceToJson,
  type CheckedInstance,
  type CheckedProgram,
  type Mapping,
  type RunJsonInstance,
  type SaturatedInstance,
} from '../../catalog/index.js';
import { didYouMean } from '../../common/index.js';
import {
  delta,
  deltaPiCounit,
  deltaPiUnit,
  pi,
  sigma,
  sigmaDeltaCounit,
  sigmaDeltaUnit,
  type InstanceMorphism,
} from '../../planner/index.js';
import { optionError, toJson, writeOut } from '../io.js';
import { loadProgram } from '../program.js';
import { renderText } from './run.js';

export interface FunctorOptions {
  readonly mapping: string;
  readonly instance: string;
  readonly json?: boolean;
  readonly adjunction?: string;
}

function lookup(
  program: CheckedProgram,
  file: string,
  options: FunctorOptions,
): { mapping: Mapping; instance: CheckedInstance } {
  const mapping = program.mappings.get(options.mapping);
  if (mapping === undefined) {
    throw optionError(
      '--mapping',
      `no mapping \`${options.mapping}\` in ${file}`,
      didYouMean(options.mapping, [...program.mappings.keys()]),
    );
  }
  const instance = program.instances.get(options.instance);
  if (instance === undefined) {
    throw optionError(
      '--instance',
      `no instance \`${options.instance}\` in ${file}`,
      didYouMean(options.instance, [...program.instances.keys()]),
    );
  }
  return { mapping, instance };
}

/** The instance must be on the mapping's source (`side` = source) or target schema. */
function requireSide(
  mapping: Mapping,
  instance: CheckedInstance,
  side: 'source' | 'target',
  what: string,
): SaturatedInstance {
  const schema = side === 'source' ? mapping.source : mapping.target;
  if (instance.schema !== schema && instance.schema.name !== schema.name) {
    throw optionError(
      '--instance',
      `${what} takes an instance of \`${schema.name}\` (the ${side} of \`${mapping.name}\`), but \`${instance.name}\` is on \`${instance.schema.name}\``,
    );
  }
  return instance.rows();
}

function print(
  program: CheckedProgram,
  name: string,
  rows: SaturatedInstance,
  json: boolean,
): void {
  const result = { [name]: instanceToJson(rows) };
  if (json) writeOut(toJson(result));
  else writeOut(renderText(program, result, new Map(), new Map([[name, rows.schema.name]])));
}

export async function runFunctor(
  kind: 'sigma' | 'delta' | 'pi',
  file: string,
  options: FunctorOptions,
): Promise<void> {
  const program = await loadProgram(file);
  const { mapping, instance } = lookup(program, file, options);
  const name = `${kind} ${mapping.name} ${instance.name}`;
  let rows: SaturatedInstance;
  if (kind === 'delta') {
    rows = delta(mapping, requireSide(mapping, instance, 'target', 'delta'));
  } else if (kind === 'sigma') {
    rows = sigma(mapping, requireSide(mapping, instance, 'source', 'sigma'), {
      name,
      ...(instance.presentation === undefined ? {} : { presentation: instance.presentation }),
    });
  } else {
    rows = pi(mapping, requireSide(mapping, instance, 'source', 'pi'));
  }
  print(program, name, rows, options.json === true);
}

export async function runAdjunctionMap(
  which: 'unit' | 'counit',
  file: string,
  options: FunctorOptions,
): Promise<void> {
  const adjunction = (options.adjunction ?? 'sigma-delta').toLowerCase();
  if (adjunction !== 'sigma-delta' && adjunction !== 'delta-pi') {
    throw optionError(
      '--adjunction',
      `unknown adjunction \`${options.adjunction ?? ''}\``,
      'use sigma-delta or delta-pi',
    );
  }
  const program = await loadProgram(file);
  const { mapping, instance } = lookup(program, file, options);
  const what = `the ${which} of ${adjunction === 'sigma-delta' ? 'Σ ⊣ Δ' : 'Δ ⊣ Π'}`;
  let morphism: InstanceMorphism;
  if (adjunction === 'sigma-delta') {
    morphism =
      which === 'unit'
        ? sigmaDeltaUnit(mapping, requireSide(mapping, instance, 'source', what), {
            ...(instance.presentation === undefined ? {} : { presentation: instance.presentation }),
          })
        : sigmaDeltaCounit(mapping, requireSide(mapping, instance, 'target', what));
  } else {
    morphism =
      which === 'unit'
        ? deltaPiUnit(mapping, requireSide(mapping, instance, 'target', what))
        : deltaPiCounit(mapping, requireSide(mapping, instance, 'source', what));
  }
  // Row numbers in the printed instances are their run JSON positions.
  const from = canonicalOrder(morphism.source);
  const to = canonicalOrder(morphism.target);
  const map: Record<string, number[]> = {};
  for (const [entity, rows] of morphism.rows) {
    const sourcePositions = from.get(entity) as Int32Array;
    const targetEntity = morphism.target.schema.hasEntity(entity) ? entity : undefined;
    const targetPositions = to.get(targetEntity ?? '') as Int32Array | undefined;
    const images = new Array<number>(rows.length);
    rows.forEach((image, row) => {
      images[sourcePositions[row] as number] = image < 0 ? -1 : (targetPositions?.[image] ?? image);
    });
    map[entity] = images;
  }
  const source: RunJsonInstance = instanceToJson(morphism.source);
  const target: RunJsonInstance = instanceToJson(morphism.target);
  if (options.json === true) {
    writeOut(toJson({ source, target, map }));
    return;
  }
  const lines = [`${what} at ${instance.name} (along ${mapping.name}): source row → target row`];
  for (const [entity, images] of Object.entries(map)) {
    lines.push(`  ${entity}: ${images.map((image, row) => `${row}→${image}`).join('  ')}`);
  }
  writeOut(
    [
      renderText(
        program,
        { source, target },
        new Map(),
        new Map([
          ['source', morphism.source.schema.name],
          ['target', morphism.target.schema.name],
        ]),
      ),
      ...lines,
    ].join('\n'),
  );
}
