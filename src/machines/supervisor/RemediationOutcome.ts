import { z } from 'zod';

/**
 * What a remediation tool answers: `retry` the failed step (with `patchedInput` in place of its
 * input, when given), `resolved` (its `output` stands in for the step's), or `escalate` (the
 * workflow's error policy applies). Other fields (`changes`, `hasCredentials`, ...) are ignored,
 * so `generate_remediation` and `validate_credentials` answer in this shape as they are.
 */
export const RemediationOutcomeSchema = z.object({
  action: z.enum(['retry', 'resolved', 'escalate']),
  patchedInput: z.record(z.string(), z.unknown()).optional(),
  output: z.unknown().optional(),
  reason: z.string().optional(),
});

/**
 * A remediation's decision.
 *
 * @example
 * const outcome: RemediationOutcome = { action: 'retry', patchedInput: { dockerfile }, reason: 'pinned the base image' };
 */
export type RemediationOutcome = z.infer<typeof RemediationOutcomeSchema>;

/**
 * Reads a remediation tool's output leniently: anything that is not a decision (no `action`, an
 * unknown action, a `patchedInput` that is not an object) is an `escalate` whose `reason` says
 * what was wrong, never an exception.
 *
 * @example
 * toRemediationOutcome({ action: 'retry', patchedInput: { tag: 'app:1' } }); // a retry
 * toRemediationOutcome('done');  // { action: 'escalate', reason: 'the remediation answered ... ' }
 */
export function toRemediationOutcome(value: unknown): RemediationOutcome {
  const parsed = RemediationOutcomeSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  return { action: 'escalate', reason: `the remediation answered something that is not a decision${where}: ${issue?.message ?? 'invalid'}` };
}
