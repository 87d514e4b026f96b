/**
 * Argument schemas: a request arrives as `unknown` JSON and leaves this module as typed
 * arguments, or as an `E_ARG_*` error naming the field at fault (`rows[3].salary`). Each command
 * declares its arguments once, as a shape of `ArgType`s; the same shape types the handler, is
 * checked by the Engine for every door, and documents the command (`describeShape`).
 */
import { didYouMean } from '../common/index.js';
import { argumentError } from './errors.js';

/** Any JSON value, as `JSON.parse` produces it. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface ArgType<T> {
  /** What the field must be, for messages and docs: "a string", "an integer ≥ 1". */
  readonly expected: string;
  /** False when the field may be absent (the parsed value is then `undefined` or a default). */
  readonly required: boolean;
  parse(value: unknown, field: string): T;
}

export type Shape = Readonly<Record<string, ArgType<unknown>>>;
export type ArgsOf<S extends Shape> = {
  readonly [K in keyof S]: S[K] extends ArgType<infer T> ? T : never;
};

function describeFound(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
    case 'number':
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

function mismatch(field: string, expected: string, value: unknown): never {
  throw argumentError('E_ARG_TYPE', field, `expected ${expected}, found ${describeFound(value)}`);
}

function required<T>(expected: string, parse: (value: unknown, field: string) => T): ArgType<T> {
  return { expected, required: true, parse };
}

export interface StringOptions {
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: RegExp;
  /** Describes `pattern` in messages ("a database name"). */
  readonly patternName?: string;
}

export function stringArg(options: StringOptions = {}): ArgType<string> {
  const minLength = options.minLength ?? 0;
  const expected = options.patternName ?? (minLength > 0 ? 'a non-empty string' : 'a string');
  return required(expected, (value, field) => {
    if (typeof value !== 'string') mismatch(field, expected, value);
    if (value.length < minLength) mismatch(field, expected, value);
    if (options.maxLength !== undefined && value.length > options.maxLength) {
      throw argumentError(
        'E_ARG_TYPE',
        field,
        `expected at most ${options.maxLength} characters, found ${value.length}`,
      );
    }
    if (options.pattern && !options.pattern.test(value)) mismatch(field, expected, value);
    return value;
  });
}

export interface IntegerOptions {
  readonly min?: number;
  readonly max?: number;
}

export function integerArg(options: IntegerOptions = {}): ArgType<number> {
  const bounds = [
    options.min !== undefined ? `≥ ${options.min}` : '',
    options.max !== undefined ? `≤ ${options.max}` : '',
  ].filter((part) => part !== '');
  const expected = `an integer${bounds.length > 0 ? ` ${bounds.join(' and ')}` : ''}`;
  return required(expected, (value, field) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) mismatch(field, expected, value);
    if (options.min !== undefined && value < options.min) mismatch(field, expected, value);
    if (options.max !== undefined && value > options.max) mismatch(field, expected, value);
    return value;
  });
}

export function booleanArg(): ArgType<boolean> {
  return required('true or false', (value, field) => {
    if (typeof value !== 'boolean') mismatch(field, 'true or false', value);
    return value;
  });
}

/** One of a closed set of strings; a near miss gets "did you mean". */
export function enumArg<T extends string>(values: readonly T[]): ArgType<T> {
  const expected = `one of ${values.map((value) => JSON.stringify(value)).join(', ')}`;
  return required(expected, (value, field) => {
    if (typeof value === 'string' && (values as readonly string[]).includes(value)) {
      return value as T;
    }
    if (typeof value === 'string') {
      throw argumentError(
        'E_ARG_TYPE',
        field,
        `expected ${expected}, found ${describeFound(value)}`,
        didYouMean(value, values),
      );
    }
    return mismatch(field, expected, value);
  });
}

export interface ArrayOptions {
  readonly minItems?: number;
  readonly maxItems?: number;
}

