import type { ToolRegistry } from '../actors/ToolRegistry.js';
import { namesWorkflows } from '../definition/namesWorkflows.js';
import { validateWorkflow, type ValidateOptions } from '../definition/validateWorkflow.js';
import { isValidatedFor } from '../definition/validatedDefinitions.js';
import type { WorkflowDefinitionInput } from '../definition/WorkflowDefinitionSchema.js';
import { WorkflowValidationError } from '../errors/WorkflowValidationError.js';
import { compileValidWorkflow } from '../machines/workflow/compileWorkflow.js';
import type { WorkflowServices } from '../machines/workflow/WorkflowServices.js';
import type { PreparedWorkflow } from './restoreExecution.js';
import { stepTimeoutOf } from './stepTimeoutOf.js';

/** What {@link createWorkflowPreparer} needs of the runtime. */
export interface PreparerDeps {
  tools: ToolRegistry;
  services: WorkflowServices;
  /** What every definition is checked against: the tools and the registered workflows. */
  validation(): ValidateOptions;
}

/**
 * Validates and compiles a definition once per definition object, and keeps the result: the
 * runtime's `prepare`. A definition `validateWorkflowAsync` accepted is marked against the tools
 * only, so one naming other workflows (child steps, compensations) is checked against the
 * registry here too. Invalid: `WorkflowValidationError`.
 *
 * @example
 * const { prepare, compiled } = createWorkflowPreparer({ tools, services, validation });
 * const { machine, timeoutOf } = prepare(definition);
 */
export function createWorkflowPreparer(deps: PreparerDeps) {
  const { tools, services } = deps;
  const compiled = new WeakMap<object, PreparedWorkflow>();
  const prepare = (source: WorkflowDefinitionInput): PreparedWorkflow => {
    const cached = compiled.get(source);
    if (cached) return cached;
    const result = isValidatedFor(source, tools) && !namesWorkflows(source) ? { success: true as const, definition: source } : validateWorkflow(source, deps.validation());
    if (!result.success) throw new WorkflowValidationError(result.issues);
    const entry: PreparedWorkflow = {
      definition: result.definition,
      machine: compileValidWorkflow(result.definition, tools, { services }),
      timeoutOf: stepTimeoutOf(result.definition, tools),
      compensates: result.definition.steps.some((step) => 'compensate' in step && step.compensate !== undefined),
    };
    compiled.set(source, entry);
    return entry;
  };
  return { prepare, compiled };
}
