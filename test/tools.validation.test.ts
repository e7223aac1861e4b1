import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { Tool } from '../src/actors/defineTool.js';
import { isToolError, type ToolError } from '../src/errors/ToolError.js';
import type { AppAnalysis } from '../src/tools/analysis/RepositoryAnalysisSchema.js';
import { analyzeRepository } from '../src/tools/analyzeRepository.js';
import { pickBaseImages } from '../src/tools/dockerfile/baseImages.js';
import { DockerfileRule } from '../src/tools/dockerfile/DockerfileIssue.js';
import { renderDockerfile } from '../src/tools/dockerfile/renderDockerfile.js';
import { generateDockerfile } from '../src/tools/generateDockerfile.js';
import { generateManifests } from '../src/tools/generateManifests.js';
import { ManifestRule } from '../src/tools/manifests/ManifestIssue.js';
import { SECRET_RULES } from '../src/tools/secrets/secretRules.js';
import { scanText } from '../src/tools/secrets/scanText.js';
import { validateDockerfile } from '../src/tools/validateDockerfile.js';
import { validateManifests } from '../src/tools/validateManifests.js';
import { createTestToolContext } from './support/toolContext.js';

const REPOS = join(import.meta.dirname, 'fixtures', 'repos');
const asOf = '2026-12-01';
interface Examples {
  clean: { dockerfile: string; manifests: string };
  dockerfile: Array<{ rule: string; dockerfile: string; policy?: { allowedRegistries?: string[] } }>;
  manifests: Array<{ rule: string; yaml: string; policy?: { allowedRegistries?: string[] } }>;
}
const examples = JSON.parse(readFileSync(join(REPOS, 'rule-examples.json'), 'utf8')) as Examples;

async function call<I extends z.ZodType, O extends z.ZodType>(tool: Tool<I, O>, input: z.input<I>): Promise<z.output<O>> {
  return tool.output.parse(await tool.run(tool.input.parse(input), createTestToolContext()));
}
async function failure(promise: Promise<unknown>): Promise<ToolError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  if (!isToolError(error)) throw new Error(`expected a ToolError, got ${String(error)}`);
  return error;
}
interface AnyIssue { rule: string; severity: string; fix: string }
async function issuesOf(run: Promise<{ issues: AnyIssue[] }>): Promise<AnyIssue[]> {
  try {
    return (await run).issues;
  } catch (error) {
    if (!isToolError(error)) throw error;
    return (error.details as { issues: AnyIssue[] }).issues;
  }
}
const ids = (issues: readonly AnyIssue[]): string[] => [...new Set(issues.map((issue) => issue.rule))].sort();

