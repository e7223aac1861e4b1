import { createActor, type AnyActorRef, type AnyStateMachine, type InspectionEvent, type Observer } from 'xstate';
import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import { ErrorType } from '../errors/ErrorInfo.js';
import type { WorkflowContext, WorkflowEmitted, WorkflowMachineInput, WorkflowStatus } from '../machines/workflow/WorkflowContext.js';
import type { Clock } from '../machines/Clock.js';
import type { BusMessageInput } from './BusMessage.js';
import type { MessageBus } from './MessageBus.js';
import { toWorkflowResult, type WorkflowResult } from './WorkflowResult.js';

/** A running execution. */
export interface WorkflowExecution<TOutput = unknown> {
  readonly executionId: string;
  readonly correlationId: string;
  readonly sessionId: string;
  readonly workflowId: string;
  readonly definition: WorkflowDefinition;
  /** The workflow's XState actor (snapshot, inspection, persistence). */
  readonly actor: AnyActorRef;
  /** Settles when the run ends; never rejects for a failed run. */
  readonly result: Promise<WorkflowResult<TOutput>>;
  cancel(reason?: string): void;
  /** The id of the last bus message of a step of this run (the causation of a child run it starts). */
  stepMessageId?(stepId: string): string | undefined;
}

/** Options of {@link startExecution}. */
export interface StartOptions {
  machine: AnyStateMachine;
  definition: WorkflowDefinition;
  machineInput: WorkflowMachineInput;
  bus: MessageBus;
  clock: Clock;
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void) | undefined;
  signal?: AbortSignal | undefined;
  /** Restores a persisted snapshot instead of starting fresh. */
  snapshot?: unknown;
  /** Runs after the actor is created and before it starts (to observe its first events). */
  beforeStart?: ((actor: AnyActorRef) => void) | undefined;
  /** Holds the start until it resolves (a durable run's record commits first); a rejection never starts the actor. */
  startAfter?: Promise<unknown> | undefined;
  /** The bus message that caused this run (a child run: its parent step's), as `execution.started`'s causation. */
  causationId?: string | undefined;
  /** Runs after the machine ends and before the result settles (compensations); its result is the run's. */
  finalize?: ((result: WorkflowResult, context: WorkflowContext, definition: WorkflowDefinition, completed: readonly string[]) => Promise<WorkflowResult>) | undefined;
  /** With `finalize`: the steps that completed before this start (a restored run's journal), in order. */
  completedBefore?: readonly string[] | undefined;
}

/** The runtime builds these envelopes itself (ids, strings, JSON payloads): no schema check. */
const TRUSTED = { validate: false } as const;

const FINAL = new Set<string>(['completed', 'failed', 'cancelled', 'timed_out']);

/**
 * Starts one workflow actor, forwards what it emits to the bus with correlation and causation,
 * and turns its end into a `WorkflowResult`.
 */
export function startExecution(options: StartOptions): WorkflowExecution {
  const { machine, definition, machineInput, bus } = options;
  const { executionId, correlationId, sessionId } = machineInput;
  const actor = createActor(machine, {
    id: executionId,
    input: machineInput,
    clock: options.clock,
    ...(options.snapshot === undefined ? {} : { snapshot: options.snapshot as never }),
    ...(options.inspect ? { inspect: options.inspect } : {}),
  });

  const publish = (type: string, payload: unknown, causationId: string | undefined, stepId?: string): string => {
    const message: BusMessageInput = { type, topic: type, correlationId, sessionId, executionId, payload };
    if (causationId !== undefined) message.causationId = causationId;
    if (stepId !== undefined) message.stepId = stepId;
    return bus.publish(message, TRUSTED).id;
  };

  const parent = machineInput.parent;
  const startedPayload = { workflowId: definition.id, version: definition.version, input: machineInput.input, ...(parent ? { parent, depth: machineInput.depth } : {}) };
  const started = publish('execution.started', startedPayload, options.causationId);
  let last = started;
  const stepCause = new Map<string, string>();
  // The order steps completed in, for compensations (kept only when there is a finalize).
  const completed = options.finalize ? [...(options.completedBefore ?? [])] : [];
  actor.on('*', (event: WorkflowEmitted) => {
    const cause = stepCause.get(event.stepId) ?? started;
    last = publish(event.type, payloadOf(event), cause, event.stepId);
    stepCause.set(event.stepId, last);
    if (options.finalize && event.type === 'step.completed') completed.push(event.stepId);
  });

  const result = new Promise<WorkflowResult>((resolve) => {
    const finish = (): void => {
      const snapshot = actor.getSnapshot() as { value: unknown; context: WorkflowContext; status: string; error?: unknown };
      // A stopped (not finished) actor is a suspended durable run: it has no result here.
      if (snapshot.status === 'stopped') return;
      const status = (typeof snapshot.value === 'string' && FINAL.has(snapshot.value) ? snapshot.value : 'failed') as WorkflowStatus;
      const outcome = toWorkflowResult(snapshot.context, status, definition);
      if (snapshot.status === 'error') {
        outcome.error = { type: ErrorType.crash, code: 'MACHINE_ERROR', message: String((snapshot.error as Error | undefined)?.message ?? snapshot.error) };
      }
      options.signal?.removeEventListener('abort', onAbort);
      const settle = (final: WorkflowResult): void => {
        publish('execution.finished', { status: final.status, durationMs: final.durationMs, error: final.error ?? null }, last);
        resolve(final);
      };
      if (options.finalize) void options.finalize(outcome, snapshot.context, definition, completed).then(settle, () => settle(outcome));
      else settle(outcome);
    };
    actor.subscribe({ complete: finish, error: finish });
  });

  const cancel = (reason?: string): void => {
    if (actor.getSnapshot().status === 'active') actor.send({ type: 'CANCEL', ...(reason === undefined ? {} : { reason }) });
  };
  const onAbort = (): void => cancel(abortReason(options.signal));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  options.beforeStart?.(actor);
  const start = (): void => {
    actor.start();
    if (options.signal?.aborted) onAbort();
  };
  if (options.startAfter) void options.startAfter.then(start, () => options.signal?.removeEventListener('abort', onAbort));
  else start();

  const stepMessageId = (stepId: string): string | undefined => stepCause.get(stepId);
  return { executionId, correlationId, sessionId, workflowId: definition.id, definition, actor, result, cancel, stepMessageId };
}

function abortReason(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'the caller aborted the execution';
}

/** An emitted event's fields but its type and step (the envelope carries those). */
function payloadOf(event: WorkflowEmitted): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  for (const key in event) if (key !== 'type' && key !== 'stepId') payload[key] = event[key as keyof WorkflowEmitted];
  return payload;
}
