import type { WorkflowContext } from '../machines/workflow/WorkflowContext.js';

/**
 * The `wait` steps a run is parked on, read from its (live or persisted) snapshot's context:
 * `approve (signal approve_push)`, or `cool (sleep until 2026-12-03T17:00:00.000Z)`.
 *
 * @example
 * waitingSteps(record.snapshot); // ['approve (signal approve_push)']
 */
export function waitingSteps(snapshot: unknown): string[] {
  const steps = (snapshot as { context?: Partial<WorkflowContext> } | null | undefined)?.context?.steps;
  if (steps === undefined) return [];
  return Object.entries(steps)
    .filter(([, step]) => step.phase === 'waiting')
    .map(([id, step]) => (step.signal !== undefined ? `${id} (signal ${step.signal})` : `${id} (sleep${step.waitDueAt === undefined ? '' : ` until ${new Date(step.waitDueAt).toISOString()}`})`));
}
