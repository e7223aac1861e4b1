import { runInTurns } from './runInTurns.js';
import { toToolCatalog } from './ToolCatalog.js';
import { markValidated } from './validatedDefinitions.js';
import { validationWork, type ValidateOptions, type ValidationResult } from './validateWorkflow.js';

/**
 * {@link validateWorkflow}, split into turns of the event loop: it yields (`setImmediate`) every 100
 * steps and every 10,000 values of the shape walk, so validating a definition of 10,000
 * steps never holds the event loop for the whole of it. Same checks, same result. The accepted
 * definition is frozen; a runtime whose tools it was checked against starts it without checking
 * it again.
 *
 * @example
 * const result = await validateWorkflowAsync(definition, { tools: runtime.tools });
 * if (result.success) await runtime.executeWorkflow(result.definition);
 */
export async function validateWorkflowAsync(value: unknown, options: ValidateOptions = {}): Promise<ValidationResult> {
  const catalog = options.tools === undefined ? undefined : toToolCatalog(options.tools);
  // The catalog the definition is marked with is the one it was checked against; other options pass on.
  const result = await runInTurns(validationWork(value, catalog === undefined ? options : { ...options, tools: catalog }));
  if (result.success) markValidated(result.definition, catalog);
  return result;
}
