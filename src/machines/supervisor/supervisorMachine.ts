import { assign, enqueueActions, fromPromise, not, setup, type DoneActorEvent, type ErrorActorEvent } from 'xstate';
import { toErrorInfo } from '../../errors/toErrorInfo.js';
import { RoutingError, RoutingErrorCode } from '../../errors/RoutingError.js';
import type { FailureRoutingRule } from './FailureRoutingRule.js';
import { failureOf, planRoute, type RouteProgress } from './planRoute.js';
import { toRemediationOutcome } from './RemediationOutcome.js';
import type { RestartDecision } from './RestartStrategy.js';
import type { RouteDecision } from './RouteDecision.js';
import type { RouteRequest } from './RouteRequest.js';
import type { RoutingFailure } from './ruleExpression.js';

/** Input of the remediation child actor: which tool to call and with what. */
export interface RemediationInput {
  toolName: string;
  /** The failure being remediated (the step's, or the previous remediation's), with its tool. */
  failure: RoutingFailure['error'] & { tool: string };
  originalInput: unknown;
  context: Record<string, unknown>;
  /** The remediation tool's own input: `{ failure, originalInput, context }` or the rule's `input`. */
  toolInput: unknown;
}

/** One route a step took. */
export interface RouteRecord {
  requestId: string;
  fromTool: string;
  toTool: string;
  at?: number;
  action?: RouteDecision['action'];
}

/** A request whose remediation is running. */
export interface PendingRoute {
  request: RouteRequest;
  chain: string[];
  rule: FailureRoutingRule;
  childId: string;
  toolInput: unknown;
}

/** The supervisor's machine context: JSON only. */
export interface SupervisorContext {
  rules: FailureRoutingRule[];
  /** executionId -> stepId -> routes taken (for `maxRoutes`); dropped on `EXECUTION.FINISHED`. */
  routes: Record<string, Record<string, RouteRecord[]>>;
  pending: Record<string, PendingRoute>;
  /** tool -> crashes seen and the last restart decision. */
  crashes: Record<string, { crashes: number; last: RestartDecision['action']; restarts: number; at: number }>;
  spawned: number;
  decided: number;
}

export type SupervisorEvent =
  | ({ type: 'ROUTE' } & RouteRequest)
  | { type: 'ROUTE.CANCEL'; requestId: string; reason?: string }
  | { type: 'EXECUTION.FINISHED'; executionId: string }
  | { type: 'CRASH.RECORDED'; tool: string; decision: RestartDecision; at: number }
  | DoneActorEvent<unknown>
  | ErrorActorEvent<unknown>;

export type SupervisorEmitted = { type: 'route.decided'; requestId: string; executionId: string; stepId: string; decision: RouteDecision };

const own = <T>(record: Record<string, T>, key: string): T | undefined => (Object.hasOwn(record, key) ? record[key] : undefined);
const without = <T>(record: Record<string, T>, key: string): Record<string, T> => {
  const { [key]: _dropped, ...rest } = record;
  return rest;
};
const routesOf = (context: SupervisorContext, request: RouteRequest): RouteRecord[] => own(own(context.routes, request.executionId) ?? {}, request.stepId) ?? [];
const childOf = (event: { type: string }, prefix: string): string => event.type.slice(prefix.length);
const pendingByChild = (context: SupervisorContext, childId: string): PendingRoute | undefined =>
  Object.values(context.pending).find((p) => p.childId === childId);

/** What handling one event does: context changes, at most one child to spawn, a decision to emit. */
interface Effects {
  context: Partial<SupervisorContext>;
  spawn?: { id: string; input: RemediationInput };
  decided?: SupervisorEmitted;
}

