import { ContextError } from '../errors/ContextError.js';
import { RuntimeError } from '../errors/RuntimeError.js';
import type { Clock } from '../machines/Clock.js';
import { createDeadlineTimer } from './DeadlineTimer.js';
import { createExpiryHeap } from './ExpiryHeap.js';
import { checkContextPayload } from './checkContextPayload.js';
import { readSnapshotEntry } from './readSnapshotEntry.js';
import type { ContextEntry, SessionContext, ShareOptions } from '../actors/SessionContext.js';

/** Options of {@link createContextStore}. */
export interface ContextStoreOptions {
  clock: Clock;
  /** Time to live of an entry written without `ttlMs`; one hour by default. */
  defaultTtlMs?: number;
  /** UTF-8 bytes of `JSON.stringify(data)` plus those of `metadata`; 1 MiB by default. */
  maxEntryBytes?: number;
  /** Live entries one session may hold; 1000 by default. */
  maxEntriesPerSession?: number;
  /**
   * Called exactly once per entry that reached its `expiresAt` (never for one deleted, overwritten
   * while live, or cleared), after the entry is gone. Usually from the clock timer; also from
   * `size`, `sessions()`, `clearSession`, `restore`, and a `share`/`delete` of a key past its
   * deadline, which first remove what is due. An exception thrown here propagates to that caller;
   * the store is consistent by then and the entries still due are expired on the next pass.
   */
  onExpired?: (entry: ContextEntry) => void;
  /**
   * Called after each successful `share`, with the entry it replaced (if any, for `revert`); an
   * exception propagates to the caller of `share`, whose write stands.
   */
  onShared?: (entry: ContextEntry, previous: ContextEntry | undefined) => void;
}

/** Internal figures of a {@link ContextStore}, for metrics and tests. */
export interface ContextStoreStats {
  /** Entries stored (an entry past `expiresAt` counts until the timer removes it). */
  live: number;
  /** Nodes in the expiry heap, live or stale; kept at most `2 * live`. */
  heapNodes: number;
  /** Whether a clock timer is pending; never more than one is. */
  timerArmed: boolean;
}

/**
 * Shared context of all sessions: `(sessionId, contextType) -> entry` with a time to live.
 * Entries (with their `data` and `metadata`) are frozen deep copies of JSON data, so what `get`
 * returns cannot change the store; an entry past its `expiresAt` is never returned.
 * `createdByTool` is the tool that wrote the entry's current version; `createdAt` is kept from the
 * first write of the key.
 *
 * @example
 * const store = createContextStore({ clock: systemClock });
 * store.forSession('s1', 'analyze').share('analysis', { language: 'go' });
 * store.sessions(); // ['s1']
 * store.stop();
 */
export interface ContextStore {
  /** The view a tool gets: writes through it record `createdByTool = toolName`. */
  forSession(sessionId: string, toolName?: string): SessionContext;
  /** Removes every live entry of a session, without `onExpired`; returns how many there were. */
  clearSession(sessionId: string): number;
  /** Sessions holding at least one live entry (entries past their deadline are removed first). */
  sessions(): string[];
  /** Live entries across all sessions (entries past their deadline are removed first). */
  readonly size: number;
  /** Every live entry, for persistence. The entries are frozen, so this copies nothing. */
  snapshot(): ContextEntry[];
  /**
   * Loads entries written by {@link ContextStore.snapshot} (possibly through JSON), replacing
   * entries with the same key. Entries already expired are dropped. All-or-nothing: checks every
   * entry (as `share` does) before storing any. Returns how many were stored.
   */
  restore(entries: readonly ContextEntry[]): number;
  /**
   * The first half of a write that must reach a durable store before memory: checks it as
   * `share` does (throwing the same errors) and returns the entry `share` would store, storing
   * nothing. `put` stores it once the store has it.
   */
  draft(sessionId: string, toolName: string | undefined, contextType: string, data: unknown, options?: ShareOptions): ContextEntry;
  /** Stores an entry {@link ContextStore.draft} made (no `onShared`); a newer version of its key already stored is kept instead. */
  put(entry: ContextEntry): void;
  /**
   * Undoes a write whose durable copy failed: when `entry` is still the stored one, puts
   * `previous` back (or removes the key). Returns whether it changed anything.
   */
  revert(entry: ContextEntry, previous: ContextEntry | undefined): boolean;
  stats(): ContextStoreStats;
  /** Cancels the pending timer. Idempotent. Reads keep working; writes throw `RUNTIME_STOPPED`. */
  stop(): void;
}


/**
 * Creates a {@link ContextStore}. Expiry costs O(log n) per entry: a min-heap of deadlines and a
 * single clock timer for the earliest one. Overwritten and deleted entries leave stale heap nodes
 * that are skipped when popped and compacted away once they outnumber live entries.
 *
 * @example
 * const store = createContextStore({ clock: new SimulatedClock(), onExpired: (e) => log(e.contextType) });
 * const ctx = store.forSession('s1', 'analyze_repository');
 * ctx.share('analysis', { language: 'go' }, { ttlMs: 60_000 });
 * ctx.get<{ language: string }>('analysis')?.data.language; // 'go'
 * store.stop();
 */
