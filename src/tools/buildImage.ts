import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { defineTool } from '../actors/defineTool.js';
import type { ToolContext } from '../actors/ToolContext.js';
import { ToolError } from '../errors/ToolError.js';
import { runCommand } from './commandRunner.js';
import { toolFailure } from './toolFailure.js';
import { buildErrors as errors, buildFailure, buildStepFraction } from './engine/buildFailure.js';
import { podmanIsolation, rememberIsolationRefused } from './engine/podmanIsolation.js';
import { EngineInput, resolveEngine, type EngineName } from './engine/resolveEngine.js';
import { runEngine, type EngineRun } from './engine/runEngine.js';
import { pushWithEngine } from './engine/pushWithEngine.js';

/** A CLI argument that cannot be mistaken for a flag. */
const NotAFlag = z.string().min(1).regex(/^[^-\s]\S*$/, 'must not start with "-" or contain spaces');

const LOG_TAIL = 50;

/**
 * Builds an image with the machine's engine: `docker buildx build` (or the legacy `docker
 * build` when buildx is missing, which `builder` and `notes` say), or `podman build`. Each
 * log line is reported as progress; a failure names the failing Dockerfile line.
 *
 * @example
 * await runtime.executeWorkflow({ id: 'b', steps: [{ id: 'build', tool: 'build_image',
 *   input: { path: './app', tag: 'app:1.0.0', engine: '${{ env.engine }}' } }] });
 */
export const buildImage = defineTool({
  name: 'build_image',
  description: 'Builds a container image from a context directory with docker buildx (BuildKit), docker build or podman build',
  input: z.object({
    path: z.string().min(1).describe('build context directory'),
    dockerfile: z.string().min(1).default('Dockerfile').describe('path of the Dockerfile, relative to the context'),
    tag: NotAFlag.describe('image reference to tag, e.g. registry.example.com/app:1.2.3'),
    buildArgs: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).optional(),
    platform: NotAFlag.optional().describe('target platform, e.g. linux/amd64'),
    push: z.boolean().default(false),
    engine: EngineInput,
    isolation: z.enum(['oci', 'chroot']).optional().describe('podman only: how RUN steps are isolated; default oci, falling back to chroot where the sandbox refuses OCI containers'),
  }),
  output: z.object({
    imageId: z.string(),
    tag: z.string(),
    durationMs: z.number().nonnegative(),
    logTail: z.array(z.string()),
    engine: z.enum(['docker', 'podman']),
    /** Which builder ran: BuildKit through buildx, docker's deprecated legacy builder, or podman (buildah). */
    builder: z.enum(['buildx', 'legacy', 'podman']),
    digest: z.string().optional().describe('registry digest, when pushed'),
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
    const dockerfileText = await readFile(dockerfile, 'utf8');
    const engine = await resolveEngine(input.engine, { signal: ctx.signal });

    const buildx = engine === 'docker' && await hasBuildx(ctx.signal);
    const scratch = await mkdtemp(join(tmpdir(), 'orchkit-build-'));
    const iidFile = join(scratch, 'iid');
    const notes: string[] = [];
    try {
      const at = { buildx, dockerfile, iidFile, context };
      let run: EngineRun;
      if (engine === 'docker') {
        run = await build(engine, dockerArgs(input, at), ctx);
      } else {
        const isolation = podmanIsolation(input.isolation);
        if (isolation === 'chroot' && input.isolation === undefined) notes.push(CHROOT_NOTE);
        run = await build(engine, podmanArgs(input, at, isolation), ctx);
        if (run.exitCode !== 0 && isolation === undefined && rememberIsolationRefused(run)) {
          notes.push(CHROOT_NOTE);
          ctx.logger.warn(CHROOT_NOTE);
          run = await build(engine, podmanArgs(input, at, 'chroot'), ctx);
        }
      }
      if (run.exitCode !== 0) throw buildFailure(engine, run, dockerfileText);
      let digest: string | undefined;
      if (input.push && !buildx) digest = (await pushWithEngine(engine, input.tag, {}, ctx)).digest;
      const imageId = (await readFile(iidFile, 'utf8').catch(() => '')).trim();
      if (engine === 'docker' && !buildx) {
        notes.push(LEGACY_NOTE);
        ctx.logger.warn(LEGACY_NOTE);
      }
      const builder = engine === 'podman' ? 'podman' as const : buildx ? 'buildx' as const : 'legacy' as const;
      return { imageId, tag: input.tag, durationMs: Date.now() - started, logTail: run.log.slice(-LOG_TAIL), engine, builder, notes, ...(digest ? { digest } : {}) };
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  },
});

const LEGACY_NOTE = 'docker buildx is not available here: the image was built with the legacy builder (docker build), which Docker deprecates; install the buildx plugin to build with BuildKit';
const CHROOT_NOTE = 'podman could not start an OCI container for a RUN step here (the sandbox refuses it): builds in this process use --isolation chroot';

interface BuildInput { tag: string; buildArgs?: Record<string, string> | undefined; platform?: string | undefined; push: boolean }
interface BuildAt { buildx: boolean; dockerfile: string; iidFile: string; context: string }

function dockerArgs(input: BuildInput, at: BuildAt): string[] {
  const args = at.buildx ? ['buildx', 'build', '--progress=plain'] : ['build'];
  args.push(...commonArgs(input, at));
  // buildx with a container driver keeps the result in its cache unless told to load or push it.
  if (at.buildx) args.push(input.push ? '--push' : '--load');
  args.push(at.context);
  return args;
}

function podmanArgs(input: BuildInput, at: BuildAt, isolation: 'oci' | 'chroot' | undefined): string[] {
  return ['build', ...commonArgs(input, at), ...(isolation ? ['--isolation', isolation] : []), at.context];
}

function commonArgs(input: BuildInput, at: BuildAt): string[] {
  const args = ['--file', at.dockerfile, '--tag', input.tag, '--iidfile', at.iidFile];
  for (const [key, value] of Object.entries(input.buildArgs ?? {})) args.push('--build-arg', `${key}=${value}`);
  if (input.platform) args.push('--platform', input.platform);
  return args;
}

async function build(engine: EngineName, args: string[], ctx: ToolContext): Promise<EngineRun> {
  ctx.logger.info({ engine, args }, 'image build starting');
  let fraction = 0;
  return runEngine(engine, args, {
    signal: ctx.signal,
    progress(update) {
      const line = update.message ?? '';
      fraction = Math.max(fraction, buildStepFraction(line) ?? 0);
      ctx.progress(fraction > 0 ? { fraction, message: line } : { message: line });
    },
  });
}

async function hasBuildx(signal: AbortSignal): Promise<boolean> {
  try {
    return (await runCommand('docker', ['buildx', 'version'], { signal, timeoutMs: 10_000 })).exitCode === 0;
  } catch (error) {
    // A missing docker is reported by the build itself, as ENGINE_MISSING.
    if (error instanceof ToolError && (error.code === 'COMMAND_TIMEOUT' || error.code === 'TOOL_UNAVAILABLE')) return false;
    throw error;
  }
}

async function mustExist(path: string, kind: 'file' | 'directory', label: string): Promise<void> {
  const found = await stat(path).catch(() => undefined);
  if (found && (kind === 'file' ? found.isFile() : found.isDirectory())) return;
  throw toolFailure(errors, 'CONTEXT_NOT_FOUND', `${label} not found: no ${kind} at ${path}`, { path });
}
