import { WaitStepSchema } from '../../../definition/steps/WaitStepSchema.js';
import type { StepKind } from './StepKind.js';

/** Step-level failure of a signal wait whose `timeoutMs` passed before its signal came. */
export const WAIT_TIMEOUT = 'WAIT_TIMEOUT';

/** What the exploration model draws for a wait: its signal came (or its sleep ended: `OK`), or its time limit passed. */
const SIGNAL_OUTCOME = 'OK';

/**
 * `wait`: parks the run without a tool actor until `runtime.signal(executionId, signal, payload)`
 * (output: the payload; `timeoutMs` fails it with `WAIT_TIMEOUT`, which `onError` and routing
 * handle as any failure: a remediation's retry parks it again with a new time limit), or for `durationMs` (durable
 * sleep, output `null`). Its deadline is an absolute time in context, so a restored run waits
 * only what is left.
 */
export const waitKind: StepKind = {
  key: 'wait',
  schema: WaitStepSchema,
  plan(step) {
    if (!('wait' in step)) return { expressions: [] };
    const { signal, durationMs } = step.wait;
    const dueInMs = signal === undefined ? durationMs : step.wait.timeoutMs;
    return { wait: { ...(signal === undefined ? {} : { signal }), ...(dueInMs === undefined ? {} : { dueInMs }) }, expressions: [] };
  },
  diagram: (step) => ({
    shape: 'box',
    detail: 'wait' in step ? (step.wait.signal === undefined ? `wait ${step.wait.durationMs} ms` : `wait for signal ${step.wait.signal}`) : 'wait',
  }),
  modelOutcomes: (step) => ('wait' in step && step.wait.signal !== undefined && step.wait.timeoutMs !== undefined ? [SIGNAL_OUTCOME, WAIT_TIMEOUT] : [SIGNAL_OUTCOME]),
};
