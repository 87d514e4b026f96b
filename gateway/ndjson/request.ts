/**
 * One request line → a typed request envelope. The envelope fields are `id` (echoed in the
 * reply), `cmd` and `token`; every other field is an argument of the command, checked later by
 * the command's schema in the Engine (the same check for every door).
 *
 * Bytes arrive as `unknown`: invalid UTF-8, invalid JSON, a non-object and a missing `cmd` each
 * get a typed error, and the error reply still echoes the request's `id` when it can be found.
 */
import { GatewayError } from '../errors.js';

/** What a reply may echo as `id`: a JSON scalar. */
export type RequestId = string | number | boolean | null;

export interface RequestEnvelope {
  readonly id: RequestId;
  readonly cmd: string;
  readonly token: string | undefined;
  /** `"progress": true`: the client takes progress lines before the reply of a long command. */
  readonly progress: boolean;
  /** The whole request object; the command's schema ignores the envelope's fields. */
  readonly fields: Readonly<Record<string, unknown>>;
}

/** Fields of the envelope, never arguments of a command. */
export const ENVELOPE_FIELDS: ReadonlySet<string> = new Set(['id', 'cmd', 'token', 'progress']);

export type ParsedLine =
  | { readonly kind: 'request'; readonly request: RequestEnvelope }
  | { readonly kind: 'invalid'; readonly id: RequestId; readonly error: GatewayError };

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseRequestLine(bytes: Buffer): ParsedLine {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return invalid(idFromPrefix(bytes), 'E_PROTOCOL_JSON', 'the request line is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return invalid(
      idFromPrefix(bytes),
      'E_PROTOCOL_JSON',
      `the request line is not valid JSON: ${reason}`,
      'send one JSON object per line, e.g. {"id":1,"cmd":"db_list"}',
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return invalid(
      null,
      'E_PROTOCOL_REQUEST',
      `a request must be a JSON object, found ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`,
      'send {"cmd":"<command>", …}',
    );
  }
  const fields = value as Record<string, unknown>;
  const rawId = fields['id'];
  const id: RequestId = isRequestId(rawId) ? rawId : null;
  if (rawId !== undefined && !isRequestId(rawId)) {
    return invalid(
      null,
      'E_PROTOCOL_REQUEST',
      '`id` must be a string, a number, a boolean or null',
    );
  }
  const cmd = fields['cmd'];
  if (cmd === undefined) {
    return invalid(id, 'E_PROTOCOL_REQUEST', 'missing field `cmd`', 'try {"cmd":"help"}');
  }
  if (typeof cmd !== 'string') {
    return invalid(id, 'E_PROTOCOL_REQUEST', '`cmd` must be a string naming a command');
  }
  const token = fields['token'];
  if (token !== undefined && typeof token !== 'string') {
    return invalid(id, 'E_PROTOCOL_REQUEST', '`token` must be a string');
  }
  const progress = fields['progress'];
  if (progress !== undefined && typeof progress !== 'boolean') {
    return invalid(id, 'E_PROTOCOL_REQUEST', '`progress` must be true or false');
  }
  return { kind: 'request', request: { id, cmd, token, progress: progress === true, fields } };
}

function isRequestId(value: unknown): value is RequestId {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

function invalid(
  id: RequestId,
  code: 'E_PROTOCOL_JSON' | 'E_PROTOCOL_REQUEST',
  message: string,
  hint?: string,
): ParsedLine {
  return { kind: 'invalid', id, error: new GatewayError(code, message, { hint }) };
}

/** `{"id": <scalar>` at the start of a line that cannot be parsed whole (broken or oversize). */
const ID_PREFIX =
  /^\s*\{\s*"id"\s*:\s*("(?:[^"\\\n]|\\.){0,200}"|-?\d{1,20}(?:\.\d{1,20})?|true|false|null)\s*[,}]/;

export function idFromPrefix(bytes: Buffer): RequestId {
  const match = ID_PREFIX.exec(bytes.subarray(0, 512).toString('latin1'));
  if (!match?.[1]) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(match[1], 'latin1').toString('utf8'));
    return isRequestId(parsed) ? parsed : null;
  } catch {
    return null;
  }
}
