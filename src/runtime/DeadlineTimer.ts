import type { Clock } from '../machines/Clock.js';

/** One clock timer that fires by a deadline; arming it again for a later deadline is a no-op. */
export interface DeadlineTimer {
  /** Makes sure the timer fires no later than `deadline` (ms since epoch, per the clock). */
  armBy(deadline: number): void;
  /** Clears the pending timer, if any. Idempotent. */
  cancel(): void;
  /** When the pending timer fires (ms since epoch), or `undefined` when none is pending. */
  readonly at: number | undefined;
}

// Node caps timer delays at 2^31 - 1 ms (about 24.8 days): a longer delay would fire at once.
// A deadline further away fires early; the owner finds nothing due and arms again.
const MAX_DELAY_MS = 2_147_483_647;

/**
 * Creates a {@link DeadlineTimer} on `clock` that calls `onFire` when it fires. At most one
 * clock timer is ever pending. With the system clock the timer is `unref`ed: an expiry timer
 * alone must not keep a Node process alive.
 *
 * @example
 * const timer = createDeadlineTimer(clock, () => expireDue());
 * timer.armBy(entry.expiresAt);
 */
export function createDeadlineTimer(clock: Clock, onFire: () => void): DeadlineTimer {
  let pending: { handle: unknown; at: number } | undefined;

  const fire = (): void => {
    pending = undefined;
    onFire();
  };

  const cancel = (): void => {
    if (pending === undefined) return;
    clock.clearTimeout(pending.handle);
    pending = undefined;
  };

  return {
    armBy(deadline) {
      const now = clock.now();
      const delay = Math.min(Math.max(deadline - now, 0), MAX_DELAY_MS);
      if (pending !== undefined && pending.at <= now + delay) return;
      cancel();
      const handle = clock.setTimeout(fire, delay);
      (handle as { unref?: () => void } | null)?.unref?.();
      pending = { handle, at: now + delay };
    },
    cancel,
    get at() {
      return pending?.at;
    },
  };
}
