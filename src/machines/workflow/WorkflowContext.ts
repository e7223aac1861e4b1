import type { ErrorInfo } from '../../errors/ErrorInfo.js';
import type { ItemTable } from './ItemTable.js';

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

/**
 * Where a call (a tool step's call, or one map item's) stands while its step is not finished:
 * `queued` for a concurrency slot, `running` an attempt, `retrying` (waiting for the next
 * attempt), `routing` (the supervisor decides), `waiting` (a `wait` step parked for its signal or
 * its duration; no tool actor). Kept in context, so Inspector and a persisted
 * snapshot show it.
 */
export type CallPhase = 'queued' | 'running' | 'retrying' | 'routing' | 'waiting';

/** One call's bookkeeping: its attempts and pending timers. JSON only. */
export interface CallState {
  attempts: number;
  phase?: CallPhase;
  error?: ErrorInfo;
  /** Remediation tools the supervisor routed this call's failures to. */
  routedTo?: string[];
  /** Input that replaces the call's wiring on its next attempt (set by a remediation). */
  patchedInput?: Record<string, unknown>;
  /** Delay of the pending retry, drawn once so a restored snapshot waits the same. */
  retryDelayMs?: number;
  /** Absolute time the pending retry is due (the runtime's clock); a resumed run waits only what is left. */
  retryDueAt?: number;
  /** When the current attempt started; its timeout is due `timeoutMs` later, also after a resume. */
  attemptStartedAt?: number;
}

/** A map step's items: counts, outputs in item order, and the calls still in flight by index. */
export interface ItemsState {
  total: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** Attempts summed over items. */
  attempts: number;
  /** Items started so far (the next item to start has this index). */
  started: number;
  running: number;
  values: unknown[];
  /** Outputs by item index (a failed item's is `null`). */
  outputs: ItemTable<unknown>;
  /** The calls in flight by item index. */
  calls: ItemTable<CallState>;
}

/** What the machine knows about one step. JSON only, so a persisted snapshot restores it. */
export interface StepState extends CallState {
  status: StepStatus;
  output?: unknown;
  startedAt?: number;
  finishedAt?: number;
  skipReason?: 'condition' | 'dependency';
  /** A map step's items. */
  items?: ItemsState;
  /** A parked `wait` step: the signal it waits for (absent for a durable sleep). */
  signal?: string;
  /** A parked `wait` step: when its sleep ends or its signal times out (the runtime's clock), also after a resume. */
  waitDueAt?: number;
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
  /** Steps not finished yet; the run settles when none is left. */
  open: number;
  /** Failures that count against the error policy (not `onError: continue`). */
  failures: number;
  startedAt: number;
  finishedAt?: number;
  output?: unknown;
  error?: ErrorInfo;
  /** The step whose failure failed the workflow. */
  failedStep?: string;
  /** A failure went past the error policy: the run leaves `running` for `failed`. */
  aborted?: boolean;
  /** Signals that came before their wait step waited: payloads by signal name, oldest first. */
  signals?: Record<string, unknown[]>;
}

/** Events a workflow machine accepts from outside. */
export type WorkflowEvent = { type: 'CANCEL'; reason?: string } | WorkflowSignalEvent;

/** A signal for the run's `wait` steps (`runtime.signal`): completes the step waiting for `name`, or is kept until one does. */
export interface WorkflowSignalEvent {
  type: 'workflow.signal';
  name: string;
  payload: unknown;
}

/** Timer events a workflow machine schedules for itself (and the runtime re-arms after a restore). */
export type WorkflowTimerEvent =
  | { type: 'step.retry'; stepId: string; index?: number }
  | { type: 'step.timeout'; stepId: string; index?: number; attempt: number }
  | { type: 'step.wake'; stepId: string };

/**
 * Events a workflow machine emits (forwarded to the bus by the runtime). `step.*` follow a step;
 * `item.*` follow one item's call of a map step, with its 0-based `index`.
 */
export type WorkflowEmitted =
  | { type: 'step.started'; stepId: string; tool: string; attempt: number }
  | { type: 'step.retrying'; stepId: string; tool: string; attempt: number; delayMs: number; error: ErrorInfo }
  | { type: 'step.completed'; stepId: string; tool: string; attempt: number }
  | { type: 'step.failed'; stepId: string; tool: string; attempt: number; error: ErrorInfo }
  | { type: 'step.skipped'; stepId: string; tool: string; reason: 'condition' | 'dependency' }
  | { type: 'step.signalled'; stepId: string; tool: string; name: string; buffered: boolean }
  | { type: 'item.started'; stepId: string; tool: string; index: number; attempt: number }
  | { type: 'item.retrying'; stepId: string; tool: string; index: number; attempt: number; delayMs: number; error: ErrorInfo }
  | { type: 'item.completed'; stepId: string; tool: string; index: number; attempt: number }
  | { type: 'item.failed'; stepId: string; tool: string; index: number; attempt: number; error: ErrorInfo };
