import type { AnyActorRef } from 'xstate';
import type { WorkflowDefinition } from '../../definition/WorkflowDefinitionSchema.js';
import type { Clock } from '../Clock.js';
import { pendingDeadlines } from './pendingDeadlines.js';

/**
 * Re-arms the timers of a workflow actor restored from a persisted snapshot. XState v5 does not
 * re-schedule delayed events on restore (a restored retry wait would wait forever), so the
 * runtime sends each pending timer event itself, after the time that is left until its absolute
 * due time in context: a retry wait, an attempt timeout, the workflow timeout. An event that
 * arrives after its call moved on is ignored by the machine.
 *
 * @returns a function that clears the timers it set.
 */
export function rearmTimers(actor: AnyActorRef, definition: WorkflowDefinition, clock: Clock, timeoutOf: (stepId: string) => number | undefined): () => void {
  const now = clock.now();
  const handles = pendingDeadlines(actor.getSnapshot(), definition, timeoutOf).map((d) => clock.setTimeout(() => actor.send(d.event), Math.max(0, d.dueAt - now)));
  return () => handles.forEach((handle) => clock.clearTimeout(handle));
}
