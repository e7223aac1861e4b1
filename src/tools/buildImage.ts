import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { defineTool, type ToolErrorSpec } from '../actors/defineTool.js';
import type { ToolContext } from '../actors/ToolContext.js';
import { ErrorType } from '../errors/ErrorInfo.js';
import { ToolError } from '../errors/ToolError.js';
import { commandErrors, runCommand } from './commandRunner.js';
import { toolFailure } from './toolFailure.js';
import { dockerEngineUnavailable, isDockerEngineUnreachable } from './detectCapabilities.js';

/** A CLI argument that cannot be mistaken for a flag. */
const NotAFlag = z.string().min(1).regex(/^[^-\s]\S*$/, 'must not start with "-" or contain spaces');

const errors = {
  ...commandErrors,
  DOCKER_ENGINE_UNAVAILABLE: { type: ErrorType.unavailable, retryable: false, description: 'The docker CLI is installed but no engine answers; start dockerd or set DOCKER_HOST' },
  CONTEXT_NOT_FOUND: { type: ErrorType.notFound, retryable: false, description: 'The build context directory or the Dockerfile does not exist' },
  DOCKERFILE_INVALID: { type: ErrorType.validation, retryable: false, description: 'BuildKit or the legacy builder could not parse the Dockerfile' },
  BUILD_FAILED: { type: ErrorType.execution, retryable: false, description: 'The build ran and failed; details carry the log tail and the failing Dockerfile line' },
} as const satisfies Record<string, ToolErrorSpec>;

const LOG_TAIL = 50;

/**
 * Builds an image with `docker buildx build` (or the legacy `docker build` when buildx is
 * missing, which the output's `builder` and `notes` say) and reports each log line as progress.
 * Fails honestly when no engine answers.
 *
 * @example
 * await runtime.executeWorkflow({ id: 'b', steps: [{ id: 'build', tool: 'build_image',
 *   input: { path: './app', tag: 'app:1.0.0' } }] });
 */
export const buildImage = defineTool({
  name: 'build_image',
  description: 'Builds a container image from a context directory with docker buildx (BuildKit) or docker build',
  input: z.object({
    path: z.string().min(1).describe('build context directory'),
    dockerfile: z.string().min(1).default('Dockerfile').describe('path of the Dockerfile, relative to the context'),
    tag: NotAFlag.describe('image reference to tag, e.g. registry.example.com/app:1.2.3'),
    buildArgs: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).optional(),
    platform: NotAFlag.optional().describe('target platform, e.g. linux/amd64'),
    push: z.boolean().default(false),
  }),
  output: z.object({
    imageId: z.string(),
    tag: z.string(),
    durationMs: z.number().nonnegative(),
    logTail: z.array(z.string()),
    /** Which builder ran: BuildKit through buildx, or the deprecated legacy builder when buildx is missing. */
    builder: z.enum(['buildx', 'legacy']),
    notes: z.array(z.string()),
  }),
  errors,
  timeoutMs: 30 * 60_000,
  async run(input, ctx) {
    const started = Date.now();
    const context = await ctx.resolvePath(input.path);
    const dockerfile = await ctx.resolvePath(resolve(context, input.dockerfile), 'dockerfile');
    await mustExist(context, 'directory', 'build context');
    await mustExist(dockerfile, 'file', 'Dockerfile');

    const buildx = await hasBuildx(ctx.signal);
    const scratch = await mkdtemp(join(tmpdir(), 'orchkit-build-'));
    const iidFile = join(scratch, 'iid');
    try {
      const args = buildArgs(input, { buildx, dockerfile, iidFile, context });
      ctx.logger.info({ buildx, args }, 'docker build starting');
      const log = await runBuild(args, ctx);
      if (input.push && !buildx) await pushAfterLegacyBuild(input.tag, ctx, log);
      const imageId = (await readFile(iidFile, 'utf8').catch(() => '')).trim();
      const notes = buildx ? [] : [LEGACY_NOTE];
      if (!buildx) ctx.logger.warn(LEGACY_NOTE);
      return { imageId, tag: input.tag, durationMs: Date.now() - started, logTail: log.slice(-LOG_TAIL), builder: buildx ? 'buildx' as const : 'legacy' as const, notes };
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  },
});

const LEGACY_NOTE = 'docker buildx is not available here: the image was built with the legacy builder (docker build), which Docker deprecates; install the buildx plugin to build with BuildKit';

interface BuildInput { tag: string; buildArgs?: Record<string, string> | undefined; platform?: string | undefined; push: boolean }

function buildArgs(input: BuildInput, at: { buildx: boolean; dockerfile: string; iidFile: string; context: string }): string[] {
  const args = at.buildx ? ['buildx', 'build', '--progress=plain'] : ['build'];
  args.push('--file', at.dockerfile, '--tag', input.tag, '--iidfile', at.iidFile);
  for (const [key, value] of Object.entries(input.buildArgs ?? {})) args.push('--build-arg', `${key}=${value}`);
  if (input.platform) args.push('--platform', input.platform);
  // buildx with a container driver keeps the result in its cache unless told to load or push it.
  if (at.buildx) args.push(input.push ? '--push' : '--load');
  args.push(at.context);
  return args;
}

