/**
 * Path confinement: every path a request names (persist, from_wal, exports, imports, the migrate
 * directory) is resolved against `--data-dir` and must stay inside it.
 *
 * Two checks, both needed:
 * 1. lexical — the path, made absolute against the data directory and normalised, must lie
 *    under it: `../x`, `a/../../x` and absolute paths elsewhere are refused;
 * 2. physical — the real path (symlinks resolved, `realpath`) of the path, or of its nearest
 *    existing ancestor when the file is still to be written, must lie under the real data
 *    directory: a symlink inside the directory that points out of it is refused, and so is a
 *    dangling symlink, whose target cannot be checked.
 *
 * The database storage itself (the store's files) is inside the data directory but closed to
 * these paths: an export must not overwrite a WAL, an import must not read one behind the
 * store's back. The real path is returned, and callers open that, not the name they were given.
 *
 * A process that can change the data directory between the check and the open (replace a
 * directory by a symlink) defeats any check of this kind; writers therefore write a temporary
 * file and rename it into place, which replaces a symlink instead of following it.
 */
import { lstatSync, mkdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { fieldLocation } from '../../common/index.js';
import { GatewayError } from '../errors.js';

/** What the caller will do with the path. */
export type PathUse =
  /** an existing regular file to read */
  | 'read'
  /** a file to create or replace; missing parent directories are created (inside the root) */
  | 'write'
  /** an existing directory to list */
  | 'directory';

function pathError(field: string, message: string, hint?: string): GatewayError {
  return new GatewayError('E_PATH', message, {
    location: fieldLocation(field),
    hint: hint ?? 'paths are relative to the server data directory (--data-dir) and stay in it',
    details: { field },
  });
}

function isInside(root: string, candidate: string): boolean {
  const relation = relative(root, candidate);
  return (
    relation === '' ||
    (!relation.startsWith(`..${sep}`) && relation !== '..' && !isAbsolute(relation))
  );
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

export class DataDirectory {
  /** The data directory as configured (absolute). */
  readonly configuredRoot: string;
  /** Its real path: the boundary every resolved path is checked against. */
  readonly root: string;
  private readonly closed: string[] = [];

  private constructor(configuredRoot: string, root: string) {
    this.configuredRoot = configuredRoot;
    this.root = root;
  }

  /** Open (creating it when missing) the data directory. */
  static open(path: string): DataDirectory {
    const configured = resolve(path);
    try {
      mkdirSync(configured, { recursive: true, mode: 0o700 });
      const real = realpathSync(configured);
      if (!statSync(real).isDirectory()) throw new Error('not a directory');
      return new DataDirectory(configured, real);
    } catch (error) {
      throw new GatewayError(
        'E_CONFIG',
        `--data-dir ${path} cannot be used: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /** Close a sub-directory (the database storage) to request paths. */
  closeToRequests(subPath: string): void {
    mkdirSync(join(this.root, subPath), { recursive: true, mode: 0o700 });
    this.closed.push(realpathSync(join(this.root, subPath)));
  }

  /** The data directory's path for a name the server itself chose (not a request path). */
  internalPath(...parts: string[]): string {
    return join(this.root, ...parts);
  }

  /** A request path (from field `field`) as an absolute real path inside the data directory. */
  resolve(requested: string, field: string, use: PathUse): string {
    if (requested.length === 0) throw pathError(field, 'the path is empty');
    if (requested.includes('\0')) throw pathError(field, 'the path contains a NUL character');
    const candidate = isAbsolute(requested) ? normalize(requested) : resolve(this.root, requested);
    const lexicallyInside =
      isInside(this.root, candidate) || isInside(this.configuredRoot, candidate);
    if (!lexicallyInside) {
      throw pathError(
        field,
        `${JSON.stringify(requested)} is outside the data directory`,
        isAbsolute(requested)
          ? 'use a path relative to the server data directory (--data-dir)'
          : undefined,
      );
    }
    const real = this.realPathOf(candidate, requested, field);
    if (!isInside(this.root, real)) {
      throw pathError(
        field,
        `${JSON.stringify(requested)} leads outside the data directory through a symbolic link`,
      );
    }
    for (const closed of this.closed) {
      if (isInside(closed, real) || isInside(real, closed)) {
        throw pathError(
          field,
          `${JSON.stringify(requested)} is inside the database storage, which only the server touches`,
          'choose a path outside the storage folder, e.g. exports/… or imports/…',
        );
      }
    }
    return this.checkUse(real, requested, field, use);
  }

  /** The path relative to the data directory, for replies (never reveal the server's layout). */
  display(realPath: string): string {
    const relation = relative(this.root, realPath);
    return relation === '' ? '.' : relation.split(sep).join('/');
  }

  private realPathOf(candidate: string, requested: string, field: string): string {
    let existing = candidate;
    const missing: string[] = [];
    for (;;) {
      const stats = lstatOrUndefined(existing);
      if (stats !== undefined) break;
      const parent = dirname(existing);
      if (parent === existing) break;
      missing.unshift(existing.slice(parent.length).replace(/^[\\/]+/, ''));
      existing = parent;
    }
    try {
      return join(realpathSync(existing), ...missing);
    } catch {
      throw pathError(
        field,
        `${JSON.stringify(requested)} goes through a symbolic link whose target does not exist`,
      );
    }
  }

  private checkUse(real: string, requested: string, field: string, use: PathUse): string {
    const stats = lstatOrUndefined(real);
    switch (use) {
      case 'read':
        if (stats === undefined) {
          throw new GatewayError('E_NOT_FOUND', `no file ${JSON.stringify(requested)}`, {
            location: fieldLocation(field),
          });
        }
        if (!stats.isFile()) {
          throw new GatewayError('E_NOT_FOUND', `${JSON.stringify(requested)} is not a file`, {
            location: fieldLocation(field),
          });
        }
        return real;
      case 'directory':
        if (stats === undefined || !stats.isDirectory()) {
          throw new GatewayError('E_NOT_FOUND', `no directory ${JSON.stringify(requested)}`, {
            location: fieldLocation(field),
          });
        }
        return real;
      case 'write':
        if (stats !== undefined && !stats.isFile()) {
          throw pathError(field, `${JSON.stringify(requested)} exists and is not a regular file`);
        }
        mkdirSync(dirname(real), { recursive: true, mode: 0o700 });
        return real;
    }
  }
}
