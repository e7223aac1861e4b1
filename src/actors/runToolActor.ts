import { createActor, fromPromise, type InspectionEvent, type Observer } from 'xstate';
import { ErrorType } from '../errors/ErrorInfo.js';
import { ToolError } from '../errors/ToolError.js';
import type { CallMeta } from './CallMeta.js';
import type { ToolCallServices } from './ToolCallServices.js';
import type { AnyTool } from './defineTool.js';
import { createToolContext } from './createToolContext.js';

/** Options of a call outside a workflow step (a direct call, a tool-to-tool request, a remediation). */
export interface ToolActorOptions {
  /** The attempt's signal (the call policies own timeouts and abort it). */
  signal?: AbortSignal | undefined;
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void) | undefined;
}

const toolCall = fromPromise<unknown, { run: (signal: AbortSignal) => Promise<unknown> }>(({ input, signal }) => input.run(signal));

const cancelled = (tool: AnyTool, message: string): ToolError =>
  new ToolError({ code: 'CANCELLED', type: ErrorType.cancelled, retryable: false, tool: tool.name, message });

/**
 * Runs one tool call as its own XState actor (so it shows in the inspector). Aborting `signal`
 * stops the actor, which aborts the tool's own signal. Time limits are the call policies' job.
 */
export function runToolActor(tool: AnyTool, input: unknown, meta: CallMeta, services: ToolCallServices, options: ToolActorOptions): Promise<unknown> {
  return new Promise<unknown>((resolve, reject) => {
    const { signal } = options;
    if (signal?.aborted) {
      reject(cancelled(tool, `${tool.name} was cancelled before it started`));
      return;
    }
    const actor = createActor(toolCall, {
      input: { run: (actorSignal) => services.callTool(tool, input, createToolContext(meta, actorSignal, services)) },
      ...(options.inspect ? { inspect: options.inspect } : {}),
    });
    const onAbort = (): void => {
      actor.stop();
      reject(cancelled(tool, `${tool.name} was cancelled`));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    actor.subscribe({
      complete: () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(actor.getSnapshot().output);
      },
      error: (error) => {
        signal?.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    });
    actor.start();
  });
}
