import { fromPromise } from 'xstate';
import { stepRoutingRule, type FailureRoutingRule } from '../runtime/routing/FailureRoutingRule.js';
import type { RouteDecision } from '../runtime/routing/RouteDecision.js';
import type { ErrorInfo } from '../errors/ErrorInfo.js';
import { resolveStepInput } from './resolveStepInput.js';
import type { StepPlan } from './StepPlan.js';
import type { WorkflowContext } from './WorkflowContext.js';
import type { WorkflowServices } from './WorkflowServices.js';

/** The step's own routing rule, from `onError: { route: tool }`. */
export function stepRules(plan: StepPlan): FailureRoutingRule[] {
  const onError = plan.step.onError;
  return typeof onError === 'object' ? [stepRoutingRule(plan.tool.name, onError.route)] : [];
}

/** The failed call as routing sees it (the input re-evaluated: it is deterministic per context). */
export function routingFailure(plan: StepPlan, context: WorkflowContext, error: ErrorInfo, services: WorkflowServices) {
  let input: unknown;
  try {
    input = resolveStepInput(plan, context, services);
  } catch {
    input = undefined;
  }
  return {
    tool: plan.tool.name,
    error,
    attempt: context.steps[plan.id]?.attempts ?? 0,
    input,
    context: services.sessionData(context.sessionId),
  };
}

/**
 * The actor of a step's `routing` state: sends the recorded failure to the supervisor and
 * resolves with its decision. Leaving the state (cancel, timeout) aborts the remediation.
 */
export function createRouteActor(plans: ReadonlyMap<string, StepPlan>, services: WorkflowServices) {
  return fromPromise<RouteDecision, { stepId: string; context: WorkflowContext }>(({ input, signal }) => {
    const { stepId, context } = input;
    const plan = plans.get(stepId) as StepPlan;
    const error = context.steps[stepId]?.error as ErrorInfo;
    return services.route(
      {
        ...routingFailure(plan, context, error, services),
        executionId: context.executionId,
        correlationId: context.correlationId,
        sessionId: context.sessionId,
        stepId,
        stepRules: stepRules(plan),
      },
      signal,
    );
  });
}
