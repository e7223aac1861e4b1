import { z } from 'zod';

/**
 * A routing rule: which failures (tool, error type, error code, condition) go to which
 * remediation tool. Absent or empty filters match anything. Among matching rules the lowest
 * `priority` wins, then the one declared first.
 */
export const FailureRoutingRuleSchema = z
  .object({
    /** The tool whose failure this rule handles; absent = any tool. */
    fromTool: z.string().min(1).optional(),
    /** Error types that match (`validation_error`, `auth_error`, ...); absent or empty = any. */
    errorTypes: z.array(z.string().min(1)).optional(),
    /** Error codes that match (`DOCKERFILE_INVALID`, ...); absent or empty = any. */
    errorCodes: z.array(z.string().min(1)).optional(),
    /** The remediation tool the failure is sent to. */
    toTool: z.string().min(1),
    /** Lower wins; ties go to the rule declared first. */
    priority: z.number().default(100),
    description: z.string().optional(),
    /** CEL condition over `error`, `attempt`, `input`, `context` and `tool`; must be `true` to match. */
    when: z.string().min(1).optional(),
    /**
     * CEL expression (same scope) building the remediation tool's input, for tools with their own
     * input shape (`{'registry': input.registry}`); by default the tool gets
     * `{ failure, originalInput, context }`.
     */
    input: z.string().min(1).optional(),
    /** Routes a step may take in one execution while this rule is the one chosen. */
    maxRoutes: z.number().int().min(1).default(3),
  })
  .strict();

/**
 * A routing rule with its defaults applied.
 *
 * @example
 * const rule: FailureRoutingRule = FailureRoutingRuleSchema.parse({
 *   fromTool: 'build_image', errorCodes: ['DOCKERFILE_INVALID'], toTool: 'generate_remediation',
 * }); // priority 100, maxRoutes 3
 */
export type FailureRoutingRule = z.infer<typeof FailureRoutingRuleSchema>;

/** A routing rule as written by a user (defaults optional). */
export type FailureRoutingRuleInput = z.input<typeof FailureRoutingRuleSchema>;

/**
 * The rule a step's `onError: { route: tool }` stands for: it handles any failure of the step's
 * tool and is tried before every runtime-wide rule.
 *
 * @example
 * const rules = [stepRoutingRule('build_image', 'generate_remediation')];
 * supervisor.route({ ...failure, stepRules: rules });
 */
export function stepRoutingRule(fromTool: string, toTool: string, maxRoutes = 3): FailureRoutingRule {
  return { fromTool, toTool, priority: Number.MIN_SAFE_INTEGER, maxRoutes, description: `onError.route of ${fromTool}` };
}