/**
 * The supervisor: one long-lived actor per runtime (`systemId: 'supervisor'`) that routes step
 * failures to remediation tools. On `ROUTE` it picks the rule, records the route, and spawns the
 * `remediation` actor (provided by the runtime); the remediation's answer — or, when it fails,
 * the next hop chosen by the rules for its failure — becomes a `route.decided` emitted event.
 * Loops and `maxRoutes` end in `escalate`. Its context (rules, routes per step, pending
 * requests, crash records) shows in Stately Inspector.
 *
 * @example
 * const actor = createActor(supervisorMachine.provide({ actors: { remediation: fromPromise(run) } }),
 *   { systemId: 'supervisor', input: { rules } }).start();
 * actor.on('route.decided', ({ requestId, decision }) => resolve(requestId, decision));
 * actor.send({ type: 'ROUTE', requestId: 'r1', executionId, stepId, tool, error, attempt: 3, input, context: {} });
 */
export const supervisorMachine = setup({
  types: {
    context: {} as SupervisorContext,
    input: {} as { rules: FailureRoutingRule[] },
    events: {} as SupervisorEvent,
    emitted: {} as SupervisorEmitted,
  },
  actors: {
    remediation: fromPromise<unknown, RemediationInput>(() => Promise.reject(new Error('the runtime provides the remediation actor'))),
  },
  guards: {
    hasPending: ({ context }) => Object.keys(context.pending).length > 0,
  },
  actions: {
    route: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'ROUTE' || own(context.pending, event.requestId)) return;
      const { type: _type, ...request } = event;
      const effects = advance(context, request, failureOf(request), { chain: [request.tool], routesTaken: routesOf(context, request).length });
      enqueue.assign(effects.context);
      if (effects.spawn) enqueue.spawnChild('remediation', effects.spawn);
      if (effects.decided) enqueue.emit(effects.decided);
    }),
    remediated: enqueueActions(({ context, event, enqueue }) => {
      const pending = pendingByChild(context, childOf(event, 'xstate.done.actor.'));
      if (!pending) return;
      const effects = answered(context, pending, (event as DoneActorEvent<unknown>).output);
      enqueue.assign(effects.context);
      if (effects.decided) enqueue.emit(effects.decided);
    }),
    remediationFailed: enqueueActions(({ context, event, enqueue }) => {
      const pending = pendingByChild(context, childOf(event, 'xstate.error.actor.'));
      if (!pending) return;
      const error = { ...toErrorInfo((event as ErrorActorEvent<unknown>).error), tool: pending.rule.toTool };
      const failure: RoutingFailure = { tool: pending.rule.toTool, error, attempt: 1, input: pending.toolInput, context: pending.request.context };
      const progress = { chain: pending.chain, routesTaken: routesOf(context, pending.request).length, lastRule: pending.rule };
      const effects = advance({ ...context, pending: without(context.pending, pending.request.requestId) }, pending.request, failure, progress);
      enqueue.assign(effects.context);
      if (effects.spawn) enqueue.spawnChild('remediation', effects.spawn);
      if (effects.decided) enqueue.emit(effects.decided);
    }),
    cancel: enqueueActions(({ context, event, enqueue }) => {
      const pending = event.type === 'ROUTE.CANCEL' ? own(context.pending, event.requestId) : undefined;
      if (!pending || event.type !== 'ROUTE.CANCEL') return;
      const message = event.reason ?? `routing of step ${pending.request.stepId} was cancelled`;
      const effects = decide(context, pending.request, {
        action: 'escalate',
        toTool: pending.rule.toTool,
        rule: pending.rule,
        reason: message,
        routedTo: pending.chain.slice(1),
        error: new RoutingError(RoutingErrorCode.cancelled, message).toJSON(),
      });
      enqueue.stopChild(pending.childId);
      enqueue.assign(effects.context);
      if (effects.decided) enqueue.emit(effects.decided);
    }),
    forget: assign({
      routes: ({ context, event }) => (event.type === 'EXECUTION.FINISHED' ? without(context.routes, event.executionId) : context.routes),
    }),
    recordCrash: assign({
      crashes: ({ context, event }) => {
        if (event.type !== 'CRASH.RECORDED') return context.crashes;
        const previous = own(context.crashes, event.tool);
        const restarts = event.decision.action === 'restart' ? event.decision.restarts : (previous?.restarts ?? 0);
        return { ...context.crashes, [event.tool]: { crashes: (previous?.crashes ?? 0) + 1, last: event.decision.action, restarts, at: event.at } };
      },
    }),
  },
}).createMachine({
  id: 'supervisor',
  context: ({ input }) => ({ rules: input.rules ?? [], routes: {}, pending: {}, crashes: {}, spawned: 0, decided: 0 }),
  on: {
    ROUTE: { actions: 'route' },
    'ROUTE.CANCEL': { actions: 'cancel' },
    'EXECUTION.FINISHED': { actions: 'forget' },
    'CRASH.RECORDED': { actions: 'recordCrash' },
    'xstate.done.actor.*': { actions: 'remediated' },
    'xstate.error.actor.*': { actions: 'remediationFailed' },
  },
  initial: 'idle',
  states: {
    idle: { always: { guard: 'hasPending', target: 'routing' } },
    routing: { always: { guard: not('hasPending'), target: 'idle' } },
  },
});

