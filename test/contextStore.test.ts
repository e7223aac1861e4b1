import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { ContextError, isContextError } from '../src/errors/ContextError.js';
import { isRuntimeError } from '../src/errors/RuntimeError.js';
import type { Clock } from '../src/machines/Clock.js';
import { createContextStore, type ContextStoreOptions } from '../src/runtime/ContextStore.js';
import { createExpiryHeap } from '../src/runtime/ExpiryHeap.js';
import type { ContextEntry } from '../src/actors/SessionContext.js';

/** A SimulatedClock that also counts its pending timeouts and records the delays asked for. */
function trackedClock() {
  const sim = new SimulatedClock();
  const pending = new Set<number>();
  const delays: number[] = [];
  return {
    now: () => sim.now(),
    setTimeout(callback: () => void, delayMs: number): number {
      const id = sim.setTimeout(() => {
        pending.delete(id);
        callback();
      }, delayMs);
      pending.add(id);
      delays.push(delayMs);
      return id;
    },
    clearTimeout(handle: unknown) {
      pending.delete(handle as number);
      sim.clearTimeout(handle as number);
    },
    advance: (ms: number) => sim.increment(ms),
    pending,
    delays,
  } satisfies Clock & Record<string, unknown>;
}

/** A clock whose timers never fire: what get/list see between a deadline and the timer. */
function stuckClock() {
  let now = 0;
  return {
    now: () => now,
    setTimeout: () => 1,
    clearTimeout: () => undefined,
    advance: (ms: number) => {
      now += ms;
    },
  } satisfies Clock & Record<string, unknown>;
}

