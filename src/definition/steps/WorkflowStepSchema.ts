import { z } from 'zod';
import { IdentifierSchema } from '../IdentifierSchema.js';
import { RetryPolicySchema } from '../RetryPolicySchema.js';
import { CompensateSchema } from './CompensateSchema.js';
import { stepCommonShape } from './StepCommon.js';
import { CallInputSchema } from './ToolStepSchema.js';

/** Keys of a step whose calls are child runs of a registered workflow (`workflow`, and `map` over one). */
export const childRunShape = {
  workflow: IdentifierSchema.describe('The id of the registered workflow run as a child execution (once per item, for map)'),
  version: z.union([z.string().min(1), z.number()]).transform(String).optional().describe('The registered version to run; the latest when absent'),
  input: CallInputSchema.describe("The child's input; strings may hold ${{ expr }} CEL wiring; checked against the child's declared input"),
  retry: RetryPolicySchema.optional().describe('Each attempt (of each item, for map) is a new child execution'),
};

/**
 * A `workflow` step: runs a registered workflow as a child execution; the child's output is the
 * step's output, its failure the step's (with the child's error code).
 */
export const WorkflowStepSchema = z
  .object({
    ...stepCommonShape,
    ...childRunShape,
    compensate: CompensateSchema.optional().describe('The undo of this step, run when the workflow fails, times out or is cancelled'),
  })
  .strict();
export type WorkflowStepDefinition = z.infer<typeof WorkflowStepSchema>;
