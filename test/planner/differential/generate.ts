/**
 * Random data and random SQL for the differential test against DuckDB. Everything comes from
 * one seeded generator, so a seed reproduces its tables and queries exactly.
 *
 * The queries stay inside the SQL on which PostgreSQL (catrust's reference) and DuckDB agree;
 * what is left out and why:
 * - `/` on integers (DuckDB divides as double, PostgreSQL truncates), and any division or
 *   modulo by a value that may be zero (DuckDB gives NULL, PostgreSQL an error);
 * - round() on floats (PostgreSQL rounds half to even, DuckDB half away from zero);
 * - ORDER BY without explicit NULLS FIRST/LAST (DuckDB puts NULLs last both ways);
 * - arithmetic between literals only (DuckDB types integer literals as 32-bit INTEGER);
 * - LIKE patterns with a backslash (DuckDB has no default escape character);
 * - string_agg (its order is unspecified without ORDER BY inside the call), min/max of bool
 *   (PostgreSQL has none), scalar subqueries that are not aggregates (DuckDB may pick a row).
 */
import type { ScalarType, Value } from '../../../common/index.js';
import { parseDateLiteral } from '../../../common/index.js';

export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  /** mulberry32 */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low + 1));
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

export interface ColumnSpec {
  readonly name: string;
  readonly type: ScalarType;
  /** For a foreign key: the target table. */
  readonly target?: string;
}

export interface TableData {
  readonly name: string;
  readonly columns: readonly ColumnSpec[];
  readonly rows: Value[][];
}

const STRINGS = ['a', 'b', 'ab', 'abc', 'B', 'ba', '', 'x y', 'é', 'zz', 'A%'];
const DATES = ['2020-01-01', '2020-02-29', '2021-12-31', '1999-07-04', '2024-06-15'];
const DECIMALS = ['0', '1.25', '-3.5', '100', '2.75', '-0.01', '12345.67'];
/**
 * Ints past 2^53 (exact arithmetic, HUGEINT/numeric sums), at most 2^60 in magnitude so that no
 * generated expression overflows int8: where an overflow would happen then depends on which rows
 * an engine evaluates an expression on before a join or filter removes them, which SQL leaves
 * open (PostgreSQL and DuckDB place predicates differently). Overflow errors are tested in
 * test/sql/*.slt instead.
 */
const BIG_INTS = [2n ** 60n, -(2n ** 60n), 9007199254740993n, 2n ** 60n - 1n];

const SHAPE: readonly ColumnSpec[] = [
  { name: 'i', type: 'Int' },
  { name: 'j', type: 'Int' },
  { name: 'f', type: 'Float' },
  { name: 's', type: 'String' },
  { name: 'd', type: 'Date' },
  { name: 'b', type: 'Bool' },
  { name: 'n', type: 'Decimal' },
];

function randomValue(random: Random, type: ScalarType, column: string): Value {
  if (random.chance(0.15)) return null;
  switch (type) {
    case 'Int':
      if (column === 'j' && random.chance(0.08)) return random.pick(BIG_INTS);
      return column === 'j' ? random.int(-1000, 1000) : random.int(-3, 6);
    case 'Float':
      // NaN as PostgreSQL and DuckDB order it: equal to itself, above every number. catrust
      // refuses NaN input, so only the data (put in memory tables directly) holds it.
      if (random.chance(0.06)) return NaN;
      return random.int(-20, 20) / 4;
    case 'String':
      return random.pick(STRINGS);
    case 'Date':
      return parseDateLiteral(random.pick(DATES));
    case 'Bool':
      return random.chance(0.5);
    case 'Decimal':
      return random.pick(DECIMALS);
    default:
      return null;
  }
}

