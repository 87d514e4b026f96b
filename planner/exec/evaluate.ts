/**
 * Expressions over batches: `evaluate(expr, batch, layout, env)` gives one vector of
 * `batch.length` rows. Numbers (Int within ±2^53, Float, Date) take typed-array kernels; other
 * types and the rare cases (an Int past 2^53, a NULL-heavy CASE) go row by row through the
 * scalar semantics in expr/. Three-valued logic throughout: NULL is a value of every type.
 *
 * CASE evaluates each branch only on the rows that reach it, so `CASE WHEN x = 0 THEN 0 ELSE
 * 1 / x END` never divides by zero (PostgreSQL's guarantee for CASE).
 */
import {
  addDecimal,
  assertNever,
  compareDecimal,
  divideDecimal,
  InternalError,
  multiplyDecimal,
  normalizeInt,
  subtractDecimal,
  type Scalar,
  type ScalarType,
  type Value,
} from '../../common/index.js';
import {
  andValidity,
  constVector,
  gatherBatch,
  isNullAt,
  valueAt,
  VectorBuilder,
  type Batch,
  type BoolVector,
  type Vector,
} from '../data/vector.js';
import { PlanError } from '../errors.js';
import { castValue } from '../expr/cast.js';
import { compareHolds, compareNumbers, compareScalars } from '../expr/compare.js';
import { modDecimal, negateDecimal } from '../expr/decimal-ops.js';
import type { ArithOp, ColumnId, CompareOp, Expr } from '../expr/expr.js';
import { commonTypeFunction, resolveFunction, type ResolvedFunction } from '../expr/functions.js';
import type { ExecutionEnvironment } from './environment.js';
import { runSubquery } from './subquery.js';

/** Where each input column id sits in a batch. */
export type Layout = ReadonlyMap<ColumnId, number>;

export function layoutOf(columns: readonly { readonly id: ColumnId }[]): Layout {
  return new Map(columns.map((outputColumn, index) => [outputColumn.id, index]));
}

function build(type: ScalarType, length: number, valueOfRow: (row: number) => Value): Vector {
  const builder = new VectorBuilder(type, Math.max(8, length));
  for (let row = 0; row < length; row++) builder.append(valueOfRow(row));
  return builder.finish();
}

function boolVector(
  values: Uint8Array,
  validity: Uint8Array | undefined,
  length: number,
): BoolVector {
  return { kind: 'bool', type: 'Bool', length, values, validity };
}

