import type { ErrorInfo } from '../../errors/ErrorInfo.js';
import type { StepPlan } from './StepPlan.js';
import type { WorkflowContext } from './WorkflowContext.js';

/** What a waiting step does next. */
export type Release = 'wait' | 'skipDependency' | 'failCondition' | 'skipCondition' | 'start';

const SETTLED = new Set(['completed', 'failed', 'skipped', 'cancelled']);

/**
 * Decides a waiting step's fate from its dependencies and its `when` condition: it starts when
 * every dependency completed (or was skipped, for `skipIfDependencySkipped: false`), is skipped
 * when one did not, and its condition is evaluated only once it is released.
 */
export function decideRelease(
  context: WorkflowContext,
  plan: StepPlan,
  evaluateWhen: (context: WorkflowContext, stepId: string) => boolean | ErrorInfo,
): Release {
  let ready = true;
  for (const dep of plan.dependsOn) {
    const status = context.steps[dep]?.status;
    if (status === 'completed') continue;
    if (status === 'skipped' && !plan.step.skipIfDependencySkipped) continue;
    if (status !== undefined && SETTLED.has(status)) return 'skipDependency';
    ready = false;
  }
  if (!ready) return 'wait';
  const condition = evaluateWhen(context, plan.id);
  if (typeof condition === 'object') return 'failCondition';
  return condition ? 'start' : 'skipCondition';
}
