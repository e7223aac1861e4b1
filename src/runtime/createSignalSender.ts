import type { WorkflowDefinitionInput } from '../definition/WorkflowDefinitionSchema.js';
import { RuntimeError } from '../errors/RuntimeError.js';
import { StoreError } from '../errors/StoreError.js';
import { checkSignal } from './checkSignal.js';
import type { MessageBus } from './MessageBus.js';
import type { WorkflowExecution } from './startExecution.js';
import type { ExecutionRecord, ExecutionStore } from './store/ExecutionStore.js';

/** What `runtime.signal` needs from its runtime. */
export interface SignalSenderDeps {
  bus: MessageBus;
  maxSignalBytes: number;
  /** The runs this runtime holds, by execution id. */
  running: ReadonlyMap<string, WorkflowExecution>;
  /** Whether a run finished here lately (a late signal is EXECUTION_FINISHED, not unknown). */
  finishedHere: (executionId: string) => boolean;
  /** The durable store, initialized, when the runtime has one. */
  store: () => Promise<ExecutionStore | undefined>;
}

const waitsFor = (definition: WorkflowDefinitionInput, name: string): boolean => definition.steps.some((step) => 'wait' in step && step.wait.signal === name);

const unknown = (workflowId: string, name: string): RuntimeError =>
  new RuntimeError('SIGNAL_UNKNOWN', `no wait step of workflow "${workflowId}" waits for signal "${name}"`, { path: 'name' });

/**
 * `runtime.signal(executionId, name, payload?)`. The execution is checked before the signal's
 * name and payload (shared/DESIGN.md, signals). A run held here gets the signal at once; a
 * durable run this runtime does not hold (another node does, or none) gets it kept in the store,
 * where its owner takes it at its next lease renewal or whoever resumes the run takes it first.
 *
 * @example
 * const signal = createSignalSender({ bus, maxSignalBytes, running, finishedHere, store });
 * await signal(executionId, 'approval', { approved: true });
 */
export function createSignalSender(deps: SignalSenderDeps) {
  const keep = async (store: ExecutionStore, record: ExecutionRecord, name: string, payload: unknown): Promise<void> => {
    const checked = checkSignal(name, payload, deps.maxSignalBytes);
    if (!waitsFor(record.definition as WorkflowDefinitionInput, name)) throw unknown(record.workflowId, name);
    const { correlationId, sessionId, executionId } = record;
    try {
      const seq = await store.addSignal(executionId, name, checked);
      deps.bus.publish({ type: 'workflow.signal', topic: 'workflow.signal', correlationId, sessionId, executionId, payload: { name, payload: checked, kept: seq } });
    } catch (error) {
      if (error instanceof StoreError && error.code === 'STORE_CONFLICT') throw new RuntimeError('EXECUTION_FINISHED', `execution ${executionId} has finished`, { cause: error });
      throw error;
    }
  };

  return async (executionId: string, name: string, payload?: unknown): Promise<void> => {
    const execution = deps.running.get(executionId);
    if (!execution) {
      if (deps.finishedHere(executionId)) throw new RuntimeError('EXECUTION_FINISHED', `execution ${executionId} has finished`);
      const store = await deps.store();
      const record = store ? await store.getExecution(executionId) : undefined;
      if (!store || !record) throw new RuntimeError('EXECUTION_NOT_FOUND', `no execution ${executionId}`);
      if (record.result !== undefined) throw new RuntimeError('EXECUTION_FINISHED', `execution ${executionId} has finished (${record.status})`);
      return keep(store, record, name, payload);
    }
    const checked = checkSignal(name, payload, deps.maxSignalBytes);
    if (!waitsFor(execution.definition, name)) throw unknown(execution.workflowId, name);
    const snapshot = execution.actor.getSnapshot() as { status: string; value: unknown };
    if (snapshot.status !== 'active' || snapshot.value !== 'running') throw new RuntimeError('EXECUTION_FINISHED', `execution ${executionId} has finished`);
    const { correlationId, sessionId } = execution;
    deps.bus.publish({ type: 'workflow.signal', topic: 'workflow.signal', correlationId, sessionId, executionId, payload: { name, payload: checked } });
    execution.actor.send({ type: 'workflow.signal', name, payload: checked });
  };
}
