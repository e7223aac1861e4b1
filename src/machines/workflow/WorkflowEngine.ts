import type { WorkflowDefinition } from '../../definition/WorkflowDefinitionSchema.js';
import { ErrorType, type ErrorInfo } from '../../errors/ErrorInfo.js';
import { toErrorInfo } from '../../errors/toErrorInfo.js';
import type { RouteDecision } from '../supervisor/RouteDecision.js';
import { decideRelease } from './decideRelease.js';
import { itemList } from './ItemTable.js';
import { MAP_ITEMS_NOT_ARRAY, MAP_TOO_MANY_FAILURES } from './kinds/mapKind.js';
import { createWaitRules } from './kinds/waitRules.js';
import { resolveStepInput, stepScope } from './resolveStepInput.js';
import { restartDelay } from './restartDelay.js';
import { retryDelay } from './retryDelay.js';
import { routingRequest } from './routeActor.js';
import type { StepPlan } from './StepPlan.js';
import { stepLayout } from './StepTable.js';
import type { ToolCallInput } from './toolActor.js';
import type { CallState, StepState, WorkflowContext, WorkflowTimerEvent } from './WorkflowContext.js';
import { callId, retryTimerId, routeActorId, timeoutTimerId } from './workflowIds.js';
import type { WorkflowServices } from './WorkflowServices.js';
import { cancelUnfinished, finished, WorkflowDraft, type Transition } from './WorkflowDraft.js';

