import { z } from 'zod';
import { IdentifierSchema } from '../IdentifierSchema.js';
import { RetryPolicySchema } from '../RetryPolicySchema.js';
import { stepCommonShape } from './StepCommon.js';
import { CallInputSchema } from './ToolStepSchema.js';

/** How a `map` step fans out over its items. */
export const MapSpecSchema = z
  .object({
    items: z.string().min(1).describe('CEL (usually `${{ expr }}`) that yields the array to map over'),
    as: IdentifierSchema.default('item').describe('Name of the item in the input wiring (`index` is the 0-based position)'),
    concurrency: z.number().int().min(1).optional().describe("Items at once; default: the workflow's concurrency, else unbounded"),
    maxFailures: z.number().int().min(0).default(0).describe('Failed items tolerated (their output is null)'),
  })
  .strict();
export type MapSpec = z.infer<typeof MapSpecSchema>;

/** A `map` step: one call of `tool` per item, outputs in item order. */
export const MapStepSchema = z
  .object({
    ...stepCommonShape,
    map: MapSpecSchema,
    tool: z.string().min(1).describe('The registered tool called once per item'),
    input: CallInputSchema,
    retry: RetryPolicySchema.optional().describe('Per item'),
  })
  .strict();
export type MapStepDefinition = z.infer<typeof MapStepSchema>;
