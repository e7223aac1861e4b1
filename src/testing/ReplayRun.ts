import type { AnyTool } from '../actors/defineTool.js';
import type { BusMessage } from '../runtime/BusMessage.js';
import type { Clock } from '../machines/Clock.js';
import type { Runtime, RuntimeOptions } from '../runtime/createRuntime.js';
import type { WorkflowExecution } from '../runtime/startExecution.js';
import type { WorkflowResult } from '../runtime/WorkflowResult.js';
import type { StandInCall } from './createStandIns.js';

/** Builds the runtime a replay runs on; the default is `createRuntime`. Tests wrap it to plant faults. */
export type RuntimeFactory = (options: RuntimeOptions & { tools: AnyTool[]; clock: Clock }) => Runtime;

/** What one replay against the real runtime observed. */
export interface ReplayRun {
  result: WorkflowResult;
  /** The execution's bus messages, in order (`step.started`, `step.completed`, ...). */
  trace: readonly BusMessage[];
  /** Every stand-in call, in order. */
  calls: readonly StandInCall[];
  /** Why the driver could not follow the script to the end, when it could not. */
  stalled?: string;
  /** Executions the runtime still listed once the result was out. */
  executionsAfterResult: number;
  /** Timers still pending on the clock after `runtime.stop()`. */
  timersAfterStop: number;
}

/**
 * Call policies of a replay runtime: no circuit breaker. A breaker carries a tool's health from
 * one call to the next (five failures open it), which the model does not know; left on, a run
 * with many failures of one tool would end differently from the model for that reason alone.
 */
export const REPLAY_POLICIES: NonNullable<RuntimeOptions['policies']> = { defaults: { breaker: false } };

/** Lets promises and I/O callbacks run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Ends a replay: waits for the result, notes what the runtime still lists, stops it, and counts
 * the timers left on the replay clock. Shared by `replayPath` and `runScript`.
 *
 * @example
 * return await finishReplay(runtime, execution, clock, calls, stalled);
 */
export async function finishReplay(runtime: Runtime, execution: WorkflowExecution, clock: { readonly pending: number }, calls: readonly StandInCall[], stalled: string | undefined): Promise<ReplayRun> {
  const result = await execution.result;
  const executionsAfterResult = runtime.executions().length;
  const trace = runtime.trace(result.correlationId);
  await runtime.stop();
  return { result, trace, calls, executionsAfterResult, timersAfterStop: clock.pending, ...(stalled === undefined ? {} : { stalled }) };
}