/** Takes the next hop of `request`: spawns the remediation the rules choose, or answers. */
function advance(context: SupervisorContext, request: RouteRequest, failure: RoutingFailure, progress: RouteProgress): Effects {
  const plan = planRoute(context.rules, request, failure, progress);
  if (plan.kind === 'decide') return decide(context, request, plan.decision);
  const childId = `remediation.${context.spawned + 1}`;
  const toTool = plan.rule.toTool;
  const record: RouteRecord = { requestId: request.requestId, fromTool: failure.tool, toTool, ...(request.at === undefined ? {} : { at: request.at }) };
  const pending: PendingRoute = { request, chain: [...progress.chain, toTool], rule: plan.rule, childId, toolInput: plan.toolInput };
  return {
    context: {
      spawned: context.spawned + 1,
      pending: { ...context.pending, [request.requestId]: pending },
      routes: withRoutes(context, request, [...routesOf(context, request), record]),
    },
    spawn: {
      id: childId,
      input: { toolName: toTool, failure: { ...failure.error, tool: failure.tool }, originalInput: request.input, context: request.context, toolInput: plan.toolInput },
    },
  };
}

/** The remediation of `pending` answered `output`: its decision, read leniently. */
function answered(context: SupervisorContext, pending: PendingRoute, output: unknown): Effects {
  const outcome = toRemediationOutcome(output);
  const toTool = pending.rule.toTool;
  return decide(context, pending.request, {
    action: outcome.action,
    toTool,
    rule: pending.rule,
    reason: outcome.reason ?? `${toTool} answered ${outcome.action}`,
    routedTo: pending.chain.slice(1),
    ...(outcome.action === 'retry' && outcome.patchedInput !== undefined ? { patchedInput: outcome.patchedInput } : {}),
    ...(outcome.action === 'resolved' ? { output: outcome.output } : {}),
  });
}

/** Answers `request`: drops it from `pending`, marks its last route record, emits the decision. */
function decide(context: SupervisorContext, request: RouteRequest, decision: RouteDecision): Effects {
  const records = routesOf(context, request);
  const last = records[records.length - 1];
  const marked = last?.requestId === request.requestId ? [...records.slice(0, -1), { ...last, action: decision.action }] : undefined;
  return {
    context: {
      pending: without(context.pending, request.requestId),
      decided: context.decided + 1,
      ...(marked ? { routes: withRoutes(context, request, marked) } : {}),
    },
    decided: { type: 'route.decided', requestId: request.requestId, executionId: request.executionId, stepId: request.stepId, decision },
  };
}

function withRoutes(context: SupervisorContext, request: RouteRequest, records: RouteRecord[]): SupervisorContext['routes'] {
  const byStep = own(context.routes, request.executionId) ?? {};
  return { ...context.routes, [request.executionId]: { ...byStep, [request.stepId]: records } };
}
