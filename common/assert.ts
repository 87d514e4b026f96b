/**
 * Assertions guard programmer errors only (STYLE.md §8): a failed assertion is a bug, reported
 * as an `InternalError`. Anything a user can cause gets a typed `CatrustError` instead.
 */
import { InternalError } from './errors.js';

export function assert(condition: unknown, message = 'assertion failed'): asserts condition {
  if (!condition) throw new InternalError(message);
}

/** Ends an exhaustive `switch` over a closed union: adding a kind without a case fails to compile. */
export function assertNever(value: never, what = 'value'): never {
  throw new InternalError(`unhandled ${what}: ${JSON.stringify(value)}`);
}
