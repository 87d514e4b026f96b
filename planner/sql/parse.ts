/**
 * SQL text → catrust's SQL AST. libpg-query (PostgreSQL's own grammar, compiled to WebAssembly)
 * parses; this module is the only one that reads libpg-query's tree, and converts the subset the
 * planner runs into sql/ast.ts. Anything else is refused with E_SQL_UNSUPPORTED (SQLSTATE 0A000)
 * naming the construct and its position: catrust never answers a query it did not understand.
 *
 * `loadSqlParser()` must have resolved once (it instantiates the WebAssembly module) before
 * `parseSql` is called; front doors await it at start-up.
 */
import type { parseSync as PgParseSync } from 'libpg-query';
import type {
  A_Const,
  A_Expr,
  Alias,
  FuncCall,
  JoinExpr,
  Node,
  RangeVar,
  SelectStmt,
  SortBy,
  SubLink,
  TypeCast,
} from 'libpg-query';
import { assert, limits, LimitError } from '../../common/index.js';
import { PlanError, unsupported } from '../errors.js';
import { typeFromSqlName } from '../types.js';
import type {
  Identifier,
  SqlAlias,
  SqlBinaryOp,
  SqlCte,
  SqlExpr,
  SqlFromItem,
  SqlOrderItem,
  SqlQuery,
  SqlQueryBody,
  SqlSelectTarget,
  SqlStatement,
} from './ast.js';
import { SqlText } from './text.js';

let loaded: Promise<void> | undefined;
let ready = false;
/** libpg-query's synchronous parser, once its module is loaded. */
let parseSync: typeof PgParseSync = () => {
  throw new Error('libpg-query is not loaded');
};

/**
 * Import libpg-query and instantiate its WebAssembly module (once; later calls return the same
 * promise). The import itself is deferred to here so that a process that never parses SQL
 * (most CLI commands) does not pay for loading the parser.
 */
export function loadSqlParser(): Promise<void> {
  loaded ??= import('libpg-query').then(async (module) => {
    await module.loadModule();
    parseSync = module.parseSync;
    ready = true;
  });
  return loaded;
}

export function sqlParserReady(): boolean {
  return ready;
}

/** One parsed statement with the text it came from (for error locations). */
export interface ParsedStatement {
  readonly statement: SqlStatement;
  readonly source: SqlText;
  /** The statement's own text (one of several in a multi-statement string). */
  readonly text: string;
}

interface PgError {
  readonly message: string;
  readonly sqlDetails?: { readonly cursorPosition: number } | undefined;
}

/**
 * Parse one or more `;`-separated statements. Throws E_SQL_SYNTAX with the line and column of
 * the parser's cursor, or E_SQL_UNSUPPORTED naming the construct.
 */
export function parseSql(text: string, file?: string): ParsedStatement[] {
  assert(ready, 'parseSql called before loadSqlParser() resolved');
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.sqlTextBytesMax) {
    throw new LimitError('sqlTextBytesMax', limits.sqlTextBytesMax, bytes, 'SQL statement bytes');
  }
  const source = new SqlText(text, file);
  let tree;
  try {
    tree = parseSync(text);
  } catch (error) {
    const pgError = error as PgError;
    const cursor = pgError.sqlDetails?.cursorPosition ?? 0;
    throw new PlanError('E_SQL_SYNTAX', pgError.message, {
      location: source.location(source.charOffset(cursor)),
    });
  }
  const statements: ParsedStatement[] = [];
  for (const raw of tree.stmts ?? []) {
    if (raw.stmt === undefined) continue;
    const start = raw.stmt_location ?? 0;
    const startChar = source.charOffset(start);
    const endChar =
      raw.stmt_len === undefined || raw.stmt_len === 0
        ? text.length
        : source.charOffset(start + raw.stmt_len);
    const converter = new Converter(source);
    statements.push({
      statement: converter.statement(raw.stmt, startChar),
      source,
      text: text.slice(startChar, endChar).trim(),
    });
  }
  return statements;
}

/** Parse exactly one statement (an empty text or several statements are errors). */
export function parseSqlStatement(text: string, file?: string): ParsedStatement {
  const statements = parseSql(text, file);
  const first = statements[0];
  if (first === undefined) {
    throw new PlanError('E_SQL_SYNTAX', 'empty statement: expected a SQL statement');
  }
  if (statements.length > 1) {
    throw new PlanError(
      'E_SQL_SYNTAX',
      `expected one statement, found ${statements.length} separated by ";"`,
      { location: first.source.location(first.source.text.indexOf(';')) },
    );
  }
  return first;
}

