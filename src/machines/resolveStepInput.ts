import type { StepPlan } from './StepPlan.js';
import type { WorkflowContext } from './WorkflowContext.js';
import type { WorkflowServices } from './WorkflowServices.js';

/**
 * The input a step's tool gets: a remediation's patch when one was applied, else the step's
 * wiring evaluated against the current context. Deterministic for a given context, so routing
 * sees the same input the failed call had.
 *
 * @throws ExpressionError when the wiring fails to evaluate.
 */
export function resolveStepInput(plan: StepPlan, context: WorkflowContext, services: WorkflowServices): unknown {
  return (
    context.steps[plan.id]?.patchedInput ??
    plan.input.evaluate({
      input: context.input,
      steps: context.steps,
      env: context.env,
      context: plan.readsContext ? services.sessionData(context.sessionId) : {},
    })
  );
}
