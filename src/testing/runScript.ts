import type { AnyTool } from '../actors/defineTool.js';
import type { WorkflowDefinitionInput } from '../definition/WorkflowDefinitionSchema.js';
import { createRuntime } from '../runtime/createRuntime.js';
import { createStandIns, performOutcome, untilAborted, type StandInCall } from './createStandIns.js';
import { scriptedOutcome, type OutcomeScript } from './OutcomeScript.js';
import { createReplayClock } from './ReplayClock.js';
import { REPLAY_POLICIES, finishReplay, flush, type ReplayRun, type RuntimeFactory } from './ReplayRun.js';

/** What {@link runScript} needs besides the script. */
export interface RunScriptOptions {
  /** The replay definition, with `exact` time (see `replayDefinition`). */
  definition: WorkflowDefinitionInput;
  tools: readonly AnyTool[];
  /** Tool name of each step. */
  stepTools: ReadonlyMap<string, string>;
  runtimeFactory?: RuntimeFactory | undefined;
  /** Bound on event-loop rounds (default 10 000). */
  maxRounds?: number;
}

/**
 * Runs a definition once on the real runtime with stand-ins following `script`, at full
 * concurrency and in real (simulated) time: calls answer at once or hang until aborted, and
 * when nothing else can happen the clock jumps to the next timer (retry backoff, a timeout).
 *
 * @example
 * const run = await runScript({ attempts: { build: ['TIMEOUT', 'OK'] }, conditions: {} }, { definition, tools, stepTools });
 */
export async function runScript(script: OutcomeScript, options: RunScriptOptions): Promise<ReplayRun> {
  const clock = createReplayClock();
  const calls: StandInCall[] = [];
  const standIns = createStandIns(options.tools, (call, signal) => {
    calls.push(call);
    // A call the script cannot account for (another tool under a step's id) just hangs.
    if (options.stepTools.get(call.stepId) !== call.tool) return untilAborted(signal);
    return performOutcome(scriptedOutcome(script, call.stepId, call.attempt), call, signal);
  });
  const runtime = (options.runtimeFactory ?? createRuntime)({ tools: standIns, clock, random: () => 0.5, policies: REPLAY_POLICIES });
  try {
    const execution = runtime.startWorkflow(options.definition);
    let settled = false;
    void execution.result.finally(() => (settled = true));
    let stalled: string | undefined;
    for (let round = 0, idle = 0; !settled; round++) {
      await flush();
      if (settled) break;
      const next = clock.nextDeadline();
      if (round >= (options.maxRounds ?? 10_000) || (next === undefined && ++idle > 3)) {
        stalled = next === undefined ? 'nothing left to wait for, yet the run did not finish' : 'the run did not finish in time';
        execution.cancel('script stalled');
        break;
      }
      if (next !== undefined) clock.increment(Math.max(0, next - clock.now()));
    }
    return await finishReplay(runtime, execution, clock, calls, stalled);
  } finally {
    await runtime.stop();
  }
}