/** Three tables: ta, tb (a_id → ta), tc (b_id → tb); sometimes one is empty. */
export function generateTables(random: Random): TableData[] {
  const empty = random.chance(0.2) ? random.pick(['ta', 'tb', 'tc']) : undefined;
  const make = (
    name: string,
    rowsMax: number,
    fk: ColumnSpec | undefined,
    targetRows: number,
  ): TableData => {
    const columns = fk === undefined ? SHAPE : [...SHAPE, fk];
    const count = name === empty ? 0 : random.int(1, rowsMax);
    const rows: Value[][] = [];
    for (let row = 0; row < count; row++) {
      const values = SHAPE.map((column) => randomValue(random, column.type, column.name));
      if (fk !== undefined)
        values.push(targetRows === 0 || random.chance(0.1) ? null : random.int(0, targetRows - 1));
      // Duplicates: sometimes repeat an earlier row's values.
      if (row > 0 && random.chance(0.15)) rows.push([...rows[random.int(0, row - 1)]!]);
      else rows.push(values);
    }
    return { name, columns, rows };
  };
  const ta = make('ta', 12, undefined, 0);
  const tb = make('tb', 20, { name: 'a_id', type: 'Int', target: 'ta' }, ta.rows.length);
  const tc = make('tc', 10, { name: 'b_id', type: 'Int', target: 'tb' }, tb.rows.length);
  return [ta, tb, tc];
}

// ── queries ───────────────────────────────────────────────────────────────────────────────────

interface ScopeColumn {
  readonly sql: string;
  readonly type: ScalarType;
}

type Scope = readonly ScopeColumn[];

function columnsOfType(scope: Scope, type: ScalarType): ScopeColumn[] {
  return scope.filter((column) => column.type === type);
}

function literal(random: Random, type: ScalarType): string {
  switch (type) {
    case 'Int':
      return String(random.int(-3, 8));
    case 'Float':
      return `${random.int(-8, 8) / 4}::float8`;
    case 'String':
      return `'${random.pick(STRINGS).replace(/'/g, "''")}'`;
    case 'Date':
      return `DATE '${random.pick(DATES)}'`;
    case 'Bool':
      return random.pick(['true', 'false']);
    case 'Decimal':
      return random.pick(['1.5', '0.25', '-2.75', '10.0']);
    default:
      return 'NULL';
  }
}

export class QueryGenerator {
  constructor(private readonly random: Random) {}

  expr(type: ScalarType, scope: Scope, depth = 0): string {
    const random = this.random;
    const columns = columnsOfType(scope, type);
    if (depth >= 2 || random.chance(0.45)) {
      if (columns.length > 0 && random.chance(0.8)) return random.pick(columns).sql;
      return literal(random, type);
    }
    const leaf = (): string =>
      columns.length > 0 && random.chance(0.8) ? random.pick(columns).sql : literal(random, type);
    switch (type) {
      case 'Int':
        switch (random.int(0, 7)) {
          case 0:
            return `(${this.expr('Int', scope, depth + 1)} + ${leaf()})`;
          case 1:
            return `(${leaf()} - ${this.expr('Int', scope, depth + 1)})`;
          case 2:
            return `(${leaf()} * ${random.int(-2, 3)})`;
          case 3:
            return `abs(${this.expr('Int', scope, depth + 1)})`;
          case 4:
            switch (random.int(0, 3)) {
              case 0:
                return `strpos(${this.expr('String', scope, depth + 1)}, '${random.pick(['a', 'b', ' '])}')`;
              case 1:
                return `extract(${random.pick(['year', 'month', 'day'])} FROM ${this.expr('Date', scope, depth + 1)})::int8`;
              default:
                return `length(${this.expr('String', scope, depth + 1)})`;
            }
          case 5:
            return `(${leaf()} % ${random.int(2, 5)})`;
          case 6:
            return random.chance(0.5)
              ? `COALESCE(${this.expr('Int', scope, depth + 1)}, ${literal(random, 'Int')})`
              : this.scalarSubquery(scope);
          default:
            return `CASE WHEN ${this.bool(scope, depth + 1)} THEN ${this.expr('Int', scope, depth + 1)} ELSE ${leaf()} END`;
        }
      case 'Float':
        switch (random.int(0, 2)) {
          case 0:
            return `(${this.expr('Float', scope, depth + 1)} + ${leaf()})`;
          case 1:
            return `(${leaf()} * 2)`;
          default:
            return `abs(${this.expr('Float', scope, depth + 1)})`;
        }
      case 'String':
        switch (random.int(0, 5)) {
          case 0:
            return `upper(${this.expr('String', scope, depth + 1)})`;
          case 1:
            return `lower(${this.expr('String', scope, depth + 1)})`;
          case 2:
            return `(${this.expr('String', scope, depth + 1)} || ${leaf()})`;
          case 3:
            return `substr(${this.expr('String', scope, depth + 1)}, ${random.int(1, 3)}, ${random.int(0, 3)})`;
          case 4:
            switch (random.int(0, 4)) {
              case 0:
                return `replace(${this.expr('String', scope, depth + 1)}, '${random.pick(['a', 'b', ' '])}', '${random.pick(['', 'X', 'yy'])}')`;
              case 1:
                return `lpad(${this.expr('String', scope, depth + 1)}, ${random.int(0, 4)}, '${random.pick(['*', 'ab'])}')`;
              case 2:
                return `${random.pick(['trim', 'ltrim', 'rtrim'])}(${this.expr('String', scope, depth + 1)})`;
              case 3:
                return `${random.pick(['left', 'right'])}(${this.expr('String', scope, depth + 1)}, ${random.int(0, 3)})`;
              default:
                return `COALESCE(${this.expr('String', scope, depth + 1)}, 'none')`;
            }
          default:
            return `CASE WHEN ${this.bool(scope, depth + 1)} THEN ${leaf()} ELSE ${literal(random, 'String')} END`;
        }
      case 'Date':
        return random.chance(0.5) ? `(${leaf()} + ${random.int(-40, 40)})` : leaf();
      case 'Decimal':
        switch (random.int(0, 2)) {
          case 0:
            return `(${this.expr('Decimal', scope, depth + 1)} + ${leaf()})`;
          case 1:
            return `(${leaf()} * ${random.int(-2, 3)})`;
          default:
            return `abs(${this.expr('Decimal', scope, depth + 1)})`;
        }
      case 'Bool':
        return this.bool(scope, depth);
      default:
        return 'NULL';
    }
  }

