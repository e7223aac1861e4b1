import type { RetryPolicy } from '../RetryPolicySchema.js';
import type { StepDefinition } from '../WorkflowDefinitionSchema.js';

/** The tool a step calls (`tool` and `map` steps); `undefined` for a step that calls none (`wait`). */
export function stepTool(step: StepDefinition): string | undefined {
  return 'tool' in step ? step.tool : undefined;
}

/** The retry policy of a step's calls; `undefined` for none, and for a kind without calls (`wait`). */
export function stepRetry(step: StepDefinition): RetryPolicy | undefined {
  return 'retry' in step ? step.retry : undefined;
}
