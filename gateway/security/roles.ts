/**
 * Roles and command classes. Every command belongs to one class; a role may run the classes at
 * or below its rank:
 *
 * | role    | read | write | admin |
 * |---------|------|-------|-------|
 * | `ro`    | yes  |       |       |
 * | `rw`    | yes  | yes   |       |
 * | `admin` | yes  | yes   | yes   |
 *
 * `read` commands look at data (queries, exports, subject access), `write` commands change rows
 * (insert, update, delete, load, import, anonymize, migrations Σ/Δ/Π into the database), `admin`
 * commands change files and databases as a whole (persist, compact, migrate, rotate_wal_key,
 * db_drop) or disclose the server's configuration (security_report).
 */
export type Role = 'ro' | 'rw' | 'admin';
export type CommandClass = 'read' | 'write' | 'admin';

export const ROLES: readonly Role[] = ['ro', 'rw', 'admin'];

const ROLE_RANK: Readonly<Record<Role, number>> = { ro: 0, rw: 1, admin: 2 };
const CLASS_RANK: Readonly<Record<CommandClass, number>> = { read: 0, write: 1, admin: 2 };

export function roleAllows(role: Role, commandClass: CommandClass): boolean {
  return ROLE_RANK[role] >= CLASS_RANK[commandClass];
}

/** The least role that may run a class, for messages ("needs the rw or admin token"). */
export function rolesFor(commandClass: CommandClass): Role[] {
  return ROLES.filter((role) => roleAllows(role, commandClass));
}
