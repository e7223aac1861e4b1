import { z } from 'zod';

/** A finding's severity; `off` in a policy drops the rule. */
export const Severity = z.enum(['error', 'warning', 'info']);
export type Severity = z.infer<typeof Severity>;

/**
 * What a user may pass to `validate_dockerfile` and `validate_manifests`: rules turned off or to
 * another severity by id, the registries base and container images may come from, and the date
 * end-of-life checks are made against (default today).
 *
 * @example
 * { rules: { MISSING_HEALTHCHECK: 'off', TAG_FLOATING: 'error' }, allowedRegistries: ['docker.io', 'ghcr.io/acme'] }
 */
export const ValidationPolicySchema = z.object({
  rules: z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'a rule id such as TAG_FLOATING'), z.enum(['off', 'error', 'warning', 'info'])).default({}),
  /** Registry hosts, optionally with a path prefix (`docker.io`, `ghcr.io/acme`); images elsewhere are REGISTRY_NOT_ALLOWED. */
  allowedRegistries: z.array(z.string().min(1)).optional(),
  /** ISO date (`2026-12-01`) for the end-of-life table; default the current date. */
  asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'an ISO date such as 2026-12-01').optional(),
});
export type ValidationPolicy = z.output<typeof ValidationPolicySchema>;

/**
 * The issues with the policy applied: rules set to `off` dropped, others given the severity the
 * policy names.
 *
 * @example
 * applyPolicy(issues, { rules: { MISSING_HEALTHCHECK: 'off' } });
 */
export function applyPolicy<T extends { rule: string; severity: Severity }>(issues: readonly T[], policy: Pick<ValidationPolicy, 'rules'> | undefined): T[] {
  const rules = policy?.rules ?? {};
  const out: T[] = [];
  for (const issue of issues) {
    const setting = rules[issue.rule];
    if (setting === 'off') continue;
    out.push(setting === undefined ? issue : { ...issue, severity: setting });
  }
  return out;
}
