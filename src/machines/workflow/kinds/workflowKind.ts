import { WorkflowStepSchema } from '../../../definition/steps/WorkflowStepSchema.js';
import { RuntimeError } from '../../../errors/RuntimeError.js';
import type { StepDefinition } from '../../../definition/WorkflowDefinitionSchema.js';
import type { ToolCallInput } from '../toolActor.js';
import type { WorkflowServices } from '../WorkflowServices.js';
import type { StepKind } from './StepKind.js';

/** Step-level failure of a child run that would nest deeper than the runtime's `maxWorkflowDepth`. */
export const MAX_DEPTH_EXCEEDED = 'MAX_DEPTH_EXCEEDED';

/** What the exploration model would draw for a child run: it completed, or it failed. */
const CHILD_OUTCOMES = ['ok', 'CHILD_FAILED'];

/**
 * `workflow`: runs a registered workflow (`workflow: id`, optional `version`) as a child
 * execution with its own executionId (derived from the parent's, see `childExecutionId`), the
 * parent's correlationId and session, and a causation link to the step. Its call goes through
 * the same rules as a tool call (attempts, retry, timeout, routing); the runtime runs it
 * (`WorkflowServices.runChild`): the child's output is the step's output, and a child that does
 * not complete fails the step with the child's error code. Stopping the call (cancel, timeout,
 * fail-fast) cancels the child, whose tools see the abort.
 */
export const workflowKind: StepKind = {
  key: 'workflow',
  schema: WorkflowStepSchema,
  plan: () => ({ expressions: [] }),
  diagram: (step) => ({ shape: 'box', detail: 'workflow' in step ? `workflow: ${step.workflow}${step.version === undefined ? '' : `@${step.version}`}` : '' }),
  modelOutcomes: () => [...CHILD_OUTCOMES],
  call: (step, call, signal, services) => runChildCall(step, call, signal, services),
};

/**
 * One child run of a step that carries `workflow:` (a `workflow` step, or each item of a `map`
 * over a workflow). Without a runtime (a standalone compile) there is nothing to run it:
 * `INVALID_OPTION`.
 */
export function runChildCall(step: StepDefinition, call: ToolCallInput, signal: AbortSignal, services: WorkflowServices): Promise<unknown> {
  if (!('workflow' in step)) return Promise.reject(new RuntimeError('INVALID_OPTION', `step "${call.stepId}" runs no workflow`));
  if (!services.runChild) {
    return Promise.reject(new RuntimeError('INVALID_OPTION', `step "${call.stepId}" runs workflow "${step.workflow}": workflow steps need a runtime (createRuntime) to run children`));
  }
  return services.runChild({ call, workflowId: step.workflow, ...(step.version === undefined ? {} : { version: step.version }) }, signal);
}

/** Whether a step's calls are child runs: it carries `workflow:` (a `workflow` step, or a `map` over a workflow). */
export function runsChildren(step: StepDefinition): boolean {
  return 'workflow' in step;
}
