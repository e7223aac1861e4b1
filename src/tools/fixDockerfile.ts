import { readFile } from 'node:fs/promises';
import { createTwoFilesPatch } from 'diff';
import { z } from 'zod';
import { defineTool, type ToolErrorSpec } from '../actors/defineTool.js';
import { ErrorType } from '../errors/ErrorInfo.js';
import { DockerfileIssueSchema } from './dockerfile/DockerfileIssue.js';
import { dockerfilePath } from './dockerfile/dockerfilePath.js';
import { lintDockerfile } from './dockerfile/lintDockerfile.js';
import { patchDockerfile } from './dockerfile/patchDockerfile.js';
import { writeFileAtomic } from './dockerfile/writeFileAtomic.js';
import { toolFailure } from './toolFailure.js';

const errors = {
  DOCKERFILE_NOT_FOUND: { type: ErrorType.notFound, retryable: false, description: 'No Dockerfile at the path' },
} as const satisfies Record<string, ToolErrorSpec>;

/**
 * Applies the linter's mechanical fixes to a Dockerfile (pinned base images, no literal
 * secrets in ENV/ARG, COPY for local ADD, a non-root USER, a HEALTHCHECK) and shows them as a
 * unified diff; `fixed` and `remaining` are the lint findings that went away and the ones a
 * human must handle. With `write`, the file is replaced atomically.
 *
 * @example
 * steps: [{ id: 'fix', tool: 'fix_dockerfile', input: { path: './app', write: true } }]
 */
export const fixDockerfile = defineTool({
  name: 'fix_dockerfile',
  description: "Applies the Dockerfile linter's fixable findings and shows the unified diff; optionally writes the file",
  input: z.object({
    path: z.string().min(1).optional().describe('the Dockerfile, or the directory holding it'),
    dockerfile: z.string().min(1).optional().describe('Dockerfile text, instead of path'),
    port: z.number().int().min(1).max(65535).optional().describe('port for an added HEALTHCHECK'),
    healthCheckPath: z.string().startsWith('/').optional(),
    write: z.boolean().default(false),
  }).refine((input) => (input.path === undefined) !== (input.dockerfile === undefined), 'give exactly one of path and dockerfile')
    .refine((input) => !input.write || input.path !== undefined, { message: 'write needs path', path: ['write'] }),
  output: z.object({
    dockerfile: z.string(),
    diff: z.string().describe('unified diff; empty when nothing changed'),
    changes: z.array(z.string()),
    fixed: z.array(DockerfileIssueSchema),
    remaining: z.array(DockerfileIssueSchema),
    written: z.string().optional(),
  }),
  errors,
  async run(input, ctx) {
    const file = input.path === undefined ? undefined : await dockerfilePath(await ctx.resolvePath(input.path));
    const before = file === undefined ? input.dockerfile ?? '' : await readFile(file, 'utf8').catch(() => {
      throw toolFailure(errors, 'DOCKERFILE_NOT_FOUND', `no Dockerfile at ${file}`, { path: file });
    });
    const patch = patchDockerfile(before, { port: input.port, healthCheckPath: input.healthCheckPath });
    const key = (issue: { rule: string; message: string }): string => `${issue.rule}\u0000${issue.message}`;
    const left = new Set(lintDockerfile(patch.dockerfile).issues.map(key));
    const fixed = lintDockerfile(before).issues.filter((issue) => !left.has(key(issue)));
    const name = file ?? 'Dockerfile';
    const diff = patch.dockerfile === before ? '' : createTwoFilesPatch(`a/${name}`, `b/${name}`, before, patch.dockerfile, undefined, undefined, { context: 3 });
    let written: string | undefined;
    if (input.write && file !== undefined && patch.dockerfile !== before) {
      await writeFileAtomic(file, patch.dockerfile);
      written = file;
    }
    ctx.logger.info({ changes: patch.changes.length, fixed: fixed.length, remaining: patch.remaining.length, written }, 'dockerfile fixed');
    return { dockerfile: patch.dockerfile, diff, changes: patch.changes, fixed, remaining: patch.remaining, ...(written ? { written } : {}) };
  },
});
