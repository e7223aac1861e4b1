import { StoreError } from '../../errors/StoreError.js';

/**
 * `JSON.stringify` for values about to be stored; `undefined` is stored as `null`. A value that
 * is not JSON (a `BigInt`, a cycle) throws `STORE_INVALID_DATA` naming `what`; the backends call
 * it inside their transaction, so nothing of that write is kept.
 *
 * @example
 * encodeJson({ a: 1 }, 'snapshot', 'e1'); // '{"a":1}'
 */
export function encodeJson(value: unknown, what: string, executionId?: string): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const of = executionId === undefined ? '' : ` of execution ${executionId}`;
    throw new StoreError('STORE_INVALID_DATA', `${what}${of} is not JSON: ${reason}`, {
      cause,
      ...(executionId === undefined ? {} : { executionId }),
    });
  }
}
