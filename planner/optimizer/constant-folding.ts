/**
 * Constant folding: an expression that reads no column, parameter or subquery and calls no
 * volatile or session-dependent function is evaluated once at plan time and replaced by its
 * value; AND/OR with a constant operand simplify (`x AND true` → x, `x OR true` → true), and a
 * Filter whose predicate folds to true disappears.
 *
 * An expression whose evaluation fails (`1 / 0`) is left as it is: it may never run (a CASE
 * branch, a filter over no rows), and if it does run, the executor raises the error then.
 */
import { CatrustError } from '../../common/index.js';
import { ExecutionEnvironment, defaultFunctionContext } from '../exec/environment.js';
import { evaluateConstant } from '../exec/execute.js';
import { and, literal, or, someExpr, type Expr } from '../expr/expr.js';
import { resolveFunction } from '../expr/functions.js';
import { transformAllExpressions, transformPlan } from '../logical/analysis.js';
import type { OptimizerRule } from './rule.js';

function foldable(expr: Expr): boolean {
  if (expr.kind === 'Literal') return false;
  return !someExpr(expr, (node) => {
    switch (node.kind) {
      case 'Column':
      case 'Parameter':
      case 'Subquery':
        return true;
      case 'Call': {
        if (node.args.length === 0) return true;
        const resolved = resolveFunction(
          node.name,
          node.args.map((arg) => arg.type),
        );
        return resolved?.volatile === true;
      }
      default:
        return false;
    }
  });
}

function isBool(expr: Expr, value: boolean): boolean {
  return expr.kind === 'Literal' && expr.value === value;
}

function fold(expr: Expr, env: ExecutionEnvironment): Expr {
  if (expr.kind === 'Logical') {
    const absorbing = expr.op === 'and' ? false : true;
    if (expr.args.some((arg) => isBool(arg, absorbing))) return literal(absorbing, 'Bool');
    const rest = expr.args.filter((arg) => !isBool(arg, !absorbing));
    if (rest.length !== expr.args.length) {
      return rest.length === 0
        ? literal(!absorbing, 'Bool')
        : expr.op === 'and'
          ? and(rest)
          : or(rest);
    }
    return expr;
  }
  if (!foldable(expr)) return expr;
  try {
    return literal(evaluateConstant(expr, env), expr.type);
  } catch (error) {
    if (error instanceof CatrustError) return expr;
    throw error;
  }
}

export const constantFoldingRule: OptimizerRule = {
  name: 'constant-folding',
  apply: (plan) => {
    const env = new ExecutionEnvironment([], defaultFunctionContext());
    let changed = false;
    const folded = transformAllExpressions(plan, (expr) => {
      const result = fold(expr, env);
      if (result !== expr) changed = true;
      return result;
    });
    const simplified = transformPlan(folded, (node) => {
      if (node.kind === 'Filter' && isBool(node.predicate, true)) {
        changed = true;
        return node.input;
      }
      return node;
    });
    return changed ? simplified : plan;
  },
};