const STATEMENT_NAMES: Readonly<Record<string, string>> = {
  InsertStmt: 'INSERT',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  MergeStmt: 'MERGE',
  CreateStmt: 'CREATE TABLE',
  CreateTableAsStmt: 'CREATE TABLE AS',
  ViewStmt: 'CREATE VIEW',
  IndexStmt: 'CREATE INDEX',
  DropStmt: 'DROP',
  AlterTableStmt: 'ALTER TABLE',
  CopyStmt: 'COPY',
  PrepareStmt: 'PREPARE',
  ExecuteStmt: 'EXECUTE',
  DeallocateStmt: 'DEALLOCATE',
  DeclareCursorStmt: 'DECLARE CURSOR',
  TruncateStmt: 'TRUNCATE',
  GrantStmt: 'GRANT',
  VacuumStmt: 'VACUUM',
  DoStmt: 'DO',
  CallStmt: 'CALL',
};

const BINARY_OPS: ReadonlyMap<string, SqlBinaryOp> = new Map<string, SqlBinaryOp>([
  ['+', '+'],
  ['-', '-'],
  ['*', '*'],
  ['/', '/'],
  ['%', '%'],
  ['=', '='],
  ['<>', '<>'],
  ['!=', '<>'],
  ['<', '<'],
  ['<=', '<='],
  ['>', '>'],
  ['>=', '>='],
  ['||', '||'],
  ['~', '~'],
  ['~*', '~*'],
  ['!~', '!~'],
  ['!~*', '!~*'],
]);

const COMPARISONS = new Set(['=', '<>', '<', '<=', '>', '>=']);

/** Collations that are catrust's own (code-point order), accepted and ignored. */
const NEUTRAL_COLLATIONS = new Set(['c', 'default', 'posix', 'ucs_basic']);

function nodeKind(node: Node): string {
  return Object.keys(node)[0] ?? '(empty)';
}

class Converter {
  private depth = 0;
  constructor(private readonly source: SqlText) {}

  private at(byteLocation: number | undefined): number {
    return this.source.charOffset(byteLocation);
  }

  private unsupported(construct: string, byteLocation: number | undefined): PlanError {
    return unsupported(construct, {
      location: this.source.location(this.at(byteLocation)),
    });
  }

  private unsupportedAtChar(construct: string, charOffset: number): PlanError {
    return unsupported(construct, { location: this.source.location(charOffset) });
  }

  private enter(byteLocation: number | undefined): void {
    this.depth++;
    if (this.depth > limits.sqlNestingDepthMax * 4) {
      throw new LimitError(
        'sqlNestingDepthMax',
        limits.sqlNestingDepthMax * 4,
        this.depth,
        'SQL expression nesting depth',
        { location: this.source.location(this.at(byteLocation)) },
      );
    }
  }

  // ── statements ──────────────────────────────────────────────────────────────────────────────

  statement(node: Node, startChar: number): SqlStatement {
    if ('SelectStmt' in node) return this.query(node.SelectStmt, startChar);
    if ('ExplainStmt' in node) {
      const explain = node.ExplainStmt;
      let analyze = false;
      let verbose = false;
      for (const option of explain.options ?? []) {
        if (!('DefElem' in option)) continue;
        const name = (option.DefElem.defname ?? '').toLowerCase();
        const enabled = this.optionEnabled(option.DefElem.arg);
        if (name === 'analyze') analyze = enabled;
        else if (name === 'verbose') verbose = enabled;
        else if (name === 'costs' || name === 'timing' || name === 'summary') continue;
        else
          throw this.unsupported(`EXPLAIN option ${name.toUpperCase()}`, option.DefElem.location);
      }
      const inner = explain.query;
      if (inner === undefined || !('SelectStmt' in inner)) {
        const kind = inner === undefined ? 'an empty statement' : this.statementName(inner);
        throw this.unsupportedAtChar(`EXPLAIN of ${kind}`, startChar);
      }
      return {
        kind: 'Explain',
        analyze,
        verbose,
        query: this.query(inner.SelectStmt, startChar),
        position: startChar,
      };
    }
    if ('TransactionStmt' in node) {
      const kind = node.TransactionStmt.kind;
      const action =
        kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START'
          ? 'begin'
          : kind === 'TRANS_STMT_COMMIT'
            ? 'commit'
            : kind === 'TRANS_STMT_ROLLBACK'
              ? 'rollback'
              : undefined;
      if (action === undefined) {
        throw this.unsupportedAtChar(`transaction statement ${kind ?? ''}`.trim(), startChar);
      }
      return { kind: 'Transaction', action, position: startChar };
    }
    if ('VariableSetStmt' in node) {
      const set = node.VariableSetStmt;
      if (set.kind !== 'VAR_SET_VALUE' && set.kind !== 'VAR_SET_DEFAULT') {
        throw this.unsupportedAtChar(`SET form ${set.kind ?? ''}`.trim(), startChar);
      }
      const values = (set.args ?? []).map((arg) => this.settingValue(arg));
      return {
        kind: 'Set',
        name: set.name ?? '',
        value: set.kind === 'VAR_SET_DEFAULT' ? undefined : values.join(', '),
        position: startChar,
      };
    }
    if ('VariableShowStmt' in node) {
      return { kind: 'Show', name: node.VariableShowStmt.name ?? '', position: startChar };
    }
    throw this.unsupportedAtChar(`${this.statementName(node)} statement`, startChar);
  }