function setup(options: Partial<ContextStoreOptions> = {}) {
  const clock = trackedClock();
  const expired: ContextEntry[] = [];
  const store = createContextStore({ clock, onExpired: (entry) => expired.push(entry), ...options });
  return { clock, store, expired };
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('share, get, list, delete', () => {
  it('stores an entry with its timestamps, tool, metadata and version 1', () => {
    const { clock, store } = setup();
    clock.advance(1000);
    const ctx = store.forSession('s1', 'analyze');
    const entry = ctx.share('analysis', { language: 'go' }, { ttlMs: 5000, metadata: { source: 'scan' } });
    expect(entry).toEqual({
      sessionId: 's1',
      contextType: 'analysis',
      data: { language: 'go' },
      createdAt: 1000,
      updatedAt: 1000,
      createdByTool: 'analyze',
      expiresAt: 6000,
      metadata: { source: 'scan' },
      version: 1,
    });
    expect(ctx.get('analysis')).toBe(entry);
    expect(ctx.list()).toEqual([entry]);
    expect(store.size).toBe(1);
    expect(store.sessions()).toEqual(['s1']);
    store.stop();
  });

  it('defaults to a one hour ttl, empty metadata and no tool', () => {
    const { store } = setup();
    const entry = store.forSession('s1').share('a', 1);
    expect(entry.expiresAt).toBe(3_600_000);
    expect(entry.metadata).toEqual({});
    expect(entry.createdByTool).toBeUndefined();
    store.stop();
  });

  it('counts versions per key, keeps createdAt and updates updatedAt', () => {
    const { clock, store } = setup();
    const ctx = store.forSession('s1', 'first');
    ctx.share('plan', { step: 1 });
    clock.advance(500);
    const second = store.forSession('s1', 'second').share('plan', { step: 2 });
    expect(second).toMatchObject({ version: 2, createdAt: 0, updatedAt: 500, createdByTool: 'second', data: { step: 2 } });
    expect(ctx.share('other', true).version).toBe(1);
    expect(ctx.list().map((e) => e.contextType)).toEqual(['plan', 'other']);
    store.stop();
  });

  it('deletes: true once, then false; a deleted entry is never reported expired', () => {
    const { clock, store, expired } = setup();
    const ctx = store.forSession('s1');
    ctx.share('a', 1, { ttlMs: 100 });
    expect(ctx.delete('a')).toBe(true);
    expect(ctx.delete('a')).toBe(false);
    expect(ctx.delete('never')).toBe(false);
    expect(ctx.get('a')).toBeUndefined();
    expect(store.sessions()).toEqual([]);
    clock.advance(1000);
    expect(expired).toEqual([]);
    store.stop();
  });

  it('after a delete, a new write starts again at version 1', () => {
    const { store } = setup();
    const ctx = store.forSession('s1');
    ctx.share('a', 1);
    ctx.share('a', 2);
    ctx.delete('a');
    expect(ctx.share('a', 3).version).toBe(1);
    store.stop();
  });

  it('types get and share by the caller', () => {
    const { store } = setup();
    const ctx = store.forSession('s1');
    expectTypeOf(ctx.share('a', { n: 1 })).toEqualTypeOf<ContextEntry<{ n: number }>>();
    expectTypeOf(ctx.get<{ n: number }>('a')).toEqualTypeOf<ContextEntry<{ n: number }> | undefined>();
    store.stop();
  });
});

describe('copies and immutability', () => {
  it('stores a deep copy: mutating the shared object later changes nothing', () => {
    const { store } = setup();
    const ctx = store.forSession('s1');
    const input = { items: [{ name: 'a' }], meta: { n: 1 } };
    ctx.share('x', input);
    input.items[0]!.name = 'changed';
    input.items.push({ name: 'b' });
    input.meta.n = 2;
    expect(ctx.get('x')?.data).toEqual({ items: [{ name: 'a' }], meta: { n: 1 } });
    store.stop();
  });

  it('returns frozen data, metadata and entries', () => {
    const { store } = setup();
    const ctx = store.forSession('s1');
    ctx.share('x', { items: [1, 2] }, { metadata: { tag: 'a' } });
    const entry = ctx.get<{ items: number[] }>('x')!;
    expect(() => entry.data.items.push(3)).toThrow(TypeError);
    expect(() => {
      (entry as { expiresAt: number }).expiresAt = 0;
    }).toThrow(TypeError);
    expect(() => {
      entry.metadata.tag = 'b';
    }).toThrow(TypeError);
    expect(ctx.get('x')?.data).toEqual({ items: [1, 2] });
    store.stop();
  });

  it('drops undefined object properties as JSON does, accepts null-prototype objects and shared references', () => {
    const { store } = setup();
    const ctx = store.forSession('s1');
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    const shared = { v: 1 };
    const entry = ctx.share('x', { gone: undefined, bare, pair: [shared, shared], nothing: null });
    expect(entry.data).toEqual({ bare: { a: 1 }, pair: [{ v: 1 }, { v: 1 }], nothing: null });
    expect(Object.keys(entry.data)).not.toContain('gone');
    expect(Object.getPrototypeOf(entry.data.bare)).toBe(Object.prototype);
    store.stop();
  });
});

describe('expiry', () => {
  it('returns an entry until its deadline and never from the deadline on', () => {
    const { clock, store, expired } = setup();
    const ctx = store.forSession('s1');
    ctx.share('a', 1, { ttlMs: 1000 });
    clock.advance(999);
    expect(ctx.get('a')?.data).toBe(1);
    clock.advance(1);
    expect(ctx.get('a')).toBeUndefined();
    expect(ctx.list()).toEqual([]);
    expect(expired.map((e) => e.contextType)).toEqual(['a']);
    store.stop();
  });

  it('hides an expired entry even before its timer fires', () => {
    const clock = stuckClock();
    const expired: ContextEntry[] = [];
    const store = createContextStore({ clock, onExpired: (e) => expired.push(e) });
    const ctx = store.forSession('s1');
    ctx.share('a', 1, { ttlMs: 100 });
    ctx.share('b', 2, { ttlMs: 300 });
    clock.advance(100);
    expect(ctx.get('a')).toBeUndefined();
    expect(ctx.list().map((e) => e.contextType)).toEqual(['b']);
    expect(store.snapshot().map((e) => e.contextType)).toEqual(['b']);
    expect(expired).toEqual([]);
    // Counting and deleting remove what is past its deadline, reporting it first.
    expect(ctx.delete('a')).toBe(false);
    expect(expired.map((e) => e.contextType)).toEqual(['a']);
    clock.advance(200);
    expect(store.size).toBe(0);
    expect(store.sessions()).toEqual([]);
    expect(expired.map((e) => e.contextType)).toEqual(['a', 'b']);
    store.stop();
  });

  it('reports an expired entry, not an overwrite, when a past-deadline key is written again', () => {
    const clock = stuckClock();
    const expired: ContextEntry[] = [];
    const store = createContextStore({ clock, onExpired: (e) => expired.push(e) });
    const ctx = store.forSession('s1');
    ctx.share('a', 1, { ttlMs: 100 });
    clock.advance(150);
    const fresh = ctx.share('a', 2, { ttlMs: 100 });
    expect(fresh).toMatchObject({ version: 1, createdAt: 150, data: 2 });
    expect(expired.map((e) => e.data)).toEqual([1]);
    store.stop();
  });

  it('reports each expired entry exactly once, in deadline order, and empties sessions', () => {
    const { clock, store, expired } = setup();
    store.forSession('s1').share('late', 1, { ttlMs: 300 });
    store.forSession('s1').share('early', 1, { ttlMs: 100 });
    store.forSession('s2').share('mid', 1, { ttlMs: 200 });
    clock.advance(150);
    expect(expired.map((e) => e.contextType)).toEqual(['early']);
    expect(store.sessions().sort()).toEqual(['s1', 's2']);
    clock.advance(1000);
    expect(expired.map((e) => e.contextType)).toEqual(['early', 'mid', 'late']);
    expect(store.sessions()).toEqual([]);
    expect(store.size).toBe(0);
    clock.advance(10_000);
    expect(expired).toHaveLength(3);
    expect(clock.pending.size).toBe(0);
  });

  it('an overwrite moves the deadline and the old version is never reported', () => {
    const { clock, store, expired } = setup();
    const ctx = store.forSession('s1');
    ctx.share('a', 1, { ttlMs: 100 });
    clock.advance(50);
    ctx.share('a', 2, { ttlMs: 100 });
    clock.advance(60);
    expect(ctx.get('a')?.data).toBe(2);
    expect(expired).toEqual([]);
    clock.advance(40);
    expect(expired.map((e) => [e.data, e.version])).toEqual([[2, 2]]);
  });

  it('keeps at most one timer pending, re-armed for an earlier head', () => {
    const { clock, store } = setup();
    const ctx = store.forSession('s1');
    for (let i = 0; i < 50; i++) {
      ctx.share(`k${i}`, i, { ttlMs: 1000 + ((i * 7919) % 500) });
      expect(clock.pending.size).toBe(1);
    }
    ctx.share('soon', 0, { ttlMs: 10 });
    expect(clock.pending.size).toBe(1);
    expect(clock.delays.at(-1)).toBe(10);
    expect(store.stats().timerArmed).toBe(true);
    store.stop();
    expect(clock.pending.size).toBe(0);
    expect(store.stats().timerArmed).toBe(false);
  });

  it('cancels the timer when the last entry goes', () => {
    const { clock, store } = setup();
    const ctx = store.forSession('s1');
    ctx.share('a', 1);
    expect(clock.pending.size).toBe(1);
    ctx.delete('a');
    expect(clock.pending.size).toBe(0);
  });

  it('caps timer delays at 2^31-1 ms and still expires a month-long entry on time', () => {
    const { clock, store, expired } = setup();
    const month = 31 * 24 * 3_600_000;
    store.forSession('s1').share('a', 1, { ttlMs: month });
    expect(Math.max(...clock.delays)).toBeLessThanOrEqual(2_147_483_647);
    clock.advance(month - 1);
    expect(expired).toEqual([]);
    clock.advance(1);
    expect(expired).toHaveLength(1);
  });

  it('expires through a callback that writes back into the store', () => {
    const clock = trackedClock();
    const seen: string[] = [];
    const store = createContextStore({
      clock,
      onExpired: (entry) => {
        seen.push(entry.contextType);
        if (entry.contextType === 'a') store.forSession(entry.sessionId).share('b', 1, { ttlMs: 10 });
      },
    });
    store.forSession('s1').share('a', 1, { ttlMs: 10 });
    clock.advance(10);
    expect(seen).toEqual(['a']);
    clock.advance(10);
    expect(seen).toEqual(['a', 'b']);
    expect(clock.pending.size).toBe(0);
  });
  it('stays consistent when onExpired throws, and still reports every entry once', () => {
    const clock = stuckClock();
    const seen: string[] = [];
    const store = createContextStore({
      clock,
      onExpired: (entry) => {
        seen.push(entry.contextType);
        if (entry.contextType === 'a') throw new Error('listener failed');
      },
    });
    const ctx = store.forSession('s1');
    ctx.share('a', 1, { ttlMs: 10 });
    ctx.share('b', 1, { ttlMs: 20 });
    clock.advance(20);
    expect(() => store.size).toThrow('listener failed');
    expect(ctx.get('a')).toBeUndefined();
    expect(store.size).toBe(0);
    expect(seen).toEqual(['a', 'b']);
    store.stop();
  });
});

describe('sessions', () => {
  it('isolates sessions from each other', () => {
    const { store } = setup();
    const one = store.forSession('s1');
    const two = store.forSession('s2');
    one.share('secret', 'one');
    expect(two.get('secret')).toBeUndefined();
    expect(two.list()).toEqual([]);
    expect(two.delete('secret')).toBe(false);
    two.share('secret', 'two');
    expect(one.get('secret')?.data).toBe('one');
    expect(two.get('secret')?.data).toBe('two');
    store.stop();
  });

  it('clearSession removes a session without reporting expiry', () => {
    const { clock, store, expired } = setup();
    store.forSession('s1').share('a', 1);
    store.forSession('s1').share('b', 1);
    store.forSession('s2').share('a', 1);
    expect(store.clearSession('s1')).toBe(2);
    expect(store.clearSession('s1')).toBe(0);
    expect(store.sessions()).toEqual(['s2']);
    expect(store.size).toBe(1);
    clock.advance(4_000_000);
    expect(expired.map((e) => e.sessionId)).toEqual(['s2']);
  });
});

describe('limits and validation', () => {
  it('rejects an entry over maxEntryBytes, counting UTF-8 bytes', () => {
    const { store } = setup({ maxEntryBytes: 100 });
    const ctx = store.forSession('s1');
    expect(ctx.share('ok', 'x'.repeat(98)).data).toHaveLength(98); // 100 bytes with quotes
    const error = catchError(() => ctx.share('big', 'é'.repeat(60))); // 60 chars, 122 bytes
    expect(isContextError(error) && error.code).toBe('CONTEXT_ENTRY_TOO_LARGE');
    expect(isContextError(error) && error.type).toBe('limit_exceeded');
    expect(catchError(() => ctx.share('meta', 'x'.repeat(60), { metadata: { note: 'y'.repeat(40) } }))).toMatchObject({
      code: 'CONTEXT_ENTRY_TOO_LARGE',
    });
    expect(ctx.get('big')).toBeUndefined();
    store.stop();
  });

  it('stops copying a huge value early', () => {
    const { store } = setup({ maxEntryBytes: 1000 });
    const huge = Array.from({ length: 200_000 }, (_, i) => `item-${i}`);
    expect(catchError(() => store.forSession('s1').share('x', huge))).toMatchObject({ code: 'CONTEXT_ENTRY_TOO_LARGE' });
    store.stop();
  });

  it('limits entries per session, allows overwrites at the limit, and counts only live entries', () => {
    const { clock, store } = setup({ maxEntriesPerSession: 2 });
    const ctx = store.forSession('s1');
    ctx.share('a', 1, { ttlMs: 100 });
    ctx.share('b', 1);
    const error = catchError(() => ctx.share('c', 1));
    expect(error).toBeInstanceOf(ContextError);
    expect(error).toMatchObject({ code: 'CONTEXT_SESSION_FULL', type: 'limit_exceeded' });
    expect(ctx.share('b', 2).version).toBe(2);
    expect(store.forSession('s2').share('c', 1).version).toBe(1);
    clock.advance(100);
    expect(ctx.share('c', 1).version).toBe(1);
    store.stop();
  });

  it('counts past-deadline entries out of the session limit even before the timer fires', () => {
    const clock = stuckClock();
    const store = createContextStore({ clock, maxEntriesPerSession: 1 });
    const ctx = store.forSession('s1');
    ctx.share('a', 1, { ttlMs: 10 });
    clock.advance(10);
    expect(ctx.share('b', 1).version).toBe(1);
    store.stop();
  });

  it.each([[''], ['has space'], ['x'.repeat(129)], ['.hidden'], ['new\nline'], [42]])('rejects contextType %j', (contextType) => {
    const { store } = setup();
    const error = catchError(() => store.forSession('s1').share(contextType as string, 1));
    expect(error).toMatchObject({ code: 'CONTEXT_INVALID_TYPE', type: 'validation_error' });
    store.stop();
  });

  it('accepts namespaced context types', () => {
    const { store } = setup();
    for (const type of ['analysis', 'repo:analysis', 'k8s/manifests', 'v1.2_x-y', 'user@host', 'x'.repeat(128)]) {
      expect(store.forSession('s1').share(type, 1).contextType).toBe(type);
    }
    store.stop();
  });

  it.each([[0], [-1], [Number.NaN], [Number.POSITIVE_INFINITY]])('rejects ttlMs %s', (ttlMs) => {
    const { store } = setup();
    expect(catchError(() => store.forSession('s1').share('a', 1, { ttlMs }))).toMatchObject({ code: 'CONTEXT_INVALID_TTL' });
    store.stop();
  });

  it('rejects bad options with a RuntimeError', () => {
    const clock = trackedClock();
    for (const bad of [{ defaultTtlMs: 0 }, { maxEntryBytes: 1.5 }, { maxEntriesPerSession: -1 }]) {
      const error = catchError(() => createContextStore({ clock, ...bad }));
      expect(isRuntimeError(error) && error.code).toBe('INVALID_OPTION');
    }
  });
});

describe('JSON data', () => {
  class Point {
    x = 1;
  }
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays

  it.each<[string, unknown, string]>([
    ['a function', { run: () => 1 }, 'data.run'],
    ['a symbol', { s: Symbol('x') }, 'data.s'],
    ['a bigint', { items: [1n] }, 'data.items[0]'],
    ['a cycle', cyclic, 'data.self'],
    ['a Date', { items: [0, 1, { when: new Date(0) }] }, 'data.items[2].when'],
    ['a Map', { m: new Map() }, 'data.m'],
    ['a class instance', { p: new Point() }, 'data.p'],
    ['a boxed string', { s: new String('x') }, 'data.s'],
    ['undefined at the top', undefined, 'data'],
    ['undefined in an array', { list: [1, undefined] }, 'data.list[1]'],
    ['a hole', { list: sparse }, 'data.list[1]'],
    ['NaN', { n: Number.NaN }, 'data.n'],
    ['Infinity', { deep: { n: Number.NEGATIVE_INFINITY } }, 'data.deep.n'],
    ['a top-level function', () => 1, 'data'],
  ])('rejects %s, naming the path', (_label, data, path) => {
    const { store } = setup();
    const error = catchError(() => store.forSession('s1').share('x', data));
    expect(isContextError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'CONTEXT_NOT_JSON', type: 'validation_error', path });
    expect((error as Error).message.startsWith(path)).toBe(true);
    expect((error as ContextError).toJSON()).toMatchObject({ code: 'CONTEXT_NOT_JSON', details: { path } });
    expect(store.size).toBe(0);
    store.stop();
  });

  it('names paths inside metadata and rejects non-object metadata', () => {
    const { store } = setup();
    const ctx = store.forSession('s1');
    expect(catchError(() => ctx.share('x', 1, { metadata: { at: new Date() } }))).toMatchObject({ path: 'metadata.at' });
    expect(catchError(() => ctx.share('x', 1, { metadata: [] as never }))).toMatchObject({ path: 'metadata' });
    store.stop();
  });

  it('rejects nesting deeper than 256 levels', () => {
    const { store } = setup();
    let deep: unknown = 1;
    for (let i = 0; i < 300; i++) deep = [deep];
    expect(catchError(() => store.forSession('s1').share('x', deep))).toMatchObject({ code: 'CONTEXT_ENTRY_TOO_LARGE' });
    store.stop();
  });
});

