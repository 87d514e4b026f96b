/**
 * The built-in typesides: `sql` (catrust's seven types and their functions) and `empty`.
 *
 * `sql` has one sort per scalar type of common/scalar.ts: String, Int, Float, Bool, Date,
 * Uuid, Decimal. The type names of the reference's `sql` typeside are read as aliases
 * (`Varchar`, `Text`, `Integer`, `Bigint`, `Double`, `Real`, `Boolean`, `Numeric`, …), so
 * reference programs over `sql` check unchanged. Its functions (documented in
 * docs/run-json.md, "The sql typeside"), where N is Int, Float or Decimal and T any type:
 *
 * | function                              | meaning                                       |
 * |---------------------------------------|-----------------------------------------------|
 * | plus, minus, times, divide : N, N → N | arithmetic; Int is exact and range-checked, Int division truncates, Decimal division keeps 18 digits |
 * | mod : Int, Int → Int                  | remainder (sign of the dividend)              |
 * | negate, abs : N → N                   |                                               |
 * | eq, neq, lt, le, gt, ge : T, T → Bool | comparison (Decimal by value, Date by day)    |
 * | and, or : Bool, Bool → Bool; not : Bool → Bool |                                      |
 * | concat : String, String → String      |                                               |
 * | length : String → Int; upper, lower, trim : String → String |                         |
 * | toString : T → String                 | the value's text form                         |
 * | toInt : Float/Decimal/String → Int    | truncates toward zero; strings are parsed     |
 * | toFloat : Int/Decimal/String → Float; toDecimal : Int/Float/String → Decimal |         |
 * | year, month, day : Date → Int; addDays : Date, Int → Date; daysBetween : Date, Date → Int | |
 *
 * A function applied to SQL NULL gives NULL (handled by the caller, not here). A function that
 * cannot give a value (division by zero, Int overflow) throws a `ValueError`.
 */
import {
  INT64_MAX,
  INT64_MIN,
  SCALAR_TYPES,
  ValueError,
  addDecimal,
  canonicalDecimal,
  compareValues,
  divideDecimal,
  formatDate,
  formatValue,
  multiplyDecimal,
  normalizeInt,
  parseDateLiteral,
  parseDecimalLiteral,
  parseFloatLiteral,
  parseIntLiteral,
  subtractDecimal,
  type Scalar,
  type ScalarType,
} from '../common/index.js';
import { Typeside, type Sort, type TypesideFunction } from './typeside.js';

const NUMERIC: readonly ScalarType[] = ['Int', 'Float', 'Decimal'];

/** The reference's `sql` type names, read as catrust's seven types. */
export const SQL_SORT_ALIASES: ReadonlyMap<string, ScalarType> = new Map<string, ScalarType>([
  ['Varchar', 'String'],
  ['Text', 'String'],
  ['Char', 'String'],
  ['Nvarchar', 'String'],
  ['Longvarchar', 'String'],
  ['Clob', 'String'],
  ['Integer', 'Int'],
  ['Bigint', 'Int'],
  ['Smallint', 'Int'],
  ['Tinyint', 'Int'],
  ['Double', 'Float'],
  ['Real', 'Float'],
  ['Boolean', 'Bool'],
  ['Bit', 'Bool'],
  ['Numeric', 'Decimal'],
]);

function int(value: Scalar): bigint {
  return BigInt(value as number | bigint);
}

function checkedInt(value: bigint): number | bigint {
  if (value < INT64_MIN || value > INT64_MAX) {
    throw new ValueError(`Int result ${value} is outside the signed 64-bit range`, {
      sqlstate: '22003',
    });
  }
  return normalizeInt(value);
}

function finite(value: number): number {
  if (!Number.isFinite(value)) {
    throw new ValueError(`Float result ${value} is not finite`, { sqlstate: '22003' });
  }
  return value;
}

function divisionByZero(): ValueError {
  return new ValueError('division by zero', { sqlstate: '22012' });
}

type Evaluate = (args: readonly Scalar[]) => Scalar;

function arithmetic(type: ScalarType, op: 'plus' | 'minus' | 'times' | 'divide'): Evaluate {
  return ([a, b]) => {
    if (a === undefined || b === undefined) throw new ValueError(`${op} takes two arguments`);
    if (type === 'Int') {
      const x = int(a);
      const y = int(b);
      if (op === 'divide' && y === 0n) throw divisionByZero();
      const result =
        op === 'plus' ? x + y : op === 'minus' ? x - y : op === 'times' ? x * y : x / y;
      return checkedInt(result);
    }
    if (type === 'Decimal') {
      const x = a as string;
      const y = b as string;
      if (op === 'divide') {
        if (canonicalDecimal(y) === '0') throw divisionByZero();
        return divideDecimal(x, y);
      }
      return op === 'plus'
        ? addDecimal(x, y)
        : op === 'minus'
          ? subtractDecimal(x, y)
          : multiplyDecimal(x, y);
    }
    const x = a as number;
    const y = b as number;
    if (op === 'divide' && y === 0) throw divisionByZero();
    return finite(op === 'plus' ? x + y : op === 'minus' ? x - y : op === 'times' ? x * y : x / y);
  };
}

function negate(type: ScalarType): Evaluate {
  return ([a]) => {
    if (type === 'Int') return checkedInt(-int(a as Scalar));
    if (type === 'Decimal') return subtractDecimal('0', a as string);
    return -(a as number) + 0;
  };
}

