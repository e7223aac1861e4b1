import fc from 'fast-check';
import { firstValueFrom, Subject, toArray, take } from 'rxjs';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { BusError, isBusError } from '../src/errors/BusError.js';
import { ToolError } from '../src/errors/ToolError.js';
import type { BusMessage } from '../src/runtime/BusMessage.js';
import { createMessageBus, type MessageBus, type MessageBusOptions } from '../src/runtime/MessageBus.js';
import { BoundedQueue } from '../src/runtime/bus/BoundedQueue.js';
import { messageBytes } from '../src/runtime/bus/messageBytes.js';
import { TopicIndex, parsePattern, type Deliverable } from '../src/runtime/bus/TopicIndex.js';
import { ofCorrelation, ofType, payloadOf, takeUntilAborted } from '../src/runtime/rx.js';
import { createCountingClock, type CountingClock } from './support/leakCheck.js';

const buses: { bus: MessageBus; clock: CountingClock }[] = [];

function setup(options: Partial<MessageBusOptions> = {}): { bus: MessageBus; clock: CountingClock } {
  const clock = createCountingClock();
  let n = 0;
  const bus = createMessageBus({ clock, idGenerator: () => `m${++n}`, ...options });
  const made = { bus, clock };
  buses.push(made);
  return made;
}

/** Every test ends with its buses closed, no timers and no subscriptions left. */
afterEach(() => {
  for (const { bus, clock } of buses.splice(0)) {
    bus.close();
    expect(clock.pending).toBe(0);
    expect(bus.metrics()).toMatchObject({ subscriberCount: 0, topicCount: 0, patternCount: 0, pendingRequests: 0 });
  }
});

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function collect(bus: MessageBus, key: string): { got: BusMessage[]; stop: () => void } {
  const got: BusMessage[] = [];
  const subscription = bus.subscribe(key).subscribe((m) => got.push(m));
  return { got, stop: () => subscription.unsubscribe() };
}

async function rejection(promise: Promise<unknown>): Promise<BusError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isBusError(error)) throw new Error(`expected a BusError, got ${String(error)}`);
  return error;
}

describe('publish', () => {
  it('fills id, timestamp, topic, correlation and causation', () => {
    const { bus, clock } = setup();
    clock.increment(42);
    const message = bus.publish({ type: 'step.started', payload: { stepId: 'a' } });
    expect(message).toEqual({
      id: 'm1', type: 'step.started', topic: 'step.started', correlationId: 'm1', causationId: null, timestamp: 42, payload: { stepId: 'a' },
    });
    expectTypeOf(message).toEqualTypeOf<BusMessage>();
  });

  it('rejects an invalid envelope with BUS_INVALID_MESSAGE naming the path, unless validation is off', () => {
    const { bus } = setup();
    expect(() => bus.publish({ type: 'x', topic: 'a.*.b' })).toThrow(/topic:/);
    const error = (() => {
      try {
        bus.publish({ type: '', correlationId: 'c' });
      } catch (e) {
        return e;
      }
    })();
    expect(isBusError(error) && error.code).toBe('BUS_INVALID_MESSAGE');
    expect((error as BusError).message).toMatch(/^invalid bus message: type:/);
    const { bus: fast } = setup({ validate: false });
    expect(fast.publish({ type: 'x', topic: 'a..b' }).topic).toBe('a..b');
  });
});

