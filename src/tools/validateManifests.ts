import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { defineTool, type ToolErrorSpec } from '../actors/defineTool.js';
import { ErrorType } from '../errors/ErrorInfo.js';
import { checkAcross, type ParsedDocument } from './manifests/checkAcross.js';
import { checkKubernetesSchema } from './manifests/checkKubernetesSchema.js';
import { checkPodSpec } from './manifests/checkPodSpec.js';
import { ManifestIssueSchema, ManifestRule, type At, type ManifestIssue } from './manifests/ManifestIssue.js';
import { DeploymentSchema, KIND_SCHEMAS, ObjectBase, type Deployment } from './manifests/manifestSchemas.js';
import { pathOf } from './manifests/pathOf.js';
import { podSpecOf } from './manifests/podSpecOf.js';
import { toolFailure } from './toolFailure.js';
import { applyPolicy, ValidationPolicySchema } from './validation/ValidationPolicy.js';

const errors = {
  MANIFESTS_INVALID: { type: ErrorType.validation, retryable: false, description: 'At least one error-severity issue; details carry every issue with its rule, document, path and fix' },
  PATH_NOT_FOUND: { type: ErrorType.notFound, retryable: false, description: 'No file or directory at `path`' },
} as const satisfies Record<string, ToolErrorSpec>;

/**
 * Checks Kubernetes manifests without a cluster. Every issue has a rule id (see `ManifestRule`),
 * severity, document and path, and a fix hint:
 * - structure: YAML syntax (with line and column); every document against Kubernetes' OpenAPI
 *   schema, offline (`K8S_SCHEMA`: types, formats, enums, required fields; `K8S_UNKNOWN_FIELD`;
 *   `K8S_KIND_UNKNOWN` for custom resources), plus stricter Deployment/Service/Ingress checks,
 *   duplicates, selector mismatches;
 * - security of every pod spec (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod):
 *   `PRIVILEGED`, `HOST_NAMESPACE` (hostNetwork/hostPID/hostIPC), `RUNS_AS_ROOT` (runAsUser 0),
 *   `SECURITY_CONTEXT_MISSING`, `SECURITY_CONTEXT_INEFFECTIVE` (container fields at pod level,
 *   privileged with allowPrivilegeEscalation false), `RUN_AS_USER_MISSING`, `DANGEROUS_CAPABILITY`,
 *   `SECRET_IN_ENV` (a literal `DB_PASSWORD`), hostPath volumes;
 * - ports: Service `targetPort` and probes against the container's declared ports, Ingress
 *   backends against Service ports;
 * - images: untagged or `latest` (error), floating, end-of-life, deprecated, registry policy.
 * A `policy` turns rules off or to another severity and restricts registries.
 *
 * @example
 * steps: [{ id: 'check', tool: 'validate_manifests', input: { path: 'k8s' } }]
 */
