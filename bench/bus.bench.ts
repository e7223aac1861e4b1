/**
 * Message bus benchmark: request/reply round trips against a raw RxJS Subject ping-pong, and
 * publish cost with 1 topic against 10,000 topics. Peers are measured in the same run.
 *
 * The bus does more per round trip than the peer: two envelopes with ids and timestamps, zod
 * validation of the request (a reply to a request the bus validated skips it), a trace history,
 * a timeout on the clock and an abortable promise. `busRespond` is the realistic figure;
 * `busRespondNoValidationNoHistory` shows what `validate: false, historyLimit: 0` buys.
 *
 * Run: npx tsx bench/bus.bench.ts
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Subject } from 'rxjs';
import { systemClock } from '../src/machines/Clock.js';
import { createMessageBus, type MessageBus } from '../src/runtime/MessageBus.js';

const WINDOW = 256;
const ROUNDS = 15;
const SLICE_MS = 100;
const PUBLISHES = 20_000;

/**
 * Runs `batch` (which completes `count` operations) repeatedly for about `ms`; returns operations
 * per second. Variants are measured in interleaved slices and the best slice is kept, so a noisy
 * neighbour on a shared machine skews every variant alike instead of one of them.
 */
async function throughput(ms: number, batch: () => Promise<number>): Promise<number> {
  let done = 0;
  const start = performance.now();
  while (performance.now() - start < ms) done += await batch();
  return done / ((performance.now() - start) / 1000);
}

/** `items` starting at `shift`: each round starts with another variant, so none always runs after the same one. */
function rotate<T>(items: readonly T[], shift: number): T[] {
  const k = shift % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

async function bestOf(variants: Record<string, () => Promise<number>>): Promise<Record<string, number>> {
  const best: Record<string, number> = {};
  for (const batch of Object.values(variants)) for (let i = 0; i < 20; i += 1) await batch();
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [name, batch] of rotate(Object.entries(variants), round)) best[name] = Math.max(best[name] ?? 0, await throughput(SLICE_MS, batch));
  }
  return best;
}

/** The peer: a requester Subject, a responder replying on another Subject, replies matched by counter. */
function rawSubjectRoundTrips(): () => Promise<number> {
  const requests$ = new Subject<{ id: number; payload: unknown }>();
  const replies$ = new Subject<{ id: number; payload: unknown }>();
  requests$.subscribe((request) => replies$.next({ id: request.id, payload: request.payload }));
  const pending = new Map<number, (payload: unknown) => void>();
  replies$.subscribe((reply) => {
    const resolve = pending.get(reply.id);
    pending.delete(reply.id);
    resolve?.(reply.payload);
  });
  let counter = 0;
  const request = (payload: unknown): Promise<unknown> =>
    new Promise((resolve) => {
      const id = ++counter;
      pending.set(id, resolve);
      requests$.next({ id, payload });
    });
  return async () => {
    await Promise.all(Array.from({ length: WINDOW }, (_, i) => request(i)));
    return WINDOW;
  };
}

function busRoundTrips(bus: MessageBus, topic: string): () => Promise<number> {
  return async () => {
    await Promise.all(Array.from({ length: WINDOW }, (_, i) => bus.request(topic, i, { timeoutMs: 30_000 })));
    return WINDOW;
  };
}

interface PublishVariant {
  readonly publish: (n: number) => void;
  readonly close: () => void;
}

/** A bus where `topics` topics each have one subscriber; publishes go to one of them (or rotate over all). */
function publishVariant(topics: number, validate: boolean, rotate: boolean): PublishVariant {
  const bus = createMessageBus({ clock: systemClock, validate });
  const names = Array.from({ length: topics }, (_, i) => `bench.topic.${i}`);
  for (const name of names) bus.subscribe(name).subscribe();
  const target = names[Math.floor(topics / 2)]!;
  return {
    publish: (n) => {
      for (let i = 0; i < n; i += 1) bus.publish({ type: 'bench.tick', topic: rotate ? names[i % topics]! : target, payload: i });
    },
    close: () => bus.close(),
  };
}

