import type { Clock } from '../machines/Clock.js';

/** A pending timer of a {@link ReplayClock}. */
export interface PendingTimer {
  readonly delayMs: number;
  readonly deadline: number;
}

/**
 * A simulated clock (like XState's `SimulatedClock`) that counts its pending timers, so a test
 * can prove a stopped runtime left none behind, and that can fire chosen timers out of turn.
 */
export interface ReplayClock extends Clock {
  /** Timers scheduled and neither fired nor cleared. */
  readonly pending: number;
  /** Moves time forward, firing due timers in deadline order (timers they schedule too). */
  increment(ms: number): void;
  /** Deadline of the earliest pending timer. */
  nextDeadline(): number | undefined;
  /** Fires the pending timers `select` picks, now, without moving time; returns how many fired. */
  fire(select: (timer: PendingTimer) => boolean): number;
}

interface Timer extends PendingTimer {
  readonly seq: number;
  readonly callback: () => void;
}

/**
 * Creates a {@link ReplayClock} starting at `start`.
 *
 * @example
 * const clock = createReplayClock();
 * const runtime = createRuntime({ tools, clock });
 * clock.increment(30_000); // retries and timeouts happen at once
 * await runtime.stop();
 * if (clock.pending > 0) throw new Error('a timer leaked');
 */
export function createReplayClock(start = 0): ReplayClock {
  let now = start;
  let seq = 0;
  const timers = new Map<number, Timer>();
  const run = (timer: Timer): void => {
    timers.delete(timer.seq);
    timer.callback();
  };
  const earliest = (): Timer | undefined => {
    let first: Timer | undefined;
    for (const timer of timers.values()) {
      if (!first || timer.deadline < first.deadline || (timer.deadline === first.deadline && timer.seq < first.seq)) first = timer;
    }
    return first;
  };
  return {
    now: () => now,
    setTimeout(callback, delayMs) {
      const timer: Timer = { seq: ++seq, delayMs, deadline: now + Math.max(0, delayMs), callback };
      timers.set(timer.seq, timer);
      return timer.seq;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    increment(ms) {
      const target = now + ms;
      for (let timer = earliest(); timer && timer.deadline <= target; timer = earliest()) {
        now = Math.max(now, timer.deadline);
        run(timer);
      }
      now = target;
    },
    nextDeadline: () => earliest()?.deadline,
    fire(select) {
      const chosen = [...timers.values()].filter(select).sort((a, b) => a.seq - b.seq);
      let fired = 0;
      for (const timer of chosen) {
        // An earlier callback may have cleared it.
        if (!timers.has(timer.seq)) continue;
        run(timer);
        fired++;
      }
      return fired;
    },
    get pending() {
      return timers.size;
    },
  };
}
