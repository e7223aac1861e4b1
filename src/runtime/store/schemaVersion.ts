import { StoreError } from '../../errors/StoreError.js';

/**
 * The schema version this orchkit writes, the same for SQLite and PostgreSQL. Version 1 held
 * executions and the journal; version 2 added leases, deadlines and shared-context entries.
 * A store at an older version is migrated by `init()`; a newer one is refused.
 */
export const STORE_SCHEMA_VERSION = 3;

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

/** The tables each schema version adds (SQLite and PostgreSQL alike): `[0]` is version 1's. */
const TABLES_ADDED: readonly (readonly string[])[] = [['schema_version', 'executions', 'journal'], ['deadlines', 'context_entries'], ['signals']];

/** The tables a store of `version` holds. */
export function storeTables(version: number): string[] {
  return TABLES_ADDED.slice(0, version).flat();
}

/** The tables a store at {@link STORE_SCHEMA_VERSION} holds. */
export const STORE_TABLES: readonly string[] = storeTables(STORE_SCHEMA_VERSION);

/** What a store holds before `init()` migrates it. */
export interface FoundSchema {
  /** Whether a `schema_version` table exists. */
  hasVersionTable: boolean;
  /** Its version; 0 when absent or empty. */
  version: number;
  /** Every table of the file or schema. */
  tables: readonly string[];
}

/**
 * Refuses, before any migration runs, a store that is not orchkit's or does not match its
 * version: other tables and no `schema_version` is `STORE_FOREIGN`; an empty or invalid
 * version beside other tables, or a table of its version missing, is `STORE_SCHEMA_MISMATCH`.
 * An empty file or schema passes (it is a new store).
 *
 * @example
 * checkFoundSchema({ hasVersionTable, version, tables }, `the store file ${path}`, path);
 */
export function checkFoundSchema(found: FoundSchema, where: string, path?: string): void {
  const { hasVersionTable, version, tables } = found;
  const others = tables.filter((t) => t !== 'schema_version');
  if (!hasVersionTable) {
    if (others.length > 0) throw StoreError.foreign(where, others, path);
    return;
  }
  if (!Number.isInteger(version) || version < 0) throw StoreError.schemaMismatch(where, `schema_version holds ${String(version)}`, path);
  if (version === 0) {
    if (others.length > 0) throw StoreError.schemaMismatch(where, `schema_version is empty but the store has tables (${others.join(', ')})`, path);
    return;
  }
  if (version > STORE_SCHEMA_VERSION) return; // pendingMigrations says STORE_SCHEMA_TOO_NEW
  const expected = storeTables(version);
  const missing = expected.filter((t) => !tables.includes(t));
  if (missing.length > 0) throw StoreError.schemaMismatch(where, `version ${version} but no ${missing.join(', ')} table`, path);
}
