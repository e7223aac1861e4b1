/** The pod template of a workload object, with where it sits. */
export interface PodTemplate {
  /** Path of the pod spec in the document. */
  path: Array<string | number>;
  spec: Record<string, unknown>;
  labels: Record<string, string>;
}

const TEMPLATED = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'ReplicationController']);

/**
 * The pod spec of a Pod, of a workload with a pod template (Deployment, StatefulSet, DaemonSet,
 * ReplicaSet, Job) or of a CronJob's job template; undefined for other kinds or a malformed one.
 *
 * @example
 * podSpecOf(deployment)?.path; // ['spec', 'template', 'spec']
 */
export function podSpecOf(object: unknown): PodTemplate | undefined {
  const kind = get(object, ['kind']);
  let template: unknown;
  let path: Array<string | number>;
  if (kind === 'Pod') return record(get(object, ['spec'])) ? { path: ['spec'], spec: get(object, ['spec']) as Record<string, unknown>, labels: labelsOf(get(object, ['metadata', 'labels'])) } : undefined;
  if (kind === 'CronJob') {
    path = ['spec', 'jobTemplate', 'spec', 'template'];
    template = get(object, path);
  } else if (typeof kind === 'string' && TEMPLATED.has(kind)) {
    path = ['spec', 'template'];
    template = get(object, path);
  } else {
    return undefined;
  }
  const spec = get(template, ['spec']);
  return record(spec) ? { path: [...path, 'spec'], spec, labels: labelsOf(get(template, ['metadata', 'labels'])) } : undefined;
}

/** A nested value, or undefined when any step is missing. */
export function get(value: unknown, path: readonly (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

export function record(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function labelsOf(value: unknown): Record<string, string> {
  if (!record(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
