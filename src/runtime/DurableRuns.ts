import { deliverStoredSignals } from './deliverStoredSignals.js';
import { StoreError } from '../errors/StoreError.js';
import type { WorkflowContext } from '../machines/workflow/WorkflowContext.js';
import type { Clock } from '../machines/Clock.js';
import type { MessageBus } from './MessageBus.js';
import type { Durability, ExecutionWriter } from './persistExecution.js';
import type { WorkflowExecution } from './startExecution.js';
import { toWorkflowResult, type WorkflowResult } from './WorkflowResult.js';

/**
 * Why a durable run stopped on this node without ending in the store: a pause request, a lost
 * lease, the runtime stopping, or a store write that failed for good (`store_failed`: the run's
 * local result is `failed` with the store's error code; the store holds its last committed state).
 */
export type SuspendReason = 'paused' | 'lease_lost' | 'stopping' | 'store_failed';

/** The durable runs one runtime owns: their writers, timers and leases. */
export interface DurableRuns {
  /**
   * Registers a run this runtime holds the lease of, and keeps that lease renewed. Resolves with
   * its result once that result is committed; with a `failed` result carrying the store's error
   * code (`STORE_UNAVAILABLE`, ...) when a write failed for good. Never settles for a run
   * suspended here (paused, lease lost, runtime stopping).
   */
  add(execution: WorkflowExecution, writer: ExecutionWriter, clearTimers: () => void): Promise<WorkflowResult>;
  has(executionId: string): boolean;
  /**
   * Stops a run here without ending it: its timers cleared, its actor stopped, its writes flushed
   * and its lease released (unless lost), then `execution.suspended` goes on the bus. The run
   * has no result on this node; `resume()` on any node takes it up where its journal ends.
   */
  suspend(executionId: string, reason: SuspendReason): Promise<void>;
  /** Suspends every run and ends lease renewal (the runtime is stopping). */
  suspendAll(): Promise<void>;
  /** Settles when every write queued so far is done. */
  flushed(): Promise<void>;
}

interface DurableRunsOptions {
  durability: Durability;
  bus: MessageBus;
  clock: Clock;
  /** Called once a run is suspended, so the runtime forgets it. */
  onSuspended(execution: WorkflowExecution): void;
}

interface Run {
  execution: WorkflowExecution;
  writer: ExecutionWriter;
  clearTimers: () => void;
  /** Settles the run's local result. */
  settle(result: WorkflowResult): void;
  /** When its lease was last taken or renewed (the time the renewal was asked). */
  leasedAt: number;
}

/** The local result of a run whose store write failed: `failed`, with the store's error. */
function storeFailedResult(execution: WorkflowExecution, error: StoreError): WorkflowResult {
  const context = (execution.actor.getSnapshot() as { context: WorkflowContext }).context;
  const result = toWorkflowResult(context, 'failed', execution.definition);
  result.error = { type: error.type, code: error.code, message: error.message, retryable: error.retryable };
  return result;
}

/**
 * Keeps the leases of this runtime's durable runs and acts on what the store asks of them.
 * Every `leaseMs / 3` it renews the leases of its running runs in one call, and delivers the
 * signals other nodes kept in the store for them. A run whose lease
 * could not be renewed (the store failed) for `leaseMs` stops here with `STORE_UNAVAILABLE`, since
 * another node may take it over. A run whose lease
 * did not renew was either taken over by another node (it stops here and writes nothing more),
 * or asked to pause (it is suspended) or to cancel (it is cancelled and finishes as `cancelled`)
 * through `setStatus`, from this node or any other.
 *
 * @example
 * const runs = createDurableRuns({ durability, bus, clock, onSuspended: (e) => running.delete(e.executionId) });
 * runs.add(execution, writer, clearTimers);
 * await runs.suspend(execution.executionId, 'paused');
 */