describe('prototype pollution', () => {
  it('carries __proto__, constructor and prototype keys as plain own data', () => {
    const { store } = setup();
    const ctx = store.forSession('s1');
    const data = JSON.parse('{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 2}}, "x": [{"__proto__": 3}]}') as object;
    const entry = ctx.share('evil', data, { metadata: JSON.parse('{"__proto__": {"polluted": 4}}') as Record<string, unknown> });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(entry.data)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(entry.metadata)).toBe(Object.prototype);
    expect((entry.data as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(entry.data)).toEqual(['__proto__', 'constructor', 'x']);
    expect(JSON.stringify(entry.data)).toBe(JSON.stringify(data));
    // Spreading or assigning from stored data cannot reach Object.prototype either.
    const merged = Object.assign({}, ctx.get<Record<string, unknown>>('evil')!.data);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(merged).toBeDefined();
    store.stop();
  });

  it('does not let a restored snapshot pollute either', () => {
    const { store } = setup();
    const text =
      '[{"sessionId":"s1","contextType":"a","data":{"__proto__":{"polluted":1}},"createdAt":0,"updatedAt":0,"expiresAt":1000,"metadata":{},"version":1}]';
    expect(store.restore(JSON.parse(text) as ContextEntry[])).toBe(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(store.forSession('s1').get('a')!.data)).toBe(Object.prototype);
    store.stop();
  });
});