describe('subscribe', () => {
  it('delivers exact topics only to their subscribers', () => {
    const { bus } = setup();
    const a = collect(bus, 'a.b');
    const b = collect(bus, 'a.c');
    bus.publish({ type: 'a.b', payload: 1 });
    bus.publish({ type: 'a.c', payload: 2 });
    bus.publish({ type: 'x', topic: 'a.b', payload: 3 });
    expect(a.got.map((m) => m.payload)).toEqual([1, 3]);
    expect(b.got.map((m) => m.payload)).toEqual([2]);
    a.stop();
    b.stop();
  });

  it('matches `*` to one segment and `>` / `**` to one or more', () => {
    const { bus } = setup();
    const star = collect(bus, 'workflow.*.step.started');
    const rest = collect(bus, 'workflow.>');
    const globstar = collect(bus, 'workflow.build.**');
    const topics = ['workflow.build.step.started', 'workflow.test.step.started', 'workflow.build.step.failed', 'workflow', 'other.build.step.started'];
    for (const topic of topics) bus.publish({ type: 'e', topic });
    expect(star.got.map((m) => m.topic)).toEqual(['workflow.build.step.started', 'workflow.test.step.started']);
    expect(rest.got.map((m) => m.topic)).toEqual(topics.slice(0, 3));
    expect(globstar.got.map((m) => m.topic)).toEqual(['workflow.build.step.started', 'workflow.build.step.failed']);
    for (const c of [star, rest, globstar]) c.stop();
  });

  it('throws BUS_INVALID_PATTERN for malformed patterns', () => {
    const { bus } = setup();
    for (const bad of ['', 'a..b', 'a.>.b', 'a.b*', 'a b', '**.x']) {
      expect(() => bus.subscribe(bad), bad).toThrow(expect.objectContaining({ code: 'BUS_INVALID_PATTERN' }));
    }
  });

  it('leaves no registration behind after 10k subscribe/unsubscribe cycles', () => {
    const { bus } = setup();
    for (let i = 0; i < 10_000; i += 1) {
      const key = i % 3 === 0 ? `t.${i}` : i % 3 === 1 ? `t.${i}.*.x` : `p.${i}.>`;
      bus.subscribe(key).subscribe().unsubscribe();
      const sub = bus.subscribe(key, { async: true }).subscribe();
      bus.publish({ type: 'e', topic: `t.${i}` });
      sub.unsubscribe();
    }
    bus.messages$.subscribe().unsubscribe();
    expect(bus.metrics()).toMatchObject({ subscriberCount: 0, topicCount: 0, patternCount: 0 });
    const index = new TopicIndex<Deliverable>();
    const entries = Array.from({ length: 1000 }, (): Deliverable => ({ deliver: () => undefined, complete: () => undefined }));
    entries.forEach((entry, i) => index.add(`a.${i}.*.>`, parsePattern(`a.${i}.*.>`), entry));
    expect(index.nodeCount).toBeGreaterThan(1000);
    entries.forEach((entry, i) => index.remove(`a.${i}.*.>`, parsePattern(`a.${i}.*.>`), entry));
    expect(index.nodeCount).toBe(0);
  });

  it('is cold: each subscriber registers on subscribe, and only sees later messages', () => {
    const { bus } = setup();
    const stream = bus.subscribe('a');
    bus.publish({ type: 'a', payload: 0 });
    expect(bus.metrics().subscriberCount).toBe(0);
    const first = collect(bus, 'a');
    bus.publish({ type: 'a', payload: 1 });
    const seen: unknown[] = [];
    const sub = stream.subscribe((m) => seen.push(m.payload));
    bus.publish({ type: 'a', payload: 2 });
    expect(first.got.map((m) => m.payload)).toEqual([1, 2]);
    expect(seen).toEqual([2]);
    first.stop();
    sub.unsubscribe();
  });

  it('keeps publish order when a subscriber publishes while being delivered to', () => {
    const { bus } = setup();
    const order: string[] = [];
    const echo = bus.subscribe('ping').subscribe((m) => {
      order.push(`echo saw ${String(m.payload)}`);
      if (m.payload === 1) bus.publish({ type: 'ping', payload: 2, causationId: m.id, correlationId: m.correlationId });
    });
    let late: BusMessage[] = [];
    const watcher = bus.subscribe('ping').subscribe((m) => {
      order.push(`watcher saw ${String(m.payload)}`);
      if (m.payload === 1) late = collect(bus, 'ping').got;
    });
    bus.publish({ type: 'ping', payload: 1 });
    expect(order).toEqual(['echo saw 1', 'watcher saw 1', 'echo saw 2', 'watcher saw 2']);
    // `late` subscribed after the echo published 2 (while 1 was being delivered): it only sees later messages.
    bus.publish({ type: 'ping', payload: 3 });
    expect(late.map((m) => m.payload)).toEqual([3]);
    echo.unsubscribe();
    watcher.unsubscribe();
    bus.close();
  });

  it('messages$ sees everything, in order', async () => {
    const { bus } = setup();
    const all = firstValueFrom(bus.messages$.pipe(take(3), toArray()));
    for (const topic of ['a', 'b.c', 'd.e.f']) bus.publish({ type: 't', topic });
    expect((await all).map((m) => m.topic)).toEqual(['a', 'b.c', 'd.e.f']);
  });
});

