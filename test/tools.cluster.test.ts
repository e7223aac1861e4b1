// The kubectl tools: there is no cluster here, so the real kubectl is pointed at a closed loopback
// port (CLUSTER_UNREACHABLE with a hint), and the commands they build are read from a stub kubectl.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { isToolError, type ToolError } from '../src/errors/ToolError.js';
import { deployApplication, prepareCluster, verifyDeployment } from '../src/tools/index.js';
import { runCommand } from '../src/tools/commandRunner.js';
import { createTestToolContext } from './support/toolContext.js';

const ctx = createTestToolContext();
let dir: string;

async function failure(promise: Promise<unknown>): Promise<ToolError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  if (!isToolError(error)) throw new Error(`expected a ToolError, got ${String(error)}`);
  return error;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orchkit-cluster-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** A kubeconfig whose only cluster is a closed port on 127.0.0.1 (port 9, discard: nothing listens). */
async function closedKubeconfig(): Promise<string> {
  const file = join(dir, 'kubeconfig');
  await writeFile(file, [
    'apiVersion: v1', 'kind: Config', 'current-context: nowhere',
    'clusters: [{ name: nowhere, cluster: { server: "https://127.0.0.1:9", insecure-skip-tls-verify: true } }]',
    'users: [{ name: tester, user: { token: not-a-real-token } }]',
    'contexts: [{ name: nowhere, context: { cluster: nowhere, user: tester } }]',
  ].join('\n'));
  return file;
}

describe('kubectl tools without a cluster', () => {
  it('prepare_cluster, deploy_application and verify_deployment are CLUSTER_UNREACHABLE with a hint (real kubectl)', async () => {
    const kubectl = await runCommand('kubectl', ['version', '--client'], { timeoutMs: 10_000 }).then(() => true, () => false);
    const kubeconfig = await closedKubeconfig();
    const calls = [
      () => prepareCluster.run(prepareCluster.input.parse({ namespace: 'shop', kubeconfig }), ctx),
      () => deployApplication.run(deployApplication.input.parse({ yaml: 'apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n', kubeconfig }), ctx),
      () => verifyDeployment.run(verifyDeployment.input.parse({ name: 'shop', kubeconfig }), ctx),
    ];
    for (const call of calls) {
      const error = await failure(call());
      if (!kubectl) {
        expect(error).toMatchObject({ code: 'KUBECTL_MISSING' });
        continue;
      }
      expect(error).toMatchObject({ code: 'CLUSTER_UNREACHABLE', type: 'unavailable', retryable: false });
      expect((error.details as { hint: string }).hint).toMatch(/kubectl config current-context/);
      expect(error.message).not.toContain('not-a-real-token');
    }
  }, 120_000);

  it('is KUBECTL_MISSING with an install hint when kubectl is not on PATH', async () => {
    vi.stubEnv('PATH', await mkdtemp(join(dir, 'empty-')));
    const error = await failure(prepareCluster.run(prepareCluster.input.parse({}), ctx));
    expect(error).toMatchObject({ code: 'KUBECTL_MISSING', type: 'unavailable' });
    expect((error.details as { hint: string }).hint).toMatch(/install kubectl/);
  });
});

