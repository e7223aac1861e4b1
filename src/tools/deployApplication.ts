import { z } from 'zod';
import { defineTool } from '../actors/defineTool.js';
import { ClusterTarget, clusterErrors as errors, runKubectl } from './cluster/runKubectl.js';
import { toolFailure } from './toolFailure.js';

const ROLLOUT_KINDS = /^(deployment|statefulset|daemonset)\.apps\//;

/**
 * Applies manifests to the current (or given) kubeconfig context with server-side apply
 * (`kubectl apply --server-side --field-manager=orchkit`) and, with `wait`, waits for each
 * Deployment, StatefulSet and DaemonSet to roll out (`kubectl rollout status`). No cluster is
 * `CLUSTER_UNREACHABLE` with a hint; a rollout that does not finish is `ROLLOUT_FAILED`.
 *
 * @example
 * steps: [{ id: 'deploy', tool: 'deploy_application', input: { path: 'k8s', namespace: 'shop' } }]
 */
export const deployApplication = defineTool({
  name: 'deploy_application',
  description: 'Applies Kubernetes manifests with kubectl server-side apply and waits for the rollouts',
  input: z.object({
    path: z.string().min(1).optional().describe('a manifest file or a directory of them'),
    yaml: z.string().min(1).optional().describe('manifests as text, instead of path'),
    namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/).optional(),
    serverSide: z.boolean().default(true).describe('server-side apply (conflicts are errors); false: client-side kubectl apply'),
    wait: z.boolean().default(true).describe('wait for each Deployment, StatefulSet and DaemonSet to roll out'),
    rolloutTimeoutSeconds: z.number().int().positive().default(300),
    ...ClusterTarget,
  }).refine((input) => (input.path === undefined) !== (input.yaml === undefined), 'give exactly one of path and yaml'),
  output: z.object({
    applied: z.array(z.string()).describe('objects as kubectl names them, e.g. deployment.apps/shop'),
    rollouts: z.array(z.object({ object: z.string(), status: z.string() })),
  }),
  errors,
  timeoutMs: 15 * 60_000,
  async run(input, ctx) {
    const target = { context: input.context, kubeconfig: input.kubeconfig };
    const namespace = input.namespace ? ['--namespace', input.namespace] : [];
    const apply = ['apply', ...(input.serverSide ? ['--server-side', '--field-manager=orchkit'] : []), ...namespace, '-o', 'name', '-f', input.path === undefined ? '-' : await ctx.resolvePath(input.path)];
    const result = await runKubectl(apply, { ...target, ...(input.yaml ? { input: input.yaml } : {}) }, ctx);
    const applied = result.stdout.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
    const rollouts: Array<{ object: string; status: string }> = [];
    if (input.wait) {
      for (const object of applied.filter((name) => ROLLOUT_KINDS.test(name))) {
        const wait = ['rollout', 'status', object, ...namespace, `--timeout=${input.rolloutTimeoutSeconds}s`];
        try {
          const status = await runKubectl(wait, { ...target, timeoutMs: (input.rolloutTimeoutSeconds + 30) * 1000 }, ctx);
          rollouts.push({ object, status: status.stdout.trim().split(/\r?\n/).at(-1) ?? 'rolled out' });
        } catch (error) {
          if ((error as { code?: string }).code !== 'KUBECTL_FAILED') throw error;
          throw toolFailure(errors, 'ROLLOUT_FAILED', `${object} did not roll out within ${input.rolloutTimeoutSeconds} s: ${(error as Error).message}`, { object, applied, rollouts }, error);
        }
      }
    }
    return { applied, rollouts };
  },
});