export type { Effect, Transition } from './WorkflowDraft.js';

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
  const layout = stepLayout(order.map((p) => p.id));
  const concurrency = definition.concurrency ?? Infinity;
  const allowedFailures = definition.errorPolicy.mode === 'fail_fast' ? 0 : (definition.errorPolicy.maxFailures ?? Infinity);
  const plan = (stepId: string): StepPlan => plans.get(stepId) as StepPlan;
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

  const beginAttempt = (d: WorkflowDraft, p: StepPlan, index: number | undefined): void => {
    if (p.wait) return waits.start(d, p, p.wait); // a wait's next attempt parks again
    const previous = d.call(p.id, index);
    const attempt = previous.attempts + 1;
    const call: CallState = { ...previous, attempts: attempt, phase: 'running', attemptStartedAt: services.now() };
    if (call.retryDueAt !== undefined) {
      // The retry this attempt answers is no longer pending (rare: a spread is not worth avoiding here).
      delete call.retryDueAt;
      delete call.retryDelayMs;
    }
    if (index === undefined) d.replace(p.id, call as StepState);
    else d.setCall(p.id, index, call);
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
  const callFailed = (d: WorkflowDraft, p: StepPlan, index: number | undefined, error: ErrorInfo): void => {
    const call = d.call(p.id, index);
    if (canRetry(p, call, error)) {
      const delayMs = restartDelay(error) ?? (p.retry ? retryDelay(p.retry, call.attempts, () => services.random()) : 0);
      d.setCall(p.id, index, { ...call, phase: 'retrying', error, retryDelayMs: delayMs, retryDueAt: services.now() + delayMs });
      d.effects.push({ type: 'schedule', id: retryTimerId(p.id, index), delayMs, event: { type: 'step.retry', stepId: p.id, ...(index === undefined ? {} : { index }) } });
      const event = { stepId: p.id, tool: p.toolName, attempt: call.attempts, delayMs, error };
      d.emit(index === undefined ? { type: 'step.retrying', ...event } : { type: 'item.retrying', ...event, index });
      return;
    }
    if (index === undefined) {
      const request = routingRequest(p, d.context, error, services);
      if (services.hasRoute(request, request.stepRules ?? [])) {
        d.setCall(p.id, index, { ...call, phase: 'routing', error });
        d.effects.push({ type: 'route', id: routeActorId(p.id), input: request });
        return;
      }
    }
    settleCall(d, p, index, error);
  };

  /** A call ended for good: with its output, or with the error it failed with. */
  const settleCall = (d: WorkflowDraft, p: StepPlan, index: number | undefined, error: ErrorInfo | undefined, output?: unknown): void => {
    if (index === undefined) {
      if (error) failStep(d, p, error);
      else completeStep(d, p, output);
      return;
    }
    const call = d.liveItem(p.id, index) ?? { attempts: 1 };
    d.endItem(p.id, index);
    if (!error) d.setOutput(p.id, index, output);
    const next = d.items(p.id);
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
  const fillItems = (d: WorkflowDraft, p: StepPlan): void => {
    const limit = p.fanOut?.concurrency ?? Infinity;
    for (;;) {
      const items = d.items(p.id);
      if (items.completed + items.failed === items.total) {
        completeStep(d, p, itemList(items.outputs, items.total));
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
  const stopItems = (d: WorkflowDraft, p: StepPlan): void => {
    if (!d.step(p.id).items) return;
    for (const [index, call] of d.liveItems(p.id)) {
      d.effects.push({ type: 'stop', id: callId(p.id, index) });
      if (call.phase === 'retrying') d.effects.push({ type: 'cancel', id: retryTimerId(p.id, index) });
      if (p.timeoutMs !== undefined) d.effects.push({ type: 'cancel', id: timeoutTimerId(p.id, index) });
    }
    const owned = d.items(p.id);
    owned.calls = [];
    owned.running = 0;
    owned.cancelled = owned.total - owned.completed - owned.failed;
  };

  // --- steps ---------------------------------------------------------------------------------

  const startStep = (d: WorkflowDraft, p: StepPlan): void => {
    if (p.wait) return waits.start(d, p, p.wait);
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
    d.set(p.id, { items: { total: values.length, completed: 0, failed: 0, cancelled: 0, attempts: 0, started: 0, running: 0, values, outputs: [], calls: [] } });
    d.emit({ type: 'step.started', stepId: p.id, tool: p.toolName, attempt: 1 });
    fillItems(d, p);
  };

  // --- waits: no call, no slot; a signal or a deadline ends them ------------------------------

  const completeStep = (d: WorkflowDraft, p: StepPlan, output: unknown): void => {
    const previous = d.step(p.id);
    d.replace(p.id, finished(previous, 'completed', services.now(), output));
    d.context.running -= 1;
    d.emit({ type: 'step.completed', stepId: p.id, tool: p.toolName, attempt: Math.max(1, previous.attempts) });
    settled(d, p);
  };

  /** Fails a step; past the error policy the whole run fails (the machine leaves `running`). */
  const failStep = (d: WorkflowDraft, p: StepPlan, error: ErrorInfo, wasRunning = true): void => {
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

  const waits = createWaitRules(order, services, { completeStep, callFailed });

  const skipStep = (d: WorkflowDraft, p: StepPlan, reason: 'condition' | 'dependency'): void => {
    d.set(p.id, { status: 'skipped', skipReason: reason, finishedAt: services.now() });
    d.emit({ type: 'step.skipped', stepId: p.id, tool: p.toolName, reason });
    settled(d, p);
  };

  /** A step reached a final status: its dependents may be released, and its slot is free. */
  const settled = (d: WorkflowDraft, p: StepPlan): void => {
    d.context.open -= 1;
    for (const dependent of p.dependents) consider(d, plan(dependent));
    pump(d);
  };

  /** Releases, skips or fails a pending step whose dependencies may have settled. */
  const consider = (d: WorkflowDraft, p: StepPlan): void => {
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
  const pump = (d: WorkflowDraft): void => {
    while (!d.context.aborted && d.context.queue.length > 0 && d.context.running < concurrency) {
      const [next, ...rest] = d.context.queue as [string, ...string[]];
      d.context.queue = rest;
      startStep(d, plan(next));
    }
  };

  /** A call's tool actor settled: drop it, and its attempt timer when it has one. */
  const endCall = (d: WorkflowDraft, p: StepPlan, index: number | undefined): void => {
    d.effects.push({ type: 'stop', id: callId(p.id, index) });
    if (p.timeoutMs !== undefined) d.effects.push({ type: 'cancel', id: timeoutTimerId(p.id, index) });
  };

  const live = (d: WorkflowDraft, stepId: string, index: number | undefined, phase: CallState['phase']): StepPlan | undefined => {
    const p = plans.get(stepId);
    if (!p || d.step(p.id).status !== 'running' || d.context.aborted) return undefined;
    if (index !== undefined && d.liveItem(p.id, index) === undefined) return undefined;
    return d.call(p.id, index).phase === phase ? p : undefined;
  };

  return {
    /** Releases the steps without dependencies. */
    begin(context: WorkflowContext): Transition {
      const d = new WorkflowDraft(context, layout);
      for (const p of order) if (p.dependsOn.length === 0) consider(d, p);
      return d.done();
    },

    /** A call's tool actor resolved. */
    callDone(context: WorkflowContext, stepId: string, index: number | undefined, output: unknown): Transition {
      const d = new WorkflowDraft(context, layout);
      const p = live(d, stepId, index, 'running');
      if (!p) return d.done();
      endCall(d, p, index);
      settleCall(d, p, index, undefined, output);
      return d.done();
    },

    /** A call's tool actor rejected. */
    callError(context: WorkflowContext, stepId: string, index: number | undefined, error: unknown): Transition {
      const d = new WorkflowDraft(context, layout);
      const p = live(d, stepId, index, 'running');
      if (!p) return d.done();
      endCall(d, p, index);
      callFailed(d, p, index, toErrorInfo(error));
      return d.done();
    },

    /** A retry wait or an attempt's time limit passed. */
    timer(context: WorkflowContext, event: WorkflowTimerEvent): Transition {
      const d = new WorkflowDraft(context, layout);
      if (event.type === 'step.retry') {
        const p = live(d, event.stepId, event.index, 'retrying');
        if (p) beginAttempt(d, p, event.index);
        return d.done();
      }
      if (event.type === 'step.wake') {
        const p = live(d, event.stepId, undefined, 'waiting');
        if (p) waits.wake(d, p);
        return d.done();
      }
      const p = live(d, event.stepId, event.index, 'running');
      if (!p || d.call(p.id, event.index).attempts !== event.attempt) return d.done();
      d.effects.push({ type: 'stop', id: callId(event.stepId, event.index) });
      callFailed(d, p, event.index, timeoutError(p));
      return d.done();
    },

    /**
     * A signal for the run's waits: completes the first step parked for it (definition order),
     * else is kept, after the ones kept before, for the next step that waits for it.
     */
    signal(context: WorkflowContext, name: string, payload: unknown): Transition {
      const d = new WorkflowDraft(context, layout);
      if (!d.context.aborted) waits.signal(d, name, payload);
      return d.done();
    },

    /** The supervisor decided about a routed failure (`undefined`: the route actor failed). */
    routed(context: WorkflowContext, stepId: string, decision: RouteDecision | undefined, failure?: unknown): Transition {
      const d = new WorkflowDraft(context, layout);
      const p = live(d, stepId, undefined, 'routing');
      if (!p) return d.done();
      d.effects.push({ type: 'stop', id: routeActorId(stepId) });
      const call = d.call(p.id, undefined);
      const routedTo = [...(call.routedTo ?? []), ...(decision?.routedTo ?? [])];
      if (decision?.action === 'retry') {
        d.setCall(p.id, undefined, { ...call, routedTo, ...(decision.patchedInput ? { patchedInput: decision.patchedInput } : {}) });
        beginAttempt(d, p, undefined);
      } else if (decision?.action === 'resolved') {
        d.setCall(p.id, undefined, { ...call, routedTo });
        completeStep(d, p, decision.output ?? null);
      } else {
        const recorded = call.error ?? toErrorInfo(failure);
        const error: ErrorInfo = decision ? { ...recorded, details: { routing: decision.reason, ...(decision.error ? { routingError: decision.error } : {}) } } : recorded;
        d.setCall(p.id, undefined, { ...call, routedTo });
        failStep(d, p, error);
      }
      return d.done();
    },

    /** Marks every unfinished step cancelled (cancel, workflow timeout, a failure past the policy). */
    cancelUnfinished: (context: WorkflowContext): WorkflowContext => cancelUnfinished(context, services.now()),
  };
}

export type WorkflowEngine = ReturnType<typeof createWorkflowEngine>;
