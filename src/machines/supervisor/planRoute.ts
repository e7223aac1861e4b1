import { toErrorInfo } from '../../errors/toErrorInfo.js';
import { RoutingError, RoutingErrorCode } from '../../errors/RoutingError.js';
import type { FailureRoutingRule } from './FailureRoutingRule.js';
import type { RouteDecision } from './RouteDecision.js';
import type { RouteRequest } from './RouteRequest.js';
import { ruleExpression, routingScope, type RoutingFailure } from './ruleExpression.js';
import { selectRoute } from './selectRoute.js';

/** Where a request stands: the tools on its path so far and the routes its step has taken. */
export interface RouteProgress {
  /** The failing step's tool, then every remediation tool called for this request. */
  chain: readonly string[];
  /** Routes the step took in this execution, this request's included. */
  routesTaken: number;
  /** The rule of the last hop, when a remediation already ran. */
  lastRule?: FailureRoutingRule;
}

/** The next move: call a remediation tool with `toolInput`, or answer at once. */
export type RoutePlan = { kind: 'remediate'; rule: FailureRoutingRule; toolInput: unknown } | { kind: 'decide'; decision: RouteDecision };

/**
 * Decides the next hop of a request, purely: the rule chosen by {@link selectRoute}, refused
 * when its tool is already on the chain (`ROUTING_LOOP`) or the step has taken the rule's
 * `maxRoutes` routes (`ROUTING_LIMIT`). `failure` is the step's failure on the first hop and a
 * remediation tool's failure after; with no matching rule that is `ROUTING_NO_RULE` or
 * `ROUTING_REMEDIATION_FAILED`.
 *
 * @example
 * const plan = planRoute(rules, request, failureOf(request), { chain: [request.tool], routesTaken: 0 });
 * if (plan.kind === 'remediate') spawn(plan.rule.toTool, plan.toolInput);
 */
export function planRoute(rules: readonly FailureRoutingRule[], request: RouteRequest, failure: RoutingFailure, progress: RouteProgress): RoutePlan {
  const routedTo = progress.chain.slice(1);
  const lastTool = routedTo[routedTo.length - 1];
  const escalate = (code: RoutingErrorCode, message: string, rule?: FailureRoutingRule): RoutePlan => ({
    kind: 'decide',
    decision: {
      action: 'escalate',
      reason: message,
      routedTo,
      error: new RoutingError(code, message, { details: { chain: progress.chain, failure: failure.error } }).toJSON(),
      ...(lastTool === undefined ? {} : { toTool: lastTool }),
      ...(rule ? { rule } : progress.lastRule ? { rule: progress.lastRule } : {}),
    },
  });
  const rule = selectRoute(rules, failure, request.stepRules);
  if (!rule) {
    return routedTo.length === 0
      ? escalate(RoutingErrorCode.noRule, `no routing rule handles ${failure.error.code} from ${failure.tool}`)
      : escalate(RoutingErrorCode.remediationFailed, `remediation ${failure.tool} failed with ${failure.error.code}: ${failure.error.message}`);
  }
  if (progress.chain.includes(rule.toTool)) {
    return escalate(RoutingErrorCode.loop, `routing loop: ${[...progress.chain, rule.toTool].join(' -> ')}`, rule);
  }
  if (progress.routesTaken >= rule.maxRoutes) {
    return escalate(RoutingErrorCode.limit, `step ${request.stepId} was routed ${progress.routesTaken} time(s), the rule's maxRoutes`, rule);
  }
  if (rule.input === undefined) {
    return { kind: 'remediate', rule, toolInput: { failure: { ...failure.error, tool: failure.tool }, originalInput: request.input, context: request.context } };
  }
  const build = ruleExpression(rule.input, 'routingRule.input');
  try {
    if (build instanceof Error) throw build;
    return { kind: 'remediate', rule, toolInput: build.evaluate(routingScope(failure)) };
  } catch (error) {
    const info = toErrorInfo(error);
    return escalate(RoutingErrorCode.remediationFailed, `the input of ${rule.toTool} could not be built: ${info.message}`, rule);
  }
}

/**
 * The failure a request reports, as rules match it.
 *
 * @example
 * selectRoute(rules, failureOf(request));
 */
export function failureOf(request: RouteRequest): RoutingFailure {
  return { tool: request.tool, error: request.error, attempt: request.attempt, input: request.input, context: request.context };
}
