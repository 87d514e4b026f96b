/**
 * `checkProgram`: a parsed program (cql/) into its checked model, every declaration in order.
 *
 * Each declaration is checked on its own: an error abandons that declaration (it is reported in
 * `errors` and later references to its name are abandoned quietly), and checking goes on with
 * the next one, so `catrust validate` reports every independent mistake at once. The model
 * holds the declarations that checked; it is complete only when `errors` is empty.
 */
import { assertNever, type CatrustError } from '../common/index.js';
import type { Declaration, Program } from '../cql/index.js';
import { Env, type CheckOptions } from './check-context.js';
import { checkInstanceExp } from './check-instance.js';
import { checkMappingExp } from './check-mapping.js';
import { checkQueryExp } from './check-query.js';
import { checkSchemaExp } from './check-schema.js';
import { checkTypesideExp } from './check-typeside.js';
import type { CheckedProgram, DeclarationEntry } from './checked-program.js';
import { AbandonDeclaration } from './errors.js';

export type { CheckOptions } from './check-context.js';

export interface CheckResult {
  /** The declarations that checked (all of them when `errors` is empty). */
  readonly program: CheckedProgram;
  /** Every error, in program order (at most `limits.validateErrorsMax`). */
  readonly errors: readonly CatrustError[];
  /** How many errors there were in all (may exceed `errors.length`). */
  readonly errorCount: number;
}

/**
 * Check every declaration of `program`. With `base`, the declarations of an already checked
 * program are in scope first (a later program extends it: a REPL line, a `load` into a running
 * database); the result holds both, and names of `base` cannot be declared again.
 */
export function checkProgramCollecting(
  program: Program,
  options: CheckOptions = {},
  base?: CheckedProgram,
): CheckResult {
  const env = new Env(program.file, options);
  if (base !== undefined) env.seed(base);
  const entries: DeclarationEntry[] = [...(base?.declarations ?? [])];
  for (const declaration of program.declarations) {
    const entry = checkDeclaration(env, declaration);
    if (entry !== undefined) entries.push(entry);
  }
  return {
    program: {
      kind: 'CheckedProgram',
      file: program.file,
      typesides: env.typesides,
      schemas: env.schemas,
      instances: env.instances,
      mappings: env.mappings,
      queries: env.queries,
      declarations: entries,
      warnings: [...(base?.warnings ?? []), ...env.diagnostics.warnings],
      options: env.topOptions,
    },
    errors: env.diagnostics.errors,
    errorCount: env.diagnostics.errorCount,
  };
}

/** Check a whole program; throws its first error (the others are in `checkProgramCollecting`). */
export function checkProgram(program: Program, options: CheckOptions = {}): CheckedProgram {
  const result = checkProgramCollecting(program, options);
  const first = result.errors[0];
  if (first !== undefined) throw first;
  return result.program;
}

function checkDeclaration(env: Env, declaration: Declaration): DeclarationEntry | undefined {
  if (declaration.kind === 'OptionsDecl') {
    for (const setting of declaration.options) {
      env.checkOption(setting);
      env.topOptions.set(setting.key, setting.value);
    }
    return { kind: 'options', name: '', location: env.locate(declaration.span) };
  }
  const name = declaration.name;
  const kind =
    declaration.kind === 'TypesideDecl'
      ? 'typeside'
      : declaration.kind === 'SchemaDecl'
        ? 'schema'
        : declaration.kind === 'InstanceDecl'
          ? 'instance'
          : declaration.kind === 'MappingDecl'
            ? 'mapping'
            : 'query';
  if (!env.declare(kind, name)) return undefined;
  try {
    switch (declaration.kind) {
      case 'TypesideDecl':
        env.typesides.set(name.text, checkTypesideExp(env, declaration.value, name.text));
        break;
      case 'SchemaDecl':
        env.schemas.set(name.text, checkSchemaExp(env, declaration.value, name.text));
        break;
      case 'InstanceDecl':
        env.instances.set(name.text, checkInstanceExp(env, declaration.value, name.text));
        break;
      case 'MappingDecl':
        env.mappings.set(name.text, checkMappingExp(env, declaration.value, name.text));
        break;
      case 'QueryDecl':
        env.queries.set(name.text, checkQueryExp(env, declaration.value, name.text));
        break;
      default:
        return assertNever(declaration, 'declaration');
    }
  } catch (error) {
    if (!(error instanceof AbandonDeclaration)) throw error;
    env.markFailed(name.text);
    return undefined;
  }
  return { kind, name: name.text, location: env.locate(name.span) };
}
