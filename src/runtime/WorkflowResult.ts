import type { ErrorInfo } from '../errors/ErrorInfo.js';
import type { StepState, WorkflowContext, WorkflowStatus } from '../machines/WorkflowContext.js';

/** Outcome of one step: the machine's step state without its internal bookkeeping. */
export type StepResult = Pick<StepState, 'status' | 'attempts' | 'output' | 'error' | 'startedAt' | 'finishedAt' | 'routedTo' | 'skipReason'>;

/** Outcome of one execution. */
export interface WorkflowResult {
  workflowId: string;
  version: string;
  executionId: string;
  correlationId: string;
  sessionId: string;
  status: WorkflowStatus;
  durationMs: number;
  steps: Record<string, StepResult>;
  output: unknown;
  error?: ErrorInfo & { stepId?: string };
}

/** Reads the result out of a finished workflow machine's context. */
export function toWorkflowResult(context: WorkflowContext, status: WorkflowStatus): WorkflowResult {
  const steps: Record<string, StepResult> = {};
  for (const [id, state] of Object.entries(context.steps)) {
    // Internal bookkeeping stays in the machine; a completed step keeps no error of an earlier attempt.
    const { patchedInput: _patch, retryDelayMs: _delay, retryDueAt: _due, attemptStartedAt: _attempt, error, ...step } = state;
    steps[id] = error !== undefined && state.status !== 'completed' ? { ...step, error } : step;
  }
  const result: WorkflowResult = {
    workflowId: context.workflowId,
    version: context.version,
    executionId: context.executionId,
    correlationId: context.correlationId,
    sessionId: context.sessionId,
    status,
    durationMs: Math.max(0, (context.finishedAt ?? context.startedAt) - context.startedAt),
    steps,
    output: status === 'completed' ? (context.output ?? null) : null,
  };
  if (status !== 'completed' && context.error) {
    result.error = context.failedStep === undefined ? context.error : { ...context.error, stepId: context.failedStep };
  }
  return result;
}