  bool(scope: Scope, depth = 0): string {
    const random = this.random;
    const comparable: ScalarType[] = ['Int', 'Float', 'String', 'Date', 'Decimal'];
    if (depth >= 2) {
      const type = random.pick(comparable);
      return `${this.expr(type, scope, 2)} ${random.pick(['=', '<>', '<', '<=', '>', '>='])} ${this.expr(type, scope, 2)}`;
    }
    switch (random.int(0, 10)) {
      case 0:
      case 1: {
        const type = random.pick(comparable);
        return `${this.expr(type, scope, depth + 1)} ${random.pick(['=', '<>', '<', '<=', '>', '>='])} ${this.expr(type, scope, depth + 1)}`;
      }
      case 2:
        return `${this.expr(random.pick(comparable), scope, depth + 1)} IS ${random.pick(['', 'NOT '])}NULL`;
      case 3:
        return `(${this.bool(scope, depth + 1)} AND ${this.bool(scope, depth + 1)})`;
      case 4:
        return `(${this.bool(scope, depth + 1)} OR ${this.bool(scope, depth + 1)})`;
      case 5:
        return `NOT (${this.bool(scope, depth + 1)})`;
      case 6: {
        const type = random.pick(['Int', 'Decimal', 'Date'] as const);
        return `${this.expr(type, scope, depth + 1)} ${random.pick(['', 'NOT '])}BETWEEN ${literal(random, type)} AND ${literal(random, type)}`;
      }
      case 7: {
        const type = random.pick(['Int', 'String'] as const);
        const items = Array.from({ length: random.int(1, 4) }, () =>
          random.chance(0.15) ? 'NULL' : literal(random, type),
        );
        return `${this.expr(type, scope, depth + 1)} ${random.pick(['', 'NOT '])}IN (${items.join(', ')})`;
      }
      case 8: {
        const pattern = random.pick(['a%', '%b', '_', '%', 'a_c', '%B%', '']);
        return `${this.expr('String', scope, depth + 1)} ${random.pick(['LIKE', 'NOT LIKE', 'ILIKE'])} '${pattern}'`;
      }
      case 9: {
        const bools = columnsOfType(scope, 'Bool');
        return bools.length > 0 ? random.pick(bools).sql : 'true';
      }
      default: {
        const type = random.pick(comparable);
        return `${this.expr(type, scope, depth + 1)} ${random.pick(['=', '<', '>='])} ${literal(random, type)}`;
      }
    }
  }

  /** An aggregate subquery (one row always), correlated to an Int of the scope half the time. */
  scalarSubquery(scope: Scope): string {
    const random = this.random;
    const inner = random.pick(['ta', 'tb', 'tc']);
    const outer = columnsOfType(scope, 'Int');
    const correlate =
      outer.length > 0 && random.chance(0.5)
        ? ` WHERE w.i ${random.pick(['=', '<', '>='])} ${random.pick(outer).sql}`
        : '';
    const aggregate = random.pick([
      'count(*)',
      'count(w.j)',
      'min(w.i)',
      'max(w.j)',
      'coalesce(max(w.i), -1)',
    ]);
    return `(SELECT ${aggregate} FROM ${inner} w${correlate})`;
  }

