import type { WorkflowDefinition } from './WorkflowDefinitionSchema.js';
import { locatedError, readDefinitionTextWork, type ParseOptions } from './parseWorkflow.js';
import { runInTurns } from './runInTurns.js';
import { validateWorkflowAsync } from './validateWorkflowAsync.js';

/**
 * {@link parseWorkflow} whose validation runs in turns of the event loop
 * ({@link validateWorkflowAsync}), and whose YAML is lexed and parsed in turns too (composing the
 * document is one turn); JSON text is one `JSON.parse`. Both within the text bounds of
 * `DefinitionLimits`.
 *
 * @throws WorkflowValidationError `WORKFLOW_PARSE_ERROR` or `WORKFLOW_INVALID` (the promise rejects)
 * @example
 * const definition = await parseWorkflowAsync(await readFile('big.yaml', 'utf8'), { tools });
 */
export async function parseWorkflowAsync(text: string, options: ParseOptions = {}): Promise<WorkflowDefinition> {
  const read = await runInTurns(readDefinitionTextWork(text, options));
  const result = await validateWorkflowAsync(read.value, options);
  if (result.success) return result.definition;
  throw locatedError(text, result.issues, read.yaml);
}
