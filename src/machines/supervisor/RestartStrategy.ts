import { z } from 'zod';

/**
 * What to do when a tool actor crashes (throws something that is not a `ToolError`, code
 * `TOOL_CRASHED`, or misses its heartbeat), OTP/Akka style: `restart` it, at most `maxRestarts`
 * times within any `periodMs` (then escalate), waiting `backoff` between restarts; `stop` it (the
 * step fails, no restart); or `escalate` at once to failure routing and the workflow's error policy.
 */
export const RestartStrategySchema = z
  .object({
    strategy: z.enum(['restart', 'stop', 'escalate']),
    maxRestarts: z.number().int().min(0).default(3),
    periodMs: z.number().int().positive().default(60_000),
    /** Exponential: `initialDelayMs * 2^n` for the n-th restart in the window, capped at `maxDelayMs`. */
    backoff: z
      .object({ initialDelayMs: z.number().int().min(0), maxDelayMs: z.number().int().min(0) })
      .strict()
      .refine((b) => b.maxDelayMs >= b.initialDelayMs, { message: 'maxDelayMs must be at least initialDelayMs' })
      .optional(),
  })
  .strict();

/**
 * A restart strategy with its defaults applied.
 *
 * @example
 * const strategy: RestartStrategy = RestartStrategySchema.parse({ strategy: 'restart', maxRestarts: 5 });
 */
export type RestartStrategy = z.infer<typeof RestartStrategySchema>;

/** A restart strategy as written by a user (defaults optional). */
export type RestartStrategyInput = z.input<typeof RestartStrategySchema>;

/**
 * The answer to one crash.
 *
 * @example
 * const decision: RestartDecision = { action: 'restart', delayMs: 400, restarts: 2 };
 */
export type RestartDecision =
  | { action: 'restart'; delayMs: number; /** restarts of this tool in the current window, this one included */ restarts: number }
  | { action: 'stop' }
  | { action: 'escalate'; reason: string };
