import type { ErrorInfo } from '../errors/ErrorInfo.js';
import type { ItemsState, StepState, WorkflowContext, WorkflowStatus } from '../machines/workflow/WorkflowContext.js';

/** A map step's item counts: `total = completed + failed + cancelled`; `attempts` summed over items. */
export type ItemCounts = Pick<ItemsState, 'total' | 'completed' | 'failed' | 'cancelled' | 'attempts'>;

/** Outcome of one step: the machine's step state without its internal bookkeeping. */
export type StepResult = Pick<StepState, 'status' | 'attempts' | 'output' | 'error' | 'startedAt' | 'finishedAt' | 'routedTo' | 'skipReason'> & {
  /** A map step's items. */
  items?: ItemCounts;
};

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
    const { patchedInput: _patch, retryDelayMs: _delay, retryDueAt: _due, attemptStartedAt: _attempt, phase: _phase, items, error, ...rest } = state;
    const step: StepResult = items ? { ...rest, items: { total: items.total, completed: items.completed, failed: items.failed, cancelled: items.cancelled, attempts: items.attempts } } : rest;
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
