import type { Logger } from 'pino';
import type { AnyTool } from '../actors/defineTool.js';
import { invokeTool } from '../actors/invokeTool.js';
import { createToolContext } from '../actors/createToolContext.js';
import { runToolActor } from '../actors/runToolActor.js';
import type { ToolContext } from '../actors/ToolContext.js';
import type { ToolRegistry } from '../actors/ToolRegistry.js';
import type { RetryPolicy } from '../definition/WorkflowDefinitionSchema.js';
import { toErrorInfo } from '../errors/toErrorInfo.js';
import type { CallMeta } from '../actors/CallMeta.js';
import type { WorkflowServices } from '../machines/workflow/WorkflowServices.js';
import type { Clock } from '../machines/Clock.js';
import type { MessageBus } from './MessageBus.js';
import { createCallPolicies, type CallPolicies } from './policies/CallPolicies.js';
import { createSupervisor, type Supervisor } from './createSupervisor.js';
import type { RuntimeOptions } from './Runtime.js';
import { createRuntimeMetrics, type RuntimeMetrics } from './RuntimeMetrics.js';
import { traceToolCall } from './traceToolCall.js';

type ToolRequestRetry = RetryPolicy | false | undefined;

/**
 * Tool-to-tool requests retry transient failures by default. Four attempts: at an 11% failure
 * rate per attempt (10% errors, 1% hangs), three attempts leave 0.13% failed, four leave 0.015%.
 */
const DEFAULT_REQUEST_RETRY: RetryPolicy = { maxAttempts: 4, backoff: 'exponential', initialDelayMs: 100, maxDelayMs: 2_000, multiplier: 2, jitter: 'full' };

/** What the call path needs from its runtime. */
export interface CallPathDeps {
  options: RuntimeOptions;
  clock: Clock;
  logger: Logger;
  bus: MessageBus;
  tools: ToolRegistry;
  newId: () => string;
  sessionData: WorkflowServices['sessionData'];
  contextFor: WorkflowServices['contextFor'];
  workspaceRootOf?: WorkflowServices['workspaceRootOf'];
}

/** The call path of one runtime. */
export interface CallPath {
  metrics: RuntimeMetrics;
  policies: CallPolicies;
  /** What compiled workflows call: tools, requests, progress, routing. */
  services: WorkflowServices;
  supervisor: Supervisor;
  /** A tool call outside a step (direct calls, requests, remediations), through the policies. */
  callThroughPolicies: (tool: AnyTool, input: unknown, meta: CallMeta, signal: AbortSignal | undefined, timeoutMs: number | undefined, retry: ToolRequestRetry) => Promise<unknown>;
}

/**
 * The one path every tool call takes: steps, tool-to-tool requests, direct calls and the
 * supervisor's remediations all go through the same call policies (timeout, retry, breaker,
 * bulkhead), traced and measured, and failures of steps are routed by the same supervisor.
 *
 * @example
 * const { services, supervisor } = createCallPath({ options, clock, logger, bus, tools, newId, sessionData, contextFor });
 */
