import type { Logger } from 'pino';
import { createActor, fromPromise, type Actor, type InspectionEvent, type Observer } from 'xstate';
import type { ToolRegistry } from '../actors/ToolRegistry.js';
import { RoutingError, RoutingErrorCode } from '../errors/RoutingError.js';
import { RuntimeError } from '../errors/RuntimeError.js';
import { supervisorMachine, type RemediationInput } from '../machines/supervisor/supervisorMachine.js';
import type { Clock } from '../machines/Clock.js';
import { createRestartTracker, type RestartTracker } from '../machines/supervisor/createRestartTracker.js';
import { FailureRoutingRuleSchema, type FailureRoutingRule, type FailureRoutingRuleInput } from '../machines/supervisor/FailureRoutingRule.js';
import type { RestartDecision, RestartStrategyInput } from '../machines/supervisor/RestartStrategy.js';
import type { RouteDecision } from '../machines/supervisor/RouteDecision.js';
import type { RouteRequest, RouteRequestInput } from '../machines/supervisor/RouteRequest.js';
import type { RoutingFailure } from '../machines/supervisor/ruleExpression.js';
import { selectRoute } from '../machines/supervisor/selectRoute.js';
import { validateRoutingRules } from '../machines/supervisor/validateRoutingRules.js';

/** Options of {@link createSupervisor}. */
export interface SupervisorOptions {
  /** Runtime-wide rules; validated against `registry` (a problem throws `ROUTING_RULES_INVALID`). */
  rules?: readonly FailureRoutingRuleInput[] | undefined;
  registry: ToolRegistry;
  clock: Clock;
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void) | undefined;
  /** Calls a remediation tool (as a tool actor, with the runtime's policies); aborted on cancel and stop. */
  runRemediation: (toolName: string, input: unknown, signal: AbortSignal) => Promise<unknown>;
  /** Called for every decision before `route` resolves (publish `failure.routed` here). */
  onDecision?: ((decision: RouteDecision, request: RouteRequest) => void) | undefined;
  /** Restart strategies per tool, for crashes (`TOOL_CRASHED`, missed heartbeats). */
  restart?: { strategies?: Record<string, RestartStrategyInput>; defaultStrategy?: RestartStrategyInput } | undefined;
  logger?: Logger | undefined;
}

/** The running supervisor. */
export interface Supervisor {
  /** The actor (`systemId: 'supervisor'`), for inspection and snapshots. */
  readonly actor: Actor<typeof supervisorMachine>;
  readonly rules: readonly FailureRoutingRule[];
  readonly restarts: RestartTracker;
  /** Requests waiting for a decision. */
  readonly pending: number;
  /** Whether some rule handles this failure (pure; for the step region's guard). */
  hasCandidate(failure: RoutingFailure, stepRules?: readonly FailureRoutingRule[]): boolean;
  /** Routes a failure; never rejects for a routing problem (that is an `escalate` decision). */
  route(request: RouteRequestInput, options?: { signal?: AbortSignal | undefined }): Promise<RouteDecision>;
  /** Records a crash of `tool` under its restart strategy and says what to do. */
  onCrash(tool: string): RestartDecision;
  /** Forgets the route records of a finished execution. */
  forget(executionId: string): void;
  /** Stops the actor and its remediations; waiting requests get `escalate` (`ROUTING_STOPPED`). Idempotent. */
  stop(): void;
}

/**
 * Creates the supervisor: validates the rules, starts the supervisor actor with the runtime's
 * clock and inspector, and turns its `route.decided` events into resolved promises.
 *
 * @example
 * const supervisor = createSupervisor({ rules: activeRules(defaultRoutingRules, tools), registry: tools, clock,
 *   runRemediation: (name, input, signal) => runToolActor(tools.require(name), input, meta, services, { signal }) });
 * const decision = await supervisor.route({ executionId, stepId: 'build', tool: 'build_image', error, attempt: 3, input, context: {} });
 * supervisor.stop();
 */
