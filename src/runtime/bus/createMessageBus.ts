import { Observable, type Subscriber } from 'rxjs';
import { formatPath } from '../../definition/formatPath.js';
import { BusError, BusErrorCode } from '../../errors/BusError.js';
import { RuntimeError, RuntimeErrorCode } from '../../errors/RuntimeError.js';
import { toErrorInfo } from '../../errors/toErrorInfo.js';
import { BusMessageSchema, TopicSchema, type BusMessage, type BusMessageInput } from '../BusMessage.js';
import type { BufferSettings, ConsumeOptions, MessageBus, MessageBusOptions, PublishOptions } from '../MessageBus.js';
import { OverflowStrategy } from './BoundedQueue.js';
import { BusHistory, DEFAULT_HISTORY_BYTES } from './BusHistory.js';
import { newBusCounters } from './BusMetrics.js';
import { PendingRequests } from './PendingRequests.js';
import {
  AsyncRegistration,
  HandlerRegistration,
  SyncRegistration,
  type MessageHandler,
  type Registration,
  type RegistrationContext,
} from './Registration.js';
import { TopicIndex, parsePattern, type Deliverable } from './TopicIndex.js';
import { createResponder } from './createResponder.js';
import { flatString } from './flatString.js';
import { sequentialIds } from './sequentialIds.js';

const closedError = (what: string): BusError => new BusError(BusErrorCode.closed, `the message bus is closed (${what})`);

function checkCount(name: string, value: number, min: number): number {
  if (!(Number.isInteger(value) || value === Infinity) || value < min) {
    throw new RuntimeError(RuntimeErrorCode.invalidOption, `${name} must be an integer >= ${min}, got ${value}`);
  }
  return value;
}

/**
 * Creates the {@link MessageBus} of a runtime (see that interface for delivery, buffering and
 * request semantics).
 *
 * @example
 * const bus = createMessageBus({ clock: systemClock, historyLimit: 5_000 });
 */