describe('validator rules', () => {
  it('has one example per rule, and the clean examples are clean', async () => {
    expect(examples.dockerfile.map((example) => example.rule).sort()).toEqual(Object.keys(DockerfileRule).sort());
    expect([...new Set(examples.manifests.map((example) => example.rule))].sort()).toEqual(Object.keys(ManifestRule).sort());
    expect(await issuesOf(call(validateDockerfile, { dockerfile: examples.clean.dockerfile, policy: { asOf } }))).toEqual([]);
    expect(await issuesOf(call(validateManifests, { yaml: examples.clean.manifests, policy: { asOf } }))).toEqual([]);
  });

  it.each(examples.dockerfile)('validate_dockerfile flags $rule on its example, with line and fix', async (example) => {
    const issues = await issuesOf(call(validateDockerfile, { dockerfile: example.dockerfile, policy: { asOf, ...example.policy } }));
    expect(ids(issues)).toEqual([example.rule]);
    expect(issues[0]).toMatchObject({ line: expect.any(Number), fix: expect.stringMatching(/\w{3,}/) });
  });

  it.each(examples.manifests)('validate_manifests flags $rule on its example, with path and fix', async (example) => {
    const issues = await issuesOf(call(validateManifests, { yaml: example.yaml, policy: { asOf, ...example.policy } }));
    expect(ids(issues)).toEqual([example.rule]);
    expect(issues[0]).toMatchObject({ document: expect.any(Number), path: expect.any(String), fix: expect.any(String) });
  });

  it('takes a policy: rules off, rules up, allowed registries', async () => {
    const floating = examples.dockerfile.find((example) => example.rule === 'TAG_FLOATING')?.dockerfile ?? '';
    expect((await call(validateDockerfile, { dockerfile: floating, policy: { asOf } })).valid).toBe(true);
    const raised = await failure(call(validateDockerfile, { dockerfile: floating, policy: { asOf, rules: { TAG_FLOATING: 'error' } } }));
    expect(raised).toMatchObject({ code: 'DOCKERFILE_INVALID' });
    expect((await call(validateDockerfile, { dockerfile: floating, policy: { asOf, rules: { TAG_FLOATING: 'off' } } })).issues).toEqual([]);
    const hub = await call(validateDockerfile, { dockerfile: examples.clean.dockerfile, policy: { asOf, allowedRegistries: ['docker.io'] } });
    expect(hub.issues).toEqual([]);
    expect(validateDockerfile.input.safeParse({ dockerfile: 'FROM x:1\n', policy: { rules: { TAG_FLOATING: 'loud' } } }).success).toBe(false);
    const secret = examples.manifests.find((example) => example.rule === 'SECRET_IN_ENV')?.yaml ?? '';
    expect((await call(validateManifests, { yaml: secret, policy: { rules: { SECRET_IN_ENV: 'warning' } } })).valid).toBe(true);
  });

  it('judges end of life by the date given', async () => {
    const node20 = 'FROM node:20.18.1-alpine3.21\nUSER 10001:10001\nCMD ["node", "a.js"]\n';
    const before = await call(validateDockerfile, { dockerfile: node20, policy: { asOf: '2026-01-01' } });
    const after = await call(validateDockerfile, { dockerfile: node20, policy: { asOf: '2026-05-01' } });
    expect(ids(before.issues)).not.toContain('TAG_END_OF_LIFE');
    expect(ids(after.issues)).toContain('TAG_END_OF_LIFE');
  });

  it('does not call Windows nanoserver root, but ContainerAdministrator is', async () => {
    const nano = 'FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCMD ["cmd"]\n';
    expect(ids((await call(validateDockerfile, { dockerfile: nano })).issues)).not.toContain('RUNS_AS_ROOT');
    expect(ids((await call(validateDockerfile, { dockerfile: nano.replace('CMD', 'USER ContainerAdministrator\nCMD') })).issues)).toContain('RUNS_AS_ROOT');
  });

  it('flags npm install by what the build context holds', async () => {
    const issues = await issuesOf(call(validateDockerfile, { path: join(REPOS, 'insecure-node', 'Dockerfile') }));
    expect(issues.find((issue) => issue.rule === 'NPM_INSTALL_WITHOUT_LOCKFILE')).toMatchObject({ message: expect.stringContaining('no package-lock.json') });
  });
});

describe('scan_secrets in configuration files', () => {
  const found = (file: string, text: string): string[] => scanText(text, SECRET_RULES.filter((rule) => rule.files === undefined || rule.files.test(file))).map((finding) => finding.preview);

  it('finds unquoted credentials in .properties and YAML, masked', () => {
    expect(found('application.properties', 'db.password=Pr0dPassw0rd!')).toEqual(['db.password=Pr0**********']);
    expect(found('config.yaml', '  password: yaml-Secret-42')).toEqual(['password: yam***********']);
    expect(found('app.ini', 'api_key = 9f8e7d6c5b4a')).toHaveLength(1);
  });

  it('leaves placeholders, references and code alone', () => {
    expect(found('application.properties', 'db.password=${DB_PASSWORD}')).toEqual([]);
    expect(found('config.yaml', 'password: changeme')).toEqual([]);
    expect(found('config.yaml', 'password_file: /run/secrets/db')).toEqual([]);
    expect(found('config.yaml', 'passwordEncoder: bcrypt')).toEqual([]);
    expect(found('values.yaml', 'password: {{ .Values.db.password }}')).toEqual([]);
    expect(found('app.py', 'password = read_password()')).toEqual([]);
  });
});