  private statementName(node: Node): string {
    const kind = nodeKind(node);
    return STATEMENT_NAMES[kind] ?? kind.replace(/Stmt$/, '').toUpperCase();
  }

  private optionEnabled(arg: Node | undefined): boolean {
    if (arg === undefined) return true;
    if ('Boolean' in arg) return arg.Boolean.boolval === true;
    if ('String' in arg)
      return !['false', 'off', '0'].includes((arg.String.sval ?? '').toLowerCase());
    if ('Integer' in arg) return (arg.Integer.ival ?? 0) !== 0;
    return true;
  }

  private settingValue(node: Node): string {
    if ('A_Const' in node) {
      const value = node.A_Const;
      if (value.sval !== undefined) return value.sval.sval ?? '';
      if (value.ival !== undefined) return String(value.ival.ival ?? 0);
      if (value.fval !== undefined) return value.fval.fval ?? '0';
      if (value.boolval !== undefined) return String(value.boolval.boolval === true);
    }
    if ('TypeCast' in node && node.TypeCast.arg !== undefined) {
      return this.settingValue(node.TypeCast.arg);
    }
    throw this.unsupported('this SET value', undefined);
  }

  // ── queries ─────────────────────────────────────────────────────────────────────────────────

  query(select: SelectStmt, fallbackChar: number): SqlQuery {
    this.enter(undefined);
    const position = this.firstLocation(select) ?? fallbackChar;
    if (select.intoClause !== undefined) throw this.unsupportedAtChar('SELECT INTO', position);
    if (select.lockingClause !== undefined && select.lockingClause.length > 0) {
      throw this.unsupportedAtChar('FOR UPDATE / FOR SHARE', position);
    }
    if (select.windowClause !== undefined && select.windowClause.length > 0) {
      throw this.unsupportedAtChar('the WINDOW clause', position);
    }
    if (select.limitOption === 'LIMIT_OPTION_WITH_TIES') {
      throw this.unsupportedAtChar('FETCH … WITH TIES', position);
    }
    const withClause = select.withClause;
    if (withClause?.recursive === true) {
      throw this.unsupported('WITH RECURSIVE', withClause.location);
    }
    const ctes: SqlCte[] = [];
    for (const node of withClause?.ctes ?? []) {
      if (!('CommonTableExpr' in node)) throw this.unsupported(nodeKind(node), undefined);
      const cte = node.CommonTableExpr;
      const inner = cte.ctequery;
      if (inner === undefined || !('SelectStmt' in inner)) {
        throw this.unsupported(
          `WITH … AS (${inner === undefined ? 'nothing' : this.statementName(inner)})`,
          cte.location,
        );
      }
      if (cte.cterecursive === true) throw this.unsupported('WITH RECURSIVE', cte.location);
      const name = this.source.identifiers(this.at(cte.location), [cte.ctename ?? ''])[0];
      assert(name !== undefined);
      ctes.push({
        name,
        columns: this.nameList(cte.aliascolnames, cte.location),
        query: this.query(inner.SelectStmt, this.at(cte.location)),
      });
    }
    const body = this.queryBody(select, position);
    const orderBy = (select.sortClause ?? []).map((node) => this.orderItem(node));
    const limit = select.limitCount === undefined ? undefined : this.limitExpr(select.limitCount);
    const offset = select.limitOffset === undefined ? undefined : this.expr(select.limitOffset);
    this.depth--;
    return { kind: 'Query', with: ctes, body, orderBy, limit, offset, position };
  }

  /** `LIMIT ALL` arrives as a NULL constant: no limit. */
  private limitExpr(node: Node): SqlExpr | undefined {
    if ('A_Const' in node && node.A_Const.isnull === true) return undefined;
    return this.expr(node);
  }

