import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { defineTool, type ToolErrorSpec } from '../actors/defineTool.js';
import { ErrorType } from '../errors/ErrorInfo.js';
import { toolFailure } from './toolFailure.js';

/** A Kubernetes DNS-1123 label: the rule for Deployment, Service and namespace names. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

const errors = {
  INVALID_NAME: { type: ErrorType.validation, retryable: false, description: 'name or namespace is not a DNS-1123 label (lower case, digits, "-", at most 63)' },
  WRITE_FAILED: { type: ErrorType.execution, retryable: false, description: 'The manifests could not be written under outputDir' },
} as const satisfies Record<string, ToolErrorSpec>;

const Cpu = z.string().regex(/^\d+(\.\d+)?m?$/, 'a CPU quantity such as 250m or 1');
const Memory = z.string().regex(/^\d+(\.\d+)?(Ki|Mi|Gi|Ti|K|M|G|T)?$/, 'a memory quantity such as 256Mi');
const DEFAULT_RESOURCES = { cpuRequest: '100m', memoryRequest: '128Mi', cpuLimit: '500m', memoryLimit: '512Mi' } as const;
/** The Service listens on 80 and forwards to the container port named `http`. */
const SERVICE_PORT = 80;

const GenerateManifestsInput = z.object({
  name: z.string().min(1),
  image: z.string().min(1).regex(/^\S+$/, 'must not contain spaces'),
  port: z.number().int().min(1).max(65535),
  replicas: z.number().int().min(0).default(2),
  namespace: z.string().min(1).optional(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/), z.string()).optional(),
  resources: z.object({ cpuRequest: Cpu.optional(), memoryRequest: Memory.optional(), cpuLimit: Cpu.optional(), memoryLimit: Memory.optional() }).optional(),
  healthPath: z.string().startsWith('/').default('/health'),
  ingress: z.object({
    host: z.string().regex(/^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, 'a DNS host name'),
    path: z.string().startsWith('/').default('/'),
    tlsSecret: z.string().min(1).optional(),
    className: z.string().min(1).optional(),
  }).optional(),
  /** Some apps write outside /tmp; they can turn the read-only root off. */
  readOnlyRootFilesystem: z.boolean().default(true),
  /** Needed when the image's USER is a name, not a number, for runAsNonRoot to be checkable. */
  runAsUser: z.number().int().min(1).optional(),
  write: z.boolean().default(false),
  outputDir: z.string().min(1).optional().describe('directory that receives k8s/*.yaml; default the working directory'),
});
type GenerateManifestsInput = z.output<typeof GenerateManifestsInput>;

const Manifest = z.object({ kind: z.string(), name: z.string(), yaml: z.string() });
type Manifest = z.infer<typeof Manifest>;

/**
 * Generates a hardened Deployment (non-root, read-only root, dropped capabilities,
 * probes, resources), a Service and an optional Ingress as YAML; writes them under
 * `outputDir/k8s/` only with `write: true`.
 *
 * @example
 * steps: [{ id: 'k8s', tool: 'generate_manifests', input: { name: 'shop-api', image: 'shop-api:1.4.2', port: 8080 } }]
 */
export const generateManifests = defineTool({
  name: 'generate_manifests',
  description: 'Generates Kubernetes Deployment, Service and optional Ingress manifests for an image',
  input: GenerateManifestsInput,
  output: z.object({ manifests: z.array(Manifest), files: z.array(z.string()) }),
  errors,
  async run(input, ctx) {
    for (const [field, value] of [['name', input.name], ['namespace', input.namespace]] as const) {
      if (value !== undefined && !DNS1123_LABEL.test(value)) {
        throw toolFailure(errors, 'INVALID_NAME', `${field} "${value}" is not a DNS-1123 label: lower-case letters, digits and "-", starting and ending alphanumeric, at most 63 characters`, { field, value });
      }
    }
    const objects: Array<{ file: string; object: Record<string, unknown> }> = [
      { file: 'deployment.yaml', object: deployment(input) },
      { file: 'service.yaml', object: service(input) },
    ];
    if (input.ingress) objects.push({ file: 'ingress.yaml', object: ingress(input, input.ingress) });
    const manifests: Manifest[] = objects.map(({ object }) => ({ kind: String(object['kind']), name: input.name, yaml: stringify(object, { lineWidth: 0 }) }));
    if (!input.write) return { manifests, files: [] };
    const dir = join(resolve(input.outputDir ?? process.cwd()), 'k8s');
    const files: string[] = [];
    try {
      await mkdir(dir, { recursive: true });
      for (const [index, { file }] of objects.entries()) {
        const target = join(dir, file);
        await writeAtomically(target, manifests[index]?.yaml ?? '');
        files.push(target);
      }
    } catch (error) {
      throw toolFailure(errors, 'WRITE_FAILED', `cannot write manifests under ${dir}: ${error instanceof Error ? error.message : String(error)}`, { dir, written: files }, error);
    }
    ctx.logger.info({ files }, 'manifests written');
    return { manifests, files };
  },
});

