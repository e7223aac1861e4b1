import { z } from 'zod';
import { DurationMsSchema } from '../DurationSchema.js';
import { IdentifierSchema } from '../IdentifierSchema.js';

/** A step-level route to a remediation tool, used by the supervisor. */
export const StepRouteSchema = z.object({ route: z.string().min(1) }).strict();

/** Keys every step kind carries, whatever it does. */
export const stepCommonShape = {
  id: IdentifierSchema,
  description: z.string().optional(),
  dependsOn: z.array(z.string()).default([]),
  when: z.string().min(1).optional().describe('CEL condition; false skips the step and its dependants'),
  timeoutMs: DurationMsSchema.optional().describe('Time limit of one attempt (of one item, for map)'),
  onError: z.union([z.enum(['fail', 'continue']), StepRouteSchema]).default('fail'),
  skipIfDependencySkipped: z.boolean().default(true).describe('false: run even when a dependency was skipped (its output is then absent)'),
};
