import { ErrorType } from '../errors/ErrorInfo.js';
import { isToolError, ToolError } from '../errors/ToolError.js';
import { runCommand, type RunCommandOptions } from './commandRunner.js';

/**
 * What this machine can do, as plain JSON: it becomes `env` in workflow conditions
 * (`when: "env.docker"`).
 */
export interface Capabilities {
  /** True only when a Docker engine answers, not merely when the CLI is installed. */
  docker: boolean;
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
  const [engine, cli, buildx, trivy, kubectl] = await Promise.all([
    probe('docker', ['info', '--format', '{{.ServerVersion}}'], run),
    probe('docker', ['--version'], run),
    probe('docker', ['buildx', 'version'], run),
    probe('trivy', ['--version'], run),
    probe('kubectl', ['version', '--client'], run),
  ]);
  options.signal?.throwIfAborted();
  return {
    docker: engine.ok,
    dockerCli: cli.ok,
    dockerBuildx: buildx.ok,
    trivy: trivy.ok,
    kubectl: kubectl.ok,
    details: {
      docker: engine.ok ? `engine ${engine.text}` : engine.text,
      dockerCli: cli.text,
      dockerBuildx: buildx.text,
      trivy: trivy.text,
      kubectl: kubectl.text,
    },
  };
}

interface Probe { ok: boolean; text: string }

async function probe(cmd: string, args: string[], options: RunCommandOptions): Promise<Probe> {
  try {
    const result = await runCommand(cmd, args, options);
    const out = firstLine(result.stdout);
    if (result.exitCode === 0 && out !== '') return { ok: true, text: out };
    return { ok: false, text: firstLine(result.stderr) || out || `${cmd} exited with code ${String(result.exitCode)}` };
  } catch (error) {
    if (isToolError(error) && error.code !== 'CANCELLED') return { ok: false, text: error.message };
    throw error;
  }
}

function firstLine(text: string): string {
  return text.split(/\r?\n/).map((line) => line.trim()).find((line) => line !== '') ?? '';
}
