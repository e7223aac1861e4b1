import type { ErrorInfo } from '../errors/ErrorInfo.js';
import { stepEntries } from '../machines/workflow/StepTable.js';
import type { ItemsState, StepState, WorkflowContext, WorkflowStatus } from '../machines/workflow/WorkflowContext.js';

/** A map step's item counts: `total = completed + failed + cancelled`; `attempts` summed over items. */
export type ItemCounts = Pick<ItemsState, 'total' | 'completed' | 'failed' | 'cancelled' | 'attempts'>;

/** Outcome of one step: the machine's step state without its internal bookkeeping. */
export type StepResult = Pick<StepState, 'status' | 'attempts' | 'output' | 'error' | 'startedAt' | 'finishedAt' | 'routedTo' | 'skipReason'> & {
  /** A map step's items. */
  items?: ItemCounts;
};

/**
 * Outcome of one execution. `TOutput` is the type of the definition's `output` as the caller
 * declares it (`runtime.executeWorkflow<{ image: string }>(definition)`); it is `null` unless the
 * run completed. The type is not checked at run time: parse `output` with a zod schema when the
 * definition comes from outside the program.
 */
export interface WorkflowResult<TOutput = unknown> {
  workflowId: string;
  version: string;
  executionId: string;
  correlationId: string;
  sessionId: string;
  status: WorkflowStatus;
  durationMs: number;
  steps: Record<string, StepResult>;
  output: TOutput | null;
  error?: ErrorInfo & { stepId?: string };
}

/** Reads the result out of a finished workflow machine's context. */
export function toWorkflowResult(context: WorkflowContext, status: WorkflowStatus): WorkflowResult {
  const steps: Record<string, StepResult> = {};
  for (const [id, step] of stepEntries(context.steps)) steps[id] = stepResult(step);
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

/**
 * What a caller sees of a step: internal bookkeeping (phase, pending retry, patched input) stays
 * in the machine, and a completed step keeps no error of an earlier attempt. Spelled out field by
 * field: object rest with excluded keys is a slow path in V8, and this runs per step of every run.
 */
function stepResult(state: StepState): StepResult {
  const step: StepResult = { status: state.status, attempts: state.attempts };
  if (state.output !== undefined) step.output = state.output;
  if (state.error !== undefined && state.status !== 'completed') step.error = state.error;
  if (state.startedAt !== undefined) step.startedAt = state.startedAt;
  if (state.finishedAt !== undefined) step.finishedAt = state.finishedAt;
  if (state.routedTo !== undefined) step.routedTo = state.routedTo;
  if (state.skipReason !== undefined) step.skipReason = state.skipReason;
  const items = state.items;
  if (items !== undefined) step.items = { total: items.total, completed: items.completed, failed: items.failed, cancelled: items.cancelled, attempts: items.attempts };
  return step;
}