function labels(input: GenerateManifestsInput): Record<string, string> {
  return { 'app.kubernetes.io/name': input.name, 'app.kubernetes.io/managed-by': 'orchkit' };
}

function metadata(input: GenerateManifestsInput): Record<string, unknown> {
  return input.namespace === undefined ? { name: input.name, labels: labels(input) } : { name: input.name, namespace: input.namespace, labels: labels(input) };
}

function deployment(input: GenerateManifestsInput): Record<string, unknown> {
  const r = input.resources;
  const probe = (initialDelaySeconds: number, periodSeconds: number): Record<string, unknown> => ({
    httpGet: { path: input.healthPath, port: 'http' }, initialDelaySeconds, periodSeconds, timeoutSeconds: 3, failureThreshold: 3,
  });
  const container: Record<string, unknown> = {
    name: input.name,
    image: input.image,
    imagePullPolicy: 'IfNotPresent',
    ports: [{ name: 'http', containerPort: input.port, protocol: 'TCP' }],
    ...(input.env && Object.keys(input.env).length > 0
      ? { env: Object.entries(input.env).sort(([a], [b]) => a.localeCompare(b)).map(([name, value]) => ({ name, value })) }
      : {}),
    resources: {
      requests: { cpu: r?.cpuRequest ?? DEFAULT_RESOURCES.cpuRequest, memory: r?.memoryRequest ?? DEFAULT_RESOURCES.memoryRequest },
      limits: { cpu: r?.cpuLimit ?? DEFAULT_RESOURCES.cpuLimit, memory: r?.memoryLimit ?? DEFAULT_RESOURCES.memoryLimit },
    },
    readinessProbe: probe(5, 10),
    livenessProbe: probe(15, 20),
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: input.readOnlyRootFilesystem,
      capabilities: { drop: ['ALL'] },
    },
    // A writable /tmp keeps most runtimes working on a read-only root.
    ...(input.readOnlyRootFilesystem ? { volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }] } : {}),
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(input),
    spec: {
      replicas: input.replicas,
      revisionHistoryLimit: 5,
      selector: { matchLabels: { 'app.kubernetes.io/name': input.name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: labels(input) },
        spec: {
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            ...(input.runAsUser === undefined ? {} : { runAsUser: input.runAsUser, runAsGroup: input.runAsUser }),
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [container],
          ...(input.readOnlyRootFilesystem ? { volumes: [{ name: 'tmp', emptyDir: {} }] } : {}),
        },
      },
    },
  };
}

function service(input: GenerateManifestsInput): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(input),
    spec: {
      type: 'ClusterIP',
      selector: { 'app.kubernetes.io/name': input.name },
      ports: [{ name: 'http', port: SERVICE_PORT, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}

function ingress(input: GenerateManifestsInput, spec: NonNullable<GenerateManifestsInput['ingress']>): Record<string, unknown> {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: metadata(input),
    spec: {
      ...(spec.className === undefined ? {} : { ingressClassName: spec.className }),
      ...(spec.tlsSecret === undefined ? {} : { tls: [{ hosts: [spec.host], secretName: spec.tlsSecret }] }),
      rules: [{
        host: spec.host,
        http: { paths: [{ path: spec.path, pathType: 'Prefix', backend: { service: { name: input.name, port: { number: SERVICE_PORT } } } }] },
      }],
    },
  };
}

/** Readers never see half a file: write a sibling temp file, then rename over the target. */
async function writeAtomically(target: string, text: string): Promise<void> {
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, text, { encoding: 'utf8', flag: 'wx' });
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
