import type { ErrorInfo } from '../errors/ErrorInfo.js';
import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import { childExecutionId } from '../machines/workflow/ChildRunRequest.js';
import { stepEntries } from '../machines/workflow/StepTable.js';
import type { ItemsState, StepState, WorkflowContext, WorkflowStatus } from '../machines/workflow/WorkflowContext.js';

/** A map step's item counts: `total = completed + failed + cancelled`; `attempts` summed over items. */
export type ItemCounts = Pick<ItemsState, 'total' | 'completed' | 'failed' | 'cancelled' | 'attempts'>;

/** Outcome of one step: the machine's step state without its internal bookkeeping. */
export type StepResult = Pick<StepState, 'status' | 'attempts' | 'output' | 'error' | 'startedAt' | 'finishedAt' | 'routedTo' | 'skipReason'> & {
  /** A map step's items. */
  items?: ItemCounts;
  /** A `workflow` step's child execution (of its last attempt). */
  childExecutionId?: string;
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
  /**
   * After a failure, timeout or cancel: the compensations that ran, by the id of the step each
   * undoes, in the order they ran (reverse completion order). Absent when none ran.
   */
  compensations?: Record<string, StepResult>;
}

/**
 * Reads the result out of a finished workflow machine's context; with the definition, a
 * `workflow` step's result names its child execution (its id is derived, see `childExecutionId`).
 */
export function toWorkflowResult(context: WorkflowContext, status: WorkflowStatus, definition?: WorkflowDefinition): WorkflowResult {
  const steps: Record<string, StepResult> = {};
  for (const [id, step] of stepEntries(context.steps)) steps[id] = stepResult(step);
  if (definition) {
    for (const step of definition.steps) {
      const result = steps[step.id];
      if ('workflow' in step && result && result.attempts > 0) result.childExecutionId = childExecutionId({ executionId: context.executionId, stepId: step.id, attempt: result.attempts });
    }
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
