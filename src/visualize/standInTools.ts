import { z } from 'zod';
import { stepTool } from '../definition/steps/stepTool.js';
import { defineTool, type AnyTool } from '../actors/defineTool.js';
import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import { ToolError } from '../errors/ToolError.js';

/**
 * The tools a definition needs in order to compile: each known tool it names, and for every
 * other name a stand-in that accepts any input and fails when called. Lets a definition whose
 * tools are not registered still compile, to draw its statechart (`orchkit graph --machine`).
 *
 * @example
 * const machine = compileWorkflow(definition, standInTools(definition, defaultTools()));
 */
export function standInTools(definition: WorkflowDefinition, known: Iterable<AnyTool> = []): AnyTool[] {
  const byName = new Map<string, AnyTool>();
  for (const tool of known) if (!byName.has(tool.name)) byName.set(tool.name, tool);
  const tools = new Map<string, AnyTool>();
  for (const step of definition.steps) {
    const name = stepTool(step);
    if (name !== undefined && !tools.has(name)) tools.set(name, byName.get(name) ?? standIn(name));
  }
  return [...tools.values()];
}

function standIn(name: string): AnyTool {
  const tool = defineTool({
    name: 'stand-in',
    description: `Stand-in for "${name}", used to draw diagrams; it is not registered`,
    input: z.object({}).loose(),
    output: z.unknown(),
    run: () =>
      Promise.reject(
        new ToolError({ code: 'STAND_IN_TOOL', message: `"${name}" is a stand-in for diagrams; register the real tool to run it`, retryable: false, tool: name }),
      ),
  });
  // The definition schema admits tool names `defineTool` rejects (upper case); a diagram
  // should still draw, so the stand-in takes the name after validation.
  return Object.freeze({ ...tool, name });
}
