import { StoreError } from '../../errors/StoreError.js';

// Node socket errors: the server is down, unreachable or dropped us.
const SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// SQLSTATE classes and codes of a lost or refused connection: 08 connection exception,
// 57P01-03 admin/crash shutdown and cannot-connect-now, 53300 too many connections.
const TRANSIENT_STATE = /^(08|57P0[123]$|53300$)/;
// Errors `pg` raises without a code; its message is the only signal there is.
const PG_CONNECTION_MESSAGE = /Connection terminated|connection error|timeout exceeded when trying to connect|Cannot use a pool after calling end/i;

/**
 * Maps an error of `pg` to a {@link StoreError}: a lost or refused connection is
 * `STORE_UNAVAILABLE` (retryable; the pool opens a new connection on the next call), a refused
 * login or unknown database `STORE_UNAVAILABLE` that is not retryable, a taken key
 * `STORE_CONFLICT`, a row pointing at an unknown execution `STORE_NOT_FOUND`, a value PostgreSQL
 * refuses `STORE_INVALID_DATA`. Anything else is returned unchanged (as an `Error`).
 *
 * @example
 * catch (e) { throw toPostgresStoreError(e, executionId) }
 */
export function toPostgresStoreError(error: unknown, executionId?: string): Error {
  if (error instanceof StoreError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const about = { cause: error, ...(executionId === undefined ? {} : { executionId }) };
  const state = typeof code === 'string' ? code : '';
  if (SOCKET.has(state) || TRANSIENT_STATE.test(state) || (state === '' && PG_CONNECTION_MESSAGE.test(message))) {
    return new StoreError('STORE_UNAVAILABLE', `PostgreSQL is unavailable: ${message}; retry, the next call reconnects`, about);
  }
  if (state.startsWith('28') || state === '3D000') {
    return new StoreError('STORE_UNAVAILABLE', `PostgreSQL refused the store: ${message} [${state}]`, { ...about, retryable: false });
  }
  if (state === '40001' || state === '40P01') return new StoreError('STORE_CONFLICT', `a concurrent write won: ${message}`, { ...about, retryable: true });
  if (state === '23505') return new StoreError('STORE_CONFLICT', `already in the store: ${message}`, about);
  if (state === '23503') return new StoreError('STORE_NOT_FOUND', `no execution ${executionId ?? ''} in the store: ${message}`, about);
  if (state.startsWith('22')) return new StoreError('STORE_INVALID_DATA', `PostgreSQL refused a value: ${message} [${state}]`, about);
  return error instanceof Error ? error : new Error(String(error));
}
