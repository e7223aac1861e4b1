import type { Clock } from './Clock.js';
import type { MessageBus } from './MessageBus.js';
import type { Durability, ExecutionWriter } from './persistExecution.js';
import type { WorkflowExecution } from './startExecution.js';
import type { WorkflowResult } from './WorkflowResult.js';

/** Why a durable run stopped on this node without ending: a pause request, a lost lease, or the runtime stopping. */
export type SuspendReason = 'paused' | 'lease_lost' | 'stopping';

/** The durable runs one runtime owns: their writers, timers and leases. */
export interface DurableRuns {
  /** Registers a run this runtime holds the lease of, and keeps that lease renewed. */
  add(execution: WorkflowExecution, writer: ExecutionWriter, clearTimers: () => void): void;
  has(executionId: string): boolean;
  /** The run ended here: writes its result, then forgets it. */
  finish(executionId: string, result: WorkflowResult): Promise<void>;
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
}

/**
 * Keeps the leases of this runtime's durable runs and acts on what the store asks of them.
 * Every `leaseMs / 3` it renews the leases of its running runs in one call. A run whose lease
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
    void store.renewLease(owner, ids, leaseMs).then(
      (kept) => {
        const renewed = new Set(kept);
        return Promise.all(ids.filter((id) => !renewed.has(id) && runs.has(id)).map(settleRequest));
      },
      (error: unknown) => logger.error({ err: error }, 'lease renewal failed'),
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

  const suspend = async (executionId: string, reason: SuspendReason): Promise<void> => {
    const run = runs.get(executionId);
    if (!run) return;
    runs.delete(executionId);
    run.clearTimers();
    run.execution.actor.stop();
    if (reason !== 'lease_lost') {
      await run.writer.flushed();
      await store.releaseLease(executionId, owner).catch(() => false);
    }
    options.onSuspended(run.execution);
    const { correlationId, sessionId, workflowId } = run.execution;
    bus.publish({ type: 'execution.suspended', topic: 'execution.suspended', correlationId, sessionId, executionId, payload: { workflowId, reason, owner } });
  };

  return {
    add(execution, writer, clearTimers) {
      runs.set(execution.executionId, { execution, writer, clearTimers });
      schedule();
    },
    has: (executionId) => runs.has(executionId),
    async finish(executionId, result) {
      const run = runs.get(executionId);
      if (!run) return;
      await run.writer.finish(result);
      runs.delete(executionId);
    },
    suspend,
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
