import type { ToolRegistry } from '../actors/ToolRegistry.js';
import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';

/**
 * The timeout of each attempt of a step: the step's own `timeoutMs`, else its tool's.
 *
 * @example
 * const timeoutOf = stepTimeoutOf(definition, tools);
 * timeoutOf('build'); // 600000
 */
export function stepTimeoutOf(definition: WorkflowDefinition, tools: ToolRegistry): (stepId: string) => number | undefined {
  const byId = new Map(definition.steps.map((step) => [step.id, step]));
  return (stepId) => {
    const step = byId.get(stepId);
    return step?.timeoutMs ?? (step ? tools.get(step.tool)?.timeoutMs : undefined);
  };
}
