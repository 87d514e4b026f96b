/**
 * Scalar functions: names, overloads, result types and row-wise implementations, following
 * PostgreSQL's definitions (docs/sql.md lists them). The binder resolves a call against these
 * overloads the way PostgreSQL does for our types: an exact match first, then the overload
 * needing fewest implicit promotions (Int → Decimal → Float), Float preferred on a tie (it is
 * PostgreSQL's preferred numeric type); an untyped literal or parameter matches anything.
 *
 * Implementations receive non-null arguments already converted to the parameter types (the
 * binder inserts the casts) unless the function is not `strict`; they return engine values.
 */
import { createHash, randomUUID } from 'node:crypto';
import { parseDateLiteral, type Scalar, type ScalarType, type Value } from '../../common/index.js';
import { PlanError } from '../errors.js';
import { canCoerceImplicitly } from './cast.js';
import { compareScalars } from './compare.js';
import { absDecimal, roundDecimal, signDecimal, modDecimal } from './decimal-ops.js';

/** Per-query values some functions read (a query sees one `current_date`). */
export interface FunctionContext {
  readonly user: string;
  readonly database: string;
  /** Days since 1970-01-01, fixed at the start of the query. */
  readonly currentDate: number;
}

export interface ResolvedFunction {
  readonly name: string;
  /** The types the arguments must be cast to. */
  readonly argTypes: readonly ScalarType[];
  readonly returns: ScalarType;
  /** NULL in any argument gives NULL without calling `impl`. */
  readonly strict: boolean;
  /** A different result on each call (random()): never constant-folded. */
  readonly volatile: boolean;
  readonly impl: (args: readonly Value[], context: FunctionContext) => Value;
}

interface Signature {
  readonly args: readonly ScalarType[];
  /** Type of further arguments (`concat(any…)` uses 'String' with `anyVariadic`). */
  readonly variadic?: ScalarType;
  readonly returns: ScalarType;
  readonly impl: (args: readonly Value[], context: FunctionContext) => Value;
  readonly strict?: boolean;
  readonly volatile?: boolean;
}

type ArgType = ScalarType | undefined;

interface FunctionDefinition {
  resolve(argTypes: readonly ArgType[]): ResolvedFunction | undefined;
}

const registry = new Map<string, FunctionDefinition>();

function define(name: string, ...signatures: Signature[]): void {
  registry.set(name, {
    resolve(argTypes) {
      let best: { signature: Signature; cost: number } | undefined;
      for (const signature of signatures) {
        const cost = matchCost(signature, argTypes);
        if (cost !== undefined && (best === undefined || cost < best.cost))
          best = { signature, cost };
      }
      if (best === undefined) return undefined;
      const { signature } = best;
      const types = argTypes.map(
        (type, index) => signature.args[index] ?? signature.variadic ?? type ?? 'String',
      );
      return {
        name,
        argTypes: types,
        returns: signature.returns,
        strict: signature.strict ?? true,
        volatile: signature.volatile ?? false,
        impl: signature.impl,
      };
    },
  });
}

function matchCost(signature: Signature, argTypes: readonly ArgType[]): number | undefined {
  if (argTypes.length < signature.args.length) return undefined;
  if (argTypes.length > signature.args.length && signature.variadic === undefined) return undefined;
  let cost = 0;
  for (let index = 0; index < argTypes.length; index++) {
    const wanted = signature.args[index] ?? signature.variadic;
    const given = argTypes[index];
    if (wanted === undefined) return undefined;
    if (given === undefined || given === wanted) continue;
    if (!canCoerceImplicitly(given, wanted)) return undefined;
    // Promotion to Float costs a little less than to Decimal: Float is the preferred type.
    cost += wanted === 'Float' ? 1 : 1.1;
  }
  return cost;
}

/** Resolve a call; undefined when no overload accepts these argument types. */
export function resolveFunction(
  name: string,
  argTypes: readonly ArgType[],
): ResolvedFunction | undefined {
  return registry.get(name)?.resolve(argTypes);
}

export function isKnownFunction(name: string): boolean {
  return registry.has(name);
}

