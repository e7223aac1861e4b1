import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { defineTool } from '../actors/defineTool.js';
import { ErrorType } from '../errors/ErrorInfo.js';
import { DockerfileIssueSchema } from './dockerfile/DockerfileIssue.js';
import { lintDockerfile } from './dockerfile/lintDockerfile.js';
import { toolFailure } from './toolFailure.js';
import { applyPolicy, ValidationPolicySchema } from './validation/ValidationPolicy.js';

const errors = {
  DOCKERFILE_INVALID: { type: ErrorType.validation, retryable: false, description: 'the Dockerfile has error-severity issues; details.issues lists them with lines' },
  DOCKERFILE_NOT_FOUND: { type: ErrorType.notFound, retryable: false, description: 'no Dockerfile at the given path' },
} as const;

const OutputSchema = z.object({
  /** True when no issue has severity `error` (warnings and infos may remain). */
  valid: z.boolean(),
  issues: z.array(DockerfileIssueSchema),
  stages: z.number().int().nonnegative(),
  baseImages: z.array(z.string()),
  /** The file that was read, when the input was a path. */
  path: z.string().optional(),
});

/**
 * `validate_dockerfile`: parses a Dockerfile (given as text, or as a path to the file or to the
 * directory holding `Dockerfile`) with the maintained `dockerfile-ast` parser and lints it.
 *
 * Every issue carries its rule id, severity, line and a fix hint; the rules and their default
 * severities are in `DockerfileRule`:
 * - error: `UNKNOWN_INSTRUCTION`, `MISSING_ARGUMENTS`, `MISSING_FROM`, `SECRET_IN_ENV`, `INVALID_PORT`,
 *   `INVALID_JSON_FORM` (SHELL), `STAGE_SELF_REFERENCE`, `WORLD_WRITABLE` (chmod 777),
 *   `PACKAGE_NO_CONFIRM`, `HEALTHCHECK_TOOL_MISSING` (curl on an image without curl),
 *   `REGISTRY_NOT_ALLOWED` (with a policy);
 * - warning: `NO_LATEST_TAG`, `TAG_FLOATING`, `TAG_END_OF_LIFE` (Node, Python, Java, PHP, Debian),
 *   `DEPRECATED_IMAGE`, `RUNS_AS_ROOT`, `USER_NOT_NUMERIC`, `MISSING_HEALTHCHECK`,
 *   `PACKAGE_UPGRADE` (yum update, apt-get upgrade), `NPM_INSTALL_WITHOUT_LOCKFILE`,
 *   `REMOTE_SCRIPT_PIPED`, `STAGE_UNKNOWN`, `ADD_INSTEAD_OF_COPY`, `INVALID_JSON_FORM` (CMD/RUN);
 * - info: `PACKAGE_CACHE_KEPT`, `DEPRECATED_MAINTAINER`, `MISSING_HEALTHCHECK` where no probe can run.
 *
 * A `policy` turns rules off or to another severity by id, restricts base-image registries and
 * fixes the date of the end-of-life checks.
 *
 * Any error fails the call with `DOCKERFILE_INVALID` (validation_error, non-retryable) whose
 * `details` is `{ issues, stages, baseImages }`; warnings alone give `valid: true`.
 * `DOCKERFILE_NOT_FOUND` (not_found, non-retryable) when `path` holds no Dockerfile.
 *
 * @example
 * const { valid, issues } = await ctx.request('validate_dockerfile', { dockerfile: 'FROM node:22.12.0-alpine3.21\n...' });
 */
export const validateDockerfile = defineTool({
  name: 'validate_dockerfile',
  description: 'Parses and lints a Dockerfile: unknown instructions, missing FROM, secrets in ENV/ARG (errors); latest tags, root user, missing HEALTHCHECK, ADD (warnings)',
  input: z
    .object({
      dockerfile: z.string().optional().describe('Dockerfile text'),
      path: z.string().min(1).optional().describe('A Dockerfile, or a directory holding one'),
      policy: ValidationPolicySchema.optional().describe('Rules to turn off or to another severity, allowed registries, date for end-of-life checks'),
    })
    .refine((input) => (input.dockerfile === undefined) !== (input.path === undefined), { message: 'give exactly one of dockerfile or path' }),
  output: OutputSchema,
  errors,
  timeoutMs: 10_000,
  async run(input, ctx) {
    let text = input.dockerfile;
    let file: string | undefined;
    if (text === undefined && input.path !== undefined) {
      const resolved = await ctx.resolvePath(input.path);
      const info = await stat(resolved).catch(() => undefined);
      file = info?.isDirectory() === true ? path.join(resolved, 'Dockerfile') : resolved;
      text = await readFile(file, { encoding: 'utf8', signal: ctx.signal }).catch((error: unknown) => {
        if (ctx.signal.aborted) throw error;
        throw toolFailure(errors, 'DOCKERFILE_NOT_FOUND', `no Dockerfile at ${file ?? resolved}`, { path: file }, error);
      });
    }
    const context = file === undefined ? undefined : path.dirname(file);
    const hasLockFile = context === undefined ? undefined : await hasNodeLock(context);
    const raw = lintDockerfile(text ?? '', { asOf: input.policy?.asOf, allowedRegistries: input.policy?.allowedRegistries, hasLockFile });
    const lint = { ...raw, issues: applyPolicy(raw.issues, input.policy) };
    const failures = lint.issues.filter((issue) => issue.severity === 'error');
    if (failures.length > 0) {
      const summary = failures.map((issue) => `${issue.rule} at line ${issue.line}`).join(', ');
      throw toolFailure(errors, 'DOCKERFILE_INVALID', `Dockerfile${file === undefined ? '' : ` ${file}`} has ${failures.length} error(s): ${summary}`, {
        ...lint,
        ...(file === undefined ? {} : { path: file }),
      });
    }
    ctx.logger.debug({ issues: lint.issues.length, stages: lint.stages }, 'Dockerfile valid');
    return { valid: true, ...lint, ...(file === undefined ? {} : { path: file }) };
  },
});

/** Whether a Node.js lock file sits beside the Dockerfile (the usual build context). */
async function hasNodeLock(dir: string): Promise<boolean | undefined> {
  const names = ['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml'];
  const found = await Promise.all(names.map((name) => stat(path.join(dir, name)).then(() => true, () => false)));
  return found.some(Boolean);
}