export function createDurableRuns(options: DurableRunsOptions): DurableRuns {
  const { durability, bus, clock } = options;
  const { store, owner, leaseMs, logger } = durability;
  const runs = new Map<string, Run>();
  let timer: unknown;
  let stopped = false;

  const schedule = (): void => {
    if (timer === undefined && !stopped && runs.size > 0) timer = clock.setTimeout(renew, leaseMs / 3);
  };

  const renew = (): void => {
    timer = undefined;
    if (stopped || runs.size === 0) return;
    const ids = [...runs.keys()];
    const asked = clock.now();
    void store.renewLease(owner, ids, leaseMs).then(
      (kept) => {
        const renewed = new Set(kept);
        for (const id of kept) {
          const run = runs.get(id);
          if (!run) continue;
          run.leasedAt = asked;
          // Signals another node kept in the store for this run (it could not deliver them).
          void deliverStoredSignals(run.execution, store, logger);
        }
        return Promise.all(ids.filter((id) => !renewed.has(id) && runs.has(id)).map(settleRequest));
      },
      (error: unknown) => {
        logger.error({ err: error }, 'lease renewal failed');
        // A lease that may have lapsed: another node may take the run over, so it stops here
        // rather than run its tools twice at once. Its store state is the last committed one.
        const lapsed = StoreError.unavailable(`the lease could not be renewed within leaseMs (${leaseMs} ms); the run stops on this node`, error);
        for (const id of ids) {
          const run = runs.get(id);
          if (run && clock.now() - run.leasedAt >= leaseMs) void suspend(id, 'store_failed', lapsed);
        }
      },
    );
    schedule();
  };

  /** A lease that did not renew: a pause or cancel request, or another node owns the run now. */
  const settleRequest = async (executionId: string): Promise<void> => {
    let record;
    try {
      record = await store.getExecution(executionId);
    } catch (error) {
      logger.error({ err: error, executionId }, 'could not read a run whose lease did not renew; trying again at the next renewal');
      return;
    }
    const run = runs.get(executionId);
    // Gone, or finished here while the renewal was in flight: nothing to act on.
    if (!run || record?.result !== undefined) return;
    if (record?.owner === owner && record.status === 'paused') return suspend(executionId, 'paused');
    if (record?.owner === owner && record.status === 'cancelled') return run.execution.cancel('cancelled through the execution store');
    logger.warn({ executionId, owner: record?.owner }, 'lease lost; another node owns this execution now');
    return suspend(executionId, 'lease_lost');
  };

  const suspend = async (executionId: string, reason: SuspendReason, error?: StoreError): Promise<void> => {
    const run = runs.get(executionId);
    if (!run) return;
    runs.delete(executionId);
    // A fresh run's actor starts once its record commits: wait for that, so it is not started after this stop.
    await run.writer.created.catch(() => undefined);
    run.clearTimers();
    run.execution.actor.stop();
    if (reason !== 'lease_lost') {
      await run.writer.flushed();
      // After a failed write the store may be back already: releasing lets another node take the run at once.
      await store.releaseLease(executionId, owner).catch(() => false);
    }
    const { correlationId, sessionId, workflowId } = run.execution;
    if (reason === 'store_failed' && error) run.settle(storeFailedResult(run.execution, error));
    else options.onSuspended(run.execution);
    bus.publish({
      type: 'execution.suspended',
      topic: 'execution.suspended',
      correlationId,
      sessionId,
      executionId,
      payload: { workflowId, reason, owner, ...(error ? { error: error.toJSON() } : {}) },
    });
  };

  return {
    add(execution, writer, clearTimers) {
      const { executionId } = execution;
      return new Promise<WorkflowResult>((resolve) => {
        runs.set(executionId, { execution, writer, clearTimers, settle: resolve, leasedAt: clock.now() });
        schedule();
        // Another owner wrote meanwhile: the lease is lost, not the store.
        writer.onFailure((error) => void suspend(executionId, error.code === 'STORE_CONFLICT' ? 'lease_lost' : 'store_failed', error));
        void execution.result.then(async (outcome) => {
          if (runs.get(executionId)?.execution !== execution) return;
          try {
            await writer.finish(outcome);
          } catch {
            // onFailure has suspended it and settled its result.
            return;
          }
          runs.delete(executionId);
          resolve(outcome);
        });
      });
    },
    has: (executionId) => runs.has(executionId),
    suspend: (executionId, reason) => suspend(executionId, reason),
    async suspendAll() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      for (const executionId of [...runs.keys()]) await suspend(executionId, 'stopping');
    },
    flushed: async () => {
      await Promise.all([...runs.values()].map((run) => run.writer.flushed()));
    },
  };
}
