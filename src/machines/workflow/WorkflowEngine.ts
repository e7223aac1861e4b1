import type { WorkflowDefinition } from '../../definition/WorkflowDefinitionSchema.js';
import { ErrorType, type ErrorInfo } from '../../errors/ErrorInfo.js';
import { toErrorInfo } from '../../errors/toErrorInfo.js';
import type { RouteDecision } from '../supervisor/RouteDecision.js';
import { decideRelease } from './decideRelease.js';
import { MAP_ITEMS_NOT_ARRAY, MAP_TOO_MANY_FAILURES } from './kinds/mapKind.js';
import type { WaitPlan } from './kinds/StepKind.js';
import { WAIT_TIMEOUT } from './kinds/waitKind.js';
import { resolveStepInput, stepScope } from './resolveStepInput.js';
import { restartDelay } from './restartDelay.js';
import { retryDelay } from './retryDelay.js';
import { routingRequest, type RouteCallInput } from './routeActor.js';
import type { StepPlan } from './StepPlan.js';
import type { ToolCallInput } from './toolActor.js';
import type { CallState, ItemsState, StepState, WorkflowContext, WorkflowEmitted, WorkflowTimerEvent } from './WorkflowContext.js';
import { callId, retryTimerId, routeActorId, timeoutTimerId, waitTimerId } from './workflowIds.js';
import type { WorkflowServices } from './WorkflowServices.js';

/** What the machine does after the engine decided: XState actions, applied in order. */
export type Effect =
  | { type: 'spawn'; id: string; input: ToolCallInput }
  | { type: 'route'; id: string; input: RouteCallInput }
  | { type: 'stop'; id: string }
  | { type: 'schedule'; id: string; event: WorkflowTimerEvent; delayMs: number }
  | { type: 'cancel'; id: string }
  | { type: 'emit'; event: WorkflowEmitted };

/** The next context and the effects that go with it. */
export interface Transition {
  context: WorkflowContext;
  effects: Effect[];
}

const TERMINAL = new Set(['completed', 'failed', 'skipped', 'cancelled']);

/**
 * A step's record once it ended: what it did (attempts, times, items, routing), without the
 * bookkeeping of a call in flight (phase, pending retry, the error of an earlier attempt).
 * Spelled out: object rest with excluded keys is a slow path in V8, and this runs per step.
 */
function finished(step: StepState, status: StepState['status'], finishedAt: number, output: unknown): StepState {
  const next: StepState = { status, attempts: step.attempts, finishedAt };
  if (output !== undefined) next.output = output;
  if (step.startedAt !== undefined) next.startedAt = step.startedAt;
  if (step.attemptStartedAt !== undefined) next.attemptStartedAt = step.attemptStartedAt;
  if (step.routedTo !== undefined) next.routedTo = step.routedTo;
  if (step.patchedInput !== undefined) next.patchedInput = step.patchedInput;
  if (step.skipReason !== undefined) next.skipReason = step.skipReason;
  if (step.items !== undefined) next.items = step.items;
  return next;
}

/**
 * The scheduling rules of a compiled workflow, as pure functions from a context and an event to
 * the next context and its effects (spawn a tool actor, schedule a retry, emit a bus event...).
 * The machine (`compileWorkflow`) holds one `running` state whose transitions call these and
 * apply the effects with XState's own actions, so a step costs one transition per call outcome,
 * whatever the shape of the graph: the scheduler touches only the dependents of a settled step.
 *
 * A step is one call (`tool`) or one call per item (`map`); both go through the same call
 * rules: attempts, retry policy, timeout, crash restarts, and (for one call) failure routing.
 * A `wait` step makes no call: it parks in phase `waiting` until its signal or its deadline.
 */
