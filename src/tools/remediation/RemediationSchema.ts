import { z } from 'zod';

/**
 * The remediation-tool contract used by the supervisor's failure routing: what failed, with
 * the failed step's input and the session's shared context.
 */
export const RemediationInputSchema = z.object({
  failure: z.object({
    tool: z.string().optional(),
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
  /** The input of the call that failed; a patch starts from it. */
  originalInput: z.unknown().optional(),
  /** Shared context of the session (`{ repository_analysis: ... }`, or a list of context entries). */
  context: z.unknown().optional(),
});
export type RemediationInput = z.infer<typeof RemediationInputSchema>;

/**
 * What a remediation decided: `retry` the failed step with `patchedInput`, treat it as
 * `resolved` with `output`, or `escalate` to a human with the `reason`.
 */
export const RemediationSchema = z.object({
  action: z.enum(['retry', 'resolved', 'escalate']),
  patchedInput: z.record(z.string(), z.unknown()).optional(),
  output: z.unknown().optional(),
  reason: z.string(),
  /** What the patch changed, one line each. */
  changes: z.array(z.string()),
});
export type Remediation = z.infer<typeof RemediationSchema>;
