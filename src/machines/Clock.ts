/**
 * Time source of a runtime. XState's `SimulatedClock` satisfies it, so tests run time-based
 * behaviour (retries, timeouts, expiry) instantly. XState takes every `after` and delayed
 * event of a workflow machine from this clock too.
 */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node fires a timer whose delay is past 2^31 - 1 ms (about 24.8 days) after 1 ms instead. */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

/** A timer past {@link MAX_TIMER_DELAY_MS}: re-armed in steps until its due time. */
class LongTimer {
  handle: unknown;
  constructor(readonly dueAt: number) {}
  unref(): this {
    (this.handle as { unref?: () => void } | null)?.unref?.();
    this.unrefed = true;
    return this;
  }
  unrefed = false;
}

/**
 * Wraps a clock whose timers are capped like Node's so that any delay fires on time: a delay up
 * to the cap goes straight to `host` (the common case costs nothing), a longer one arms the cap
 * and re-arms for what is left, reading `host.now()` each time.
 *
 * @example
 * const clock = rearmingClock(hostClock);
 * clock.setTimeout(fire, 30 * 86_400_000); // fires after 30 days, not after 1 ms
 */
export function rearmingClock(host: Clock): Clock {
  const arm = (timer: LongTimer, callback: () => void): void => {
    const left = timer.dueAt - host.now();
    if (left <= MAX_TIMER_DELAY_MS) timer.handle = host.setTimeout(callback, Math.max(0, left));
    else timer.handle = host.setTimeout(() => arm(timer, callback), MAX_TIMER_DELAY_MS);
    if (timer.unrefed) timer.unref();
  };
  return {
    now: () => host.now(),
    setTimeout(callback, delayMs) {
      if (!(delayMs > MAX_TIMER_DELAY_MS)) return host.setTimeout(callback, delayMs);
      const timer = new LongTimer(host.now() + delayMs);
      arm(timer, callback);
      return timer;
    },
    clearTimeout(handle) {
      host.clearTimeout(handle instanceof LongTimer ? handle.handle : handle);
    },
  };
}

/** The wall clock; delays past Node's timer cap are re-armed, so they fire on time. */
export const systemClock: Clock = rearmingClock({
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
});
