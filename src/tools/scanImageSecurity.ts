import { z } from 'zod';
import { defineTool, type ToolErrorSpec } from '../actors/defineTool.js';
import { ErrorType } from '../errors/ErrorInfo.js';
import { ToolError } from '../errors/ToolError.js';
import { commandErrors, runCommand } from './commandRunner.js';
import { toolFailure } from './toolFailure.js';
import { parseTrivyReport, SEVERITIES, severityRank, SeveritySchema, VulnerabilitySchema } from './parseTrivyReport.js';

const errors = {
  ...commandErrors,
  VULNERABILITIES_FOUND: { type: ErrorType.security, retryable: false, description: 'The image has findings at or above `failOn`; details carry the counts and the top findings' },
  SCAN_FAILED: { type: ErrorType.execution, retryable: false, description: 'trivy failed or printed a report that does not parse; retryable when it failed to download its database' },
} as const satisfies Record<string, ToolErrorSpec>;

/** Severities that make a scan fail (UNKNOWN is never a threshold). */
const Threshold = z.enum(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']);
const TOP_FINDINGS = 10;
const TRANSIENT = /failed to download|DB error|dial tcp|TLS handshake timeout|i\/o timeout|connection reset|too many requests|429/i;

/**
 * Scans an image with `trivy image --format json --quiet` and fails with
 * `VULNERABILITIES_FOUND` when a finding is at or above `failOn`.
 *
 * @example
 * steps: [{ id: 'scan', tool: 'scan_image_security', when: 'env.trivy',
 *           input: { image: 'app:1.0.0', failOn: 'CRITICAL' } }]
 */
export const scanImageSecurity = defineTool({
  name: 'scan_image_security',
  description: 'Scans a container image for known vulnerabilities with trivy; fails at a chosen severity',
  input: z.object({
    image: z.string().min(1).regex(/^[^-\s]\S*$/, 'must not start with "-" or contain spaces'),
    severity: z.array(SeveritySchema).min(1).optional().describe('only report these severities (trivy --severity)'),
    failOn: Threshold.optional().describe('fail when a finding is at or above this severity'),
    ignoreUnfixed: z.boolean().default(false).describe('skip findings that have no fixed version yet'),
  }),
  output: z.object({
    image: z.string(),
    vulnerabilities: z.array(VulnerabilitySchema),
    counts: z.record(SeveritySchema, z.number().int().nonnegative()),
    total: z.number().int().nonnegative(),
  }),
  errors,
  timeoutMs: 15 * 60_000,
  async run(input, ctx) {
    const args = ['image', '--format', 'json', '--quiet'];
    if (input.severity) args.push('--severity', [...new Set(input.severity)].join(','));
    if (input.ignoreUnfixed) args.push('--ignore-unfixed');
    args.push(input.image);
    ctx.progress({ message: `trivy scanning ${input.image}` });
    const result = await runCommand('trivy', args, { signal: ctx.signal, onLine: (line, stream) => { if (stream === 'stderr') ctx.progress({ message: line }); } });
    if (result.exitCode !== 0) {
      const stderr = result.stderr.trim().split(/\r?\n/).slice(-20);
      throw new ToolError({
        code: 'SCAN_FAILED', type: errors.SCAN_FAILED.type, retryable: TRANSIENT.test(result.stderr),
        message: `trivy exited with code ${String(result.exitCode)}: ${stderr.filter((line) => line.trim()).at(-1) ?? 'no output'}`,
        details: { exitCode: result.exitCode, stderr },
      });
    }
    const parsed = parseTrivyReport(result.stdout);
    if (!parsed.success) {
      throw toolFailure(errors, 'SCAN_FAILED', parsed.error);
    }
    const { vulnerabilities, counts } = parsed.data;
    ctx.logger.info({ image: input.image, counts }, 'trivy scan finished');
    if (input.failOn) {
      const threshold = severityRank(input.failOn);
      const blocking = vulnerabilities.filter((found) => severityRank(found.severity) >= threshold);
      if (blocking.length > 0) {
        const summary = SEVERITIES.filter((severity) => counts[severity] > 0).map((severity) => `${counts[severity]} ${severity}`).join(', ');
        throw toolFailure(errors, 'VULNERABILITIES_FOUND', `${input.image} has ${blocking.length} finding(s) at or above ${input.failOn} (${summary})`,
          { image: input.image, failOn: input.failOn, counts, top: blocking.slice(0, TOP_FINDINGS) });
      }
    }
    return { image: input.image, vulnerabilities, counts, total: vulnerabilities.length };
  },
});
