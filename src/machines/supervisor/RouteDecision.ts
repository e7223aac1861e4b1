import { z } from 'zod';
import { ErrorInfoSchema } from '../../errors/ErrorInfo.js';
import { FailureRoutingRuleSchema } from './FailureRoutingRule.js';

/**
 * The supervisor's answer to a {@link RouteRequest}: `retry` the step (with `patchedInput` when
 * given), `resolved` (`output` stands in for the step's), or `escalate` (the workflow's error
 * policy applies). `routedTo` lists every remediation tool called, in order (a remediation that
 * fails is itself routed on); `error` says why the supervisor escalated on its own (a loop, the
 * limit, no rule, a failed remediation, cancellation).
 */
export const RouteDecisionSchema = z.object({
  action: z.enum(['retry', 'resolved', 'escalate']),
  /** The last remediation tool called. */
  toTool: z.string().optional(),
  /** The rule that chose `toTool`. */
  rule: FailureRoutingRuleSchema.optional(),
  patchedInput: z.record(z.string(), z.unknown()).optional(),
  output: z.unknown().optional(),
  reason: z.string(),
  routedTo: z.array(z.string()),
  /** A `RoutingError` as JSON, when the supervisor escalated without a remediation's say. */
  error: ErrorInfoSchema.optional(),
});

/**
 * A routing decision.
 *
 * @example
 * const decision = await supervisor.route(request);
 * if (decision.action === 'retry') restartStep(decision.patchedInput);
 */
export type RouteDecision = z.infer<typeof RouteDecisionSchema>;
