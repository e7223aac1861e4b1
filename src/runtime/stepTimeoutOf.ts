import type { ToolRegistry } from '../actors/ToolRegistry.js';
import { stepTool } from '../definition/steps/stepTool.js';
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
    if (!step || 'wait' in step) return undefined; // a wait's time limit is its own deadline
    const tool = stepTool(step);
    return step.timeoutMs ?? (tool === undefined ? undefined : tools.get(tool)?.timeoutMs);
  };
}
