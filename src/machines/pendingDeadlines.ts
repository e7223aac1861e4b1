import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import type { WorkflowContext } from './WorkflowContext.js';

/** A delayed transition a workflow snapshot waits for, at its absolute due time. */
export interface PendingDeadline {
  kind: 'retry' | 'step_timeout' | 'workflow_timeout';
  /** The step id, or `workflow`. */
  key: string;
  /** ms since epoch. */
  dueAt: number;
  /** The machine's `after` delay name and the state that waits for it (its event is `xstate.after.<delay>.<stateId>`). */
  delay: string;
  stateId: string;
}

/**
 * The retry waits, step timeouts and workflow timeout a workflow snapshot (live or persisted) is
 * waiting for, read from the absolute times its context keeps. The runtime re-arms them on resume
 * and records them in the store as they change.
 *
 * @example
 * for (const d of pendingDeadlines(actor.getSnapshot(), definition, timeoutOf)) arm(d.delay, d.stateId, d.dueAt);
 */
export function pendingDeadlines(snapshot: unknown, definition: WorkflowDefinition, timeoutOf: (stepId: string) => number | undefined): PendingDeadline[] {
  const { value, context, status } = snapshot as { value: unknown; context: WorkflowContext; status: string };
  if (status !== 'active' || typeof value !== 'object' || value === null) return [];
  const regions = (value as { running?: Record<string, string> }).running;
  if (!regions) return [];
  const root = `${definition.id}.running`;
  const pending: PendingDeadline[] = [];
  for (const step of definition.steps) {
    const state = context.steps[step.id];
    if (!state) continue;
    if (regions[step.id] === 'retrying' && state.retryDueAt !== undefined) {
      pending.push({ kind: 'retry', key: step.id, dueAt: state.retryDueAt, delay: `retry_${step.id}`, stateId: `${root}.${step.id}.retrying` });
    }
    const limit = timeoutOf(step.id);
    if (regions[step.id] === 'running' && limit !== undefined && state.attemptStartedAt !== undefined) {
      pending.push({ kind: 'step_timeout', key: step.id, dueAt: state.attemptStartedAt + limit, delay: `timeout_${step.id}`, stateId: `${root}.${step.id}.running` });
    }
  }
  if (definition.timeoutMs !== undefined) {
    pending.push({ kind: 'workflow_timeout', key: 'workflow', dueAt: context.startedAt + definition.timeoutMs, delay: 'workflow_timeout', stateId: root });
  }
  return pending;
}