export function knownFunctionNames(): string[] {
  return [...registry.keys()];
}

// ── helpers ───────────────────────────────────────────────────────────────────────────────────

function fail(
  code: 'E_SQL_VALUE' | 'E_SQL_OUT_OF_RANGE' | 'E_SQL_DIVISION_BY_ZERO',
  message: string,
  sqlstate?: string,
): never {
  throw new PlanError(code, message, sqlstate === undefined ? {} : { sqlstate });
}

/** An infinite result is an overflow; NaN comes only from a NaN argument and stays (PostgreSQL). */
function checkedFloat(value: number): number {
  if (value === Infinity || value === -Infinity)
    fail('E_SQL_OUT_OF_RANGE', 'value out of range: overflow');
  return value;
}

function text(value: Value | undefined): string {
  return value as string;
}

function int(value: Value | undefined): number {
  // Arguments that are lengths and positions: a bigint beyond 2^53 is clamped (no string is that long).
  return typeof value === 'bigint'
    ? value > 0n
      ? Number.MAX_SAFE_INTEGER
      : -Number.MAX_SAFE_INTEGER
    : (value as number);
}

/** Code points of a string (PostgreSQL counts characters, not UTF-16 units). */
function codePoints(value: string): string[] {
  return Array.from(value);
}

function isAscii(value: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(value);
}

function substring(value: string, start: number, length: number | undefined): string {
  if (length !== undefined && length < 0)
    fail('E_SQL_VALUE', 'negative substring length not allowed', '22011');
  const chars = isAscii(value) ? undefined : codePoints(value);
  const total = chars === undefined ? value.length : chars.length;
  const first = Math.max(start, 1);
  const end = length === undefined ? total + 1 : start + length;
  if (end <= first) return '';
  if (chars === undefined) return value.slice(first - 1, Math.min(end - 1, total));
  return chars.slice(first - 1, Math.min(end - 1, total)).join('');
}

function trimChars(value: string, characters: string, left: boolean, right: boolean): string {
  const set = new Set(codePoints(characters));
  const chars = codePoints(value);
  let start = 0;
  let end = chars.length;
  if (left) while (start < end && set.has(chars[start] ?? '')) start++;
  if (right) while (end > start && set.has(chars[end - 1] ?? '')) end--;
  return chars.slice(start, end).join('');
}

function pad(value: string, length: number, fill: string, left: boolean): string {
  const chars = codePoints(value);
  if (length <= 0) return '';
  if (chars.length >= length) return chars.slice(0, length).join('');
  const fillChars = codePoints(fill);
  if (fillChars.length === 0) return value;
  const needed = length - chars.length;
  const padding: string[] = [];
  for (let index = 0; index < needed; index++)
    padding.push(fillChars[index % fillChars.length] ?? '');
  return left ? padding.join('') + value : value + padding.join('');
}

function dateParts(days: number): { year: number; month: number; day: number; weekday: number } {
  const date = new Date(days * 86_400_000);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    weekday: date.getUTCDay(),
  };
}

function daysFromParts(year: number, month: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return Math.round(date.getTime() / 86_400_000);
}

function isoWeek(days: number): { week: number; year: number } {
  const { weekday } = dateParts(days);
  const isoWeekday = weekday === 0 ? 7 : weekday;
  const thursday = days + 4 - isoWeekday;
  const { year } = dateParts(thursday);
  const firstDay = daysFromParts(year, 1, 1);
  return { week: Math.floor((thursday - firstDay) / 7) + 1, year };
}