  private queryBody(select: SelectStmt, position: number): SqlQueryBody {
    const op = select.op ?? 'SETOP_NONE';
    if (op !== 'SETOP_NONE') {
      assert(select.larg !== undefined && select.rarg !== undefined, 'set operation operands');
      return {
        kind: 'SetOperation',
        op: op === 'SETOP_UNION' ? 'union' : op === 'SETOP_INTERSECT' ? 'intersect' : 'except',
        all: select.all === true,
        left: this.query(select.larg, position),
        right: this.query(select.rarg, position),
        position,
      };
    }
    if (select.valuesLists !== undefined) {
      const rows = select.valuesLists.map((row) => {
        if (!('List' in row)) throw this.unsupported(nodeKind(row), undefined);
        return (row.List.items ?? []).map((item) => this.expr(item));
      });
      return { kind: 'Values', rows, position };
    }
    const distinctClause = select.distinctClause;
    let distinct = false;
    if (distinctClause !== undefined) {
      if (distinctClause.length === 1 && Object.keys(distinctClause[0] ?? {}).length === 0) {
        distinct = true;
      } else {
        throw this.unsupportedAtChar('DISTINCT ON', position);
      }
    }
    if (select.groupDistinct === true) throw this.unsupportedAtChar('GROUP BY DISTINCT', position);
    const targets: SqlSelectTarget[] = (select.targetList ?? []).map((node) => {
      if (!('ResTarget' in node)) throw this.unsupported(nodeKind(node), undefined);
      const target = node.ResTarget;
      assert(target.val !== undefined, 'select target without a value');
      const expr = this.expr(target.val);
      const alias =
        target.name === undefined
          ? undefined
          : this.aliasIdentifier(target.name, target.location, target.val);
      return { expr, alias, position: this.at(target.location) };
    });
    const from = (select.fromClause ?? []).map((node) => this.fromItem(node));
    const groupBy = (select.groupClause ?? []).map((node) => {
      if ('GroupingSet' in node) {
        throw this.unsupported('GROUPING SETS / ROLLUP / CUBE', node.GroupingSet.location);
      }
      return this.expr(node);
    });
    return {
      kind: 'Select',
      distinct,
      targets,
      from,
      where: select.whereClause === undefined ? undefined : this.expr(select.whereClause),
      groupBy,
      having: select.havingClause === undefined ? undefined : this.expr(select.havingClause),
      position,
    };
  }

  /** An output alias `AS name`: its position is after the value, so find it by scanning. */
  private aliasIdentifier(name: string, location: number | undefined, _value: Node): Identifier {
    const start = this.at(location);
    const text = this.source.text;
    const quotedForm = `"${name.replace(/"/g, '""')}"`;
    const quotedAt = text.indexOf(quotedForm, start);
    const needsQuotes = name !== name.toLowerCase();
    return {
      text: name,
      quoted: needsQuotes || (quotedAt >= 0 && quotedAt < start + 4096 && quotedAt >= start),
      position: quotedAt >= 0 ? quotedAt : start,
    };
  }

  private firstLocation(select: SelectStmt): number | undefined {
    const first = select.targetList?.[0];
    if (first !== undefined && 'ResTarget' in first && first.ResTarget.location !== undefined) {
      // The SELECT keyword precedes the first target; report the query at its first target.
      return this.at(first.ResTarget.location);
    }
    return undefined;
  }

  private orderItem(node: Node): SqlOrderItem {
    if (!('SortBy' in node)) throw this.unsupported(nodeKind(node), undefined);
    const sortBy: SortBy = node.SortBy;
    assert(sortBy.node !== undefined, 'ORDER BY item without an expression');
    if (sortBy.sortby_dir === 'SORTBY_USING') {
      throw this.unsupported('ORDER BY … USING', sortBy.location);
    }
    const expr = this.expr(sortBy.node);
    return {
      expr,
      descending: sortBy.sortby_dir === 'SORTBY_DESC',
      nullsFirst:
        sortBy.sortby_nulls === 'SORTBY_NULLS_FIRST'
          ? true
          : sortBy.sortby_nulls === 'SORTBY_NULLS_LAST'
            ? false
            : undefined,
      position: this.exprPosition(expr),
    };
  }

  private exprPosition(expr: SqlExpr): number {
    return expr.position;
  }

  private nameList(nodes: readonly Node[] | undefined, location: number | undefined): Identifier[] {
    return (nodes ?? []).map((node) => {
      if (!('String' in node)) throw this.unsupported(nodeKind(node), location);
      return { text: node.String.sval ?? '', quoted: false, position: this.at(location) };
    });
  }

  private alias(alias: Alias | undefined, location: number | undefined): SqlAlias | undefined {
    if (alias === undefined) return undefined;
    const name = alias.aliasname ?? '';
    const text = this.source.text;
    const quotedForm = `"${name.replace(/"/g, '""')}"`;
    const start = this.at(location);
    const quotedAt = text.indexOf(quotedForm, start);
    return {
      name: {
        text: name,
        quoted: name !== name.toLowerCase() || quotedAt >= start,
        position: start,
      },
      columns: this.nameList(alias.colnames, location),
    };
  }

