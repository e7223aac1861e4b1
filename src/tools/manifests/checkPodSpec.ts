import { isLiteralSecret } from '../dockerfile/secretName.js';
import { checkImageTag } from '../validation/checkImageTag.js';
import { isAllowedRegistry } from '../validation/imageReference.js';
import type { At } from './ManifestIssue.js';
import { pathOf } from './pathOf.js';
import { get, record, type PodTemplate } from './podSpecOf.js';

/** Facts from outside the manifests that the checks use. */
export interface PodCheckOptions {
  asOf: string;
  allowedRegistries?: readonly string[] | undefined;
}

const CONTAINER_ONLY = ['privileged', 'allowPrivilegeEscalation', 'capabilities', 'readOnlyRootFilesystem', 'procMount'];
const DANGEROUS = new Set(['ALL', 'SYS_ADMIN', 'NET_ADMIN', 'SYS_PTRACE', 'SYS_MODULE', 'DAC_READ_SEARCH', 'SYS_RAWIO', 'BPF']);

/**
 * Security, image, env and port checks of one pod spec: privileged containers, host namespaces,
 * root or unverifiable users, missing or ineffective securityContext, dangerous capabilities,
 * literal secrets in env, unpinned/floating/end-of-life images, and probes on ports the
 * container does not declare.
 *
 * @example
 * checkPodSpec(podSpecOf(object), at, { asOf: '2026-12-01' });
 */
export function checkPodSpec(pod: PodTemplate, at: At, options: PodCheckOptions): void {
  const base = pod.path;
  const spec = pod.spec;
  const podContext = record(spec.securityContext) ? spec.securityContext : undefined;
  for (const key of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (spec[key] === true) at('HOST_NAMESPACE', pathOf([...base, key]), `${key}: true shares the node's ${key.slice(4).toLowerCase()} namespace with the pod`);
  }
  for (const field of CONTAINER_ONLY) {
    if (podContext !== undefined && field in podContext) {
      at('SECURITY_CONTEXT_INEFFECTIVE', pathOf([...base, 'securityContext', field]), `${field} is a container setting; in the pod securityContext it is rejected or ignored, so it protects nothing`);
    }
  }
  if (podContext?.runAsUser === 0) at('RUNS_AS_ROOT', pathOf([...base, 'securityContext', 'runAsUser']), 'runAsUser: 0 runs every container of the pod as root');
  if (Array.isArray(spec.volumes)) {
    spec.volumes.forEach((volume, i) => {
      if (record(volume) && volume.hostPath !== undefined) at('HOST_PATH_VOLUME', pathOf([...base, 'volumes', i, 'hostPath']), `volume ${String(volume.name)} mounts a directory of the node`);
    });
  }
  for (const group of ['initContainers', 'containers'] as const) {
    const containers = spec[group];
    if (!Array.isArray(containers)) continue;
    containers.forEach((container, i) => {
      if (record(container)) checkContainer(container, [...base, group, i], podContext, group === 'containers', at, options);
    });
  }
}