export function createCallPath(deps: CallPathDeps): CallPath {
  const { options, clock, logger, bus, tools, newId } = deps;
  const metrics = createRuntimeMetrics();
  const policies = createCallPolicies({
    clock,
    ...(options.random ? { random: options.random } : {}),
    ...(options.inspect ? { inspect: options.inspect } : {}),
    ...(options.policies?.defaults ? { defaults: options.policies.defaults } : {}),
    ...(options.policies?.perTool ? { perTool: options.policies.perTool } : {}),
    metrics,
    onBreakerEvent: (tool, event) => bus.publish({ type: event.type, topic: event.type, correlationId: `breaker:${tool}`, payload: event }),
  });
  // One policy path for steps and tool-to-tool calls. Steps pass `retry: false`: their machine
  // retries in its `retrying` state, visibly. Object.create keeps the context's lazy getters.
  const withSignal = (ctx: ToolContext, signal: AbortSignal): ToolContext =>
    Object.create(ctx, { signal: { value: signal, enumerable: true } }) as ToolContext;
  /**
   * A call through the policies. `inActor`: the caller is already an actor of its own (the
   * supervisor's remediation child), so each attempt calls the tool there instead of starting
   * a second tool actor for it: a remediation is one actor, not two.
   */
  const throughPolicies = (tool: AnyTool, input: unknown, meta: CallMeta, signal: AbortSignal | undefined, timeoutMs: number | undefined, retry: ToolRequestRetry, inActor = false) =>
    traceToolCall(tool.name, meta, () =>
      policies.call(
        tool,
        (attemptSignal) =>
          inActor ? direct.callTool(tool, input, createToolContext(meta, attemptSignal, direct)) : runToolActor(tool, input, meta, direct, { signal: attemptSignal, inspect: options.inspect }),
        {
          signal: signal ?? new AbortController().signal,
          ...(timeoutMs === undefined ? {} : { timeoutMs }),
          ...(retry === undefined ? {} : { retry }),
        },
      ),
    );
  const callThroughPolicies = (tool: AnyTool, input: unknown, meta: CallMeta, signal: AbortSignal | undefined, timeoutMs: number | undefined, retry: ToolRequestRetry) =>
    throughPolicies(tool, input, meta, signal, timeoutMs, retry);
  // The supervisor needs the services (to run remediations) and the services call it back.
  const supervisorRef: { current?: Supervisor } = {};
  const services: WorkflowServices = {
    logger,
    now: () => clock.now(),
    random: options.random ?? Math.random,
    sessionData: deps.sessionData,
    contextFor: deps.contextFor,
    ...(deps.workspaceRootOf ? { workspaceRootOf: deps.workspaceRootOf } : {}),
    callTool: (tool, input, ctx) => {
      if (logger.isLevelEnabled('debug')) ctx.logger.debug({ input }, 'tool call');
      // An attempt without a time limit runs on the step's own signal: no wrapper context then.
      // The step's tool actor is stopped when its signal aborts, so the call need not settle on it.
      const call = traceToolCall(tool.name, ctx, () =>
        policies.call(tool, (signal) => invokeTool(tool, input, signal === ctx.signal ? ctx : withSignal(ctx, signal)), { signal: ctx.signal, retry: false, callerStops: true }),
      );
      // Failures are logged where they are handled (one `.then` for both outcomes, no async frame).
      return call.then(
        (output) => {
          if (logger.isLevelEnabled('debug')) ctx.logger.debug('tool call succeeded');
          return output;
        },
        (error: unknown) => {
          if (logger.isLevelEnabled('warn')) ctx.logger.warn({ input, err: toErrorInfo(error) }, 'tool call failed');
          throw error;
        },
      );
    },
    request: (caller, name, input, requestOptions) => {
      const tool = tools.require(name);
      return callThroughPolicies(tool, input, { ...caller, tool: name }, requestOptions?.signal, requestOptions?.timeoutMs ?? tool.timeoutMs, requestOptions?.retry ?? DEFAULT_REQUEST_RETRY);
    },
    progress: (caller: CallMeta, update) =>
      bus.publish({
        type: 'tool.progress',
        topic: 'tool.progress',
        correlationId: caller.correlationId,
        sessionId: caller.sessionId,
        executionId: caller.executionId,
        stepId: caller.stepId,
        payload: { tool: caller.tool, ...update },
      }),
    hasRoute: (failure, stepRules) => supervisorRef.current?.hasCandidate(failure, stepRules) ?? false,
    route: (request, signal) => activeSupervisor.route(request, { signal }),
    onCrash: (tool) => activeSupervisor.onCrash(tool),
  };
  // Calls made inside a policy attempt run the tool directly (the attempt is the policy's).
  const direct: WorkflowServices = { ...services, callTool: invokeTool };
  const activeSupervisor: Supervisor = createSupervisor({
    rules: options.routingRules,
    registry: tools,
    clock,
    inspect: options.inspect,
    logger,
    restart: options.restart,
    runRemediation: (name, input, signal) => {
      const id = newId();
      const meta: CallMeta = { executionId: id, correlationId: id, sessionId: id, stepId: `remediation:${name}`, tool: name, attempt: 1 };
      const tool = tools.require(name);
      return throughPolicies(tool, input, meta, signal, tool.timeoutMs, false, true);
    },
    onDecision: (decision, request) =>
      bus.publish({
        type: 'failure.routed',
        topic: 'failure.routed',
        correlationId: request.correlationId ?? request.executionId,
        executionId: request.executionId,
        stepId: request.stepId,
        ...(request.sessionId === undefined ? {} : { sessionId: request.sessionId }),
        payload: { tool: request.tool, errorCode: request.error.code, action: decision.action, toTool: decision.toTool ?? null, routedTo: decision.routedTo, reason: decision.reason },
      }),
  });
  supervisorRef.current = activeSupervisor;
  return { metrics, policies, services, supervisor: activeSupervisor, callThroughPolicies };
}
