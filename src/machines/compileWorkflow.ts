import { assign, emit, setup, type AnyStateMachine } from 'xstate';
import type { AnyTool } from '../actors/defineTool.js';
import { toRegistry, type ToolRegistry } from '../actors/ToolRegistry.js';
import { compileTemplate } from '../definition/Template.js';
import type { ExpressionScope } from '../definition/Expression.js';
import { validateWorkflow } from '../definition/validateWorkflow.js';
import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import { ErrorType, type ErrorInfo } from '../errors/ErrorInfo.js';
import { WorkflowValidationError } from '../errors/WorkflowValidationError.js';
import { toErrorInfo } from '../errors/toErrorInfo.js';
import { retryDelay } from './retryDelay.js';
import { planSteps, type StepPlan } from './StepPlan.js';
import { createRouteActor, routingFailure, stepRules } from './routeActor.js';
import { createStepActor } from './stepActor.js';
import type { RouteDecision } from '../runtime/routing/RouteDecision.js';
import { decideRelease, type Release } from './decideRelease.js';
import { initialContext } from './initialContext.js';
import { restartDelay } from './restartDelay.js';
import { stepRegion } from './stepRegion.js';
import type { StepState, WorkflowContext, WorkflowEmitted, WorkflowEvent, WorkflowMachineInput } from './WorkflowContext.js';
import { standaloneServices, type WorkflowServices } from './WorkflowServices.js';

/** Options of {@link compileWorkflow}. */
export interface CompileOptions {
  /** Injected by the runtime; a standalone compile gets silent defaults. */
  services?: WorkflowServices;
}

type Params = { stepId: string };

const TERMINAL = new Set(['completed', 'failed', 'skipped', 'cancelled']);

/**
 * Compiles a workflow definition to an XState machine. Each step is a region of one parallel
 * state: waiting -> ready -> running -> (retrying -> running)* -> done | failed | skipped.
 * Retries, step timeouts and the workflow timeout are `after` transitions; the context is JSON
 * only, so `getPersistedSnapshot()` restores a run.
 *
 * @example
 * const machine = compileWorkflow(definition, [analyzeRepository, generateDockerfile]);
 * const actor = createActor(machine, { input: { executionId, correlationId, sessionId, input } }).start();
 */
export function compileWorkflow(
  definition: WorkflowDefinition,
  tools: ToolRegistry | Iterable<AnyTool>,
  options: CompileOptions = {},
): AnyStateMachine {
  const registry = toRegistry(tools);
  const checked = validateWorkflow(definition, { tools: registry });
  if (!checked.success) throw new WorkflowValidationError(checked.issues);
  return compileValidWorkflow(checked.definition, registry, options);
}