async function runBuild(args: string[], ctx: ToolContext): Promise<string[]> {
  const log: string[] = [];
  let fraction = 0;
  const result = await runCommand('docker', args, {
    signal: ctx.signal,
    env: { ...process.env, DOCKER_CLI_HINTS: 'false' },
    onLine(line) {
      log.push(line);
      if (log.length > 4 * LOG_TAIL) log.splice(0, log.length - 2 * LOG_TAIL);
      fraction = Math.max(fraction, stepFraction(line) ?? 0);
      ctx.progress(fraction > 0 ? { fraction, message: line } : { message: line });
    },
  });
  if (result.exitCode === 0) return log;
  const output = `${result.stderr}\n${result.stdout}`;
  const tail = log.slice(-LOG_TAIL);
  if (isDockerEngineUnreachable(output)) throw dockerEngineUnavailable(tail);
  const parse = /dockerfile parse error[^\n]*|failed to parse dockerfile[^\n]*|unknown instruction[^\n]*/i.exec(output);
  if (parse) {
    const line = /line (\d+)/i.exec(parse[0])?.[1];
    throw toolFailure(errors, 'DOCKERFILE_INVALID', `the Dockerfile does not parse: ${parse[0].replace(/^.*?(dockerfile parse error)/i, '$1')}`,
      { line: line === undefined ? undefined : Number(line), logTail: tail });
  }
  const failing = failingInstruction(log);
  throw toolFailure(errors, 'BUILD_FAILED',
    `docker build failed (exit ${String(result.exitCode)})${failing ? ` at ${failing.instruction}` : ''}: ${lastError(log) ?? 'see logTail'}`,
    { exitCode: result.exitCode, failing, logTail: tail });
}

async function pushAfterLegacyBuild(tag: string, ctx: ToolContext, log: string[]): Promise<void> {
  const result = await runCommand('docker', ['push', tag], { signal: ctx.signal, onLine: (line) => log.push(line) });
  if (result.exitCode === 0) return;
  const output = `${result.stderr}\n${result.stdout}`;
  if (isDockerEngineUnreachable(output)) throw dockerEngineUnavailable(log.slice(-LOG_TAIL));
  throw toolFailure(errors, 'BUILD_FAILED', `image built but docker push ${tag} failed: ${lastError(log) ?? ''}`, { logTail: log.slice(-LOG_TAIL) });
}

/** The build step of a log line: BuildKit `#7 [build 2/5] RUN ...`, legacy `Step 2/5 : RUN ...`. */
function stepFraction(line: string): number | undefined {
  const match = /^#\d+ \[(?:[^\]\s]+ )?(\d+)\/(\d+)\]/.exec(line) ?? /^Step (\d+)\/(\d+) :/.exec(line);
  if (!match) return undefined;
  const total = Number(match[2]);
  return total > 0 ? Math.min(1, (Number(match[1]) - 1) / total) : undefined;
}

/** BuildKit prints `Dockerfile:12` then the source with `>>>` on the failing line; legacy prints `Step n/m : INSTR`. */
function failingInstruction(log: readonly string[]): { line?: number; instruction: string } | undefined {
  for (let i = log.length - 1; i >= 0; i -= 1) {
    const at = /^(?:#\d+ )?\S*Dockerfile[^:\s]*:(\d+)\s*$/.exec(log[i] ?? '');
    if (!at) continue;
    const source = log.slice(i + 1, i + 40).find((candidate) => candidate.includes('>>>'));
    const instruction = source?.replace(/^.*?>>>\s*/, '').trim() ?? '';
    return { line: Number(at[1]), instruction };
  }
  const step = [...log].reverse().find((line) => /^Step \d+\/\d+ :/.test(line));
  return step ? { instruction: step.replace(/^Step \d+\/\d+ :\s*/, '') } : undefined;
}

function lastError(log: readonly string[]): string | undefined {
  return [...log].reverse().find((line) => /^(?:ERROR|error)\b|returned a non-zero code/.test(line.replace(/^#\d+ /, '')));
}

async function hasBuildx(signal: AbortSignal): Promise<boolean> {
  try {
    return (await runCommand('docker', ['buildx', 'version'], { signal, timeoutMs: 10_000 })).exitCode === 0;
  } catch (error) {
    if (error instanceof ToolError && error.code === 'COMMAND_TIMEOUT') return false;
    throw error;
  }
}

async function mustExist(path: string, kind: 'file' | 'directory', label: string): Promise<void> {
  const found = await stat(path).catch(() => undefined);
  if (found && (kind === 'file' ? found.isFile() : found.isDirectory())) return;
  throw toolFailure(errors, 'CONTEXT_NOT_FOUND', `${label} not found: no ${kind} at ${path}`, { path });
}
