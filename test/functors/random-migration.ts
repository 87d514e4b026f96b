/**
 * Random migration programs in the reference syntax, deterministic from a seed, for the
 * property tests: three schemas U ← T ← S (acyclic foreign keys, so every instance is finite),
 * mappings G : T → U and F : S → T sending foreign keys to paths of length 0–2 and attributes to
 * attributes at the end of paths, and literal instances K on U and I on S with some foreign keys
 * left open (fresh rows in Σ), some attributes unset (labelled nulls), a shared labelled null,
 * duplicate values and empty entities.
 */
import { createRandom } from '../cql/random-program.js';

interface RandomSchema {
  readonly name: string;
  readonly entities: string[];
  /** name, source, target */
  readonly foreignKeys: { name: string; source: string; target: string }[];
  readonly attributes: { name: string; entity: string }[];
}

interface Path {
  readonly target: string;
  readonly foreignKeys: string[];
}

export interface RandomMigration {
  readonly text: string;
  readonly seed: number;
}

const CONSTANTS = ['c0', 'c1', 'c2'];

export interface RandomMigrationOptions {
  /** Give U a path equation between two parallel paths (Σ into U then merges rows). */
  readonly pathEquations?: boolean;
}

export function randomMigration(
  seed: number,
  options: RandomMigrationOptions = {},
): RandomMigration {
  const random = createRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const chance = (p: number): boolean => random() < p;

  const u: RandomSchema = { name: 'U', entities: [], foreignKeys: [], attributes: [] };
  const uCount = 1 + Math.floor(random() * 3);
  for (let i = 0; i < uCount; i++) u.entities.push(`U${i}`);
  for (let i = 0; i < uCount; i++) {
    for (let j = i + 1; j < uCount; j++) {
      if (chance(0.6)) u.foreignKeys.push({ name: `u${i}${j}`, source: `U${i}`, target: `U${j}` });
    }
    const attributeCount = Math.floor(random() * 3);
    for (let k = 0; k < attributeCount; k++)
      u.attributes.push({ name: `ua${i}${k}`, entity: `U${i}` });
  }
  const uEquations: string[] = [];
  if (options.pathEquations === true) {
    // Drawn from a second stream, so the rest of the program is the one the seed gives anyway.
    const extra = createRandom(seed ^ 0x5bd1e995);
    const parallel = u.entities.flatMap((entity) => {
      const paths = pathsFrom(u, entity, 2).filter((path) => path.foreignKeys.length > 0);
      return paths.flatMap((p, i) =>
        paths
          .slice(i + 1)
          .filter((q) => q.target === p.target)
          .map(
            (q) => `${entity}.${p.foreignKeys.join('.')} = ${entity}.${q.foreignKeys.join('.')}`,
          ),
      );
    });
    if (parallel.length > 0)
      uEquations.push(parallel[Math.floor(extra() * parallel.length)] as string);
  }
  const [t, g] = derive(u, 'T', 'G', random);
  const [s, f] = derive(t, 'S', 'F', random);
  const lines: string[] = [
    `typeside Ty = literal { types String  constants ${CONSTANTS.join(' ')} : String }`,
    printSchema(u, uEquations),
    printSchema(t),
    printSchema(s),
    g,
    f,
    printInstance('K', u, random),
    printInstance('I', s, random),
    'instance DK = delta G K',
    'instance DDK = delta F DK',
    'instance SI = sigma F I',
    'instance SSI = sigma G SI',
    'instance PI = pi F I',
  ];
  void pick;
  return { text: lines.join('\n') + '\n', seed };
}

function pathsFrom(schema: RandomSchema, entity: string, lengthMax: number): Path[] {
  const result: Path[] = [{ target: entity, foreignKeys: [] }];
  let frontier: Path[] = [...result];
  for (let length = 1; length <= lengthMax; length++) {
    const next: Path[] = [];
    for (const path of frontier) {
      for (const fk of schema.foreignKeys) {
        if (fk.source === path.target) {
          next.push({ target: fk.target, foreignKeys: [...path.foreignKeys, fk.name] });
        }
      }
    }
    result.push(...next);
    frontier = next;
  }
  return result;
}