  private fromItem(node: Node): SqlFromItem {
    this.enter(undefined);
    let item: SqlFromItem;
    if ('RangeVar' in node) item = this.rangeVar(node.RangeVar);
    else if ('JoinExpr' in node) item = this.join(node.JoinExpr);
    else if ('RangeSubselect' in node) {
      const sub = node.RangeSubselect;
      if (sub.lateral === true) throw this.unsupported('LATERAL', undefined);
      const inner = sub.subquery;
      if (inner === undefined || !('SelectStmt' in inner)) {
        throw this.unsupported('this subquery in FROM', undefined);
      }
      const query = this.query(inner.SelectStmt, 0);
      item = {
        kind: 'Subquery',
        query,
        alias: this.alias(sub.alias, undefined),
        position: query.position,
      };
    } else if ('RangeFunction' in node) {
      throw this.unsupported('a function in FROM (set-returning functions)', undefined);
    } else {
      throw this.unsupported(`${nodeKind(node)} in FROM`, undefined);
    }
    this.depth--;
    return item;
  }

  private rangeVar(rangeVar: RangeVar): SqlFromItem {
    const position = this.at(rangeVar.location);
    const names =
      rangeVar.schemaname === undefined
        ? [rangeVar.relname ?? '']
        : [rangeVar.schemaname, rangeVar.relname ?? ''];
    if (rangeVar.catalogname !== undefined) {
      throw this.unsupported('a database-qualified table name', rangeVar.location);
    }
    const parts = this.source.identifiers(position, names);
    const name = parts[parts.length - 1];
    assert(name !== undefined);
    return {
      kind: 'Table',
      schema: parts.length > 1 ? parts[0] : undefined,
      name,
      alias: this.alias(rangeVar.alias, rangeVar.location),
      position,
    };
  }

  private join(join: JoinExpr): SqlFromItem {
    assert(join.larg !== undefined && join.rarg !== undefined, 'join operands');
    if (join.alias !== undefined) throw this.unsupported('an alias on a JOIN', undefined);
    const left = this.fromItem(join.larg);
    const right = this.fromItem(join.rarg);
    const using = this.nameList(join.usingClause, undefined);
    const on = join.quals === undefined ? undefined : this.expr(join.quals);
    const natural = join.isNatural === true;
    let kind: 'inner' | 'left' | 'right' | 'full' | 'cross';
    switch (join.jointype) {
      case 'JOIN_LEFT':
        kind = 'left';
        break;
      case 'JOIN_RIGHT':
        kind = 'right';
        break;
      case 'JOIN_FULL':
        kind = 'full';
        break;
      case 'JOIN_INNER':
      case undefined:
        kind = on === undefined && using.length === 0 && !natural ? 'cross' : 'inner';
        break;
      default:
        throw this.unsupported(`join type ${join.jointype}`, undefined);
    }
    return { kind: 'Join', join: kind, left, right, on, using, natural, position: left.position };
  }

  // ── expressions ─────────────────────────────────────────────────────────────────────────────

  expr(node: Node): SqlExpr {
    this.enter(undefined);
    const result = this.exprInner(node);
    this.depth--;
    return result;
  }