export function createContextStore(options: ContextStoreOptions): ContextStore {
  const { clock, onExpired, onShared } = options;
  const defaultTtlMs = positive('defaultTtlMs', options.defaultTtlMs ?? 3_600_000, false);
  const maxEntryBytes = positive('maxEntryBytes', options.maxEntryBytes ?? 1_048_576, true);
  const maxEntriesPerSession = positive('maxEntriesPerSession', options.maxEntriesPerSession ?? 1000, true);

  const bySession = new Map<string, Map<string, ContextEntry>>();
  // Heap values are the entries themselves: a node is stale once its entry is no longer the one stored.
  const heap = createExpiryHeap<ContextEntry>();
  let live = 0;
  let stale = 0;
  let stopped = false;
  // A timer left armed for an earlier deadline (its entry since deleted) stays: it fires, finds
  // nothing due and re-arms for the new head.
  const timer = createDeadlineTimer(clock, () => {
    try {
      expireDue();
    } finally {
      arm();
    }
  });

  const stored = (sessionId: string, contextType: string): ContextEntry | undefined => bySession.get(sessionId)?.get(contextType);
  const isCurrent = (entry: ContextEntry): boolean => stored(entry.sessionId, entry.contextType) === entry;
  const sessionSize = (sessionId: string): number => bySession.get(sessionId)?.size ?? 0;

  // Pops stale heads first, so the timer targets a live deadline.
  function arm(): void {
    if (stopped) return;
    while (heap.size > 0 && !isCurrent(heap.peek()!)) {
      heap.pop();
      stale--;
    }
    const next = heap.peekDeadline();
    if (next === undefined) timer.cancel();
    else timer.armBy(next);
  }

  function compactIfNeeded(): void {
    if (live === 0) {
      heap.clear();
      stale = 0;
      timer.cancel();
    } else if (stale > live) {
      heap.retain(isCurrent);
      stale = 0;
    }
  }

  function unlink(entry: ContextEntry): void {
    const session = bySession.get(entry.sessionId)!;
    session.delete(entry.contextType);
    if (session.size === 0) bySession.delete(entry.sessionId);
    live--;
  }

  // Each entry is unlinked before its callback runs, so a callback that throws or writes back
  // into the store sees a consistent store, and no entry is reported twice.
  function expireDue(): void {
    const now = clock.now();
    try {
      while (heap.size > 0) {
        const entry = heap.peek()!;
        if (!isCurrent(entry)) {
          heap.pop();
          stale--;
          continue;
        }
        if (entry.expiresAt > now) break;
        heap.pop();
        unlink(entry);
        onExpired?.(entry);
      }
    } finally {
      compactIfNeeded();
    }
  }

  // `session` and `replaced` come from the caller's own lookup, to spare a second one on the hot path.
  function insert(entry: ContextEntry, session: Map<string, ContextEntry> | undefined, replaced: boolean): void {
    if (session === undefined) {
      session = new Map();
      bySession.set(entry.sessionId, session);
    }
    session.set(entry.contextType, entry);
    heap.push(entry.expiresAt, entry);
    if (replaced) {
      stale++;
      compactIfNeeded();
    } else live++;
    const at = timer.at;
    if (at === undefined || entry.expiresAt < at) arm();
  }

  function assertRunning(): void {
    if (stopped) throw new RuntimeError('RUNTIME_STOPPED', 'the context store is stopped');
  }

  function assertRoom(sessionId: string, added: number): void {
    const size = sessionSize(sessionId);
    if (size + added <= maxEntriesPerSession) return;
    throw new ContextError(
      'CONTEXT_SESSION_FULL',
      `session ${sessionId} would hold ${size + added} entries, over the limit of ${maxEntriesPerSession}`,
    );
  }

  function share(sessionId: string, toolName: string | undefined, contextType: string, data: unknown, shareOptions?: ShareOptions): ContextEntry {
    const entry = draft(sessionId, toolName, contextType, data, shareOptions);
    const session = bySession.get(sessionId);
    const previous = session?.get(contextType);
    insert(entry, session, previous !== undefined);
    onShared?.(entry, previous);
    return entry;
  }

  function put(entry: ContextEntry): void {
    assertRunning();
    const session = bySession.get(entry.sessionId);
    const previous = session?.get(entry.contextType);
    if (previous !== undefined && previous.version >= entry.version) return;
    insert(entry, session, previous !== undefined);
  }

  function revert(entry: ContextEntry, previous: ContextEntry | undefined): boolean {
    if (!isCurrent(entry)) return false;
    unlink(entry);
    stale++;
    // A copy: the heap node `previous` left when it was replaced stays stale (and counted so).
    if (previous !== undefined && previous.expiresAt > clock.now()) insert(Object.freeze({ ...previous }), bySession.get(entry.sessionId), false);
    compactIfNeeded();
    return true;
  }

  function draft(sessionId: string, toolName: string | undefined, contextType: string, data: unknown, shareOptions?: ShareOptions): ContextEntry {
    assertRunning();
    const payload = checkContextPayload(contextType, data, shareOptions?.metadata, maxEntryBytes);
    const ttlMs = shareOptions?.ttlMs ?? defaultTtlMs;
    if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) {
      throw new ContextError('CONTEXT_INVALID_TTL', `ttlMs must be a positive finite number of ms, got ${String(ttlMs)}`, { path: 'ttlMs' });
    }
    let now = clock.now();
    let session = bySession.get(sessionId);
    let previous = session?.get(contextType);
    // An entry past its deadline is reported as expired, not overwritten; and entries past their
    // deadline count against the session limit until removed, so remove them before refusing.
    if (previous === undefined ? (session?.size ?? 0) >= maxEntriesPerSession : previous.expiresAt <= now) {
      expireDue();
      now = clock.now();
      session = bySession.get(sessionId);
      previous = session?.get(contextType);
    }
    if (previous === undefined) assertRoom(sessionId, 1);
    return Object.freeze({
      sessionId,
      contextType,
      data: payload.data,
      createdAt: previous?.createdAt ?? now,
      updatedAt: now,
      createdByTool: toolName,
      expiresAt: now + ttlMs,
      metadata: payload.metadata,
      version: (previous?.version ?? 0) + 1,
    });
  }

  function get(sessionId: string, contextType: string): ContextEntry | undefined {
    const entry = stored(sessionId, contextType);
    return entry === undefined || entry.expiresAt <= clock.now() ? undefined : entry;
  }

  function list(sessionId: string): ContextEntry[] {
    const out: ContextEntry[] = [];
    const session = bySession.get(sessionId);
    if (session === undefined) return out;
    const now = clock.now();
    for (const entry of session.values()) if (entry.expiresAt > now) out.push(entry);
    return out;
  }

  function remove(sessionId: string, contextType: string): boolean {
    const entry = stored(sessionId, contextType);
    if (entry === undefined) return false;
    if (entry.expiresAt <= clock.now()) {
      // Past its deadline but not yet removed: it is reported as expired, not deleted.
      expireDue();
      return false;
    }
    unlink(entry);
    stale++;
    compactIfNeeded();
    return true;
  }

  function restore(entries: readonly ContextEntry[]): number {
    assertRunning();
    expireDue();
    const now = clock.now();
    const kept: ContextEntry[] = [];
    const addedKeys = new Map<string, Set<string>>();
    entries.forEach((raw, index) => {
      const entry = readSnapshotEntry(raw, index, maxEntryBytes);
      if (entry.expiresAt <= now) return;
      kept.push(entry);
      if (stored(entry.sessionId, entry.contextType) !== undefined) return;
      const keys = addedKeys.get(entry.sessionId) ?? new Set<string>();
      keys.add(entry.contextType);
      addedKeys.set(entry.sessionId, keys);
    });
    for (const [sessionId, keys] of addedKeys) assertRoom(sessionId, keys.size);
    for (const entry of kept) {
      const session = bySession.get(entry.sessionId);
      insert(entry, session, session?.has(entry.contextType) ?? false);
    }
    return kept.length;
  }

  return {
    forSession(sessionId, toolName) {
      return {
        sessionId,
        share: <T>(contextType: string, data: T, shareOptions?: ShareOptions) =>
          share(sessionId, toolName, contextType, data, shareOptions) as ContextEntry<T>,
        get: <T = unknown>(contextType: string) => get(sessionId, contextType) as ContextEntry<T> | undefined,
        list: () => list(sessionId),
        delete: (contextType) => remove(sessionId, contextType),
      };
    },
    clearSession(sessionId) {
      expireDue();
      const session = bySession.get(sessionId);
      if (session === undefined) return 0;
      bySession.delete(sessionId);
      live -= session.size;
      stale += session.size;
      compactIfNeeded();
      return session.size;
    },
    sessions() {
      expireDue();
      return [...bySession.keys()];
    },
    get size() {
      expireDue();
      return live;
    },
    snapshot() {
      const now = clock.now();
      const out: ContextEntry[] = [];
      for (const session of bySession.values()) for (const entry of session.values()) if (entry.expiresAt > now) out.push(entry);
      return out;
    },
    restore,
    draft,
    put,
    revert,
    stats: () => ({ live, heapNodes: heap.size, timerArmed: timer.at !== undefined }),
    stop() {
      stopped = true;
      timer.cancel();
    },
  };
}

function positive(name: string, value: number, integer: boolean): number {
  if (Number.isFinite(value) && value > 0 && (!integer || Number.isInteger(value))) return value;
  throw new RuntimeError('INVALID_OPTION', `${name} must be a positive ${integer ? 'integer' : 'number'}, got ${String(value)}`);
}