  aggregate(scope: Scope): { sql: string } {
    const random = this.random;
    switch (random.int(0, 8)) {
      case 0:
        return { sql: 'count(*)' };
      case 1:
        return {
          sql: `count(${this.expr(random.pick(['Int', 'String', 'Date'] as const), scope, 1)})`,
        };
      case 2:
        return {
          sql: `sum(${this.expr(random.pick(['Int', 'Float', 'Decimal'] as const), scope, 1)})`,
        };
      case 3:
        return {
          sql: `avg(${this.expr(random.pick(['Int', 'Float', 'Decimal'] as const), scope, 1)})`,
        };
      case 4:
      case 5:
        return {
          sql: `${random.pick(['min', 'max'])}(${this.expr(random.pick(['Int', 'String', 'Date', 'Decimal', 'Float'] as const), scope, 1)})`,
        };
      case 6:
        return {
          sql: `count(DISTINCT ${this.expr(random.pick(['Int', 'String'] as const), scope, 1)})`,
        };
      case 7:
        return { sql: `${random.pick(['bool_and', 'bool_or'])}(${this.bool(scope, 1)})` };
      default:
        return { sql: `sum(${this.expr('Int', scope, 1)})` };
    }
  }

  /** ORDER BY every output position with explicit NULLS, so the order is fully determined. */
  private orderAll(count: number): string {
    const random = this.random;
    const keys = Array.from({ length: count }, (_, index) => index + 1);
    for (let index = keys.length - 1; index > 0; index--) {
      const other = random.int(0, index);
      [keys[index], keys[other]] = [keys[other]!, keys[index]!];
    }
    return keys
      .map(
        (key) => `${key} ${random.pick(['ASC', 'DESC'])} NULLS ${random.pick(['FIRST', 'LAST'])}`,
      )
      .join(', ');
  }

  private scopeOf(table: string, alias: string, withFk: string | undefined): ScopeColumn[] {
    const columns: ScopeColumn[] = [
      { sql: `${alias}.id`, type: 'Int' },
      { sql: `${alias}.i`, type: 'Int' },
      { sql: `${alias}.j`, type: 'Int' },
      { sql: `${alias}.f`, type: 'Float' },
      { sql: `${alias}.s`, type: 'String' },
      { sql: `${alias}.d`, type: 'Date' },
      { sql: `${alias}.b`, type: 'Bool' },
      { sql: `${alias}.n`, type: 'Decimal' },
    ];
    if (withFk !== undefined) columns.push({ sql: `${alias}.${withFk}`, type: 'Int' });
    void table;
    return columns;
  }

  /** A FROM clause and its scope. */
  private from(): { sql: string; scope: ScopeColumn[] } {
    const random = this.random;
    switch (random.int(0, 6)) {
      case 0:
      case 1: {
        const table = random.pick(['ta', 'tb', 'tc']);
        const fk = table === 'tb' ? 'a_id' : table === 'tc' ? 'b_id' : undefined;
        return { sql: `${table} t1`, scope: this.scopeOf(table, 't1', fk) };
      }
      case 2:
      case 3: {
        const kind = random.pick(['JOIN', 'LEFT JOIN', 'JOIN', 'FULL JOIN', 'RIGHT JOIN']);
        const scope = [...this.scopeOf('ta', 'x', undefined), ...this.scopeOf('tb', 'y', 'a_id')];
        const extra = random.chance(0.3) ? ` AND ${this.bool(scope, 1)}` : '';
        return { sql: `ta x ${kind} tb y ON y.a_id = x.id${extra}`, scope };
      }
      case 4: {
        const scope = [...this.scopeOf('tb', 'y', 'a_id'), ...this.scopeOf('tc', 'z', 'b_id')];
        const kind = random.pick(['JOIN', 'LEFT JOIN']);
        return { sql: `tc z ${kind} tb y ON z.b_id = y.id`, scope };
      }
      case 5: {
        const scope = [...this.scopeOf('ta', 'x', undefined), ...this.scopeOf('tc', 'z', 'b_id')];
        return { sql: `ta x JOIN tc z ON x.i = z.i`, scope };
      }
      default: {
        const scope = [...this.scopeOf('ta', 'x', undefined), ...this.scopeOf('tc', 'z', 'b_id')];
        return { sql: `ta x, tc z`, scope };
      }
    }
  }

