import { z } from 'zod';
import { ErrorInfoSchema } from '../../errors/ErrorInfo.js';
import { FailureRoutingRuleSchema } from './FailureRoutingRule.js';

/**
 * A step's failure, sent to the supervisor for a decision once the step's retries are spent.
 * JSON only: it is kept in the supervisor's machine context while the remediation runs.
 */
export const RouteRequestSchema = z.object({
  /** Unique per request; the decision carries it back. */
  requestId: z.string().min(1),
  executionId: z.string().min(1),
  /** Carried through untouched, for the `failure.routed` bus message. */
  correlationId: z.string().optional(),
  sessionId: z.string().optional(),
  stepId: z.string().min(1),
  /** The tool whose call failed. */
  tool: z.string().min(1),
  error: ErrorInfoSchema,
  attempt: z.number().int().min(0),
  /** The input of the failed call; a `retry` patch replaces it. */
  input: z.unknown(),
  /** The session's shared context, `{ contextType: data }`. */
  context: z.record(z.string(), z.unknown()),
  /** The step's own rules (`onError: { route }`), tried before the runtime-wide rules. */
  stepRules: z.array(FailureRoutingRuleSchema).optional(),
  /** When the failure was routed (the supervisor's clock), for the route records. */
  at: z.number().optional(),
});

/**
 * A routing request.
 *
 * @example
 * const request: RouteRequest = {
 *   requestId: 'r1', executionId, stepId: 'build', tool: 'build_image',
 *   error: { type: 'validation_error', code: 'DOCKERFILE_INVALID', message: '...' },
 *   attempt: 3, input: { dockerfile }, context: {},
 * };
 */
export type RouteRequest = z.infer<typeof RouteRequestSchema>;

/** A request as the caller writes it: the supervisor numbers it and stamps the time. */
export type RouteRequestInput = Omit<RouteRequest, 'requestId' | 'at'> & { requestId?: string };
