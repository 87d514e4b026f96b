/**
 * The files of a migration directory: `V{N}__{description}.cql`, applied in order of N (an
 * integer, so V10 comes after V9), each identified by its version and checked by the SHA-256 of
 * its bytes.
 *
 * A file that looks like a migration but is misnamed (`V1_init.cql`, `v2__x.cql`, `V__x.cql`)
 * is an error naming it, rather than a migration silently skipped; two files with one version
 * are an error naming both. Other files (READMEs, `.sql` files) are left alone.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GatewayError } from '../errors.js';

export interface MigrationFile {
  readonly version: number;
  /** The file name, `V3__add_departments.cql`. */
  readonly name: string;
  /** The description part with underscores as spaces: `add departments`. */
  readonly description: string;
  readonly path: string;
  /** Lower-case hex SHA-256 of the file's bytes. */
  readonly sha256: string;
  readonly text: string;
}

/** Files considered per directory: bounds the scan of a directory a client names. */
export const MIGRATION_FILES_MAX = 100_000;

const MIGRATION_NAME = /^V([1-9][0-9]{0,14})__([A-Za-z0-9][A-Za-z0-9_\-. ]*)\.cql$/;
/** Names that were probably meant to be migrations. */
const LOOKS_LIKE_MIGRATION = /^[Vv][0-9_]/;

export function sha256Hex(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The migrations in `directory` (a real path already confined to the data directory). */
export function scanMigrationFiles(directory: string): MigrationFile[] {
  const names = readdirSync(directory);
  if (names.length > MIGRATION_FILES_MAX) {
    throw new GatewayError(
      'E_MIGRATION_FILE',
      `the migration directory holds ${names.length} entries, more than ${MIGRATION_FILES_MAX}`,
    );
  }
  const byVersion = new Map<number, MigrationFile>();
  for (const name of names.sort()) {
    const path = join(directory, name);
    const match = MIGRATION_NAME.exec(name);
    if (!match) {
      if (LOOKS_LIKE_MIGRATION.test(name) && name.endsWith('.cql')) {
        throw new GatewayError(
          'E_MIGRATION_FILE',
          `${name} looks like a migration but is not named V{N}__{description}.cql`,
          { hint: 'e.g. V1__create_company.cql: a capital V, the version, two underscores' },
        );
      }
      continue;
    }
    if (!statSync(path).isFile()) continue;
    const version = Number(match[1]);
    const bytes = readFileSync(path);
    const file: MigrationFile = {
      version,
      name,
      description: (match[2] ?? '').replace(/_/g, ' '),
      path,
      sha256: sha256Hex(bytes),
      text: bytes.toString('utf8'),
    };
    const clash = byVersion.get(version);
    if (clash) {
      throw new GatewayError(
        'E_MIGRATION_FILE',
        `${clash.name} and ${name} have the same version ${version}`,
        { hint: 'each version number names one migration' },
      );
    }
    byVersion.set(version, file);
  }
  return [...byVersion.values()].sort((left, right) => left.version - right.version);
}
