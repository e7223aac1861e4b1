import { ErrorType, type ErrorInfo } from '../../../errors/ErrorInfo.js';
import type { StepPlan } from '../StepPlan.js';
import type { StepState } from '../WorkflowContext.js';
import type { WorkflowDraft } from '../WorkflowDraft.js';
import { waitTimerId } from '../workflowIds.js';
import type { WorkflowServices } from '../WorkflowServices.js';
import type { WaitPlan } from './StepKind.js';
import { WAIT_TIMEOUT } from './waitKind.js';

/** What the wait rules need of the engine: how a step ends, and the rules of a failed call. */
interface StepEnds {
  completeStep(d: WorkflowDraft, p: StepPlan, output: unknown): void;
  /** Retries (after its delay), routes or fails the step, as for a failed tool call. */
  callFailed(d: WorkflowDraft, p: StepPlan, index: undefined, error: ErrorInfo): void;
}

/**
 * The engine's rules for `wait` steps: park (taking a signal kept for it), wake at the deadline,
 * and deliver a signal to the step parked for it or keep it for the next one.
 */
export function createWaitRules(order: readonly StepPlan[], services: WorkflowServices, steps: StepEnds) {
/** Wait steps by the signal they wait for, in definition order. */
const waitsFor = new Map<string, StepPlan[]>();
for (const p of order) {
  const signal = p.wait?.signal;
  if (signal !== undefined) waitsFor.set(signal, [...(waitsFor.get(signal) ?? []), p]);
}

/**
 * Parks a wait step: it takes the oldest signal kept for it, if any, else waits in phase
 * `waiting` with its deadline (sleep end or signal timeout) as an absolute time in context. A
 * parked wait holds no concurrency slot, so the step that follows a freed slot starts.
 */
const start = (d: WorkflowDraft, p: StepPlan, wait: WaitPlan): void => {
  const now = services.now();
  const previous = d.step(p.id);
  const again = previous.status === 'running'; // a retry after WAIT_TIMEOUT, or a remediation's retry
  const state: StepState = { status: 'running', attempts: previous.attempts + 1, startedAt: again ? (previous.startedAt ?? now) : now, phase: 'waiting' };
  if (again) {
    d.context.running -= 1; // the retry wait or the routing held a slot; a parked wait holds none
    if (previous.routedTo !== undefined) state.routedTo = previous.routedTo;
  }
  if (wait.signal !== undefined) state.signal = wait.signal;
  if (wait.dueInMs !== undefined) state.waitDueAt = now + wait.dueInMs;
  d.replace(p.id, state);
  d.emit({ type: 'step.started', stepId: p.id, tool: p.toolName, attempt: state.attempts });
  const kept = wait.signal === undefined ? undefined : d.context.signals?.[wait.signal];
  if (wait.signal !== undefined && kept !== undefined && kept.length > 0) {
    const [payload, ...rest] = kept;
    const signals = { ...d.context.signals };
    if (rest.length > 0) signals[wait.signal] = rest;
    else delete signals[wait.signal];
    d.context.signals = signals;
    endWait(d, p, payload);
    return;
  }
  if (wait.dueInMs !== undefined) d.effects.push({ type: 'schedule', id: waitTimerId(p.id), delayMs: wait.dueInMs, event: { type: 'step.wake', stepId: p.id } });
};

/** A parked wait's signal came (or its sleep ended): it completes with the payload. */
const endWait = (d: WorkflowDraft, p: StepPlan, output: unknown): void => {
  if (p.wait?.dueInMs !== undefined) d.effects.push({ type: 'cancel', id: waitTimerId(p.id) });
  d.context.running += 1; // completeStep frees a slot; a parked wait held none
  steps.completeStep(d, p, output);
};

/**
 * A parked wait's deadline passed: a sleep completes; a signal wait fails with `WAIT_TIMEOUT`
 * through the rules of a failed call (retry parks it again, routing, then the step fails).
 */
const wake = (d: WorkflowDraft, p: StepPlan): void => {
  if (p.wait?.signal === undefined) return endWait(d, p, null);
  d.context.running += 1; // held while it retries, routes or fails; parking again gives it back
  steps.callFailed(d, p, undefined, { type: ErrorType.timeout, code: WAIT_TIMEOUT, message: `step "${p.id}" got no signal "${p.wait.signal}" within ${p.wait.dueInMs} ms`, retryable: true, tool: p.toolName });
};

  /** Completes the first step parked for `name`, else keeps the payload for the next one. */
  const signal = (d: WorkflowDraft, name: string, payload: unknown): void => {
    const waits = waitsFor.get(name);
    if (!waits) return;
    const parked = waits.find((p) => d.step(p.id).phase === 'waiting' && d.step(p.id).status === 'running');
    if (parked) {
      d.emit({ type: 'step.signalled', stepId: parked.id, tool: parked.toolName, name, buffered: false });
      endWait(d, parked, payload);
      return;
    }
    const next = waits.find((p) => d.step(p.id).status === 'pending') ?? waits[0];
    d.context.signals = { ...d.context.signals, [name]: [...(d.context.signals?.[name] ?? []), payload] };
    if (next) d.emit({ type: 'step.signalled', stepId: next.id, tool: next.toolName, name, buffered: true });
  };

  return { start, wake, signal };
}