  private exprInner(node: Node): SqlExpr {
    if ('ColumnRef' in node) {
      const ref = node.ColumnRef;
      const position = this.at(ref.location);
      const fields = ref.fields ?? [];
      const last = fields[fields.length - 1];
      const names: string[] = [];
      for (const field of fields) {
        if ('String' in field) names.push(field.String.sval ?? '');
      }
      if (last !== undefined && 'A_Star' in last) {
        const parts = this.source.identifiers(position, names);
        if (parts.length > 1) throw this.unsupported('schema-qualified `*`', ref.location);
        return { kind: 'Star', table: parts[0], position };
      }
      if (names.length !== fields.length)
        throw this.unsupported('this column reference', ref.location);
      return { kind: 'Column', parts: this.source.identifiers(position, names), position };
    }
    if ('A_Const' in node) return this.constant(node.A_Const);
    if ('ParamRef' in node) {
      return {
        kind: 'Parameter',
        index: node.ParamRef.number ?? 0,
        position: this.at(node.ParamRef.location),
      };
    }
    if ('A_Expr' in node) return this.aExpr(node.A_Expr);
    if ('BoolExpr' in node) {
      const bool = node.BoolExpr;
      const args = (bool.args ?? []).map((arg) => this.expr(arg));
      const position = this.at(bool.location);
      if (bool.boolop === 'NOT_EXPR') {
        const operand = args[0];
        assert(operand !== undefined, 'NOT without an operand');
        return { kind: 'Unary', op: 'not', operand, position };
      }
      const op = bool.boolop === 'AND_EXPR' ? 'and' : 'or';
      const [first, ...rest] = args;
      assert(first !== undefined, 'AND/OR without operands');
      return rest.reduce<SqlExpr>(
        (left, right) => ({ kind: 'Binary', op, left, right, position }),
        first,
      );
    }
    if ('NullTest' in node) {
      const test = node.NullTest;
      assert(test.arg !== undefined, 'IS NULL without an operand');
      return {
        kind: 'IsNull',
        operand: this.expr(test.arg),
        negated: test.nulltesttype === 'IS_NOT_NULL',
        position: this.at(test.location),
      };
    }
    if ('BooleanTest' in node) {
      const test = node.BooleanTest;
      assert(test.arg !== undefined, 'IS TRUE without an operand');
      const type = test.booltesttype ?? 'IS_TRUE';
      return {
        kind: 'IsBool',
        operand: this.expr(test.arg),
        value: type.includes('TRUE') ? true : type.includes('FALSE') ? false : null,
        negated: type.startsWith('IS_NOT'),
        position: this.at(test.location),
      };
    }
    if ('SubLink' in node) return this.subLink(node.SubLink);
    if ('CaseExpr' in node) {
      const expr = node.CaseExpr;
      const whens = (expr.args ?? []).map((arm) => {
        if (!('CaseWhen' in arm)) throw this.unsupported(nodeKind(arm), expr.location);
        assert(arm.CaseWhen.expr !== undefined && arm.CaseWhen.result !== undefined);
        return { when: this.expr(arm.CaseWhen.expr), then: this.expr(arm.CaseWhen.result) };
      });
      return {
        kind: 'Case',
        operand: expr.arg === undefined ? undefined : this.expr(expr.arg),
        whens,
        otherwise: expr.defresult === undefined ? undefined : this.expr(expr.defresult),
        position: this.at(expr.location),
      };
    }
    if ('TypeCast' in node) return this.typeCast(node.TypeCast);
    if ('FuncCall' in node) return this.funcCall(node.FuncCall);
    if ('CoalesceExpr' in node) {
      return this.functionNode(
        'coalesce',
        (node.CoalesceExpr.args ?? []).map((arg) => this.expr(arg)),
        this.at(node.CoalesceExpr.location),
      );
    }
    if ('MinMaxExpr' in node) {
      return this.functionNode(
        node.MinMaxExpr.op === 'IS_LEAST' ? 'least' : 'greatest',
        (node.MinMaxExpr.args ?? []).map((arg) => this.expr(arg)),
        this.at(node.MinMaxExpr.location),
      );
    }
    if ('SQLValueFunction' in node) {
      const fn = node.SQLValueFunction;
      const name: Readonly<Record<string, string>> = {
        SVFOP_CURRENT_DATE: 'current_date',
        SVFOP_CURRENT_USER: 'current_user',
        SVFOP_SESSION_USER: 'session_user',
        SVFOP_USER: 'current_user',
        SVFOP_CURRENT_ROLE: 'current_user',
        SVFOP_CURRENT_CATALOG: 'current_database',
        SVFOP_CURRENT_SCHEMA: 'current_schema',
      };
      const mapped = name[fn.op ?? ''];
      if (mapped === undefined) {
        const label = (fn.op ?? '').replace(/^SVFOP_/, '');
        throw this.unsupported(`${label} (time-of-day and timestamp types)`, fn.location);
      }
      return this.functionNode(mapped, [], this.at(fn.location));
    }
    if ('CollateClause' in node) {
      const collate = node.CollateClause;
      const names = (collate.collname ?? []).flatMap((part) =>
        'String' in part ? [(part.String.sval ?? '').toLowerCase()] : [],
      );
      const last = names[names.length - 1] ?? '';
      if (!NEUTRAL_COLLATIONS.has(last) || collate.arg === undefined) {
        throw this.unsupported(`COLLATE "${names.join('.')}"`, collate.location);
      }
      return this.expr(collate.arg);
    }
    if ('A_ArrayExpr' in node) throw this.unsupported('arrays', node.A_ArrayExpr.location);
    if ('RowExpr' in node) throw this.unsupported('row values', node.RowExpr.location);
    if ('A_Indirection' in node)
      throw this.unsupported('subscripts and field selection', undefined);
    if ('GroupingFunc' in node) throw this.unsupported('GROUPING()', node.GroupingFunc.location);
    throw this.unsupported(`the expression ${nodeKind(node)}`, undefined);
  }

  private functionNode(name: string, args: SqlExpr[], position: number): SqlExpr {
    return {
      kind: 'Function',
      name,
      args,
      star: false,
      distinct: false,
      filter: undefined,
      orderBy: [],
      position,
    };
  }