describe('stop', () => {
  it('leaves no pending timer, is idempotent, and nothing expires afterwards', () => {
    const { clock, store, expired } = setup();
    store.forSession('s1').share('a', 1, { ttlMs: 10 });
    expect(clock.pending.size).toBe(1);
    store.stop();
    store.stop();
    expect(clock.pending.size).toBe(0);
    clock.advance(100);
    expect(expired).toEqual([]);
    expect(store.forSession('s1').get('a')).toBeUndefined();
    expect(clock.pending.size).toBe(0);
  });

  it('refuses writes after stop but still reads', () => {
    const { store } = setup();
    const ctx = store.forSession('s1');
    ctx.share('a', 1);
    store.stop();
    expect(ctx.get('a')?.data).toBe(1);
    const error = catchError(() => ctx.share('b', 1));
    expect(isRuntimeError(error) && error.code).toBe('RUNTIME_STOPPED');
    expect(catchError(() => store.restore([]))).toMatchObject({ code: 'RUNTIME_STOPPED' });
  });
});

describe('snapshot and restore', () => {
  it('round-trips through JSON, keeping versions, and drops what expired meanwhile', () => {
    const { clock, store } = setup();
    const ctx = store.forSession('s1', 'tool');
    ctx.share('short', 1, { ttlMs: 100 });
    ctx.share('long', { a: [1] }, { ttlMs: 10_000, metadata: { m: true } });
    ctx.share('long', { a: [2] }, { ttlMs: 10_000 });
    store.forSession('s2').share('other', 'x', { ttlMs: 5000 });
    const persisted = JSON.stringify(store.snapshot());
    store.stop();

    const later = setup();
    later.clock.advance(200);
    expect(later.store.restore(JSON.parse(persisted) as ContextEntry[])).toBe(2);
    expect(later.store.forSession('s1').get('short')).toBeUndefined();
    expect(later.store.forSession('s1').get('long')).toMatchObject({ version: 2, data: { a: [2] }, createdByTool: 'tool', expiresAt: 10_000 });
    expect(later.store.sessions().sort()).toEqual(['s1', 's2']);
    later.clock.advance(9800);
    expect(later.expired.map((e) => e.contextType)).toEqual(['other', 'long']);
    expect(clock.pending.size).toBe(0);
  });

  it('checks every entry before storing any', () => {
    const { store } = setup({ maxEntriesPerSession: 1 });
    const good = { sessionId: 's1', contextType: 'a', data: 1, createdAt: 0, updatedAt: 0, createdByTool: undefined, expiresAt: 100, metadata: {}, version: 1 };
    expect(catchError(() => store.restore([good, { ...good, expiresAt: 'soon' } as never]))).toMatchObject({
      code: 'CONTEXT_NOT_JSON',
      path: 'entries[1].expiresAt',
    });
    expect(catchError(() => store.restore([good, { ...good, data: new Date() }]))).toMatchObject({ path: 'entries[1].data' });
    expect(catchError(() => store.restore([good, { ...good, contextType: 'b' }]))).toMatchObject({ code: 'CONTEXT_SESSION_FULL' });
    expect(store.size).toBe(0);
    store.stop();
  });
});

