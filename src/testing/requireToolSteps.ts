import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import { RuntimeError } from '../errors/RuntimeError.js';

/**
 * The steps of a definition, each with the tool it calls. The testing model draws each step's
 * outcomes from its tool; a step without one (`wait`) has no model here yet, so exploring or
 * checking such a workflow is an `INVALID_OPTION` naming the step rather than a wrong model.
 */
export function requireToolSteps(definition: WorkflowDefinition): void {
  const wait = definition.steps.find((step) => !('tool' in step));
  if (wait) throw new RuntimeError('INVALID_OPTION', `step "${wait.id}" is a wait: exploration and checkWorkflow do not cover wait steps yet`);
}
