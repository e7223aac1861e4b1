import type { WorkflowResult } from '../runtime/WorkflowResult.js';

/** Results of recently finished executions, oldest dropped first. */
export interface ExecutionHistory {
  record(result: WorkflowResult): void;
  get(executionId: string): WorkflowResult | undefined;
  readonly size: number;
}

/**
 * A bounded in-memory map of finished executions, for `get_workflow_status` after a run ended.
 * It lives as long as the server: durable history needs the persistent store.
 *
 * @example
 * const history = createExecutionHistory(100);
 * void execution.result.then(history.record);
 */
export function createExecutionHistory(limit = 100): ExecutionHistory {
  const results = new Map<string, WorkflowResult>();
  return {
    record(result) {
      results.delete(result.executionId);
      results.set(result.executionId, result);
      for (const oldest of results.keys()) {
        if (results.size <= limit) break;
        results.delete(oldest);
      }
    },
    get: (executionId) => results.get(executionId),
    get size() {
      return results.size;
    },
  };
}