  private subqueryPredicate(scope: Scope): string {
    const random = this.random;
    const inner = random.pick(['ta', 'tb', 'tc']);
    const innerScope = this.scopeOf(inner, 'q', undefined);
    const where = random.chance(0.6) ? ` WHERE ${this.bool(innerScope, 1)}` : '';
    switch (random.int(0, 4)) {
      case 0:
        return `${this.expr('Int', scope, 1)} ${random.pick(['IN', 'NOT IN'])} (SELECT q.i FROM ${inner} q${where})`;
      case 1: {
        const outer = columnsOfType(scope, 'Int');
        const correlate = outer.length > 0 ? `q.i = ${random.pick(outer).sql}` : 'true';
        return `${random.pick(['EXISTS', 'NOT EXISTS'])} (SELECT 1 FROM ${inner} q WHERE ${correlate}${where === '' ? '' : ` AND ${this.bool(innerScope, 1)}`})`;
      }
      case 2:
        return `${this.expr('Int', scope, 1)} ${random.pick(['<', '>=', '='])} (SELECT ${random.pick(['min', 'max', 'count'])}(q.i) FROM ${inner} q${where})`;
      case 3: {
        const outer = columnsOfType(scope, 'String');
        const correlate = outer.length > 0 ? ` WHERE q.s = ${random.pick(outer).sql}` : '';
        return `(SELECT count(*) FROM ${inner} q${correlate}) ${random.pick(['>', '=', '<'])} ${random.int(0, 2)}`;
      }
      default:
        return `${this.expr('String', scope, 1)} ${random.pick(['IN', 'NOT IN'])} (SELECT q.s FROM ${inner} q${where})`;
    }
  }

  private selectList(scope: Scope, count: number): { sql: string; types: ScalarType[] } {
    const types: ScalarType[] = [];
    const items: string[] = [];
    for (let index = 0; index < count; index++) {
      const type = this.random.pick([
        'Int',
        'String',
        'Float',
        'Date',
        'Decimal',
        'Bool',
        'Int',
      ] as const);
      types.push(type);
      items.push(`${this.expr(type, scope)} AS c${index + 1}`);
    }
    return { sql: items.join(', '), types };
  }

