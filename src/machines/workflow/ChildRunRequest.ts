import type { ToolCallInput } from './toolActor.js';

/** One call of a `workflow` step: the parent's call (ids, attempt, resolved input) and the child it runs. */
export interface ChildRunRequest {
  /** The parent's call: its execution, correlation and session, the step, the attempt, the child's input. */
  call: ToolCallInput;
  workflowId: string;
  /** The registered version; the latest when absent. */
  version?: string;
}

/**
 * The execution id of a child run: derived from its parent's execution, step, item and attempt,
 * so a parent resumed after a crash finds the child it started instead of starting another.
 *
 * @example
 * childExecutionId({ executionId: 'e1', stepId: 'build', attempt: 1 }); // 'e1:build'
 * childExecutionId({ executionId: 'e1', stepId: 'build', attempt: 2, index: 3 }); // 'e1:build:3#2'
 */
export function childExecutionId(call: Pick<ToolCallInput, 'executionId' | 'stepId' | 'attempt' | 'index'>): string {
  const item = call.index === undefined ? '' : `:${call.index}`;
  return `${call.executionId}:${call.stepId}${item}${call.attempt > 1 ? `#${call.attempt}` : ''}`;
}
