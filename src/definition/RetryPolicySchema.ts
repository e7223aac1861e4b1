import { z } from 'zod';
import { DelayMsSchema } from './DurationSchema.js';

export const BackoffKind = { fixed: 'fixed', linear: 'linear', exponential: 'exponential' } as const;
export type BackoffKind = (typeof BackoffKind)[keyof typeof BackoffKind];

/** How a failed step is tried again. Every failure is retried except one marked `retryable: false`. */
export const RetryPolicySchema = z
  .object({
    maxAttempts: z.number().int().min(1).max(100).describe('Attempts in all, the first one included'),
    backoff: z.enum(['fixed', 'linear', 'exponential']).default('exponential'),
    initialDelayMs: DelayMsSchema.default(200),
    maxDelayMs: DelayMsSchema.default(30_000),
    multiplier: z.number().min(1).default(2),
    jitter: z.enum(['none', 'full']).default('full'),
  })
  .strict();
export type RetryPolicy = z.infer<typeof RetryPolicySchema>;
