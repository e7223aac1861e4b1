import pino from 'pino';
import type { ToolCallServices } from '../../actors/ToolCallServices.js';
import { invokeTool } from '../../actors/invokeTool.js';
import { RuntimeError } from '../../errors/RuntimeError.js';
import type { SessionContext } from '../../actors/SessionContext.js';
import type { FailureRoutingRule } from '../supervisor/FailureRoutingRule.js';
import type { RouteDecision } from '../supervisor/RouteDecision.js';
import type { RoutingFailure } from '../supervisor/ruleExpression.js';
import type { RouteRequestInput } from '../supervisor/RouteRequest.js';
import type { RestartDecision } from '../supervisor/RestartStrategy.js';
import type { ChildRunRequest } from './ChildRunRequest.js';

/** What a compiled workflow needs from its runtime. Injected, so the machine stays pure data. */
export interface WorkflowServices extends ToolCallServices {
  now(): number;
  random(): number;
  /** The session's shared context as the CEL variable `context` (contextType -> data). */
  sessionData(sessionId: string): Record<string, unknown>;
  /** Whether a routing rule would handle this failure (pure; the step region's guard). */
  hasRoute(failure: RoutingFailure, stepRules: readonly FailureRoutingRule[]): boolean;
  /** Asks the supervisor what to do about a failure; resolves with its decision. */
  route(request: RouteRequestInput, signal: AbortSignal): Promise<RouteDecision>;
  /** Records a crash of a tool under its restart strategy. */
  onCrash(tool: string): RestartDecision;
  /**
   * Runs one call of a `workflow` step as a child execution and resolves with its output; rejects
   * with the child's error code when it does not complete. Aborting `signal` cancels the child
   * (or, for a durable parent suspended here, suspends it). Only a runtime supplies it.
   */
  runChild?(request: ChildRunRequest, signal: AbortSignal): Promise<unknown>;
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
