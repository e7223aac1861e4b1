import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { isToolError, type ToolError } from '../src/errors/ToolError.js';
import { buildImage } from '../src/tools/buildImage.js';
import { runCommand } from '../src/tools/commandRunner.js';
import { deploymentTools } from '../src/tools/deploymentTools.js';
import { detectCapabilities } from '../src/tools/detectCapabilities.js';
import { generateManifests } from '../src/tools/generateManifests.js';
import { parseTrivyReport } from '../src/tools/parseTrivyReport.js';
import { pushImage } from '../src/tools/pushImage.js';
import { scanImageSecurity } from '../src/tools/scanImageSecurity.js';
import { validateCredentials } from '../src/tools/validateCredentials.js';
import { validateManifests } from '../src/tools/validateManifests.js';
import { createTestToolContext } from './support/toolContext.js';

const ctx = createTestToolContext();
const FIXTURE = join(import.meta.dirname, 'fixtures', 'trivy-report.json');
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'orchkit-deploy-test-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});
afterEach(() => {
  vi.unstubAllEnvs();
});

async function failure(promise: Promise<unknown>): Promise<ToolError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  if (!isToolError(error)) throw new Error(`expected a ToolError, got ${String(error)}`);
  return error;
}

async function dir(name: string): Promise<string> {
  return mkdtemp(join(scratch, `${name}-`));
}

