import type { ContextStore } from './ContextStore.js';
import type { Durability } from './persistExecution.js';
import type { ContextEntry, SessionContext, ShareOptions } from '../actors/SessionContext.js';
import { isOrchkitError } from '../errors/OrchkitError.js';
import { StoreError } from '../errors/StoreError.js';

/** Writes shared context through to the execution store and loads it back. */
export interface ContextPersistence {
  /** Mirrors a write (the context store's `onShared`); a failed store write reverts it in memory. */
  saved(entry: ContextEntry, previous: ContextEntry | undefined): void;
  /**
   * A write that reaches the store before memory: resolves once both hold it; rejects with the
   * store's typed error (`STORE_UNAVAILABLE`, ...) and leaves memory unchanged when the store
   * write fails.
   */
  share(sessionId: string, toolName: string | undefined, contextType: string, data: unknown, options?: ShareOptions): Promise<ContextEntry>;
  /** A delete that reaches the store before memory, as {@link ContextPersistence.share}. */
  remove(sessionId: string, contextType: string): Promise<boolean>;
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
 * Shared context that outlives the process. Every write and delete is queued to the store in
 * order, and the entries are loaded with their `expiresAt` when the store is first used, so
 * expired context stays expired. `share` and `remove` commit to the store first and answer with
 * its error; the synchronous writes (`SessionContext.share`, a tool's `ctx.context`) are written
 * behind, and one whose store write fails is taken back out of memory (and logged), so memory
 * never keeps what the store refused.
 */
export function createContextPersistence(durability: Durability, contexts: () => ContextStore, ready: () => Promise<void>): ContextPersistence {
  let chain: Promise<unknown> = Promise.resolve();
  /** Runs `write` after every write queued before it; the queue goes on when it fails. */
  const queued = <T>(write: () => Promise<T>): Promise<T> => {
    const done = chain.then(() => ready().catch(rethrowTyped)).then(write);
    chain = done.catch(() => undefined);
    return done;
  };
  const logged = (what: string, write: () => Promise<unknown>, undo?: () => void): void => {
    queued(write).catch((error: unknown) => {
      undo?.();
      durability.logger.error({ err: error, what }, 'shared context write failed; the write is taken back in memory');
    });
  };
  const deleted = (keys: { sessionId: string; contextType: string }[]): void => {
    if (keys.length > 0) logged('delete', () => durability.store.deleteContextEntries(keys));
  };
  // A refused write behind goes back to the last entry of its key the store did not refuse too
  // (refusals come in write order, through the queue).
  const replaced = new WeakMap<ContextEntry, ContextEntry | undefined>();
  const refused = new WeakSet<ContextEntry>();
  const undo = (entry: ContextEntry): void => {
    refused.add(entry);
    let back = replaced.get(entry);
    while (back !== undefined && refused.has(back)) back = replaced.get(back);
    contexts().revert(entry, back);
  };
  return {
    saved: (entry, previous) => {
      replaced.set(entry, previous);
      logged('save', () => durability.store.saveContextEntries([entry]), () => undo(entry));
    },
    share: (sessionId, toolName, contextType, data, options) =>
      queued(async () => {
        const entry = contexts().draft(sessionId, toolName, contextType, data, options);
        await durability.store.saveContextEntries([entry]).catch(rethrowTyped);
        contexts().put(entry);
        return entry;
      }),
    remove: (sessionId, contextType) =>
      queued(async () => {
        if (contexts().forSession(sessionId).get(contextType) === undefined) return false;
        await durability.store.deleteContextEntries([{ sessionId, contextType }]).catch(rethrowTyped);
        return contexts().forSession(sessionId).delete(contextType);
      }),
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

/** A store failure as a typed error: the store's own (`StoreError`), else `STORE_UNAVAILABLE` with the cause. */
function rethrowTyped(error: unknown): never {
  if (isOrchkitError(error)) throw error;
  const message = error instanceof Error ? error.message : String(error);
  throw new StoreError('STORE_UNAVAILABLE', `the shared context could not be written to the store: ${message}`, { cause: error });
}