/** Nanoseconds per publish of each variant: interleaved runs, best run kept. */
function publishCosts(variants: Record<string, PublishVariant>): Record<string, number> {
  const best: Record<string, number> = {};
  for (const variant of Object.values(variants)) variant.publish(20_000);
  for (let round = 0; round < 2 * ROUNDS; round += 1) {
    for (const [name, variant] of rotate(Object.entries(variants), round)) {
      const start = performance.now();
      variant.publish(PUBLISHES);
      best[name] = Math.min(best[name] ?? Infinity, ((performance.now() - start) * 1e6) / PUBLISHES);
    }
  }
  for (const variant of Object.values(variants)) variant.close();
  return best;
}

const round = (n: number, digits = 2): number => Number(n.toFixed(digits));

/** Runs every bus measurement and returns the figures (the caller prints or stores them). */
export async function runBusBench(): Promise<Record<string, unknown>> {
  const bus = createMessageBus({ clock: systemClock });
  const responder = bus.respond('bench.echo', (request) => request.payload, { concurrency: WINDOW });
  const sync = bus.subscribe('bench.sync').subscribe((request) => bus.reply(request, request.payload));
  const fast = createMessageBus({ clock: systemClock, validate: false, historyLimit: 0 });
  const fastResponder = fast.respond('bench.echo', (request) => request.payload, { concurrency: WINDOW });
  const best = await bestOf({
    raw: rawSubjectRoundTrips(),
    respond: busRoundTrips(bus, 'bench.echo'),
    syncReply: busRoundTrips(bus, 'bench.sync'),
    unvalidated: busRoundTrips(fast, 'bench.echo'),
  });
  responder.unsubscribe();
  sync.unsubscribe();
  fastResponder.unsubscribe();
  bus.close();
  fast.close();
  const raw = best.raw ?? NaN;
  const viaRespond = best.respond ?? NaN;
  const viaSyncReply = best.syncReply ?? NaN;
  const unvalidated = best.unvalidated ?? NaN;

  const ns = publishCosts({
    one: publishVariant(1, true, false),
    many: publishVariant(10_000, true, false),
    manyRotating: publishVariant(10_000, true, true),
    oneFast: publishVariant(1, false, false),
    manyFast: publishVariant(10_000, false, false),
  });
  const oneTopic = ns.one ?? NaN;
  const manyTopics = ns.many ?? NaN;
  const manyTopicsRotating = ns.manyRotating ?? NaN;
  const oneTopicFast = ns.oneFast ?? NaN;
  const manyTopicsFast = ns.manyFast ?? NaN;

  return {
    environment: { node: process.version, loadAverage1m: round(loadavg()[0] ?? NaN) },
    requestReply: {
      window: WINDOW,
      rawSubjectRoundTripsPerSec: Math.round(raw),
      busRespondRoundTripsPerSec: Math.round(viaRespond),
      busSyncReplyRoundTripsPerSec: Math.round(viaSyncReply),
      busRespondNoValidationNoHistoryRoundTripsPerSec: Math.round(unvalidated),
      ratioBusRespondVsRawSubject: round(viaRespond / raw, 3),
      ratioBusSyncReplyVsRawSubject: round(viaSyncReply / raw, 3),
      ratioBusNoValidationVsRawSubject: round(unvalidated / raw, 3),
      target: '>= 0.25',
    },
    publish: {
      nsPerPublish1Topic: round(oneTopic),
      nsPerPublish10kTopics: round(manyTopics),
      ratio10kVs1: round(manyTopics / oneTopic, 3),
      nsPerPublish10kTopicsRotating: round(manyTopicsRotating),
      nsPerPublish1TopicNoValidation: round(oneTopicFast),
      nsPerPublish10kTopicsNoValidation: round(manyTopicsFast),
      ratio10kVs1NoValidation: round(manyTopicsFast / oneTopicFast, 3),
      target: 'ratio ~1 (flat)',
    },
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = performance.now();
  const results = await runBusBench();
  console.log(JSON.stringify(results, null, 2));
  console.log(`bus bench took ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
