/** The CQL front end: text → AST (both syntaxes) → canonical text. */
export * from './ast.js';
export { CqlSyntaxError, CqlUnsupportedError } from './errors.js';
export { tokenize, quoteString, isIdentifier, type Token, type TokenKind } from './lexer.js';
export {
  parseProgram,
  parseProgramCollectingErrors,
  type ParseOptions,
  type ParseResult,
} from './parser.js';
export {
  printProgram,
  printDeclaration,
  printTerm,
  printCompactExpr,
  printName,
  printTypesideExp,
  printSchemaExp,
  printInstanceExp,
  printMappingExp,
  printQueryExp,
} from './printer.js';
