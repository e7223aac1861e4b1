import type { Logger } from 'pino';
import type { AnyActorRef } from 'xstate';
import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import type { WorkflowContext, WorkflowEmitted, WorkflowMachineInput } from '../machines/workflow/WorkflowContext.js';
import { callId } from '../machines/workflow/workflowIds.js';
import { pendingDeadlines } from '../machines/workflow/pendingDeadlines.js';
import type { Deadline, DeadlineKey, ExecutionStore, JournalEntryInput, RecordStepOptions } from './store/ExecutionStore.js';
import type { WorkflowResult } from './WorkflowResult.js';

/** Where and as whom durable executions are written. */
export interface Durability {
  store: ExecutionStore;
  /** This runtime's id, the owner of the leases it holds. */
  owner: string;
  leaseMs: number;
  now(): number;
  logger: Logger;
}

/** The writer of one execution: attach before the actor starts, finish when it ends. */
export interface ExecutionWriter {
  attach(actor: AnyActorRef): void;
  finish(result: WorkflowResult): Promise<void>;
  /** Settles when every write queued so far is done. */
  flushed(): Promise<void>;
}

/** How an execution writer starts. */
export interface WriterOptions {
  /** A new execution: the writer creates its record first. */
  fresh: boolean;
  /** The last journal seq already stored (0 for a new execution). */
  seqStart: number;
  /** The timeout of a step's attempts, to record its deadline. */
  timeoutOf: (stepId: string) => number | undefined;
  /** The deadlines already stored (a resumed execution), so the writer clears those that passed. */
  storedDeadlines?: readonly Deadline[];
}

/**
 * Journals an execution: the record when it starts (fresh runs), then its step events with the
 * persisted snapshot taken after them (journal entries, snapshot and the changed pending deadlines
 * in one transaction), and the result when it ends. Writes of one execution are applied in order and grouped while one is in
 * flight; a failed write is logged and the next one goes on, so the last snapshot always wins.
 */
export function createExecutionWriter(
  durability: Durability,
  definition: WorkflowDefinition,
  machineInput: WorkflowMachineInput,
  options: WriterOptions,
): ExecutionWriter {
  const { store, owner } = durability;
  const { executionId } = machineInput;
  let seq = options.seqStart;
  let chain: Promise<unknown> = Promise.resolve();
  let pending: JournalEntryInput[] = [];
  let actorRef: AnyActorRef | undefined;

  const enqueue = (what: string, write: () => Promise<unknown>): void => {
    chain = chain.then(write).catch((error: unknown) => durability.logger.error({ err: error, executionId, what }, 'durable write failed'));
  };

  if (options.fresh) {
    enqueue('create', () =>
      store.createExecution({
        executionId,
        workflowId: definition.id,
        version: definition.version,
        definition,
        input: machineInput.input,
        correlationId: machineInput.correlationId,
        sessionId: machineInput.sessionId,
        owner,
        leaseExpiresAt: durability.now() + durability.leaseMs,
      }),
    );
  }

  // Pending deadlines as stored, by kind and key: each write sets the new or moved ones and
  // clears those that passed, so `orchkit runs show` lists what the run waits for.
  const deadlineId = (d: DeadlineKey): string => `${d.kind} ${d.key}`;
  let stored = new Map((options.storedDeadlines ?? []).map((d) => [deadlineId(d), d]));
  const deadlineChanges = (snapshot: unknown): Pick<RecordStepOptions, 'setDeadlines' | 'clearDeadlines'> => {
    const current = new Map(pendingDeadlines(snapshot, definition, options.timeoutOf).map(({ kind, key, dueAt }) => [deadlineId({ executionId, kind, key }), { executionId, kind, key, dueAt }] as const));
    const setDeadlines = [...current.values()].filter((d) => stored.get(deadlineId(d))?.dueAt !== d.dueAt);
    const clearDeadlines = [...stored.values()].filter((d) => !current.has(deadlineId(d))).map(({ kind, key }) => ({ executionId, kind, key }));
    stored = current;
    return { ...(setDeadlines.length > 0 ? { setDeadlines } : {}), ...(clearDeadlines.length > 0 ? { clearDeadlines } : {}) };
  };

  // Group commit: while one write is in flight, the state changes that follow are journaled
  // together by the next one, with the latest snapshot. Each state change lands whole in one
  // transaction; under load there are fewer transactions than state changes, never partial ones.
  let batch: JournalEntryInput[] = [];
  let batchSnapshot: unknown;
  let writeQueued = false;
  const flush = (): void => {
    if (pending.length === 0 || !actorRef) return;
    const entries = pending;
    pending = [];
    const snapshot = actorRef.getPersistedSnapshot();
    const context = (snapshot as unknown as { context: WorkflowContext }).context;
    for (const entry of entries) {
      const output = entry.kind === 'step.completed' ? context.steps[entry.stepId]?.output : undefined;
      batch.push({ ...entry, seq: ++seq, ...(output === undefined ? {} : { output }) });
    }
    batchSnapshot = snapshot;
    if (writeQueued) return;
    writeQueued = true;
    enqueue('journal', () => {
      writeQueued = false;
      const taken = batch;
      batch = [];
      return store.recordSteps(executionId, taken, batchSnapshot, { owner, ...deadlineChanges(batchSnapshot) });
    });
  };

  return {
    attach(actor) {
      actorRef = actor;
      actor.on('*', (event: WorkflowEmitted) => {
        // A map item's entry names its step; its output stays in the snapshot (the step's items).
        const entry: JournalEntryInput = { stepId: callId(event.stepId, 'index' in event ? event.index : undefined), kind: event.type, attempt: 'attempt' in event ? event.attempt : 0 };
        if ('error' in event) entry.error = event.error;
        pending.push(entry);
      });
      actor.subscribe({ next: flush, error: () => undefined });
    },
    finish(result) {
      flush();
      const snapshot = actorRef?.getPersistedSnapshot() ?? null;
      const status = result.status;
      enqueue('finish', () => store.finishExecution(executionId, status, result, snapshot, { owner }));
      return chain.then(() => undefined);
    },
    flushed: () => chain.then(() => undefined),
  };
}
