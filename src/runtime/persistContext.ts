import type { ContextStore } from './ContextStore.js';
import type { Durability } from './persistExecution.js';
import type { ContextEntry, SessionContext } from '../actors/SessionContext.js';

/** Writes shared context through to the execution store and loads it back. */
export interface ContextPersistence {
  /** Mirrors a write (the context store's `onShared`). */
  saved(entry: ContextEntry): void;
  /** A session view whose deletes reach the store too. */
  wrap(session: SessionContext): SessionContext;
  /** Mirrors a cleared session. */
  cleared(sessionId: string, contextTypes: readonly string[]): void;
  /** Loads the stored entries (expired ones stay out) into the in-memory store. */
  load(): Promise<void>;
  /** Settles when every write queued so far is done. */
  flushed(): Promise<void>;
}

/**
 * Shared context that outlives the process: every write and delete is queued to the store in
 * order (a failed write is logged, the next goes on), and the entries are loaded with their
 * `expiresAt` when the store is first used, so expired context stays expired.
 */
export function createContextPersistence(durability: Durability, contexts: () => ContextStore, ready: () => Promise<void>): ContextPersistence {
  let chain: Promise<unknown> = Promise.resolve();
  const enqueue = (what: string, write: () => Promise<unknown>): void => {
    chain = chain
      .then(ready)
      .then(write)
      .catch((error: unknown) => durability.logger.error({ err: error, what }, 'shared context write failed'));
  };
  const deleted = (keys: { sessionId: string; contextType: string }[]): void => {
    if (keys.length > 0) enqueue('delete', () => durability.store.deleteContextEntries(keys));
  };
  return {
    saved: (entry) => enqueue('save', () => durability.store.saveContextEntries([entry])),
    wrap: (session) => ({
      sessionId: session.sessionId,
      share: (contextType, data, options) => session.share(contextType, data, options),
      get: (contextType) => session.get(contextType),
      list: () => session.list(),
      delete(contextType) {
        const removed = session.delete(contextType);
        if (removed) deleted([{ sessionId: session.sessionId, contextType }]);
        return removed;
      },
    }),
    cleared: (sessionId, contextTypes) => deleted(contextTypes.map((contextType) => ({ sessionId, contextType }))),
    async load() {
      contexts().restore(await durability.store.loadContextEntries());
    },
    flushed: () => chain.then(() => undefined),
  };
}