/** A directory holding one fake CLI; used only to test how tools read CLI output. */
async function stubBin(name: string, script: string): Promise<string> {
  const bin = await dir('bin');
  await writeFile(join(bin, name), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  return bin;
}

const base = { name: 'shop-api', image: 'registry.example.com/shop-api:1.4.2', port: 8080 };

describe('deploymentTools', () => {
  it('lists the eleven tools with unique names', () => {
    expect(deploymentTools.map((tool) => tool.name)).toEqual([
      'build_image', 'push_image', 'scan_image_security', 'generate_manifests', 'validate_manifests', 'validate_credentials', 'tag_image', 'resolve_base_images', 'prepare_cluster', 'deploy_application', 'verify_deployment',
    ]);
  });
});

describe('generate_manifests and validate_manifests', () => {
  it('generates hardened manifests that parse back and validate clean', async () => {
    const input = { ...base, healthPath: '/health', namespace: 'shop', env: { NODE_ENV: 'production' }, ingress: { host: 'shop.example.com', tlsSecret: 'shop-tls' } };
    const { manifests, files } = await generateManifests.run(generateManifests.input.parse(input), ctx);
    expect(manifests.map((m) => m.kind)).toEqual(['Deployment', 'Service', 'Ingress']);
    expect(files).toEqual([]);
    const [deployment] = parseAllDocuments(manifests[0]?.yaml ?? '').map((doc) => doc.toJS() as Record<string, never>);
    expect(deployment).toMatchObject({
      apiVersion: 'apps/v1',
      metadata: { name: 'shop-api', namespace: 'shop' },
      spec: {
        replicas: 2,
        template: { spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 },
          containers: [{
            image: input.image,
            securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
            livenessProbe: { httpGet: { path: '/health', port: 'http' } },
            readinessProbe: { httpGet: { path: '/health', port: 'http' } },
            resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
            env: [{ name: 'NODE_ENV', value: 'production' }],
          }],
        } },
      },
    });
    const all = manifests.map((m) => m.yaml).join('---\n');
    const result = await validateManifests.run(validateManifests.input.parse({ yaml: all }), ctx);
    expect(result).toEqual({ valid: true, issues: [], kinds: ['Deployment', 'Service', 'Ingress'] });
  });

  it('rejects a name that is not a DNS-1123 label', async () => {
    const error = await failure(generateManifests.run(generateManifests.input.parse({ ...base, name: 'Shop_API' }), ctx));
    expect(error.code).toBe('INVALID_NAME');
    expect(error.type).toBe('validation_error');
  });

  it('catches a selector mismatch and a latest tag, with paths', async () => {
    const { manifests } = await generateManifests.run(generateManifests.input.parse({ ...base, image: 'nginx:latest' }), ctx);
    const broken = manifests.map((m) => m.yaml).join('---\n').replace('matchLabels:\n      app.kubernetes.io/name: shop-api', 'matchLabels:\n      app.kubernetes.io/name: shop-web');
    const error = await failure(validateManifests.run(validateManifests.input.parse({ yaml: broken }), ctx));
    expect(error.code).toBe('MANIFESTS_INVALID');
    expect(error.type).toBe('validation_error');
    expect(error.retryable).toBe(false);
    const { issues } = error.details as { issues: Array<{ document: number; path: string; severity: string }> };
    expect(issues).toEqual(expect.arrayContaining([
      expect.objectContaining({ document: 0, severity: 'error', path: 'spec.selector.matchLabels["app.kubernetes.io/name"]' }),
      expect.objectContaining({ document: 0, severity: 'error', path: 'spec.template.spec.containers[0].image' }),
    ]));
  });

  it('reports structure problems, missing probes, an orphan Service and YAML syntax errors', async () => {
    const yaml = [
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: api }\nspec:\n  selector: { matchLabels: { app: api } }\n  template:\n    metadata: { labels: { app: api } }\n    spec:\n      containers:\n        - { name: api, image: api, ports: [{ containerPort: 70000 }] }\n',
      'apiVersion: v1\nkind: Service\nmetadata: { name: api }\nspec:\n  selector: { app: other }\n  ports: [{ port: 80 }]\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: cfg }\ndata: { a: [1\n',
    ].join('---\n');
    const error = await failure(validateManifests.run(validateManifests.input.parse({ yaml }), ctx));
    const { issues } = error.details as { issues: Array<{ document: number; path: string; severity: string; message: string }> };
    const at = (document: number, path: string) => issues.find((issue) => issue.document === document && issue.path === path);
    expect(at(0, 'spec.template.spec.containers[0].ports[0].containerPort')?.severity).toBe('error');
    expect(at(1, 'spec.selector')?.message).toMatch(/matches no Deployment/);
    expect(issues.find((issue) => issue.document === 2)?.message).toMatch(/YAML parse error at line \d+, column \d+/);
  });

  it('warns (without failing) when probes and resources are missing', async () => {
    const yaml = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: api }\nspec:\n  selector: { matchLabels: { app: api } }\n  template:\n    metadata: { labels: { app: api } }\n    spec:\n      containers: [{ name: api, image: "api:1.0.0" }]\n';
    const result = await validateManifests.run(validateManifests.input.parse({ yaml }), ctx);
    expect(result.valid).toBe(true);
    // No ports declared: a worker, so no probe is asked for; no securityContext at all is.
    expect(result.issues.map((issue) => `${issue.severity} ${issue.rule} ${issue.path}`)).toEqual([
      'warning SECURITY_CONTEXT_MISSING spec.template.spec.containers[0].securityContext',
      'warning RESOURCES_MISSING spec.template.spec.containers[0].resources.requests',
      'warning RESOURCES_MISSING spec.template.spec.containers[0].resources.limits',
    ]);
    const withPort = yaml.replace('image: "api:1.0.0" }', 'image: "api:1.0.0", ports: [{ containerPort: 8080 }] }');
    const probed = await validateManifests.run(validateManifests.input.parse({ yaml: withPort, policy: { rules: { SECURITY_CONTEXT_MISSING: 'off', RESOURCES_MISSING: 'off' } } }), ctx);
    expect(probed.issues.map((issue) => `${issue.rule} ${issue.path}`)).toEqual([
      'PROBE_MISSING spec.template.spec.containers[0].readinessProbe',
      'PROBE_MISSING spec.template.spec.containers[0].livenessProbe',
    ]);
  });

  it('writes k8s/*.yaml under outputDir with write: true, and validates the directory', async () => {
    const outputDir = await dir('out');
    const input = { ...base, write: true, outputDir, ingress: { host: 'shop.example.com' } };
    const { files, manifests } = await generateManifests.run(generateManifests.input.parse(input), ctx);
    expect(files).toEqual(['deployment.yaml', 'service.yaml', 'ingress.yaml'].map((file) => join(outputDir, 'k8s', file)));
    for (const [i, file] of files.entries()) expect(await readFile(file, 'utf8')).toBe(manifests[i]?.yaml);
    const result = await validateManifests.run(validateManifests.input.parse({ path: join(outputDir, 'k8s') }), ctx);
    expect(result).toMatchObject({ valid: true, issues: [], kinds: ['Deployment', 'Ingress', 'Service'] });
  });
});

