import type { FailureRoutingRule } from './FailureRoutingRule.js';
import { ruleExpression, routingScope, type RoutingFailure } from './ruleExpression.js';

/**
 * Whether `rule` handles `failure`: its tool matches (or the rule names none), the error's type
 * and code are listed (an absent or empty list allows any), and its `when` is `true`. A `when`
 * that does not parse or fails to evaluate is no match.
 *
 * @example
 * ruleMatches({ toTool: 'fix', priority: 100, maxRoutes: 3, errorCodes: ['E1'] }, failure);
 */
export function ruleMatches(rule: FailureRoutingRule, failure: RoutingFailure): boolean {
  if (rule.fromTool !== undefined && rule.fromTool !== failure.tool) return false;
  if (rule.errorTypes !== undefined && rule.errorTypes.length > 0 && !rule.errorTypes.includes(failure.error.type)) return false;
  if (rule.errorCodes !== undefined && rule.errorCodes.length > 0 && !rule.errorCodes.includes(failure.error.code)) return false;
  if (rule.when === undefined) return true;
  const when = ruleExpression(rule.when);
  if (when instanceof Error) return false;
  try {
    return when.evaluate(routingScope(failure)) === true;
  } catch {
    return false;
  }
}

/**
 * Picks the rule that handles a failure, deterministically: the first matching step rule (a
 * step's `onError: { route }`), else the matching runtime rule with the lowest `priority`, the
 * one declared first on a tie. `undefined` when nothing matches. Pure; O(number of rules).
 *
 * @example
 * const rule = selectRoute(rules, { tool: 'build_image', error, attempt: 3, input, context: {} });
 * if (rule) logger.info({ toTool: rule.toTool }, 'routing the failure');
 */
export function selectRoute(
  rules: readonly FailureRoutingRule[],
  failure: RoutingFailure,
  stepRules: readonly FailureRoutingRule[] = [],
): FailureRoutingRule | undefined {
  for (const rule of stepRules) if (ruleMatches(rule, failure)) return rule;
  let best: FailureRoutingRule | undefined;
  for (const rule of rules) {
    if ((best === undefined || rule.priority < best.priority) && ruleMatches(rule, failure)) best = rule;
  }
  return best;
}
