import type { Observable, Subscription } from 'rxjs';
import type { BusMessage, BusMessageInput } from './BusMessage.js';
import type { Clock } from '../machines/Clock.js';
import type { OverflowStrategy } from './bus/BoundedQueue.js';
import type { BusMetrics } from './bus/BusMetrics.js';
import type { MessageHandler } from './bus/Registration.js';

export { OverflowStrategy } from './bus/BoundedQueue.js';
export type { BusMetrics } from './bus/BusMetrics.js';
export type { MessageHandler } from './bus/Registration.js';
export { sequentialIds } from './bus/sequentialIds.js';
export { DEFAULT_HISTORY_BYTES } from './bus/BusHistory.js';
export { createMessageBus } from './bus/createMessageBus.js';

/** Options of {@link createMessageBus}. */
export interface MessageBusOptions {
  /** Time source of request timeouts and message timestamps. */
  clock: Clock;
  /** Makes message ids; {@link sequentialIds} by default (pass `crypto.randomUUID` for v4 UUIDs). */
  idGenerator?: () => string;
  /** Check each published envelope against `BusMessageSchema`; default true. Turn off on hot paths. */
  validate?: boolean;
  /** Messages kept for `trace`; default 10 000, 0 keeps none. */
  historyLimit?: number;
  /**
   * Bytes of messages kept for `trace` (their approximate JSON size); default 16 MiB
   * (`DEFAULT_HISTORY_BYTES`). The oldest go first; a message larger than this alone is not kept.
   */
  historyBytes?: number;
}

/** Buffer of a subscription whose consumer may fall behind (`consume`, `respond`, `subscribe` with `async`). */
export interface BufferSettings {
  /** Messages held while the consumer is behind; default 1000. */
  bufferSize?: number;
  /** What a full buffer does: drop the oldest message (default) or error with `BUS_OVERFLOW`. */
  overflow?: OverflowStrategy;
}

/** Options of {@link MessageBus.subscribe}; the buffer settings apply only with `async: true`. */
export interface SubscribeOptions extends BufferSettings {
  /** Emit from a microtask through the bounded buffer (a bounded `observeOn(asapScheduler)`). */
  async?: boolean;
}

/** Options of {@link MessageBus.consume} and {@link MessageBus.respond}. */
export interface ConsumeOptions extends BufferSettings {
  /** Handlers running at once; 1 for `consume`, 64 for `respond` by default. Others wait in the buffer. */
  concurrency?: number;
}

/** Options of {@link MessageBus.request}. */
export interface RequestOptions {
  /** Rejects with `BUS_REQUEST_TIMEOUT` after this long on the bus clock; `Infinity` waits forever. */
  timeoutMs: number;
  /** Message type of the request; the topic by default. */
  type?: string;
  /** Correlation to join; the request's own id by default. */
  correlationId?: string;
  causationId?: string | null;
  sessionId?: string;
  executionId?: string;
  stepId?: string;
  /** Aborting rejects the request with `BUS_REQUEST_ABORTED`. */
  signal?: AbortSignal;
}

/** Options of one {@link MessageBus.publish}. */
export interface PublishOptions {
  /**
   * Check this envelope against `BusMessageSchema`; default: the bus's `validate`. The runtime's
   * own producers (step events, progress) build envelopes valid by construction and pass false.
   */
  validate?: boolean;
}

