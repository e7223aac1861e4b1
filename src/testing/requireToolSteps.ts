import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import { RuntimeError } from '../errors/RuntimeError.js';

/**
 * The steps of a definition, each with the tool it calls. The testing model draws each step's
 * outcomes from its tool; a step without one (`wait`, `workflow`) has no model here yet, so exploring or
 * checking such a workflow is an `INVALID_OPTION` naming the step rather than a wrong model.
 */
export function requireToolSteps(definition: WorkflowDefinition): void {
  const other = definition.steps.find((step) => !('tool' in step));
  if (other) {
    const kind = 'wait' in other ? 'wait' : 'workflow';
    throw new RuntimeError('INVALID_OPTION', `step "${other.id}" is a ${kind} step: exploration and checkWorkflow do not cover ${kind} steps yet`);
  }
}
