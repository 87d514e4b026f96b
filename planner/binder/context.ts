/**
 * State shared by every part of one statement's binding: the column-id counter, the inferred
 * types of `$n` parameters, the untyped literals still waiting for a type, and the text for
 * error locations.
 */
import { type ErrorLocation, type ScalarType } from '../../common/index.js';
import type { ColumnId, Expr } from '../expr/expr.js';
import type { SqlText } from '../sql/text.js';
import { PlanError } from '../errors.js';
import type { RelationSource } from '../data/source.js';

export class BindContext {
  private nextColumnId = 1;
  /** Types of `$1`, `$2`, … as declared by the client or inferred from their first use. */
  readonly parameterTypes: (ScalarType | undefined)[];
  /**
   * Expressions whose type is not decided yet: string literals, NULL and parameters
   * (PostgreSQL's "unknown"); they take the type their context asks for.
   */
  readonly untyped = new WeakSet<Expr>();

  constructor(
    readonly source: RelationSource,
    readonly text: SqlText | undefined,
    declaredParameterTypes: readonly (ScalarType | undefined)[] = [],
  ) {
    this.parameterTypes = [...declaredParameterTypes];
  }

  newColumnId(): ColumnId {
    return this.nextColumnId++;
  }

  location(position: number): ErrorLocation | undefined {
    return this.text?.location(position);
  }

  error(
    code: ConstructorParameters<typeof PlanError>[0],
    message: string,
    position: number,
    hint?: string,
  ): PlanError {
    return new PlanError(code, message, { location: this.location(position), hint });
  }
}