  /** One query and whether its row order is determined (ORDER BY every column). */
  query(): { sql: string; ordered: boolean } {
    const random = this.random;
    const from = this.from();
    const scope = from.scope;
    const where = (): string => {
      if (!random.chance(0.6)) return '';
      const predicate = random.chance(0.2) ? this.subqueryPredicate(scope) : this.bool(scope);
      return ` WHERE ${predicate}`;
    };
    switch (random.int(0, 6)) {
      case 0:
      case 1: {
        // Plain select, maybe DISTINCT, maybe ordered with a limit.
        const count = random.int(1, 3);
        const list = this.selectList(scope, count);
        const distinct = random.chance(0.2) ? 'DISTINCT ' : '';
        const ordered = random.chance(0.4);
        const order = ordered ? ` ORDER BY ${this.orderAll(count)}` : '';
        const limit =
          ordered && random.chance(0.6)
            ? ` LIMIT ${random.int(0, 6)}${random.chance(0.3) ? ` OFFSET ${random.int(0, 3)}` : ''}`
            : '';
        return {
          sql: `SELECT ${distinct}${list.sql} FROM ${from.sql}${where()}${order}${limit}`,
          ordered,
        };
      }
      case 2:
      case 3: {
        // Aggregation, grouped or not.
        const groupCount = random.int(0, 2);
        const groups: string[] = [];
        for (let index = 0; index < groupCount; index++) {
          groups.push(this.expr(random.pick(['Int', 'String', 'Bool', 'Date'] as const), scope, 1));
        }
        const aggregates = Array.from(
          { length: random.int(1, 3) },
          () => this.aggregate(scope).sql,
        );
        if (random.chance(0.2))
          aggregates.push(`coalesce(sum(${this.expr('Int', scope, 1)}), 0) + count(*)`);
        if (random.chance(0.15))
          aggregates.push(`CASE WHEN count(*) > 1 THEN 'many' ELSE 'few' END`);
        const items = [...groups, ...aggregates].map((item, index) => `${item} AS c${index + 1}`);
        const groupBy =
          groups.length > 0 ? ` GROUP BY ${groups.map((_, index) => index + 1).join(', ')}` : '';
        const having = random.chance(0.3)
          ? ` HAVING ${random.chance(0.5) ? 'count(*)' : `max(${this.expr('Int', scope, 1)})`} ${random.pick(['>', '>=', '<'])} ${random.int(0, 2)}`
          : '';
        const ordered = random.chance(0.3);
        const order = ordered ? ` ORDER BY ${this.orderAll(items.length)}` : '';
        const limit = ordered && random.chance(0.5) ? ` LIMIT ${random.int(1, 4)}` : '';
        return {
          sql: `SELECT ${items.join(', ')} FROM ${from.sql}${where()}${groupBy}${having}${order}${limit}`,
          ordered,
        };
      }
      case 4: {
        // Set operation of two single-table selects of one type.
        const type = random.pick(['Int', 'String', 'Date'] as const);
        const side = (table: string): string => {
          const sideScope = this.scopeOf(table, 't', undefined);
          const predicate = random.chance(0.5) ? ` WHERE ${this.bool(sideScope, 1)}` : '';
          return `SELECT ${this.expr(type, sideScope, 1)} AS c1 FROM ${table} t${predicate}`;
        };
        const op = random.pick([
          'UNION',
          'UNION ALL',
          'INTERSECT',
          'EXCEPT',
          'INTERSECT ALL',
          'EXCEPT ALL',
        ]);
        const ordered = random.chance(0.3);
        const order = ordered
          ? ` ORDER BY 1 ${random.pick(['ASC', 'DESC'])} NULLS ${random.pick(['FIRST', 'LAST'])}`
          : '';
        return {
          sql: `${side(random.pick(['ta', 'tb', 'tc']))} ${op} ${side(random.pick(['ta', 'tb', 'tc']))}${order}`,
          ordered,
        };
      }
      case 6: {
        // Children rolled up by a parent's attributes through the foreign key (eager
        // aggregation applies when the groups read only the parent, the aggregates the child).
        const [child, parent, fk] = random.pick([
          ['tb', 'ta', 'a_id'],
          ['tc', 'tb', 'b_id'],
        ] as const);
        const childScope = this.scopeOf(child, 'c', fk);
        const parentScope = this.scopeOf(parent, 'p', undefined);
        const groups = Array.from({ length: random.int(1, 2) }, () =>
          this.expr(random.pick(['Int', 'String', 'Date', 'Bool'] as const), parentScope, 1),
        );
        const aggregates = Array.from({ length: random.int(1, 3) }, () =>
          random.chance(0.8)
            ? this.aggregate(childScope).sql
            : this.aggregate([...childScope, ...parentScope]).sql,
        );
        const items = [...groups, ...aggregates].map((item, index) => `${item} AS c${index + 1}`);
        const join = random.chance(0.5)
          ? `${child} c JOIN ${parent} p ON c.${fk} = p.id`
          : `${parent} p JOIN ${child} c ON c.${fk} = p.id`;
        const predicate = random.chance(0.4)
          ? ` WHERE ${this.bool(random.chance(0.5) ? childScope : parentScope, 1)}`
          : '';
        return {
          sql: `SELECT ${items.join(', ')} FROM ${join}${predicate} GROUP BY ${groups.map((_, index) => index + 1).join(', ')}`,
          ordered: false,
        };
      }
      default: {
        // A derived table or CTE, aggregated outside.
        const list = this.selectList(scope, 2);
        const inner = `SELECT ${list.sql} FROM ${from.sql}${where()}`;
        const outerScope: ScopeColumn[] = [
          { sql: 'q.c1', type: list.types[0]! },
          { sql: 'q.c2', type: list.types[1]! },
        ];
        const aggregate = this.aggregate(outerScope).sql;
        const body = `SELECT q.c1 AS c1, ${aggregate} AS c2 FROM {q} GROUP BY q.c1`;
        if (random.chance(0.5))
          return { sql: `WITH q AS (${inner}) ${body.replace('{q}', 'q')}`, ordered: false };
        return { sql: body.replace('{q}', `(${inner}) AS q`), ordered: false };
      }
    }
  }
}
