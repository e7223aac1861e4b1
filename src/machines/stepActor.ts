import { fromPromise } from 'xstate';
import { createToolContext } from '../actors/createToolContext.js';
import { ErrorType } from '../errors/ErrorInfo.js';
import { isToolError, ToolError } from '../errors/ToolError.js';
import { resolveStepInput } from './resolveStepInput.js';
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
      toolInput = resolveStepInput(plan, context, services);
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
    try {
      return await services.callTool(plan.tool, toolInput, createToolContext(meta, signal, services));
    } catch (error) {
      throw isToolError(error) && error.code === 'TOOL_CRASHED' ? applyRestartStrategy(error, services) : error;
    }
  });
}

/**
 * A crash (a throw that is not a `ToolError`) goes to the tool's restart strategy (OTP style):
 * `restart` makes it retryable after the strategy's backoff, even without a retry policy;
 * `stop` and `escalate` make it final, and the error policy or routing takes over.
 */
function applyRestartStrategy(error: ToolError, services: WorkflowServices): ToolError {
  const decision = services.onCrash(error.tool ?? '');
  const restart = decision.action === 'restart';
  return new ToolError({
    code: error.code,
    type: error.type,
    message: restart ? error.message : `${error.message} (restart strategy: ${decision.action}${'reason' in decision ? `, ${decision.reason}` : ''})`,
    retryable: restart,
    ...(error.tool === undefined ? {} : { tool: error.tool }),
    details: restart ? { restart: true, restartDelayMs: decision.delayMs } : { restart: decision.action },
    cause: error.cause,
  });
}