/** A date field as a number (extract / date_part). */
export function dateField(field: string, days: number): number {
  const parts = dateParts(days);
  switch (field.toLowerCase()) {
    case 'year':
    case 'years':
      return parts.year;
    case 'month':
    case 'months':
      return parts.month;
    case 'day':
    case 'days':
      return parts.day;
    case 'dow':
      return parts.weekday;
    case 'isodow':
      return parts.weekday === 0 ? 7 : parts.weekday;
    case 'doy':
      return days - daysFromParts(parts.year, 1, 1) + 1;
    case 'quarter':
      return Math.floor((parts.month - 1) / 3) + 1;
    case 'week':
      return isoWeek(days).week;
    case 'isoyear':
      return isoWeek(days).year;
    case 'decade':
      return Math.floor(parts.year / 10);
    case 'century':
      return parts.year > 0
        ? Math.floor((parts.year - 1) / 100) + 1
        : -Math.floor((-parts.year - 1) / 100) - 1;
    case 'millennium':
      return parts.year > 0
        ? Math.floor((parts.year - 1) / 1000) + 1
        : -Math.floor((-parts.year - 1) / 1000) - 1;
    case 'epoch':
      return days * 86_400;
    case 'hour':
    case 'minute':
    case 'second':
      return 0;
    default:
      return fail('E_SQL_VALUE', `unit "${field}" not recognized for type date`, '22023');
  }
}

function truncateDate(field: string, days: number): number {
  const parts = dateParts(days);
  switch (field.toLowerCase()) {
    case 'year':
      return daysFromParts(parts.year, 1, 1);
    case 'quarter':
      return daysFromParts(parts.year, Math.floor((parts.month - 1) / 3) * 3 + 1, 1);
    case 'month':
      return daysFromParts(parts.year, parts.month, 1);
    case 'week': {
      const isoWeekday = parts.weekday === 0 ? 7 : parts.weekday;
      return days - (isoWeekday - 1);
    }
    case 'day':
      return days;
    case 'decade':
      return daysFromParts(Math.floor(parts.year / 10) * 10, 1, 1);
    case 'century':
      return daysFromParts(Math.floor((parts.year - 1) / 100) * 100 + 1, 1, 1);
    case 'millennium':
      return daysFromParts(Math.floor((parts.year - 1) / 1000) * 1000 + 1, 1, 1);
    default:
      return fail('E_SQL_VALUE', `unit "${field}" not recognized for type date`, '22023');
  }
}