describe('heap size', () => {
  it('stays bounded under repeated overwrites of one key', () => {
    const { store } = setup();
    const ctx = store.forSession('s1');
    for (let i = 0; i < 3000; i++) {
      ctx.share('hot', i, { ttlMs: 1000 + (i % 7) });
      expect(store.stats().heapNodes).toBeLessThanOrEqual(2);
    }
    store.stop();
  });
});

describe('ExpiryHeap', () => {
  it('pops by deadline, then insertion order, also after retain', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(50), { maxLength: 200 }), fc.func(fc.boolean()), (deadlines, keepFn) => {
        const heap = createExpiryHeap<number>();
        deadlines.forEach((deadline, i) => heap.push(deadline, i));
        const kept = deadlines.map((deadline, i) => ({ deadline, i })).filter(({ i }) => keepFn(i));
        expect(heap.retain((i) => keepFn(i))).toBe(deadlines.length - kept.length);
        const expected = kept.sort((a, b) => a.deadline - b.deadline || a.i - b.i).map(({ i }) => i);
        const popped: number[] = [];
        while (heap.size > 0) {
          expect(heap.peekDeadline()).toBe(deadlines[heap.peek()!]);
          popped.push(heap.pop()!);
        }
        expect(popped).toEqual(expected);
        expect(heap.pop()).toBeUndefined();
      }),
    );
  });
});

