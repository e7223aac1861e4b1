import { StoreError } from '../../errors/StoreError.js';
import type { ExecutionStore } from './ExecutionStore.js';

type StoreMethod = Exclude<keyof ExecutionStore, 'kind' | 'close' | 'postgres'>;

const METHODS = [
  'init',
  'createExecution',
  'recordStep',
  'recordSteps',
  'finishExecution',
  'getExecution',
  'listExecutions',
  'journal',
  'setDeadline',
  'clearDeadline',
  'deadlines',
  'saveContextEntries',
  'deleteContextEntries',
  'loadContextEntries',
  'claimRunnable',
  'renewLease',
  'releaseLease',
  'setStatus',
] as const satisfies readonly StoreMethod[];

// Every method of the store is listed above: a new one that is missing fails to compile here.
type Missing = Exclude<StoreMethod, (typeof METHODS)[number]>;
const complete: [Missing] extends [never] ? true : Missing = true;
void complete;

/**
 * A store whose backend module (and so its driver, better-sqlite3 or pg) is imported on the
 * first call, so `import 'orchkit'` loads neither. Once loaded, calls go straight to the real
 * store. A driver that cannot be loaded is a `StoreError` `STORE_UNAVAILABLE` (not retryable);
 * the next call tries again.
 *
 * @example
 * const store = lazyStore('sqlite', async () => (await import('./SqliteStore.js')).createSqliteStore({ path }));
 */
export function lazyStore(kind: ExecutionStore['kind'], open: () => Promise<ExecutionStore>): ExecutionStore {
  let loaded: ExecutionStore | undefined;
  let loading: Promise<ExecutionStore> | undefined;
  const load = (): Promise<ExecutionStore> =>
    (loading ??= open().then(
      (store) => (loaded = store),
      (error: unknown) => {
        loading = undefined;
        const reason = error instanceof Error ? error.message : String(error);
        throw new StoreError('STORE_UNAVAILABLE', `cannot load the ${kind} store driver (${reason})`, { retryable: false, cause: error });
      },
    ));
  const store = { kind } as Record<string, unknown>;
  for (const name of METHODS) {
    store[name] = (...args: unknown[]): Promise<unknown> => {
      const call = (real: ExecutionStore): Promise<unknown> => (real[name] as (...a: unknown[]) => Promise<unknown>)(...args);
      return loaded ? call(loaded) : load().then(call);
    };
  }
  // Closing a store that was never used opens nothing.
  store.close = async (): Promise<void> => {
    if (loading === undefined) return;
    await (await loading.catch(() => undefined))?.close();
  };
  return store as unknown as ExecutionStore;
}
