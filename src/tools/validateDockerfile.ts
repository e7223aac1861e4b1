import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { defineTool } from '../actors/defineTool.js';
import { ErrorType } from '../errors/ErrorInfo.js';
import { DockerfileIssueSchema } from './dockerfile/DockerfileIssue.js';
import { lintDockerfile } from './dockerfile/lintDockerfile.js';
import { toolFailure } from './toolFailure.js';

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
 * Severities (see `DockerfileRule`):
 * - error: `UNKNOWN_INSTRUCTION`, `MISSING_ARGUMENTS`, `MISSING_FROM`, `SECRET_IN_ENV` (ENV/ARG named
 *   `*PASSWORD*`, `*SECRET*`, `*TOKEN*`, `*API_KEY*`... with a literal value), `INVALID_PORT`,
 *   `INVALID_JSON_FORM` for `SHELL`;
 * - warning: `NO_LATEST_TAG` (`latest` or untagged FROM), `RUNS_AS_ROOT`, `MISSING_HEALTHCHECK`,
 *   `ADD_INSTEAD_OF_COPY`, `INVALID_JSON_FORM` for `CMD`/`ENTRYPOINT`/`RUN`;
 * - info: `DEPRECATED_MAINTAINER`, `MISSING_HEALTHCHECK` on distroless/scratch images.
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
    })
    .refine((input) => (input.dockerfile === undefined) !== (input.path === undefined), { message: 'give exactly one of dockerfile or path' }),
  output: OutputSchema,
  errors,
  timeoutMs: 10_000,
  async run(input, ctx) {
    let text = input.dockerfile;
    let file: string | undefined;
    if (text === undefined && input.path !== undefined) {
      const resolved = path.resolve(input.path);
      const info = await stat(resolved).catch(() => undefined);
      file = info?.isDirectory() === true ? path.join(resolved, 'Dockerfile') : resolved;
      text = await readFile(file, { encoding: 'utf8', signal: ctx.signal }).catch((error: unknown) => {
        if (ctx.signal.aborted) throw error;
        throw toolFailure(errors, 'DOCKERFILE_NOT_FOUND', `no Dockerfile at ${file ?? resolved}`, { path: file }, error);
      });
    }
    const lint = lintDockerfile(text ?? '');
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
