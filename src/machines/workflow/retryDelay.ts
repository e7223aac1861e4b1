import type { RetryPolicy } from '../../definition/WorkflowDefinitionSchema.js';

/**
 * Delay before the next attempt after `attempt` failed attempts (1-based), capped at
 * `maxDelayMs`; full jitter draws uniformly from [0, delay] (AWS "full jitter").
 *
 * @example
 * retryDelay({ maxAttempts: 3, backoff: 'exponential', initialDelayMs: 200, maxDelayMs: 5000, multiplier: 2, jitter: 'none' }, 2); // 400
 */
export function retryDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const n = Math.max(1, attempt);
  const base =
    policy.backoff === 'fixed'
      ? policy.initialDelayMs
      : policy.backoff === 'linear'
        ? policy.initialDelayMs * n
        : policy.initialDelayMs * policy.multiplier ** (n - 1);
  const capped = Math.min(policy.maxDelayMs, base);
  return policy.jitter === 'full' ? Math.floor(random() * (capped + 1)) : Math.round(capped);
}