export function createWorkflowEngine(definition: WorkflowDefinition, plans: ReadonlyMap<string, StepPlan>, services: WorkflowServices) {
  const order = [...plans.values()];
  const concurrency = definition.concurrency ?? Infinity;
  const allowedFailures = definition.errorPolicy.mode === 'fail_fast' ? 0 : (definition.errorPolicy.maxFailures ?? Infinity);
  const plan = (stepId: string): StepPlan => plans.get(stepId) as StepPlan;
  /** Wait steps by the signal they wait for, in definition order. */
  const waitsFor = new Map<string, StepPlan[]>();
  for (const p of order) {
    const signal = p.wait?.signal;
    if (signal !== undefined) waitsFor.set(signal, [...(waitsFor.get(signal) ?? []), p]);
  }

  /**
   * A context being changed. Copy on first write, once per event: the context and its step
   * record map when the event starts, a step's record (and a map's items) the first time the
   * event changes it; after that the event changes its own copies in place. So starting 50 items
   * in one event copies the items once, not 50 times, and the snapshot before the event is
   * never touched.
   */
  class Draft {
    readonly context: WorkflowContext;
    readonly steps: Record<string, StepState>;
    readonly effects: Effect[] = [];
    // Ids whose record (and items) this event copied; an event touches one or two steps, so a
    // short array, made on first use, is cheaper than a Set per event.
    private owned: string[] | undefined;
    private ownedItems: string[] | undefined;
    constructor(base: WorkflowContext) {
      this.steps = { ...base.steps };
      this.context = { ...base, steps: this.steps };
    }
    step(id: string): StepState {
      return this.steps[id] as StepState;
    }
    /** This event's own copy of a step's record. */
    own(id: string): StepState {
      if (this.owned?.includes(id) !== true) {
        (this.owned ??= []).push(id);
        this.steps[id] = { ...this.step(id) };
      }
      return this.steps[id] as StepState;
    }
    /** Replaces a step's record with one this event built. */
    replace(id: string, step: StepState): void {
      if (this.owned?.includes(id) !== true) (this.owned ??= []).push(id);
      if (this.ownedItems?.includes(id) === true) this.ownedItems = this.ownedItems.filter((owned) => owned !== id);
      this.steps[id] = step;
    }
    set(id: string, changes: Partial<StepState>): StepState {
      if (this.owned?.includes(id) === true) return Object.assign(this.steps[id] as StepState, changes);
      (this.owned ??= []).push(id);
      return (this.steps[id] = { ...this.step(id), ...changes });
    }
    /** This event's own copy of a map step's items (and of their calls and outputs). */
    items(id: string): ItemsState {
      const step = this.own(id);
      if (this.ownedItems?.includes(id) !== true) {
        (this.ownedItems ??= []).push(id);
        const items = step.items as ItemsState;
        step.items = { ...items, calls: { ...items.calls }, outputs: items.outputs.slice() };
      }
      return step.items as ItemsState;
    }
    emit(event: WorkflowEmitted): void {
      this.effects.push({ type: 'emit', event });
    }
    done(): Transition {
      return { context: this.context, effects: this.effects };
    }
  }

  const evaluateWhen = (context: WorkflowContext, stepId: string): boolean | ErrorInfo => {
    const p = plan(stepId);
    if (!p.when) return true;
    try {
      return p.when.evaluate(stepScope(p, context, services)) === true;
    } catch (error) {
      return { ...toErrorInfo(error), retryable: false };
    }
  };

  // --- calls: one per tool step, one per map item -------------------------------------------

  const callOf = (d: Draft, p: StepPlan, index: number | undefined): CallState =>
    index === undefined ? d.step(p.id) : ((d.step(p.id).items as ItemsState).calls[index] ?? { attempts: 0 });

  const setCall = (d: Draft, p: StepPlan, index: number | undefined, call: CallState): void => {
    if (index === undefined) d.set(p.id, call);
    else d.items(p.id).calls[index] = call;
  };

  const timeoutError = (p: StepPlan): ErrorInfo => ({
    type: ErrorType.timeout,
    code: 'STEP_TIMEOUT',
    message: `step "${p.id}" did not finish within ${p.timeoutMs} ms`,
    retryable: true,
    tool: p.toolName,
  });

  const canRetry = (p: StepPlan, call: CallState, error: ErrorInfo): boolean => {
    if (error.retryable === false) return false;
    if (restartDelay(error) !== undefined) return true; // a crash its restart strategy restarts
    return p.retry !== undefined && call.attempts < p.retry.maxAttempts;
  };

  const beginAttempt = (d: Draft, p: StepPlan, index: number | undefined): void => {
    const previous = callOf(d, p, index);
    const attempt = previous.attempts + 1;
    const call: CallState = { ...previous, attempts: attempt, phase: 'running', attemptStartedAt: services.now() };
    if (call.retryDueAt !== undefined) {
      // The retry this attempt answers is no longer pending (rare: a spread is not worth avoiding here).
      delete call.retryDueAt;
      delete call.retryDelayMs;
    }
    if (index === undefined) d.replace(p.id, call as StepState);
    else setCall(d, p, index, call);
    if (index !== undefined) {
      const items = d.items(p.id);
      items.attempts += 1;
      d.set(p.id, { attempts: items.attempts });
    }
    let input: unknown;
    try {
      input = resolveStepInput(p, d.context, services, call, index);
    } catch (error) {
      const info = toErrorInfo(error);
      settleCall(d, p, index, { ...info, code: 'EXPRESSION_FAILED', type: ErrorType.expression, retryable: false, tool: p.toolName });
      return;
    }
    const { executionId, correlationId, sessionId } = d.context;
    const spawn: ToolCallInput = { executionId, correlationId, sessionId, stepId: p.id, tool: p.toolName, attempt, input };
    if (index !== undefined) spawn.index = index;
    d.effects.push({ type: 'spawn', id: callId(p.id, index), input: spawn });
    if (p.timeoutMs !== undefined) {
      d.effects.push({ type: 'schedule', id: timeoutTimerId(p.id, index), delayMs: p.timeoutMs, event: { type: 'step.timeout', stepId: p.id, attempt, ...(index === undefined ? {} : { index }) } });
    }
    d.emit(index === undefined ? { type: 'step.started', stepId: p.id, tool: p.toolName, attempt } : { type: 'item.started', stepId: p.id, tool: p.toolName, index, attempt });
  };

  /** A call failed (its tool threw, or it timed out): retry it, route it, or let it fail. */
  const callFailed = (d: Draft, p: StepPlan, index: number | undefined, error: ErrorInfo): void => {
    const call = callOf(d, p, index);
    if (canRetry(p, call, error)) {
      const delayMs = restartDelay(error) ?? (p.retry ? retryDelay(p.retry, call.attempts, () => services.random()) : 0);
      setCall(d, p, index, { ...call, phase: 'retrying', error, retryDelayMs: delayMs, retryDueAt: services.now() + delayMs });
      d.effects.push({ type: 'schedule', id: retryTimerId(p.id, index), delayMs, event: { type: 'step.retry', stepId: p.id, ...(index === undefined ? {} : { index }) } });
      const event = { stepId: p.id, tool: p.toolName, attempt: call.attempts, delayMs, error };
      d.emit(index === undefined ? { type: 'step.retrying', ...event } : { type: 'item.retrying', ...event, index });
      return;
    }
    if (index === undefined) {
      const request = routingRequest(p, d.context, error, services);
      if (services.hasRoute(request, request.stepRules ?? [])) {
        setCall(d, p, index, { ...call, phase: 'routing', error });
        d.effects.push({ type: 'route', id: routeActorId(p.id), input: request });
        return;
      }
    }
    settleCall(d, p, index, error);
  };

  /** A call ended for good: with its output, or with the error it failed with. */
  const settleCall = (d: Draft, p: StepPlan, index: number | undefined, error: ErrorInfo | undefined, output?: unknown): void => {
    if (index === undefined) {
      if (error) failStep(d, p, error);
      else completeStep(d, p, output);
      return;
    }
    const next = d.items(p.id);
    const call = next.calls[index] ?? { attempts: 1 };
    delete next.calls[index];
    if (!error) next.outputs[index] = output;
    next.running -= 1;
    if (error) next.failed += 1;
    else next.completed += 1;
    const event = { stepId: p.id, tool: p.toolName, index, attempt: call.attempts };
    d.emit(error ? { type: 'item.failed', ...event, error } : { type: 'item.completed', ...event });
    const fanOut = p.fanOut;
    if (error && fanOut && next.failed > fanOut.maxFailures) {
      stopItems(d, p);
      failStep(d, p, {
        type: ErrorType.execution,
        code: MAP_TOO_MANY_FAILURES,
        message: `${next.failed} of ${next.total} items of step "${p.id}" failed (maxFailures ${fanOut.maxFailures}); last: ${error.code}: ${error.message}`,
        retryable: false,
        tool: p.toolName,
        details: { index, cause: error },
      });
      return;
    }
    fillItems(d, p);
  };

  /** Starts items while the map's concurrency allows; completes the step when all settled. */
  const fillItems = (d: Draft, p: StepPlan): void => {
    const limit = p.fanOut?.concurrency ?? Infinity;
    for (;;) {
      const items = d.items(p.id);
      if (items.completed + items.failed === items.total) {
        completeStep(d, p, items.outputs);
        return;
      }
      if (items.started >= items.total || items.running >= limit) return;
      const index = items.started;
      items.started += 1;
      items.running += 1;
      beginAttempt(d, p, index);
      if (d.step(p.id).status !== 'running') return;
    }
  };

  /** Stops a map's running items and counts the ones that will not finish as cancelled. */
  const stopItems = (d: Draft, p: StepPlan): void => {
    const items = d.step(p.id).items;
    if (!items) return;
    for (const key of Object.keys(items.calls)) {
      const index = Number(key);
      d.effects.push({ type: 'stop', id: callId(p.id, index) });
      if (items.calls[key]?.phase === 'retrying') d.effects.push({ type: 'cancel', id: retryTimerId(p.id, index) });
      if (p.timeoutMs !== undefined) d.effects.push({ type: 'cancel', id: timeoutTimerId(p.id, index) });
    }
    const owned = d.items(p.id);
    owned.calls = {};
    owned.running = 0;
    owned.cancelled = owned.total - owned.completed - owned.failed;
  };

  // --- steps ---------------------------------------------------------------------------------

  const startStep = (d: Draft, p: StepPlan): void => {
    if (p.wait) return startWait(d, p, p.wait);
    d.context.running += 1;
    d.set(p.id, { status: 'running', startedAt: services.now(), phase: 'running' });
    if (!p.fanOut) {
      beginAttempt(d, p, undefined);
      return;
    }
    let values: unknown;
    try {
      values = p.fanOut.items.evaluate(stepScope(p, d.context, services));
    } catch (error) {
      failStep(d, p, { ...toErrorInfo(error), code: 'EXPRESSION_FAILED', type: ErrorType.expression, retryable: false, tool: p.toolName });
      return;
    }
    if (!Array.isArray(values)) {
      const got = values === null ? 'null' : typeof values;
      failStep(d, p, { type: ErrorType.validation, code: MAP_ITEMS_NOT_ARRAY, message: `map.items of step "${p.id}" must yield an array, got ${got}`, retryable: false, tool: p.toolName });
      return;
    }
    d.set(p.id, { items: { total: values.length, completed: 0, failed: 0, cancelled: 0, attempts: 0, started: 0, running: 0, values, outputs: values.map(() => null), calls: {} } });
    d.emit({ type: 'step.started', stepId: p.id, tool: p.toolName, attempt: 1 });
    fillItems(d, p);
  };

  // --- waits: no call, no slot; a signal or a deadline ends them ------------------------------

  /**
   * Parks a wait step: it takes the oldest signal kept for it, if any, else waits in phase
   * `waiting` with its deadline (sleep end or signal timeout) as an absolute time in context. A
   * parked wait holds no concurrency slot, so the step that follows a freed slot starts.
   */
  const startWait = (d: Draft, p: StepPlan, wait: WaitPlan): void => {
    const now = services.now();
    const state: StepState = { status: 'running', attempts: 1, startedAt: now, phase: 'waiting' };
    if (wait.signal !== undefined) state.signal = wait.signal;
    if (wait.dueInMs !== undefined) state.waitDueAt = now + wait.dueInMs;
    d.replace(p.id, state);
    d.emit({ type: 'step.started', stepId: p.id, tool: p.toolName, attempt: 1 });
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
  const endWait = (d: Draft, p: StepPlan, output: unknown): void => {
    if (p.wait?.dueInMs !== undefined) d.effects.push({ type: 'cancel', id: waitTimerId(p.id) });
    d.context.running += 1; // completeStep frees a slot; a parked wait held none
    completeStep(d, p, output);
  };

  /** A parked wait's deadline passed: a sleep completes, a signal wait fails with `WAIT_TIMEOUT`. */
  const wake = (d: Draft, p: StepPlan): void => {
    if (p.wait?.signal === undefined) return endWait(d, p, null);
    d.context.running += 1;
    failStep(d, p, { type: ErrorType.timeout, code: WAIT_TIMEOUT, message: `step "${p.id}" got no signal "${p.wait.signal}" within ${p.wait.dueInMs} ms`, retryable: false, tool: p.toolName });
  };

  const completeStep = (d: Draft, p: StepPlan, output: unknown): void => {
    const previous = d.step(p.id);
    d.replace(p.id, finished(previous, 'completed', services.now(), output));
    d.context.running -= 1;
    d.emit({ type: 'step.completed', stepId: p.id, tool: p.toolName, attempt: Math.max(1, previous.attempts) });
    settled(d, p);
  };

  /** Fails a step; past the error policy the whole run fails (the machine leaves `running`). */
  const failStep = (d: Draft, p: StepPlan, error: ErrorInfo, wasRunning = true): void => {
    const previous = d.step(p.id);
    d.replace(p.id, { ...finished(previous, 'failed', services.now(), previous.output), error });
    if (wasRunning) d.context.running -= 1;
    if (p.fatal) {
      d.context.failures += 1;
      if (d.context.failedStep === undefined) {
        d.context.failedStep = p.id;
        d.context.error = error;
      }
    }
    d.emit({ type: 'step.failed', stepId: p.id, tool: p.toolName, attempt: previous.attempts, error });
    if (p.fatal && d.context.failures > allowedFailures) {
      d.context.aborted = true;
      return;
    }
    settled(d, p);
  };

  const skipStep = (d: Draft, p: StepPlan, reason: 'condition' | 'dependency'): void => {
    d.set(p.id, { status: 'skipped', skipReason: reason, finishedAt: services.now() });
    d.emit({ type: 'step.skipped', stepId: p.id, tool: p.toolName, reason });
    settled(d, p);
  };

  /** A step reached a final status: its dependents may be released, and its slot is free. */
  const settled = (d: Draft, p: StepPlan): void => {
    d.context.open -= 1;
    for (const dependent of p.dependents) consider(d, plan(dependent));
    pump(d);
  };

  /** Releases, skips or fails a pending step whose dependencies may have settled. */
  const consider = (d: Draft, p: StepPlan): void => {
    if (d.context.aborted) return;
    const state = d.step(p.id);
    if (state.status !== 'pending' || state.phase === 'queued') return;
    switch (decideRelease(d.context, p, evaluateWhen)) {
      case 'wait':
        return;
      case 'skipDependency':
        return skipStep(d, p, 'dependency');
      case 'skipCondition':
        return skipStep(d, p, 'condition');
      case 'failCondition': {
        const result = evaluateWhen(d.context, p.id);
        return failStep(d, p, typeof result === 'object' ? result : toErrorInfo(result), false);
      }
      case 'start':
        if (d.context.running < concurrency && d.context.queue.length === 0) return startStep(d, p);
        d.set(p.id, { phase: 'queued' });
        d.context.queue = [...d.context.queue, p.id];
    }
  };

  /** Starts queued steps while slots are free. */
  const pump = (d: Draft): void => {
    while (!d.context.aborted && d.context.queue.length > 0 && d.context.running < concurrency) {
      const [next, ...rest] = d.context.queue as [string, ...string[]];
      d.context.queue = rest;
      startStep(d, plan(next));
    }
  };

  /** A call's tool actor settled: drop it, and its attempt timer when it has one. */
  const endCall = (d: Draft, p: StepPlan, index: number | undefined): void => {
    d.effects.push({ type: 'stop', id: callId(p.id, index) });
    if (p.timeoutMs !== undefined) d.effects.push({ type: 'cancel', id: timeoutTimerId(p.id, index) });
  };

  const live = (d: Draft, stepId: string, index: number | undefined, phase: CallState['phase']): StepPlan | undefined => {
    const p = plans.get(stepId);
    if (!p || d.step(p.id).status !== 'running' || d.context.aborted) return undefined;
    if (index !== undefined && d.step(p.id).items?.calls[index] === undefined) return undefined;
    return callOf(d, p, index).phase === phase ? p : undefined;
  };

  return {
    /** Releases the steps without dependencies. */
    begin(context: WorkflowContext): Transition {
      const d = new Draft(context);
      for (const p of order) if (p.dependsOn.length === 0) consider(d, p);
      return d.done();
    },

    /** A call's tool actor resolved. */
    callDone(context: WorkflowContext, stepId: string, index: number | undefined, output: unknown): Transition {
      const d = new Draft(context);
      const p = live(d, stepId, index, 'running');
      if (!p) return d.done();
      endCall(d, p, index);
      settleCall(d, p, index, undefined, output);
      return d.done();
    },

    /** A call's tool actor rejected. */
    callError(context: WorkflowContext, stepId: string, index: number | undefined, error: unknown): Transition {
      const d = new Draft(context);
      const p = live(d, stepId, index, 'running');
      if (!p) return d.done();
      endCall(d, p, index);
      callFailed(d, p, index, toErrorInfo(error));
      return d.done();
    },

    /** A retry wait or an attempt's time limit passed. */
    timer(context: WorkflowContext, event: WorkflowTimerEvent): Transition {
      const d = new Draft(context);
      if (event.type === 'step.retry') {
        const p = live(d, event.stepId, event.index, 'retrying');
        if (p) beginAttempt(d, p, event.index);
        return d.done();
      }
      if (event.type === 'step.wake') {
        const p = live(d, event.stepId, undefined, 'waiting');
        if (p) wake(d, p);
        return d.done();
      }
      const p = live(d, event.stepId, event.index, 'running');
      if (!p || callOf(d, p, event.index).attempts !== event.attempt) return d.done();
      d.effects.push({ type: 'stop', id: callId(event.stepId, event.index) });
      callFailed(d, p, event.index, timeoutError(p));
      return d.done();
    },

    /**
     * A signal for the run's waits: completes the first step parked for it (definition order),
     * else is kept, after the ones kept before, for the next step that waits for it.
     */
    signal(context: WorkflowContext, name: string, payload: unknown): Transition {
      const d = new Draft(context);
      const waits = waitsFor.get(name);
      if (!waits || d.context.aborted) return d.done();
      const parked = waits.find((p) => d.step(p.id).phase === 'waiting' && d.step(p.id).status === 'running');
      if (parked) {
        d.emit({ type: 'step.signalled', stepId: parked.id, tool: parked.toolName, name, buffered: false });
        endWait(d, parked, payload);
        return d.done();
      }
      const next = waits.find((p) => d.step(p.id).status === 'pending') ?? waits[0];
      d.context.signals = { ...d.context.signals, [name]: [...(d.context.signals?.[name] ?? []), payload] };
      if (next) d.emit({ type: 'step.signalled', stepId: next.id, tool: next.toolName, name, buffered: true });
      return d.done();
    },

    /** The supervisor decided about a routed failure (`undefined`: the route actor failed). */
    routed(context: WorkflowContext, stepId: string, decision: RouteDecision | undefined, failure?: unknown): Transition {
      const d = new Draft(context);
      const p = live(d, stepId, undefined, 'routing');
      if (!p) return d.done();
      d.effects.push({ type: 'stop', id: routeActorId(stepId) });
      const call = callOf(d, p, undefined);
      const routedTo = [...(call.routedTo ?? []), ...(decision?.routedTo ?? [])];
      if (decision?.action === 'retry') {
        setCall(d, p, undefined, { ...call, routedTo, ...(decision.patchedInput ? { patchedInput: decision.patchedInput } : {}) });
        beginAttempt(d, p, undefined);
      } else if (decision?.action === 'resolved') {
        setCall(d, p, undefined, { ...call, routedTo });
        completeStep(d, p, decision.output ?? null);
      } else {
        const recorded = call.error ?? toErrorInfo(failure);
        const error: ErrorInfo = decision ? { ...recorded, details: { routing: decision.reason, ...(decision.error ? { routingError: decision.error } : {}) } } : recorded;
        setCall(d, p, undefined, { ...call, routedTo });
        failStep(d, p, error);
      }
      return d.done();
    },

    /** Marks every unfinished step cancelled (cancel, workflow timeout, a failure past the policy). */
    cancelUnfinished(context: WorkflowContext): WorkflowContext {
      const now = services.now();
      const steps: Record<string, StepState> = {};
      for (const [id, step] of Object.entries(context.steps)) {
        if (TERMINAL.has(step.status)) {
          steps[id] = step;
          continue;
        }
        const { phase: _phase, ...rest } = step;
        const items = rest.items ? { ...rest.items, calls: {}, running: 0, cancelled: rest.items.total - rest.items.completed - rest.items.failed } : undefined;
        steps[id] = { ...rest, status: 'cancelled', finishedAt: now, ...(items ? { items } : {}) };
      }
      return { ...context, steps, running: 0, queue: [], open: 0 };
    },
  };
}

export type WorkflowEngine = ReturnType<typeof createWorkflowEngine>;
