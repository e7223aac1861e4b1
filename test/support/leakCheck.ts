import { SimulatedClock } from 'xstate';
import type { Clock } from '../../src/index.js';

/** A SimulatedClock that counts the timers still pending, for leak checks. */
export interface CountingClock extends Clock {
  readonly pending: number;
  increment(ms: number): void;
}

export function createCountingClock(): CountingClock {
  const clock = new SimulatedClock();
  const live = new Set<unknown>();
  return {
    now: () => clock.now(),
    setTimeout(callback, delayMs) {
      const handle: unknown = clock.setTimeout(() => {
        live.delete(handle);
        callback();
      }, delayMs);
      live.add(handle);
      return handle;
    },
    clearTimeout(handle) {
      live.delete(handle);
      clock.clearTimeout(handle as number);
    },
    increment: (ms) => clock.increment(ms),
    get pending() {
      return live.size;
    },
  };
}

/** Lets promises settle, then advances simulated time, until `done` settles (bounded). */
export async function drive<T>(clock: { increment(ms: number): void }, done: Promise<T>, stepMs = 1_000, maxRounds = 10_000): Promise<T> {
  let settled = false;
  void done.finally(() => (settled = true)).catch(() => undefined);
  for (let round = 0; round < maxRounds && !settled; round++) {
    await flush();
    if (!settled) clock.increment(stepMs);
  }
  return done;
}

/** Runs queued microtasks and I/O callbacks. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
