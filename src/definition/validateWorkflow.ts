import type { AnyTool } from '../actors/defineTool.js';
import { toRegistry, type ToolRegistry } from '../actors/ToolRegistry.js';
import type { ValidationIssue } from '../errors/WorkflowValidationError.js';
import { checkGraph } from './checkGraph.js';
import { checkWiring } from './checkWiring.js';
import { formatPath } from './formatPath.js';
import { readRawSteps } from './RawStep.js';
import { WorkflowDefinitionSchema, type WorkflowDefinition } from './WorkflowDefinitionSchema.js';

/** Options of {@link validateWorkflow}. */
export interface ValidateOptions {
  /** When given, tool names and the wiring into their input schemas are checked too. */
  tools?: ToolRegistry | Iterable<AnyTool>;
}

/** Result of validation, discriminated on `success` like zod's `safeParse`. */
export type ValidationResult =
  | { success: true; definition: WorkflowDefinition; issues: readonly [] }
  | { success: false; definition?: undefined; issues: readonly ValidationIssue[] };

/**
 * Checks a workflow definition and reports every problem at once, each with its path:
 * schema errors, duplicate ids, unknown dependencies, cycles (named `a -> b -> a`),
 * unknown tools with a suggestion, expressions that do not parse, wiring that reads a
 * step that is not an ancestor, and inputs the tool's schema does not have.
 *
 * @example
 * const result = validateWorkflow(definition, { tools });
 * if (!result.success) for (const issue of result.issues) logger.warn({ path: issue.path, code: issue.code }, issue.message);
 */
export function validateWorkflow(value: unknown, options: ValidateOptions = {}): ValidationResult {
  const parsed = WorkflowDefinitionSchema.safeParse(value);
  const issues: ValidationIssue[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({
        code: issue.code === 'unrecognized_keys' ? 'UNKNOWN_FIELD' : 'SCHEMA',
        path: formatPath(issue.path),
        message: issue.message,
      }));
  const steps = readRawSteps(value);
  const registry = options.tools === undefined ? undefined : toRegistry(options.tools);
  issues.push(...checkGraph(steps));
  issues.push(...checkWiring(steps, (value as { output?: unknown } | null)?.output, registry));
  if (parsed.success && issues.length === 0) return { success: true, definition: parsed.data, issues: [] };
  return { success: false, issues: dedupe(issues) };
}

function dedupe(issues: ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.code}|${issue.path}|${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
