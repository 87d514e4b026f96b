/**
 * An independent translation of compact queries (catalog `CompactQuery`, already type-checked)
 * into SQL, for the differential test: DuckDB runs this SQL, catrust plans the query directly
 * (planner/cql/compact-query.ts), and the two must agree. A `from` variable is a table alias; a
 * foreign-key path `e.works_in.dept_name` is an inner join per foreign key followed (foreign keys
 * are total, so inner and left joins agree), aliased by the path, shared by every use; a row
 * value (`e.works_in`, `e`) is its row id. Literals are written with their catalog types so the
 * binder types every expression as the catalog did; aggregates whose SQL type differs from the
 * catalog's (SUM of Int, AVG) are cast to it, so the result columns have the types `catrust
 * validate` and `export json` announced.
 */
import { assertNever, formatValue, type ScalarType, type Scalar } from '../../common/index.js';
import {
  postgresType,
  quoteIdentifier,
  quoteLiteral,
  type CompactQuery,
  type TypedExpr,
} from '../../catalog/index.js';

function literal(type: ScalarType, value: Scalar): string {
  switch (type) {
    case 'Int':
      return `CAST(${String(value)} AS bigint)`;
    case 'Decimal':
      return `CAST(${String(value)} AS numeric)`;
    case 'Float':
      return Number.isFinite(value as number)
        ? `CAST(${String(value)} AS double precision)`
        : `CAST('${String(value)}' AS double precision)`;
    case 'Bool':
      return value === true ? 'true' : 'false';
    case 'String':
      return quoteLiteral(value as string);
    case 'Date':
      return `DATE ${quoteLiteral(formatValue('Date', value))}`;
    case 'Uuid':
      return `CAST(${quoteLiteral(value as string)} AS uuid)`;
    default:
      return assertNever(type, 'scalar type');
  }
}

/** The SQL of a compact query, and the joins its paths need. */
export function compactQueryToSql(query: CompactQuery): string {
  const joins = new Map<string, string>();
  /** The alias of the row reached by following `count` foreign keys of a column's path. */
  const rowAlias = (expr: Extract<TypedExpr, { kind: 'Column' }>, count: number): string => {
    let alias = expr.variable;
    for (const fk of expr.foreignKeys.slice(0, count)) {
      const next = `${alias}.${fk.name}`;
      if (!joins.has(next)) {
        joins.set(
          next,
          `JOIN ${quoteIdentifier(fk.target)} AS ${quoteIdentifier(next)} ON ${quoteIdentifier(next)}."id" = ${quoteIdentifier(alias)}.${quoteIdentifier(fk.name)}`,
        );
      }
      alias = next;
    }
    return alias;
  };
  const sql = (expr: TypedExpr): string => {
    switch (expr.kind) {
      case 'Column': {
        if (expr.attribute !== undefined) {
          return `${quoteIdentifier(rowAlias(expr, expr.foreignKeys.length))}.${quoteIdentifier(expr.attribute.name)}`;
        }
        const last = expr.foreignKeys[expr.foreignKeys.length - 1];
        if (last === undefined) return `${quoteIdentifier(expr.variable)}."id"`;
        // The row reached is the last foreign key's value: no join needed for it.
        return `${quoteIdentifier(rowAlias(expr, expr.foreignKeys.length - 1))}.${quoteIdentifier(last.name)}`;
      }
      case 'OutputRef':
        return String(expr.index + 1);
      case 'Literal':
        return expr.value === null || expr.type.kind !== 'scalar'
          ? 'NULL'
          : literal(expr.type.type, expr.value);
      case 'Unary':
        return expr.op === 'not' ? `(NOT ${sql(expr.operand)})` : `(- ${sql(expr.operand)})`;
      case 'Binary': {
        const op =
          expr.op === '!=' ? '<>' : expr.op === 'and' ? 'AND' : expr.op === 'or' ? 'OR' : expr.op;
        return `(${sql(expr.left)} ${op} ${sql(expr.right)})`;
      }
      case 'IsNull':
        return `(${sql(expr.operand)} IS ${expr.negated ? 'NOT ' : ''}NULL)`;
      case 'Aggregate': {
        if (expr.argument === undefined) return 'CAST(count(*) AS bigint)';
        const inner = `${expr.fn.toLowerCase()}(${expr.distinct ? 'DISTINCT ' : ''}${sql(expr.argument)})`;
        return expr.type.kind === 'scalar'
          ? `CAST(${inner} AS ${postgresType(expr.type.type)})`
          : inner;
      }
      case 'Call':
        return `${expr.fn}(${expr.args.map(sql).join(', ')})`;
      default:
        return assertNever(expr, 'expression');
    }
  };
  const select = query.select
    .map(
      (item) =>
        `${item.expr.kind === 'Literal' && item.expr.value === null ? 'NULL' : sql(item.expr)} AS ${quoteIdentifier(item.name)}`,
    )
    .join(', ');
  const where = query.where === undefined ? '' : ` WHERE ${sql(query.where)}`;
  const groupBy =
    query.groupBy.length === 0 ? '' : ` GROUP BY ${query.groupBy.map(sql).join(', ')}`;
  const orderBy =
    query.orderBy.length === 0
      ? ''
      : ` ORDER BY ${query.orderBy.map((item) => `${sql(item.expr)} ${item.direction === 'desc' ? 'DESC' : 'ASC'}`).join(', ')}`;
  const limit = query.limit === undefined ? '' : ` LIMIT ${query.limit}`;
  // Joins are known once every expression was written.
  const from = query.from
    .map((v) => `${quoteIdentifier(v.entity)} AS ${quoteIdentifier(v.variable)}`)
    .join(' CROSS JOIN ');
  return `SELECT ${select} FROM ${from}${joins.size > 0 ? ` ${[...joins.values()].join(' ')}` : ''}${where}${groupBy}${orderBy}${limit}`;
}
