import type { WorkflowDefinition } from '../../definition/WorkflowDefinitionSchema.js';
import type { CallState, StepState, WorkflowContext, WorkflowTimerEvent } from './WorkflowContext.js';
import { itemEntries } from './ItemTable.js';
import { deadlineKey, workflowTimeoutEvent } from './workflowIds.js';

/** A timer a workflow snapshot waits for, at its absolute due time. */
export interface PendingDeadline {
  kind: 'retry' | 'step_timeout' | 'wait' | 'workflow_timeout';
  /** The call id (`step`, or `step[index]` for a map item), or `workflow`. */
  key: string;
  /** ms since epoch. */
  dueAt: number;
  /** The event the machine expects when it passes (what the runtime sends after a restore). */
  event: WorkflowTimerEvent | { type: string };
}

/**
 * The retry waits, attempt timeouts, `wait` steps' deadlines and workflow timeout a workflow snapshot (live or persisted)
 * is waiting for, read from the absolute times its context keeps, for every call of every step
 * kind (a tool step's call, each map item's). The runtime re-arms them on resume and records
 * them in the store as they change.
 *
 * @example
 * for (const d of pendingDeadlines(actor.getSnapshot(), definition, timeoutOf)) arm(d.event, d.dueAt);
 */
export function pendingDeadlines(snapshot: unknown, definition: WorkflowDefinition, timeoutOf: (stepId: string) => number | undefined): PendingDeadline[] {
  const { value, context, status } = snapshot as { value: unknown; context: WorkflowContext; status: string };
  if (status !== 'active' || value !== 'running') return [];
  const pending: PendingDeadline[] = [];
  const visit = (stepId: string, call: CallState, index: number | undefined): void => {
    const ref = index === undefined ? { stepId } : { stepId, index };
    if (call.phase === 'retrying' && call.retryDueAt !== undefined) {
      pending.push({ kind: 'retry', key: deadlineKey(stepId, index), dueAt: call.retryDueAt, event: { type: 'step.retry', ...ref } });
    }
    if (call.phase === 'waiting' && (call as StepState).waitDueAt !== undefined) {
      pending.push({ kind: 'wait', key: deadlineKey(stepId), dueAt: (call as StepState).waitDueAt as number, event: { type: 'step.wake', stepId } });
      return;
    }
    const limit = timeoutOf(stepId);
    if (call.phase === 'running' && limit !== undefined && call.attemptStartedAt !== undefined) {
      pending.push({ kind: 'step_timeout', key: deadlineKey(stepId, index), dueAt: call.attemptStartedAt + limit, event: { type: 'step.timeout', ...ref, attempt: call.attempts } });
    }
  };
  for (const step of definition.steps) {
    const state = context.steps[step.id];
    if (state?.status !== 'running') continue;
    if (state.items) for (const [index, call] of itemEntries(state.items.calls)) visit(step.id, call, index);
    else visit(step.id, state, undefined);
  }
  if (definition.timeoutMs !== undefined) {
    pending.push({ kind: 'workflow_timeout', key: 'workflow', dueAt: context.startedAt + definition.timeoutMs, event: { type: workflowTimeoutEvent(definition.id) } });
  }
  return pending;
}
