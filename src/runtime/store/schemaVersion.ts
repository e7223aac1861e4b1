import { StoreError } from '../../errors/StoreError.js';

/**
 * The schema version this orchkit writes, the same for SQLite and PostgreSQL. Version 1 held
 * executions and the journal; version 2 added leases, deadlines and shared-context entries.
 * A store at an older version is migrated by `init()`; a newer one is refused.
 */
export const STORE_SCHEMA_VERSION = 2;

/**
 * The migrations to run on a store found at `found` (0 for an empty one), given one SQL script
 * per version (`scripts[0]` creates version 1). Throws `STORE_SCHEMA_TOO_NEW` for a store written
 * by a newer orchkit, rather than touching it.
 *
 * @example
 * for (const { version, sql } of pendingMigrations(found, SQLITE_MIGRATIONS, file)) db.exec(sql);
 */
export function pendingMigrations(found: number, scripts: readonly string[], where: string): { version: number; sql: string }[] {
  if (found > STORE_SCHEMA_VERSION) throw StoreError.schemaTooNew(where, found, STORE_SCHEMA_VERSION);
  return scripts.slice(found, STORE_SCHEMA_VERSION).map((sql, index) => ({ version: found + index + 1, sql }));
}
