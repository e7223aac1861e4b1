import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import { RuntimeError } from '../errors/RuntimeError.js';

/**
 * Refuses a definition with a step that calls no tool (`wait`, `workflow`) for `checkWorkflow`,
 * whose outcome scripts are drawn per tool call: such a workflow is an `INVALID_OPTION` naming the
 * step rather than a wrong check. `exploreWorkflow` covers wait steps (a signal or its time limit).
 */
export function requireToolSteps(definition: WorkflowDefinition): void {
  requireNoWorkflowSteps(definition);
  const wait = definition.steps.find((step) => !('tool' in step));
  if (wait) throw new RuntimeError('INVALID_OPTION', `step "${wait.id}" is a wait: checkWorkflow does not cover wait steps yet; exploreWorkflow does`);
}

/**
 * Refuses a definition with a step that runs child workflows (`workflow:`, or a `map` over a
 * workflow): neither exploration nor `checkWorkflow` walks into children yet, so such a workflow
 * is an `INVALID_OPTION` naming the step rather than a replay that cannot start its child.
 */
export function requireNoWorkflowSteps(definition: WorkflowDefinition): void {
  const nested = definition.steps.find((step) => 'workflow' in step);
  if (nested) throw new RuntimeError('INVALID_OPTION', `step "${nested.id}" runs workflow children: exploreWorkflow and checkWorkflow do not cover workflow steps yet`);
}
