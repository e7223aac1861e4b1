import type { Logger } from 'pino';
import type { WorkflowContext } from '../machines/workflow/WorkflowContext.js';
import type { WorkflowExecution } from './startExecution.js';
import type { ExecutionStore } from './store/ExecutionStore.js';

/**
 * Sends a held execution the signals kept for it in the store since the last one it took
 * (`context.signalSeq`), in order, each with its `seq`: the machine ignores one it took before,
 * so a signal is delivered once even when a resumed run reads the store again. A store that
 * fails is logged; the next call (the next lease renewal) tries again.
 *
 * @example
 * await deliverStoredSignals(execution, store, logger); // after a resume, and at each lease renewal
 */
export async function deliverStoredSignals(execution: WorkflowExecution, store: ExecutionStore, logger: Logger): Promise<number> {
  const snapshot = execution.actor.getSnapshot() as { status: string; context: WorkflowContext };
  if (snapshot.status !== 'active') return 0;
  let kept;
  try {
    kept = await store.signals(execution.executionId, snapshot.context.signalSeq ?? 0);
  } catch (error) {
    logger.warn({ err: error, executionId: execution.executionId }, 'could not read the signals kept for this execution; trying again at the next lease renewal');
    return 0;
  }
  for (const { seq, name, payload } of kept) execution.actor.send({ type: 'workflow.signal', name, payload, seq });
  return kept.length;
}
