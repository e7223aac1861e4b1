import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { defineTool, type ToolErrorSpec } from '../actors/defineTool.js';
import { ErrorType } from '../errors/ErrorInfo.js';
import { toolFailure } from './toolFailure.js';

const errors = {
  MANIFESTS_INVALID: { type: ErrorType.validation, retryable: false, description: 'At least one error-severity issue; details carry every issue with its document and path' },
  PATH_NOT_FOUND: { type: ErrorType.notFound, retryable: false, description: 'No file or directory at `path`' },
} as const satisfies Record<string, ToolErrorSpec>;

const Severity = z.enum(['error', 'warning']);
/** One finding: `document` counts YAML documents from 0 across all files read. */
const Issue = z.object({
  document: z.number().int().nonnegative(),
  file: z.string().optional(),
  path: z.string(),
  severity: Severity,
  message: z.string(),
});
type Issue = z.infer<typeof Issue>;

const Labels = z.record(z.string(), z.string());
const Port = z.number().int().min(1).max(65535);
const Name = z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'must be a DNS-1123 name (lower case, digits, "-", ".")');
const Base = z.object({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  metadata: z.object({ name: Name, namespace: Name.optional(), labels: Labels.optional() }),
});
const Container = z.object({
  name: z.string().min(1),
  image: z.string().min(1),
  ports: z.array(z.object({ containerPort: Port, name: z.string().max(15).optional() })).optional(),
  livenessProbe: z.record(z.string(), z.unknown()).optional(),
  readinessProbe: z.record(z.string(), z.unknown()).optional(),
  resources: z.object({ requests: Labels.optional(), limits: Labels.optional() }).optional(),
});
const Deployment = Base.extend({
  apiVersion: z.literal('apps/v1'),
  spec: z.object({
    replicas: z.number().int().min(0).optional(),
    selector: z.object({ matchLabels: Labels }),
    template: z.object({
      metadata: z.object({ labels: Labels }),
      spec: z.object({ containers: z.array(Container).min(1) }),
    }),
  }),
});
const Service = Base.extend({
  apiVersion: z.literal('v1'),
  spec: z.object({
    type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']).optional(),
    selector: Labels.optional(),
    ports: z.array(z.object({ port: Port, targetPort: z.union([Port, z.string().min(1)]).optional(), nodePort: Port.optional() })).min(1),
  }),
});
const Ingress = Base.extend({
  apiVersion: z.literal('networking.k8s.io/v1'),
  spec: z.object({
    rules: z.array(z.object({
      host: z.string().optional(),
      http: z.object({
        paths: z.array(z.object({
          path: z.string().startsWith('/').optional(),
          pathType: z.enum(['Exact', 'Prefix', 'ImplementationSpecific']),
          backend: z.object({ service: z.object({ name: z.string().min(1), port: z.object({ number: Port.optional(), name: z.string().optional() }) }) }),
        })).min(1),
      }),
    })).optional(),
  }),
});
type Deployment = z.infer<typeof Deployment>;
const SCHEMAS: Readonly<Record<string, z.ZodType>> = { Deployment, Service, Ingress };
// Lenient views for the cross-document checks, so that a Deployment with an unrelated
// mistake (a bad port) still lets its Service be checked against its labels.
const PodsView = z.object({
  metadata: z.object({ name: z.string() }),
  spec: z.object({ template: z.object({
    metadata: z.object({ labels: Labels }),
    spec: z.object({ containers: z.array(z.object({ ports: z.array(z.object({ name: z.string().optional() })).optional() })) }),
  }) }),
});
const RoutingView = z.object({
  spec: z.object({ selector: Labels.optional(), ports: z.array(z.object({ targetPort: z.union([z.number(), z.string()]).optional() })).optional() }),
});

interface Doc { index: number; file: string | undefined; kind: string; name: string; object: unknown }

/**
 * Checks Kubernetes manifests without a cluster: YAML syntax (with line and column),
 * structure of Deployment/Service/Ingress, and the mistakes that pass `kubectl apply`
 * but break a rollout (selector mismatch, `latest` tags, missing probes or resources).
 *
 * @example
 * steps: [{ id: 'check', tool: 'validate_manifests', input: { path: 'k8s' } }]
 */