describe('bounded buffers', () => {
  it('drop_oldest keeps the newest N for an async subscription and counts drops', async () => {
    const { bus } = setup();
    const got: unknown[] = [];
    const sub = bus.subscribe('burst', { async: true, bufferSize: 3 }).subscribe((m) => got.push(m.payload));
    for (let i = 0; i < 10; i += 1) bus.publish({ type: 'burst', payload: i });
    expect(got).toEqual([]);
    await flush();
    expect(got).toEqual([7, 8, 9]);
    expect(bus.metrics().dropped).toEqual({ drop_oldest: 7, error: 0 });
    sub.unsubscribe();
  });

  it('paces a slow async consumer by its handler, holding at most bufferSize messages', async () => {
    const { bus } = setup();
    const gates: (() => void)[] = [];
    const seen: unknown[] = [];
    const results: unknown[] = [];
    const sub = bus
      .consume('work', (m) => {
        seen.push(m.payload);
        return new Promise<unknown>((resolve) => gates.push(() => resolve(m.payload)));
      }, { bufferSize: 2 })
      .subscribe((r) => results.push(r));
    for (let i = 0; i < 6; i += 1) bus.publish({ type: 'work', payload: i });
    expect(seen).toEqual([0]);
    while (gates.length > 0) {
      gates.shift()!();
      await flush();
    }
    expect(seen).toEqual([0, 4, 5]);
    expect(results).toEqual([0, 4, 5]);
    expect(bus.metrics().dropped.drop_oldest).toBe(3);
    sub.unsubscribe();
  });

  it('overflow "error" errors the subscription with BUS_OVERFLOW and unregisters it', async () => {
    const { bus } = setup();
    const errors: unknown[] = [];
    bus.consume('work', () => new Promise<void>(() => undefined), { bufferSize: 2, overflow: 'error' }).subscribe({ error: (e) => errors.push(e) });
    for (let i = 0; i < 4; i += 1) bus.publish({ type: 'work', payload: i });
    await flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'BUS_OVERFLOW', type: 'limit_exceeded' });
    expect(bus.metrics()).toMatchObject({ erroredSubscriptions: 1, subscriberCount: 0, dropped: { drop_oldest: 0, error: 3 } });
  });

  it('consume runs up to `concurrency` handlers, completes plain values at once, and aborts on unsubscribe', async () => {
    const { bus } = setup();
    const signals: AbortSignal[] = [];
    let running = 0;
    let peak = 0;
    const results: unknown[] = [];
    const sub = bus
      .consume('work', async (m, signal) => {
        signals.push(signal);
        running += 1;
        peak = Math.max(peak, running);
        await flush();
        running -= 1;
        return m.payload;
      }, { concurrency: 3 })
      .subscribe((r) => results.push(r));
    for (let i = 0; i < 7; i += 1) bus.publish({ type: 'work', payload: i });
    while (results.length < 7) await flush();
    expect(peak).toBe(3);
    expect([...results].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    sub.unsubscribe();
    expect(signals[0]?.aborted).toBe(true);
    const plain: unknown[] = [];
    const sync = bus.consume('now', (m) => m.payload).subscribe((r) => plain.push(r));
    bus.publish({ type: 'now', payload: 'at once' });
    expect(plain).toEqual(['at once']);
    sync.unsubscribe();
  });

  it('an async subscription with overflow "error" errors once a burst exceeds its buffer', async () => {
    const { bus } = setup();
    const got: unknown[] = [];
    let error: unknown;
    bus.subscribe('burst', { async: true, bufferSize: 3, overflow: 'error' }).subscribe({ next: (m) => got.push(m.payload), error: (e: unknown) => void (error = e) });
    for (let i = 0; i < 5; i += 1) bus.publish({ type: 'burst', payload: i });
    await flush();
    expect(got).toEqual([]);
    expect(error).toMatchObject({ code: 'BUS_OVERFLOW' });
    expect(bus.metrics()).toMatchObject({ erroredSubscriptions: 1, subscriberCount: 0 });
  });

  it('a consume handler that throws errors its subscription', async () => {
    const { bus } = setup();
    const error = firstValueFrom(bus.consume('work', () => Promise.reject(new ToolError({ code: 'BOOM', message: 'boom' }))));
    bus.publish({ type: 'work' });
    await expect(error).rejects.toMatchObject({ code: 'BOOM' });
    expect(bus.metrics().erroredSubscriptions).toBe(1);
  });
});

