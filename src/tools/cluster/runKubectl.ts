import { z } from 'zod';
import type { ToolErrorSpec } from '../../actors/defineTool.js';
import type { ToolContext } from '../../actors/ToolContext.js';
import { ErrorType } from '../../errors/ErrorInfo.js';
import { isToolError, type ToolError } from '../../errors/ToolError.js';
import { commandErrors, runCommand, type CommandResult } from '../commandRunner.js';
import { toolFailure } from '../toolFailure.js';

/** The errors of the kubectl tools. */
export const clusterErrors = {
  ...commandErrors,
  KUBECTL_MISSING: { type: ErrorType.unavailable, retryable: false, description: 'kubectl is not installed or not on PATH; details.hint says how to get it' },
  CLUSTER_UNREACHABLE: { type: ErrorType.unavailable, retryable: false, description: 'No cluster answers for the kubeconfig context (none configured, refused, timed out); details.hint says what to check' },
  CLUSTER_AUTH_FAILED: { type: ErrorType.auth, retryable: false, description: 'The cluster refused the credentials of the context (unauthorized, forbidden)' },
  KUBECTL_FAILED: { type: ErrorType.execution, retryable: false, description: 'kubectl ran and failed for another reason (invalid object, not found); details carry its stderr' },
  ROLLOUT_FAILED: { type: ErrorType.execution, retryable: false, description: 'A rollout did not complete in time or its pods are not ready; details say which' },
} as const satisfies Record<string, ToolErrorSpec>;

/** Where kubectl connects: the kubeconfig file and context (both default to kubectl's own). */
export const ClusterTarget = {
  context: z.string().regex(/^[^-\s]\S*$/).optional().describe('kubeconfig context; default the current context'),
  kubeconfig: z.string().min(1).optional().describe('kubeconfig file; default $KUBECONFIG or ~/.kube/config'),
};

/** The hint of `CLUSTER_UNREACHABLE`. */
export const CLUSTER_HINT = 'check `kubectl config current-context` and `kubectl cluster-info`; for a local cluster start kind, k3d, minikube or k3s and point KUBECONFIG at it';
const KUBECTL_HINT = 'install kubectl (https://kubernetes.io/docs/tasks/tools/; Debian: apt-get install kubernetes-client)';

const UNREACHABLE = /connection refused|error loading config file|error: stat \S+: no such file or directory|The connection to the server \S+ was refused|unable to connect to the server|no such host|i\/o timeout|dial tcp|context deadline exceeded|couldn't get current server API group list|no configuration has been provided|current-context is not set|context "[^"]*" does not exist|the server could not find the requested resource \(get (?:namespaces|pods)\)|Client\.Timeout|TLS handshake/i;
const AUTH = /Unauthorized|must be logged in|forbidden|provide credentials|Please enter Username/i;

/** Options of {@link runKubectl}. */
export interface KubectlOptions { context?: string | undefined; kubeconfig?: string | undefined; input?: string; timeoutMs?: number }

/**
 * Runs kubectl in its own process group (stdin closed, so it never prompts) with the target's
 * `--context` / `--kubeconfig`, each line reported as progress. A non-zero exit becomes the
 * typed error {@link kubectlFailure} reads from it.
 *
 * @example
 * const { stdout } = await runKubectl(['get', 'deployment', name, '-o', 'json'], { context }, ctx);
 */
export async function runKubectl(args: readonly string[], target: KubectlOptions, ctx: Pick<ToolContext, 'signal' | 'progress'>): Promise<CommandResult> {
  const full = kubectlArgs(args, target);
  let result: CommandResult;
  try {
    result = await runCommand('kubectl', full, {
      signal: ctx.signal, processGroup: true, timeoutMs: target.timeoutMs ?? 120_000, input: target.input ?? '',
      onLine: (line) => ctx.progress({ message: line }),
    });
  } catch (error) {
    if (isToolError(error) && error.code === 'TOOL_UNAVAILABLE') {
      throw toolFailure(clusterErrors, 'KUBECTL_MISSING', `kubectl is not installed or not on PATH: ${KUBECTL_HINT}`, { hint: KUBECTL_HINT }, error);
    }
    throw error;
  }
  if (result.exitCode !== 0) throw kubectlFailure(args, result);
  return result;
}

/**
 * The full kubectl argument list: `--kubeconfig` and `--context` first, then `args`, and a
 * request timeout so an unreachable server fails in seconds, not the default 32 s per call.
 *
 * @example
 * kubectlArgs(['get', 'ns'], { context: 'kind-dev' }); // ['--context', 'kind-dev', '--request-timeout', '10s', 'get', 'ns']
 */
export function kubectlArgs(args: readonly string[], target: KubectlOptions): string[] {
  return [
    ...(target.kubeconfig ? ['--kubeconfig', target.kubeconfig] : []),
    ...(target.context ? ['--context', target.context] : []),
    '--request-timeout', '10s',
    ...args,
  ];
}

/**
 * The typed error of a failed kubectl call: `CLUSTER_UNREACHABLE` (with a hint),
 * `CLUSTER_AUTH_FAILED`, else `KUBECTL_FAILED` with kubectl's last error line.
 *
 * @example
 * if (result.exitCode !== 0) throw kubectlFailure(args, result);
 */
export function kubectlFailure(args: readonly string[], result: CommandResult): ToolError {
  const output = `${result.stderr}\n${result.stdout}`;
  const lines = result.stderr.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
  const reason = (lines.findLast((line) => /^error:/i.test(line)) ?? lines.at(-1) ?? `exit code ${String(result.exitCode)}`).slice(0, 500);
  const details = { args: [...args], stderrTail: lines.slice(-20) };
  if (UNREACHABLE.test(output)) return toolFailure(clusterErrors, 'CLUSTER_UNREACHABLE', `no Kubernetes cluster answers: ${reason}; ${CLUSTER_HINT}`, { ...details, hint: CLUSTER_HINT });
  if (AUTH.test(output)) return toolFailure(clusterErrors, 'CLUSTER_AUTH_FAILED', `the cluster refused the credentials: ${reason}; check the user of the kubeconfig context`, details);
  return toolFailure(clusterErrors, 'KUBECTL_FAILED', `kubectl ${args.filter((arg) => !arg.startsWith('--')).slice(0, 3).join(' ')} failed: ${reason}`, details);
}
