import { z } from 'zod';

/**
 * The longest duration a definition, a tool or a call option may give: 30 days. Past it a value
 * is far more likely a unit mistake (seconds for ms, a date) than a real timeout.
 */
export const MAX_DURATION_MS = 2_592_000_000;

const tooLong = `must be at most ${MAX_DURATION_MS} ms (30 days)`;

/**
 * A time limit in milliseconds: an integer from 1 to {@link MAX_DURATION_MS}. Every timeout
 * (step, workflow, tool, call option) is checked by this one schema.
 */
export const DurationMsSchema = z
  .number()
  .int('must be a whole number of milliseconds')
  .min(1, 'must be at least 1 ms')
  .max(MAX_DURATION_MS, tooLong);

/** A wait in milliseconds: like {@link DurationMsSchema}, but 0 (no wait) is allowed — retry delays. */
export const DelayMsSchema = z
  .number()
  .int('must be a whole number of milliseconds')
  .min(0, 'must not be negative')
  .max(MAX_DURATION_MS, tooLong);

/**
 * Checks one duration given outside a schema (a call option); the reason when it is out of range.
 *
 * @example
 * durationProblem(Number.NaN); // 'expected number, received NaN'
 */
export function durationProblem(value: unknown): string | undefined {
  const result = DurationMsSchema.safeParse(value);
  return result.success ? undefined : (result.error.issues[0]?.message ?? 'is not a valid duration');
}
