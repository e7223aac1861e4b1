import type { StepPlan } from './StepPlan.js';

/** How a region is wired into its workflow. */
export interface RegionOptions {
  /** A concurrency limit exists: released steps queue in `ready` for a slot. */
  bounded: boolean;
  /** The workflow's `failed` state, entered directly when a failure ends the run (fail-fast). */
  failedTarget: string;
}

/**
 * The state region of one step: waiting -> running -> (retrying -> running)* -> done | failed |
 * skipped. A failure a routing rule handles goes to `routing`, where the supervisor's decision
 * sends the step back to `running` (retry, maybe with a patched input), to `done` (resolved) or
 * to `failed` (escalate). `ready` sits `ready` between waiting and running only under a concurrency limit (one step
 * takes a slot per microstep, in release order). Timeouts and retry waits are `after` delays.
 * A failure that ends the workflow (fail-fast) leaves the whole parallel state at once, which
 * stops every sibling's tool actor and so aborts its signal.
 */
export function stepRegion(plan: StepPlan, options: RegionOptions): Record<string, unknown> {
  const params = { stepId: plan.id };
  const act = (...types: string[]) => types.map((type) => ({ type, params }));
  const is = (release: string) => ({ type: 'release', params: { ...params, is: release } });
  const abort = (type: string, timedOut = false) => ({
    guard: { type, params: timedOut ? { ...params, timedOut } : params },
    target: options.failedTarget,
    actions: [...act(timedOut ? 'failTimeout' : 'fail'), ...act('emitFailed'), { type: 'cancelUnfinished' }],
  });
  // The supervisor escalated: the recorded failure stands, and may end the workflow.
  const escalate = {
    guard: { type: 'escalationAborts', params },
    target: options.failedTarget,
    actions: [...act('failEscalated', 'emitFailed'), { type: 'cancelUnfinished' }],
  };
  const start = options.bounded
    ? { guard: is('start'), target: 'ready', actions: act('enqueue') }
    : { guard: is('start'), target: 'running', actions: act('start') };
  return {
    initial: 'waiting',
    states: {
      waiting: {
        always: [
          start,
          { guard: is('skipDependency'), target: 'skipped', actions: [{ type: 'skip', params: { ...params, reason: 'dependency' } }, ...act('emitSkipped')] },
          { guard: is('skipCondition'), target: 'skipped', actions: [{ type: 'skip', params: { ...params, reason: 'condition' } }, ...act('emitSkipped')] },
          {
            guard: { type: 'whenAbortsWorkflow', params },
            target: options.failedTarget,
            actions: [...act('failCondition', 'emitFailed'), { type: 'cancelUnfinished' }],
          },
          { guard: is('failCondition'), target: 'failed', actions: act('failCondition', 'emitFailed') },
        ],
      },
      ...(options.bounded ? { ready: { always: { guard: { type: 'hasSlot', params }, target: 'running', actions: act('start') } } } : {}),
      running: {
        entry: act('beginAttempt', 'emitStarted'),
        invoke: {
          id: plan.id,
          src: 'step',
          input: ({ context }: { context: unknown }) => ({ stepId: plan.id, context }),
          onDone: { target: 'done', actions: act('complete', 'emitCompleted') },
          onError: [
            { guard: { type: 'canRetry', params }, target: 'retrying', actions: act('scheduleRetry', 'emitRetrying') },
            { guard: { type: 'routable', params }, target: 'routing', actions: act('recordFailure') },
            abort('abortsWorkflow'),
            { target: 'failed', actions: act('fail', 'emitFailed') },
          ],
        },
        ...(plan.timeoutMs === undefined
          ? {}
          : {
              after: {
                [`timeout_${plan.id}`]: [
                  {
                    guard: { type: 'canRetryTimeout', params },
                    target: 'retrying',
                    actions: [{ type: 'scheduleRetry', params: { ...params, timedOut: true } }, ...act('emitRetrying')],
                  },
                  {
                    guard: { type: 'routable', params: { ...params, timedOut: true } },
                    target: 'routing',
                    actions: [{ type: 'recordFailure', params: { ...params, timedOut: true } }],
                  },
                  abort('abortsWorkflow', true),
                  { target: 'failed', actions: act('failTimeout', 'emitFailed') },
                ],
              },
            }),
      },
      retrying: { after: { [`retry_${plan.id}`]: 'running' } },
      routing: {
        invoke: {
          src: 'route',
          input: ({ context }: { context: unknown }) => ({ stepId: plan.id, context }),
          onDone: [
            { guard: { type: 'decided', params: { action: 'retry' } }, target: 'running', actions: act('applyRetryDecision') },
            { guard: { type: 'decided', params: { action: 'resolved' } }, target: 'done', actions: act('resolveDecision', 'emitCompleted') },
            escalate,
            { target: 'failed', actions: act('failEscalated', 'emitFailed') },
          ],
          onError: [escalate, { target: 'failed', actions: act('failEscalated', 'emitFailed') }],
        },
      },
      done: { type: 'final' },
      failed: { type: 'final' },
      skipped: { type: 'final' },
    },
  };
}
