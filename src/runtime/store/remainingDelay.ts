import { parseCallId, retryTimerId, timeoutTimerId, waitTimerId, WORKFLOW_TIMEOUT_DELAY } from '../../machines/workflow/workflowIds.js';
import type { Deadline, DeadlineKind } from './ExecutionStore.js';

/**
 * The time left until `dueAt` at `now`, in ms: never negative (a deadline that passed while the
 * process was down fires at once on resume), never NaN.
 *
 * Resume rules (the runtime applies them when it restores a persisted execution):
 * - a completed step is not run again: its journaled output is reused;
 * - a step that was running runs again (at-least-once) with the same idempotency key,
 *   `${executionId}:${stepId}` (see `idempotencyKey`);
 * - a retry wait, a step timeout and the workflow timeout resume with the time remaining until
 *   their absolute `dueAt`, not with their full delay (XState alone would re-arm the full delay);
 * - expired shared context stays expired: entries past `expiresAt` are not restored.
 *
 * @example
 * remainingDelay(1_500, 1_000); // 500
 * remainingDelay(1_000, 9_000); // 0
 */
export function remainingDelay(dueAt: number, now: number): number {
  const left = dueAt - now;
  return Number.isNaN(left) || left < 0 ? 0 : left;
}

/** A pending deadline with what remains of it. */
export interface PendingTimer extends Deadline {
  remainingMs: number;
  /** The workflow machine's delay it re-arms (`retry:<call>`, `timeout:<call>`, `workflow_timeout`); absent for context expiry. */
  delayName?: string;
}

/**
 * The delayed-event id of a deadline, in the compiler's one naming scheme (`workflowIds`); the
 * key of a retry or step timeout is its call id. `undefined` for `context_expiry` (the context
 * store's own timer handles it) and for a key that is not a call id.
 *
 * @example
 * delayNameOf('retry', 'build'); // 'retry:build'
 * delayNameOf('step_timeout', 'scan[2]'); // 'timeout:scan[2]'
 */
export function delayNameOf(kind: DeadlineKind, key: string): string | undefined {
  if (kind === 'workflow_timeout') return WORKFLOW_TIMEOUT_DELAY;
  const call = kind === 'context_expiry' ? undefined : parseCallId(key);
  if (call === undefined) return undefined;
  if (kind === 'wait') return waitTimerId(call.stepId);
  return kind === 'retry' ? retryTimerId(call.stepId, call.index) : timeoutTimerId(call.stepId, call.index);
}

/**
 * Every deadline with its remaining delay at `now`, earliest first: what a resumed run re-arms.
 *
 * @example
 * pendingTimers(await store.deadlines(executionId), clock.now())
 *   .forEach((t) => log.info({ delay: t.delayName, in: t.remainingMs }, 'resuming timer'));
 */
export function pendingTimers(deadlines: readonly Deadline[], now: number): PendingTimer[] {
  return [...deadlines]
    .sort((a, b) => a.dueAt - b.dueAt)
    .map((deadline) => {
      const delayName = delayNameOf(deadline.kind, deadline.key);
      return { ...deadline, remainingMs: remainingDelay(deadline.dueAt, now), ...(delayName === undefined ? {} : { delayName }) };
    });
}
