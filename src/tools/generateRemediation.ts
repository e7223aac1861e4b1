import { defineTool } from '../actors/defineTool.js';
import { findAnalysis } from './remediation/findAnalysis.js';
import { remediateDockerfile } from './remediation/remediateDockerfile.js';
import { remediateVulnerabilities } from './remediation/remediateVulnerabilities.js';
import { RemediationInputSchema, RemediationSchema, type Remediation } from './remediation/RemediationSchema.js';

/** Failure codes that a new Dockerfile can fix. */
const DOCKERFILE_FAILURES = new Set(['DOCKERFILE_INVALID', 'BUILD_FAILED', 'IMAGE_BUILD_FAILED', 'DOCKER_BUILD_FAILED']);

/**
 * `generate_remediation`: the remediation tool the supervisor routes containerization failures
 * to. It never fails itself; it answers with a decision:
 *
 * - `DOCKERFILE_INVALID` and build failures (`BUILD_FAILED`, `IMAGE_BUILD_FAILED`,
 *   `DOCKER_BUILD_FAILED`): patches the Dockerfile of `originalInput` (its `dockerfile` text, or
 *   the file at its `path`) — pins `latest`, adds a non-root `USER` and a `HEALTHCHECK`, moves
 *   literal secrets out of `ENV`/`ARG`, `ADD` → `COPY` — or regenerates it from the
 *   `repository_analysis` (given in `context` or in the session's shared context), and answers
 *   `retry` with `patchedInput` = `originalInput` with the new Dockerfile: as text for tools that
 *   take text (`validate_dockerfile`), as the path of a temporary file for tools that read it
 *   from disk (`build_image`), so the user's own Dockerfile is never modified;
 * - `VULNERABILITIES_FOUND`: moves the final stage to a smaller current image of the same family
 *   (`retry` when the Dockerfile is in the input, else `escalate` with the suggestion in `output`);
 * - anything else (and `DOCKERFILE_EXISTS`, since replacing a user's file is a human's call):
 *   `escalate`.
 *
 * @example
 * const decision = await ctx.request('generate_remediation', {
 *   failure: { tool: 'validate_dockerfile', code: 'DOCKERFILE_INVALID', message: '...' },
 *   originalInput: { dockerfile },
 * });
 * if (decision.action === 'retry') await ctx.request('validate_dockerfile', decision.patchedInput);
 */
export const generateRemediation = defineTool({
  name: 'generate_remediation',
  description: 'Decides how to recover from a containerization failure: patch and retry (Dockerfile fixes, slimmer base image) or escalate',
  input: RemediationInputSchema,
  output: RemediationSchema,
  errors: {},
  timeoutMs: 15_000,
  async run(input, ctx): Promise<Remediation> {
    const original = isRecord(input.originalInput) ? input.originalInput : {};
    const analysis = findAnalysis(input.context, ctx.context);
    const { code } = input.failure;
    let decision: Remediation;
    if (DOCKERFILE_FAILURES.has(code)) {
      decision = await remediateDockerfile(input, original, analysis, ctx.signal);
    } else if (code === 'VULNERABILITIES_FOUND') {
      decision = await remediateVulnerabilities(input, original, analysis, ctx.signal);
    } else if (code === 'DOCKERFILE_EXISTS') {
      decision = { action: 'escalate', reason: 'the repository already has a Dockerfile; replacing it (overwrite: true) is for a human to decide', changes: [] };
    } else {
      decision = { action: 'escalate', reason: `no automatic remediation for ${code}: ${input.failure.message}`, changes: [] };
    }
    ctx.logger.info({ code, tool: input.failure.tool, action: decision.action, changes: decision.changes.length }, 'remediation decided');
    return decision;
  },
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
