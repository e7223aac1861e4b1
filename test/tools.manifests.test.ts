// validate_manifests against Kubernetes' OpenAPI schema (kubernetes-models, offline): real schema
// violations are found with document and path, and the manifests generated for every sample app pass.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isToolError } from '../src/errors/ToolError.js';
import { analyzeRepository, generateManifests, validateManifests } from '../src/tools/index.js';
import { createTestToolContext } from './support/toolContext.js';

const ctx = createTestToolContext();

const deployment = (spec: string): string => `apiVersion: apps/v1
kind: Deployment
metadata: { name: api }
spec:
${spec}`;
const GOOD_SPEC = `  selector: { matchLabels: { app: api } }
  template:
    metadata: { labels: { app: api } }
    spec:
      containers:
        - name: api
          image: api:1.0.0
`;

type Issue = { rule: string; document: number; path: string; severity: string; message: string };

async function issuesOf(yaml: string): Promise<Issue[]> {
  try {
    return (await validateManifests.run(validateManifests.input.parse({ yaml }), ctx)).issues;
  } catch (error) {
    if (isToolError(error) && error.code === 'MANIFESTS_INVALID') return (error.details as { issues: Issue[] }).issues;
    throw error;
  }
}

const schemaIssues = (issues: Issue[]): string[] => issues.filter((issue) => issue.rule.startsWith('K8S_')).map((issue) => `${issue.document} ${issue.rule} ${issue.path}`);

describe('validate_manifests against the Kubernetes schema', () => {
  it('finds wrong field types, with document and path', async () => {
    const yaml = [
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: cfg }\ndata: { a: "1" }\n',
      deployment(GOOD_SPEC.replace('  selector:', '  replicas: three\n  paused: "yes"\n  selector:').replace('image: api:1.0.0', 'image: api:1.0.0\n          tty: 1')),
    ].join('---\n');
    const issues = await issuesOf(yaml);
    expect(schemaIssues(issues)).toEqual(expect.arrayContaining([
      '1 K8S_SCHEMA spec.paused',
      '1 K8S_SCHEMA spec.template.spec.containers[0].tty',
    ]));
    // replicas is also in the stricter zod subset: one finding per path, not two.
    expect(issues.filter((issue) => issue.document === 1 && issue.path === 'spec.replicas')).toHaveLength(1);
    expect(issues.find((issue) => issue.path === 'spec.paused')?.message).toBe('must be boolean');
    expect(issues.filter((issue) => issue.document === 0)).toEqual([]);
  });

  it('finds unknown fields at any depth, suggesting the field meant', async () => {
    const issues = await issuesOf(deployment(GOOD_SPEC.replace('  selector:', '  replica: 3\n  selector:').replace('image: api:1.0.0', 'image: api:1.0.0\n          imagePullPolicy: Always\n          resource: { limits: { cpu: 1 } }\n          securityContext: { runAsNonRot: true }')));
    expect(schemaIssues(issues)).toEqual([
      '0 K8S_UNKNOWN_FIELD spec.replica',
      '0 K8S_UNKNOWN_FIELD spec.template.spec.containers[0].resource',
      '0 K8S_UNKNOWN_FIELD spec.template.spec.containers[0].securityContext.runAsNonRot',
    ]);
    expect(issues.find((issue) => issue.path === 'spec.replica')?.message).toMatch(/did you mean "replicas"/);
    expect(issues.every((issue) => issue.rule !== 'K8S_UNKNOWN_FIELD' || issue.severity === 'error')).toBe(true);
  });

  it('finds missing required fields', async () => {
    const yaml = [
      'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: { name: db }\nspec:\n  template:\n    metadata: { labels: { app: db } }\n    spec:\n      containers:\n        - image: db:1.0.0\n',
      deployment('  template:\n    metadata: { labels: { app: api } }\n    spec:\n      containers:\n        - image: api:1.0.0\n'),
    ].join('---\n');
    const issues = await issuesOf(yaml);
    expect(schemaIssues(issues)).toEqual(expect.arrayContaining([
      '0 K8S_SCHEMA spec.selector',
      '0 K8S_SCHEMA spec.template.spec.containers[0].name',
    ]));
    expect(issues.find((issue) => issue.document === 0 && issue.path === 'spec.selector')?.message).toBe('required field selector is missing');
    // For a Deployment the stricter zod subset reports the same paths first: each path once, as an error.
    for (const path of ['spec.selector', 'spec.template.spec.containers[0].name']) {
      expect(issues.filter((issue) => issue.document === 1 && issue.path === path).map((issue) => issue.severity)).toEqual(['error']);
    }
  });

  it('checks other kinds too (a CronJob, a Role) and warns on a custom resource it cannot check', async () => {
    const yaml = [
      'apiVersion: batch/v1\nkind: CronJob\nmetadata: { name: nightly }\nspec:\n  schedule: "0 3 * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Sometimes\n          containers: [{ name: job, image: "job:1.0.0", args: "run" }]\n',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: { name: r }\nrules: [{ apiGroups: [""], resources: [pods], verb: [get] }]\n',
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: { name: w }\nspec: { size: 3 }\n',
    ].join('---\n');
    const issues = await issuesOf(yaml);
    expect(schemaIssues(issues)).toEqual(expect.arrayContaining([
      '0 K8S_SCHEMA spec.jobTemplate.spec.template.spec.containers[0].args',
      '1 K8S_UNKNOWN_FIELD rules[0].verb',
      '1 K8S_SCHEMA rules[0].verbs',
      '2 K8S_KIND_UNKNOWN kind',
    ]));
    expect(issues.find((issue) => issue.rule === 'K8S_KIND_UNKNOWN')?.severity).toBe('warning');
  });

  it('passes the manifests generated for every sample app', async () => {
    const apps = join(import.meta.dirname, '..', 'examples', 'apps');
    const names = (await readdir(apps)).sort();
    expect(names.length).toBeGreaterThanOrEqual(5);
    for (const name of names) {
      const analysis = await analyzeRepository.run(analyzeRepository.input.parse({ path: join(apps, name) }), ctx);
      const { manifests } = await generateManifests.run(generateManifests.input.parse({ name, image: `127.0.0.1:5000/${name}:1.0.0`, analysis, ingress: { host: `${name}.example.com` } }), ctx);
      const result = await validateManifests.run(validateManifests.input.parse({ yaml: manifests.map((m) => m.yaml).join('---\n') }), ctx);
      expect({ name, valid: result.valid, schema: schemaIssues(result.issues) }).toEqual({ name, valid: true, schema: [] });
    }
  });
});