export function evaluate(
  expr: Expr,
  batch: Batch,
  layout: Layout,
  env: ExecutionEnvironment,
): Vector {
  const length = batch.length;
  switch (expr.kind) {
    case 'Column': {
      const index = layout.get(expr.id);
      if (index !== undefined) {
        const vector = batch.columns[index];
        if (vector !== undefined) return vector;
      }
      if (env.outer.has(expr.id))
        return constVector(expr.type, env.outer.get(expr.id) ?? null, length);
      throw new InternalError(`column ${expr.name} (#${expr.id}) is not available here`);
    }
    case 'Literal':
      return constVector(expr.type, expr.value, length);
    case 'Parameter': {
      if (expr.index > env.parameters.length) {
        throw new PlanError('E_SQL_PARAMETER', `no value was bound for parameter $${expr.index}`);
      }
      return constVector(expr.type, env.parameters[expr.index - 1] ?? null, length);
    }
    case 'Compare':
      return compareVectors(
        expr.op,
        expr.left.type,
        evaluate(expr.left, batch, layout, env),
        evaluate(expr.right, batch, layout, env),
        length,
      );
    case 'Arith':
      return arithmetic(
        expr,
        evaluate(expr.left, batch, layout, env),
        evaluate(expr.right, batch, layout, env),
        length,
      );
    case 'Negate': {
      const operand = evaluate(expr.operand, batch, layout, env);
      return mapValues(expr.type, operand, length, (value) => negate(expr.type, value));
    }
    case 'Logical':
      return logical(expr.op, expr.args, batch, layout, env);
    case 'Not': {
      const operand = evaluate(expr.operand, batch, layout, env);
      if (operand.kind === 'bool') {
        const values = new Uint8Array(length);
        for (let row = 0; row < length; row++) values[row] = operand.values[row] === 1 ? 0 : 1;
        return boolVector(values, operand.validity, length);
      }
      return mapValues('Bool', operand, length, (value) => !value);
    }
    case 'IsNull': {
      const operand = evaluate(expr.operand, batch, layout, env);
      const values = new Uint8Array(length);
      for (let row = 0; row < length; row++)
        values[row] = isNullAt(operand, row) !== expr.negated ? 1 : 0;
      return boolVector(values, undefined, length);
    }
    case 'IsDistinct': {
      const left = evaluate(expr.left, batch, layout, env);
      const right = evaluate(expr.right, batch, layout, env);
      const type = expr.left.type;
      return build('Bool', length, (row) => {
        const a = valueAt(left, row);
        const b = valueAt(right, row);
        const distinct = a === null || b === null ? a !== b : compareScalars(type, a, b) !== 0;
        return expr.negated ? !distinct : distinct;
      });
    }
    case 'InList': {
      const operand = evaluate(expr.operand, batch, layout, env);
      const items = expr.list.map((item) => evaluate(item, batch, layout, env));
      const type = expr.operand.type;
      return build('Bool', length, (row) => {
        const value = valueAt(operand, row);
        if (value === null) return null;
        let sawNull = false;
        for (const item of items) {
          const candidate = valueAt(item, row);
          if (candidate === null) sawNull = true;
          else if (compareScalars(type, value, candidate) === 0) return !expr.negated;
        }
        return sawNull ? null : expr.negated;
      });
    }
    case 'Like': {
      const operand = evaluate(expr.operand, batch, layout, env);
      const pattern = evaluate(expr.pattern, batch, layout, env);
      return build('Bool', length, (row) => {
        const value = valueAt(operand, row);
        const likePattern = valueAt(pattern, row);
        if (value === null || likePattern === null) return null;
        const matches = likeRegex(likePattern as string, expr.caseInsensitive).test(
          value as string,
        );
        return matches !== expr.negated;
      });
    }
    case 'Case':
      return caseExpr(expr, batch, layout, env);
    case 'Cast': {
      const operand = evaluate(expr.operand, batch, layout, env);
      const from = expr.operand.type;
      if (from === expr.type) return operand;
      if (operand.kind === 'const')
        return constVector(expr.type, castValue(operand.value, from, expr.type), length);
      if (operand.kind === 'number' && from === 'Int' && expr.type === 'Float') {
        return { ...operand, type: 'Float' };
      }
      return mapValues(expr.type, operand, length, (value) => castValue(value, from, expr.type));
    }
    case 'Call':
      return call(expr, batch, layout, env);
    case 'Subquery':
      return runSubquery(expr, batch, layout, env, evaluate);
    default:
      return assertNever(expr, 'expression');
  }
}

/** Apply a strict scalar function row by row (NULL in → NULL out). */
function mapValues(
  type: ScalarType,
  operand: Vector,
  length: number,
  fn: (value: Scalar) => Value,
): Vector {
  if (operand.kind === 'const') {
    return constVector(type, operand.value === null ? null : fn(operand.value), length);
  }
  return build(type, length, (row) => {
    const value = valueAt(operand, row);
    return value === null ? null : fn(value);
  });
}

// ── comparison ──────────────────────────────────────────────────────────────────────────────

export function compareVectors(
  op: CompareOp,
  type: ScalarType,
  left: Vector,
  right: Vector,
  length: number,
): Vector {
  if (
    left.kind === 'number' &&
    (right.kind === 'number' || (right.kind === 'const' && typeof right.value === 'number'))
  ) {
    const values = new Uint8Array(length);
    const a = left.values;
    if (right.kind === 'const' && Number.isNaN(right.value)) {
      // Against NaN (the greatest float8, equal to itself) every row is decided by being NaN.
      for (let row = 0; row < length; row++) {
        values[row] = compareHolds(op, compareNumbers(a[row]!, NaN)) ? 1 : 0;
      }
      return boolVector(values, left.validity, length);
    }
    if (right.kind === 'const') {
      // JavaScript's comparisons with a number are PostgreSQL's except for a NaN row, which
      // is greater than `b`: only `>` and `>=` need to let it through.
      const b = right.value as number;
      switch (op) {
        case '=':
          for (let row = 0; row < length; row++) values[row] = a[row] === b ? 1 : 0;
          break;
        case '<>':
          for (let row = 0; row < length; row++) values[row] = a[row] !== b ? 1 : 0;
          break;
        case '<':
          for (let row = 0; row < length; row++) values[row] = a[row]! < b ? 1 : 0;
          break;
        case '<=':
          for (let row = 0; row < length; row++) values[row] = a[row]! <= b ? 1 : 0;
          break;
        case '>':
          for (let row = 0; row < length; row++) {
            const value = a[row]!;
            values[row] = value > b || value !== value ? 1 : 0;
          }
          break;
        case '>=':
          for (let row = 0; row < length; row++) {
            const value = a[row]!;
            values[row] = value >= b || value !== value ? 1 : 0;
          }
          break;
        default:
          return assertNever(op, 'comparison');
      }
      return boolVector(values, left.validity, length);
    }
    const b = right.values;
    for (let row = 0; row < length; row++) {
      values[row] = compareHolds(op, compareNumbers(a[row]!, b[row]!)) ? 1 : 0;
    }
    return boolVector(values, andValidity(left.validity, right.validity, length), length);
  }
  if (
    left.kind === 'dict' &&
    right.kind === 'const' &&
    right.value !== null &&
    (type === 'String' || type === 'Uuid')
  ) {
    // One comparison per dictionary entry, then a lookup per row.
    const target = right.value;
    const results = new Uint8Array(left.dictionary.length);
    for (let code = 0; code < left.dictionary.length; code++) {
      results[code] = compareHolds(op, compareScalars(type, left.dictionary[code]!, target))
        ? 1
        : 0;
    }
    const values = new Uint8Array(length);
    for (let row = 0; row < length; row++) values[row] = results[left.codes[row]!] ?? 0;
    return boolVector(values, left.validity, length);
  }
  return build('Bool', length, (row) => {
    const a = valueAt(left, row);
    const b = valueAt(right, row);
    if (a === null || b === null) return null;
    return compareHolds(op, compareScalars(type, a, b));
  });
}

