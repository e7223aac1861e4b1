import type { AnyTool } from '../actors/defineTool.js';
import type { WorkflowDefinitionInput } from '../definition/WorkflowDefinitionSchema.js';
import { RuntimeError } from '../errors/RuntimeError.js';
import type { WorkflowContext } from '../machines/workflow/WorkflowContext.js';
import { createRuntime } from '../runtime/createRuntime.js';
import { createStandIns, performOutcome, type StandInCall, type StandInHandler } from './createStandIns.js';
import { Outcome, isConditionOutcome, parseOutcomeEvent } from './Outcome.js';
import { createReplayClock } from './ReplayClock.js';
import { REPLAY_POLICIES, finishReplay, flush, type ReplayRun, type RuntimeFactory } from './ReplayRun.js';
import { timeoutSentinel } from './replayDefinition.js';

/** What {@link replayPath} needs besides the path. */
export interface ReplayPathOptions {
  /** The replay definition, with `controlled` time (see `replayDefinition`). */
  definition: WorkflowDefinitionInput;
  /** Real tools; stand-ins of them run in the replay. */
  tools: readonly AnyTool[];
  /** Tool name and index of each step; a `wait` step's signal (`wait`, without one for a sleep). */
  steps: ReadonlyMap<string, { tool: string; index: number; wait?: { signal?: string | undefined } }>;
  runtimeFactory?: RuntimeFactory | undefined;
  /** Rounds of the event loop to wait for an expected call or the end (default 25). */
  patience?: number;
}

/**
 * Replays one model path on the real runtime. Stand-in calls wait at a gate and are released in
 * the path's order, so the run follows the path whatever the concurrency: `OK` resolves the call,
 * an error code rejects it, and `TIMEOUT` fires that step's timeout timer alone (other steps,
 * still waiting at the gate, keep theirs). Retries wait 0 ms and fire at once.
 *
 * @example
 * const run = await replayPath(['analyze.OK', 'build.TIMEOUT'], { definition, tools, steps });
 */
export async function replayPath(events: readonly string[], options: ReplayPathOptions): Promise<ReplayRun> {
  const patience = options.patience ?? 25;
  const clock = createReplayClock();
  const calls: StandInCall[] = [];
  const gate = new Map<string, (outcome: string) => void>();
  const keyOf = (tool: string, stepId: string, attempt: number): string => `${tool}:${stepId}#${attempt}`;
  const handler: StandInHandler = (call, signal) => {
    calls.push(call);
    return new Promise((resolve, reject) => {
      const key = keyOf(call.tool, call.stepId, call.attempt);
      gate.set(key, (outcome) => void performOutcome(outcome, call, signal).then(resolve, reject));
      const abort = (): void => {
        gate.delete(key);
        reject(new Error('aborted'));
      };
      signal.addEventListener('abort', abort, { once: true });
    });
  };
  const runtime = (options.runtimeFactory ?? createRuntime)({ tools: createStandIns(options.tools, handler), clock, random: () => 0.5, policies: REPLAY_POLICIES });
  // Polls after letting the runtime run: promises, I/O callbacks, and zero-delay (retry) timers.
  const until = async (condition: () => boolean): Promise<boolean> => {
    for (let round = 0; round < patience; round++) {
      await flush();
      clock.increment(0);
      if (condition()) return true;
    }
    return false;
  };

  try {
    const execution = runtime.startWorkflow(options.definition);
    let settled = false;
    void execution.result.finally(() => (settled = true));
    const attempts = new Map<string, number>();
    let stalled: string | undefined;
    for (const event of events) {
      const { stepId, outcome } = parseOutcomeEvent(event);
      if (isConditionOutcome(outcome)) continue; // decided in the definition: `when` is a literal
      const step = options.steps.get(stepId);
      if (!step) throw new RuntimeError('INVALID_OPTION', `the path names an unknown step "${stepId}"`);
      const attempt = (attempts.get(stepId) ?? 0) + 1;
      attempts.set(stepId, attempt);
      const stateOf = () => (execution.actor.getSnapshot() as { status: string; context: WorkflowContext }).context.steps[stepId];
      const fireTimer = (): boolean => clock.fire((timer) => timer.delayMs === timeoutSentinel(step.index)) > 0;
      if (step.wait) {
        // A wait calls no tool: once parked, `OK` sends its signal (or ends its sleep), WAIT_TIMEOUT fires its limit.
        const parked = (): boolean => stateOf()?.phase === 'waiting' && stateOf()?.attempts === attempt;
        if (!(await until(parked))) {
          stalled = `${event}: step "${stepId}" never parked for attempt ${attempt}`;
          break;
        }
        const { signal } = step.wait;
        if (outcome === Outcome.ok && signal !== undefined) await runtime.signal(execution.executionId, signal);
        else if (!fireTimer()) {
          stalled = `${event}: step "${stepId}" had no wait timer running`;
          break;
        }
      } else {
        const key = keyOf(step.tool, stepId, attempt);
        if (!(await until(() => gate.has(key)))) {
          stalled = `${event}: step "${stepId}" never called ${step.tool} for attempt ${attempt}`;
          break;
        }
        const release = gate.get(key) as (outcome: string) => void;
        gate.delete(key);
        if (outcome !== Outcome.timeout) release(outcome);
        else if (!fireTimer()) {
          stalled = `${event}: step "${stepId}" had no timeout timer running`;
          break;
        }
      }
      // The next outcome waits until the machine has taken this one (however many turns it needs).
      const absorbed = (): boolean => {
        const state = stateOf();
        return (execution.actor.getSnapshot() as { status: string }).status !== 'active' || state === undefined || state.status !== 'running' || state.attempts > attempt;
      };
      if (!absorbed() && !(await until(absorbed))) {
        stalled = `${event}: the runtime did not take the outcome of "${stepId}" attempt ${attempt}`;
        break;
      }
    }
    if (!(await until(() => settled))) {
      stalled ??= 'the run did not finish after the last outcome of the path';
      execution.cancel('replay stalled');
    }
    return await finishReplay(runtime, execution, clock, calls, stalled);
  } finally {
    await runtime.stop();
  }
}