describe('request / reply', () => {
  it('matches 1000 concurrent requests to their replies whatever the reply order', async () => {
    const { bus } = setup();
    const requests: BusMessage[] = [];
    const sub = bus.subscribe('calc.double').subscribe((m) => requests.push(m));
    const answers = Array.from({ length: 1000 }, (_, i) => bus.request('calc.double', i, { timeoutMs: 1000, correlationId: `c${i % 7}` }));
    const shuffled = [...requests];
    let seed = 12345;
    for (let i = shuffled.length - 1; i > 0; i -= 1) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const j = seed % (i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    for (const request of shuffled) bus.reply(request, (request.payload as number) * 2);
    const replies = await Promise.all(answers);
    replies.forEach((reply, i) => {
      expect(reply.payload).toBe(i * 2);
      expect(reply.correlationId).toBe(`c${i % 7}`);
      expect(reply.causationId).toBe(reply.inReplyTo);
    });
    expect(bus.metrics()).toMatchObject({ requests: 1000, pendingRequests: 0, duplicateReplies: 0 });
    sub.unsubscribe();
  });

  it('times out on the injected clock without sleeping', async () => {
    const { bus, clock } = setup();
    const sub = bus.subscribe('slow').subscribe();
    const answer = bus.request('slow', null, { timeoutMs: 5_000 });
    clock.increment(4_999);
    expect(bus.metrics().pendingRequests).toBe(1);
    clock.increment(1);
    const error = await rejection(answer);
    expect(error).toMatchObject({ code: 'BUS_REQUEST_TIMEOUT', type: 'timeout' });
    expect(bus.metrics()).toMatchObject({ timeouts: 1, pendingRequests: 0 });
    expect(clock.pending).toBe(0);
    sub.unsubscribe();
  });

  it('fails fast with BUS_NO_RESPONDER; a messages$ tap is not a responder', async () => {
    const { bus, clock } = setup();
    const tap = bus.messages$.subscribe();
    expect(await rejection(bus.request('nobody.home', 1, { timeoutMs: 10 }))).toMatchObject({ code: 'BUS_NO_RESPONDER' });
    expect(bus.metrics()).toMatchObject({ noResponder: 1, published: 0 });
    expect(clock.pending).toBe(0);
    tap.unsubscribe();
  });

  it('settles once: a second reply is counted and ignored', async () => {
    const { bus } = setup();
    let request: BusMessage | undefined;
    const sub = bus.subscribe('q').subscribe((m) => (request = m));
    const answer = bus.request('q', null, { timeoutMs: 100 });
    expect(() => bus.reply({ ...request!, replyTo: 'not a topic' }, 'forged')).toThrow(expect.objectContaining({ code: 'BUS_INVALID_MESSAGE' }));
    bus.reply(request!, 'first');
    bus.reply(request!, 'second');
    expect((await answer).payload).toBe('first');
    expect(bus.metrics().duplicateReplies).toBe(1);
    sub.unsubscribe();
  });

  it('respond answers with the handler result, and carries its error code to the requester', async () => {
    const { bus } = setup();
    const sub = bus.respond('tool.call', (req) => {
      const input = req.payload as { fail?: boolean; n: number };
      if (input.fail === true) throw ToolError.nonRetryable('REPO_NOT_FOUND', 'no repo');
      return { n: input.n + 1 };
    });
    const reply = await bus.request('tool.call', { n: 1 }, { timeoutMs: 100, sessionId: 's1', stepId: 'analyze' });
    expect(reply).toMatchObject({ type: 'tool.call.reply', payload: { n: 2 }, sessionId: 's1', stepId: 'analyze' });
    const error = await rejection(bus.request('tool.call', { n: 1, fail: true }, { timeoutMs: 100 }));
    expect(error).toMatchObject({ code: 'BUS_REMOTE_ERROR', type: 'execution_error', remote: { code: 'REPO_NOT_FOUND', message: 'no repo' } });
    expect(ToolError.fromInfo(error.remote!).code).toBe('REPO_NOT_FOUND');
    sub.unsubscribe();
  });

  it('rejects with BUS_REQUEST_ABORTED when the signal aborts, before or during the request', async () => {
    const { bus, clock } = setup();
    const sub = bus.subscribe('q').subscribe();
    const controller = new AbortController();
    const answer = bus.request('q', null, { timeoutMs: 100, signal: controller.signal });
    controller.abort(new Error('user cancelled'));
    expect(await rejection(answer)).toMatchObject({ code: 'BUS_REQUEST_ABORTED', type: 'cancelled' });
    expect(await rejection(bus.request('q', null, { timeoutMs: 100, signal: controller.signal }))).toMatchObject({ code: 'BUS_REQUEST_ABORTED' });
    expect(clock.pending).toBe(0);
    sub.unsubscribe();
  });

  it('a responder that drops a request for lack of buffer answers it with BUS_OVERFLOW at once', async () => {
    const { bus } = setup();
    const gates: (() => void)[] = [];
    const sub = bus.respond('slow', (req) => new Promise((resolve) => gates.push(() => resolve(req.payload))), { concurrency: 1, bufferSize: 1 });
    const answers = [1, 2, 3].map((n) => bus.request('slow', n, { timeoutMs: 1_000 }).then((r) => r.payload, (e: BusError) => e.remote?.code));
    expect(await answers[1]).toBe('BUS_OVERFLOW');
    while (gates.length > 0 || bus.metrics().pendingRequests > 0) {
      gates.shift()?.();
      await flush();
    }
    expect(await Promise.all(answers)).toEqual([1, 'BUS_OVERFLOW', 3]);
    sub.unsubscribe();
  });

  it('validates request options and topics; Infinity waits without a timer', async () => {
    const { bus, clock } = setup();
    const sub = bus.subscribe('q').subscribe();
    expect(await rejection(bus.request('a.*', 1, { timeoutMs: 10 }))).toMatchObject({ code: 'BUS_INVALID_MESSAGE' });
    await expect(bus.request('q', 1, { timeoutMs: -1 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    const forever = bus.request('q', 1, { timeoutMs: Infinity });
    expect(clock.pending).toBe(0);
    clock.increment(1e9);
    expect(bus.metrics().pendingRequests).toBe(1);
    bus.close();
    expect(await rejection(forever)).toMatchObject({ code: 'BUS_CLOSED' });
    sub.unsubscribe();
  });

  it('reply refuses a message that is not a request', () => {
    const { bus } = setup();
    const plain = bus.publish({ type: 'x' });
    expect(() => bus.reply(plain, 1)).toThrow(expect.objectContaining({ code: 'BUS_INVALID_MESSAGE' }));
  });
});

describe('trace', () => {
  it('returns the messages of one correlation in order, with their causation chain', async () => {
    const { bus } = setup();
    const sub = bus.respond('tool.analyze', () => ({ language: 'ts' }));
    const root = bus.publish({ type: 'workflow.started', correlationId: 'exec-1' });
    bus.publish({ type: 'noise', correlationId: 'other' });
    const step = bus.publish({ type: 'step.started', correlationId: 'exec-1', causationId: root.id });
    await bus.request('tool.analyze', {}, { timeoutMs: 100, correlationId: 'exec-1', causationId: step.id });
    const trace = bus.trace('exec-1');
    expect(trace.map((m) => [m.type, m.causationId])).toEqual([
      ['workflow.started', null],
      ['step.started', root.id],
      ['tool.analyze', step.id],
      ['tool.analyze.reply', trace[2]!.id],
    ]);
    expect(bus.trace('missing')).toEqual([]);
    sub.unsubscribe();
  });

  it('keeps at most historyLimit messages, evicting the oldest', () => {
    const { bus } = setup({ historyLimit: 3 });
    for (let i = 0; i < 5; i += 1) bus.publish({ type: 't', correlationId: i < 2 ? 'old' : 'new', payload: i });
    expect(bus.trace('old')).toEqual([]);
    expect(bus.trace('new').map((m) => m.payload)).toEqual([2, 3, 4]);
    expect(bus.metrics().historySize).toBe(3);
  });

  it('keeps at most historyBytes bytes of messages, evicting the oldest; one larger alone is not kept', () => {
    const { bus } = setup({ historyBytes: 20_000 });
    for (let i = 0; i < 50; i += 1) bus.publish({ type: 't', correlationId: 'c', payload: { i, text: 'x'.repeat(1_000) } });
    const kept = bus.trace('c').map((m) => (m.payload as { i: number }).i);
    expect(kept.length).toBeGreaterThan(10);
    expect(kept.length).toBeLessThan(20);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, k) => 50 - kept.length + k));
    expect(bus.metrics().historyBytes).toBeLessThanOrEqual(20_000);
    bus.publish({ type: 't', correlationId: 'huge', payload: 'y'.repeat(30_000) });
    expect(bus.trace('huge')).toEqual([]);
    expect(bus.metrics()).toMatchObject({ historySkipped: 1, historySize: kept.length });
  });

  it('for any payload sizes, history keeps exactly the newest messages that fit both budgets', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 5_000 }), { maxLength: 60 }), fc.integer({ min: 1_000, max: 20_000 }), (sizes, budget) => {
        const limit = 25;
        const bus = createMessageBus({ clock: createCountingClock(), historyBytes: budget, historyLimit: limit });
        // The model: a FIFO that drops its oldest while over either budget; a message over the byte budget alone is skipped.
        const model: { i: number; bytes: number }[] = [];
        let held = 0;
        sizes.forEach((size, i) => {
          const bytes = messageBytes(bus.publish({ type: 't', correlationId: 'c', payload: { i, s: 'z'.repeat(size) } }));
          if (bytes > budget) return;
          while (model.length > 0 && (model.length === limit || held + bytes > budget)) held -= (model.shift() as { bytes: number }).bytes;
          model.push({ i, bytes });
          held += bytes;
        });
        const kept = bus.trace('c').map((m) => (m.payload as { i: number }).i);
        const metrics = bus.metrics();
        bus.close();
        expect(kept).toEqual(model.map((m) => m.i));
        expect(metrics.historyBytes).toBe(held);
        expect(metrics.historyBytes).toBeLessThanOrEqual(budget);
      }),
      { seed: 13, numRuns: 60 },
    );
  });

  it('a cyclic or 1,000-deep payload is not kept, and sizing it stays quick', () => {
    const { bus } = setup({ validate: false });
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    cyclic.again = cyclic;
    let deep: unknown = 'leaf';
    for (let i = 0; i < 1_000; i += 1) deep = { deep };
    bus.publish({ type: 't', correlationId: 'odd', payload: cyclic });
    bus.publish({ type: 't', correlationId: 'odd', payload: deep });
    expect(bus.trace('odd')).toEqual([]);
    expect(bus.metrics().historySkipped).toBe(2);
  });

  it('refuses a negative or fractional historyBytes', () => {
    expect(() => createMessageBus({ clock: createCountingClock(), historyBytes: -1 })).toThrow(/historyBytes/);
    expect(() => createMessageBus({ clock: createCountingClock(), historyBytes: 1.5 })).toThrow(/historyBytes/);
  });
});