// ── arithmetic ──────────────────────────────────────────────────────────────────────────────

function divisionByZero(): PlanError {
  return new PlanError('E_SQL_DIVISION_BY_ZERO', 'division by zero');
}

function intOutOfRange(): PlanError {
  return new PlanError('E_SQL_OUT_OF_RANGE', 'bigint out of range');
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function checkedBig(value: bigint): number | bigint {
  if (value < INT64_MIN || value > INT64_MAX) throw intOutOfRange();
  return normalizeInt(value);
}

export function intArith(op: ArithOp, a: number | bigint, b: number | bigint): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    switch (op) {
      case '+': {
        const result = a + b;
        if (Number.isSafeInteger(result)) return result;
        break;
      }
      case '-': {
        const result = a - b;
        if (Number.isSafeInteger(result)) return result;
        break;
      }
      case '*': {
        const result = a * b;
        if (Number.isSafeInteger(result)) return result + 0;
        break;
      }
      case '/':
        if (b === 0) throw divisionByZero();
        return (a - (a % b)) / b + 0;
      case '%':
        if (b === 0) throw divisionByZero();
        return (a % b) + 0;
      default:
        return assertNever(op, 'arithmetic');
    }
  }
  const x = BigInt(a);
  const y = BigInt(b);
  switch (op) {
    case '+':
      return checkedBig(x + y);
    case '-':
      return checkedBig(x - y);
    case '*':
      return checkedBig(x * y);
    case '/':
      if (y === 0n) throw divisionByZero();
      return checkedBig(x / y);
    case '%':
      if (y === 0n) throw divisionByZero();
      return checkedBig(x % y);
    default:
      return assertNever(op, 'arithmetic');
  }
}

function floatArith(op: ArithOp, a: number, b: number): number {
  let result: number;
  switch (op) {
    case '+':
      result = a + b;
      break;
    case '-':
      result = a - b;
      break;
    case '*':
      result = a * b;
      break;
    case '/':
      if (b === 0) throw divisionByZero();
      result = a / b;
      break;
    case '%':
      if (b === 0) throw divisionByZero();
      result = a % b;
      break;
    default:
      return assertNever(op, 'arithmetic');
  }
  // PostgreSQL's check (float.h, float_overflow_error): an infinite result of finite operands;
  // NaN operands give NaN, as in PostgreSQL.
  if (!Number.isFinite(result) && Number.isFinite(a) && Number.isFinite(b) && !Number.isNaN(result))
    throw new PlanError('E_SQL_OUT_OF_RANGE', 'value out of range: overflow');
  return result;
}

function decimalArith(op: ArithOp, a: string, b: string): string {
  switch (op) {
    case '+':
      return addDecimal(a, b);
    case '-':
      return subtractDecimal(a, b);
    case '*':
      return multiplyDecimal(a, b);
    case '/':
      if (compareDecimal(b, '0') === 0) throw divisionByZero();
      return divideDecimal(a, b);
    case '%':
      return modDecimal(a, b);
    default:
      return assertNever(op, 'arithmetic');
  }
}

