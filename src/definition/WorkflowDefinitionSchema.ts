import { z } from 'zod';

/** Step ids and workflow ids: start with a letter; letters, digits, `_` and `-` after. */
export const IdentifierSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'must start with a letter and contain only letters, digits, "_" and "-"');

export const BackoffKind = { fixed: 'fixed', linear: 'linear', exponential: 'exponential' } as const;
export type BackoffKind = (typeof BackoffKind)[keyof typeof BackoffKind];

/** How a failed step is tried again. Every failure is retried except one marked `retryable: false`. */
export const RetryPolicySchema = z
  .object({
    maxAttempts: z.number().int().min(1).max(100).describe('Attempts in all, the first one included'),
    backoff: z.enum(['fixed', 'linear', 'exponential']).default('exponential'),
    initialDelayMs: z.number().int().min(0).default(200),
    maxDelayMs: z.number().int().min(0).default(30_000),
    multiplier: z.number().min(1).default(2),
    jitter: z.enum(['none', 'full']).default('full'),
  })
  .strict();
export type RetryPolicy = z.infer<typeof RetryPolicySchema>;

/** A step-level route to a remediation tool, used by the supervisor. */
export const StepRouteSchema = z.object({ route: z.string().min(1) }).strict();

export const StepSchema = z
  .object({
    id: IdentifierSchema,
    tool: z.string().min(1),
    description: z.string().optional(),
    dependsOn: z.array(z.string()).default([]),
    input: z.record(z.string(), z.unknown()).default({}).describe('Tool input; strings may hold ${{ expr }} CEL wiring'),
    when: z.string().min(1).optional().describe('CEL condition; false skips the step and its dependants'),
    retry: RetryPolicySchema.optional(),
    timeoutMs: z.number().int().positive().optional(),
    onError: z.union([z.enum(['fail', 'continue']), StepRouteSchema]).default('fail'),
    skipIfDependencySkipped: z
      .boolean()
      .default(true)
      .describe('false: run even when a dependency was skipped (its output is then absent)'),
  })
  .strict();
export type StepDefinition = z.infer<typeof StepSchema>;
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
    timeoutMs: z.number().int().positive().optional(),
    errorPolicy: ErrorPolicySchema.default({ mode: 'fail_fast' }),
    steps: z.array(StepSchema).min(1, 'a workflow needs at least one step'),
    output: z.unknown().optional().describe('Workflow output; strings may hold ${{ expr }} CEL wiring'),
  })
  .strict();

/** A validated, defaults-applied workflow definition. */
export type WorkflowDefinition = z.infer<typeof WorkflowDefinitionSchema>;
/** What a user writes: optional fields may be left out. */
export type WorkflowDefinitionInput = z.input<typeof WorkflowDefinitionSchema>;
