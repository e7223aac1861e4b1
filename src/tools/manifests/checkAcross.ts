import type { ManifestIssue, ManifestRule } from './ManifestIssue.js';
import { ManifestRule as RULES } from './ManifestIssue.js';
import { IngressSchema, ServiceSchema } from './manifestSchemas.js';
import { podSpecOf, record } from './podSpecOf.js';

/** One parsed document. */
export interface ParsedDocument {
  index: number;
  file: string | undefined;
  kind: string;
  name: string;
  object: unknown;
}

/**
 * Checks that need several documents: duplicate objects, Service selectors and ports against the
 * workloads they select (a `targetPort` no container exposes is an error), Ingress backends
 * against the Services and their ports.
 *
 * @example
 * checkAcross(documents, issues);
 */
export function checkAcross(docs: readonly ParsedDocument[], issues: ManifestIssue[]): void {
  const add = (doc: ParsedDocument, rule: ManifestRule, path: string, message: string): void => {
    const issue = { rule, document: doc.index, path, severity: RULES[rule].severity, message, fix: RULES[rule].fix };
    issues.push(doc.file === undefined ? issue : { ...issue, file: doc.file });
  };
  const seen = new Map<string, number>();
  for (const doc of docs.filter((d) => d.kind !== '')) {
    const key = `${doc.kind}/${doc.name}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, doc.index);
    else add(doc, 'DUPLICATE_OBJECT', 'metadata.name', `${key} is defined twice (first in document ${first})`);
  }
  const workloads = docs.flatMap((doc) => {
    const pod = podSpecOf(doc.object);
    return pod === undefined ? [] : [{ doc, pod }];
  });
  const services = docs.filter((d) => d.kind === 'Service');
  const servicePorts = new Map<string, { numbers: Set<number>; names: Set<string> }>();
  for (const doc of services) {
    const parsed = ServiceSchema.safeParse(doc.object);
    if (!parsed.success) continue; // its own schema issues are already reported
    const { selector, ports } = parsed.data.spec;
    servicePorts.set(doc.name, { numbers: new Set(ports.map((port) => port.port)), names: new Set(ports.flatMap((port) => (port.name === undefined ? [] : [port.name]))) });
    if (!selector || Object.keys(selector).length === 0) {
      add(doc, 'SERVICE_NO_SELECTOR', 'spec.selector', 'the Service has no selector, so it routes to no pods unless Endpoints are managed by hand');
      continue;
    }
    if (workloads.length === 0) continue;
    const target = workloads.find(({ pod }) => Object.entries(selector).every(([key, value]) => pod.labels[key] === value));
    if (!target) {
      add(doc, 'SERVICE_SELECTOR_MISMATCH', 'spec.selector', `the selector ${Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',')} matches no Deployment's pod labels`);
      continue;
    }
    const containers = Array.isArray(target.pod.spec.containers) ? target.pod.spec.containers.filter(record) : [];
    const declared = containers.flatMap((container) => (Array.isArray(container.ports) ? container.ports.filter(record) : []));
    const numbers = new Set(declared.map((port) => port.containerPort));
    const names = new Set(declared.map((port) => port.name));
    ports.forEach((port, i) => {
      const targetPort = port.targetPort ?? port.port;
      const known = typeof targetPort === 'number' ? numbers.has(targetPort) : names.has(targetPort);
      if (!known) {
        add(doc, 'TARGET_PORT_UNKNOWN', `spec.ports[${i}].${port.targetPort === undefined ? 'port' : 'targetPort'}`,
          `${port.targetPort === undefined ? 'port (the default targetPort)' : 'targetPort'} ${typeof targetPort === 'number' ? targetPort : `"${targetPort}"`} ${typeof targetPort === 'number' ? 'is no containerPort' : 'names no container port'} of ${target.doc.kind} ${target.doc.name} (${[...numbers, ...[...names].filter(Boolean)].join(', ') || 'no ports'}): traffic goes nowhere`);
      }
    });
  }
  for (const doc of docs.filter((d) => d.kind === 'Ingress')) {
    const ingress = IngressSchema.safeParse(doc.object);
    if (!ingress.success) continue;
    ingress.data.spec.rules?.forEach((rule, r) => rule.http.paths.forEach((entry, p) => {
      const backend = entry.backend.service;
      const ports = servicePorts.get(backend.name);
      const base = `spec.rules[${r}].http.paths[${p}].backend.service`;
      if (ports === undefined) {
        if (!services.some((service) => service.name === backend.name)) add(doc, 'INGRESS_BACKEND_UNKNOWN', `${base}.name`, `Service "${backend.name}" is not among these manifests`);
        return;
      }
      const known = backend.port.number !== undefined ? ports.numbers.has(backend.port.number) : backend.port.name !== undefined ? ports.names.has(backend.port.name) : true;
      if (!known) add(doc, 'INGRESS_PORT_UNKNOWN', `${base}.port`, `Service "${backend.name}" has no port ${String(backend.port.number ?? backend.port.name)}`);
    }));
  }
}