export function scalarArith(
  op: ArithOp,
  leftType: ScalarType,
  resultType: ScalarType,
  a: Scalar,
  b: Scalar,
): Value {
  if (leftType === 'Date') {
    if (resultType === 'Int') return (a as number) - (b as number);
    const days = op === '+' ? (a as number) + Number(b) : (a as number) - Number(b);
    if (!Number.isSafeInteger(days)) throw new PlanError('E_SQL_OUT_OF_RANGE', 'date out of range');
    return days;
  }
  switch (resultType) {
    case 'Int':
      return intArith(op, a as number | bigint, b as number | bigint);
    case 'Float':
      return floatArith(op, a as number, b as number);
    case 'Decimal':
      return decimalArith(op, a as string, b as string);
    default:
      throw new InternalError(`arithmetic on ${resultType}`);
  }
}

function arithmetic(
  expr: Extract<Expr, { kind: 'Arith' }>,
  left: Vector,
  right: Vector,
  length: number,
): Vector {
  const leftType = expr.left.type;
  if (
    expr.type === 'Float' &&
    left.kind === 'number' &&
    (right.kind === 'number' || right.kind === 'const') &&
    expr.op !== '/' &&
    expr.op !== '%'
  ) {
    const constant = right.kind === 'const' ? right.value : undefined;
    if (right.kind === 'number' || typeof constant === 'number') {
      const values = new Float64Array(length);
      const a = left.values;
      const b = right.kind === 'number' ? right.values : undefined;
      const c = constant as number;
      for (let row = 0; row < length; row++) {
        const y = b === undefined ? c : b[row]!;
        values[row] = expr.op === '+' ? a[row]! + y : expr.op === '-' ? a[row]! - y : a[row]! * y;
      }
      const validity =
        right.kind === 'number'
          ? andValidity(left.validity, right.validity, length)
          : left.validity;
      for (let row = 0; row < length; row++) {
        if (!Number.isFinite(values[row]!))
          return arithmeticRows(expr, leftType, left, right, length);
      }
      return { kind: 'number', type: 'Float', length, values, validity };
    }
  }
  if (left.kind === 'const' && right.kind === 'const') {
    return constVector(
      expr.type,
      left.value === null || right.value === null
        ? null
        : scalarArith(expr.op, leftType, expr.type, left.value, right.value),
      length,
    );
  }
  return arithmeticRows(expr, leftType, left, right, length);
}

function arithmeticRows(
  expr: Extract<Expr, { kind: 'Arith' }>,
  leftType: ScalarType,
  left: Vector,
  right: Vector,
  length: number,
): Vector {
  return build(expr.type, length, (row) => {
    const a = valueAt(left, row);
    const b = valueAt(right, row);
    if (a === null || b === null) return null;
    return scalarArith(expr.op, leftType, expr.type, a, b);
  });
}

function negate(type: ScalarType, value: Scalar): Value {
  switch (type) {
    case 'Int':
      return intArith('-', 0, value as number | bigint);
    case 'Float':
      return -(value as number);
    case 'Decimal':
      return negateDecimal(value as string);
    default:
      throw new InternalError(`negation of ${type}`);
  }
}

// ── logic ───────────────────────────────────────────────────────────────────────────────────

/** AND / OR with three-valued logic (false AND NULL = false, true OR NULL = true). */
function logical(
  op: 'and' | 'or',
  args: readonly Expr[],
  batch: Batch,
  layout: Layout,
  env: ExecutionEnvironment,
): Vector {
  const length = batch.length;
  // state per row: 1 = true, 0 = false, 2 = null
  const state = new Uint8Array(length).fill(op === 'and' ? 1 : 0);
  const decisive = op === 'and' ? 0 : 1;
  for (const arg of args) {
    const vector = evaluate(arg, batch, layout, env);
    if (vector.kind === 'bool') {
      const values = vector.values;
      const validity = vector.validity;
      for (let row = 0; row < length; row++) {
        if (state[row] === decisive) continue;
        const valid = validity === undefined || (validity[row >>> 3]! & (1 << (row & 7))) !== 0;
        if (!valid) state[row] = 2;
        else if (values[row] === decisive) state[row] = decisive;
      }
    } else {
      for (let row = 0; row < length; row++) {
        if (state[row] === decisive) continue;
        const value = valueAt(vector, row);
        if (value === null) state[row] = 2;
        else if ((value === true ? 1 : 0) === decisive) state[row] = decisive;
      }
    }
  }
  const values = new Uint8Array(length);
  let validity: Uint8Array | undefined;
  for (let row = 0; row < length; row++) {
    if (state[row] === 2) {
      validity ??= new Uint8Array((length + 7) >>> 3).fill(0xff);
      validity[row >>> 3] = validity[row >>> 3]! & ~(1 << (row & 7));
    } else values[row] = state[row]!;
  }
  return boolVector(values, validity, length);
}

