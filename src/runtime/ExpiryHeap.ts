/**
 * A binary min-heap of values keyed by a deadline (ms since epoch). Values with equal deadlines
 * come out in insertion order, so expiry order is deterministic.
 */
export interface ExpiryHeap<T> {
  readonly size: number;
  /** O(log n). */
  push(deadline: number, value: T): void;
  /** The earliest deadline, or `undefined` when empty. O(1). */
  peekDeadline(): number | undefined;
  /** The value with the earliest deadline. O(1). */
  peek(): T | undefined;
  /** Removes and returns the value with the earliest deadline. O(log n). */
  pop(): T | undefined;
  /** Keeps only the values for which `keep` is true and rebuilds the heap; O(n). Returns how many were dropped. */
  retain(keep: (value: T) => boolean): number;
  clear(): void;
}

/**
 * Creates an empty {@link ExpiryHeap}.
 *
 * @example
 * const heap = createExpiryHeap<string>();
 * heap.push(200, 'late'); heap.push(100, 'early');
 * heap.pop(); // 'early'
 */
export function createExpiryHeap<T>(): ExpiryHeap<T> {
  // Parallel arrays instead of one node object per value: a million entries cost three array
  // slots each (the deadlines stay an unboxed double array) rather than an extra object.
  let deadlines: number[] = [];
  let seqs: number[] = [];
  let values: T[] = [];
  let nextSeq = 0;

  // Both sifts move a hole instead of swapping: one write per level in each array.
  const siftUp = (start: number, deadline: number, seq: number, value: T): void => {
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pd = deadlines[parent]!;
      if (pd < deadline || (pd === deadline && seqs[parent]! < seq)) break;
      deadlines[i] = pd;
      seqs[i] = seqs[parent]!;
      values[i] = values[parent]!;
      i = parent;
    }
    deadlines[i] = deadline;
    seqs[i] = seq;
    values[i] = value;
  };

  const siftDown = (start: number, deadline: number, seq: number, value: T): void => {
    const n = values.length;
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n) {
        const ld = deadlines[child]!;
        const rd = deadlines[right]!;
        if (rd < ld || (rd === ld && seqs[right]! < seqs[child]!)) child = right;
      }
      const cd = deadlines[child]!;
      if (deadline < cd || (deadline === cd && seq < seqs[child]!)) break;
      deadlines[i] = cd;
      seqs[i] = seqs[child]!;
      values[i] = values[child]!;
      i = child;
    }
    deadlines[i] = deadline;
    seqs[i] = seq;
    values[i] = value;
  };

  return {
    get size() {
      return values.length;
    },
    push(deadline, value) {
      // Grow by one, then fill the hole at the end.
      deadlines.push(deadline);
      seqs.push(0);
      values.push(value);
      siftUp(values.length - 1, deadline, nextSeq++, value);
    },
    peekDeadline: () => deadlines[0],
    peek: () => values[0],
    pop() {
      const n = values.length;
      if (n === 0) return undefined;
      const top = values[0];
      const lastDeadline = deadlines.pop()!;
      const lastSeq = seqs.pop()!;
      const lastValue = values.pop()!;
      if (n > 1) siftDown(0, lastDeadline, lastSeq, lastValue);
      return top;
    },
    retain(keep) {
      const before = values.length;
      let kept = 0;
      for (let i = 0; i < before; i++) {
        if (!keep(values[i]!)) continue;
        deadlines[kept] = deadlines[i]!;
        seqs[kept] = seqs[i]!;
        values[kept] = values[i]!;
        kept++;
      }
      deadlines.length = kept;
      seqs.length = kept;
      values.length = kept;
      for (let i = (kept >> 1) - 1; i >= 0; i--) siftDown(i, deadlines[i]!, seqs[i]!, values[i]!);
      return before - kept;
    },
    clear() {
      deadlines = [];
      seqs = [];
      values = [];
    },
  };
}
