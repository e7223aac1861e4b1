import { Cron } from 'croner';

/** The times a cron expression matches, in ms since epoch. */
export interface CronTimes {
  /** The first match strictly after `afterMs`; undefined when there is none. */
  next(afterMs: number): number | undefined;
  /** Up to `limit` matches in `(afterMs, upToMs]`, oldest first: the latest ones when there are more. */
  between(afterMs: number, upToMs: number, limit: number): number[];
}

/**
 * Reads a cron expression with croner (5 fields, or 6 with seconds first; `@daily` and the other
 * nicknames; `L`, `W`, `#`) in an IANA time zone. croner is used as a calendar only: it never arms
 * a timer here, the scheduler arms them on the runtime's clock. Throws croner's error for a bad
 * expression (the caller turns it into `SCHEDULE_INVALID_CRON`).
 *
 * @example
 * const times = cronTimes('0 3 * * *', 'Europe/Berlin');
 * const due = times.next(clock.now());
 */
export function cronTimes(expression: string, timezone: string): CronTimes {
  const cron = new Cron(expression, { paused: true, timezone, mode: '5-or-6-parts' });
  return {
    next: (afterMs) => cron.nextRun(new Date(afterMs))?.getTime(),
    between(afterMs, upToMs, limit) {
      if (upToMs <= afterMs || limit <= 0) return [];
      // previousRuns is strictly before its reference: +1 ms makes upToMs itself count.
      return cron
        .previousRuns(limit, new Date(upToMs + 1))
        .map((date) => date.getTime())
        .filter((ms) => ms > afterMs)
        .reverse();
    },
  };
}