describe('close', () => {
  it('completes subscriptions, rejects pending requests, clears timers, and is idempotent', async () => {
    const { bus, clock } = setup();
    let completed = 0;
    bus.subscribe('q').subscribe({ complete: () => (completed += 1) });
    bus.subscribe('a.>', { async: true }).subscribe({ complete: () => (completed += 1) });
    bus.messages$.subscribe({ complete: () => (completed += 1) });
    const answers = [bus.request('q', 1, { timeoutMs: 100 }), bus.request('q', 2, { timeoutMs: 200 })];
    expect(clock.pending).toBe(1); // one deadline timer per bus, not one per request
    bus.close();
    bus.close();
    expect(completed).toBe(3);
    for (const answer of answers) expect(await rejection(answer)).toMatchObject({ code: 'BUS_CLOSED' });
    expect(clock.pending).toBe(0);
    expect(bus.closed).toBe(true);
    expect(() => bus.publish({ type: 'q' })).toThrow(expect.objectContaining({ code: 'BUS_CLOSED' }));
    expect(await rejection(bus.request('q', 1, { timeoutMs: 1 }))).toMatchObject({ code: 'BUS_CLOSED' });
    expect(await firstValueFrom(bus.subscribe('q'), { defaultValue: 'completed' })).toBe('completed');
  });
});

