import type { ExpressionScope } from '../../definition/Expression.js';
import type { StepPlan } from './StepPlan.js';
import type { CallState, WorkflowContext } from './WorkflowContext.js';
import type { WorkflowServices } from './WorkflowServices.js';

/** The scope of a step's expressions; a map item adds its item (under `map.as`) and `index`. */
export function stepScope(plan: StepPlan, context: WorkflowContext, services: WorkflowServices, index?: number): ExpressionScope {
  const scope: ExpressionScope = {
    input: context.input,
    steps: context.steps,
    env: context.env,
    context: plan.readsContext ? services.sessionData(context.sessionId) : {},
  };
  if (index !== undefined && plan.fanOut) {
    scope[plan.fanOut.as] = context.steps[plan.id]?.items?.values[index];
    scope.index = index;
  }
  return scope;
}

/**
 * The input a call's tool gets: a remediation's patch when one was applied, else the step's
 * wiring evaluated against the current context (and the item, for a map). Deterministic for a
 * given context, so routing sees the same input the failed call had.
 *
 * @throws ExpressionError when the wiring fails to evaluate.
 */
export function resolveStepInput(plan: StepPlan, context: WorkflowContext, services: WorkflowServices, call?: CallState, index?: number): unknown {
  return call?.patchedInput ?? plan.input.evaluate(stepScope(plan, context, services, index));
}
