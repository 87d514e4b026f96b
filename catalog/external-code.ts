/**
 * External JavaScript of literal typesides (`external_functions`, `external_parsers`, and the
 * reference's `java_functions` / `java_constants`), run only when the caller allows it.
 *
 * Each piece of code is compiled in its own fresh `node:vm` context: no Node globals (no
 * `require`, `process`, `globalThis` of ours), no code generation from strings, microtasks run
 * before the call returns, and every call is bounded by `externalCodeTimeoutMs`. Only
 * primitives cross the boundary in either direction: arguments are set as primitive properties
 * of the context and a result that is not a primitive is refused unread. node:vm is not a
 * security boundary against hostile code, which is why servers never allow external code.
 */
import { Script, createContext, type Context } from 'node:vm';
import {
  ValueError,
  formatDate,
  normalizeInt,
  parseDateLiteral,
  parseDecimalLiteral,
  parseIntLiteral,
  parseUuidLiteral,
  type Scalar,
  type ScalarType,
} from '../common/index.js';

export type ExternalPrimitive = string | number | bigint | boolean;

export class ExternalCode {
  readonly #context: Context;
  readonly #call: Script;
  readonly #timeoutMs: number;
  readonly #arity: number;

  /** Compile `code`, a function expression (`(x, y) => x + y`) or a name (`parseInt`). */
  constructor(code: string, arity: number, timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
    this.#arity = arity;
    this.#context = createContext(Object.create(null) as object, {
      codeGeneration: { strings: false, wasm: false },
      microtaskMode: 'afterEvaluate',
    });
    new Script(`globalThis.__catrustFunction = (${code});`).runInContext(this.#context, {
      timeout: timeoutMs,
    });
    const kind = new Script('typeof __catrustFunction').runInContext(this.#context, {
      timeout: timeoutMs,
    }) as unknown;
    if (kind !== 'function')
      throw new ValueError(`the code is not a function (it is a ${String(kind)})`);
    const parameters = Array.from({ length: arity }, (_, index) => `__catrustArgument${index}`);
    this.#call = new Script(`__catrustFunction(${parameters.join(', ')})`);
  }

  /** Call the function on primitive arguments; the result must be a primitive. */
  call(args: readonly ExternalPrimitive[]): ExternalPrimitive {
    const sandbox = this.#context as Record<string, unknown>;
    for (let index = 0; index < this.#arity; index++) {
      sandbox[`__catrustArgument${index}`] = args[index];
    }
    const result = this.#call.runInContext(this.#context, { timeout: this.#timeoutMs }) as unknown;
    const type = typeof result;
    if (type === 'string' || type === 'number' || type === 'bigint' || type === 'boolean') {
      return result as ExternalPrimitive;
    }
    throw new ValueError(
      `external code returned a ${result === null ? 'null' : type}, not a value`,
    );
  }
}

/** A value as external code sees it: Dates as `YYYY-MM-DD`, Decimals as strings. */
export function scalarToExternal(type: ScalarType | undefined, value: Scalar): ExternalPrimitive {
  if (type === 'Date' && typeof value === 'number') return formatDate(value);
  return value;
}

/** A primitive external code returned, as a value of `type` (undefined: uninterpreted, text). */
export function scalarFromExternal(type: ScalarType | undefined, value: ExternalPrimitive): Scalar {
  switch (type) {
    case undefined:
    case 'String':
      return String(value);
    case 'Int':
      if (typeof value === 'bigint') return parseIntLiteral(value.toString());
      if (typeof value === 'number' && Number.isSafeInteger(value)) return normalizeInt(value);
      if (typeof value === 'string') return parseIntLiteral(value);
      break;
    case 'Float':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      break;
    case 'Bool':
      if (typeof value === 'boolean') return value;
      break;
    case 'Date':
      if (typeof value === 'string') return parseDateLiteral(value);
      break;
    case 'Uuid':
      if (typeof value === 'string') return parseUuidLiteral(value);
      break;
    case 'Decimal':
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') {
        return parseDecimalLiteral(String(value));
      }
      break;
  }
  throw new ValueError(
    `external code returned ${JSON.stringify(String(value))}, not a ${type} value`,
  );
}