describe('properties', () => {
  const segment = fc.constantFrom('a', 'b', 'c');
  const topicArb = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('.'));
  const patternArb = fc
    .tuple(fc.array(fc.constantFrom('a', 'b', '*'), { minLength: 0, maxLength: 3 }), fc.constantFrom('', '>', '**'))
    .filter(([head, tail]) => head.length + (tail === '' ? 0 : 1) > 0)
    .map(([head, tail]) => [...head, ...(tail === '' ? [] : [tail])].join('.'));
  const matches = (pattern: string, topic: string): boolean => {
    const p = pattern.split('.');
    const t = topic.split('.');
    for (const [i, seg] of p.entries()) {
      if (seg === '>' || seg === '**') return t.length > i;
      if (i >= t.length || (seg !== '*' && seg !== t[i])) return false;
    }
    return p.length === t.length;
  };
  type Op = { kind: 'sub'; key: string } | { kind: 'unsub'; index: number } | { kind: 'pub'; topic: string };
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('sub' as const), key: fc.oneof(topicArb, patternArb) }),
    fc.record({ kind: fc.constant('unsub' as const), index: fc.nat(20) }),
    fc.record({ kind: fc.constant('pub' as const), topic: topicArb }),
  );

  it('every subscriber receives exactly the messages published to its topic or pattern while subscribed, in order', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        const { bus } = setup({ validate: false });
        const subs: { key: string; got: string[]; expected: string[]; active: boolean; stop: () => void }[] = [];
        for (const op of ops) {
          if (op.kind === 'sub') {
            const entry = { key: op.key, got: [] as string[], expected: [] as string[], active: true, stop: () => undefined as void };
            const s = bus.subscribe(op.key).subscribe((m) => entry.got.push(m.id));
            entry.stop = () => s.unsubscribe();
            subs.push(entry);
          } else if (op.kind === 'unsub') {
            const entry = subs[op.index % Math.max(1, subs.length)];
            if (entry !== undefined) {
              entry.stop();
              entry.active = false;
            }
          } else {
            const message = bus.publish({ type: 'e', topic: op.topic });
            for (const entry of subs) if (entry.active && matches(entry.key, op.topic)) entry.expected.push(message.id);
          }
        }
        for (const entry of subs) {
          expect(entry.got).toEqual(entry.expected);
          entry.stop();
        }
        bus.close();
      }),
      { numRuns: 300 },
    );
  });

  type Step = { kind: 'reply'; request: number } | { kind: 'fail'; request: number } | { kind: 'tick'; ms: number } | { kind: 'abort'; request: number };
  const stepArb: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant('reply' as const), request: fc.nat(19) }),
    fc.record({ kind: fc.constant('fail' as const), request: fc.nat(19) }),
    fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 60 }) }),
    fc.record({ kind: fc.constant('abort' as const), request: fc.nat(19) }),
  );

  it('every request settles exactly once, as a model of replies, timeouts and aborts predicts', async () => {
    type Outcome = 'pending' | 'replied' | 'BUS_REMOTE_ERROR' | 'BUS_REQUEST_ABORTED' | 'BUS_REQUEST_TIMEOUT';
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 150 }), { minLength: 1, maxLength: 20 }), fc.array(stepArb, { maxLength: 80 }), async (timeouts, steps) => {
        const { bus, clock } = setup();
        const count = timeouts.length;
        const requests: BusMessage[] = [];
        const sub = bus.subscribe('svc').subscribe((m) => requests.push(m));
        const controllers = timeouts.map(() => new AbortController());
        const actual: Outcome[][] = timeouts.map(() => []);
        const model: Outcome[] = timeouts.map(() => 'pending');
        const answers = timeouts.map((timeoutMs, i) =>
          bus.request('svc', i, { timeoutMs, signal: controllers[i]!.signal }).then(
            (reply) => void actual[i]!.push(reply.payload === i ? 'replied' : 'pending'),
            (error: unknown) => void actual[i]!.push(isBusError(error) ? (error.code as Outcome) : 'pending'),
          ),
        );
        let now = 0;
        let duplicates = 0;
        const check = async (): Promise<void> => {
          await flush();
          model.forEach((outcome, i) => expect(actual[i], `request ${i}`).toEqual(outcome === 'pending' ? [] : [outcome]));
        };
        for (const step of steps) {
          const i = step.kind === 'tick' ? 0 : step.request % count;
          if (step.kind === 'tick') {
            now += step.ms;
            clock.increment(step.ms);
            model.forEach((outcome, k) => {
              if (outcome === 'pending' && timeouts[k]! <= now) model[k] = 'BUS_REQUEST_TIMEOUT';
            });
          } else if (step.kind === 'abort') {
            controllers[i]!.abort();
            if (model[i] === 'pending') model[i] = 'BUS_REQUEST_ABORTED';
          } else {
            if (model[i] === 'pending') model[i] = step.kind === 'reply' ? 'replied' : 'BUS_REMOTE_ERROR';
            else duplicates += 1;
            if (step.kind === 'reply') bus.reply(requests[i]!, i);
            else bus.replyError(requests[i]!, new Error('nope'));
          }
          await check();
        }
        clock.increment(150);
        model.forEach((outcome, k) => {
          if (outcome === 'pending') model[k] = 'BUS_REQUEST_TIMEOUT';
        });
        await Promise.all(answers);
        await check();
        expect(bus.metrics()).toMatchObject({ pendingRequests: 0, duplicateReplies: duplicates });
        expect(clock.pending).toBe(0);
        sub.unsubscribe();
        bus.close();
      }),
      { numRuns: 150 },
    );
  });
});

