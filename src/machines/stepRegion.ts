import type { StepPlan } from './StepPlan.js';

/**
 * The state region of one step: waiting -> ready -> running -> (retrying -> running)* ->
 * done | failed | skipped. Dependencies release it, `hasSlot` enforces the concurrency limit
 * one step per microstep (release order), and timeouts and retry waits are `after` delays.
 */
export function stepRegion(plan: StepPlan): Record<string, unknown> {
  const params = { stepId: plan.id };
  const act = (...types: string[]) => types.map((type) => ({ type, params }));
  const toFailed = { target: 'failed', actions: [...act('fail'), ...act('emitFailed')] };
  return {
    initial: 'waiting',
    states: {
      waiting: {
        always: [
          {
            guard: { type: 'blocked', params },
            target: 'skipped',
            actions: [{ type: 'skip', params: { ...params, reason: 'dependency' } }, ...act('emitSkipped')],
          },
          { guard: { type: 'whenError', params }, target: 'failed', actions: act('failCondition', 'emitFailed') },
          {
            guard: { type: 'whenFalse', params },
            target: 'skipped',
            actions: [{ type: 'skip', params: { ...params, reason: 'condition' } }, ...act('emitSkipped')],
          },
          { guard: { type: 'released', params }, target: 'ready', actions: act('enqueue') },
        ],
      },
      ready: {
        always: { guard: { type: 'hasSlot', params }, target: 'running', actions: act('start') },
      },
      running: {
        entry: act('beginAttempt', 'emitStarted'),
        invoke: {
          id: plan.id,
          src: 'step',
          input: ({ context }: { context: unknown }) => ({ stepId: plan.id, context }),
          onDone: { target: 'done', actions: act('complete', 'emitCompleted') },
          onError: [{ guard: { type: 'canRetry', params }, target: 'retrying', actions: act('scheduleRetry', 'emitRetrying') }, toFailed],
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
                  { target: 'failed', actions: act('failTimeout', 'emitFailed') },
                ],
              },
            }),
      },
      retrying: { after: { [`retry_${plan.id}`]: 'running' } },
      done: { type: 'final' },
      failed: { type: 'final' },
      skipped: { type: 'final' },
    },
  };
}
