import { z } from 'zod';
import { formatPath } from '../../definition/formatPath.js';
import { DurationMsSchema } from '../../definition/DurationSchema.js';
import { RetryPolicySchema } from '../../definition/WorkflowDefinitionSchema.js';
import { RuntimeError } from '../../errors/RuntimeError.js';
import { BreakerSettingsSchema } from '../../machines/breaker/circuitBreakerMachine.js';
import { BulkheadSettingsSchema } from './Bulkhead.js';

/**
 * Policies of one tool's calls. Defaults: a breaker (5 consecutive failures, or 50% of the last
 * 20 calls with at least 10, opens it for 30 s; 2 trial successes close it), no bulkhead (steps
 * are already limited by a workflow's `concurrency`), no time limit and no retry (the caller
 * passes those; a step's retries and timeout live in its machine).
 */
export const PolicySettingsSchema = z
  .object({
    timeoutMs: DurationMsSchema.optional(),
    retry: z.union([RetryPolicySchema, z.literal(false)]).default(false),
    breaker: z.union([BreakerSettingsSchema, z.literal(false)]).default(() => BreakerSettingsSchema.parse({})),
    bulkhead: z.union([BulkheadSettingsSchema, z.literal(false)]).default(false),
  })
  .strict();
export type PolicySettings = z.output<typeof PolicySettingsSchema>;
/** Settings as written: any field may be left out; a partial breaker or bulkhead is completed from the defaults. */
export type PolicySettingsInput = z.input<typeof PolicySettingsSchema>;

/** Parses settings, naming where they came from in the `INVALID_OPTION` error. */
export function parseSettings(input: unknown, where: string): PolicySettings {
  const parsed = PolicySettingsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${formatPath(issue.path) || '<root>'}: ${issue.message}`).join('; ');
  throw new RuntimeError('INVALID_OPTION', `invalid call policies for ${where}: ${problems}`);
}

/** Layers `over` on `base`: `false` turns a policy off, an object merges field by field. */
export function layer(base: object | false | undefined, over: object | false | undefined): object | false | undefined {
  if (over === undefined || over === false) return over ?? base;
  return base === false || base === undefined ? over : { ...base, ...over };
}
