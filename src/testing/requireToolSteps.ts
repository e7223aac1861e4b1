import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import { RuntimeError } from '../errors/RuntimeError.js';

/**
 * Refuses a definition with a step that calls no tool (`wait`) for `checkWorkflow`, whose outcome
 * scripts are drawn per tool call: such a workflow is an `INVALID_OPTION` naming the step rather
 * than a wrong check. `exploreWorkflow` covers wait steps (a signal or its time limit).
 */
export function requireToolSteps(definition: WorkflowDefinition): void {
  const wait = definition.steps.find((step) => !('tool' in step));
  if (wait) throw new RuntimeError('INVALID_OPTION', `step "${wait.id}" is a wait: checkWorkflow does not cover wait steps yet; exploreWorkflow does`);
}
