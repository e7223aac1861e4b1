import type { ExecutionRecord } from '../runtime/store/ExecutionStore.js';

/** What `get_workflow_status` and the other controls answer about a stored execution. */
export interface StoredStatus {
  executionId: string;
  workflowId: string;
  version: string;
  status: ExecutionRecord['status'];
  correlationId: string;
  sessionId: string;
  /** The node holding its lease, or null. */
  owner: string | null;
  updatedAt: string;
  /** Step states as of the last journaled transition. */
  steps: Record<string, { status: string; attempts: number }>;
  /** The `WorkflowResult`, once finished. */
  result: unknown;
}

/**
 * A stored execution as a status answer: its step states read from the persisted snapshot.
 *
 * @example
 * successResult(storedStatus(await store.getExecution(id)), 'running');
 */
export function storedStatus(record: ExecutionRecord): StoredStatus {
  const snapshot = record.snapshot as { context?: { steps?: Record<string, { status?: string; attempts?: number }> } } | null;
  const steps = Object.fromEntries(Object.entries(snapshot?.context?.steps ?? {}).map(([id, step]) => [id, { status: step.status ?? 'pending', attempts: step.attempts ?? 0 }]));
  return {
    executionId: record.executionId,
    workflowId: record.workflowId,
    version: record.version,
    status: record.status,
    correlationId: record.correlationId,
    sessionId: record.sessionId,
    owner: record.owner ?? null,
    updatedAt: new Date(record.updatedAt).toISOString(),
    steps,
    result: record.result ?? null,
  };
}
