/**
 * The abstract syntax of CQL programs: one AST for both syntaxes (ARCHITECTURE.md, "The CQL
 * dialect").
 *
 * - The reference CQL literal syntax (categoricaldata.net): `typeside T = literal {…}`,
 *   `schema S = literal : T {…}`, `instance I = literal : S {…}`, `mapping F = literal : S -> T
 *   {…}`, `query Q = literal : S -> T {…}`, and the expressions `sigma F I`, `delta F I`,
 *   `pi F I`, `eval Q I`, `empty : S`, `identity S`, `[F ; G]`.
 * - The compact dialect: `schema Company {…}` (built-in typeside, `!` for NOT NULL),
 *   `instance I : Company { Employee { e1: emp_name = "Alice", works_in = d1 } }`,
 *   `mapping F : S -> T {…}`, `query Q : S { from … where … select … }`.
 *
 * Every node is a readonly object with a `kind` tag (STYLE.md §2) and a `span`: where it starts
 * in the source. Spans are not part of a node's meaning: `equalModuloSpans` compares two ASTs
 * ignoring them, which is the equality of the round trip parse(print(ast)) = ast.
 *
 * Names are kept as written (CQL is case-sensitive). Literal values keep their source text, so
 * Ints beyond 2^53 and Decimals stay exact until the catalog parses them against a type.
 */

