import { z } from 'zod';
import { defineTool } from '../actors/defineTool.js';
import { ClusterTarget, clusterErrors as errors, runKubectl } from './cluster/runKubectl.js';

const Name = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a DNS-1123 label');

/**
 * Gets a cluster ready for a deployment: checks that the context's API server answers
 * (`kubectl version`), and creates the namespace when it is missing (server-side apply, so
 * running it twice changes nothing). No cluster is `CLUSTER_UNREACHABLE` with a hint.
 *
 * @example
 * steps: [{ id: 'cluster', tool: 'prepare_cluster', input: { namespace: 'shop' } }]
 */
export const prepareCluster = defineTool({
  name: 'prepare_cluster',
  description: 'Checks that the kubeconfig context reaches a cluster and creates the namespace (kubectl server-side apply)',
  input: z.object({ namespace: Name.default('default'), ...ClusterTarget }),
  output: z.object({
    context: z.string(),
    serverVersion: z.string(),
    namespace: z.string(),
    /** What server-side apply did to the namespace: created, unchanged or configured. */
    namespaceResult: z.string(),
  }),
  errors,
  timeoutMs: 120_000,
  async run(input, ctx) {
    const target = { context: input.context, kubeconfig: input.kubeconfig };
    const version = await runKubectl(['version', '-o', 'json'], target, ctx);
    const server = (JSON.parse(version.stdout) as { serverVersion?: { gitVersion?: string } }).serverVersion?.gitVersion ?? 'unknown';
    const context = input.context ?? (await runKubectl(['config', 'current-context'], target, ctx)).stdout.trim();
    const namespace = JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: input.namespace, labels: { 'app.kubernetes.io/managed-by': 'orchkit' } } });
    const applied = await runKubectl(['apply', '--server-side', '--field-manager=orchkit', '-f', '-'], { ...target, input: namespace }, ctx);
    const namespaceResult = /\b(created|unchanged|configured|serverside-applied)\b/.exec(applied.stdout)?.[1] ?? applied.stdout.trim();
    return { context, serverVersion: server, namespace: input.namespace, namespaceResult };
  },
});
