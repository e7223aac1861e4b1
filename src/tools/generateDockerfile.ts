import { stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { defineTool } from '../actors/defineTool.js';
import { ErrorType } from '../errors/ErrorInfo.js';
import { ToolError } from '../errors/ToolError.js';
import { RepositoryAnalysisSchema, type RepositoryAnalysis } from './analysis/RepositoryAnalysisSchema.js';
import { renderDockerfile } from './dockerfile/renderDockerfile.js';
import { renderDockerignore } from './dockerfile/renderDockerignore.js';
import { writeFileAtomic } from './dockerfile/writeFileAtomic.js';
import { toolFailure } from './toolFailure.js';

const errors = {
  UNSUPPORTED_LANGUAGE: { type: ErrorType.validation, retryable: false, description: 'no Dockerfile template for the analysed language' },
  DOCKERFILE_EXISTS: { type: ErrorType.validation, retryable: false, description: 'a Dockerfile is already there and overwrite is not set' },
  WRITE_FAILED: { type: ErrorType.execution, retryable: true, description: 'the Dockerfile could not be written' },
  MODULE_NOT_FOUND: { type: ErrorType.notFound, retryable: false, description: 'the module asked for is not among the analysis modules' },
} as const;

const SUPPORTED = new Set<string>(['node', 'python', 'go', 'java', 'dotnet', 'rust']);
/** Permanent write failures: no retry can fix a read-only or forbidden directory. */
const PERMANENT = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOENT', 'ENOTDIR']);

const InputSchema = z
  .object({
    // Any language is accepted here so that an unknown one fails as UNSUPPORTED_LANGUAGE, not as bad input.
    analysis: RepositoryAnalysisSchema.extend({ language: z.string() }),
    write: z.boolean().default(false),
    /** Repository directory to write into; required when `write` is true. */
    path: z.string().min(1).optional(),
    /** Module of a monorepo analysis to containerize (one of `analysis.modules[].module`); the Dockerfile goes into its directory. */
    module: z.string().optional(),
    overwrite: z.boolean().default(false),
    /** Tag of the language image (`22.12.0-alpine3.21`); never `latest`. */
    baseImageTag: z
      .string()
      .regex(/^[\w][\w.-]{0,127}$/, 'not a Docker image tag')
      .refine((tag) => tag !== 'latest', 'pin a version, not `latest`')
      .optional(),
  })
  .refine((input) => !input.write || input.path !== undefined, { message: 'path is required when write is true', path: ['path'] });

const OutputSchema = z.object({
  dockerfile: z.string(),
  /** The module containerized (`''` for the repository root). */
  module: z.string(),
  /** The build context the Dockerfile expects, relative to the repository (`''`: the root; an npm workspace module builds from there). */
  context: z.string(),
  dockerignore: z.string(),
  /** Where the Dockerfile was written, when `write` was true. */
  path: z.string().optional(),
  /** Where the `.dockerignore` was written; absent when one already existed and was kept. */
  dockerignorePath: z.string().optional(),
  /** Image of the final stage. */
  baseImage: z.string(),
  notes: z.array(z.string()),
});

/**
 * `generate_dockerfile`: renders a multi-stage Dockerfile and a `.dockerignore` from an
 * `analyze_repository` result — pinned base images (never `latest`), the numeric non-root
 * `USER 10001:10001` the generated manifests also run as, `EXPOSE` of the detected port and a
 * `HEALTHCHECK` following the analysis' health check (none for an app without a port; a comment
 * where the image has no probe tool). `baseImageTag` replaces the tag of the language image;
 * `module` picks one module of a monorepo analysis.
 *
 * With `write: true` the files are written into `path` atomically (temporary file, then rename);
 * an existing Dockerfile is kept unless `overwrite: true`, and an existing `.dockerignore` is kept
 * unless `overwrite: true`.
 *
 * Errors: `UNSUPPORTED_LANGUAGE` (validation_error), `DOCKERFILE_EXISTS` (validation_error), both
 * non-retryable; `WRITE_FAILED` (execution_error), retryable unless the directory is missing or
 * not writable.
 *
 * @example
 * const { dockerfile } = await ctx.request('generate_dockerfile', { analysis });
 */
export const generateDockerfile = defineTool({
  name: 'generate_dockerfile',
  description: 'Generates a pinned, multi-stage, non-root Dockerfile and .dockerignore from a repository analysis; optionally writes them',
  input: InputSchema,
  output: OutputSchema,
  errors,
  timeoutMs: 15_000,
  async run(input, ctx) {
    const { analysis } = input;
    if (!SUPPORTED.has(analysis.language)) {
      throw toolFailure(errors, 'UNSUPPORTED_LANGUAGE', `no Dockerfile template for language "${analysis.language}"`, { language: analysis.language });
    }
    const supported = analysis as RepositoryAnalysis;
    const wanted = input.module?.replace(/^\.\//, '').replace(/\/$/, '');
    const target = wanted === undefined || wanted === supported.module ? supported : supported.modules.find((candidate) => candidate.module === wanted);
    if (target === undefined) {
      throw toolFailure(errors, 'MODULE_NOT_FOUND', `module "${wanted ?? ''}" is not among ${supported.modules.map((m) => m.module).join(', ') || 'the analysis modules (none)'}`, { module: wanted });
    }
    const rendered = renderDockerfile(target, input.baseImageTag);
    const dockerignore = renderDockerignore(target);
    const context = target.module !== '' && target.workspace !== undefined ? '' : target.module;
    if (target.module !== '') rendered.notes.push(`monorepo module ${target.module}: build with ${context === '' ? `the repository root as the context (docker build -f ${target.module}/Dockerfile .)` : `${target.module} as the context`}`);
    const output: z.input<typeof OutputSchema> = { dockerfile: rendered.dockerfile, module: target.module, context, dockerignore, baseImage: rendered.baseImage, notes: rendered.notes };
    if (!input.write || input.path === undefined) return output;

    const dir = await ctx.resolvePath(path.join(input.path, target.module));
    const dockerfilePath = path.join(dir, 'Dockerfile');
    // BuildKit reads `<Dockerfile>.dockerignore` beside a Dockerfile built from another context.
    const ignorePath = path.join(dir, context === target.module ? '.dockerignore' : 'Dockerfile.dockerignore');
    if (!input.overwrite && (await exists(dockerfilePath))) {
      throw toolFailure(errors, 'DOCKERFILE_EXISTS', `${dockerfilePath} already exists; pass overwrite: true to replace it`, { path: dockerfilePath });
    }
    try {
      await writeFileAtomic(dockerfilePath, rendered.dockerfile, { exclusive: !input.overwrite, signal: ctx.signal });
      output.path = dockerfilePath;
      if (input.overwrite || !(await exists(ignorePath))) {
        await writeFileAtomic(ignorePath, dockerignore, { signal: ctx.signal });
        output.dockerignorePath = ignorePath;
      } else {
        output.notes.push('kept the existing .dockerignore');
      }
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (code === 'EEXIST') throw toolFailure(errors, 'DOCKERFILE_EXISTS', `${dockerfilePath} appeared while writing; not replaced`, { path: dockerfilePath }, error);
      const permanent = PERMANENT.has(code);
      throw new ToolError({
        code: 'WRITE_FAILED',
        type: errors.WRITE_FAILED.type,
        retryable: !permanent,
        message: `could not write ${dockerfilePath}: ${(error as Error).message}`,
        details: { path: dockerfilePath, errno: code },
        cause: error,
      });
    }
    ctx.logger.info({ path: dockerfilePath, baseImage: rendered.baseImage }, 'Dockerfile written');
    return output;
  },
});

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
