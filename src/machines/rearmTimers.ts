import type { AnyActorRef } from 'xstate';
import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import type { Clock } from '../runtime/Clock.js';
import { pendingDeadlines } from './pendingDeadlines.js';

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
  const now = clock.now();
  const handles = pendingDeadlines(actor.getSnapshot(), definition, timeoutOf).map((d) =>
    clock.setTimeout(() => actor.send({ type: `xstate.after.${d.delay}.${d.stateId}` }), Math.max(0, d.dueAt - now)),
  );
  return () => handles.forEach((handle) => clock.clearTimeout(handle));
}
