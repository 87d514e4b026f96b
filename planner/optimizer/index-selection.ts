/**
 * Index selection: a scan whose filter holds `column = value` reads the rows through the
 * table's equality (hash) index; one holding a closed range (`column > a AND column <= b`,
 * BETWEEN), or any range of row ids, through its sorted index (a one-sided range usually keeps
 * too many rows for lookups to beat a vectorised scan). The value must be known before the scan starts: a
 * literal, a parameter, or an expression of those (no column, no subquery). Indexes are built
 * by the table on first use. The conjuncts the index answers leave the filter.
 *
 * Ranges on text are left to the scan: the store orders strings by UTF-16 code unit, the
 * planner by code point (see expr/compare.ts), and an index must agree with `<`.
 */
import { and, conjuncts, someExpr, type CompareOp, type Expr } from '../expr/expr.js';
import { FLIPPED } from '../expr/compare.js';
import { transformPlan } from '../logical/analysis.js';
import type { LogicalPlan, ScanAccess, ScanColumn } from '../logical/plan.js';
import type { OptimizerRule } from './rule.js';

function isRuntimeConstant(expr: Expr): boolean {
  return !someExpr(expr, (node) => node.kind === 'Column' || node.kind === 'Subquery');
}

interface Comparison {
  readonly column: ScanColumn;
  readonly op: CompareOp;
  readonly value: Expr;
}

function comparisonOf(expr: Expr, columns: readonly ScanColumn[]): Comparison | undefined {
  if (expr.kind !== 'Compare' || expr.op === '<>') return undefined;
  const find = (side: Expr): ScanColumn | undefined =>
    side.kind === 'Column' ? columns.find((column) => column.id === side.id) : undefined;
  const left = find(expr.left);
  if (left !== undefined && isRuntimeConstant(expr.right) && expr.right.type === left.type) {
    return { column: left, op: expr.op, value: expr.right };
  }
  const right = find(expr.right);
  if (right !== undefined && isRuntimeConstant(expr.left) && expr.left.type === right.type) {
    return { column: right, op: FLIPPED[expr.op], value: expr.left };
  }
  return undefined;
}

function selectIndex(scan: Extract<LogicalPlan, { kind: 'Scan' }>): LogicalPlan {
  if (scan.access.kind !== 'full' || scan.filter === undefined) return scan;
  const parts = conjuncts(scan.filter);
  const comparisons = parts.map((part) => comparisonOf(part, scan.columns));
  const usable = (index: number): boolean => {
    const comparison = comparisons[index];
    return comparison !== undefined && scan.table.indexable(comparison.column.columnIndex);
  };
  // Equality first: the most selective access.
  const equal = parts.findIndex((_, index) => usable(index) && comparisons[index]!.op === '=');
  if (equal >= 0) {
    const comparison = comparisons[equal]!;
    const access: ScanAccess = {
      kind: 'indexEqual',
      columnIndex: comparison.column.columnIndex,
      columnName: comparison.column.name,
      value: comparison.value,
    };
    const rest = parts.filter((_, index) => index !== equal);
    return { ...scan, access, filter: rest.length === 0 ? undefined : and(rest) };
  }
  // A range on one column: its lower and upper bounds.
  const ranged = parts.findIndex(
    (_, index) =>
      usable(index) &&
      comparisons[index]!.column.type !== 'String' &&
      comparisons[index]!.column.type !== 'Uuid',
  );
  if (ranged < 0) return scan;
  const target = comparisons[ranged]!.column;
  let lower: { value: Expr; inclusive: boolean } | undefined;
  let upper: { value: Expr; inclusive: boolean } | undefined;
  const used = new Set<number>();
  comparisons.forEach((comparison, index) => {
    if (comparison === undefined || comparison.column.id !== target.id || !usable(index)) return;
    if ((comparison.op === '>' || comparison.op === '>=') && lower === undefined) {
      lower = { value: comparison.value, inclusive: comparison.op === '>=' };
      used.add(index);
    } else if ((comparison.op === '<' || comparison.op === '<=') && upper === undefined) {
      upper = { value: comparison.value, inclusive: comparison.op === '<=' };
      used.add(index);
    }
  });
  // A one-sided range often keeps most rows, where a vectorised scan beats index lookups:
  // use the sorted index for closed ranges (both bounds) and for ranges of row ids.
  const isRowId = scan.table.columns[target.columnIndex]?.role === 'id';
  if (!isRowId && (lower === undefined || upper === undefined)) return scan;
  const access: ScanAccess = {
    kind: 'indexRange',
    columnIndex: target.columnIndex,
    columnName: target.name,
    lower,
    upper,
  };
  const rest = parts.filter((_, index) => !used.has(index));
  return { ...scan, access, filter: rest.length === 0 ? undefined : and(rest) };
}

export const indexSelectionRule: OptimizerRule = {
  name: 'index-selection',
  apply: (plan) => transformPlan(plan, (node) => (node.kind === 'Scan' ? selectIndex(node) : node)),
};
