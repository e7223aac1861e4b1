import { z } from 'zod';

import { DefinitionLimits } from './DefinitionLimits.js';
import { DurationMsSchema } from './DurationSchema.js';
import { IdentifierSchema } from './IdentifierSchema.js';
import { MapStepSchema, type MapStepDefinition } from './steps/MapStepSchema.js';
import { ToolStepSchema, type ToolStepDefinition } from './steps/ToolStepSchema.js';
import { WaitStepSchema, type WaitStepDefinition } from './steps/WaitStepSchema.js';
import { WorkflowStepSchema, type WorkflowStepDefinition } from './steps/WorkflowStepSchema.js';
import { MapWorkflowStepSchema, type MapWorkflowStepDefinition } from './steps/MapWorkflowStepSchema.js';

export { DefinitionLimits } from './DefinitionLimits.js';
export { DelayMsSchema, DurationMsSchema, MAX_DURATION_MS } from './DurationSchema.js';
export { IdentifierSchema } from './IdentifierSchema.js';
export { BackoffKind, RetryPolicySchema, type RetryPolicy } from './RetryPolicySchema.js';
export { StepRouteSchema } from './steps/StepCommon.js';
export { ToolStepSchema, type ToolStepDefinition } from './steps/ToolStepSchema.js';
export { MapStepSchema, MapSpecSchema, type MapStepDefinition, type MapSpec } from './steps/MapStepSchema.js';
export { WaitStepSchema, WaitSpecSchema, type WaitStepDefinition, type WaitSpec } from './steps/WaitStepSchema.js';
export { WorkflowStepSchema, type WorkflowStepDefinition } from './steps/WorkflowStepSchema.js';
export { MapWorkflowStepSchema, type MapWorkflowStepDefinition } from './steps/MapWorkflowStepSchema.js';

/**
 * A step: exactly one kind, chosen by the key it carries (`tool`, `map`, `wait`, `workflow`). A union of one strict
 * object per kind, so the JSON Schema is exact; validation picks the branch by the kind key
 * first (`stepKindKey`), so each issue keeps the exact path inside that branch.
 */
export const StepSchema = z.union([ToolStepSchema, MapStepSchema, WaitStepSchema, WorkflowStepSchema, MapWorkflowStepSchema]);
export type StepDefinition = ToolStepDefinition | MapStepDefinition | WaitStepDefinition | WorkflowStepDefinition | MapWorkflowStepDefinition;
export type StepDefinitionInput = z.input<typeof StepSchema>;

export const ErrorPolicySchema = z
  .object({
    mode: z.enum(['fail_fast', 'continue']).default('fail_fast'),
    maxFailures: z.number().int().min(0).optional(),
  })
  .strict();
export type ErrorPolicy = z.infer<typeof ErrorPolicySchema>;

/** Description of one workflow input field (JSON-Schema-like). */
export const InputFieldSchema = z
  .object({
    type: z.enum(['string', 'number', 'integer', 'boolean', 'object', 'array']).optional(),
    description: z.string().optional(),
    default: z.unknown().optional(),
    required: z.boolean().optional(),
  })
  .strict();

/** The bounds of a definition's `steps` array, on whatever the items are. */
function boundedSteps<T extends z.ZodType>(steps: z.ZodArray<T>): z.ZodArray<T> {
  return steps.min(1, 'a workflow needs at least one step').max(DefinitionLimits.maxSteps, `a workflow has at most ${DefinitionLimits.maxSteps} steps`);
}

/**
 * A workflow definition: the source of truth for the YAML/JSON format.
 * Types are inferred from it; `schema/workflow.schema.json` is generated from it.
 */
export const WorkflowDefinitionSchema = z
  .object({
    $schema: z.string().optional(),
    id: IdentifierSchema,
    version: z.union([z.string(), z.number()]).transform(String).default('1'),
    description: z.string().optional(),
    input: z.record(z.string(), InputFieldSchema).default({}),
    concurrency: z.number().int().min(1).optional(),
    timeoutMs: DurationMsSchema.optional(),
    errorPolicy: ErrorPolicySchema.default({ mode: 'fail_fast' }),
    steps: boundedSteps(z.array(StepSchema)),
    output: z.unknown().optional().describe('Workflow output; strings may hold ${{ expr }} CEL wiring'),
  })
  .strict();

/** A validated, defaults-applied workflow definition. */
export type WorkflowDefinition = z.infer<typeof WorkflowDefinitionSchema>;
/** What a user writes: optional fields may be left out. */
export type WorkflowDefinitionInput = z.input<typeof WorkflowDefinitionSchema>;

/**
 * {@link WorkflowDefinitionSchema} with its steps left unparsed: validation parses the definition
 * around them once and each step on its own, so a long definition can be checked in turns.
 */
export const WorkflowHeaderSchema = WorkflowDefinitionSchema.extend({ steps: boundedSteps(z.array(z.unknown())) });