/** A schema X and a mapping X → `base` (its text), built so that the mapping is valid. */
function derive(
  base: RandomSchema,
  name: string,
  mappingName: string,
  random: () => number,
): [RandomSchema, string] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const lower = name.toLowerCase();
  const schema: RandomSchema = { name, entities: [], foreignKeys: [], attributes: [] };
  const count = 1 + Math.floor(random() * 3);
  const image = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const entity = `${name}${i}`;
    schema.entities.push(entity);
    image.set(entity, pick(base.entities));
  }
  const foreignKeyImages = new Map<string, Path>();
  const attributeImages = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const source = `${name}${i}`;
    const paths = pathsFrom(base, image.get(source) as string, 2);
    for (let j = i + 1; j < count; j++) {
      const target = `${name}${j}`;
      const candidates = paths.filter((path) => path.target === image.get(target));
      if (candidates.length === 0 || random() < 0.4) continue;
      const fk = `${lower}${i}${j}`;
      schema.foreignKeys.push({ name: fk, source, target });
      foreignKeyImages.set(fk, pick(candidates));
    }
    const reachable = pathsFrom(base, image.get(source) as string, 1).flatMap((path) =>
      base.attributes
        .filter((attribute) => attribute.entity === path.target)
        .map((attribute) => [...path.foreignKeys, attribute.name].join('.')),
    );
    const attributeCount = reachable.length === 0 ? 0 : Math.floor(random() * 3);
    for (let k = 0; k < attributeCount; k++) {
      const attribute = `${lower}a${i}${k}`;
      schema.attributes.push({ name: attribute, entity: source });
      attributeImages.set(attribute, pick(reachable));
    }
  }
  const lines = [`mapping ${mappingName} = literal : ${name} -> ${base.name} {`];
  for (const entity of schema.entities) {
    lines.push(`  entity ${entity} -> ${image.get(entity)}`);
    const fks = schema.foreignKeys.filter((fk) => fk.source === entity);
    if (fks.length > 0) {
      lines.push(
        `  foreign_keys ${fks
          .map((fk) => {
            const path = foreignKeyImages.get(fk.name) as Path;
            return `${fk.name} -> ${path.foreignKeys.length === 0 ? 'identity' : path.foreignKeys.join('.')}`;
          })
          .join('  ')}`,
      );
    }
    const attributes = schema.attributes.filter((attribute) => attribute.entity === entity);
    if (attributes.length > 0) {
      lines.push(
        `  attributes ${attributes
          .map(
            (attribute) =>
              `${attribute.name} -> lambda x. x.${attributeImages.get(attribute.name)}`,
          )
          .join('  ')}`,
      );
    }
  }
  lines.push('}');
  return [schema, lines.join('\n')];
}

function printSchema(schema: RandomSchema, pathEquations: readonly string[] = []): string {
  const lines = [
    `schema ${schema.name} = literal : Ty {`,
    `  entities ${schema.entities.join(' ')}`,
  ];
  if (schema.foreignKeys.length > 0) {
    lines.push(
      `  foreign_keys ${schema.foreignKeys.map((fk) => `${fk.name} : ${fk.source} -> ${fk.target}`).join('  ')}`,
    );
  }
  if (pathEquations.length > 0) lines.push(`  path_equations ${pathEquations.join('  ')}`);
  if (schema.attributes.length > 0) {
    lines.push(
      `  attributes ${schema.attributes.map((a) => `${a.name} : ${a.entity} -> String`).join('  ')}`,
    );
  }
  lines.push('}');
  return lines.join('\n');
}

function printInstance(name: string, schema: RandomSchema, random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const generators = new Map<string, string[]>();
  const lower = name.toLowerCase();
  for (const entity of schema.entities) {
    const count = Math.floor(random() * 4);
    generators.set(
      entity,
      Array.from({ length: count }, (_, index) => `${lower}${entity.toLowerCase()}g${index}`),
    );
  }
  const equations: string[] = [];
  let shared = false;
  for (const fk of schema.foreignKeys) {
    const targets = generators.get(fk.target) as string[];
    for (const generator of generators.get(fk.source) as string[]) {
      if (targets.length > 0 && random() < 0.7)
        equations.push(`${generator}.${fk.name} = ${pick(targets)}`);
    }
  }
  for (const attribute of schema.attributes) {
    for (const generator of generators.get(attribute.entity) as string[]) {
      const roll = random();
      if (roll < 0.55) equations.push(`${generator}.${attribute.name} = ${pick(CONSTANTS)}`);
      else if (roll < 0.8) {
        equations.push(`${generator}.${attribute.name} = ${lower}sk`);
        shared = true;
      }
    }
  }
  const declared = [...generators].filter(([, names]) => names.length > 0);
  const lines = [`instance ${name} = literal : ${name === 'K' ? 'U' : 'S'} {`];
  if (declared.length > 0 || shared) {
    lines.push(
      `  generators ${declared.map(([entity, names]) => `${names.join(' ')} : ${entity}`).join('  ')}${
        shared ? `  ${lower}sk : String` : ''
      }`,
    );
  }
  if (equations.length > 0) lines.push(`  equations ${equations.join('  ')}`);
  lines.push('}');
  return lines.join('\n');
}