describe('helpers', () => {
  it('rx helpers filter by type and correlation, map payloads, and stop on abort', () => {
    const { bus } = setup();
    const controller = new AbortController();
    const types: string[] = [];
    const payloads: unknown[] = [];
    const a = bus.messages$.pipe(ofType('step.failed', 'step.completed'), ofCorrelation('c1'), takeUntilAborted(controller.signal)).subscribe((m) => types.push(m.type));
    const b = bus.subscribe('step.progress').pipe(payloadOf<{ percent: number }>()).subscribe((p) => payloads.push(p.percent));
    bus.publish({ type: 'step.failed', correlationId: 'c1' });
    bus.publish({ type: 'step.completed', correlationId: 'c2' });
    bus.publish({ type: 'step.progress', payload: { percent: 50 } });
    controller.abort();
    bus.publish({ type: 'step.completed', correlationId: 'c1' });
    expect(types).toEqual(['step.failed']);
    expect(payloads).toEqual([50]);
    expect(a.closed).toBe(true);
    b.unsubscribe();
    const subject = new Subject<BusMessage>();
    const single: string[] = [];
    subject.pipe(ofType('x')).subscribe((m) => single.push(m.id));
    subject.next(bus.publish({ type: 'x' }));
    subject.next(bus.publish({ type: 'y' }));
    expect(single).toHaveLength(1);
  });

  it('BoundedQueue drops the oldest or refuses when full', () => {
    const q = new BoundedQueue<number>(2, 'drop_oldest');
    expect([q.push(1), q.push(2), q.push(3)].map((r) => r.status)).toEqual(['queued', 'queued', 'dropped']);
    expect([q.shift(), q.shift(), q.shift()]).toEqual([2, 3, undefined]);
    const strict = new BoundedQueue<number>(1, 'error');
    expect([strict.push(1), strict.push(2)].map((r) => r.status)).toEqual(['queued', 'overflow']);
    const big = new BoundedQueue<number>(5000, 'drop_oldest');
    for (let i = 0; i < 4000; i += 1) big.push(i);
    for (let i = 0; i < 3000; i += 1) expect(big.shift()).toBe(i);
    expect(big.size).toBe(1000);
  });

  it('BusError carries code, type and the remote error', () => {
    const remote = { type: 'validation_error', code: 'BAD_INPUT', message: 'bad' };
    const error = BusError.fromRemote(remote);
    expect(isBusError(error)).toBe(true);
    expect(error.toJSON()).toEqual({ type: 'validation_error', code: 'BUS_REMOTE_ERROR', message: 'bad', details: { remote } });
    expectTypeOf(error.code).toEqualTypeOf<
      'BUS_OVERFLOW' | 'BUS_REQUEST_TIMEOUT' | 'BUS_REQUEST_ABORTED' | 'BUS_NO_RESPONDER' | 'BUS_CLOSED' | 'BUS_INVALID_MESSAGE' | 'BUS_INVALID_PATTERN' | 'BUS_REMOTE_ERROR'
    >();
  });
});
