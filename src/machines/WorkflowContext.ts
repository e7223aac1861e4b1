import type { ErrorInfo } from '../errors/ErrorInfo.js';

/** Lifecycle of a step, as reported in `StepResult.status`. */
export const StepStatus = {
  pending: 'pending',
  running: 'running',
  completed: 'completed',
  failed: 'failed',
  skipped: 'skipped',
  cancelled: 'cancelled',
} as const;
export type StepStatus = (typeof StepStatus)[keyof typeof StepStatus];

/** Terminal status of an execution. */
export const WorkflowStatus = {
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
  timedOut: 'timed_out',
} as const;
export type WorkflowStatus = (typeof WorkflowStatus)[keyof typeof WorkflowStatus];

/** What the machine knows about one step. JSON only, so a persisted snapshot restores it. */
export interface StepState {
  status: StepStatus;
  attempts: number;
  output?: unknown;
  error?: ErrorInfo;
  startedAt?: number;
  finishedAt?: number;
  /** Remediation tools the supervisor routed this step's failures to. */
  routedTo?: string[];
  /** Input that replaces the step's wiring on its next attempt (set by a remediation). */
  patchedInput?: Record<string, unknown>;
  /** Delay of the pending retry, drawn once so a restored snapshot waits the same. */
  retryDelayMs?: number;
  /** Absolute time the pending retry is due (the runtime's clock); a resumed run waits only what is left. */
  retryDueAt?: number;
  /** When the current attempt started; its timeout is due `timeoutMs` later, also after a resume. */
  attemptStartedAt?: number;
  skipReason?: 'condition' | 'dependency';
}

/** Input of a compiled workflow machine. */
export interface WorkflowMachineInput {
  executionId: string;
  correlationId: string;
  sessionId: string;
  input: unknown;
  env?: Record<string, unknown>;
  startedAt?: number;
}

/** Context of a compiled workflow machine. JSON only. */
export interface WorkflowContext {
  workflowId: string;
  version: string;
  executionId: string;
  correlationId: string;
  sessionId: string;
  input: unknown;
  env: Record<string, unknown>;
  steps: Record<string, StepState>;
  /** Steps whose dependencies are done, waiting for a concurrency slot, in release order. */
  queue: string[];
  running: number;
  /** Failures that count against the error policy (not `onError: continue`). */
  failures: number;
  startedAt: number;
  finishedAt?: number;
  output?: unknown;
  error?: ErrorInfo;
  /** The step whose failure failed the workflow. */
  failedStep?: string;
}

/** Events a workflow machine accepts from outside. */
export type WorkflowEvent = { type: 'CANCEL'; reason?: string };

/** Events a workflow machine emits (forwarded to the bus by the runtime). */
export type WorkflowEmitted =
  | { type: 'step.started'; stepId: string; tool: string; attempt: number }
  | { type: 'step.retrying'; stepId: string; tool: string; attempt: number; delayMs: number; error: ErrorInfo }
  | { type: 'step.completed'; stepId: string; tool: string; attempt: number }
  | { type: 'step.failed'; stepId: string; tool: string; attempt: number; error: ErrorInfo }
  | { type: 'step.skipped'; stepId: string; tool: string; reason: 'condition' | 'dependency' };