  private constant(value: A_Const): SqlExpr {
    const position = this.at(value.location);
    if (value.isnull === true) return { kind: 'Literal', literal: 'null', text: 'null', position };
    if (value.ival !== undefined) {
      return { kind: 'Literal', literal: 'integer', text: String(value.ival.ival ?? 0), position };
    }
    if (value.fval !== undefined) {
      const text = value.fval.fval ?? '0';
      // PostgreSQL gives integers too large for int4 as "float" tokens: keep them integers
      // when they have no point or exponent (the binder decides int8 or numeric).
      const literal = /^[+-]?[0-9]+$/.test(text) ? 'integer' : 'numeric';
      return { kind: 'Literal', literal, text, position };
    }
    if (value.boolval !== undefined) {
      return {
        kind: 'Literal',
        literal: 'boolean',
        text: value.boolval.boolval === true ? 'true' : 'false',
        position,
      };
    }
    if (value.sval !== undefined) {
      return { kind: 'Literal', literal: 'string', text: value.sval.sval ?? '', position };
    }
    if (value.bsval !== undefined) throw this.unsupported('bit-string literals', value.location);
    // An A_Const with no field set is the integer 0 (protobuf omits defaults).
    return { kind: 'Literal', literal: 'integer', text: '0', position };
  }

  private operatorName(names: readonly Node[] | undefined): string {
    const last = names?.[names.length - 1];
    return last !== undefined && 'String' in last ? (last.String.sval ?? '') : '';
  }

  private aExpr(expr: A_Expr): SqlExpr {
    const position = this.at(expr.location);
    const op = this.operatorName(expr.name);
    const left = expr.lexpr === undefined ? undefined : this.expr(expr.lexpr);
    const rightNode = expr.rexpr;
    switch (expr.kind) {
      case 'AEXPR_OP': {
        assert(rightNode !== undefined, 'operator without a right operand');
        const right = this.expr(rightNode);
        if (left === undefined) {
          if (op === '-' || op === '+') {
            if (op === '-' && right.kind === 'Literal' && right.literal !== 'string') {
              // `- 9223372036854775808` must stay one literal to be in range.
              if (right.literal === 'integer' || right.literal === 'numeric') {
                const text = right.text.startsWith('-') ? right.text.slice(1) : `-${right.text}`;
                return { ...right, text, position };
              }
            }
            return { kind: 'Unary', op, operand: right, position };
          }
          throw this.unsupported(`the prefix operator ${op}`, expr.location);
        }
        if (op === '^') return this.functionNode('power', [left, right], position);
        const binary = BINARY_OPS.get(op);
        if (binary === undefined) throw this.unsupported(`the operator ${op}`, expr.location);
        return { kind: 'Binary', op: binary, left, right, position };
      }
      case 'AEXPR_OP_ANY':
      case 'AEXPR_OP_ALL': {
        assert(left !== undefined && rightNode !== undefined);
        if ('A_ArrayExpr' in rightNode && (op === '=' || op === '<>')) {
          const list = (rightNode.A_ArrayExpr.elements ?? []).map((item) => this.expr(item));
          const isAny = expr.kind === 'AEXPR_OP_ANY';
          if ((op === '=' && isAny) || (op === '<>' && !isAny)) {
            return { kind: 'InList', operand: left, list, negated: op === '<>', position };
          }
        }
        throw this.unsupported(
          `${op} ${expr.kind === 'AEXPR_OP_ANY' ? 'ANY' : 'ALL'} (array)`,
          expr.location,
        );
      }
      case 'AEXPR_DISTINCT':
      case 'AEXPR_NOT_DISTINCT': {
        assert(left !== undefined && rightNode !== undefined);
        return {
          kind: 'IsDistinct',
          left,
          right: this.expr(rightNode),
          negated: expr.kind === 'AEXPR_NOT_DISTINCT',
          position,
        };
      }
      case 'AEXPR_NULLIF': {
        assert(left !== undefined && rightNode !== undefined);
        return this.functionNode('nullif', [left, this.expr(rightNode)], position);
      }
      case 'AEXPR_IN': {
        assert(left !== undefined && rightNode !== undefined);
        if (!('List' in rightNode)) throw this.unsupported('IN with this operand', expr.location);
        const list = (rightNode.List.items ?? []).map((item) => this.expr(item));
        return { kind: 'InList', operand: left, list, negated: op === '<>', position };
      }
      case 'AEXPR_LIKE':
      case 'AEXPR_ILIKE': {
        assert(left !== undefined && rightNode !== undefined);
        if ('FuncCall' in rightNode) {
          const name = this.operatorName(rightNode.FuncCall.funcname);
          if (name === 'like_escape') throw this.unsupported('LIKE … ESCAPE', expr.location);
        }
        return {
          kind: 'Like',
          operand: left,
          pattern: this.expr(rightNode),
          caseInsensitive: expr.kind === 'AEXPR_ILIKE',
          negated: op.startsWith('!'),
          position,
        };
      }
      case 'AEXPR_BETWEEN':
      case 'AEXPR_NOT_BETWEEN':
      case 'AEXPR_BETWEEN_SYM':
      case 'AEXPR_NOT_BETWEEN_SYM': {
        assert(left !== undefined && rightNode !== undefined && 'List' in rightNode);
        const [low, high] = (rightNode.List.items ?? []).map((item) => this.expr(item));
        assert(low !== undefined && high !== undefined, 'BETWEEN bounds');
        return {
          kind: 'Between',
          operand: left,
          low,
          high,
          negated: expr.kind.startsWith('AEXPR_NOT'),
          symmetric: expr.kind.endsWith('_SYM'),
          position,
        };
      }
      case 'AEXPR_SIMILAR':
        throw this.unsupported('SIMILAR TO', expr.location);
      default:
        throw this.unsupported(`the operator form ${expr.kind ?? '?'}`, expr.location);
    }
  }

