/** A snapshot of a bus's counters, from `bus.metrics()`. */
export interface BusMetrics {
  /** Messages accepted by `publish` (requests and replies included). */
  readonly published: number;
  /** Hand-overs to a consumer: `next` calls, and handler starts for `consume`/`respond`. */
  readonly delivered: number;
  /** Messages lost to full subscription buffers, by overflow strategy. */
  readonly dropped: { readonly drop_oldest: number; readonly error: number };
  /** Subscriptions ended by an error (`BUS_OVERFLOW`, or a `consume` handler that threw). */
  readonly erroredSubscriptions: number;
  /** Requests sent with `request`. */
  readonly requests: number;
  /** Requests still waiting for their reply. */
  readonly pendingRequests: number;
  /** Requests rejected with `BUS_REQUEST_TIMEOUT`. */
  readonly timeouts: number;
  /** Requests rejected with `BUS_NO_RESPONDER`. */
  readonly noResponder: number;
  /** Replies that found no waiting request: a second reply, or one after timeout, abort or close. */
  readonly duplicateReplies: number;
  /** Live subscriptions (exact, pattern and `messages$`). */
  readonly subscriberCount: number;
  /** Distinct concrete topics with at least one subscription. */
  readonly topicCount: number;
  /** Live pattern subscriptions. */
  readonly patternCount: number;
  /** Messages retained for `trace`. */
  readonly historySize: number;
  /** Approximate JSON bytes of the messages retained for `trace` (at most `historyBytes`). */
  readonly historyBytes: number;
  /** Messages not retained for `trace` because each alone was larger than `historyBytes`. */
  readonly historySkipped: number;
}

/** The mutable counters a bus and its subscriptions share. */
export interface BusCounters {
  published: number;
  delivered: number;
  droppedOldest: number;
  droppedError: number;
  erroredSubscriptions: number;
  requests: number;
  timeouts: number;
  noResponder: number;
  duplicateReplies: number;
}

export const newBusCounters = (): BusCounters => ({
  published: 0,
  delivered: 0,
  droppedOldest: 0,
  droppedError: 0,
  erroredSubscriptions: 0,
  requests: 0,
  timeouts: 0,
  noResponder: 0,
  duplicateReplies: 0,
});
