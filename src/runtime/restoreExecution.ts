import type { AnyStateMachine, InspectionEvent, Observer } from 'xstate';
import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import { rearmTimers } from '../machines/workflow/rearmTimers.js';
import type { Clock } from '../machines/Clock.js';
import type { MessageBus } from './MessageBus.js';
import type { RuntimeMetrics } from './RuntimeMetrics.js';
import { createExecutionWriter, type Durability, type ExecutionWriter } from './persistExecution.js';
import { startExecution, type StartOptions, type WorkflowExecution } from './startExecution.js';
import type { ExecutionRecord } from './store/ExecutionStore.js';

/** A validated definition, its compiled machine, and the timeout of each step's attempts. */
export interface PreparedWorkflow {
  definition: WorkflowDefinition;
  machine: AnyStateMachine;
  timeoutOf: (stepId: string) => number | undefined;
  /** Some step has a `compensate`. */
  compensates?: boolean;
}

/** What restoring an execution needs from its runtime. */
export interface RestoreDeps {
  durability: Durability;
  /** The prepared workflow of a stored definition. */
  prepare(definition: unknown): PreparedWorkflow;
  bus: MessageBus;
  clock: Clock;
  env: Record<string, unknown>;
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void) | undefined;
  /** Counts the restored run's step events. */
  metrics?: Pick<RuntimeMetrics, 'observe'>;
  /** Runs after the machine ends and before the result settles (compensations). */
  finalize?: StartOptions['finalize'];
}

/** A restored execution, its journal writer, and the cancel of the timers re-armed for it. */
export interface RestoredExecution {
  execution: WorkflowExecution;
  writer: ExecutionWriter;
  clearTimers: () => void;
}

/**
 * Starts a claimed execution again from its persisted snapshot: the journal goes on after its
 * last entry, and the retry waits and timeouts pending in the snapshot are re-armed with the
 * time left (XState would re-arm them with their full delay, or not at all).
 *
 * @example
 * const { execution, writer, clearTimers } = await restoreExecution(record, deps);
 */
export async function restoreExecution(record: ExecutionRecord, deps: RestoreDeps): Promise<RestoredExecution> {
  const { definition, machine, timeoutOf } = deps.prepare(record.definition);
  const [journal, storedDeadlines] = await Promise.all([deps.durability.store.journal(record.executionId), deps.durability.store.deadlines(record.executionId)]);
  const machineInput = {
    executionId: record.executionId,
    correlationId: record.correlationId,
    sessionId: record.sessionId,
    input: record.input,
    env: deps.env,
    startedAt: record.createdAt,
  };
  const writer = createExecutionWriter(deps.durability, definition, machineInput, { fresh: false, seqStart: journal.at(-1)?.seq ?? 0, timeoutOf, storedDeadlines });
  const execution = startExecution({
    machine,
    definition,
    bus: deps.bus,
    clock: deps.clock,
    inspect: deps.inspect,
    machineInput,
    // As for a fresh run: compensations start once the run's end is committed.
    ...(deps.finalize ? { finalize: (...args: Parameters<NonNullable<StartOptions['finalize']>>) => writer.flushed().then(() => (deps.finalize as NonNullable<StartOptions['finalize']>)(...args)) } : {}),
    completedBefore: journal.filter((entry) => entry.kind === 'step.completed').map((entry) => entry.stepId),
    ...(record.snapshot === null || record.snapshot === undefined ? {} : { snapshot: record.snapshot }),
    beforeStart: (actor) => {
      deps.metrics?.observe(actor, definition.id);
      writer.attach(actor);
    },
  });
  return { execution, writer, clearTimers: rearmTimers(execution.actor, definition, deps.clock, timeoutOf) };
}
