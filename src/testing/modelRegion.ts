import type { AnyTool } from '../actors/defineTool.js';
import { stepRetry } from '../definition/steps/stepTool.js';
import type { StepDefinition } from '../definition/WorkflowDefinitionSchema.js';
import { Outcome, isRetryable, outcomeEvent } from './Outcome.js';

/** What the abstract model needs to know about one step. */
export interface ModelStepPlan {
  step: StepDefinition;
  /** The tool it calls; `undefined` for a step that calls none (`wait`). */
  tool: AnyTool | undefined;
  /** Outcomes explored for each attempt (`OK`, error codes, `TIMEOUT`). */
  outcomes: readonly string[];
}

/** How a region is wired into the model. */
export interface ModelRegionOptions {
  /** A concurrency limit exists: released steps queue in `ready` for a slot. */
  bounded: boolean;
  /** Failures the error policy tolerates: 0 for fail_fast, `Infinity` for continue without a limit. */
  allowedFailures: number;
  /** The model's `failed` state, entered at once when a failure ends the run. */
  failedTarget: string;
}

/**
 * The state region of one step in the abstract model. It mirrors the compiled region
 * (`waiting -> [ready] -> running -> (retrying)* -> done | failed | skipped`, a fail-fast failure
 * leaving the whole workflow at once) but a tool call is an event per outcome instead of an
 * `invoke`, and a retry or timeout is no `after` delay, so `xstate/graph` can traverse it.
 * `deciding` waits for the decision of a `when` condition. Branches that cannot happen (a retry
 * of a non-retryable code, a failure that is always retried on the first attempt) are left out.
 */
export function modelRegion(plan: ModelStepPlan, options: ModelRegionOptions): Record<string, unknown> {
  const { step } = plan;
  const params = { stepId: step.id };
  const next = { type: 'isNext', params };
  const maxAttempts = stepRetry(step)?.maxAttempts ?? 1;
  const fatal = step.onError !== 'continue';
  const failureBranches = (retrying: boolean, outcome: string): unknown[] => {
    const retryable = isRetryable(plan.tool, outcome);
    const branches: unknown[] = [];
    const retry = { target: 'retrying', actions: { type: 'retry', params: { ...params, outcome } } };
    if (retryable && maxAttempts > (retrying ? 2 : 1)) branches.push({ ...retry, guard: retrying ? { type: 'canRetry', params } : next });
    // A first attempt is always retried when a second one is allowed.
    if (retryable && !retrying && maxAttempts > 1) return branches;
    const fail = { type: 'fail', params: { ...params, outcome } };
    const abort = { target: options.failedTarget, actions: [fail, { type: 'cancelUnfinished' }] };
    if (fatal && options.allowedFailures === 0) return [...branches, { ...abort, guard: next }];
    if (fatal && options.allowedFailures !== Infinity) branches.push({ ...abort, guard: { type: 'abortsWorkflow', params } });
    return [...branches, { guard: next, target: 'failed', actions: fail }];
  };
  const outcomeTransitions = (retrying: boolean): Record<string, unknown> => {
    const on: Record<string, unknown> = {};
    for (const outcome of plan.outcomes) {
      const event = outcomeEvent(step.id, outcome);
      if (outcome === Outcome.ok) on[event] = { guard: next, target: 'done', actions: { type: 'complete', params } };
      else on[event] = failureBranches(retrying, outcome);
    }
    return on;
  };
  const hasRetry = maxAttempts > 1 && plan.outcomes.some((o) => o !== Outcome.ok && isRetryable(plan.tool, o));
  const start = options.bounded ? { target: 'ready', actions: { type: 'enqueue', params } } : { target: 'running', actions: { type: 'start', params } };
  return {
    initial: 'waiting',
    states: {
      waiting: {
        always: [
          { guard: { type: 'blocked', params }, target: 'skipped', actions: { type: 'skip', params } },
          step.when === undefined
            ? { ...start, guard: { type: 'released', params } }
            : { guard: { type: 'released', params }, target: 'deciding', actions: { type: 'enqueue', params } },
        ],
      },
      ...(step.when === undefined
        ? {}
        : {
            deciding: {
              on: {
                [outcomeEvent(step.id, Outcome.conditionTrue)]: {
                  guard: next,
                  target: options.bounded ? 'ready' : 'running',
                  actions: [{ type: 'decide', params: { ...params, value: true } }, ...(options.bounded ? [] : [{ type: 'start', params }])],
                },
                [outcomeEvent(step.id, Outcome.conditionFalse)]: { guard: next, target: 'skipped', actions: { type: 'decide', params: { ...params, value: false } } },
              },
            },
          }),
      ...(options.bounded ? { ready: { always: { guard: { type: 'hasSlot', params }, target: 'running', actions: { type: 'start', params } } } } : {}),
      running: { on: outcomeTransitions(false) },
      ...(hasRetry ? { retrying: { on: outcomeTransitions(true) } } : {}),
      done: { type: 'final' },
      failed: { type: 'final' },
      skipped: { type: 'final' },
    },
  };
}