function absolute(type: ScalarType): Evaluate {
  return ([a]) => {
    if (type === 'Int') {
      const x = int(a as Scalar);
      return checkedInt(x < 0n ? -x : x);
    }
    if (type === 'Decimal') return (a as string).replace(/^-/, '');
    return Math.abs(a as number);
  };
}

function comparison(type: ScalarType, op: string): Evaluate {
  return ([a, b]) => {
    const order = compareValues(type, a as Scalar, b as Scalar);
    switch (op) {
      case 'eq':
        return order === 0;
      case 'neq':
        return order !== 0;
      case 'lt':
        return order < 0;
      case 'le':
        return order <= 0;
      case 'gt':
        return order > 0;
      default:
        return order >= 0;
    }
  };
}

function truncateToInt(value: number): number | bigint {
  if (!Number.isFinite(value)) throw new ValueError(`cannot convert ${value} to Int`);
  return checkedInt(BigInt(Math.trunc(value)));
}

const MS_PER_DAY = 86_400_000;

function dateField(field: 'year' | 'month' | 'day'): Evaluate {
  return ([a]) => {
    const date = new Date((a as number) * MS_PER_DAY);
    if (field === 'year') return date.getUTCFullYear();
    if (field === 'month') return date.getUTCMonth() + 1;
    return date.getUTCDate();
  };
}

/** Every function of the `sql` typeside. */
function sqlFunctions(): TypesideFunction[] {
  const functions: TypesideFunction[] = [];
  const add = (name: string, args: readonly ScalarType[], result: ScalarType, fn: Evaluate) =>
    functions.push({
      kind: 'TypesideFunction',
      name,
      argumentSorts: args,
      resultSort: result,
      implementation: { kind: 'builtin', evaluate: fn },
      location: undefined,
    });
  for (const type of NUMERIC) {
    for (const op of ['plus', 'minus', 'times', 'divide'] as const) {
      add(op, [type, type], type, arithmetic(type, op));
    }
    add('negate', [type], type, negate(type));
    add('abs', [type], type, absolute(type));
  }
  add('mod', ['Int', 'Int'], 'Int', ([a, b]) => {
    const y = int(b as Scalar);
    if (y === 0n) throw divisionByZero();
    return checkedInt(int(a as Scalar) % y);
  });
  for (const type of SCALAR_TYPES) {
    for (const op of ['eq', 'neq', 'lt', 'le', 'gt', 'ge'])
      add(op, [type, type], 'Bool', comparison(type, op));
    if (type !== 'String') {
      add('toString', [type], 'String', ([a]) => formatValue(type, a as Scalar));
    }
  }
  add('and', ['Bool', 'Bool'], 'Bool', ([a, b]) => a === true && b === true);
  add('or', ['Bool', 'Bool'], 'Bool', ([a, b]) => a === true || b === true);
  add('not', ['Bool'], 'Bool', ([a]) => a !== true);
  add('concat', ['String', 'String'], 'String', ([a, b]) => `${String(a)}${String(b)}`);
  add('length', ['String'], 'Int', ([a]) => [...(a as string)].length);
  add('upper', ['String'], 'String', ([a]) => (a as string).toUpperCase());
  add('lower', ['String'], 'String', ([a]) => (a as string).toLowerCase());
  add('trim', ['String'], 'String', ([a]) => (a as string).trim());
  add('toInt', ['Float'], 'Int', ([a]) => truncateToInt(a as number));
  add('toInt', ['Decimal'], 'Int', ([a]) => checkedInt(BigInt((a as string).split('.')[0] ?? '0')));
  add('toInt', ['String'], 'Int', ([a]) => parseIntLiteral((a as string).trim()));
  add('toFloat', ['Int'], 'Float', ([a]) => Number(a));
  add('toFloat', ['Decimal'], 'Float', ([a]) => finite(Number(a)));
  add('toFloat', ['String'], 'Float', ([a]) => parseFloatLiteral((a as string).trim()));
  add('toDecimal', ['Int'], 'Decimal', ([a]) => String(a));
  add('toDecimal', ['Float'], 'Decimal', ([a]) => parseDecimalLiteral(String(a)));
  add('toDecimal', ['String'], 'Decimal', ([a]) => parseDecimalLiteral((a as string).trim()));
  add('year', ['Date'], 'Int', dateField('year'));
  add('month', ['Date'], 'Int', dateField('month'));
  add('day', ['Date'], 'Int', dateField('day'));
  add('addDays', ['Date', 'Int'], 'Date', ([a, b]) => {
    const days = (a as number) + Number(b);
    return parseDateLiteral(formatDate(days));
  });
  add('daysBetween', ['Date', 'Date'], 'Int', ([a, b]) => (b as number) - (a as number));
  return functions;
}

function scalarSort(type: ScalarType): Sort {
  return {
    kind: 'Sort',
    name: type,
    scalarType: type,
    externalClass: undefined,
    literals: 'scalar',
    parseExternal: undefined,
    location: undefined,
  };
}

/** The built-in `sql` typeside (one shared instance). */
export const SQL_TYPESIDE: Typeside = new Typeside({
  name: 'sql',
  builtin: 'sql',
  sorts: SCALAR_TYPES.map(scalarSort),
  sortAliases: SQL_SORT_ALIASES,
  constants: [],
  functions: sqlFunctions(),
  equations: [],
  location: undefined,
});

/** The built-in `empty` typeside: no sorts, no symbols. */
export const EMPTY_TYPESIDE: Typeside = new Typeside({
  name: 'empty',
  builtin: 'empty',
  sorts: [],
  constants: [],
  functions: [],
  equations: [],
  location: undefined,
});
