import type { Logger } from 'pino';
import type { AnyActorRef } from 'xstate';
import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import type { WorkflowContext, WorkflowEmitted, WorkflowMachineInput } from '../machines/workflow/WorkflowContext.js';
import { callId } from '../machines/workflow/workflowIds.js';
import { pendingDeadlines } from '../machines/workflow/pendingDeadlines.js';
import { StoreError, isStoreError } from '../errors/StoreError.js';
import type { Deadline, DeadlineKey, ExecutionStore, JournalEntryInput, RecordStepOptions } from './store/ExecutionStore.js';
import { retryStoreWrite } from './store/retryStoreWrite.js';
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
  /**
   * Settles once the execution record is committed (at once for a resumed run, whose record is
   * stored): the actor starts only then, so no tool runs for a run the store does not hold.
   * Rejects with the error that kept it out of the store.
   */
  readonly created: Promise<void>;
  attach(actor: AnyActorRef): void;
  /** Writes the end; rejects with the `StoreError` of the first write that failed for good (then nothing more is written). */
  finish(result: WorkflowResult): Promise<void>;
  /** Settles when every write queued so far is done; never rejects. */
  flushed(): Promise<void>;
  /** Called once, with the first write that failed for good (after its retries); the run must stop writing and end here. */
  onFailure(listener: (error: StoreError) => void): void;
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
 * in one transaction), and the result when it ends. Writes of one execution are applied in order
 * and grouped while one is in flight. A write that fails with `STORE_UNAVAILABLE` is tried again
 * (see `retryStoreWrite`; the journal `seq` makes that safe); one that still fails stops the
 * writer: nothing more is written, `onFailure` listeners hear of it and `finish` rejects, so the
 * store keeps the last committed snapshot, the state another node resumes from.
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
  let failure: StoreError | undefined;
  const listeners: ((error: StoreError) => void)[] = [];

  const fail = (error: unknown, what: string): StoreError => {
    if (failure) return failure;
    failure = isStoreError(error)
      ? error
      : new StoreError('STORE_UNAVAILABLE', `the ${what} write of execution ${executionId} failed: ${error instanceof Error ? error.message : String(error)}`, { executionId, retryable: false, cause: error });
    durability.logger.error({ err: error, executionId, what }, 'durable write failed; the run stops on this node');
    for (const listener of listeners.splice(0)) listener(failure);
    return failure;
  };
  const enqueue = (what: string, write: () => Promise<unknown>, settled?: () => Promise<boolean>): Promise<void> => {
    const done = chain.then(async () => {
      if (failure) throw failure;
      try {
        await retryStoreWrite(write, settled);
      } catch (error) {
        throw fail(error, what);
      }
    });
    chain = done.catch(() => undefined);
    return done;
  };

  const created: Promise<void> = options.fresh
    ? enqueue(
        'create',
        () =>
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
        // A retry that finds the id taken: the first try committed after all (its reply was lost).
        async () => (await store.getExecution(executionId))?.owner === owner,
      )
    : Promise.resolve();
  // Rejections are handled by whoever awaits `created`; this keeps an unawaited one quiet.
  created.catch(() => undefined);

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
    if (writeQueued || failure) return;
    writeQueued = true;
    let taken: JournalEntryInput[] | undefined;
    let written: unknown;
    let changes: Pick<RecordStepOptions, 'setDeadlines' | 'clearDeadlines'> = {};
    enqueue('journal', async () => {
      // Taken at the first try; a retry writes the same entries (same seqs), which the store dedupes.
      if (taken === undefined) {
        // One macrotask first: the state changes of a burst (steps settling in microtasks, as
        // quick tools do) then share this write instead of the first of them taking one alone.
        await new Promise((resolve) => setImmediate(resolve));
        writeQueued = false;
        taken = batch;
        batch = [];
        written = batchSnapshot;
        changes = deadlineChanges(written);
      }
      return store.recordSteps(executionId, taken, written, { owner, ...changes });
    }).catch(() => undefined);
  };

  return {
    created,
    onFailure(listener) {
      if (failure) listener(failure);
      else listeners.push(listener);
    },
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
      return enqueue(
        'finish',
        () => store.finishExecution(executionId, status, result, snapshot, { owner }),
        // A retry refused because the run is finished: the first try committed after all.
        async () => (await store.getExecution(executionId))?.status === status,
      );
    },
    flushed: () => chain.then(() => undefined),
  };
}