export function createMessageBus(options: MessageBusOptions): MessageBus {
  const { clock, idGenerator = sequentialIds(), validate = true } = options;
  const counters = newBusCounters();
  const index = new TopicIndex<Deliverable>();
  const taps = new Set<Deliverable>();
  const history = new BusHistory(checkCount('historyLimit', options.historyLimit ?? 10_000, 0), checkCount('historyBytes', options.historyBytes ?? DEFAULT_HISTORY_BYTES, 0));
  const pending = new PendingRequests(clock, counters);
  const backlog: { message: BusMessage; seq: number }[] = [];
  let seq = 0;
  let dispatching = false;
  let closed = false;
  let live = 0;

  const context = (onDrop?: (message: BusMessage) => void): RegistrationContext => ({
    counters,
    get nextSeq() {
      return seq;
    },
    onDrop,
  });

  function dispatch(message: BusMessage, messageSeq: number): void {
    index.deliver(message, messageSeq);
    for (const tap of taps) tap.deliver(message, messageSeq);
    if (message.inReplyTo !== undefined && !pending.settle(message)) counters.duplicateReplies += 1;
  }

  /** Makes the envelope; `check` runs the zod schema over it. */
  function build(input: BusMessageInput, check: boolean): BusMessage {
    const id = input.id ?? flatString(idGenerator());
    const message: BusMessage = {
      id,
      type: input.type,
      topic: input.topic ?? input.type,
      correlationId: input.correlationId ?? id,
      causationId: input.causationId ?? null,
      timestamp: input.timestamp ?? clock.now(),
      payload: input.payload,
    };
    if (input.sessionId !== undefined) message.sessionId = input.sessionId;
    if (input.executionId !== undefined) message.executionId = input.executionId;
    if (input.stepId !== undefined) message.stepId = input.stepId;
    if (input.replyTo !== undefined) message.replyTo = input.replyTo;
    if (input.inReplyTo !== undefined) message.inReplyTo = input.inReplyTo;
    if (input.error !== undefined) message.error = input.error;
    if (check) {
      const result = BusMessageSchema.safeParse(message);
      if (!result.success) {
        const problems = result.error.issues.map((issue) => `${formatPath(issue.path) || '(message)'}: ${issue.message}`);
        throw new BusError(BusErrorCode.invalidMessage, `invalid bus message: ${problems.join('; ')}`, {
          details: { issues: result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })) },
        });
      }
    }
    return message;
  }

  function publish(input: BusMessageInput, publishOptions?: PublishOptions): BusMessage {
    if (closed) throw closedError(`publish ${input.topic ?? input.type}`);
    return send(build(input, publishOptions?.validate ?? validate));
  }

  /** Records and delivers a built message; nested sends queue behind the current one. */
  function send(message: BusMessage): BusMessage {
    const messageSeq = seq++;
    counters.published += 1;
    history.record(message);
    if (dispatching) {
      backlog.push({ message, seq: messageSeq });
      return message;
    }
    dispatching = true;
    try {
      dispatch(message, messageSeq);
      for (let i = 0; i < backlog.length; i += 1) {
        const next = backlog[i]!;
        dispatch(next.message, next.seq);
      }
    } finally {
      if (backlog.length > 0) backlog.length = 0;
      dispatching = false;
    }
    return message;
  }

  /** Wraps a registration factory into a cold Observable that unregisters on teardown. */
  function register<R>(key: string, make: (segments: readonly string[] | undefined, subscriber: Subscriber<R>) => Registration<R>): Observable<R> {
    const segments = parsePattern(key);
    return new Observable<R>((subscriber) => {
      if (closed) {
        subscriber.complete();
        return undefined;
      }
      const registration = make(segments, subscriber);
      index.add(key, segments, registration);
      live += 1;
      return () => {
        registration.dispose();
        index.remove(key, segments, registration);
        live -= 1;
      };
    });
  }

  function bufferOf(settings: BufferSettings): { bufferSize: number; overflow: OverflowStrategy } {
    return {
      bufferSize: checkCount('bufferSize', settings.bufferSize ?? 1000, 0),
      overflow: settings.overflow ?? OverflowStrategy.dropOldest,
    };
  }

  function reply(request: BusMessage, payload: unknown, error?: unknown): BusMessage {
    if (closed) throw closedError(`reply to ${request.topic}`);
    if (request.replyTo === undefined) {
      throw new BusError(BusErrorCode.invalidMessage, `message ${request.id} of type "${request.type}" is not a request (no replyTo)`);
    }
    const input: BusMessageInput = {
      type: `${request.type}.reply`,
      topic: request.replyTo,
      correlationId: request.correlationId,
      causationId: request.id,
      inReplyTo: request.id,
      payload,
    };
    if (error !== undefined) input.error = toErrorInfo(error);
    if (request.sessionId !== undefined) input.sessionId = request.sessionId;
    if (request.executionId !== undefined) input.executionId = request.executionId;
    if (request.stepId !== undefined) input.stepId = request.stepId;
    // A reply to a request this bus validated and still awaits is valid by construction (its
    // fields are the request's, its payload is `unknown`, its error comes from toErrorInfo), so
    // it skips the schema: that halves validation on the request/reply path.
    return send(build(input, validate && !pending.awaits(request)));
  }

  function consume<R>(key: string, handler: MessageHandler<R>, settings: ConsumeOptions = {}, onDrop?: (m: BusMessage) => void): Observable<R> {
    const buffer = bufferOf(settings);
    const concurrency = checkCount('concurrency', settings.concurrency ?? 1, 1);
    return register<R>(key, (segments, subscriber) => new HandlerRegistration(key, segments, subscriber, context(onDrop), buffer, handler, concurrency));
  }

  const bus: MessageBus = {
    get closed() {
      return closed;
    },
    messages$: new Observable<BusMessage>((subscriber) => {
      if (closed) {
        subscriber.complete();
        return undefined;
      }
      const tap = new SyncRegistration('>', undefined, subscriber, context());
      taps.add(tap);
      live += 1;
      return () => {
        tap.dispose();
        if (taps.delete(tap)) live -= 1;
      };
    }),
    publish,
    subscribe(key, settings = {}) {
      const buffer = bufferOf(settings);
      return register<BusMessage>(key, (segments, subscriber) =>
        settings.async === true
          ? new AsyncRegistration(key, segments, subscriber, context(), buffer)
          : new SyncRegistration(key, segments, subscriber, context()),
      );
    },
    consume: (key, handler, settings) => consume(key, handler, settings),
    request(topic, payload, settings) {
      if (closed) return Promise.reject(closedError(`request ${topic}`));
      counters.requests += 1;
      if (!index.has(topic)) {
        if (validate && !TopicSchema.safeParse(topic).success) {
          return Promise.reject(new BusError(BusErrorCode.invalidMessage, `invalid bus message: topic: "${topic}" is not a concrete topic`));
        }
        counters.noResponder += 1;
        return Promise.reject(new BusError(BusErrorCode.noResponder, `no responder subscribes to "${topic}"`, { details: { topic } }));
      }
      if (!(settings.timeoutMs >= 0)) {
        return Promise.reject(new RuntimeError(RuntimeErrorCode.invalidOption, `timeoutMs must be a number >= 0, got ${settings.timeoutMs}`));
      }
      if (settings.signal?.aborted === true) {
        return Promise.reject(new BusError(BusErrorCode.requestAborted, `request on "${topic}" was aborted`, { cause: settings.signal.reason }));
      }
      const id = flatString(idGenerator());
      const input: BusMessageInput = { id, type: settings.type ?? topic, topic, replyTo: flatString(`_inbox.${id}`), payload };
      if (settings.correlationId !== undefined) input.correlationId = settings.correlationId;
      if (settings.causationId !== undefined) input.causationId = settings.causationId;
      if (settings.sessionId !== undefined) input.sessionId = settings.sessionId;
      if (settings.executionId !== undefined) input.executionId = settings.executionId;
      if (settings.stepId !== undefined) input.stepId = settings.stepId;
      let message: BusMessage;
      try {
        message = build(input, validate);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      const answer = pending.wait(message, settings.timeoutMs, settings.signal);
      send(message);
      return answer;
    },
    reply: (request, payload) => reply(request, payload),
    replyError: (request, error) => reply(request, undefined, error ?? new Error('unknown error')),
    respond(key, handler, settings = {}) {
      const responder = createResponder(key, handler, (request, payload, error) => {
        // A reply can only fail once the bus is closed: nobody is left to tell.
        if (!closed) reply(request, payload, error);
      });
      return consume(key, responder.serve, { concurrency: 64, ...settings }, responder.onDrop).subscribe({ error: () => undefined });
    },
    trace: (correlationId) => history.trace(correlationId),
    metrics: () => ({
      published: counters.published,
      delivered: counters.delivered,
      dropped: { drop_oldest: counters.droppedOldest, error: counters.droppedError },
      erroredSubscriptions: counters.erroredSubscriptions,
      requests: counters.requests,
      pendingRequests: pending.size,
      timeouts: counters.timeouts,
      noResponder: counters.noResponder,
      duplicateReplies: counters.duplicateReplies,
      subscriberCount: live,
      topicCount: index.topicCount,
      patternCount: index.patternCount,
      historySize: history.size,
      historyBytes: history.bytes,
      historySkipped: history.skipped,
    }),
    close() {
      if (closed) return;
      closed = true;
      pending.rejectAll((topic) => closedError(`request ${topic} pending`));
      for (const registration of [...index.all(), ...taps]) registration.complete();
    },
  };
  return bus;
}
