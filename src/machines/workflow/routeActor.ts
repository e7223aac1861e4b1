import { fromPromise } from 'xstate';
import type { ErrorInfo } from '../../errors/ErrorInfo.js';
import type { RouteRequestInput } from '../supervisor/RouteRequest.js';
import { stepRoutingRule } from '../supervisor/FailureRoutingRule.js';
import type { RouteDecision } from '../supervisor/RouteDecision.js';
import { resolveStepInput } from './resolveStepInput.js';
import type { StepPlan } from './StepPlan.js';
import type { WorkflowContext } from './WorkflowContext.js';
import type { WorkflowServices } from './WorkflowServices.js';

/** Input of a route actor: the failed call as the supervisor sees it. JSON, like every actor input. */
export type RouteCallInput = RouteRequestInput;

/** The failed call as routing sees it (the input re-evaluated: it is deterministic per context). */
export function routingRequest(plan: StepPlan, context: WorkflowContext, error: ErrorInfo, services: WorkflowServices): RouteCallInput {
  const call = context.steps[plan.id];
  let input: unknown;
  try {
    input = resolveStepInput(plan, context, services, call);
  } catch {
    input = undefined;
  }
  const onError = plan.step.onError;
  return {
    tool: plan.toolName,
    error,
    attempt: call?.attempts ?? 0,
    input,
    context: services.sessionData(context.sessionId),
    executionId: context.executionId,
    correlationId: context.correlationId,
    sessionId: context.sessionId,
    stepId: plan.id,
    stepRules: typeof onError === 'object' ? [stepRoutingRule(plan.toolName, onError.route)] : [],
  };
}

/**
 * The route actor of a failed call: asks the supervisor and resolves with its decision. Stopping
 * it (cancel, workflow timeout, fail-fast) aborts the remediation.
 */
export function createRouteActor(services: WorkflowServices) {
  return fromPromise<RouteDecision, RouteCallInput>(({ input, signal }) => services.route(input, signal));
}
