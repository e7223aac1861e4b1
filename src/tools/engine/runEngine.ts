import type { ToolContext } from '../../actors/ToolContext.js';
import type { ToolError } from '../../errors/ToolError.js';
import { isToolError } from '../../errors/ToolError.js';
import { runCommand, type CommandResult } from '../commandRunner.js';
import { dockerEngineUnavailable, isDockerEngineUnreachable } from '../detectCapabilities.js';
import { toolFailure } from '../toolFailure.js';
import { engineErrors } from './engineErrors.js';
import { ENGINE_HINT, type EngineName } from './resolveEngine.js';

/** Options of {@link runEngine}. */
export interface RunEngineOptions {
  /** Extra environment (e.g. `DOCKER_CONFIG` pointing at a temporary auth file). */
  env?: Record<string, string>;
  cwd?: string;
  /** Lines kept for the error's `logTail`. Default 50. */
  tail?: number;
}

/** A finished engine command: its lines in order (stdout and stderr interleaved) and the raw result. */
export interface EngineRun extends CommandResult {
  log: string[];
}

// The engine patterns are checked before these: "permission denied ... docker daemon socket" is not a registry denial.
const AUTH_FAILURE = /unauthorized|denied|authentication required|no basic auth credentials|401 Unauthorized|403 Forbidden|invalid username\/password/i;
const UNREACHABLE = /no such host|connection refused|connection reset|i\/o timeout|TLS handshake timeout|dial tcp|network is unreachable|server misbehaving|context deadline exceeded|502 Bad Gateway|503 Service Unavailable|504 Gateway Timeout|server gave HTTP response to HTTPS client|pinging container registry/i;
const NO_IMAGE = /image not known|no such image|does not exist locally|reference does not exist|An image does not exist locally/i;

/**
 * Runs one engine subcommand (docker or podman) in its own process group, reports each
 * line as progress, and resolves with the log. A missing binary is `ENGINE_MISSING` with
 * a hint; abort and timeout fail as the command runner does (`CANCELLED`). Exit codes are
 * left to the caller: use {@link engineFailure} to classify one.
 *
 * @example
 * const run = await runEngine('podman', ['tag', source, target], ctx);
 * if (run.exitCode !== 0) throw engineFailure('podman', ['tag'], run);
 */
export async function runEngine(engine: EngineName, args: readonly string[], ctx: Pick<ToolContext, 'signal' | 'progress'>, options: RunEngineOptions = {}): Promise<EngineRun> {
  const log: string[] = [];
  const keep = 4 * (options.tail ?? 50);
  try {
    const result = await runCommand(engine, args, {
      signal: ctx.signal,
      processGroup: true,
      env: { ...process.env, DOCKER_CLI_HINTS: 'false', ...options.env },
      ...(options.cwd ? { cwd: options.cwd } : {}),
      onLine(line) {
        log.push(line);
        if (log.length > keep) log.splice(0, log.length - keep / 2);
        ctx.progress({ message: line });
      },
    });
    return { ...result, log };
  } catch (error) {
    if (isToolError(error) && error.code === 'TOOL_UNAVAILABLE') throw engineMissing(engine, error);
    throw error;
  }
}

/**
 * The typed error of a failed engine command: engine unreachable, registry auth refused,
 * registry unreachable, image not found, else `fallback` (default `ENGINE_COMMAND_FAILED`).
 *
 * @example
 * if (run.exitCode !== 0) throw engineFailure('docker', ['push', ref], run);
 */
export function engineFailure(engine: EngineName, args: readonly string[], run: EngineRun, tail = 50): ToolError {
  const output = `${run.stderr}\n${run.stdout}`;
  const logTail = run.log.slice(-tail);
  const reason = lastMeaningfulLine(run.log) ?? `exit code ${String(run.exitCode)}`;
  const what = `${engine} ${args[0] ?? ''}`.trim();
  if (engine === 'docker' && isDockerEngineUnreachable(output)) return dockerEngineUnavailable(logTail);
  if (AUTH_FAILURE.test(output)) {
    return toolFailure(engineErrors, 'REGISTRY_AUTH_FAILED', `the registry refused ${what}: ${reason}; check the credentials (\`${engine} login <registry>\` or the credentials input)`, { logTail });
  }
  if (UNREACHABLE.test(output)) return toolFailure(engineErrors, 'REGISTRY_UNREACHABLE', `the registry could not be reached by ${what}: ${reason}`, { logTail });
  if (NO_IMAGE.test(output)) return toolFailure(engineErrors, 'IMAGE_NOT_FOUND', `${what}: no such local image: ${reason}`, { logTail });
  return toolFailure(engineErrors, 'ENGINE_COMMAND_FAILED', `${what} failed: ${reason}`, { exitCode: run.exitCode, logTail });
}

function engineMissing(engine: EngineName, cause: ToolError): ToolError {
  return toolFailure(engineErrors, 'ENGINE_MISSING', `${engine} is not installed or not on PATH: ${ENGINE_HINT}`, { engine, hint: ENGINE_HINT }, cause);
}

function lastMeaningfulLine(log: readonly string[]): string | undefined {
  const lines = log.map((line) => line.trim()).filter((line) => line !== '');
  return lines.findLast((line) => /^(?:Error|ERROR|error)\b/.test(line)) ?? lines.at(-1);
}
