import type { AnyActorRef } from 'xstate';
import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import type { Clock } from '../runtime/Clock.js';
import type { WorkflowContext } from './WorkflowContext.js';

/**
 * Re-arms the `after` timers of a workflow actor restored from a persisted snapshot. XState v5
 * does not re-schedule delayed transitions on restore (a restored `retrying` state would wait
 * forever), so the runtime sends each pending delayed event itself, after the time that is left
 * until its absolute due time in context: a retry wait, a step timeout, the workflow timeout.
 * An event that arrives after its state was left matches no transition and is ignored.
 *
 * @returns a function that clears the timers it set.
 */
export function rearmTimers(actor: AnyActorRef, definition: WorkflowDefinition, clock: Clock, timeoutOf: (stepId: string) => number | undefined): () => void {
  const snapshot = actor.getSnapshot() as { value: unknown; context: WorkflowContext; status: string };
  const handles: unknown[] = [];
  if (snapshot.status !== 'active' || typeof snapshot.value !== 'object' || snapshot.value === null) return () => undefined;
  const regions = (snapshot.value as { running?: Record<string, string> }).running;
  if (!regions) return () => undefined;
  const now = clock.now();
  const arm = (delay: string, stateId: string, dueAt: number): void => {
    handles.push(clock.setTimeout(() => actor.send({ type: `xstate.after.${delay}.${stateId}` }), Math.max(0, dueAt - now)));
  };
  const root = `${definition.id}.running`;
  for (const step of definition.steps) {
    const state = snapshot.context.steps[step.id];
    if (!state) continue;
    if (regions[step.id] === 'retrying' && state.retryDueAt !== undefined) arm(`retry_${step.id}`, `${root}.${step.id}.retrying`, state.retryDueAt);
    const limit = timeoutOf(step.id);
    if (regions[step.id] === 'running' && limit !== undefined && state.attemptStartedAt !== undefined) {
      arm(`timeout_${step.id}`, `${root}.${step.id}.running`, state.attemptStartedAt + limit);
    }
  }
  if (definition.timeoutMs !== undefined) arm('workflow_timeout', root, snapshot.context.startedAt + definition.timeoutMs);
  return () => handles.forEach((handle) => clock.clearTimeout(handle));
}