/** Where a node starts. Lines and columns count from 1; `offset` is the UTF-16 index. */
export interface Span {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

/** A name together with where it was written (for "unknown entity `X`" errors). */
export interface Name {
  readonly kind: 'Name';
  readonly text: string;
  readonly span: Span;
}

/** `key = value` of an `options` block; values are kept as text (`true`, `64`, `"x"`). */
export interface OptionSetting {
  readonly kind: 'OptionSetting';
  readonly key: string;
  readonly value: string;
  readonly span: Span;
}

// ─── Terms (the reference syntax's RawTerm) ────────────────────────────────────────────────────

/**
 * A first-order term: a head symbol applied to arguments. `f(x, y)`, `x.f.g` (= `g(f(x))`),
 * `(x plus y)` and a bare `x` all become `Term`s. A bare head may be a variable, a generator, a
 * typeside constant, or a literal; which one is decided by the catalog, not the parser.
 * `quoted` is true for a head written as a string literal (`"2"`, `"Al"`). `annotation` is the
 * sort of `x@Type`. `style` records how the term was written so the printer can keep it; it is
 * presentation only and does not take part in `equalModuloSpans`.
 */
export interface Term {
  readonly kind: 'Term';
  readonly head: string;
  readonly args: readonly Term[];
  readonly quoted: boolean;
  readonly annotation: string | undefined;
  readonly style: 'prefix' | 'dot' | 'infix';
  readonly span: Span;
}

/** `t = u`, as in instance equations and `where` clauses. */
export interface TermEquation {
  readonly kind: 'TermEquation';
  readonly lhs: Term;
  readonly rhs: Term;
  readonly span: Span;
}

/** A variable of a `forall` or `lambda` context, with an optional sort (`x:Employee`). */
export interface ContextVariable {
  readonly kind: 'ContextVariable';
  readonly name: string;
  readonly sort: string | undefined;
  readonly span: Span;
}

/** `forall x:T, y. lhs = rhs` (typeside equations, observation equations). */
export interface QuantifiedEquation {
  readonly kind: 'QuantifiedEquation';
  readonly context: readonly ContextVariable[];
  readonly lhs: Term;
  readonly rhs: Term;
  readonly span: Span;
}

/** A dotted path `Employee.manager.worksIn`: names as written, the first possibly an entity. */
export interface Path {
  readonly kind: 'Path';
  readonly names: readonly Name[];
  readonly span: Span;
}

/** `Employee.manager.worksIn = Employee.worksIn` of a `path_equations` section. */
export interface PathEquation {
  readonly kind: 'PathEquation';
  readonly lhs: Path;
  readonly rhs: Path;
  readonly span: Span;
}

// ─── Typesides ─────────────────────────────────────────────────────────────────────────────────

/** `name : arg1, arg2 -> result` (`constants` have no arguments). */
export interface FunctionSymbol {
  readonly kind: 'FunctionSymbol';
  readonly name: Name;
  readonly argumentSorts: readonly Name[];
  readonly resultSort: Name;
  readonly span: Span;
}

/** `external_types` / `java_types`: `string -> "java.lang.String"`. */
export interface ExternalType {
  readonly kind: 'ExternalType';
  readonly sort: Name;
  readonly className: string;
  readonly span: Span;
}

/** `external_parsers` / `java_constants`: `nat -> "parseInt"`. */
export interface ExternalParser {
  readonly kind: 'ExternalParser';
  readonly sort: Name;
  readonly code: string;
  readonly span: Span;
}

/** `external_functions` / `java_functions`: `plus : nat, nat -> nat = "(x, y) => x + y"`. */
export interface ExternalFunction {
  readonly kind: 'ExternalFunction';
  readonly name: Name;
  readonly argumentSorts: readonly Name[];
  readonly resultSort: Name;
  readonly code: string;
  readonly span: Span;
}

export interface TypesideLiteral {
  readonly kind: 'TypesideLiteral';
  readonly imports: readonly TypesideExp[];
  readonly types: readonly Name[];
  readonly constants: readonly FunctionSymbol[];
  readonly functions: readonly FunctionSymbol[];
  readonly externalTypes: readonly ExternalType[];
  readonly externalParsers: readonly ExternalParser[];
  readonly externalFunctions: readonly ExternalFunction[];
  readonly equations: readonly QuantifiedEquation[];
  readonly options: readonly OptionSetting[];
  readonly span: Span;
}

/** `sql`: the built-in typeside (String, Int, Float, Bool, Date, Uuid, Decimal). */
export interface TypesideSql {
  readonly kind: 'TypesideSql';
  readonly span: Span;
}

/** `empty`: the typeside with no types. */
export interface TypesideEmpty {
  readonly kind: 'TypesideEmpty';
  readonly span: Span;
}

/** `typesideOf S`. */
export interface TypesideOf {
  readonly kind: 'TypesideOf';
  readonly schema: SchemaExp;
  readonly span: Span;
}

/** A reference to a named declaration of the matching kind. */
export interface VarExp<K extends string> {
  readonly kind: K;
  readonly name: Name;
  readonly span: Span;
}

export type TypesideVar = VarExp<'TypesideVar'>;
export type TypesideExp = TypesideLiteral | TypesideSql | TypesideEmpty | TypesideOf | TypesideVar;

// ─── Schemas ───────────────────────────────────────────────────────────────────────────────────

/** `name : Source -> Target` of a `foreign_keys` section. */
export interface ForeignKeyDecl {
  readonly kind: 'ForeignKeyDecl';
  readonly name: Name;
  readonly source: Name;
  readonly target: Name;
  readonly span: Span;
}

/** `name : Entity -> Type` of an `attributes` section; `notNull` is the compact dialect's `!`. */
export interface AttributeDecl {
  readonly kind: 'AttributeDecl';
  readonly name: Name;
  readonly entity: Name;
  readonly type: Name;
  readonly notNull: boolean;
  readonly span: Span;
}

/**
 * An `observation_equations` entry: `forall e. age(e) = plus(…)` (form `forall`), or written as a
 * path equation whose ends are attributes (form `path`, desugared by the reference into a
 * `forall _x` equation; the printer keeps the form).
 */
export interface ObservationEquation {
  readonly kind: 'ObservationEquation';
  readonly form: 'forall' | 'path';
  readonly variable: ContextVariable;
  readonly lhs: Term;
  readonly rhs: Term;
  readonly span: Span;
}

/**
 * A schema body. `syntax: 'literal'` is `literal : T { … }`; `syntax: 'compact'` is the
 * compact `schema Name { … }`, whose typeside is the built-in `sql` one.
 */
export interface SchemaLiteral {
  readonly kind: 'SchemaLiteral';
  readonly syntax: 'literal' | 'compact';
  readonly typeside: TypesideExp;
  readonly imports: readonly SchemaExp[];
  readonly entities: readonly Name[];
  readonly foreignKeys: readonly ForeignKeyDecl[];
  readonly pathEquations: readonly PathEquation[];
  readonly attributes: readonly AttributeDecl[];
  readonly observationEquations: readonly ObservationEquation[];
  readonly options: readonly OptionSetting[];
  readonly span: Span;
}

/** `empty : T`. */
export interface SchemaEmpty {
  readonly kind: 'SchemaEmpty';
  readonly typeside: TypesideExp;
  readonly span: Span;
}

/** `dom_m F` / `cod_m F` / `dom_q Q` / `cod_q Q` / `schemaOf I`. */
export interface SchemaOf {
  readonly kind: 'SchemaOf';
  readonly of: 'dom_m' | 'cod_m' | 'dom_q' | 'cod_q' | 'schemaOf';
  readonly target: Name;
  readonly span: Span;
}

export type SchemaVar = VarExp<'SchemaVar'>;
export type SchemaExp = SchemaLiteral | SchemaEmpty | SchemaOf | SchemaVar;

// ─── Instances ─────────────────────────────────────────────────────────────────────────────────

/** `a : Employee` of a `generators` section (`a b c : Employee` gives three). */
export interface GeneratorDecl {
  readonly kind: 'GeneratorDecl';
  readonly name: Name;
  readonly sort: Name;
  readonly span: Span;
}

/** `name -> {a Al, b Bob}` of a `multi_equations` section: `name(a) = Al`, `name(b) = Bob`. */
export interface MultiEquation {
  readonly kind: 'MultiEquation';
  readonly symbol: Name;
  readonly pairs: readonly { readonly argument: Term; readonly value: Term }[];
  readonly span: Span;
}

/** `literal : S { generators … equations … multi_equations … }`. */
export interface InstanceLiteral {
  readonly kind: 'InstanceLiteral';
  readonly schema: SchemaExp;
  readonly imports: readonly InstanceExp[];
  readonly generators: readonly GeneratorDecl[];
  readonly equations: readonly TermEquation[];
  readonly multiEquations: readonly MultiEquation[];
  readonly options: readonly OptionSetting[];
  readonly span: Span;
}

/**
 * A value in a compact instance row. `text` is the source text of the literal (without quotes
 * for strings; escapes resolved), so `12.50`, `9007199254740993` and `"2024-01-31"` stay exact
 * until the catalog parses them as the attribute's type. `reference` names a row (generator) of
 * the foreign key's target entity.
 */
export type RowValue =
  | {
      readonly kind: 'RowLiteral';
      readonly literal: 'string' | 'number' | 'boolean';
      readonly text: string;
      readonly span: Span;
    }
  | { readonly kind: 'RowNull'; readonly span: Span }
  | { readonly kind: 'RowReference'; readonly generator: Name; readonly span: Span };

/** `emp_name = "Alice"` or `works_in = d1` inside a compact row. */
export interface RowAssignment {
  readonly kind: 'RowAssignment';
  readonly field: Name;
  readonly value: RowValue;
  readonly span: Span;
}

/** `e1: emp_name = "Alice", works_in = d1` — one row, named by its generator. */
export interface RowDecl {
  readonly kind: 'RowDecl';
  readonly generator: Name;
  readonly assignments: readonly RowAssignment[];
  readonly span: Span;
}

/** `Employee { row… }` inside a compact instance. */
export interface EntityRows {
  readonly kind: 'EntityRows';
  readonly entity: Name;
  readonly rows: readonly RowDecl[];
  readonly span: Span;
}

/** The compact `instance I : S { Employee { e1: … } … }`. */
export interface InstanceRows {
  readonly kind: 'InstanceRows';
  readonly schema: SchemaExp;
  readonly entities: readonly EntityRows[];
  readonly span: Span;
}

/** `empty : S`. */
export interface InstanceEmpty {
  readonly kind: 'InstanceEmpty';
  readonly schema: SchemaExp;
  readonly span: Span;
}

/** `sigma F I`, `delta F I`, `pi F I` with an optional `{ options … }`. */
export interface InstanceMigration {
  readonly kind: 'InstanceMigration';
  readonly functor: 'sigma' | 'delta' | 'pi';
  readonly mapping: MappingExp;
  readonly instance: InstanceExp;
  readonly options: readonly OptionSetting[];
  readonly span: Span;
}

/** `eval Q I` with an optional `{ options … }`. */
export interface InstanceEval {
  readonly kind: 'InstanceEval';
  readonly query: QueryExp;
  readonly instance: InstanceExp;
  readonly options: readonly OptionSetting[];
  readonly span: Span;
}

export type InstanceVar = VarExp<'InstanceVar'>;
export type InstanceExp =
  InstanceLiteral | InstanceRows | InstanceEmpty | InstanceMigration | InstanceEval | InstanceVar;

// ─── Mappings ──────────────────────────────────────────────────────────────────────────────────

/** `fk -> path` (an empty path is `identity`: the foreign key goes to the entity itself). */
export interface ForeignKeyMapping {
  readonly kind: 'ForeignKeyMapping';
  readonly foreignKey: Name;
  readonly path: readonly Name[];
  readonly span: Span;
}

/**
 * `att -> lambda x. term` or `att -> path` (a path `x.f.a` is `lambda _x. a(f(_x))`; `form`
 * keeps which was written). `variable` is the lambda's bound variable.
 */
export interface AttributeMapping {
  readonly kind: 'AttributeMapping';
  readonly attribute: Name;
  readonly form: 'lambda' | 'path';
  readonly variable: ContextVariable;
  readonly term: Term;
  readonly span: Span;
}

/** `entity X -> Y foreign_keys … attributes …`. */
export interface EntityMapping {
  readonly kind: 'EntityMapping';
  readonly source: Name;
  readonly target: Name;
  readonly foreignKeys: readonly ForeignKeyMapping[];
  readonly attributes: readonly AttributeMapping[];
  readonly span: Span;
}

export interface MappingLiteral {
  readonly kind: 'MappingLiteral';
  readonly syntax: 'literal' | 'compact';
  readonly source: SchemaExp;
  readonly target: SchemaExp;
  readonly imports: readonly MappingExp[];
  readonly entities: readonly EntityMapping[];
  readonly options: readonly OptionSetting[];
  readonly span: Span;
}

/** `identity S`. */
export interface MappingIdentity {
  readonly kind: 'MappingIdentity';
  readonly schema: SchemaExp;
  readonly span: Span;
}

/** `[F ; G]`: first F, then G. */
export interface MappingCompose {
  readonly kind: 'MappingCompose';
  readonly first: MappingExp;
  readonly second: MappingExp;
  readonly span: Span;
}

export type MappingVar = VarExp<'MappingVar'>;
export type MappingExp = MappingLiteral | MappingIdentity | MappingCompose | MappingVar;

// ─── Uber-flower queries (reference syntax) ─────────────────────────────────────────────────────

/** `from e:Employee d:Department`. */
export interface FromBinding {
  readonly kind: 'FromBinding';
  readonly variable: Name;
  readonly entity: Name;
  readonly span: Span;
}

/** `att -> term` in a query block's `attributes`. */
export interface QueryAttribute {
  readonly kind: 'QueryAttribute';
  readonly attribute: Name;
  readonly term: Term;
  readonly span: Span;
}

/** `fk -> {v -> term, …}` in a query block's `foreign_keys`: a substitution of the target's from-variables. */
export interface QueryForeignKey {
  readonly kind: 'QueryForeignKey';
  readonly foreignKey: Name;
  readonly bindings: readonly { readonly variable: Name; readonly term: Term }[];
  readonly span: Span;
}

/** `entity X -> { from … where … attributes … foreign_keys … }`. */
export interface QueryBlock {
  readonly kind: 'QueryBlock';
  readonly entity: Name;
  readonly from: readonly FromBinding[];
  readonly where: readonly TermEquation[];
  readonly attributes: readonly QueryAttribute[];
  readonly foreignKeys: readonly QueryForeignKey[];
  readonly options: readonly OptionSetting[];
  readonly span: Span;
}

export interface QueryLiteral {
  readonly kind: 'QueryLiteral';
  readonly source: SchemaExp;
  readonly target: SchemaExp;
  readonly imports: readonly QueryExp[];
  readonly blocks: readonly QueryBlock[];
  readonly options: readonly OptionSetting[];
  readonly span: Span;
}

/** `simple : S { from … where … attributes … }`: one block, target schema inferred. */
export interface QuerySimple {
  readonly kind: 'QuerySimple';
  readonly source: SchemaExp;
  readonly block: QueryBlock;
  readonly span: Span;
}

/** `identity S` as a query. */
export interface QueryIdentity {
  readonly kind: 'QueryIdentity';
  readonly schema: SchemaExp;
  readonly span: Span;
}

/** `toQuery F` (Δ_F as a query) and `toCoQuery F`. */
export interface QueryFromMapping {
  readonly kind: 'QueryFromMapping';
  readonly direction: 'toQuery' | 'toCoQuery';
  readonly mapping: MappingExp;
  readonly span: Span;
}

export type QueryVar = VarExp<'QueryVar'>;
export type QueryExp = QueryLiteral | QuerySimple | QueryIdentity | QueryFromMapping | QueryVar;

// ─── Compact queries ───────────────────────────────────────────────────────────────────────────

/** Expressions of compact queries: SQL-like, with foreign-key paths from `from` variables. */
export type CompactExpr =
  | {
      readonly kind: 'ExprPath';
      /** The `from` variable, then foreign keys, then possibly one attribute. */
      readonly variable: Name;
      readonly steps: readonly Name[];
      readonly span: Span;
    }
  | {
      readonly kind: 'ExprLiteral';
      readonly literal: 'string' | 'number' | 'boolean' | 'null';
      readonly text: string;
      readonly span: Span;
    }
  | {
      readonly kind: 'ExprUnary';
      readonly op: 'not' | '-';
      readonly operand: CompactExpr;
      readonly span: Span;
    }
  | {
      readonly kind: 'ExprBinary';
      readonly op: CompactBinaryOp;
      readonly left: CompactExpr;
      readonly right: CompactExpr;
      readonly span: Span;
    }
  | {
      readonly kind: 'ExprIsNull';
      readonly operand: CompactExpr;
      readonly negated: boolean;
      readonly span: Span;
    }
  | {
      readonly kind: 'ExprAggregate';
      readonly fn: 'COUNT' | 'SUM' | 'AVG' | 'MIN' | 'MAX';
      /** undefined for COUNT(*). */
      readonly argument: CompactExpr | undefined;
      readonly distinct: boolean;
      readonly span: Span;
    }
  | {
      readonly kind: 'ExprCall';
      readonly fn: Name;
      readonly args: readonly CompactExpr[];
      readonly span: Span;
    };

export type CompactBinaryOp =
  'or' | 'and' | '=' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%' | '||';

export interface CompactSelectItem {
  readonly kind: 'CompactSelectItem';
  readonly expr: CompactExpr;
  readonly alias: Name | undefined;
  readonly span: Span;
}

export interface CompactOrderItem {
  readonly kind: 'CompactOrderItem';
  readonly expr: CompactExpr;
  readonly direction: 'asc' | 'desc';
  readonly span: Span;
}

/** `query Q : S { from … where … group_by … select … order_by … limit … }`. */
export interface CompactQuery {
  readonly kind: 'CompactQuery';
  readonly schema: SchemaExp;
  readonly from: readonly FromBinding[];
  readonly where: CompactExpr | undefined;
  readonly groupBy: readonly CompactExpr[];
  readonly select: readonly CompactSelectItem[];
  readonly orderBy: readonly CompactOrderItem[];
  /** Source text of the limit (an Int literal), checked by the catalog. */
  readonly limit: string | undefined;
  readonly span: Span;
}

// ─── Declarations and programs ─────────────────────────────────────────────────────────────────

export interface TypesideDecl {
  readonly kind: 'TypesideDecl';
  readonly name: Name;
  readonly value: TypesideExp;
  readonly span: Span;
}

export interface SchemaDecl {
  readonly kind: 'SchemaDecl';
  readonly name: Name;
  readonly value: SchemaExp;
  readonly span: Span;
}

export interface InstanceDecl {
  readonly kind: 'InstanceDecl';
  readonly name: Name;
  readonly value: InstanceExp;
  readonly span: Span;
}

export interface MappingDecl {
  readonly kind: 'MappingDecl';
  readonly name: Name;
  readonly value: MappingExp;
  readonly span: Span;
}

export interface QueryDecl {
  readonly kind: 'QueryDecl';
  readonly name: Name;
  readonly value: QueryExp | CompactQuery;
  readonly span: Span;
}

/** A top-level `options` block: defaults for every declaration after it. */
export interface OptionsDecl {
  readonly kind: 'OptionsDecl';
  readonly options: readonly OptionSetting[];
  readonly span: Span;
}

export type Declaration =
  TypesideDecl | SchemaDecl | InstanceDecl | MappingDecl | QueryDecl | OptionsDecl;

export interface Program {
  readonly kind: 'Program';
  /** The file the program was read from, for error locations; undefined for inline text. */
  readonly file: string | undefined;
  readonly declarations: readonly Declaration[];
}

/** Every node kind, for exhaustive handler maps. */
export type Node =
  | Program
  | Declaration
  | TypesideExp
  | SchemaExp
  | InstanceExp
  | MappingExp
  | QueryExp
  | CompactQuery
  | CompactExpr
  | Name
  | OptionSetting
  | Term
  | TermEquation
  | ContextVariable
  | QuantifiedEquation
  | Path
  | PathEquation
  | FunctionSymbol
  | ExternalType
  | ExternalParser
  | ExternalFunction
  | ForeignKeyDecl
  | AttributeDecl
  | ObservationEquation
  | GeneratorDecl
  | MultiEquation
  | RowValue
  | RowAssignment
  | RowDecl
  | EntityRows
  | ForeignKeyMapping
  | AttributeMapping
  | EntityMapping
  | FromBinding
  | QueryAttribute
  | QueryForeignKey
  | QueryBlock
  | CompactSelectItem
  | CompactOrderItem;

export type NodeKind = Node['kind'];

/** Fields that describe presentation, not meaning, and are ignored by `equalModuloSpans`. */
const PRESENTATION_FIELDS: ReadonlySet<string> = new Set(['span', 'style', 'file']);

/**
 * Structural equality of two ASTs (or any JSON-like values) ignoring spans and presentation
 * fields: the equality of parse(print(ast)) = ast.
 */
export function equalModuloSpans(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => equalModuloSpans(item, b[index]));
  }
  const recordA = a as Record<string, unknown>;
  const recordB = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(recordA), ...Object.keys(recordB)]);
  for (const key of keys) {
    if (PRESENTATION_FIELDS.has(key)) continue;
    if (!equalModuloSpans(recordA[key], recordB[key])) return false;
  }
  return true;
}