export const validateManifests = defineTool({
  name: 'validate_manifests',
  description: "Validates Kubernetes manifests offline against Kubernetes' OpenAPI schema, plus pod security, probes, resources, port consistency, image pinning; each issue with rule id, document, path and fix",
  input: z.object({
    yaml: z.string().optional(),
    path: z.string().min(1).optional(),
    policy: ValidationPolicySchema.optional().describe('Rules to turn off or to another severity, allowed registries, date for end-of-life checks'),
  }).refine((input) => (input.yaml === undefined) !== (input.path === undefined), 'give exactly one of yaml or path'),
  output: z.object({ valid: z.boolean(), issues: z.array(ManifestIssueSchema), kinds: z.array(z.string()) }),
  errors,
  async run(input, ctx) {
    const sources = input.path === undefined ? [{ file: undefined, text: input.yaml ?? '' }] : await readSources(await ctx.resolvePath(input.path));
    const asOf = input.policy?.asOf ?? new Date().toISOString().slice(0, 10);
    const raw: ManifestIssue[] = [];
    const docs: ParsedDocument[] = [];
    for (const source of sources) {
      for (const parsed of parseAllDocuments(source.text, { prettyErrors: true })) {
        const index = docs.length;
        const at: At = (rule, path, message, overrides = {}) => {
          const issue = { rule, document: index, path, severity: overrides.severity ?? ManifestRule[rule].severity, message, fix: overrides.fix ?? ManifestRule[rule].fix };
          raw.push(source.file === undefined ? issue : { ...issue, file: source.file });
        };
        if (parsed.errors.length > 0) {
          for (const error of parsed.errors) {
            const pos = error.linePos?.[0];
            at('YAML_SYNTAX', '', `YAML parse error${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}: ${error.message.split('\n')[0] ?? ''}`);
          }
          docs.push({ index, file: source.file, kind: '', name: '', object: undefined });
          continue;
        }
        const object: unknown = parsed.toJS();
        if (object === null || object === undefined) continue; // an empty document, e.g. after a trailing `---`
        const base = ObjectBase.safeParse(object);
        if (!base.success) {
          zodIssues(base.error, at);
          docs.push({ index, file: source.file, kind: '', name: '', object });
          continue;
        }
        const schema = KIND_SCHEMAS[base.data.kind];
        const checked = schema?.safeParse(object);
        if (checked && !checked.success) zodIssues(checked.error, at);
        const schemaFindings: Array<Parameters<At>> = [];
        await checkKubernetesSchema(object as Record<string, unknown>, base.data.apiVersion, base.data.kind, (...finding) => schemaFindings.push(finding));
        docs.push({ index, file: source.file, kind: base.data.kind, name: base.data.metadata.name, object });
        if (checked?.success && base.data.kind === 'Deployment') checkSelector(DeploymentSchema.parse(object), at);
        const pod = podSpecOf(object);
        if (pod !== undefined) checkPodSpec(pod, at, { asOf, allowedRegistries: input.policy?.allowedRegistries });
        // A finding of a sharper rule at a path (zod ranges, SECURITY_CONTEXT_INEFFECTIVE) stands for the schema's there.
        const reported = new Set(raw.filter((issue) => issue.document === index).map((issue) => issue.path));
        for (const finding of schemaFindings) if (!reported.has(finding[1])) at(...finding);
      }
    }
    if (docs.length === 0 && raw.length === 0) raw.push({ rule: 'NO_DOCUMENTS', document: 0, path: '', severity: 'error', message: 'no YAML documents found', fix: ManifestRule.NO_DOCUMENTS.fix });
    checkAcross(docs, raw);
    const issues = applyPolicy(raw, input.policy);
    const kinds = [...new Set(docs.map((doc) => doc.kind).filter((kind) => kind !== ''))];
    const valid = !issues.some((issue) => issue.severity === 'error');
    ctx.logger.info({ documents: docs.length, issues: issues.length, valid }, 'manifests validated');
    if (!valid) {
      const first = issues.find((issue) => issue.severity === 'error');
      const count = issues.filter((issue) => issue.severity === 'error').length;
      throw toolFailure(errors, 'MANIFESTS_INVALID', `${count} manifest error(s); first: ${first?.rule ?? ''} in document ${first?.document ?? 0} ${first?.path ?? ''}: ${first?.message ?? ''}`, { issues, kinds });
    }
    return { valid, issues, kinds };
  },
});

function checkSelector(deployment: Deployment, at: At): void {
  const { selector, template } = deployment.spec;
  for (const [key, value] of Object.entries(selector.matchLabels)) {
    const label = template.metadata.labels[key];
    if (label !== value) {
      at('SELECTOR_MISMATCH', pathOf(['spec', 'selector', 'matchLabels', key]), `selector ${key}=${value} does not match the pod template label ${label === undefined ? `(no ${key} label)` : `${key}=${label}`}`);
    }
  }
  if (Object.keys(selector.matchLabels).length === 0) at('SELECTOR_MISMATCH', 'spec.selector.matchLabels', 'the selector is empty');
}

function zodIssues(error: z.ZodError, at: At): void {
  for (const issue of error.issues) at('SCHEMA_INVALID', pathOf(issue.path), issue.message);
}

async function readSources(path: string): Promise<Array<{ file: string; text: string }>> {
  const full = resolve(path);
  const found = await stat(full).catch(() => undefined);
  if (!found) throw toolFailure(errors, 'PATH_NOT_FOUND', `no file or directory at ${full}`, { path: full });
  if (found.isFile()) return [{ file: full, text: await readFile(full, 'utf8') }];
  const names = (await readdir(full)).filter((name) => /\.ya?ml$/i.test(name)).sort();
  return Promise.all(names.map(async (name) => ({ file: join(full, name), text: await readFile(join(full, name), 'utf8') })));
}
