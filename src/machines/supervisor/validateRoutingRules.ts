import type { ToolRegistry } from '../../actors/ToolRegistry.js';
import { formatPath } from '../../definition/formatPath.js';
import { parseExpression } from '../../definition/Expression.js';
import { isExpressionError } from '../../errors/ExpressionError.js';
import type { ValidationIssue } from '../../errors/WorkflowValidationError.js';
import { FailureRoutingRuleSchema, type FailureRoutingRule } from './FailureRoutingRule.js';
import { ROUTING_VARIABLES } from './ruleExpression.js';

/** Codes the runtime itself gives a tool's failure, whatever the tool declares. */
export const RUNTIME_ERROR_CODES: readonly string[] = [
  'INPUT_INVALID',
  'OUTPUT_INVALID',
  'TOOL_CRASHED',
  'TOOL_TIMEOUT',
  'STEP_TIMEOUT',
  'CANCELLED',
  'UNEXPECTED_ERROR',
  'EXPRESSION_FAILED',
  'EXPRESSION_BUDGET_EXCEEDED',
  'OUTPUT_NOT_JSON',
];

/**
 * Checks routing rules against the registered tools and reports every problem at once, each
 * with its path (`routingRules[2].toTool`): a rule that does not fit the schema (`INVALID_RULE`),
 * a `toTool`/`fromTool` that is not registered (`UNKNOWN_TOOL`, with a "did you mean"), an
 * error code that the tool (or, without `fromTool`, no tool) declares (`UNKNOWN_ERROR_CODE`), a
 * `when`/`input` that does not parse (`EXPRESSION_INVALID`) or reads `steps`/`env`, which a rule
 * does not see (`UNKNOWN_VARIABLE`), and a tool routed to itself (`ROUTE_TO_SELF`).
 *
 * @example
 * const issues = validateRoutingRules(rules, registry);
 * if (issues.length > 0) throw RoutingError.invalidRules(issues);
 */
export function validateRoutingRules(rules: readonly unknown[], registry: ToolRegistry, basePath = 'routingRules'): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  rules.forEach((raw, index) => {
    const path = `${basePath}[${index}]`;
    const parsed = FailureRoutingRuleSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        issues.push({ code: 'INVALID_RULE', path: formatPath([basePath, index, ...issue.path]), message: issue.message });
      }
      return;
    }
    issues.push(...checkRule(parsed.data, path, registry));
  });
  return issues;
}

function checkRule(rule: FailureRoutingRule, path: string, registry: ToolRegistry): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const field of ['fromTool', 'toTool'] as const) {
    const name = rule[field];
    if (name !== undefined && !registry.has(name)) {
      const hint = registry.suggest(name);
      issues.push({ code: 'UNKNOWN_TOOL', path: `${path}.${field}`, message: `no tool named "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}` });
    }
  }
  if (rule.fromTool !== undefined && rule.fromTool === rule.toTool) {
    issues.push({ code: 'ROUTE_TO_SELF', path: `${path}.toTool`, message: `"${rule.toTool}" would remediate its own failure, a routing loop` });
  }
  const known = knownCodes(rule.fromTool, registry);
  rule.errorCodes?.forEach((code, i) => {
    if (known === undefined || known.has(code)) return;
    const owner = rule.fromTool === undefined ? 'no registered tool' : `tool "${rule.fromTool}"`;
    issues.push({ code: 'UNKNOWN_ERROR_CODE', path: `${path}.errorCodes[${i}]`, message: `${owner} declares error code "${code}"` });
  });
  for (const field of ['when', 'input'] as const) {
    const source = rule[field];
    if (source !== undefined) issues.push(...checkExpression(source, `${path}.${field}`));
  }
  return issues;
}

/** Codes a failure of `fromTool` can carry; `undefined` when the tool is unknown (reported already). */
function knownCodes(fromTool: string | undefined, registry: ToolRegistry): Set<string> | undefined {
  const codes = new Set(RUNTIME_ERROR_CODES);
  if (fromTool !== undefined) {
    const tool = registry.get(fromTool);
    if (!tool) return undefined;
    Object.keys(tool.errors).forEach((code) => codes.add(code));
    return codes;
  }
  for (const tool of registry.list()) Object.keys(tool.errors).forEach((code) => codes.add(code));
  return codes;
}

const WORKFLOW_ONLY = ['steps', 'env'];

function checkExpression(source: string, path: string): ValidationIssue[] {
  try {
    const expression = parseExpression(source, path);
    // Only the workflow-scope names: other unknown names may be macro variables (`exists(x, ...)`).
    return expression.variables
      .filter((name) => WORKFLOW_ONLY.includes(name))
      .map((name) => ({ code: 'UNKNOWN_VARIABLE', path, message: `reads "${name}"; a routing rule sees only ${ROUTING_VARIABLES.join(', ')}` }));
  } catch (error) {
    if (!isExpressionError(error)) throw error;
    return [{ code: error.code, path, message: error.message.slice(path.length + 2) }];
  }
}
