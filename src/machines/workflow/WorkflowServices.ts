import pino, { type Logger } from 'pino';
import type { AnyTool } from '../../actors/defineTool.js';
import { invokeTool } from '../../actors/invokeTool.js';
import type { ToolContext, ToolProgress, ToolRequestOptions } from '../../actors/ToolContext.js';
import { RuntimeError } from '../../errors/RuntimeError.js';
import type { SessionContext } from '../../runtime/SessionContext.js';
import type { FailureRoutingRule } from '../../runtime/routing/FailureRoutingRule.js';
import type { RouteDecision } from '../../runtime/routing/RouteDecision.js';
import type { RoutingFailure } from '../../runtime/routing/ruleExpression.js';
import type { RouteRequestInput } from '../../runtime/routing/createSupervisor.js';
import type { RestartDecision } from '../../runtime/routing/RestartStrategy.js';

/** Who is calling: the correlation data every tool call carries. */
export interface CallMeta {
  executionId: string;
  correlationId: string;
  sessionId: string;
  stepId: string;
  tool: string;
  attempt: number;
  /** A map item's 0-based index. */
  index?: number;
}

/** What a compiled workflow needs from its runtime. Injected, so the machine stays pure data. */
export interface WorkflowServices {
  logger: Logger;
  now(): number;
  random(): number;
  /** The session's shared context as the CEL variable `context` (contextType -> data). */
  sessionData(sessionId: string): Record<string, unknown>;
  /** The session's shared context as a tool sees it. */
  contextFor(sessionId: string, tool: string): SessionContext;
  /** The one policy path every call goes through (steps and tool-to-tool requests). */
  callTool(tool: AnyTool, input: unknown, ctx: ToolContext): Promise<unknown>;
  request(caller: CallMeta, tool: string, input: unknown, options?: ToolRequestOptions): Promise<unknown>;
  progress(caller: CallMeta, update: ToolProgress): void;
  /** Whether a routing rule would handle this failure (pure; the step region's guard). */
  hasRoute(failure: RoutingFailure, stepRules: readonly FailureRoutingRule[]): boolean;
  /** Asks the supervisor what to do about a failure; resolves with its decision. */
  route(request: RouteRequestInput, signal: AbortSignal): Promise<RouteDecision>;
  /** Records a crash of a tool under its restart strategy. */
  onCrash(tool: string): RestartDecision;
}

/** Services of a workflow compiled without a runtime: silent, no shared context, direct calls. */
export function standaloneServices(): WorkflowServices {
  const noContext = (sessionId: string): SessionContext => ({
    sessionId,
    share: () => {
      throw new RuntimeError('INVALID_OPTION', 'shared context needs a runtime (createRuntime)');
    },
    get: () => undefined,
    list: () => [],
    delete: () => false,
  });
  return {
    logger: pino({ level: 'silent' }),
    now: () => Date.now(),
    random: Math.random,
    sessionData: () => ({}),
    contextFor: noContext,
    callTool: invokeTool,
    request: () => Promise.reject(new RuntimeError('INVALID_OPTION', 'ctx.request needs a runtime (createRuntime)')),
    progress: () => undefined,
    hasRoute: () => false,
    route: () => Promise.resolve({ action: 'escalate', reason: 'no supervisor (compiled without a runtime)', routedTo: [] }),
    onCrash: () => ({ action: 'escalate', reason: 'no supervisor (compiled without a runtime)' }),
  };
}