/** {@link compileWorkflow} for a definition `validateWorkflow` already accepted (the runtime's path). */
export function compileValidWorkflow(definition: WorkflowDefinition, registry: ToolRegistry, options: CompileOptions = {}): AnyStateMachine {
  const services = options.services ?? standaloneServices();
  const plans = planSteps(definition, registry);
  const outputTemplate = definition.output === undefined ? undefined : compileTemplate(definition.output, 'output');
  const concurrency = definition.concurrency ?? Infinity;
  const allowedFailures = definition.errorPolicy.mode === 'fail_fast' ? 0 : (definition.errorPolicy.maxFailures ?? Infinity);
  const plan = (stepId: string): StepPlan => plans.get(stepId) as StepPlan;

  const scopeOf = (context: WorkflowContext, readsContext: boolean): ExpressionScope => ({
    input: context.input,
    steps: context.steps,
    env: context.env,
    context: readsContext ? services.sessionData(context.sessionId) : {},
  });
  const evaluateWhen = (context: WorkflowContext, stepId: string): boolean | ErrorInfo => {
    const { when, readsContext } = plan(stepId);
    if (!when) return true;
    try {
      return when.evaluate(scopeOf(context, readsContext)) === true;
    } catch (error) {
      return { ...toErrorInfo(error), retryable: false };
    }
  };
  // Context objects are immutable, so a step's release decision is cached per context: the
  // waiting state's guards then cost one computation per microstep, not one per guard.
  const decisions = new WeakMap<WorkflowContext, Map<string, Release>>();
  const release = (context: WorkflowContext, stepId: string): Release => {
    let cache = decisions.get(context);
    if (!cache) decisions.set(context, (cache = new Map<string, Release>()));
    let decision = cache.get(stepId);
    if (decision === undefined) cache.set(stepId, (decision = decideRelease(context, plan(stepId), evaluateWhen)));
    return decision;
  };
  const patch = (context: WorkflowContext, stepId: string, changes: Partial<StepState>): Record<string, StepState> => ({
    ...context.steps,
    [stepId]: { ...(context.steps[stepId] as StepState), ...changes },
  });
  const canRetry = (context: WorkflowContext, stepId: string, error: ErrorInfo): boolean => {
    if (error.retryable === false) return false;
    if (restartDelay(error) !== undefined) return true; // a crash its restart strategy restarts
    const policy = plan(stepId).step.retry;
    return policy !== undefined && (context.steps[stepId]?.attempts ?? 0) < policy.maxAttempts;
  };
  const failureOf = (event: unknown, stepId: string, timedOut: boolean | undefined): ErrorInfo =>
    timedOut ? timeoutError(stepId) : toErrorInfo((event as { error?: unknown }).error);
  const decisionOf = (event: unknown): RouteDecision | undefined => (event as { output?: RouteDecision }).output;
  const timeoutError = (stepId: string): ErrorInfo => ({
    type: ErrorType.timeout,
    code: 'STEP_TIMEOUT',
    message: `step "${stepId}" did not finish within ${plan(stepId).timeoutMs} ms`,
    retryable: true,
    tool: plan(stepId).tool.name,
  });
  const failStep = (context: WorkflowContext, stepId: string, error: ErrorInfo) => ({
    steps: patch(context, stepId, { status: 'failed', error, finishedAt: services.now() }),
    running: context.running - 1,
    failures: context.failures + (plan(stepId).fatal ? 1 : 0),
    ...(plan(stepId).fatal && context.failedStep === undefined ? { failedStep: stepId, error } : {}),
  });

  const delays: Record<string, (args: { context: WorkflowContext }) => number> = {};
  // Delays are computed from absolute due times kept in context, so a run resumed from a snapshot
  // waits only the time that is left (see rearmTimers).
  const remaining = (dueAt: number | undefined, fallback: number): number => (dueAt === undefined ? fallback : Math.max(0, dueAt - services.now()));
  for (const p of plans.values()) {
    delays[`retry_${p.id}`] = ({ context }) => remaining(context.steps[p.id]?.retryDueAt, context.steps[p.id]?.retryDelayMs ?? 0);
    if (p.timeoutMs !== undefined) {
      const limit = p.timeoutMs;
      delays[`timeout_${p.id}`] = ({ context }) => {
        const started = context.steps[p.id]?.attemptStartedAt;
        return remaining(started === undefined ? undefined : started + limit, limit);
      };
    }
  }
  if (definition.timeoutMs !== undefined) {
    const limit = definition.timeoutMs;
    delays.workflow_timeout = ({ context }) => remaining(context.startedAt + limit, limit);
  }

  const machineSetup = setup({
    types: {
      context: {} as WorkflowContext,
      input: {} as WorkflowMachineInput,
      events: {} as WorkflowEvent,
      emitted: {} as WorkflowEmitted,
    },
    actors: { step: createStepActor(plans, services), route: createRouteActor(plans, services) },
    delays,
    guards: {
      release: ({ context }, { stepId, is }: Params & { is: Release }) => release(context, stepId) === is,
      hasSlot: ({ context }, { stepId }: Params) =>
        context.running < concurrency && (concurrency === Infinity || context.queue[0] === stepId),
      canRetry: ({ context, event }, { stepId }: Params) =>
        canRetry(context, stepId, toErrorInfo((event as { error?: unknown }).error)),
      canRetryTimeout: ({ context }, { stepId }: Params) => canRetry(context, stepId, timeoutError(stepId)),
      /** This failure ends the workflow under its error policy (fail_fast, or past maxFailures). */
      abortsWorkflow: ({ context, event }, { stepId, timedOut }: Params & { timedOut?: boolean }) => {
        if (!plan(stepId).fatal) return false;
        const error = timedOut ? timeoutError(stepId) : toErrorInfo((event as { error?: unknown }).error);
        return !canRetry(context, stepId, error) && context.failures + 1 > allowedFailures;
      },
      whenAbortsWorkflow: ({ context }, { stepId }: Params) =>
        release(context, stepId) === 'failCondition' && plan(stepId).fatal && context.failures + 1 > allowedFailures,
      settledWithError: ({ context }) => context.failures > 0 || context.error !== undefined,
      routable: ({ context, event }, { stepId, timedOut }: Params & { timedOut?: boolean }) =>
        services.hasRoute(routingFailure(plan(stepId), context, failureOf(event, stepId, timedOut), services), stepRules(plan(stepId))),
      decided: ({ event }, { action }: { action: RouteDecision['action'] }) => decisionOf(event)?.action === action,
      escalationAborts: ({ context }, { stepId }: Params) => plan(stepId).fatal && context.failures + 1 > allowedFailures,
    },
    actions: {
      enqueue: assign({ queue: ({ context }, { stepId }: Params) => [...context.queue, stepId] }),
      start: assign(({ context }, { stepId }: Params) => ({
        queue: context.queue[0] === stepId ? context.queue.slice(1) : context.queue.filter((id) => id !== stepId),
        running: context.running + 1,
        steps: patch(context, stepId, { status: 'running', startedAt: services.now() }),
      })),
      beginAttempt: assign({
        steps: ({ context }, { stepId }: Params) =>
          patch(context, stepId, { status: 'running', attempts: (context.steps[stepId]?.attempts ?? 0) + 1, attemptStartedAt: services.now() }),
      }),
      emitStarted: emit(({ context }, { stepId }: Params) => ({
        type: 'step.started' as const,
        stepId,
        tool: plan(stepId).tool.name,
        attempt: context.steps[stepId]?.attempts ?? 1,
      })),
      complete: assign(({ context, event }, { stepId }: Params) => {
        const { error: _error, retryDelayMs: _delay, retryDueAt: _due, ...previous } = context.steps[stepId] as StepState;
        const done: StepState = { ...previous, status: 'completed', output: (event as { output?: unknown }).output, finishedAt: services.now() };
        return { steps: { ...context.steps, [stepId]: done }, running: context.running - 1 };
      }),
      emitCompleted: emit(({ context }, { stepId }: Params) => ({
        type: 'step.completed' as const,
        stepId,
        tool: plan(stepId).tool.name,
        attempt: context.steps[stepId]?.attempts ?? 1,
      })),
      scheduleRetry: assign({
        steps: ({ context, event }, { stepId, timedOut }: Params & { timedOut?: boolean }) => {
          const policy = plan(stepId).step.retry;
          const attempts = context.steps[stepId]?.attempts ?? 1;
          const error = timedOut ? timeoutError(stepId) : toErrorInfo((event as { error?: unknown }).error);
          const delayMs = restartDelay(error) ?? (policy ? retryDelay(policy, attempts, () => services.random()) : 0);
          return patch(context, stepId, { error, retryDelayMs: delayMs, retryDueAt: services.now() + delayMs });
        },
      }),
      emitRetrying: emit(({ context }, { stepId }: Params) => ({
        type: 'step.retrying' as const,
        stepId,
        tool: plan(stepId).tool.name,
        attempt: context.steps[stepId]?.attempts ?? 1,
        delayMs: context.steps[stepId]?.retryDelayMs ?? 0,
        error: context.steps[stepId]?.error as ErrorInfo,
      })),
      recordFailure: assign({
        steps: ({ context, event }, { stepId, timedOut }: Params & { timedOut?: boolean }) =>
          patch(context, stepId, { error: failureOf(event, stepId, timedOut) }),
      }),
      applyRetryDecision: assign({
        steps: ({ context, event }, { stepId }: Params) => {
          const decision = decisionOf(event);
          const routedTo = [...(context.steps[stepId]?.routedTo ?? []), ...(decision?.routedTo ?? [])];
          return patch(context, stepId, { routedTo, ...(decision?.patchedInput ? { patchedInput: decision.patchedInput } : {}) });
        },
      }),
      resolveDecision: assign(({ context, event }, { stepId }: Params) => {
        const decision = decisionOf(event);
        const { error: _error, retryDelayMs: _delay, ...previous } = context.steps[stepId] as StepState;
        const routedTo = [...(previous.routedTo ?? []), ...(decision?.routedTo ?? [])];
        const done: StepState = { ...previous, status: 'completed', output: decision?.output ?? null, routedTo, finishedAt: services.now() };
        return { steps: { ...context.steps, [stepId]: done }, running: context.running - 1 };
      }),
      failEscalated: assign(({ context, event }, { stepId }: Params) => {
        const decision = decisionOf(event);
        const recorded = context.steps[stepId]?.error ?? toErrorInfo((event as { error?: unknown }).error);
        const error: ErrorInfo = decision ? { ...recorded, details: { routing: decision.reason, ...(decision.error ? { routingError: decision.error } : {}) } } : recorded;
        const routedTo = [...(context.steps[stepId]?.routedTo ?? []), ...(decision?.routedTo ?? [])];
        const failed = failStep({ ...context, steps: patch(context, stepId, { routedTo }) }, stepId, error);
        return failed;
      }),
      fail: assign(({ context, event }, { stepId }: Params) => failStep(context, stepId, toErrorInfo((event as { error?: unknown }).error))),
      failTimeout: assign(({ context }, { stepId }: Params) => failStep(context, stepId, timeoutError(stepId))),
      failCondition: assign(({ context }, { stepId }: Params) => {
        const error = evaluateWhen(context, stepId);
        return { ...failStep(context, stepId, typeof error === 'object' ? error : toErrorInfo(error)), running: context.running };
      }),
      emitFailed: emit(({ context }, { stepId }: Params) => ({
        type: 'step.failed' as const,
        stepId,
        tool: plan(stepId).tool.name,
        attempt: context.steps[stepId]?.attempts ?? 0,
        error: context.steps[stepId]?.error as ErrorInfo,
      })),
      skip: assign({
        steps: ({ context }, { stepId, reason }: Params & { reason: 'condition' | 'dependency' }) =>
          patch(context, stepId, { status: 'skipped', skipReason: reason, finishedAt: services.now() }),
      }),
      emitSkipped: emit(({ context }, { stepId }: Params) => ({
        type: 'step.skipped' as const,
        stepId,
        tool: plan(stepId).tool.name,
        reason: context.steps[stepId]?.skipReason ?? 'dependency',
      })),
      cancelUnfinished: assign(({ context }) => {
        const now = services.now();
        const steps: Record<string, StepState> = {};
        for (const [id, step] of Object.entries(context.steps)) {
          steps[id] = TERMINAL.has(step.status) ? step : { ...step, status: 'cancelled', finishedAt: now };
        }
        return { steps, running: 0, queue: [] };
      }),
      finish: assign((_, { code, message }: { code?: string; message?: string }) => ({
        finishedAt: services.now(),
        ...(code === undefined
          ? {}
          : { error: { type: code === 'CANCELLED' ? ErrorType.cancelled : ErrorType.timeout, code, message: message ?? code } }),
      })),
      computeOutput: assign(({ context }) => {
        if (context.failures > 0 || !outputTemplate) return {};
        try {
          return { output: outputTemplate.evaluate(scopeOf(context, true)) };
        } catch (error) {
          return { error: { ...toErrorInfo(error), retryable: false } };
        }
      }),
    },
  });

  const regions: Record<string, unknown> = {};
  for (const p of plans.values()) regions[p.id] = stepRegion(p, { bounded: concurrency !== Infinity, failedTarget: `#${definition.id}.failed` });

  const machine = machineSetup.createMachine({
    id: definition.id,
    context: ({ input }: { input: WorkflowMachineInput }) => initialContext(definition, input, services.now()),
    initial: 'running',
    states: {
      running: {
        type: 'parallel',
        states: regions as never,
        onDone: 'settling',
        on: {
          CANCEL: {
            target: 'cancelled',
            actions: [
              'cancelUnfinished',
              {
                type: 'finish',
                params: ({ event }: { event: WorkflowEvent }) => ({ code: 'CANCELLED', message: event.reason ?? 'the execution was cancelled' }),
              },
            ],
          },
        },
        ...(definition.timeoutMs === undefined
          ? {}
          : {
              after: {
                workflow_timeout: {
                  target: 'timed_out',
                  actions: [
                    'cancelUnfinished',
                    { type: 'finish', params: { code: 'WORKFLOW_TIMEOUT', message: `the workflow did not finish within ${definition.timeoutMs} ms` } },
                  ],
                },
              },
            }),
      },
      settling: {
        entry: 'computeOutput',
        always: [{ guard: 'settledWithError', target: 'failed' }, { target: 'completed' }],
      },
      completed: { type: 'final', entry: { type: 'finish', params: {} } },
      failed: { type: 'final', entry: { type: 'finish', params: {} } },
      cancelled: { type: 'final' },
      timed_out: { type: 'final' },
    },
  } as never);
  return machine as unknown as AnyStateMachine;
}
