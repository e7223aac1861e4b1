import { z } from 'zod';
import { defineTool, type ToolErrorSpec } from '../actors/defineTool.js';
import type { ToolContext } from '../actors/ToolContext.js';
import { ErrorType } from '../errors/ErrorInfo.js';
import { commandErrors, runCommand } from './commandRunner.js';
import { toolFailure } from './toolFailure.js';
import { dockerEngineUnavailable, isDockerEngineUnreachable } from './detectCapabilities.js';

const errors = {
  ...commandErrors,
  DOCKER_ENGINE_UNAVAILABLE: { type: ErrorType.unavailable, retryable: false, description: 'The docker CLI is installed but no engine answers; start dockerd or set DOCKER_HOST' },
  REGISTRY_AUTH_FAILED: { type: ErrorType.auth, retryable: false, description: 'The registry refused the credentials (unauthorized, denied, authentication required)' },
  REGISTRY_UNREACHABLE: { type: ErrorType.unavailable, retryable: true, description: 'The registry could not be reached (DNS, connection, TLS or timeout)' },
  PUSH_FAILED: { type: ErrorType.execution, retryable: false, description: 'docker push failed for another reason; details carry the log tail' },
} as const satisfies Record<string, ToolErrorSpec>;

// The engine patterns are checked before these: "permission denied ... docker daemon socket" is not a registry denial.
const AUTH_FAILURE = /unauthorized|denied|authentication required|no basic auth credentials|401 Unauthorized|403 Forbidden/i;
const UNREACHABLE = /no such host|connection refused|connection reset|i\/o timeout|TLS handshake timeout|dial tcp|network is unreachable|server misbehaving|context deadline exceeded|502 Bad Gateway|503 Service Unavailable|504 Gateway Timeout/i;

/**
 * Pushes an image with `docker push`. With `registry`, a tag that does not already name
 * that registry is first tagged as `<registry>/<tag>`. The digest comes from the push log.
 *
 * @example
 * steps: [{ id: 'push', tool: 'push_image', input: { tag: 'app:1.0.0', registry: 'ghcr.io/acme' } }]
 */
export const pushImage = defineTool({
  name: 'push_image',
  description: 'Pushes a local image to its registry with docker push; classifies auth and network failures',
  input: z.object({
    tag: z.string().min(1).regex(/^[^-\s]\S*$/, 'must not start with "-" or contain spaces'),
    registry: z.string().min(1).regex(/^[^-\s/][^\s]*$/, 'a registry host with an optional path, e.g. ghcr.io/acme').optional(),
  }),
  output: z.object({ tag: z.string(), digest: z.string().optional() }),
  errors,
  timeoutMs: 30 * 60_000,
  async run(input, ctx) {
    const target = targetReference(input.tag, input.registry);
    if (target !== input.tag) await docker(['tag', input.tag, target], ctx);
    const log = await docker(['push', target], ctx);
    const digest = /digest:\s*(sha256:[0-9a-f]{64})/.exec(log.join('\n'))?.[1];
    return digest === undefined ? { tag: target } : { tag: target, digest };
  },
});

/** `registry` prefixed unless the tag already starts with it; scheme and trailing slash ignored. */
function targetReference(tag: string, registry: string | undefined): string {
  if (!registry) return tag;
  const prefix = registry.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
  return tag.startsWith(`${prefix}/`) ? tag : `${prefix}/${tag}`;
}

async function docker(args: string[], ctx: ToolContext): Promise<string[]> {
  const log: string[] = [];
  const result = await runCommand('docker', args, {
    signal: ctx.signal,
    onLine(line) {
      log.push(line);
      if (log.length > 200) log.shift();
      ctx.progress({ message: line });
    },
  });
  if (result.exitCode === 0) return log;
  const output = `${result.stderr}\n${result.stdout}`;
  const tail = log.slice(-50);
  const reason = tail.filter((line) => line.trim() !== '').at(-1) ?? `exit code ${String(result.exitCode)}`;
  if (isDockerEngineUnreachable(output)) throw dockerEngineUnavailable(tail);
  if (AUTH_FAILURE.test(output)) {
    throw toolFailure(errors, 'REGISTRY_AUTH_FAILED', `the registry refused docker ${args[0] ?? ''}: ${reason}; run docker login for this registry`, { logTail: tail });
  }
  if (UNREACHABLE.test(output)) {
    throw toolFailure(errors, 'REGISTRY_UNREACHABLE', `the registry could not be reached: ${reason}`, { logTail: tail });
  }
  throw toolFailure(errors, 'PUSH_FAILED', `docker ${args.join(' ')} failed: ${reason}`, { exitCode: result.exitCode, logTail: tail });
}