describe('the kubectl commands the tools build (stub kubectl recording its arguments)', () => {
  /** A kubectl that appends its argv (one call a line) to `log` and answers from canned output. */
  async function stubKubectl(script: string): Promise<{ log: string }> {
    const bin = await mkdtemp(join(dir, 'bin-'));
    const log = join(bin, 'calls.log');
    await writeFile(join(bin, 'kubectl'), `#!/bin/sh\necho "$*" >> '${log}'\nall="$*"\n${script}\n`, { mode: 0o755 });
    vi.stubEnv('PATH', `${bin}:/usr/bin:/bin`);
    return { log };
  }
  const calls = async (log: string): Promise<string[]> => (await readFile(log, 'utf8')).trim().split('\n');

  it('deploy_application: server-side apply of the directory, then a rollout wait per workload', async () => {
    const { log } = await stubKubectl(`case "$all" in
  *" apply "*) echo deployment.apps/shop; echo service/shop ;;
  *" rollout status "*) echo 'deployment "shop" successfully rolled out' ;;
esac`);
    const result = await deployApplication.run(deployApplication.input.parse({ path: '/srv/k8s', namespace: 'shop', context: 'kind-dev', rolloutTimeoutSeconds: 90 }), ctx);
    expect(result).toEqual({ applied: ['deployment.apps/shop', 'service/shop'], rollouts: [{ object: 'deployment.apps/shop', status: 'deployment "shop" successfully rolled out' }] });
    expect(await calls(log)).toEqual([
      '--context kind-dev --request-timeout 10s apply --server-side --field-manager=orchkit --namespace shop -o name -f /srv/k8s',
      '--context kind-dev --request-timeout 10s rollout status deployment.apps/shop --namespace shop --timeout=90s',
    ]);
  });

  it('deploy_application: a rollout that does not finish is ROLLOUT_FAILED', async () => {
    await stubKubectl(`case "$all" in
  *" apply "*) echo deployment.apps/shop ;;
  *" rollout status "*) echo 'error: timed out waiting for the condition' >&2; exit 1 ;;
esac`);
    const error = await failure(deployApplication.run(deployApplication.input.parse({ yaml: 'kind: Deployment' }), ctx));
    expect(error).toMatchObject({ code: 'ROLLOUT_FAILED', details: { object: 'deployment.apps/shop' } });
  });

  it('verify_deployment: rollout, pod readiness and restarts, Service endpoints', async () => {
    const deployment = JSON.stringify({ spec: { replicas: 2, selector: { matchLabels: { app: 'shop' } } }, status: { readyReplicas: 1 } });
    const pods = JSON.stringify({ items: [
      { metadata: { name: 'shop-a' }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ restartCount: 0 }] } },
      { metadata: { name: 'shop-b' }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: [{ restartCount: 3 }] } },
    ] });
    const slices = JSON.stringify({ items: [{ endpoints: [{ conditions: { ready: true } }, { conditions: { ready: false } }] }] });
    const { log } = await stubKubectl(`case "$all" in
  *" get deployment/shop "*) echo '${deployment}' ;;
  *" rollout status "*) echo 'Waiting for deployment "shop" rollout to finish: 1 of 2 updated replicas are available...' >&2; echo 'error: timed out waiting for the condition' >&2; exit 1 ;;
  *" get pods "*) echo '${pods}' ;;
  *" get endpointslices "*) echo '${slices}' ;;
esac`);
    const result = await verifyDeployment.run(verifyDeployment.input.parse({ name: 'shop', namespace: 'shop', rolloutTimeoutSeconds: 5 }), ctx);
    expect(result).toMatchObject({ ready: false, rolledOut: false, replicas: 2, readyReplicas: 1, endpoints: { service: 'shop', ready: 1 } });
    expect(result.pods).toEqual([{ name: 'shop-a', phase: 'Running', ready: true, restarts: 0 }, { name: 'shop-b', phase: 'Running', ready: false, restarts: 3 }]);
    expect(result.issues).toEqual(expect.arrayContaining([expect.stringMatching(/rollout/), 'pod shop-b is not ready (Running)', 'pod shop-b restarted 3 time(s)', '1/2 replicas ready']));
    expect(await calls(log)).toEqual([
      '--request-timeout 10s get deployment/shop --namespace shop -o json',
      '--request-timeout 10s rollout status deployment/shop --namespace shop --timeout=5s',
      '--request-timeout 10s get pods --namespace shop -l app=shop -o json',
      '--request-timeout 10s get endpointslices --namespace shop -l kubernetes.io/service-name=shop -o json',
    ]);
  });
});
