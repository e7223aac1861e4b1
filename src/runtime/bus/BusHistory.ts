import type { BusMessage } from '../BusMessage.js';
import { messageBytes } from './messageBytes.js';

/** Bytes of messages kept for `trace` by default: 16 MiB. */
export const DEFAULT_HISTORY_BYTES = 16 * 1024 * 1024;

/**
 * The most recent published messages, for `trace`, within two budgets: at most `limit` messages
 * and at most `maxBytes` bytes (the approximate JSON size of each message, see `messageBytes`).
 * The oldest go first when either is exceeded; a message larger than `maxBytes` on its own is not
 * kept (`skipped` counts those). Recording is a ring store plus the size walk of the message;
 * `trace` scans the ring, O(size), which suits a debugging and reporting call. A per-correlation
 * index was measured ~10x slower to maintain, because nearly every root message starts a new
 * correlation.
 */
export class BusHistory {
  private readonly ring: (BusMessage | undefined)[] = [];
  private readonly sizes: number[] = [];
  /** Index of the oldest retained message. */
  private head = 0;
  private count = 0;
  private held = 0;
  private skippedCount = 0;

  constructor(
    readonly limit: number,
    readonly maxBytes: number = DEFAULT_HISTORY_BYTES,
  ) {}

  record(message: BusMessage): void {
    if (this.limit <= 0 || this.maxBytes <= 0) return;
    const size = messageBytes(message, this.maxBytes);
    if (size > this.maxBytes) {
      this.skippedCount += 1;
      return;
    }
    while (this.count > 0 && (this.count === this.limit || this.held + size > this.maxBytes)) this.dropOldest();
    // Until the ring is full, writes go in order: a runtime that publishes little does not pay for a 10,000-slot array.
    const at = (this.head + this.count) % this.limit;
    this.ring[at] = message;
    this.sizes[at] = size;
    this.count += 1;
    this.held += size;
  }

  private dropOldest(): void {
    this.held -= this.sizes[this.head] as number;
    this.ring[this.head] = undefined;
    this.head = this.head + 1 === this.limit ? 0 : this.head + 1;
    this.count -= 1;
  }

  /** The retained messages of one correlation, in publish order. */
  trace(correlationId: string): BusMessage[] {
    const out: BusMessage[] = [];
    for (let i = 0; i < this.count; i += 1) {
      const message = this.ring[(this.head + i) % this.limit];
      if (message !== undefined && message.correlationId === correlationId) out.push(message);
    }
    return out;
  }

  /** Number of retained messages. */
  get size(): number {
    return this.count;
  }

  /** Approximate bytes of the retained messages. */
  get bytes(): number {
    return this.held;
  }

  /** Messages not kept because each alone was larger than `maxBytes`. */
  get skipped(): number {
    return this.skippedCount;
  }
}