export const validateManifests = defineTool({
  name: 'validate_manifests',
  description: 'Validates Kubernetes Deployment, Service and Ingress manifests offline, reporting each issue with its path',
  input: z.object({ yaml: z.string().optional(), path: z.string().min(1).optional() })
    .refine((input) => (input.yaml === undefined) !== (input.path === undefined), 'give exactly one of yaml or path'),
  output: z.object({ valid: z.boolean(), issues: z.array(Issue), kinds: z.array(z.string()) }),
  errors,
  async run(input, ctx) {
    const sources = input.path === undefined ? [{ file: undefined, text: input.yaml ?? '' }] : await readSources(input.path);
    const issues: Issue[] = [];
    const docs: Doc[] = [];
    for (const source of sources) {
      for (const parsed of parseAllDocuments(source.text, { prettyErrors: true })) {
        const index = docs.length;
        const at = (path: string, severity: Issue['severity'], message: string): void => {
          issues.push(source.file === undefined ? { document: index, path, severity, message } : { document: index, file: source.file, path, severity, message });
        };
        if (parsed.errors.length > 0) {
          for (const error of parsed.errors) {
            const pos = error.linePos?.[0];
            at('', 'error', `YAML parse error${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}: ${error.message.split('\n')[0] ?? ''}`);
          }
          docs.push({ index, file: source.file, kind: '', name: '', object: undefined });
          continue;
        }
        const object: unknown = parsed.toJS();
        if (object === null || object === undefined) continue; // an empty document, e.g. after a trailing `---`
        const base = Base.safeParse(object);
        if (!base.success) {
          zodIssues(base.error, at);
          docs.push({ index, file: source.file, kind: '', name: '', object });
          continue;
        }
        const schema = SCHEMAS[base.data.kind];
        const checked = schema?.safeParse(object);
        if (checked && !checked.success) zodIssues(checked.error, at);
        docs.push({ index, file: source.file, kind: base.data.kind, name: base.data.metadata.name, object });
        if (checked?.success && base.data.kind === 'Deployment') checkDeployment(checked.data as Deployment, at);
      }
    }
    if (docs.length === 0 && issues.length === 0) issues.push({ document: 0, path: '', severity: 'error', message: 'no YAML documents found' });
    checkAcross(docs, issues);
    const kinds = [...new Set(docs.map((doc) => doc.kind).filter((kind) => kind !== ''))];
    const valid = !issues.some((issue) => issue.severity === 'error');
    ctx.logger.info({ documents: docs.length, issues: issues.length, valid }, 'manifests validated');
    if (!valid) {
      const first = issues.find((issue) => issue.severity === 'error');
      const count = issues.filter((issue) => issue.severity === 'error').length;
      throw toolFailure(errors, 'MANIFESTS_INVALID', `${count} manifest error(s); first: document ${first?.document ?? 0} ${first?.path ?? ''}: ${first?.message ?? ''}`, { issues, kinds });
    }
    return { valid, issues, kinds };
  },
});

type At = (path: string, severity: Issue['severity'], message: string) => void;

function checkDeployment(deployment: Deployment, at: At): void {
  const { selector, template } = deployment.spec;
  for (const [key, value] of Object.entries(selector.matchLabels)) {
    const label = template.metadata.labels[key];
    if (label !== value) {
      at(pathOf(['spec', 'selector', 'matchLabels', key]), 'error', `selector ${key}=${value} does not match the pod template label ${label === undefined ? `(no ${key} label)` : `${key}=${label}`}`);
    }
  }
  if (Object.keys(selector.matchLabels).length === 0) at('spec.selector.matchLabels', 'error', 'the selector is empty');
  template.spec.containers.forEach((container, i) => {
    const base = ['spec', 'template', 'spec', 'containers', i];
    const tag = imageTag(container.image);
    if (tag === undefined || tag === 'latest') {
      at(pathOf([...base, 'image']), 'error', `image "${container.image}" ${tag === undefined ? 'has no tag (so it means latest)' : 'uses the latest tag'}; pin a version or a digest`);
    }
    for (const probe of ['readinessProbe', 'livenessProbe'] as const) {
      if (!container[probe]) at(pathOf([...base, probe]), 'warning', `container "${container.name}" has no ${probe}`);
    }
    if (!container.resources?.requests) at(pathOf([...base, 'resources', 'requests']), 'warning', `container "${container.name}" sets no resource requests`);
    if (!container.resources?.limits) at(pathOf([...base, 'resources', 'limits']), 'warning', `container "${container.name}" sets no resource limits`);
  });
}

