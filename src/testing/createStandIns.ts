import { z } from 'zod';
import { defineTool, type AnyTool } from '../actors/defineTool.js';
import { ToolError } from '../errors/ToolError.js';
import { Outcome } from './Outcome.js';

/** One call of a stand-in tool: which tool, for which step and attempt. */
export interface StandInCall {
  readonly tool: string;
  readonly stepId: string;
  readonly attempt: number;
}

/** Decides what a stand-in call does; resolve for success, reject to fail. */
export type StandInHandler = (call: StandInCall, signal: AbortSignal) => Promise<unknown>;

/**
 * Scripted stand-ins of real tools: same names and declared `errors` (so `retryable` and `type`
 * default the same way), a permissive input and output schema, no default time limit (a replay
 * states every limit on its steps), and a `run` that asks `handler` what to do.
 *
 * @example
 * const standIns = createStandIns(tools, (call, signal) => performOutcome('OK', call, signal));
 */
export function createStandIns(tools: Iterable<AnyTool>, handler: StandInHandler): AnyTool[] {
  return [...tools].map((tool) =>
    defineTool({
      name: tool.name,
      description: `stand-in of ${tool.name}`,
      input: z.unknown(),
      output: z.unknown(),
      errors: { ...tool.errors },
      run: (_input, ctx) => handler({ tool: tool.name, stepId: ctx.stepId, attempt: ctx.attempt }, ctx.signal),
    }),
  );
}

/**
 * Plays one outcome: `OK` resolves with `{ stepId, attempt }`, `TIMEOUT` hangs until the call is
 * aborted, an error code rejects with `ToolError({ code })`.
 */
export function performOutcome(outcome: string, call: StandInCall, signal: AbortSignal): Promise<unknown> {
  if (outcome === Outcome.ok) return Promise.resolve({ stepId: call.stepId, attempt: call.attempt });
  if (outcome === Outcome.timeout) return untilAborted(signal);
  return Promise.reject(new ToolError({ code: outcome, message: `${call.tool} failed with ${outcome} (scripted, ${call.stepId} attempt ${call.attempt})` }));
}

/** A promise that rejects when `signal` aborts, and never settles otherwise. */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_, reject) => {
    const abort = (): void => reject(new Error('aborted'));
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
  });
}
