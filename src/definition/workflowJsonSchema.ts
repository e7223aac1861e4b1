import { z } from 'zod';
import { WorkflowDefinitionSchema } from './WorkflowDefinitionSchema.js';

/**
 * The JSON Schema of the workflow format, generated from the zod schema (the source of truth),
 * for editors: `# yaml-language-server: $schema=./schema/workflow.schema.json`.
 *
 * @example
 * writeFileSync('workflow.schema.json', JSON.stringify(workflowJsonSchema(), null, 2));
 */
export function workflowJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(WorkflowDefinitionSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://orchkit.dev/schema/workflow.schema.json',
    title: 'orchkit workflow definition',
    description: 'A workflow: steps that call tools, their dependencies, ${{ CEL }} wiring, retry and error policies.',
  };
}
