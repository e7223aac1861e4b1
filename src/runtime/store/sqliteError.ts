import { StoreError } from '../../errors/StoreError.js';

const CORRUPT = /^SQLITE_(CORRUPT|NOTADB|IOERR_SHORT_READ)/;
const FILE_SYSTEM = /^E[A-Z]+$/;
const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|FULL|READONLY|PERM)/;

/**
 * Maps a better-sqlite3 error to a {@link StoreError} naming the file: a damaged or foreign file
 * is `STORE_CORRUPT`, a locked or unreadable one `STORE_UNAVAILABLE`, a taken id `STORE_CONFLICT`,
 * a row pointing at an unknown execution `STORE_NOT_FOUND`. Anything else is returned unchanged (as an `Error`).
 *
 * @example
 * catch (e) { throw toSqliteStoreError(e, '/var/lib/orchkit.db') }
 */
export function toSqliteStoreError(error: unknown, path: string, executionId?: string): Error {
  if (error instanceof StoreError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return error instanceof Error ? error : new Error(String(error));
  const message = error instanceof Error ? error.message : code;
  const about = executionId === undefined ? {} : { executionId };
  if (CORRUPT.test(code)) return StoreError.corrupt(path, error);
  // The file or its directory cannot be made or opened (ENOTDIR, EACCES, EROFS, ENOSPC, ...): not a blip.
  if (FILE_SYSTEM.test(code)) {
    return new StoreError('STORE_UNAVAILABLE', `the store file ${path} cannot be opened: ${message}; check the path and its permissions`, { path, cause: error, retryable: false, ...about });
  }
  if (UNAVAILABLE.test(code)) return new StoreError('STORE_UNAVAILABLE', `the store file ${path} is unavailable: ${message} [${code}]`, { path, cause: error, ...about });
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return new StoreError('STORE_NOT_FOUND', `no execution ${executionId ?? ''} in the store ${path}`, { path, cause: error, ...about });
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
    return new StoreError('STORE_CONFLICT', `already in the store ${path}: ${message}`, { path, cause: error, ...about });
  }
  return error instanceof Error ? error : new Error(String(error));
}
