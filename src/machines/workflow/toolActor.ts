import { fromPromise } from 'xstate';
import type { AnyTool } from '../../actors/defineTool.js';
import { createToolContext } from '../../actors/createToolContext.js';
import { isToolError, ToolError } from '../../errors/ToolError.js';
import type { CallMeta } from '../../actors/CallMeta.js';
import { paceTurns } from './paceTurns.js';
import type { WorkflowServices } from './WorkflowServices.js';

/** Input of a tool actor: who calls (correlation data), the attempt, and the resolved tool input. JSON. */
export interface ToolCallInput extends CallMeta {
  /** The item's 0-based index, for a map item's call. */
  index?: number;
  input: unknown;
}

/**
 * The tool actor of one call: runs the tool through the runtime's one policy path. Its `signal`
 * aborts when the actor is stopped (timeout, cancel, fail-fast, too many failed items), so the
 * tool sees the abort.
 */
export function createToolActor(toolOf: (stepId: string) => AnyTool, services: WorkflowServices, kindCallOf?: (stepId: string) => KindCall | undefined) {
  const crashed = (error: unknown): never => {
    throw isToolError(error) && error.code === 'TOOL_CRASHED' ? applyRestartStrategy(error, services) : error;
  };
  return fromPromise<unknown, ToolCallInput>(({ input, signal }) => {
    // A kind with a call of its own (a `workflow` step's child run) makes it instead of a tool.
    const own = kindCallOf?.(input.stepId);
    if (own) return own(input, signal);
    return paceTurns(services.callTool(toolOf(input.stepId), input.input, createToolContext(input, signal, services)).catch(crashed));
  });
}

/** A step kind's own call (see `StepKind.call`), bound to its step. */
export type KindCall = (call: ToolCallInput, signal: AbortSignal) => Promise<unknown>;

/**
 * A crash (a throw that is not a `ToolError`) goes to the tool's restart strategy (OTP style):
 * `restart` makes it retryable after the strategy's backoff, even without a retry policy;
 * `stop` and `escalate` make it final, and the error policy or routing takes over.
 */
function applyRestartStrategy(error: ToolError, services: WorkflowServices): ToolError {
  const decision = services.onCrash(error.tool ?? '');
  const restart = decision.action === 'restart';
  return new ToolError({
    code: error.code,
    type: error.type,
    message: restart ? error.message : `${error.message} (restart strategy: ${decision.action}${'reason' in decision ? `, ${decision.reason}` : ''})`,
    retryable: restart,
    ...(error.tool === undefined ? {} : { tool: error.tool }),
    details: restart ? { restart: true, restartDelayMs: decision.delayMs } : { restart: decision.action },
    cause: error.cause,
  });
}
