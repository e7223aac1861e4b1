import { ErrorType } from '../errors/ErrorInfo.js';
import { ToolError } from '../errors/ToolError.js';
import type { RunCommandOptions } from './commandRunner.js';
import { detectEngine, type EngineName } from './engine/resolveEngine.js';
import { probeCommand as probe } from './probeCommand.js';

/**
 * What this machine can do, as plain JSON: it becomes `env` in workflow conditions
 * (`when: "env.containerEngine"`, `engine: "${{ env.engine }}"`).
 */
export interface Capabilities {
  /** The engine image tools use here: docker when its engine answers, else podman, else null. */
  engine: EngineName | null;
  /** True when either engine can build, tag and push images (`engine !== null`). */
  containerEngine: boolean;
  /** True only when a Docker engine answers, not merely when the CLI is installed. */
  docker: boolean;
  /** The podman binary runs (daemonless: that is the engine). */
  podman: boolean;
  /** The buildah binary runs. */
  buildah: boolean;
  /** The `docker` client binary runs. */
  dockerCli: boolean;
  /** The buildx plugin is installed (BuildKit builds). */
  dockerBuildx: boolean;
  trivy: boolean;
  /** The kubectl client runs; says nothing about a reachable cluster. */
  kubectl: boolean;
  /** One line per probe: a version when it worked, the reason when it did not. */
  details: Record<string, string>;
}

/** Options of {@link detectCapabilities}. */
export interface DetectCapabilitiesOptions {
  signal?: AbortSignal;
  /** Limit of each probe. Default 5000 ms: an engine that does not answer by then counts as absent. */
  timeoutMs?: number;
  /** Environment of the probes (its `PATH` decides which binaries are found). */
  env?: NodeJS.ProcessEnv;
}

const ENGINE_UNREACHABLE = [
  /cannot connect to the docker daemon/i,
  /error during connect/i,
  /is the docker daemon running/i,
  /permission denied while trying to connect to the docker (?:daemon|api)/i,
];

/**
 * True when docker CLI output says the engine cannot be reached (as opposed to a failed
 * build or push).
 *
 * @example
 * if (isDockerEngineUnreachable(result.stderr)) throw engineUnavailableError;
 */
export function isDockerEngineUnreachable(output: string): boolean {
  return ENGINE_UNREACHABLE.some((pattern) => pattern.test(output));
}

/** The hint given whenever the engine cannot be reached. */
export const DOCKER_ENGINE_HINT = 'start the Docker engine (dockerd, Docker Desktop, colima) or point DOCKER_HOST at a reachable one';

/**
 * The `DOCKER_ENGINE_UNAVAILABLE` failure shared by the docker tools: not retryable, since
 * a retry in the same run will not start an engine.
 *
 * @example
 * if (isDockerEngineUnreachable(result.stderr)) throw dockerEngineUnavailable(logTail);
 */
export function dockerEngineUnavailable(logTail: readonly string[]): ToolError {
  return new ToolError({
    code: 'DOCKER_ENGINE_UNAVAILABLE', type: ErrorType.unavailable, retryable: false,
    message: `the docker CLI cannot reach a Docker engine: ${DOCKER_ENGINE_HINT}`,
    details: { logTail: [...logTail] },
  });
}

/**
 * Probes the local tools the containerization pack needs. Never throws for a missing
 * tool: it answers false and says why in `details`.
 *
 * @example
 * const env = await detectCapabilities({ signal });
 * if (!env.docker) logger.warn(env.details['docker']);
 */
export async function detectCapabilities(options: DetectCapabilitiesOptions = {}): Promise<Capabilities> {
  const run: RunCommandOptions = { timeoutMs: options.timeoutMs ?? 5000, killGraceMs: 500 };
  if (options.signal) run.signal = options.signal;
  if (options.env) run.env = options.env;
  const [engine, cli, buildx, buildah, trivy, kubectl] = await Promise.all([
    detectEngine({ ...run, env: options.env ?? process.env }),
    probe('docker', ['--version'], run),
    probe('docker', ['buildx', 'version'], run),
    probe('buildah', ['--version'], run),
    probe('trivy', ['--version'], run),
    probe('kubectl', ['version', '--client'], run),
  ]);
  options.signal?.throwIfAborted();
  return {
    engine: engine.engine,
    containerEngine: engine.engine !== null,
    docker: engine.docker,
    podman: engine.podman,
    buildah: buildah.ok,
    dockerCli: cli.ok,
    dockerBuildx: buildx.ok,
    trivy: trivy.ok,
    kubectl: kubectl.ok,
    details: {
      engine: engine.engine ?? 'none: neither a docker engine nor podman answers',
      docker: engine.details.docker,
      podman: engine.details.podman,
      buildah: buildah.text,
      dockerCli: cli.text,
      dockerBuildx: buildx.text,
      trivy: trivy.text,
      kubectl: kubectl.text,
    },
  };
}