describe('Dockerfile and manifests agree', () => {
  const analysis = fc.record({
    language: fc.constantFrom<AppAnalysis['language']>('node', 'python', 'go', 'java', 'dotnet', 'rust'),
    port: fc.option(fc.integer({ min: 1024, max: 65535 }), { nil: undefined }),
    healthCheckPath: fc.option(fc.constantFrom('/health', '/healthz', '/actuator/health'), { nil: undefined }),
    server: fc.option(fc.constantFrom<'tomcat' | 'wildfly'>('tomcat', 'wildfly'), { nil: undefined }),
  }).map(({ language, port, healthCheckPath, server }): AppAnalysis => ({
    language,
    framework: 'none',
    packageManager: ({ node: 'npm', python: 'pip', go: 'go', java: 'maven', dotnet: 'dotnet', rust: 'cargo' } as const)[language],
    port,
    portSource: port === undefined ? 'none' : 'code',
    healthCheckPath: port === undefined ? undefined : healthCheckPath,
    startCommand: 'start',
    ...(language === 'java' && server !== undefined ? { server } : {}),
    dependencies: { production: 0, development: 0, names: [] },
    notes: [],
    guesses: [],
  }));

  it('for every analysis: one numeric user, one port, one probe — and both validate without errors (property)', async () => {
    await fc.assert(
      fc.asyncProperty(analysis, async (app) => {
        const { dockerfile } = renderDockerfile(app);
        const { manifests } = await call(generateManifests, { name: 'app', image: 'registry.example.com/app:1.0.0', analysis: app });
        const deployment = manifests[0]?.yaml ?? '';
        const final = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
        expect(final).toMatch(/^USER 10001:10001$/m);
        expect(deployment).toMatch(/runAsUser: 10001/);
        if (app.port === undefined) {
          expect(final).not.toMatch(/^(EXPOSE|HEALTHCHECK)\b/m);
          expect(manifests.map((m) => m.kind)).toEqual(['Deployment']);
          expect(deployment).not.toMatch(/Probe/);
        } else {
          expect(final).toContain(`EXPOSE ${app.port}`);
          expect(deployment).toContain(`containerPort: ${app.port}`);
          expect(deployment).toContain(app.healthCheckPath === undefined ? 'tcpSocket' : `path: ${app.healthCheckPath}`);
          const probe = /^HEALTHCHECK .*$/m.exec(final)?.[0];
          if (probe !== undefined && app.healthCheckPath !== undefined) expect(probe).toContain(`:${app.port}${app.healthCheckPath}`);
          if (probe !== undefined && app.healthCheckPath === undefined) expect(probe).not.toContain('http');
        }
        const lint = await issuesOf(call(validateDockerfile, { dockerfile, policy: { asOf } }));
        expect(lint.filter((issue) => issue.severity === 'error')).toEqual([]);
        const checked = await issuesOf(call(validateManifests, { yaml: manifests.map((m) => m.yaml).join('---\n'), policy: { asOf } }));
        expect(checked.filter((issue) => issue.severity === 'error')).toEqual([]);
      }),
      { seed: 16, numRuns: 40 },
    );
  });

  it('reads Java 1.x as x and has an image for Java 8, 11, 17, 21 and 25 (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('8', '11', '17', '21', '25'), fc.boolean(), (major, oldName) => {
        const declared = oldName && major === '8' ? '1.8' : major;
        const base: AppAnalysis = { language: 'java', framework: 'none', packageManager: 'maven', portSource: 'none', startCommand: 'java -jar app.jar', dependencies: { production: 0, development: 0, names: [] }, notes: [], guesses: [], languageVersion: declared };
        const images = pickBaseImages(base);
        expect(images.notes).toEqual([]);
        expect(images.runtime).toMatch(new RegExp(`^eclipse-temurin:${major}[u.]`));
        expect(images.build).toContain(`temurin-${major}`);
        expect(pickBaseImages({ ...base, server: 'tomcat', servletApi: 'javax' }).runtime).toMatch(new RegExp(`^tomcat:\\d+\\.\\d+\\.\\d+-jre${major}-`));
      }),
      { seed: 16, numRuns: 20 },
    );
  });
});

describe('monorepo modules', () => {
  const repo = join(REPOS, 'monorepo-npm');

  it('analyses one module by path and generates its Dockerfile', async () => {
    const worker = await call(analyzeRepository, { path: repo, module: 'apps/worker' });
    expect(worker).toMatchObject({ module: 'apps/worker', language: 'node', entryPoint: 'worker.js', portSource: 'none', healthCheck: { type: 'none' } });
    const root = await call(analyzeRepository, { path: repo });
    const generated = await call(generateDockerfile, { analysis: root, module: 'apps/worker' });
    expect(generated.module).toBe('apps/worker');
    expect(generated.dockerfile).toContain('CMD ["node", "worker.js"]');
    expect(generated.dockerfile).not.toMatch(/^EXPOSE/m);
    const missing = await failure(call(generateDockerfile, { analysis: root, module: 'apps/nope' }));
    expect(missing).toMatchObject({ code: 'MODULE_NOT_FOUND', type: 'not_found' });
    expect(await failure(call(analyzeRepository, { path: repo, module: 'docs' }))).toMatchObject({ code: 'MODULE_NOT_FOUND' });
  });
});
