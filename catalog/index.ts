/**
 * The catalog: CQL programs checked into an immutable model of typesides, schemas, instances,
 * mappings and queries; saturation of instance presentations; path equality; run JSON.
 *
 * Other folders import the catalog only through this file.
 */
export {
  CatalogError,
  type CatalogErrorCode,
  type CatalogWarning,
  type CatalogWarningCode,
} from './errors.js';
export {
  Typeside,
  type Sort,
  type LiteralMode,
  type TypesideFunction,
  type TypesideConstant,
  type TypesideEquation,
  type FunctionImplementation,
} from './typeside.js';
export { SQL_TYPESIDE, EMPTY_TYPESIDE, SQL_SORT_ALIASES } from './sql-typeside.js';
export {
  Schema,
  pathOf,
  printPath,
  concatPaths,
  type Entity,
  type ForeignKey,
  type Attribute,
  type SchemaPath,
  type PathEquation,
  type ObservationEquation,
} from './schema.js';
export {
  termSort,
  sameSort,
  printSort,
  printTypedTerm,
  substitute,
  mapTerm,
  type TermMap,
  equalTerms,
  variablesOf,
  entitySort,
  typeSort,
  varTerm,
  genTerm,
  skTerm,
  fkTerm,
  attTerm,
  constTerm,
  literalTerm,
  nullTerm,
  applyTerm,
  type TypedTerm,
  type TypedTermKind,
  type TermSort,
  type TypedEquation,
} from './term.js';
export { PathEquality, type PathVerdict, type PathEqualityLimits } from './path-equality.js';
export { Mapping, type AttributeImage } from './mapping.js';
export {
  UberQuery,
  CompactQuery,
  printExprType,
  type Query,
  type QueryBlock,
  type FromVariable,
  type TypedExpr,
  type ExprType,
  type AggregateFunction,
  type SelectItem,
  type OrderItem,
} from './query.js';
export {
  SaturatedInstance,
  type InstanceTable,
  type AttributeColumn,
  type Cell,
} from './saturated-instance.js';
export {
  saturate,
  saturateCollecting,
  type Presentation,
  type PresentationGenerator,
  type SaturateOptions,
  type SaturationResult,
} from './saturate.js';
export {
  CheckedInstance,
  type CheckedProgram,
  type InstanceDefinition,
  type InstanceEvaluator,
  type EvaluationRequest,
  type DeclarationEntry,
  type DeclarationKind,
} from './checked-program.js';
export {
  checkProgram,
  checkProgramCollecting,
  type CheckOptions,
  type CheckResult,
} from './check-program.js';
export { COMPACT_FUNCTIONS } from './check-compact-query.js';
export {
  instanceToJson,
  canonicalOrder,
  type RunJsonInstance,
  type RunJsonTable,
  type RunJsonRow,
  type RunJsonValue,
} from './run-json.js';
export {
  programToJson,
  schemaToJson,
  mappingToJson,
  queryToJson,
  instanceSummaryToJson,
} from './model-json.js';
export {
  postgresDdl,
  postgresInserts,
  postgresType,
  cypherSchema,
  schemasToDot,
  quoteIdentifier,
  quoteLiteral,
} from './generate.js';
