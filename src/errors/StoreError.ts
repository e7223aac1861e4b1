import { ErrorType, type ErrorInfo } from './ErrorInfo.js';
import { OrchkitError } from './OrchkitError.js';

/** Stable codes of execution-store failures; match on these, never on the message text. */
export const StoreErrorCode = {
  /** The SQLite file is not a database, or is damaged or truncated. Never recreated silently. */
  corrupt: 'STORE_CORRUPT',
  /** The store was written by a newer orchkit (its `schema_version` is unknown here). */
  schemaTooNew: 'STORE_SCHEMA_TOO_NEW',
  /** The store's tables do not match its `schema_version` (a missing table, an empty or invalid version). Never migrated over. */
  schemaMismatch: 'STORE_SCHEMA_MISMATCH',
  /** The SQLite file or PostgreSQL schema holds another application's tables; orchkit does not add its own to them. */
  foreign: 'STORE_FOREIGN',
  /** The database cannot be reached or dropped the connection; retry (the pool reconnects). */
  unavailable: 'STORE_UNAVAILABLE',
  /** A write that lost a race: another owner holds the execution, a journal `seq` is taken, an id exists. */
  conflict: 'STORE_CONFLICT',
  /** No execution with that id. */
  notFound: 'STORE_NOT_FOUND',
  /** A value that is not JSON (a `BigInt`, a cycle) was given to be stored. Nothing was written. */
  invalidData: 'STORE_INVALID_DATA',
} as const;
export type StoreErrorCode = (typeof StoreErrorCode)[keyof typeof StoreErrorCode];

const typeOfCode: Record<StoreErrorCode, ErrorType> = {
  STORE_CORRUPT: ErrorType.crash,
  STORE_SCHEMA_TOO_NEW: ErrorType.validation,
  STORE_SCHEMA_MISMATCH: ErrorType.validation,
  STORE_FOREIGN: ErrorType.validation,
  STORE_UNAVAILABLE: ErrorType.unavailable,
  STORE_CONFLICT: ErrorType.execution,
  STORE_NOT_FOUND: ErrorType.notFound,
  STORE_INVALID_DATA: ErrorType.validation,
};

/** Options of a {@link StoreError}. */
export interface StoreErrorOptions {
  /** The SQLite file concerned, when there is one. */
  path?: string;
  executionId?: string;
  /** Overrides the default: only `STORE_UNAVAILABLE` is retryable. */
  retryable?: boolean;
  cause?: unknown;
}

/**
 * A failure of the durable execution store. `STORE_UNAVAILABLE` is retryable: the next call
 * reconnects. Every other code needs a decision: `STORE_CORRUPT` names the file (restore it from
 * a backup or move it away), `STORE_CONFLICT` means this runtime no longer owns the execution.
 *
 * @example
 * try { await store.recordStep(executionId, entry, snapshot, { owner }) }
 * catch (e) {
 *   if (isStoreError(e) && e.code === 'STORE_CONFLICT') execution.cancel('lease lost');
 *   else if (isStoreError(e) && e.retryable) await retryLater();
 *   else throw e;
 * }
 */
export class StoreError extends OrchkitError {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;
  readonly type: ErrorType;
  readonly retryable: boolean;
  readonly path: string | undefined;
  readonly executionId: string | undefined;

  constructor(code: StoreErrorCode, message: string, options: StoreErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.type = typeOfCode[code];
    this.retryable = options.retryable ?? code === StoreErrorCode.unavailable;
    this.path = options.path;
    this.executionId = options.executionId;
  }

  /** A damaged SQLite file; the message says what to do, since orchkit never recreates it. */
  static corrupt(path: string, cause?: unknown): StoreError {
    const reason = cause instanceof Error ? ` (${cause.message})` : '';
    return new StoreError(
      StoreErrorCode.corrupt,
      `the store file ${path} is corrupt or truncated${reason}; restore it from a backup, or move it away ` +
        `(e.g. mv ${path} ${path}.corrupt) to start with an empty store`,
      { path, cause },
    );
  }

  /** A store whose `schema_version` is newer than this orchkit knows. */
  static schemaTooNew(where: string, found: number, supported: number): StoreError {
    return new StoreError(
      StoreErrorCode.schemaTooNew,
      `the store at ${where} has schema version ${found}, but this orchkit supports up to ${supported}; upgrade orchkit`,
    );
  }

  /** A store whose tables do not match its recorded schema version. */
  static schemaMismatch(where: string, detail: string, path?: string): StoreError {
    return new StoreError(
      StoreErrorCode.schemaMismatch,
      `the store at ${where} does not match its schema version: ${detail}; restore it from a backup, or point orchkit at a new ${path === undefined ? 'schema' : 'file'}`,
      path === undefined ? {} : { path },
    );
  }

  /** A file or schema that holds another application's tables. */
  static foreign(where: string, tables: readonly string[], path?: string): StoreError {
    const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ', ...' : '');
    return new StoreError(
      StoreErrorCode.foreign,
      `${where} is not an orchkit store: it holds other tables (${shown}) and no schema_version; orchkit leaves it untouched. ` +
        `Use another ${path === undefined ? 'schema (?schema=<name>)' : 'file'} for the store`,
      path === undefined ? {} : { path },
    );
  }

  /** A lost or refused connection; the caller may retry. */
  static unavailable(message: string, cause?: unknown): StoreError {
    return new StoreError(StoreErrorCode.unavailable, message, { cause });
  }

  override toJSON(): ErrorInfo {
    const info: ErrorInfo = { type: this.type, code: this.code, message: this.message, retryable: this.retryable };
    if (this.path !== undefined || this.executionId !== undefined) {
      info.details = { ...(this.path === undefined ? {} : { path: this.path }), ...(this.executionId === undefined ? {} : { executionId: this.executionId }) };
    }
    return info;
  }
}

/** True when `error` is a {@link StoreError}. */
export function isStoreError(error: unknown): error is StoreError {
  return error instanceof StoreError;
}