function checkContainer(container: Record<string, unknown>, base: Array<string | number>, pod: Record<string, unknown> | undefined, main: boolean, at: At, options: PodCheckOptions): void {
  const name = typeof container.name === 'string' ? container.name : '?';
  const image = typeof container.image === 'string' ? container.image : undefined;
  if (image !== undefined) {
    for (const finding of checkImageTag(image, options.asOf)) {
      const rule = finding.rule === 'NO_LATEST_TAG' ? 'IMAGE_NOT_PINNED' : finding.rule;
      at(rule, pathOf([...base, 'image']), `image ${finding.message}`, rule === 'IMAGE_NOT_PINNED' ? {} : { severity: finding.severity, fix: finding.fix });
    }
    if (options.allowedRegistries !== undefined && !isAllowedRegistry(image, options.allowedRegistries)) {
      at('REGISTRY_NOT_ALLOWED', pathOf([...base, 'image']), `image ${image} is not from ${options.allowedRegistries.join(', ')}`);
    }
  }
  const context = record(container.securityContext) ? container.securityContext : undefined;
  const contextPath = [...base, 'securityContext'];
  if (context?.privileged === true) at('PRIVILEGED', pathOf([...contextPath, 'privileged']), `container "${name}" is privileged: it has every capability and the node's devices`);
  if (context?.privileged === true && context.allowPrivilegeEscalation === false) {
    at('SECURITY_CONTEXT_INEFFECTIVE', pathOf([...contextPath, 'allowPrivilegeEscalation']), 'allowPrivilegeEscalation: false cannot be combined with privileged: true; the API server rejects the pod');
  }
  const runAsUser = context?.runAsUser ?? pod?.runAsUser;
  const runAsNonRoot = context?.runAsNonRoot ?? pod?.runAsNonRoot;
  if (context?.runAsUser === 0) at('RUNS_AS_ROOT', pathOf([...contextPath, 'runAsUser']), `container "${name}" runs as root (runAsUser: 0)`);
  else if (runAsNonRoot === false && runAsUser === undefined) at('RUNS_AS_ROOT', pathOf([...contextPath, 'runAsNonRoot']), `runAsNonRoot: false lets container "${name}" run as root`);
  if (context === undefined && pod === undefined) {
    at('SECURITY_CONTEXT_MISSING', pathOf(contextPath), `container "${name}" has no securityContext (nor does its pod): it runs as whatever user the image says, often root, with privilege escalation allowed`);
  } else {
    if (runAsNonRoot !== true && (typeof runAsUser !== 'number' || runAsUser === 0) && context?.runAsUser !== 0 && pod?.runAsUser !== 0) {
      at('SECURITY_CONTEXT_MISSING', pathOf([...contextPath, 'runAsNonRoot']), `container "${name}" does not set runAsNonRoot: true or a non-root runAsUser`);
    }
    if (runAsNonRoot === true && runAsUser === undefined) {
      at('RUN_AS_USER_MISSING', pathOf([...contextPath, 'runAsUser']), `runAsNonRoot: true without runAsUser: if the image's USER is a name (USER app), the kubelet cannot verify it and the pod fails with CreateContainerConfigError`);
    }
    if (context?.allowPrivilegeEscalation !== false && context?.privileged !== true) at('PRIVILEGE_ESCALATION', pathOf([...contextPath, 'allowPrivilegeEscalation']), `container "${name}" may gain privileges through setuid binaries`);
  }
  const capabilities = record(context?.capabilities) ? context.capabilities : undefined;
  const dropped = Array.isArray(capabilities?.drop) ? capabilities.drop : [];
  const hasAny = context !== undefined || pod !== undefined;
  if (hasAny && context?.privileged !== true && !dropped.includes('ALL')) at('CAPABILITIES_NOT_DROPPED', pathOf([...contextPath, 'capabilities', 'drop']), `container "${name}" keeps the default capabilities`);
  const added = Array.isArray(capabilities?.add) ? capabilities.add : [];
  added.forEach((capability, i) => {
    if (typeof capability === 'string' && DANGEROUS.has(capability.replace(/^CAP_/, ''))) at('DANGEROUS_CAPABILITY', pathOf([...contextPath, 'capabilities', 'add', i]), `capability ${capability} gives container "${name}" root-equivalent power over the node`);
  });
  if (main && hasAny && context?.readOnlyRootFilesystem !== true) at('READ_ONLY_ROOT_FILESYSTEM', pathOf([...contextPath, 'readOnlyRootFilesystem']), `container "${name}" can write to its root filesystem`);

  if (Array.isArray(container.env)) {
    container.env.forEach((entry, i) => {
      if (!record(entry) || typeof entry.name !== 'string') return;
      const value = typeof entry.value === 'string' ? entry.value : typeof entry.value === 'number' ? String(entry.value) : null;
      if (isLiteralSecret(entry.name, value)) at('SECRET_IN_ENV', pathOf([...base, 'env', i, 'value']), `env ${entry.name} holds a literal secret, readable by anyone who can read the Deployment`);
    });
  }
  checkPorts(container, base, name, main, at);
}

function checkPorts(container: Record<string, unknown>, base: Array<string | number>, name: string, main: boolean, at: At): void {
  const ports = Array.isArray(container.ports) ? container.ports.filter(record) : [];
  const numbers = new Set(ports.map((port) => port.containerPort).filter((port) => typeof port === 'number'));
  const names = new Set(ports.map((port) => port.name).filter((port) => typeof port === 'string'));
  for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) {
    const spec = container[probe];
    if (!record(spec)) {
      if (main && probe !== 'startupProbe' && ports.length > 0) at('PROBE_MISSING', pathOf([...base, probe]), `container "${name}" has no ${probe}`);
      continue;
    }
    for (const handler of ['httpGet', 'tcpSocket', 'grpc'] as const) {
      const port = get(spec, [handler, 'port']);
      if (port === undefined) continue;
      const known = typeof port === 'number' ? numbers.has(port) : typeof port === 'string' && names.has(port);
      // A probe may target a port the container serves without declaring it, but then the
      // Service, network policies and readers cannot know it: flag it unless nothing is declared.
      if (!known && (ports.length > 0 || typeof port === 'string')) {
        at('PROBE_PORT_UNKNOWN', pathOf([...base, probe, handler, 'port']), `${probe} of "${name}" probes port ${typeof port === 'number' || typeof port === 'string' ? port : '?'}, which the container does not declare (${[...numbers, ...names].join(', ') || 'no ports'})`);
      }
    }
  }
  const resources = record(container.resources) ? container.resources : undefined;
  if (main && !record(resources?.requests)) at('RESOURCES_MISSING', pathOf([...base, 'resources', 'requests']), `container "${name}" sets no resource requests`);
  if (main && !record(resources?.limits)) at('RESOURCES_MISSING', pathOf([...base, 'resources', 'limits']), `container "${name}" sets no resource limits`);
}
