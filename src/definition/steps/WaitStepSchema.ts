import { z } from 'zod';
import { DurationMsSchema } from '../DurationSchema.js';
import { IdentifierSchema } from '../IdentifierSchema.js';

/** The longest timer a JavaScript runtime keeps: `setTimeout` fires at once past 2³¹−1 ms (about 24.8 days). */
export const MAX_WAIT_MS = 2_147_483_647;

/** A wait's duration: {@link DurationMsSchema}, capped at the longest timer the clock can hold. */
const WaitMsSchema = DurationMsSchema.max(MAX_WAIT_MS, `must be at most ${MAX_WAIT_MS} ms (2^31-1, about 24.8 days)`);
import { stepCommonShape } from './StepCommon.js';

/**
 * What a `wait` step waits for: a signal (`runtime.signal(executionId, name, payload)`), with an
 * optional time limit, or a fixed duration (durable sleep). Exactly one of `signal` and
 * `durationMs`; `timeoutMs` only with `signal`.
 */
export const WaitSpecSchema = z
  .object({
    signal: IdentifierSchema.optional().describe('The signal name that completes the step; its payload is the output'),
    timeoutMs: WaitMsSchema.optional().describe('With `signal`: fail the step with WAIT_TIMEOUT when no signal came in time'),
    durationMs: WaitMsSchema.optional().describe('Durable sleep: the step completes (output null) after this long'),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.signal === undefined && spec.durationMs === undefined) {
      ctx.addIssue({ code: 'custom', path: [], message: 'a wait needs exactly one of `signal` and `durationMs`; it has neither' });
    }
    if (spec.signal !== undefined && spec.durationMs !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['durationMs'], message: 'a wait needs exactly one of `signal` and `durationMs`; it has both' });
    }
    if (spec.durationMs !== undefined && spec.timeoutMs !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['timeoutMs'], message: '`timeoutMs` limits a signal wait; a `durationMs` wait has no timeout' });
    }
  });
export type WaitSpec = z.infer<typeof WaitSpecSchema>;

/**
 * A `wait` step: parks the run until a signal or for a duration; no tool runs. Its time limit is
 * `wait.timeoutMs` (a step-level `timeoutMs` is a mistake); it carries no `retry`, and a
 * remediation routed by `onError` may still have it wait again.
 */
export const WaitStepSchema = z
  .object({
    ...stepCommonShape,
    timeoutMs: z.never({ error: 'a wait step takes `wait.timeoutMs`, not the step-level `timeoutMs`' }).optional(),
    wait: WaitSpecSchema,
  })
  .strict();
export type WaitStepDefinition = z.infer<typeof WaitStepSchema>;
