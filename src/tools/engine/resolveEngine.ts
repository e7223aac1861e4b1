import { z } from 'zod';
import { probeCommand } from '../probeCommand.js';
import { toolFailure } from '../toolFailure.js';
import { engineErrors } from './engineErrors.js';

/** The container engines the tool pack drives; both take Docker's CLI grammar for build, tag, push and inspect. */
export const EngineNameSchema = z.enum(['docker', 'podman']);
/** `docker` or `podman`. */
export type EngineName = z.infer<typeof EngineNameSchema>;

/**
 * The `engine` input every engine tool takes: a name, or null / absent for the one this
 * machine has (workflows pass `"${{ env.engine }}"`).
 */
export const EngineInput = EngineNameSchema.nullable().optional()
  .describe('container engine: docker or podman; absent or null picks the one this machine has (docker with a running engine, else podman)');

/** The hint of `ENGINE_MISSING`. */
export const ENGINE_HINT = 'install Podman (Debian/Ubuntu: apt-get install podman buildah), or Docker with a running engine (dockerd, Docker Desktop, colima); then check with `podman info` or `docker info`';

/** Options of {@link detectEngine}. */
export interface DetectEngineOptions {
  signal?: AbortSignal;
  /** Environment of the probes; its `PATH` decides which binaries are found. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** What {@link detectEngine} found: the engine, and one line per probe saying why. */
export interface EngineProbe {
  engine: EngineName | null;
  /** A docker engine answers. */
  docker: boolean;
  /** The podman binary runs. */
  podman: boolean;
  details: { docker: string; podman: string };
}

/**
 * Finds the engine this machine has: docker when its engine answers `docker info`, else
 * podman when `podman version` runs (daemonless, so the binary is the engine), else null.
 * Never throws for a missing engine.
 *
 * @example
 * const { engine, details } = await detectEngine();
 */
export async function detectEngine(options: DetectEngineOptions = {}): Promise<EngineProbe> {
  const env = options.env ?? process.env;
  const run = { env, timeoutMs: options.timeoutMs ?? 5000, killGraceMs: 500, ...(options.signal ? { signal: options.signal } : {}) };
  const [docker, podman] = await Promise.all([
    probeCommand('docker', ['info', '--format', '{{.ServerVersion}}'], run),
    probeCommand('podman', ['version', '--format', '{{.Client.Version}}'], run),
  ]);
  options.signal?.throwIfAborted();
  const engine = docker.ok ? 'docker' : podman.ok ? 'podman' : null;
  return { engine, docker: docker.ok, podman: podman.ok, details: { docker: docker.ok ? `engine ${docker.text}` : docker.text, podman: podman.ok ? `podman ${podman.text}` : podman.text } };
}

const chosen = new Map<string, Promise<EngineProbe>>();

/**
 * The engine a tool call uses: the requested one, else the detected one (probed once per
 * `PATH` and `DOCKER_HOST`). Throws `ENGINE_MISSING` with a hint when there is none.
 *
 * @example
 * const engine = await resolveEngine(input.engine, { signal: ctx.signal });
 */
export async function resolveEngine(requested: EngineName | null | undefined, options: DetectEngineOptions = {}): Promise<EngineName> {
  if (requested) return requested;
  const env = options.env ?? process.env;
  const key = `${env['PATH'] ?? ''}\u0000${env['DOCKER_HOST'] ?? ''}`;
  let found = chosen.get(key);
  if (!found) {
    found = detectEngine({ ...options, env });
    chosen.set(key, found);
    // A failed or empty probe is not cached: an engine installed or started later is found.
    found.then((result) => { if (!result.engine) chosen.delete(key); }, () => chosen.delete(key));
  }
  const result = await found;
  if (result.engine) return result.engine;
  throw toolFailure(engineErrors, 'ENGINE_MISSING', `no container engine here (docker: ${result.details.docker}; podman: ${result.details.podman}): ${ENGINE_HINT}`,
    { hint: ENGINE_HINT, probes: result.details });
}
