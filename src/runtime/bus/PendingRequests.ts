import { BusError, BusErrorCode } from '../../errors/BusError.js';
import type { BusMessage } from '../BusMessage.js';
import type { Clock } from '../../machines/Clock.js';
import type { BusCounters } from './BusMetrics.js';

/** A waiting request; also a node of its timeout group's deadline list. */
interface Pending {
  readonly id: string;
  readonly request: BusMessage;
  readonly topic: string;
  readonly timeoutMs: number;
  readonly deadline: number;
  readonly resolve: (reply: BusMessage) => void;
  readonly reject: (error: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: (() => void) | undefined;
  prev: Pending | undefined;
  next: Pending | undefined;
}

/** Requests sharing one `timeoutMs`: their deadlines grow with insertion, so the head expires first. */
interface Group {
  head: Pending | undefined;
  tail: Pending | undefined;
}

/**
 * Requests waiting for their reply, keyed by request id: matching a reply is one `Map` lookup,
 * whatever the number of requests in flight. Each entry settles exactly once; settling removes it
 * from its deadline list and drops its abort listener, so nothing outlives the request.
 *
 * Timeouts: one clock timer per bus, not one per request (a timer per request was measured at
 * about half the cost of a round trip). Requests with the same `timeoutMs` form a linked list in
 * deadline order (O(1) insert and removal); the timer is armed for the earliest head and, when it
 * fires, expires every head that is due and re-arms. No pending request (after the current
 * microtask) means no timer.
 */
export class PendingRequests {
  private readonly pending = new Map<string, Pending>();
  private readonly groups = new Map<number, Group>();
  private timer: unknown = undefined;
  private armedAt = Infinity;
  private idleCheckQueued = false;

  constructor(
    private readonly clock: Clock,
    private readonly counters: BusCounters,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /** True when `request` is this very message, still waiting for its reply. */
  awaits(request: BusMessage): boolean {
    return this.pending.get(request.id)?.request === request;
  }

  /** Starts waiting for the reply to `request`; the promise rejects after `timeoutMs` on the clock. */
  wait(request: BusMessage, timeoutMs: number, signal: AbortSignal | undefined): Promise<BusMessage> {
    const { id, topic } = request;
    return new Promise<BusMessage>((resolve, reject) => {
      const onAbort =
        signal === undefined
          ? undefined
          : () => this.reject(id, new BusError(BusErrorCode.requestAborted, `request on "${topic}" was aborted`, { cause: signal.reason }));
      const deadline = this.clock.now() + timeoutMs;
      const entry: Pending = { id, request, topic, timeoutMs, deadline, resolve, reject, signal, onAbort, prev: undefined, next: undefined };
      let group = this.groups.get(timeoutMs);
      if (group === undefined) this.groups.set(timeoutMs, (group = { head: undefined, tail: undefined }));
      entry.prev = group.tail;
      if (group.tail === undefined) group.head = entry;
      else group.tail.next = entry;
      group.tail = entry;
      this.pending.set(id, entry);
      if (signal !== undefined && onAbort !== undefined) signal.addEventListener('abort', onAbort, { once: true });
      if (deadline < this.armedAt) this.arm(deadline);
    });
  }

  /** Settles the request `reply` answers; false when no request waits for it (duplicate or late). */
  settle(reply: BusMessage): boolean {
    const entry = this.take(reply.inReplyTo ?? '');
    if (entry === undefined) return false;
    if (reply.error === undefined) entry.resolve(reply);
    else entry.reject(BusError.fromRemote(reply.error));
    return true;
  }

  /** Rejects request `id` if it still waits. */
  reject(id: string, error: unknown): void {
    this.take(id)?.reject(error);
  }

  /** Rejects every waiting request (bus shutdown). */
  rejectAll(makeError: (topic: string) => unknown): void {
    for (const id of [...this.pending.keys()]) {
      const entry = this.take(id);
      entry?.reject(makeError(entry.topic));
    }
    this.disarm();
  }

  private take(id: string): Pending | undefined {
    const entry = this.pending.get(id);
    if (entry === undefined) return undefined;
    this.pending.delete(id);
    const group = this.groups.get(entry.timeoutMs);
    if (group !== undefined) {
      if (entry.prev === undefined) group.head = entry.next;
      else entry.prev.next = entry.next;
      if (entry.next === undefined) group.tail = entry.prev;
      else entry.next.prev = entry.prev;
      if (group.head === undefined) this.groups.delete(entry.timeoutMs);
    }
    if (entry.onAbort !== undefined) entry.signal?.removeEventListener('abort', entry.onAbort);
    // Disarm once idle, but after the current synchronous burst: a responder that answers on the
    // spot empties the map after every request, and re-arming a clock timer each time would cost
    // as much as the rest of the round trip.
    if (this.pending.size === 0 && !this.idleCheckQueued) {
      this.idleCheckQueued = true;
      queueMicrotask(this.disarmIfIdle);
    }
    return entry;
  }

  private arm(deadline: number): void {
    this.disarm();
    this.armedAt = deadline;
    this.timer = this.clock.setTimeout(this.expire, Math.max(0, deadline - this.clock.now()));
  }

  private disarm(): void {
    if (this.armedAt === Infinity) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.armedAt = Infinity;
  }

  private readonly disarmIfIdle = (): void => {
    this.idleCheckQueued = false;
    if (this.pending.size === 0) this.disarm();
  };

  private readonly expire = (): void => {
    this.timer = undefined;
    this.armedAt = Infinity;
    const now = this.clock.now();
    const due: Pending[] = [];
    let next = Infinity;
    for (const group of this.groups.values()) {
      let entry = group.head;
      for (; entry !== undefined && entry.deadline <= now; entry = entry.next) due.push(entry);
      if (entry !== undefined) next = Math.min(next, entry.deadline);
    }
    for (const entry of due) {
      if (!this.pending.has(entry.id)) continue;
      this.counters.timeouts += 1;
      this.reject(
        entry.id,
        new BusError(BusErrorCode.requestTimeout, `request on "${entry.topic}" got no reply within ${entry.timeoutMs} ms`, {
          details: { topic: entry.topic, timeoutMs: entry.timeoutMs, requestId: entry.id },
        }),
      );
    }
    if (next < this.armedAt && this.pending.size > 0) this.arm(next);
  };
}