export function arrayArg<T>(item: ArgType<T>, options: ArrayOptions = {}): ArgType<T[]> {
  const expected = `an array (${item.expected} each)`;
  return required(expected, (value, field) => {
    if (!Array.isArray(value)) mismatch(field, expected, value);
    if (options.minItems !== undefined && value.length < options.minItems) {
      throw argumentError(
        'E_ARG_TYPE',
        field,
        `expected at least ${options.minItems} item${options.minItems === 1 ? '' : 's'}, found ${value.length}`,
      );
    }
    if (options.maxItems !== undefined && value.length > options.maxItems) {
      throw argumentError(
        'E_ARG_TYPE',
        field,
        `expected at most ${options.maxItems} items, found ${value.length}`,
      );
    }
    return value.map((element: unknown, index) => item.parse(element, `${field}[${index}]`));
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An object with arbitrary keys, each value of one type (a row: attribute → value). */
export function recordArg<T>(
  item: ArgType<T>,
  options: { maxKeys?: number } = {},
): ArgType<Record<string, T>> {
  const expected = 'an object';
  return required(expected, (value, field) => {
    if (!isPlainObject(value)) mismatch(field, expected, value);
    const keys = Object.keys(value);
    if (options.maxKeys !== undefined && keys.length > options.maxKeys) {
      throw argumentError(
        'E_ARG_TYPE',
        field,
        `expected at most ${options.maxKeys} keys, found ${keys.length}`,
      );
    }
    const result: Record<string, T> = {};
    for (const key of keys) result[key] = item.parse(value[key], `${field}.${key}`);
    return result;
  });
}

/** Any JSON value (row values, SQL parameters): checked further by the layer that types them. */
export function jsonArg(): ArgType<JsonValue> {
  return required('a JSON value', (value) => value as JsonValue);
}

/** A JSON scalar: string, number, boolean or null. */
export function scalarArg(): ArgType<string | number | boolean | null> {
  const expected = 'a string, number, boolean or null';
  return required(expected, (value, field) => {
    if (
      value === null ||
      typeof value === 'string' ||
      typeof value === 'number' ||
      typeof value === 'boolean'
    ) {
      return value;
    }
    return mismatch(field, expected, value);
  });
}

/** A nested object with its own shape (unknown keys refused, as at the top level). */
export function objectArg<S extends Shape>(shape: S): ArgType<ArgsOf<S>> {
  return required('an object', (value, field) => {
    if (!isPlainObject(value)) mismatch(field, 'an object', value);
    return parseShape(shape, value, `${field}.`);
  });
}

export function optional<T>(type: ArgType<T>): ArgType<T | undefined> {
  return {
    expected: type.expected,
    required: false,
    parse: (value, field) => (value === undefined ? undefined : type.parse(value, field)),
  };
}

export function withDefault<T>(type: ArgType<T>, fallback: T): ArgType<T> {
  return {
    expected: `${type.expected} (default ${JSON.stringify(fallback)})`,
    required: false,
    parse: (value, field) => (value === undefined ? fallback : type.parse(value, field)),
  };
}

/**
 * Parse `source` against `shape`. `ignored` names fields every request may carry that are not
 * the command's arguments (`id`, `cmd`, `token`). A field the shape does not know is refused,
 * so that a misspelt optional argument is not silently ignored.
 */
export function parseShape<S extends Shape>(
  shape: S,
  source: Readonly<Record<string, unknown>>,
  prefix = '',
  ignored: ReadonlySet<string> = new Set(),
): ArgsOf<S> {
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    if (ignored.has(key) || Object.hasOwn(shape, key)) continue;
    throw argumentError(
      'E_ARG_UNKNOWN',
      `${prefix}${key}`,
      `unknown field \`${key}\``,
      didYouMean(key, Object.keys(shape)) ??
        `this command takes ${
          Object.keys(shape).length === 0
            ? 'no fields'
            : Object.keys(shape)
                .map((name) => `\`${name}\``)
                .join(', ')
        }`,
    );
  }
  for (const [key, type] of Object.entries(shape)) {
    const value = source[key];
    const field = `${prefix}${key}`;
    if (value === undefined && type.required) {
      throw argumentError(
        'E_ARG_MISSING',
        field,
        `missing field \`${key}\`: expected ${type.expected}`,
      );
    }
    result[key] = type.parse(value, field);
  }
  return result as ArgsOf<S>;
}

/** `{field: "expected"}` for a shape: the command table's self-description (`help`, docs). */
export function describeShape(shape: Shape): Record<string, string> {
  const description: Record<string, string> = {};
  for (const [key, type] of Object.entries(shape)) {
    description[key] = type.required ? type.expected : `optional: ${type.expected}`;
  }
  return description;
}
