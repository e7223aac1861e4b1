import { z } from 'zod';
import { RetryPolicySchema } from '../RetryPolicySchema.js';
import { CompensateSchema } from './CompensateSchema.js';
import { stepCommonShape } from './StepCommon.js';

/** Wiring of a call: a JSON value whose strings may hold `${{ expr }}` CEL. */
export const CallInputSchema = z.record(z.string(), z.unknown()).default({}).describe('Tool input; strings may hold ${{ expr }} CEL wiring');

/** A `tool` step: one call of a registered tool. */
export const ToolStepSchema = z
  .object({
    ...stepCommonShape,
    tool: z.string().min(1).describe('The registered tool this step calls'),
    input: CallInputSchema,
    retry: RetryPolicySchema.optional(),
    compensate: CompensateSchema.optional().describe('The undo of this step, run when the workflow fails, times out or is cancelled'),
  })
  .strict();
export type ToolStepDefinition = z.infer<typeof ToolStepSchema>;
