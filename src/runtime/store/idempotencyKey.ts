/**
 * The key a tool uses to deduplicate its side effect: `${executionId}:${stepId}`. It is the same
 * for every attempt and for the re-run after a crash, since a step that was running when the
 * process died runs again (at-least-once). Tools with external effects (a charge, an email, a
 * deployment) pass it to the system they call, or check it against their own records.
 *
 * @example
 * await payments.charge({ amount, idempotencyKey: idempotencyKey(ctx.executionId, ctx.stepId) });
 */
export function idempotencyKey(executionId: string, stepId: string): string {
  return `${executionId}:${stepId}`;
}
