/**
 * Reply encoding: `{"id":…,"ok":true,…fields}` or `{"id":…,"ok":false,"error":{code,message,…}}`,
 * one line each. A large top-level array (the `rows` of a query, the rows of an export) is
 * encoded in pieces so that a reply of millions of rows is never one giant string: the
 * connection writes piece by piece and waits for the socket to drain between them.
 *
 * Bigints (Ints outside ±2^53) are written as strings, as the planner's JSON rules say.
 */
import { asCatrustError, CatrustError } from '../../common/index.js';
import type { RequestId } from './request.js';

/** Elements of a top-level array encoded per piece. */
const ARRAY_ITEMS_PER_PIECE = 2048;

function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

export function encodeJson(value: unknown): string {
  return JSON.stringify(value, replacer) ?? 'null';
}

/** The pieces of a success reply, to be written in order; their concatenation is one line. */
export function* encodeSuccess(
  id: RequestId,
  fields: Readonly<Record<string, unknown>>,
): Generator<string> {
  let head = `{"id":${encodeJson(id)},"ok":true`;
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'id' || key === 'ok' || value === undefined) continue;
    if (Array.isArray(value) && value.length > ARRAY_ITEMS_PER_PIECE) {
      yield `${head},${encodeJson(key)}:[`;
      for (let start = 0; start < value.length; start += ARRAY_ITEMS_PER_PIECE) {
        const slice = value.slice(start, start + ARRAY_ITEMS_PER_PIECE);
        const body = slice.map((item: unknown) => encodeJson(item)).join(',');
        yield start === 0 ? body : `,${body}`;
      }
      head = ']';
    } else {
      head += `,${encodeJson(key)}:${encodeJson(value)}`;
    }
  }
  yield `${head}}\n`;
}

export function encodeError(id: RequestId, error: unknown): string {
  const normalized = asCatrustError(error);
  const body =
    normalized instanceof CatrustError
      ? normalized.toJSON()
      : {
          code: 'E_INTERNAL',
          message: `internal error: ${normalized.message} (this is a bug in catrust; please report it)`,
        };
  return `{"id":${encodeJson(id)},"ok":false,"error":${encodeJson(body)}}\n`;
}
