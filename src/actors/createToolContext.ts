import type { Logger } from 'pino';
import type { CallMeta, WorkflowServices } from '../machines/workflow/WorkflowServices.js';
import type { SessionContext } from '../runtime/SessionContext.js';
import type { ToolContext } from './ToolContext.js';

/**
 * The `ctx` of one tool call. The logger and the shared-context view are made on first use:
 * most calls never touch them, and a pino child per call is measurable on hot paths.
 */
export function createToolContext(meta: CallMeta, signal: AbortSignal, services: WorkflowServices): ToolContext {
  let logger: Logger | undefined;
  let context: SessionContext | undefined;
  return {
    signal,
    sessionId: meta.sessionId,
    executionId: meta.executionId,
    correlationId: meta.correlationId,
    stepId: meta.stepId,
    attempt: meta.attempt,
    idempotencyKey: meta.index === undefined ? `${meta.executionId}:${meta.stepId}` : `${meta.executionId}:${meta.stepId}:${meta.index}`,
    get logger() {
      return (logger ??= services.logger.child({
        executionId: meta.executionId,
        correlationId: meta.correlationId,
        stepId: meta.stepId,
        tool: meta.tool,
        attempt: meta.attempt,
      }));
    },
    get context() {
      return (context ??= services.contextFor(meta.sessionId, meta.tool));
    },
    request: (tool, input, options) => services.request(meta, tool, input, { signal, ...options }) as never,
    progress: (update) => services.progress(meta, update),
  };
}
