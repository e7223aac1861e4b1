import { fromPromise } from 'xstate';
import { createToolContext } from '../actors/createToolContext.js';
import { ErrorType } from '../errors/ErrorInfo.js';
import { ToolError } from '../errors/ToolError.js';
import type { StepPlan } from './StepPlan.js';
import type { WorkflowContext } from './WorkflowContext.js';
import type { WorkflowServices } from './WorkflowServices.js';

/** Input of a step's tool actor: which step, and the workflow context at its start. */
export interface StepActorInput {
  stepId: string;
  context: WorkflowContext;
}

/**
 * The tool actor of a step: resolves the step's wiring, then calls the tool through the
 * runtime's policy path. Its `signal` aborts when the step's `running` state is left
 * (timeout, cancel, fail-fast), so the tool sees the abort.
 */
export function createStepActor(plans: ReadonlyMap<string, StepPlan>, services: WorkflowServices) {
  return fromPromise<unknown, StepActorInput>(async ({ input, signal }) => {
    const { stepId, context } = input;
    const plan = plans.get(stepId) as StepPlan;
    const state = context.steps[stepId];
    let toolInput: unknown;
    try {
      toolInput =
        state?.patchedInput ??
        plan.input.evaluate({
          input: context.input,
          steps: context.steps,
          env: context.env,
          context: plan.readsContext ? services.sessionData(context.sessionId) : {},
        });
    } catch (error) {
      throw new ToolError({
        code: 'EXPRESSION_FAILED',
        type: ErrorType.expression,
        retryable: false,
        tool: plan.tool.name,
        message: error instanceof Error ? error.message : String(error),
        cause: error,
      });
    }
    const meta = {
      executionId: context.executionId,
      correlationId: context.correlationId,
      sessionId: context.sessionId,
      stepId,
      tool: plan.tool.name,
      attempt: state?.attempts ?? 1,
    };
    return services.callTool(plan.tool, toolInput, createToolContext(meta, signal, services));
  });
}
