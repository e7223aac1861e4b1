import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { defineTool, type ToolErrorSpec } from '../actors/defineTool.js';
import { ErrorType } from '../errors/ErrorInfo.js';
import { AppAnalysisSchema, HealthCheckSchema, type HealthCheck } from './analysis/RepositoryAnalysisSchema.js';
import { deploymentProfile, type Resources } from './deployment/deploymentProfile.js';
import { toolFailure } from './toolFailure.js';

/** A Kubernetes DNS-1123 label: the rule for Deployment, Service and namespace names. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

const errors = {
  INVALID_NAME: { type: ErrorType.validation, retryable: false, description: 'name or namespace is not a DNS-1123 label (lower case, digits, "-", at most 63)' },
  WRITE_FAILED: { type: ErrorType.execution, retryable: false, description: 'The manifests could not be written under outputDir' },
} as const satisfies Record<string, ToolErrorSpec>;

const Cpu = z.string().regex(/^\d+(\.\d+)?m?$/, 'a CPU quantity such as 250m or 1');
const Memory = z.string().regex(/^\d+(\.\d+)?(Ki|Mi|Gi|Ti|K|M|G|T)?$/, 'a memory quantity such as 256Mi');
/** The Service listens on 80 and forwards to the container port named `http`. */
const SERVICE_PORT = 80;

/** The facts of an `analyze_repository` result the manifests follow; the whole analysis may be passed. */
const AnalysisHints = z.object({
  language: AppAnalysisSchema.shape.language,
  framework: z.string().default('none'),
  port: z.number().int().min(1).max(65535).optional(),
  healthCheckPath: z.string().optional(),
  healthCheck: HealthCheckSchema.optional(),
  server: AppAnalysisSchema.shape.server,
});

const GenerateManifestsInput = z.object({
  name: z.string().min(1),
  image: z.string().min(1).regex(/^\S+$/, 'must not contain spaces'),
  /** The repository analysis: port, health check, user, root filesystem and resources follow it, as the generated Dockerfile does. */
  analysis: AnalysisHints.optional(),
  /** The container port; default the analysis' port. Without one there is no Service and no probe (a stdio server, a worker). */
  port: z.number().int().min(1).max(65535).optional(),
  replicas: z.number().int().min(0).default(2),
  namespace: z.string().min(1).optional(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/), z.string()).optional(),
  resources: z.object({ cpuRequest: Cpu.optional(), memoryRequest: Memory.optional(), cpuLimit: Cpu.optional(), memoryLimit: Memory.optional() }).optional(),
  /** An HTTP path to probe; overrides the analysis. Without either, the probes connect to the port over TCP. */
  healthPath: z.string().startsWith('/').optional(),
  ingress: z.object({
    host: z.string().regex(/^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, 'a DNS host name'),
    path: z.string().startsWith('/').default('/'),
    tlsSecret: z.string().min(1).optional(),
    className: z.string().min(1).optional(),
  }).optional(),
  /** Default: true, except for stacks that write into their install directory (Tomcat, WildFly, Next.js). */
  readOnlyRootFilesystem: z.boolean().optional(),
  /** Numeric user, group and volume group; default 10001, the user of the generated Dockerfiles. */
  runAsUser: z.number().int().min(1).optional(),
  runAsGroup: z.number().int().min(1).optional(),
  fsGroup: z.number().int().min(1).optional(),
  write: z.boolean().default(false),
  outputDir: z.string().min(1).optional().describe('directory that receives k8s/*.yaml; default the working directory'),
});
type GenerateManifestsInput = z.output<typeof GenerateManifestsInput>;

const Manifest = z.object({ kind: z.string(), name: z.string(), yaml: z.string() });
type Manifest = z.infer<typeof Manifest>;

/** The input with every default resolved: what the objects are built from. */
interface Plan {
  input: GenerateManifestsInput;
  port: number | undefined;
  health: HealthCheck;
  uid: number;
  gid: number;
  fsGroup: number;
  readOnly: boolean;
  writablePaths: string[];
  resources: Resources;
  startSeconds: number;
}

/**
 * Generates a hardened Deployment (numeric non-root user matching the generated Dockerfile,
 * read-only root where the stack allows, dropped capabilities, probes on the declared port,
 * resources), a Service and an optional Ingress as YAML; writes them under `outputDir/k8s/`
 * only with `write: true`. Given the repository `analysis`, port, probe type and path, root
 * filesystem and resources follow it; an app without a port gets no Service and no probes.
 *
 * @example
 * steps: [{ id: 'k8s', tool: 'generate_manifests', input: { name: 'shop-api', image: 'shop-api:1.4.2', analysis: '${{ steps.analyze.output }}' } }]
 */
