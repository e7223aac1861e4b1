import { readFile } from 'node:fs/promises';
import type { At } from './ManifestIssue.js';
import { kindFile, typeFields, type FieldType } from './kubernetesFields.js';
import { pathOf } from './pathOf.js';

interface SchemaError { instancePath: string; keyword: string; params: Record<string, unknown>; message?: string }
interface Validate { (data: unknown): boolean; errors?: SchemaError[] | null }

/** The Kubernetes schema the checks use: `kubernetes-models` 5.1 (its APIs include resource.k8s.io/v1, so Kubernetes 1.34 or later). */
export const KUBERNETES_SCHEMA = 'kubernetes-models 5.1 (Kubernetes 1.34 OpenAPI)';

/**
 * Checks one parsed document against Kubernetes' OpenAPI schema, offline: field types,
 * formats, enums and required fields through `kubernetes-models`' compiled validators
 * (`K8S_SCHEMA`), and fields the schema does not have (`K8S_UNKNOWN_FIELD`, which the API
 * server refuses or silently drops). A kind the package does not model is `K8S_KIND_UNKNOWN`.
 *
 * @example
 * await checkKubernetesSchema({ apiVersion: 'apps/v1', kind: 'Deployment', ... }, at);
 */
export async function checkKubernetesSchema(object: Record<string, unknown>, apiVersion: string, kind: string, at: At): Promise<void> {
  const file = kindFile(apiVersion, kind);
  const validate = file ? await validatorOf(file) : undefined;
  if (!validate || !file) {
    at('K8S_KIND_UNKNOWN', 'kind', `${apiVersion} ${kind} is not in ${KUBERNETES_SCHEMA}: a custom resource or a removed API version; its fields are not checked`);
    return;
  }
  if (!validate(object)) {
    for (const issue of validate.errors ?? []) {
      const segments = issue.instancePath.split('/').slice(1).map((part) => (/^\d+$/.test(part) ? Number(part) : part.replace(/~1/g, '/').replace(/~0/g, '~')));
      const missing = issue.keyword === 'required' ? String(issue.params['missingProperty']) : undefined;
      at('K8S_SCHEMA', pathOf(missing === undefined ? segments : [...segments, missing]), describe(issue));
    }
  }
  await unknownFields(object, { kind: 'object', file }, [], at);
}

/** The package's compiled validator of the kind: its `.d.ts` names the schema (`IoK8sApiAppsV1Deployment`). */
async function validatorOf(file: string): Promise<Validate | undefined> {
  const name = /as (IoK8s\w+) \};\s*$/.exec(await readFile(file, 'utf8'))?.[1];
  if (!name) return undefined;
  try {
    const specifier = `kubernetes-models/_schemas/${name}`;
    const schema = (await import(/* @vite-ignore */ specifier)) as { validate?: unknown };
    return typeof schema.validate === 'function' ? (schema.validate as Validate) : undefined;
  } catch {
    return undefined;
  }
}

async function unknownFields(value: unknown, type: FieldType, path: PropertyKey[], at: At): Promise<void> {
  if (type.kind === 'leaf' || value === null || typeof value !== 'object') return;
  if (type.kind === 'array') {
    if (Array.isArray(value)) for (const [index, item] of value.entries()) await unknownFields(item, type.of, [...path, index], at);
    return;
  }
  if (Array.isArray(value)) return; // a type error the schema check reports
  if (type.kind === 'map') {
    for (const [key, item] of Object.entries(value)) await unknownFields(item, type.of, [...path, key], at);
    return;
  }
  const fields = await typeFields(type.file);
  if (fields.size === 0) return; // an alias such as IntOrString or Quantity
  for (const [key, item] of Object.entries(value)) {
    const field = fields.get(key);
    if (field) await unknownFields(item, field, [...path, key], at);
    else at('K8S_UNKNOWN_FIELD', pathOf([...path, key]), `unknown field "${key}"${nearest(key, [...fields.keys()])}`);
  }
}

function describe(issue: SchemaError): string {
  const p = issue.params;
  switch (issue.keyword) {
    case 'type': return `must be ${String(p['type'])}`;
    case 'required': return `required field ${String(p['missingProperty'])} is missing`;
    case 'enum': return `must be one of ${JSON.stringify(p['allowedValues'])}`;
    case 'format': return `must be of format ${String(p['format'])}`;
    default: return issue.message ?? `${issue.keyword} ${JSON.stringify(p)}`;
  }
}

/** `; did you mean "replicas"?` for a field one or two edits from a known one. */
function nearest(key: string, known: readonly string[]): string {
  const best = known.map((name) => ({ name, d: distance(key.toLowerCase(), name.toLowerCase()) })).sort((a, b) => a.d - b.d)[0];
  return best && best.d <= 2 ? `; did you mean "${best.name}"?` : '';
}

function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const next = [i];
    for (let j = 1; j <= b.length; j += 1) next[j] = Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length] ?? 0;
}