export function createSupervisor(options: SupervisorOptions): Supervisor {
  const rawRules = options.rules ?? [];
  const issues = validateRoutingRules(rawRules, options.registry);
  if (issues.length > 0) throw RoutingError.invalidRules(issues);
  const rules = rawRules.map((rule) => FailureRoutingRuleSchema.parse(rule));
  const restarts = createRestartTracker({ clock: options.clock, ...options.restart });
  const remediation = fromPromise<unknown, RemediationInput>(({ input, signal }) => {
    // A synchronous throw would escape fromPromise and fail the supervisor itself.
    try {
      return options.runRemediation(input.toolName, input.toolInput, signal);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
  const actor = createActor(supervisorMachine.provide({ actors: { remediation } }), {
    systemId: 'supervisor',
    clock: options.clock,
    input: { rules },
    ...(options.inspect ? { inspect: options.inspect } : {}),
  });
  const waiters = new Map<string, { request: RouteRequest; resolve: (decision: RouteDecision) => void; detach: () => void }>();
  let status: 'running' | 'failed' | 'stopped' = 'running';
  let sequence = 0;

  const settle = (requestId: string, decision: RouteDecision): void => {
    const waiter = waiters.get(requestId);
    if (!waiter) return;
    waiters.delete(requestId);
    waiter.detach();
    try {
      options.onDecision?.(decision, waiter.request);
    } catch (error) {
      options.logger?.warn({ err: error, requestId }, 'onDecision threw; the decision stands');
    }
    waiter.resolve(decision);
  };
  const settleAll = (message: string): void => {
    for (const id of [...waiters.keys()]) settle(id, escalation(RoutingErrorCode.stopped, message));
  };

  const listener = actor.on('route.decided', (event) => settle(event.requestId, event.decision));
  const subscription = actor.subscribe({
    error: (error) => {
      status = 'failed';
      options.logger?.error({ err: error }, 'the supervisor failed');
      settleAll(`the supervisor failed: ${error instanceof Error ? error.message : String(error)}`);
    },
  });
  actor.start();

  return {
    actor,
    rules,
    restarts,
    get pending() {
      return waiters.size;
    },
    hasCandidate: (failure, stepRules) => selectRoute(rules, failure, stepRules) !== undefined,
    route(input, routeOptions = {}) {
      const requestId = input.requestId ?? `route-${++sequence}`;
      if (status !== 'running') return Promise.resolve(escalation(RoutingErrorCode.stopped, 'the supervisor is stopped'));
      if (waiters.has(requestId)) return Promise.reject(new RuntimeError('INVALID_OPTION', `routing request "${requestId}" is already pending`));
      const { signal } = routeOptions;
      if (signal?.aborted) return Promise.resolve(escalation(RoutingErrorCode.cancelled, `routing of step ${input.stepId} was cancelled`));
      const request: RouteRequest = { ...input, requestId, at: options.clock.now() };
      return new Promise<RouteDecision>((resolve) => {
        const onAbort = (): void => actor.send({ type: 'ROUTE.CANCEL', requestId });
        signal?.addEventListener('abort', onAbort, { once: true });
        waiters.set(requestId, { request, resolve, detach: () => signal?.removeEventListener('abort', onAbort) });
        actor.send({ type: 'ROUTE', ...request });
      });
    },
    onCrash(tool) {
      const decision = restarts.onCrash(tool);
      if (status === 'running') actor.send({ type: 'CRASH.RECORDED', tool, decision, at: options.clock.now() });
      return decision;
    },
    forget(executionId) {
      // Most runs never route a failure: only one the supervisor keeps routes for costs an event.
      if (status === 'running' && Object.hasOwn(actor.getSnapshot().context.routes, executionId)) actor.send({ type: 'EXECUTION.FINISHED', executionId });
    },
    stop() {
      if (status === 'stopped') return;
      status = 'stopped';
      listener.unsubscribe();
      subscription.unsubscribe();
      actor.stop();
      settleAll('the supervisor stopped');
    },
  };
}

function escalation(code: RoutingErrorCode, message: string): RouteDecision {
  return { action: 'escalate', reason: message, routedTo: [], error: new RoutingError(code, message).toJSON() };
}
