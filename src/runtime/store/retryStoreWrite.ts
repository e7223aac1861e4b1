import { isStoreError } from '../../errors/StoreError.js';

/** Waits before the 2nd and 3rd try of a store write; a blip shorter than their sum is ridden out. */
export const STORE_WRITE_RETRY_DELAYS_MS: readonly number[] = [50, 250];

/**
 * Runs one durable write, trying it again after {@link STORE_WRITE_RETRY_DELAYS_MS} while it fails
 * with a retryable `StoreError` (`STORE_UNAVAILABLE`: the connection dropped or the file was
 * locked). A write whose outcome is unknown (its COMMIT was cut off) may have happened: `settled`
 * is asked, after a later try fails with `STORE_CONFLICT`, whether the earlier one committed after
 * all, so an acknowledged write is never reported as failed. Other errors are thrown at once.
 *
 * @example
 * await retryStoreWrite(() => store.createExecution(record), async () => (await store.getExecution(id)) !== undefined);
 */
export async function retryStoreWrite<T>(write: () => Promise<T>, settled?: () => Promise<boolean>, delays: readonly number[] = STORE_WRITE_RETRY_DELAYS_MS): Promise<T | undefined> {
  let retried = false;
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (retried && settled && isStoreError(error) && error.code === 'STORE_CONFLICT' && (await settled().catch(() => false))) return undefined;
      const delay = delays[attempt];
      if (delay === undefined || !isStoreError(error) || !error.retryable) throw error;
      retried = true;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