type Op =
  | { kind: 'share'; s: number; t: number; ttl: number }
  | { kind: 'delete'; s: number; t: number }
  | { kind: 'clear'; s: number }
  | { kind: 'advance'; ms: number };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('share' as const), s: fc.nat(2), t: fc.nat(3), ttl: fc.integer({ min: 1, max: 5000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), s: fc.nat(2), t: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const), s: fc.nat(2) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.nat(3000) }) },
);

describe.each([
  ['a clock whose timers fire', false],
  ['a clock whose timers never fire', true],
])('properties, with %s', (_label, stuck) => {
  it('never returns an entry past expiresAt, reports each unreplaced entry expired exactly once, keeps the heap bounded', () => {
    fc.assert(
      fc.property(fc.array(opArbitrary, { maxLength: 80 }), (ops) => {
        const clock = stuck ? stuckClock() : trackedClock();
        const pending = 'pending' in clock ? clock.pending : undefined;
        // Entries written and not yet deleted, overwritten, cleared or reported expired.
        const tracked = new Map<string, ContextEntry>();
        const reported = new Set<ContextEntry>();
        const keyOf = (s: string, t: string) => `${s}/${t}`;
        const store = createContextStore({
          clock,
          onExpired: (entry) => {
            expect(entry.expiresAt).toBeLessThanOrEqual(clock.now());
            expect(reported.has(entry)).toBe(false);
            expect(tracked.get(keyOf(entry.sessionId, entry.contextType))).toBe(entry);
            tracked.delete(keyOf(entry.sessionId, entry.contextType));
            reported.add(entry);
          },
        });

        for (const op of ops) {
          if (op.kind === 'advance') clock.advance(op.ms);
          else if (op.kind === 'clear') {
            const count = store.clearSession(`s${op.s}`);
            let expected = 0;
            for (const [key, entry] of tracked) {
              if (entry.sessionId !== `s${op.s}`) continue;
              tracked.delete(key);
              expected++;
            }
            expect(count).toBe(expected);
          } else {
            const ctx = store.forSession(`s${op.s}`);
            const key = keyOf(`s${op.s}`, `t${op.t}`);
            if (op.kind === 'share') {
              const before = tracked.get(key);
              const live = before !== undefined && before.expiresAt > clock.now() ? before : undefined;
              const entry = ctx.share(`t${op.t}`, op.ttl, { ttlMs: op.ttl });
              expect(entry.version).toBe(live === undefined ? 1 : live.version + 1);
              tracked.set(key, entry);
            } else {
              const before = tracked.get(key);
              const live = before !== undefined && before.expiresAt > clock.now();
              expect(ctx.delete(`t${op.t}`)).toBe(live);
              if (live) tracked.delete(key);
            }
          }

          const now = clock.now();
          for (let s = 0; s <= 2; s++) {
            const ctx = store.forSession(`s${s}`);
            for (let t = 0; t <= 3; t++) {
              const got = ctx.get(`t${t}`);
              if (got !== undefined) {
                expect(got.expiresAt).toBeGreaterThan(now);
                expect(tracked.get(keyOf(`s${s}`, `t${t}`))).toBe(got);
              } else {
                const want = tracked.get(keyOf(`s${s}`, `t${t}`));
                expect(want === undefined || want.expiresAt <= now).toBe(true);
              }
            }
            for (const entry of ctx.list()) expect(entry.expiresAt).toBeGreaterThan(now);
          }
          const stats = store.stats();
          expect(stats.heapNodes).toBeLessThanOrEqual(2 * stats.live);
          if (pending !== undefined) {
            // Timers fire on time: nothing past its deadline is left, and one timer is armed iff entries are.
            for (const entry of tracked.values()) expect(entry.expiresAt).toBeGreaterThan(now);
            expect(pending.size).toBe(stats.live > 0 ? 1 : 0);
          }
        }

        clock.advance(10_000);
        expect(store.size).toBe(0);
        expect(tracked.size).toBe(0);
        expect(store.sessions()).toEqual([]);
        store.stop();
        if (pending !== undefined) expect(pending.size).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
