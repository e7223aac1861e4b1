import type { BusMessage } from '../BusMessage.js';

/**
 * The last `limit` published messages, for `trace`. Recording is one array store into a ring
 * (the hot path of every publish); `trace` scans the ring, O(limit), which suits a debugging and
 * reporting call. A per-correlation index was measured ~10x slower to maintain, because nearly
 * every root message starts a new correlation.
 */
export class BusHistory {
  private readonly ring: (BusMessage | undefined)[];
  private next = 0;
  private filled = 0;

  constructor(readonly limit: number) {
    // Grows as messages arrive (writes go in order until it is full): a runtime that publishes
    // little does not pay for a 10,000-slot array up front.
    this.ring = [];
  }

  record(message: BusMessage): void {
    if (this.limit <= 0) return;
    this.ring[this.next] = message;
    this.next = this.next + 1 === this.limit ? 0 : this.next + 1;
    if (this.filled < this.limit) this.filled += 1;
  }

  /** The retained messages of one correlation, in publish order. */
  trace(correlationId: string): BusMessage[] {
    const out: BusMessage[] = [];
    const start = this.filled < this.limit ? 0 : this.next;
    for (let i = 0; i < this.filled; i += 1) {
      const message = this.ring[(start + i) % this.limit];
      if (message !== undefined && message.correlationId === correlationId) out.push(message);
    }
    return out;
  }

  /** Number of retained messages. */
  get size(): number {
    return this.filled;
  }
}
