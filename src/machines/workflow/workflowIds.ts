/**
 * The one naming scheme of a compiled workflow's actors, timers and delays. Step ids are
 * identifiers (letters, digits, `_`, `-`), so `:` and `[` never occur in them and every name
 * here reads back unambiguously.
 */

/** The id of a call's tool actor: the step id, or `step[index]` for a map item. */
export function callId(stepId: string, index?: number): string {
  return index === undefined ? stepId : `${stepId}[${index}]`;
}

const STEP_ID = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** Reads a call id back; `undefined` for an id that is not a call's. */
export function parseCallId(id: string): { stepId: string; index?: number } | undefined {
  if (STEP_ID.test(id)) return { stepId: id };
  const match = /^([A-Za-z][A-Za-z0-9_-]*)(?:\[(\d+)\])?$/.exec(id);
  if (!match?.[1]) return undefined;
  return match[2] === undefined ? { stepId: match[1] } : { stepId: match[1], index: Number(match[2]) };
}

/** The supervisor route actor of a failed step. */
export const routeActorId = (stepId: string): string => `route:${stepId}`;

/** Reads a route actor id back to its step id. */
export const routedStepOf = (id: string): string | undefined => (id.startsWith('route:') ? id.slice('route:'.length) : undefined);

/** Delayed-event ids, so a timer can be cancelled when its call settles first. */
export const retryTimerId = (stepId: string, index?: number): string => `retry:${callId(stepId, index)}`;
export const timeoutTimerId = (stepId: string, index?: number): string => `timeout:${callId(stepId, index)}`;
/** The delayed event that ends a `wait` step's sleep or times out its signal wait. */
export const waitTimerId = (stepId: string): string => `wait:${stepId}`;

/** The workflow timeout is an `after` delay of the `running` state. */
export const WORKFLOW_TIMEOUT_DELAY = 'workflow_timeout';

/** The event XState sends itself when the workflow timeout passes (the runtime sends it on restore). */
export function workflowTimeoutEvent(machineId: string): string {
  return `xstate.after.${WORKFLOW_TIMEOUT_DELAY}.${machineId}.running`;
}

/** The key a deadline of a call is stored under: its call id. */
export const deadlineKey = callId;