function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const difference = value - floor;
  if (difference > 0.5) return floor + 1;
  if (difference < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

function absInt(value: Value): Value {
  if (typeof value === 'bigint') {
    if (value === -(2n ** 63n)) fail('E_SQL_OUT_OF_RANGE', 'bigint out of range');
    return value < 0n ? -value : value;
  }
  return Math.abs(value as number);
}

// ── string functions ──────────────────────────────────────────────────────────────────────────

const lengthImpl = (args: readonly Value[]): Value => {
  const value = text(args[0] ?? '');
  return isAscii(value) ? value.length : codePoints(value).length;
};
define('length', { args: ['String'], returns: 'Int', impl: lengthImpl });
define('char_length', { args: ['String'], returns: 'Int', impl: lengthImpl });
define('character_length', { args: ['String'], returns: 'Int', impl: lengthImpl });
define('octet_length', {
  args: ['String'],
  returns: 'Int',
  impl: (args) => Buffer.byteLength(text(args[0] ?? ''), 'utf8'),
});
define('lower', {
  args: ['String'],
  returns: 'String',
  impl: (args) => text(args[0]).toLowerCase(),
});
define('upper', {
  args: ['String'],
  returns: 'String',
  impl: (args) => text(args[0]).toUpperCase(),
});
const substrImpl: Signature[] = [
  {
    args: ['String', 'Int'],
    returns: 'String',
    impl: (args) => substring(text(args[0]), int(args[1] ?? 1), undefined),
  },
  {
    args: ['String', 'Int', 'Int'],
    returns: 'String',
    impl: (args) => substring(text(args[0]), int(args[1] ?? 1), int(args[2] ?? 0)),
  },
];
define('substr', ...substrImpl);
define('substring', ...substrImpl);
define(
  'btrim',
  {
    args: ['String'],
    returns: 'String',
    impl: (args) => trimChars(text(args[0]), ' ', true, true),
  },
  {
    args: ['String', 'String'],
    returns: 'String',
    impl: (args) => trimChars(text(args[0]), text(args[1]), true, true),
  },
);
define(
  'trim',
  {
    args: ['String'],
    returns: 'String',
    impl: (args) => trimChars(text(args[0]), ' ', true, true),
  },
  {
    args: ['String', 'String'],
    returns: 'String',
    impl: (args) => trimChars(text(args[0]), text(args[1]), true, true),
  },
);
define(
  'ltrim',
  {
    args: ['String'],
    returns: 'String',
    impl: (args) => trimChars(text(args[0]), ' ', true, false),
  },
  {
    args: ['String', 'String'],
    returns: 'String',
    impl: (args) => trimChars(text(args[0]), text(args[1]), true, false),
  },
);
define(
  'rtrim',
  {
    args: ['String'],
    returns: 'String',
    impl: (args) => trimChars(text(args[0]), ' ', false, true),
  },
  {
    args: ['String', 'String'],
    returns: 'String',
    impl: (args) => trimChars(text(args[0]), text(args[1]), false, true),
  },
);
define('replace', {
  args: ['String', 'String', 'String'],
  returns: 'String',
  impl: (args) => {
    const from = text(args[1]);
    return from === '' ? text(args[0]) : text(args[0]).split(from).join(text(args[2]));
  },
});
const strposImpl = (args: readonly Value[]): Value => {
  const haystack = text(args[0]);
  const index = haystack.indexOf(text(args[1]));
  if (index < 0) return 0;
  return isAscii(haystack) ? index + 1 : codePoints(haystack.slice(0, index)).length + 1;
};
define('strpos', { args: ['String', 'String'], returns: 'Int', impl: strposImpl });
define('position', { args: ['String', 'String'], returns: 'Int', impl: strposImpl });
define('concat', {
  args: [],
  variadic: 'String',
  returns: 'String',
  strict: false,
  impl: (args) => args.filter((arg) => arg !== null).join(''),
});
define('concat_ws', {
  args: ['String'],
  variadic: 'String',
  returns: 'String',
  strict: false,
  impl: (args) => {
    const [separator, ...rest] = args;
    if (separator === null || separator === undefined) return null;
    return rest.filter((arg) => arg !== null).join(text(separator));
  },
});
define('left', {
  args: ['String', 'Int'],
  returns: 'String',
  impl: (args) => {
    const chars = codePoints(text(args[0]));
    const count = int(args[1]);
    return chars.slice(0, count >= 0 ? count : Math.max(0, chars.length + count)).join('');
  },
});
define('right', {
  args: ['String', 'Int'],
  returns: 'String',
  impl: (args) => {
    const chars = codePoints(text(args[0]));
    const count = int(args[1]);
    return count >= 0
      ? chars.slice(Math.max(0, chars.length - count)).join('')
      : chars.slice(-count).join('');
  },
});
define(
  'lpad',
  {
    args: ['String', 'Int'],
    returns: 'String',
    impl: (args) => pad(text(args[0]), int(args[1]), ' ', true),
  },
  {
    args: ['String', 'Int', 'String'],
    returns: 'String',
    impl: (args) => pad(text(args[0]), int(args[1]), text(args[2]), true),
  },
);
define(
  'rpad',
  {
    args: ['String', 'Int'],
    returns: 'String',
    impl: (args) => pad(text(args[0]), int(args[1]), ' ', false),
  },
  {
    args: ['String', 'Int', 'String'],
    returns: 'String',
    impl: (args) => pad(text(args[0]), int(args[1]), text(args[2]), false),
  },
);
define('repeat', {
  args: ['String', 'Int'],
  returns: 'String',
  impl: (args) => {
    const count = int(args[1]);
    const value = text(args[0]);
    if (count <= 0) return '';
    if (value.length * count > 256 * 1024 * 1024)
      fail('E_SQL_OUT_OF_RANGE', 'requested length too large', '54000');
    return value.repeat(count);
  },
});
define('reverse', {
  args: ['String'],
  returns: 'String',
  impl: (args) => codePoints(text(args[0])).reverse().join(''),
});
define('starts_with', {
  args: ['String', 'String'],
  returns: 'Bool',
  impl: (args) => text(args[0]).startsWith(text(args[1])),
});
define('split_part', {
  args: ['String', 'String', 'Int'],
  returns: 'String',
  impl: (args) => {
    const index = int(args[2]);
    if (index === 0) fail('E_SQL_VALUE', 'field position must not be zero', '22023');
    const delimiter = text(args[1]);
    const parts = delimiter === '' ? [text(args[0])] : text(args[0]).split(delimiter);
    const part = index > 0 ? parts[index - 1] : parts[parts.length + index];
    return part ?? '';
  },
});
define('initcap', {
  args: ['String'],
  returns: 'String',
  impl: (args) =>
    text(args[0])
      .toLowerCase()
      .replace(
        /(^|[^\p{L}\p{N}])(\p{L})/gu,
        (_match, before: string, letter: string) => before + letter.toUpperCase(),
      ),
});
define('ascii', {
  args: ['String'],
  returns: 'Int',
  impl: (args) => text(args[0]).codePointAt(0) ?? 0,
});
define('chr', {
  args: ['Int'],
  returns: 'String',
  impl: (args) => {
    const code = int(args[0]);
    if (code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      fail('E_SQL_VALUE', `requested character not valid: ${code}`, '54000');
    }
    return String.fromCodePoint(code);
  },
});
define('md5', {
  args: ['String'],
  returns: 'String',
  impl: (args) => createHash('md5').update(text(args[0]), 'utf8').digest('hex'),
});
/** `a || b`: text concatenation, NULL if either side is NULL (unlike concat()). */
define('textcat', {
  args: ['String', 'String'],
  returns: 'String',
  impl: (args) => text(args[0]) + text(args[1]),
});
function regexFlags(caseInsensitive: boolean): string {
  return caseInsensitive ? 'iu' : 'u';
}
const regexCache = new Map<string, RegExp>();
function regex(pattern: string, caseInsensitive: boolean): RegExp {
  const key = `${caseInsensitive ? 'i' : 'c'}:${pattern}`;
  let compiled = regexCache.get(key);
  if (compiled === undefined) {
    try {
      compiled = new RegExp(pattern, regexFlags(caseInsensitive));
    } catch (error) {
      return fail(
        'E_SQL_VALUE',
        `invalid regular expression: ${(error as Error).message}`,
        '2201B',
      );
    }
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(key, compiled);
  }
  return compiled;
}
define('regexp_match_op', {
  args: ['String', 'String'],
  returns: 'Bool',
  impl: (args) => regex(text(args[1]), false).test(text(args[0])),
});
define('regexp_imatch_op', {
  args: ['String', 'String'],
  returns: 'Bool',
  impl: (args) => regex(text(args[1]), true).test(text(args[0])),
});

// ── math ──────────────────────────────────────────────────────────────────────────────────────

define(
  'abs',
  { args: ['Int'], returns: 'Int', impl: (args) => absInt(args[0] ?? 0) },
  { args: ['Float'], returns: 'Float', impl: (args) => Math.abs(args[0] as number) },
  { args: ['Decimal'], returns: 'Decimal', impl: (args) => absDecimal(text(args[0])) },
);
define(
  'sign',
  { args: ['Float'], returns: 'Float', impl: (args) => Math.sign(args[0] as number) },
  { args: ['Decimal'], returns: 'Decimal', impl: (args) => signDecimal(text(args[0])) },
);
for (const [name, mode] of [
  ['ceil', 'ceiling'],
  ['ceiling', 'ceiling'],
  ['floor', 'floor'],
] as const) {
  define(
    name,
    {
      args: ['Float'],
      returns: 'Float',
      impl: (args) => (mode === 'floor' ? Math.floor : Math.ceil)(args[0] as number) + 0,
    },
    { args: ['Decimal'], returns: 'Decimal', impl: (args) => roundDecimal(text(args[0]), 0, mode) },
  );
}
define(
  'round',
  { args: ['Float'], returns: 'Float', impl: (args) => roundHalfEven(args[0] as number) + 0 },
  {
    args: ['Decimal'],
    returns: 'Decimal',
    impl: (args) => roundDecimal(text(args[0]), 0, 'halfAwayFromZero'),
  },
  {
    args: ['Decimal', 'Int'],
    returns: 'Decimal',
    impl: (args) => roundDecimal(text(args[0]), int(args[1]), 'halfAwayFromZero'),
  },
);
define(
  'trunc',
  { args: ['Float'], returns: 'Float', impl: (args) => Math.trunc(args[0] as number) + 0 },
  {
    args: ['Decimal'],
    returns: 'Decimal',
    impl: (args) => roundDecimal(text(args[0]), 0, 'truncate'),
  },
  {
    args: ['Decimal', 'Int'],
    returns: 'Decimal',
    impl: (args) => roundDecimal(text(args[0]), int(args[1]), 'truncate'),
  },
);
define('sqrt', {
  args: ['Float'],
  returns: 'Float',
  impl: (args) => {
    const value = args[0] as number;
    if (value < 0) fail('E_SQL_VALUE', 'cannot take square root of a negative number', '2201F');
    return Math.sqrt(value);
  },
});
define('cbrt', { args: ['Float'], returns: 'Float', impl: (args) => Math.cbrt(args[0] as number) });
define('exp', {
  args: ['Float'],
  returns: 'Float',
  impl: (args) => checkedFloat(Math.exp(args[0] as number)),
});
function logarithm(value: number, base: (x: number) => number): number {
  if (value === 0) fail('E_SQL_VALUE', 'cannot take logarithm of zero', '2201E');
  if (value < 0) fail('E_SQL_VALUE', 'cannot take logarithm of a negative number', '2201E');
  return base(value);
}
define('ln', {
  args: ['Float'],
  returns: 'Float',
  impl: (args) => logarithm(args[0] as number, Math.log),
});
define('log10', {
  args: ['Float'],
  returns: 'Float',
  impl: (args) => logarithm(args[0] as number, Math.log10),
});
define(
  'log',
  { args: ['Float'], returns: 'Float', impl: (args) => logarithm(args[0] as number, Math.log10) },
  {
    args: ['Float', 'Float'],
    returns: 'Float',
    impl: (args) => logarithm(args[1] as number, Math.log) / logarithm(args[0] as number, Math.log),
  },
);
const powerImpl = (args: readonly Value[]): Value => {
  const base = args[0] as number;
  const exponent = args[1] as number;
  if (base === 0 && exponent < 0)
    fail('E_SQL_VALUE', 'zero raised to a negative power is undefined', '2201F');
  if (base < 0 && !Number.isInteger(exponent)) {
    fail(
      'E_SQL_VALUE',
      'a negative number raised to a non-integer power yields a complex result',
      '2201F',
    );
  }
  return checkedFloat(Math.pow(base, exponent));
};
define('power', { args: ['Float', 'Float'], returns: 'Float', impl: powerImpl });
define('pow', { args: ['Float', 'Float'], returns: 'Float', impl: powerImpl });
define(
  'mod',
  {
    args: ['Int', 'Int'],
    returns: 'Int',
    impl: (args) => {
      const [a, b] = [args[0] ?? 0, args[1] ?? 0];
      if (b === 0 || b === 0n) fail('E_SQL_DIVISION_BY_ZERO', 'division by zero');
      if (typeof a === 'number' && typeof b === 'number') return a % b;
      const result = BigInt(a as number | bigint) % BigInt(b as number | bigint);
      return Number(result);
    },
  },
  {
    args: ['Decimal', 'Decimal'],
    returns: 'Decimal',
    impl: (args) => modDecimal(text(args[0]), text(args[1])),
  },
);
define('pi', { args: [], returns: 'Float', impl: () => Math.PI });
define('random', { args: [], returns: 'Float', volatile: true, impl: () => Math.random() });
define('degrees', {
  args: ['Float'],
  returns: 'Float',
  impl: (args) => ((args[0] as number) * 180) / Math.PI,
});
define('radians', {
  args: ['Float'],
  returns: 'Float',
  impl: (args) => ((args[0] as number) * Math.PI) / 180,
});
for (const name of ['sin', 'cos', 'tan', 'asin', 'acos', 'atan'] as const) {
  define(name, {
    args: ['Float'],
    returns: 'Float',
    impl: (args) => {
      const argument = args[0] as number;
      const result = Math[name](argument);
      if (Number.isNaN(result) && !Number.isNaN(argument))
        fail('E_SQL_VALUE', 'input is out of range', '22003');
      return result;
    },
  });
}
define('atan2', {
  args: ['Float', 'Float'],
  returns: 'Float',
  impl: (args) => Math.atan2(args[0] as number, args[1] as number),
});

// ── dates ─────────────────────────────────────────────────────────────────────────────────────

define('current_date', {
  args: [],
  returns: 'Date',
  impl: (_args, context) => context.currentDate,
});
define('date_part', {
  args: ['String', 'Date'],
  returns: 'Float',
  impl: (args) => dateField(text(args[0]), args[1] as number),
});
/** EXTRACT returns numeric since PostgreSQL 14. */
define('extract', {
  args: ['String', 'Date'],
  returns: 'Decimal',
  impl: (args) => String(dateField(text(args[0]), args[1] as number)),
});
/** date_trunc on a date returns a date in catrust (PostgreSQL returns a timestamp; catrust has none). */
define('date_trunc', {
  args: ['String', 'Date'],
  returns: 'Date',
  impl: (args) => truncateDate(text(args[0]), args[1] as number),
});
define('make_date', {
  args: ['Int', 'Int', 'Int'],
  returns: 'Date',
  impl: (args) => {
    const [year, month, day] = [int(args[0]), int(args[1]), int(args[2])];
    const formatted = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    if (year < 1 || year > 9999)
      fail('E_SQL_OUT_OF_RANGE', `date field value out of range: ${year}-${month}-${day}`, '22008');
    return parseDateLiteral(formatted);
  },
});
define('to_date_iso', {
  args: ['String'],
  returns: 'Date',
  impl: (args) => parseDateLiteral(text(args[0]).trim()),
});

// ── session and misc ──────────────────────────────────────────────────────────────────────────

define('current_user', { args: [], returns: 'String', impl: (_args, context) => context.user });
define('session_user', { args: [], returns: 'String', impl: (_args, context) => context.user });
define('current_database', {
  args: [],
  returns: 'String',
  impl: (_args, context) => context.database,
});
define('current_schema', { args: [], returns: 'String', impl: () => 'public' });
define('version', { args: [], returns: 'String', impl: () => 'PostgreSQL 15.0 (catrust 0.1.0)' });
define('gen_random_uuid', { args: [], returns: 'Uuid', volatile: true, impl: () => randomUUID() });

/**
 * Functions over "any" type whose result type is the common type of their arguments
 * (coalesce, nullif, greatest, least): resolved by the binder, evaluated here.
 */
export function commonTypeFunction(
  name: 'coalesce' | 'nullif' | 'greatest' | 'least',
  type: ScalarType,
): ResolvedFunction {
  const compareSame = (a: Scalar, b: Scalar): number => compareScalars(type, a, b);
  switch (name) {
    case 'coalesce':
      return {
        name,
        argTypes: [],
        returns: type,
        strict: false,
        volatile: false,
        impl: (args) => args.find((arg) => arg !== null) ?? null,
      };
    case 'nullif':
      return {
        name,
        argTypes: [type, type],
        returns: type,
        strict: false,
        volatile: false,
        impl: (args) => {
          const [a, b] = [args[0] ?? null, args[1] ?? null];
          if (a === null) return null;
          return b !== null && compareSame(a, b) === 0 ? null : a;
        },
      };
    case 'greatest':
    case 'least':
      return {
        name,
        argTypes: [],
        returns: type,
        strict: false,
        volatile: false,
        impl: (args) => {
          let best: Scalar | null = null;
          for (const arg of args) {
            if (arg === null) continue;
            if (best === null) best = arg;
            else {
              const order = compareSame(arg, best);
              if (name === 'greatest' ? order > 0 : order < 0) best = arg;
            }
          }
          return best;
        },
      };
  }
}