describe('runCommand', () => {
  it('cancels a sleeping child on abort and reports CANCELLED', async () => {
    const controller = new AbortController();
    const running = runCommand('sleep', ['30'], { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await failure(running);
    expect(error.code).toBe('CANCELLED');
    expect(error.type).toBe('cancelled');
  }, 5000);

  it('turns a missing binary into TOOL_UNAVAILABLE and a non-zero exit into a result', async () => {
    const missing = await failure(runCommand('orchkit-no-such-binary', []));
    expect(missing).toMatchObject({ code: 'TOOL_UNAVAILABLE', type: 'unavailable', retryable: false });
    const lines: string[] = [];
    const result = await runCommand('sh', ['-c', 'echo one; echo two >&2; exit 3'], { onLine: (line) => lines.push(line) });
    expect(result).toEqual({ exitCode: 3, stdout: 'one\n', stderr: 'two\n' });
    expect(lines.sort()).toEqual(['one', 'two']);
  });
});

describe('build_image and detectCapabilities on this machine', () => {
  it('fails honestly without an engine, and capabilities agree', async () => {
    const capabilities = await detectCapabilities();
    expect(JSON.parse(JSON.stringify(capabilities))).toEqual(capabilities);
    expect(capabilities.containerEngine).toBe(capabilities.engine !== null);
    if (capabilities.docker) expect(capabilities.dockerCli).toBe(true);
    // Without any engine on PATH (the PATH of the call has neither docker nor podman): ENGINE_MISSING with a hint.
    vi.stubEnv('PATH', await dir('empty-path'));
    const context = await dir('ctx');
    await writeFile(join(context, 'Dockerfile'), 'FROM alpine:3.20\nRUN true\n');
    const error = await failure(buildImage.run(buildImage.input.parse({ path: context, tag: 'orchkit-test:1' }), ctx));
    expect(error).toMatchObject({ code: 'ENGINE_MISSING', type: 'unavailable', retryable: false });
    expect(error.message).toMatch(/apt-get install podman/);
  });

  it('reads a BuildKit failure log: failing Dockerfile line, or a parse error', async () => {
    const context = await dir('ctx');
    await writeFile(join(context, 'Dockerfile'), 'FROM alpine:3.20\nRUN false\n');
    const failed = [
      '#5 [2/2] RUN false', '#5 ERROR: process "/bin/sh -c false" did not complete successfully: exit code: 1', '------',
      ' > [2/2] RUN false:', '------', 'Dockerfile:2', '--------------------', '   1 |     FROM alpine:3.20', '   2 | >>> RUN false',
      '--------------------', 'ERROR: failed to solve: process "/bin/sh -c false" did not complete successfully: exit code: 1',
    ].join('\n');
    const stub = (log: string) => stubBin('docker', `[ "$1 $2" = "buildx version" ] && { echo "github.com/docker/buildx v0.20.0"; exit 0; }\ncat >&2 <<'LOG'\n${log}\nLOG\nexit 1`);
    vi.stubEnv('PATH', `${await stub(failed)}:/usr/bin:/bin`);
    const progress: string[] = [];
    const withProgress = createTestToolContext({ progress: (update) => { if (update.message) progress.push(update.message); } });
    const build = await failure(buildImage.run(buildImage.input.parse({ path: context, tag: 'app:1', engine: 'docker' }), withProgress));
    expect(build).toMatchObject({ code: 'BUILD_FAILED', details: { failing: { line: 2, instruction: 'RUN false' } } });
    expect(progress).toContain('#5 [2/2] RUN false');

    vi.stubEnv('PATH', `${await stub('ERROR: failed to solve: dockerfile parse error on line 2: unknown instruction: RUNN')}:/usr/bin:/bin`);
    const parse = await failure(buildImage.run(buildImage.input.parse({ path: context, tag: 'app:1', engine: 'docker' }), ctx));
    expect(parse).toMatchObject({ code: 'DOCKERFILE_INVALID', type: 'validation_error', details: { line: 2 } });
  });

  it('push_image classifies registry answers and reads the digest', async () => {
    vi.stubEnv('PATH', `${await stubBin('docker', 'echo "unauthorized: authentication required" >&2; exit 1')}:/usr/bin:/bin`);
    expect(await failure(pushImage.run(pushImage.input.parse({ tag: 'app:1', engine: 'docker' }), ctx))).toMatchObject({ code: 'REGISTRY_AUTH_FAILED', type: 'auth_error' });
    vi.stubEnv('PATH', `${await stubBin('docker', 'echo "dial tcp: lookup registry.invalid: no such host" >&2; exit 1')}:/usr/bin:/bin`);
    expect(await failure(pushImage.run(pushImage.input.parse({ tag: 'app:1', engine: 'docker' }), ctx))).toMatchObject({ code: 'REGISTRY_UNREACHABLE', retryable: true });
    const digest = `sha256:${'ab'.repeat(32)}`;
    vi.stubEnv('PATH', `${await stubBin('docker', `[ "$1" = push ] && echo "1: digest: ${digest} size: 1573"; exit 0`)}:/usr/bin:/bin`);
    expect(await pushImage.run(pushImage.input.parse({ tag: 'app:1', registry: 'ghcr.io/acme', engine: 'docker' }), ctx)).toEqual({ tag: 'ghcr.io/acme/app:1', digest });
  });
});

describe('scan_image_security', () => {
  it('is TOOL_UNAVAILABLE when trivy is not on PATH', async () => {
    vi.stubEnv('PATH', await dir('empty-path'));
    const error = await failure(scanImageSecurity.run(scanImageSecurity.input.parse({ image: 'alpine:3.20' }), ctx));
    expect(error).toMatchObject({ code: 'TOOL_UNAVAILABLE', type: 'unavailable', retryable: false });
    expect(error.message).toMatch(/install trivy/);
  });

  it('parses the fixture report: counts, order, optional fields', async () => {
    const parsed = parseTrivyReport(await readFile(FIXTURE, 'utf8'));
    if (!parsed.success) throw new Error(parsed.error);
    expect(parsed.data.artifact).toBe('registry.example.com/shop-api:1.4.2');
    expect(parsed.data.counts).toEqual({ CRITICAL: 1, HIGH: 3, MEDIUM: 3, LOW: 1, UNKNOWN: 0 });
    expect(parsed.data.vulnerabilities).toHaveLength(8);
    expect(parsed.data.vulnerabilities[0]).toMatchObject({ id: 'CVE-2022-23529', pkg: 'jsonwebtoken', installed: '8.5.1', fixed: '9.0.0', severity: 'CRITICAL', target: 'app/package-lock.json' });
    const unfixed = parsed.data.vulnerabilities.find((v) => v.id === 'CVE-2024-29415');
    expect(unfixed).toBeDefined();
    expect(unfixed && 'fixed' in unfixed).toBe(false);
    expect(parseTrivyReport('not json').success).toBe(false);
    expect(parseTrivyReport({ Results: 'nope' }).success).toBe(false);
  });

  it('fails with VULNERABILITIES_FOUND at or above failOn (trivy stub printing the fixture)', async () => {
    vi.stubEnv('PATH', `${await stubBin('trivy', `cat '${FIXTURE}'`)}:/usr/bin:/bin`);
    const error = await failure(scanImageSecurity.run(scanImageSecurity.input.parse({ image: 'shop-api:1.4.2', failOn: 'HIGH' }), ctx));
    expect(error).toMatchObject({ code: 'VULNERABILITIES_FOUND', type: 'security_error', retryable: false });
    const details = error.details as { counts: Record<string, number>; top: Array<{ severity: string }> };
    expect(details.counts.CRITICAL).toBe(1);
    expect(details.top.map((v) => v.severity)).toEqual(['CRITICAL', 'HIGH', 'HIGH', 'HIGH']);
    const passed = await scanImageSecurity.run(scanImageSecurity.input.parse({ image: 'shop-api:1.4.2' }), ctx);
    expect(passed.total).toBe(8);
  });
});

describe('validate_credentials', () => {
  const config = async (text: string) => {
    const path = join(await dir('docker-config'), 'config.json');
    await writeFile(path, text);
    return path;
  };

  it('finds an auths entry, decodes the username and never returns the password', async () => {
    const auth = Buffer.from('user:s3cret-pass').toString('base64');
    const configPath = await config(JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth } } }));
    const result = await validateCredentials.run(validateCredentials.input.parse({ registry: 'docker.io', configPath, verify: false }), ctx);
    expect(result).toMatchObject({ registry: 'docker.io', hasCredentials: true, source: 'auths', username: 'user', action: 'retry' });
    expect(JSON.stringify(result)).not.toMatch(/s3cret-pass/);
    expect(JSON.stringify(result)).not.toContain(auth);
  });

  it('escalates when the registry has no credentials, and honours credHelpers', async () => {
    const configPath = await config(JSON.stringify({ auths: { 'ghcr.io': { auth: 'eDp5' } }, credHelpers: { '123.dkr.ecr.us-east-1.amazonaws.com': 'ecr-login' } }));
    const missing = await validateCredentials.run(validateCredentials.input.parse({ registry: 'quay.io', configPath, verify: false }), ctx);
    expect(missing).toMatchObject({ hasCredentials: false, source: 'none', action: 'escalate' });
    expect(missing.reason).toMatch(/docker login quay.io/);
    const helper = await validateCredentials.run(validateCredentials.input.parse({ registry: 'https://123.dkr.ecr.us-east-1.amazonaws.com', configPath, verify: false }), ctx);
    expect(helper).toMatchObject({ hasCredentials: true, source: 'credHelper', action: 'retry' });
  });

  it('is CONFIG_UNREADABLE for a malformed config, without echoing its content', async () => {
    const configPath = await config('{ "auths": { "ghcr.io": { "auth": "dXNlcjpzM2NyZXQ=" } ');
    const error = await failure(validateCredentials.run(validateCredentials.input.parse({ registry: 'ghcr.io', configPath, verify: false }), ctx));
    expect(error).toMatchObject({ code: 'CONFIG_UNREADABLE', retryable: false });
    expect(error.message).not.toContain('dXNlcjpzM2NyZXQ=');
  });
});