function caseExpr(
  expr: Extract<Expr, { kind: 'Case' }>,
  batch: Batch,
  layout: Layout,
  env: ExecutionEnvironment,
): Vector {
  const length = batch.length;
  const results: Value[] = new Array<Value>(length).fill(null);
  let remaining = Int32Array.from({ length }, (_, row) => row);
  for (const arm of expr.whens) {
    if (remaining.length === 0) break;
    const subset =
      remaining.length === length ? batch : gatherBatch(batch, remaining, remaining.length);
    const condition = evaluate(arm.when, subset, layout, env);
    const taken: number[] = [];
    const notTaken: number[] = [];
    for (let index = 0; index < remaining.length; index++) {
      if (valueAt(condition, index) === true) taken.push(index);
      else notTaken.push(index);
    }
    if (taken.length > 0) {
      const takenIndexes = Int32Array.from(taken);
      const thenBatch = gatherBatch(subset, takenIndexes, takenIndexes.length);
      const thenValues = evaluate(arm.then, thenBatch, layout, env);
      for (let index = 0; index < taken.length; index++) {
        results[remaining[taken[index]!]!] = valueAt(thenValues, index);
      }
    }
    remaining = Int32Array.from(notTaken, (index) => remaining[index]!);
  }
  if (remaining.length > 0) {
    const elseBatch = gatherBatch(batch, remaining, remaining.length);
    const elseValues = evaluate(expr.otherwise, elseBatch, layout, env);
    for (let index = 0; index < remaining.length; index++)
      results[remaining[index]!] = valueAt(elseValues, index);
  }
  return build(expr.type, length, (row) => results[row] ?? null);
}

// ── functions ───────────────────────────────────────────────────────────────────────────────

const resolvedCalls = new WeakMap<Expr, ResolvedFunction>();

function resolvedCall(expr: Extract<Expr, { kind: 'Call' }>): ResolvedFunction {
  let resolved = resolvedCalls.get(expr);
  if (resolved === undefined) {
    const name = expr.name;
    resolved =
      name === 'coalesce' || name === 'nullif' || name === 'greatest' || name === 'least'
        ? commonTypeFunction(name, expr.type)
        : resolveFunction(
            name,
            expr.args.map((arg) => arg.type),
          );
    if (resolved === undefined) throw new InternalError(`function ${name} does not resolve`);
    resolvedCalls.set(expr, resolved);
  }
  return resolved;
}

function call(
  expr: Extract<Expr, { kind: 'Call' }>,
  batch: Batch,
  layout: Layout,
  env: ExecutionEnvironment,
): Vector {
  const resolved = resolvedCall(expr);
  const length = batch.length;
  const args = expr.args.map((arg) => evaluate(arg, batch, layout, env));
  const allConst = args.every((arg) => arg.kind === 'const') && !resolved.volatile;
  const rows = allConst ? Math.min(1, length) : length;
  const values: Value[] = new Array<Value>(args.length);
  const result = build(expr.type, rows, (row) => {
    let anyNull = false;
    for (let index = 0; index < args.length; index++) {
      const value = valueAt(args[index]!, row);
      values[index] = value;
      if (value === null) anyNull = true;
    }
    if (anyNull && resolved.strict) return null;
    return resolved.impl(values, env.functions);
  });
  if (allConst) return constVector(expr.type, rows === 0 ? null : valueAt(result, 0), length);
  return result;
}

// ── LIKE ────────────────────────────────────────────────────────────────────────────────────

const likeCache = new Map<string, RegExp>();

/** A LIKE pattern as an anchored regular expression (`%` any run, `_` one character, `\` escapes). */
export function likeRegex(pattern: string, caseInsensitive: boolean): RegExp {
  const key = `${caseInsensitive ? 'i' : 's'}${pattern}`;
  let regex = likeCache.get(key);
  if (regex !== undefined) return regex;
  let source = '';
  const characters = Array.from(pattern);
  for (let index = 0; index < characters.length; index++) {
    const character = characters[index]!;
    if (character === '\\') {
      const next = characters[index + 1];
      if (next === undefined) {
        throw new PlanError('E_SQL_VALUE', 'LIKE pattern must not end with escape character', {
          sqlstate: '22025',
        });
      }
      source += next.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      index++;
    } else if (character === '%') source += '[^]*';
    else if (character === '_') source += '[^]';
    else source += character.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  regex = new RegExp(`^${source}$`, caseInsensitive ? 'iu' : 'u');
  if (likeCache.size > 1000) likeCache.clear();
  likeCache.set(key, regex);
  return regex;
}
