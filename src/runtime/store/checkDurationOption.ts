import { RuntimeError } from '../../errors/RuntimeError.js';

/** Range of a duration (or count) option, both ends included. */
export interface OptionRange {
  min: number;
  max: number;
  /** Unit named in the message; `ms` by default. */
  unit?: string;
}

/** `leaseMs`: renewed every third of it, so 100 ms means at most 30 renewals a second per node; at most 1 day. */
export const LEASE_MS_RANGE: OptionRange = { min: 100, max: 86_400_000 };

/**
 * Returns `value` when it is an integer within `range`, else throws `RuntimeError`
 * `INVALID_OPTION` naming the option, what it got and the range. For options read once at
 * creation (a runtime's `leaseMs`, a store's timeouts), so a bad one fails there, not later.
 *
 * @example
 * const leaseMs = checkDurationOption('leaseMs', options.leaseMs ?? 30_000, LEASE_MS_RANGE);
 */
export function checkDurationOption(name: string, value: number, range: OptionRange): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= range.min && value <= range.max) return value;
  const got = typeof value === 'number' ? String(value) : JSON.stringify(value);
  throw new RuntimeError('INVALID_OPTION', `${name} must be an integer from ${range.min} to ${range.max} ${range.unit ?? 'ms'}, got ${got}`);
}