export const generateManifests = defineTool({
  name: 'generate_manifests',
  description: 'Generates Kubernetes Deployment, Service and optional Ingress manifests for an image, following the repository analysis',
  input: GenerateManifestsInput,
  output: z.object({ manifests: z.array(Manifest), files: z.array(z.string()), notes: z.array(z.string()) }),
  errors,
  async run(input, ctx) {
    for (const [field, value] of [['name', input.name], ['namespace', input.namespace]] as const) {
      if (value !== undefined && !DNS1123_LABEL.test(value)) {
        throw toolFailure(errors, 'INVALID_NAME', `${field} "${value}" is not a DNS-1123 label: lower-case letters, digits and "-", starting and ending alphanumeric, at most 63 characters`, { field, value });
      }
    }
    const { plan, notes } = planOf(input);
    const objects: Array<{ file: string; object: Record<string, unknown> }> = [{ file: 'deployment.yaml', object: deployment(plan) }];
    if (plan.port !== undefined) objects.push({ file: 'service.yaml', object: service(input) });
    if (input.ingress && plan.port !== undefined) objects.push({ file: 'ingress.yaml', object: ingress(input, input.ingress) });
    if (input.ingress && plan.port === undefined) notes.push('no Ingress: the app listens on no port');
    const manifests: Manifest[] = objects.map(({ object }) => ({ kind: String(object['kind']), name: input.name, yaml: stringify(object, { lineWidth: 0, aliasDuplicateObjects: false }) }));
    if (!input.write) return { manifests, files: [], notes };
    const dir = join(await ctx.resolvePath(input.outputDir ?? '.', 'outputDir'), 'k8s');
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
    return { manifests, files, notes };
  },
});

function planOf(input: GenerateManifestsInput): { plan: Plan; notes: string[] } {
  const port = input.port ?? input.analysis?.port;
  const profile = deploymentProfile(input.analysis === undefined ? { language: 'node', framework: 'none', port } : { ...input.analysis, port });
  const notes = [...profile.reasons];
  let health: HealthCheck = profile.health;
  if (input.healthPath !== undefined && port !== undefined) health = { type: 'http', path: input.healthPath, reason: 'the health path given' };
  if (input.analysis === undefined && input.healthPath === undefined && port !== undefined) notes.push('no analysis and no healthPath: the probes connect to the port over TCP');
  if (port === undefined) notes.push('no port: no Service and no probes');
  const readOnly = input.readOnlyRootFilesystem ?? profile.readOnlyRootFilesystem;
  const uid = input.runAsUser ?? profile.uid;
  return {
    plan: {
      input,
      port,
      health,
      uid,
      gid: input.runAsGroup ?? (input.runAsUser === undefined ? profile.gid : uid),
      fsGroup: input.fsGroup ?? input.runAsGroup ?? (input.runAsUser === undefined ? profile.gid : uid),
      readOnly,
      writablePaths: readOnly ? (profile.writablePaths.length > 0 ? profile.writablePaths : ['/tmp']) : [],
      resources: { ...profile.resources, ...definedOnly(input.resources ?? {}) },
      startSeconds: profile.startSeconds,
    },
    notes,
  };
}

function definedOnly(value: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function labels(input: GenerateManifestsInput): Record<string, string> {
  return { 'app.kubernetes.io/name': input.name, 'app.kubernetes.io/managed-by': 'orchkit' };
}

function metadata(input: GenerateManifestsInput): Record<string, unknown> {
  return input.namespace === undefined ? { name: input.name, labels: labels(input) } : { name: input.name, namespace: input.namespace, labels: labels(input) };
}

function deployment(plan: Plan): Record<string, unknown> {
  const { input, resources: r } = plan;
  const check = plan.health.type === 'http' ? { httpGet: { path: plan.health.path ?? '/', port: 'http' } } : { tcpSocket: { port: 'http' } };
  const probes = plan.port === undefined || plan.health.type === 'none' ? {} : {
    // The startup probe holds the others off while a slow runtime (a JVM, an app server) starts.
    startupProbe: { ...check, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: Math.max(6, Math.ceil((plan.startSeconds * 3) / 5)) },
    readinessProbe: { ...check, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
    livenessProbe: { ...check, periodSeconds: 20, timeoutSeconds: 3, failureThreshold: 3 },
  };
  const volumes = plan.writablePaths.map((mountPath, index) => ({ name: index === 0 ? 'tmp' : `writable-${index}`, mountPath }));
  const container: Record<string, unknown> = {
    name: input.name,
    image: input.image,
    imagePullPolicy: 'IfNotPresent',
    ...(plan.port === undefined ? {} : { ports: [{ name: 'http', containerPort: plan.port, protocol: 'TCP' }] }),
    ...(input.env && Object.keys(input.env).length > 0
      ? { env: Object.entries(input.env).sort(([a], [b]) => a.localeCompare(b)).map(([name, value]) => ({ name, value })) }
      : {}),
    resources: { requests: { cpu: r.cpuRequest, memory: r.memoryRequest }, limits: { cpu: r.cpuLimit, memory: r.memoryLimit } },
    ...probes,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: plan.uid,
      runAsGroup: plan.gid,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: plan.readOnly,
      capabilities: { drop: ['ALL'] },
    },
    ...(volumes.length > 0 ? { volumeMounts: volumes.map(({ name, mountPath }) => ({ name, mountPath })) } : {}),
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
            runAsUser: plan.uid,
            runAsGroup: plan.gid,
            fsGroup: plan.fsGroup,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [container],
          ...(volumes.length > 0 ? { volumes: volumes.map(({ name }) => ({ name, emptyDir: {} })) } : {}),
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