/**
 * The one message bus of a runtime: publish/subscribe on dot-separated topics, request/reply
 * correlated by request id, a bounded history for tracing, and counters.
 *
 * Delivery: a published message reaches every matching subscription before `publish` returns.
 * A message published from inside a subscriber is queued and delivered after the current one,
 * so every subscriber sees messages in publish order; a subscription only sees messages
 * published after it subscribed.
 *
 * Topics: `*` matches one segment, `>` (or `**`) one or more trailing segments. Exact topics are
 * found with one `Map` lookup, whatever the number of topics; patterns live in a segment trie,
 * walked only when a pattern exists, at a cost set by the topic's depth, not the pattern count.
 *
 * Slow consumers: a synchronous subscriber is never behind, so it has no buffer. A consumer that
 * does async work must not hide an unbounded buffer (`concatMap` buffers without limit); it uses
 * `consume(pattern, handler)` (or `subscribe(pattern, { async: true })` to leave the publisher's
 * stack). Those get a per-subscription queue of `bufferSize` messages; when it is full the
 * subscription drops the oldest message or errors with `BUS_OVERFLOW`, and `metrics().dropped`
 * counts the loss. A responder (`respond`) that drops a request answers it with a `BUS_OVERFLOW`
 * error, so the requester fails at once instead of timing out.
 *
 * Requests: `request` publishes a message with a fresh id and `replyTo: _inbox.<id>`; a reply
 * (`inReplyTo: <id>`) settles it by one `Map` lookup. Each request settles exactly once; later
 * replies are counted as `duplicateReplies`. One clock timer serves all request timeouts.
 *
 * @example
 * const bus = createMessageBus({ clock: systemClock });
 * bus.subscribe('workflow.*.step.>').subscribe((m) => log(m));
 * bus.publish({ type: 'step.started', topic: 'workflow.build.step.started', payload: { stepId: 'a' } });
 * bus.respond('tool.echo', async (req) => req.payload);
 * const reply = await bus.request('tool.echo', { hi: 1 }, { timeoutMs: 1_000 });
 */
export interface MessageBus {
  /** Every message, synchronously; a monitoring tap that does not count as a responder. */
  readonly messages$: Observable<BusMessage>;
  /** True once `close` ran. */
  readonly closed: boolean;
  /** Fills id and timestamp, delivers, returns the message; throws `BUS_CLOSED` / `BUS_INVALID_MESSAGE`. */
  publish(input: BusMessageInput, options?: PublishOptions): BusMessage;
  /** Messages on a topic or pattern (`*` one segment, `>` or `**` the rest); cold, registers per subscriber. */
  subscribe(topicOrPattern: string, options?: SubscribeOptions): Observable<BusMessage>;
  /** Runs `handler` for each message at most `concurrency` at a time, emitting its results; bounded input buffer. */
  consume<R>(topicOrPattern: string, handler: MessageHandler<R>, options?: ConsumeOptions): Observable<R>;
  /**
   * Publishes a request and resolves with its reply. Rejects with `BUS_NO_RESPONDER` at once when
   * no subscription matches the topic, `BUS_REQUEST_TIMEOUT` after `timeoutMs` on the clock,
   * `BUS_REQUEST_ABORTED`, `BUS_CLOSED`, or `BUS_REMOTE_ERROR` when the responder replied with an
   * error (its `{ type, code, message }` in `error.remote`).
   */
  request(topic: string, payload: unknown, options: RequestOptions): Promise<BusMessage>;
  /** Answers `request` with `payload`. */
  reply(request: BusMessage, payload: unknown): BusMessage;
  /** Answers `request` with a failure, carried as `ErrorInfo` JSON. */
  replyError(request: BusMessage, error: unknown): BusMessage;
  /**
   * Answers each request on a topic with `handler`'s result, or its thrown error as `ErrorInfo`
   * (rethrown to the requester as `BUS_REMOTE_ERROR` with `remote.code`). Messages without
   * `replyTo` are ignored. Built on `consume`: at most `concurrency` handlers run at once.
   * Unsubscribe to stop.
   */
  respond(topicOrPattern: string, handler: (request: BusMessage, signal: AbortSignal) => unknown, options?: ConsumeOptions): Subscription;
  /**
   * Retained messages of one correlation in publish order, each with its `causationId`. Scans the
   * retained messages (at most `historyLimit` of them, `historyBytes` in all): a debugging and
   * reporting call, not a hot path.
   */
  trace(correlationId: string): BusMessage[];
  metrics(): BusMetrics;
  /** Completes subscriptions, rejects pending requests with `BUS_CLOSED`, clears timers; idempotent. */
  close(): void;
}