  private subLink(link: SubLink): SqlExpr {
    const position = this.at(link.location);
    const inner = link.subselect;
    if (inner === undefined || !('SelectStmt' in inner)) {
      throw this.unsupported('this subquery', link.location);
    }
    const query = this.query(inner.SelectStmt, position);
    switch (link.subLinkType) {
      case 'EXISTS_SUBLINK':
        return { kind: 'Exists', query, position };
      case 'EXPR_SUBLINK':
        return { kind: 'ScalarSubquery', query, position };
      case 'ANY_SUBLINK':
      case 'ALL_SUBLINK': {
        assert(link.testexpr !== undefined, 'IN/ANY without a left operand');
        if (link.testexpr !== undefined && 'RowExpr' in link.testexpr) {
          throw this.unsupported('row values in IN / ANY', link.location);
        }
        const operand = this.expr(link.testexpr);
        const op = link.operName === undefined ? '=' : this.operatorName(link.operName);
        if (!COMPARISONS.has(op)) throw this.unsupported(`${op} ANY/ALL`, link.location);
        const quantifier = link.subLinkType === 'ANY_SUBLINK' ? 'any' : 'all';
        if (op === '=' && quantifier === 'any') {
          return { kind: 'InSubquery', operand, query, negated: false, position };
        }
        return {
          kind: 'Quantified',
          operand,
          op: op as '=' | '<>' | '<' | '<=' | '>' | '>=',
          quantifier,
          query,
          position,
        };
      }
      default:
        throw this.unsupported(
          `${(link.subLinkType ?? '').replace(/_SUBLINK$/, '')} subqueries`,
          link.location,
        );
    }
  }

  private typeCast(cast: TypeCast): SqlExpr {
    assert(cast.arg !== undefined && cast.typeName !== undefined, 'CAST operands');
    const typeName = cast.typeName;
    const names = (typeName.names ?? []).flatMap((part) =>
      'String' in part ? [part.String.sval ?? ''] : [],
    );
    const unqualified = names.filter(
      (name, index) => !(index === 0 && names.length > 1 && name === 'pg_catalog'),
    );
    const name = unqualified.join('.');
    const modifiers = (typeName.typmods ?? []).map((mod) =>
      'A_Const' in mod ? String(mod.A_Const.ival?.ival ?? 0) : '?',
    );
    const typeText = modifiers.length > 0 ? `${name}(${modifiers.join(',')})` : name;
    if (typeName.arrayBounds !== undefined && typeName.arrayBounds.length > 0) {
      throw this.unsupported(`the array type ${typeText}[]`, typeName.location);
    }
    const type = unqualified.length === 1 ? typeFromSqlName(name) : undefined;
    if (type === undefined) throw this.unsupported(`the type ${typeText}`, typeName.location);
    const operand = this.expr(cast.arg);
    return {
      kind: 'Cast',
      operand,
      type,
      typeText,
      position: operand.position,
    };
  }

  private funcCall(call: FuncCall): SqlExpr {
    const names = (call.funcname ?? []).flatMap((part) =>
      'String' in part ? [part.String.sval ?? ''] : [],
    );
    const position = this.at(call.location);
    if (names.length > 2 || (names.length === 2 && names[0] !== 'pg_catalog')) {
      throw this.unsupported(`the function ${names.join('.')}`, call.location);
    }
    const name = names[names.length - 1] ?? '';
    if (call.over !== undefined)
      throw this.unsupported(`window functions (${name} OVER)`, call.location);
    if (call.agg_within_group === true) throw this.unsupported('WITHIN GROUP', call.location);
    if (call.func_variadic === true) throw this.unsupported('VARIADIC', call.location);
    return {
      kind: 'Function',
      name,
      args: (call.args ?? []).map((arg) => this.expr(arg)),
      star: call.agg_star === true,
      distinct: call.agg_distinct === true,
      filter: call.agg_filter === undefined ? undefined : this.expr(call.agg_filter),
      orderBy: (call.agg_order ?? []).map((node) => this.orderItem(node)),
      position,
    };
  }
}