/** Checks that need several documents: duplicates, Service → Deployment, Ingress → Service. */
function checkAcross(docs: readonly Doc[], issues: Issue[]): void {
  const add = (doc: Doc, path: string, severity: Issue['severity'], message: string): void => {
    issues.push(doc.file === undefined ? { document: doc.index, path, severity, message } : { document: doc.index, file: doc.file, path, severity, message });
  };
  const seen = new Map<string, number>();
  for (const doc of docs.filter((d) => d.kind !== '')) {
    const key = `${doc.kind}/${doc.name}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, doc.index);
    else add(doc, 'metadata.name', 'error', `${key} is defined twice (first in document ${first})`);
  }
  const deployments = docs.filter((d) => d.kind === 'Deployment').flatMap((d) => {
    const view = PodsView.safeParse(d.object);
    return view.success ? [view.data] : [];
  });
  const services = docs.filter((d) => d.kind === 'Service');
  for (const doc of services) {
    const view = RoutingView.safeParse(doc.object);
    if (!view.success) continue; // its own schema issues are already reported
    const { selector, ports = [] } = view.data.spec;
    if (!selector || Object.keys(selector).length === 0) {
      add(doc, 'spec.selector', 'warning', 'the Service has no selector, so it routes to no pods unless Endpoints are managed by hand');
      continue;
    }
    if (deployments.length === 0) continue;
    const target = deployments.find((d) => Object.entries(selector).every(([key, value]) => d.spec.template.metadata.labels[key] === value));
    if (!target) {
      add(doc, 'spec.selector', 'error', `the selector ${Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',')} matches no Deployment's pod labels`);
      continue;
    }
    const portNames = new Set(target.spec.template.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.name)));
    ports.forEach((port, i) => {
      if (typeof port.targetPort === 'string' && !portNames.has(port.targetPort)) {
        add(doc, `spec.ports[${i}].targetPort`, 'error', `targetPort "${port.targetPort}" names no container port of Deployment ${target.metadata.name}`);
      }
    });
  }
  const serviceNames = new Set(services.map((d) => d.name));
  for (const doc of docs.filter((d) => d.kind === 'Ingress')) {
    const ingress = Ingress.safeParse(doc.object);
    if (ingress.success) ingress.data.spec.rules?.forEach((rule, r) => rule.http.paths.forEach((entry, p) => {
      if (!serviceNames.has(entry.backend.service.name)) {
        add(doc, `spec.rules[${r}].http.paths[${p}].backend.service.name`, 'warning', `Service "${entry.backend.service.name}" is not among these manifests`);
      }
    }));
  }
}

/** The tag of an image reference, or undefined when it has none; a digest counts as pinned. */
function imageTag(image: string): string | undefined {
  if (image.includes('@sha256:')) return image.slice(image.indexOf('@') + 1);
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  return colon === -1 ? undefined : lastSegment.slice(colon + 1);
}

function zodIssues(error: z.ZodError, at: At): void {
  for (const issue of error.issues) at(pathOf(issue.path), 'error', issue.message);
}

/** `spec.selector.matchLabels["app.kubernetes.io/name"]`: keys that are not identifiers are quoted. */
function pathOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(String(key))) out += out === '' ? String(key) : `.${String(key)}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

async function readSources(path: string): Promise<Array<{ file: string; text: string }>> {
  const full = resolve(path);
  const found = await stat(full).catch(() => undefined);
  if (!found) throw toolFailure(errors, 'PATH_NOT_FOUND', `no file or directory at ${full}`, { path: full });
  if (found.isFile()) return [{ file: full, text: await readFile(full, 'utf8') }];
  const names = (await readdir(full)).filter((name) => /\.ya?ml$/i.test(name)).sort();
  return Promise.all(names.map(async (name) => ({ file: join(full, name), text: await readFile(join(full, name), 'utf8') })));
}
