import type { ErrorInfo } from '../errors/ErrorInfo.js';
import type { StepStatus, WorkflowContext, WorkflowStatus } from '../machines/WorkflowContext.js';

/** Outcome of one step. */
export interface StepResult {
  status: StepStatus;
  attempts: number;
  output?: unknown;
  error?: ErrorInfo;
  startedAt?: number;
  finishedAt?: number;
  routedTo?: string[];
  skipReason?: 'condition' | 'dependency';
}

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
  for (const [id, s] of Object.entries(context.steps)) {
    const step: StepResult = { status: s.status, attempts: s.attempts };
    if (s.output !== undefined) step.output = s.output;
    if (s.error !== undefined && s.status !== 'completed') step.error = s.error;
    if (s.startedAt !== undefined) step.startedAt = s.startedAt;
    if (s.finishedAt !== undefined) step.finishedAt = s.finishedAt;
    if (s.routedTo !== undefined) step.routedTo = s.routedTo;
    if (s.skipReason !== undefined) step.skipReason = s.skipReason;
    steps[id] = step;
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
