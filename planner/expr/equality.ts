/**
 * Structural equality of bound expressions (GROUP BY matching, ORDER BY reuse of select-list
 * items, common-subexpression checks in rules). Column references compare by id, not by the
 * display name; subqueries compare by identity of their plan.
 */
import { assertNever } from '../../common/index.js';
import type { Expr } from './expr.js';

function sameList(a: readonly Expr[], b: readonly Expr[]): boolean {
  return a.length === b.length && a.every((item, index) => exprEquals(item, b[index]!));
}

export function exprEquals(a: Expr, b: Expr): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind || a.type !== b.type) return false;
  switch (a.kind) {
    case 'Column':
      return b.kind === 'Column' && a.id === b.id;
    case 'Literal':
      return b.kind === 'Literal' && a.value === b.value;
    case 'Parameter':
      return b.kind === 'Parameter' && a.index === b.index;
    case 'Compare':
    case 'Arith':
      return (
        (b.kind === 'Compare' || b.kind === 'Arith') &&
        a.op === b.op &&
        exprEquals(a.left, b.left) &&
        exprEquals(a.right, b.right)
      );
    case 'IsDistinct':
      return (
        b.kind === 'IsDistinct' &&
        a.negated === b.negated &&
        exprEquals(a.left, b.left) &&
        exprEquals(a.right, b.right)
      );
    case 'Negate':
    case 'Not':
    case 'Cast':
      return (
        (b.kind === 'Negate' || b.kind === 'Not' || b.kind === 'Cast') &&
        exprEquals(a.operand, b.operand)
      );
    case 'IsNull':
      return b.kind === 'IsNull' && a.negated === b.negated && exprEquals(a.operand, b.operand);
    case 'Logical':
      return b.kind === 'Logical' && a.op === b.op && sameList(a.args, b.args);
    case 'InList':
      return (
        b.kind === 'InList' &&
        a.negated === b.negated &&
        exprEquals(a.operand, b.operand) &&
        sameList(a.list, b.list)
      );
    case 'Like':
      return (
        b.kind === 'Like' &&
        a.negated === b.negated &&
        a.caseInsensitive === b.caseInsensitive &&
        exprEquals(a.operand, b.operand) &&
        exprEquals(a.pattern, b.pattern)
      );
    case 'Case':
      return (
        b.kind === 'Case' &&
        a.whens.length === b.whens.length &&
        a.whens.every(
          (arm, index) =>
            exprEquals(arm.when, b.whens[index]!.when) &&
            exprEquals(arm.then, b.whens[index]!.then),
        ) &&
        exprEquals(a.otherwise, b.otherwise)
      );
    case 'Call':
      return b.kind === 'Call' && a.name === b.name && sameList(a.args, b.args);
    case 'Subquery':
      return b.kind === 'Subquery' && a.plan === b.plan && a.mode === b.mode;
    default:
      return assertNever(a, 'expression');
  }
}
