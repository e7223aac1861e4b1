/** What a full subscription buffer does with one more message. */
export const OverflowStrategy = {
  dropOldest: 'drop_oldest',
  error: 'error',
} as const;
export type OverflowStrategy = (typeof OverflowStrategy)[keyof typeof OverflowStrategy];

/** Outcome of {@link BoundedQueue.push}. */
export type PushResult<T> =
  | { readonly status: 'queued' }
  | { readonly status: 'dropped'; readonly dropped: T }
  | { readonly status: 'overflow' };

const queued = { status: 'queued' } as const;
const overflowed = { status: 'overflow' } as const;

/**
 * A FIFO queue that never holds more than `capacity` items. Storage grows with use, not with
 * capacity, so a subscription that keeps up costs nothing: push and shift are amortised O(1)
 * (the consumed prefix is compacted once it is the larger half).
 *
 * @example
 * const q = new BoundedQueue<number>(2, 'drop_oldest');
 * q.push(1); q.push(2); q.push(3); // { status: 'dropped', dropped: 1 }
 */
export class BoundedQueue<T> {
  private items: T[] = [];
  private head = 0;

  constructor(
    readonly capacity: number,
    readonly overflow: OverflowStrategy,
  ) {}

  get size(): number {
    return this.items.length - this.head;
  }

  /** Appends `item`; when full, drops the oldest item or refuses, by the overflow strategy. */
  push(item: T): PushResult<T> {
    if (this.size < this.capacity) {
      this.items.push(item);
      return queued;
    }
    if (this.overflow === OverflowStrategy.error || this.capacity === 0) return overflowed;
    const dropped = this.shift() as T;
    this.items.push(item);
    return { status: 'dropped', dropped };
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined as T;
    this.head += 1;
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Removes every item. */
  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
