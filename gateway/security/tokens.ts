/**
 * Bearer tokens and the roles they grant. Tokens come from the server's flags or environment
 * (`--token` / `CATRUSTDB_TOKEN`, `--token-ro`, `--token-rw`, `--token-admin`) and are compared
 * in constant time: both sides are hashed with SHA-256 to a fixed length and compared with
 * `timingSafeEqual`, against every configured token, without an early exit — neither the length
 * of a token nor which role matched shows in the time a denial takes.
 *
 * With no token configured the server runs in `none` mode: every client is admin (the start-up
 * line and `security_report` say so). The legacy single `--token` grants admin, as it did before
 * roles existed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { GatewayError } from '../errors.js';
import type { Role } from './roles.js';

export interface TokenConfig {
  /** The legacy single token (`--token`, `CATRUSTDB_TOKEN`): admin. */
  readonly token?: string | undefined;
  readonly tokenRo?: string | undefined;
  readonly tokenRw?: string | undefined;
  readonly tokenAdmin?: string | undefined;
}

export type AuthMode = 'none' | 'token' | 'roles';

/** Shortest token accepted: a guessable token is a configuration error, not a policy choice. */
const TOKEN_CHARS_MIN = 8;

interface Grant {
  readonly digest: Buffer;
  readonly role: Role;
}

function digestOf(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export class TokenPolicy {
  private readonly grants: readonly Grant[];
  readonly mode: AuthMode;
  /** Roles that some token grants, for `security_report`. */
  readonly roles: readonly Role[];

  constructor(config: TokenConfig) {
    const entries: [string, string | undefined, Role][] = [
      ['--token', config.token, 'admin'],
      ['--token-ro', config.tokenRo, 'ro'],
      ['--token-rw', config.tokenRw, 'rw'],
      ['--token-admin', config.tokenAdmin, 'admin'],
    ];
    const grants: Grant[] = [];
    const seen = new Map<string, string>();
    for (const [flag, token, role] of entries) {
      if (token === undefined) continue;
      if (token.length < TOKEN_CHARS_MIN) {
        throw new GatewayError(
          'E_CONFIG',
          `${flag} must be at least ${TOKEN_CHARS_MIN} characters long`,
          { hint: 'generate one with: openssl rand -hex 32' },
        );
      }
      const previous = seen.get(token);
      if (previous !== undefined) {
        throw new GatewayError('E_CONFIG', `${flag} is the same token as ${previous}`, {
          hint: 'each role needs its own token',
        });
      }
      seen.set(token, flag);
      grants.push({ digest: digestOf(token), role });
    }
    this.grants = grants;
    const roleFlags = config.tokenRo ?? config.tokenRw ?? config.tokenAdmin;
    this.mode = grants.length === 0 ? 'none' : roleFlags !== undefined ? 'roles' : 'token';
    this.roles = [...new Set(grants.map((grant) => grant.role))];
  }

  /**
   * The role a presented token grants: `admin` in `none` mode whatever is presented, else the
   * role of the matching token, or undefined (denied).
   */
  resolve(presented: string | undefined): Role | undefined {
    if (this.mode === 'none') return 'admin';
    if (presented === undefined) return undefined;
    const digest = digestOf(presented);
    let granted: Role | undefined;
    for (const grant of this.grants) {
      // Every grant is compared; the match is kept without leaving the loop early.
      if (timingSafeEqual(digest, grant.digest) && granted === undefined) granted = grant.role;
    }
    return granted;
  }
}
