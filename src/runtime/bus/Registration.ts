import type { Subscriber } from 'rxjs';
import { BusError, BusErrorCode } from '../../errors/BusError.js';
import type { BusMessage } from '../BusMessage.js';
import { BoundedQueue, type OverflowStrategy } from './BoundedQueue.js';
import type { BusCounters } from './BusMetrics.js';
import type { Deliverable } from './TopicIndex.js';

/** What a registration needs from its bus. */
export interface RegistrationContext {
  readonly counters: BusCounters;
  /** Sequence number the next published message will get; older messages are not delivered. */
  readonly nextSeq: number;
  /** Called when drop_oldest discards `message` (lets a responder fail the request fast). */
  readonly onDrop?: ((message: BusMessage) => void) | undefined;
}

/** Buffer settings of one subscription. */
export interface BufferOptions {
  readonly bufferSize: number;
  readonly overflow: OverflowStrategy;
}

/**
 * One subscription as the bus sees it. The bus calls `deliver` for each matching message;
 * subclasses decide whether the message goes straight to the subscriber or through a bounded queue.
 */
export abstract class Registration<R = BusMessage> implements Deliverable {
  private readonly sinceSeq: number;
  protected closed = false;

  constructor(
    readonly key: string,
    readonly segments: readonly string[] | undefined,
    protected readonly subscriber: Subscriber<R>,
    protected readonly context: RegistrationContext,
  ) {
    this.sinceSeq = context.nextSeq;
  }

  /** Offers a message published with sequence number `seq`. */
  deliver(message: BusMessage, seq: number): void {
    if (!this.closed && seq >= this.sinceSeq) this.accept(message);
  }

  /** Completes the subscriber (bus shutdown). */
  complete(): void {
    if (this.closed) return;
    this.dispose();
    this.subscriber.complete();
  }

  /** Stops delivery and releases buffered messages; called on unsubscribe. */
  dispose(): void {
    this.closed = true;
  }

  protected abstract accept(message: BusMessage): void;

  protected fail(error: unknown): void {
    if (this.closed) return;
    this.dispose();
    this.context.counters.erroredSubscriptions += 1;
    this.subscriber.error(error);
  }
}

/** Delivers on the publisher's stack: a synchronous consumer is never behind, so it needs no buffer. */
export class SyncRegistration extends Registration {
  protected accept(message: BusMessage): void {
    this.context.counters.delivered += 1;
    this.subscriber.next(message);
  }
}

/** Base of the registrations that go through a bounded per-subscription queue. */
abstract class QueuedRegistration<R> extends Registration<R> {
  protected readonly queue: BoundedQueue<BusMessage>;

  constructor(
    key: string,
    segments: readonly string[] | undefined,
    subscriber: Subscriber<R>,
    context: RegistrationContext,
    buffer: BufferOptions,
  ) {
    super(key, segments, subscriber, context);
    this.queue = new BoundedQueue(buffer.bufferSize, buffer.overflow);
  }

  override dispose(): void {
    super.dispose();
    this.queue.clear();
  }

  protected enqueue(message: BusMessage): boolean {
    const result = this.queue.push(message);
    if (result.status === 'queued') return true;
    if (result.status === 'dropped') {
      this.context.counters.droppedOldest += 1;
      this.context.onDrop?.(result.dropped);
      return true;
    }
    this.context.counters.droppedError += 1 + this.queue.size;
    this.fail(
      new BusError(BusErrorCode.overflow, `subscription "${this.key}" overflowed its buffer of ${this.queue.capacity}`, {
        details: { key: this.key, bufferSize: this.queue.capacity },
      }),
    );
    return false;
  }
}

/** Queues messages and emits them from a microtask: a bounded `observeOn(asapScheduler)`. */
export class AsyncRegistration extends QueuedRegistration<BusMessage> {
  private scheduled = false;

  protected accept(message: BusMessage): void {
    if (!this.enqueue(message) || this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.drain());
  }

  private drain(): void {
    for (let message = this.queue.shift(); message !== undefined && !this.closed; message = this.queue.shift()) {
      this.context.counters.delivered += 1;
      this.subscriber.next(message);
    }
    this.scheduled = false;
  }
}

/** An async consumer: `handle` runs for at most `concurrency` messages at once; the rest wait in the queue. */
export type MessageHandler<R> = (message: BusMessage, signal: AbortSignal) => R | PromiseLike<R>;

/** True for a promise or any thenable. */
export const isPromiseLike = <R>(value: R | PromiseLike<R>): value is PromiseLike<R> =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';

/**
 * Paces delivery by an async handler and emits its results, like `mergeMap(handle, concurrency)`
 * but with a bounded input buffer instead of mergeMap's unbounded one. A handler that throws
 * errors the subscription; the `signal` aborts when the subscription ends.
 */
export class HandlerRegistration<R> extends QueuedRegistration<R> {
  private inFlight = 0;
  private pumping = false;
  private readonly abort = new AbortController();

  constructor(
    key: string,
    segments: readonly string[] | undefined,
    subscriber: Subscriber<R>,
    context: RegistrationContext,
    buffer: BufferOptions,
    private readonly handle: MessageHandler<R>,
    private readonly concurrency: number,
  ) {
    super(key, segments, subscriber, context, buffer);
  }

  override dispose(): void {
    if (!this.closed) this.abort.abort(new BusError(BusErrorCode.closed, `subscription "${this.key}" ended`));
    super.dispose();
  }

  protected accept(message: BusMessage): void {
    if (this.inFlight < this.concurrency && this.queue.size === 0) this.start(message);
    else if (this.enqueue(message)) this.pump();
  }

  private pump(): void {
    // A handler that settles synchronously calls back into pump; the outer loop carries on instead.
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.closed && this.inFlight < this.concurrency) {
        const message = this.queue.shift();
        if (message === undefined) return;
        this.start(message);
      }
    } finally {
      this.pumping = false;
    }
  }

  private start(message: BusMessage): void {
    this.inFlight += 1;
    this.context.counters.delivered += 1;
    let result: R | PromiseLike<R>;
    try {
      result = this.handle(message, this.abort.signal);
    } catch (error) {
      this.failed(error);
      return;
    }
    // A plain value completes at once, like a synchronous inner observable of mergeMap; a promise
    // settles through bound methods, so there is no closure per message on this hot path.
    if (isPromiseLike(result)) void Promise.resolve(result).then(this.succeeded, this.failed);
    else this.succeeded(result);
  }

  private readonly succeeded = (value: R): void => {
    this.inFlight -= 1;
    if (this.closed) return;
    this.subscriber.next(value);
    this.pump();
  };

  private readonly failed = (error: unknown): void => {
    this.inFlight -= 1;
    this.fail(error);
  };
}
