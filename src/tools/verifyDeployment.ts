import { z } from 'zod';
import { defineTool } from '../actors/defineTool.js';
import { isToolError } from '../errors/ToolError.js';
import { ClusterTarget, clusterErrors as errors, runKubectl } from './cluster/runKubectl.js';

const Pod = z.object({ name: z.string(), phase: z.string(), ready: z.boolean(), restarts: z.number().int().nonnegative() });

interface Workload { spec?: { replicas?: number; selector?: { matchLabels?: Record<string, string> } }; status?: { readyReplicas?: number; updatedReplicas?: number } }
interface PodList { items?: Array<{ metadata?: { name?: string }; status?: { phase?: string; conditions?: Array<{ type?: string; status?: string }>; containerStatuses?: Array<{ restartCount?: number }> } }> }
interface SliceList { items?: Array<{ endpoints?: Array<{ conditions?: { ready?: boolean } }> }> }

/**
 * Checks a workload on the cluster: its rollout (`kubectl rollout status`), each pod's
 * readiness and restarts, and the ready endpoints of its Service (EndpointSlices). Not
 * ready is an answer (`ready: false` with the reasons), not an error; no cluster is
 * `CLUSTER_UNREACHABLE` with a hint.
 *
 * @example
 * steps: [{ id: 'verify', tool: 'verify_deployment', dependsOn: ['deploy'], input: { name: 'shop', namespace: 'shop' } }]
 */
export const verifyDeployment = defineTool({
  name: 'verify_deployment',
  description: 'Verifies a deployed workload: rollout status, pod readiness and restarts, ready Service endpoints (kubectl)',
  input: z.object({
    name: z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/),
    kind: z.enum(['deployment', 'statefulset', 'daemonset']).default('deployment'),
    namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/).optional(),
    service: z.string().min(1).optional().describe('Service whose endpoints to check; default the workload name'),
    rolloutTimeoutSeconds: z.number().int().positive().default(60),
    ...ClusterTarget,
  }),
  output: z.object({
    ready: z.boolean(),
    rolledOut: z.boolean(),
    replicas: z.number().int().nonnegative(),
    readyReplicas: z.number().int().nonnegative(),
    pods: z.array(Pod),
    endpoints: z.object({ service: z.string(), ready: z.number().int().nonnegative() }).nullable(),
    issues: z.array(z.string()),
  }),
  errors,
  timeoutMs: 10 * 60_000,
  async run(input, ctx) {
    const target = { context: input.context, kubeconfig: input.kubeconfig };
    const ns = input.namespace ? ['--namespace', input.namespace] : [];
    const object = `${input.kind}/${input.name}`;
    const workload = JSON.parse((await runKubectl(['get', object, ...ns, '-o', 'json'], target, ctx)).stdout) as Workload;
    const issues: string[] = [];
    const rolledOut = await runKubectl(['rollout', 'status', object, ...ns, `--timeout=${input.rolloutTimeoutSeconds}s`], { ...target, timeoutMs: (input.rolloutTimeoutSeconds + 30) * 1000 }, ctx)
      .then(() => true, (error: unknown) => {
        if (!isToolError(error) || error.code !== 'KUBECTL_FAILED') throw error;
        issues.push(`rollout of ${object} not complete: ${error.message}`);
        return false;
      });
    const labels = Object.entries(workload.spec?.selector?.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`).join(',');
    const podList = labels === '' ? { items: [] } : JSON.parse((await runKubectl(['get', 'pods', ...ns, '-l', labels, '-o', 'json'], target, ctx)).stdout) as PodList;
    const pods = (podList.items ?? []).map((pod) => ({
      name: pod.metadata?.name ?? '',
      phase: pod.status?.phase ?? 'Unknown',
      ready: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      restarts: (pod.status?.containerStatuses ?? []).reduce((sum, c) => sum + (c.restartCount ?? 0), 0),
    }));
    for (const pod of pods) {
      if (!pod.ready) issues.push(`pod ${pod.name} is not ready (${pod.phase})`);
      if (pod.restarts > 0) issues.push(`pod ${pod.name} restarted ${pod.restarts} time(s)`);
    }
    const service = input.service ?? input.name;
    const slices = await runKubectl(['get', 'endpointslices', ...ns, '-l', `kubernetes.io/service-name=${service}`, '-o', 'json'], target, ctx);
    const sliceItems = (JSON.parse(slices.stdout) as SliceList).items ?? [];
    const endpoints = sliceItems.length === 0 ? null : { service, ready: sliceItems.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).length };
    if (endpoints?.ready === 0) issues.push(`Service ${service} has no ready endpoint`);
    const replicas = workload.spec?.replicas ?? pods.length;
    const readyReplicas = workload.status?.readyReplicas ?? 0;
    if (readyReplicas < replicas) issues.push(`${readyReplicas}/${replicas} replicas ready`);
    return { ready: rolledOut && issues.length === 0, rolledOut, replicas, readyReplicas, pods, endpoints, issues };
  },
});
