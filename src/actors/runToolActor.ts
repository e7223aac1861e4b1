import { createActor, fromPromise, type InspectionEvent, type Observer } from 'xstate';
import { ErrorType } from '../errors/ErrorInfo.js';
import { ToolError } from '../errors/ToolError.js';
import type { Clock } from '../runtime/Clock.js';
import type { CallMeta, WorkflowServices } from '../machines/WorkflowServices.js';
import type { AnyTool } from './defineTool.js';
import { createToolContext } from './createToolContext.js';

/** Options of a call outside a workflow step (a direct call or a tool-to-tool request). */
export interface ToolActorOptions {
  clock: Clock;
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void) | undefined;
}

const toolCall = fromPromise<unknown, { run: (signal: AbortSignal) => Promise<unknown> }>(({ input, signal }) => input.run(signal));

/**
 * Runs one tool call as its own XState actor (so it shows in the inspector), with a time
 * limit on the runtime's clock and the caller's abort signal; the tool's signal aborts on either.
 */
export function runToolActor(tool: AnyTool, input: unknown, meta: CallMeta, services: WorkflowServices, options: ToolActorOptions): Promise<unknown> {
  return new Promise<unknown>((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new ToolError({ code: 'CANCELLED', type: ErrorType.cancelled, retryable: false, tool: tool.name, message: `${tool.name} was cancelled before it started` }));
      return;
    }
    const actor = createActor(toolCall, {
      input: { run: (signal) => services.callTool(tool, input, createToolContext(meta, signal, services)) },
      ...(options.inspect ? { inspect: options.inspect } : {}),
    });
    let timer: unknown;
    const settle = (finish: () => void): void => {
      if (timer !== undefined) options.clock.clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      finish();
    };
    const abortWith = (error: ToolError): void => {
      settle(() => {
        actor.stop();
        reject(error);
      });
    };
    const onAbort = (): void =>
      abortWith(new ToolError({ code: 'CANCELLED', type: ErrorType.cancelled, retryable: false, tool: tool.name, message: `${tool.name} was cancelled` }));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const limit = options.timeoutMs ?? tool.timeoutMs;
    if (limit !== undefined) {
      timer = options.clock.setTimeout(
        () => abortWith(new ToolError({ code: 'TOOL_TIMEOUT', type: ErrorType.timeout, retryable: true, tool: tool.name, message: `${tool.name} did not answer within ${limit} ms` })),
        limit,
      );
    }
    actor.subscribe({
      complete: () => settle(() => resolve(actor.getSnapshot().output)),
      error: (error) => settle(() => reject(error instanceof Error ? error : new Error(String(error)))),
    });
    actor.start();
  });
}
