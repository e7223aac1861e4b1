import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { Tool } from '../src/actors/defineTool.js';
import type { ToolContext } from '../src/actors/ToolContext.js';
import { isToolError, type ToolError } from '../src/errors/ToolError.js';
import { analysisTools } from '../src/tools/analysisTools.js';
import { analyzeRepository, type RepositoryAnalysis } from '../src/tools/analyzeRepository.js';
import { generateDockerfile } from '../src/tools/generateDockerfile.js';
import { generateRemediation } from '../src/tools/generateRemediation.js';
import { scanSecrets } from '../src/tools/scanSecrets.js';
import { maskSecret } from '../src/tools/secrets/maskSecret.js';
import { scanText } from '../src/tools/secrets/scanText.js';
import { SECRET_RULES } from '../src/tools/secrets/secretRules.js';
import { validateDockerfile } from '../src/tools/validateDockerfile.js';
import { createTestToolContext } from './support/toolContext.js';

const APPS = join(import.meta.dirname, '..', 'examples', 'apps');
const app = (name: string): string => join(APPS, name);
const FAKE_AWS_KEY = 'AKIA0000FAKE0KEY0000';
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'orchkit-analysis-test-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Calls a tool the way the runtime does: input parsed, output checked against the schema. */
async function call<I extends z.ZodType, O extends z.ZodType>(tool: Tool<I, O>, input: z.input<I>, ctx: ToolContext = createTestToolContext()): Promise<z.output<O>> {
  return tool.output.parse(await tool.run(tool.input.parse(input), ctx));
}

async function failure(promise: Promise<unknown>): Promise<ToolError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  if (!isToolError(error)) throw new Error(`expected a ToolError, got ${String(error)}`);
  return error;
}

/** A temporary copy of a sample app: tests never write into examples/. */
async function copyOf(name: string): Promise<string> {
  const target = await mkdtemp(join(scratch, `${name}-`));
  await cp(app(name), target, { recursive: true });
  return target;
}

/** A temporary repository made of the given files. */
async function repoWith(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(scratch, 'repo-'));
  for (const [file, content] of Object.entries(files)) {
    await mkdir(join(root, file, '..'), { recursive: true });
    await writeFile(join(root, file), content);
  }
  return root;
}

const analyze = (path: string, ctx?: ToolContext): Promise<RepositoryAnalysis> => call(analyzeRepository, { path }, ctx);
const issuesOf = (error: ToolError): { rule: string; severity: string; line: number }[] => (error.details as { issues: { rule: string; severity: string; line: number }[] }).issues;

/** Lines of the final stage of a Dockerfile. */
function finalStage(dockerfile: string): string[] {
  const lines = dockerfile.split('\n');
  const last = lines.map((line, index) => (/^FROM\s/i.test(line) ? index : -1)).filter((index) => index >= 0).pop() ?? 0;
  return lines.slice(last);
}

const SAMPLES = [
  { name: 'node-express', language: 'node', framework: 'express', packageManager: 'npm', port: 4000, languageVersion: '>=22', entryPoint: 'src/server.js' },
  { name: 'python-flask', language: 'python', framework: 'flask', packageManager: 'pip', port: 5050, languageVersion: '3.12', entryPoint: 'app.py' },
  { name: 'go-http', language: 'go', framework: 'none', packageManager: 'go', port: 8090, languageVersion: '1.23', entryPoint: '.' },
  { name: 'java-spring', language: 'java', framework: 'spring-boot', packageManager: 'maven', port: 8081, languageVersion: '21', entryPoint: 'com.example.hello.HelloApplication' },
] as const;

describe('analysisTools', () => {
  it('lists the five tools with unique snake_case names and their declared errors', () => {
    expect(analysisTools.map((tool) => tool.name)).toEqual(['analyze_repository', 'generate_dockerfile', 'validate_dockerfile', 'scan_secrets', 'generate_remediation', 'fix_dockerfile']);
    expect(analyzeRepository.errors.REPO_NOT_FOUND).toMatchObject({ type: 'not_found', retryable: false });
    expect(analyzeRepository.errors.UNSUPPORTED_LANGUAGE).toMatchObject({ type: 'validation_error', retryable: false });
    expect(validateDockerfile.errors.DOCKERFILE_INVALID).toMatchObject({ type: 'validation_error', retryable: false });
    expect(Object.keys(generateDockerfile.errors)).toEqual(['UNSUPPORTED_LANGUAGE', 'DOCKERFILE_EXISTS', 'WRITE_FAILED', 'MODULE_NOT_FOUND']);
  });
});

describe('analyze_repository', () => {
  it.each(SAMPLES)('detects $language/$framework on port $port in $name', async (sample) => {
    const analysis = await analyze(app(sample.name));
    expect(analysis).toMatchObject({
      language: sample.language,
      framework: sample.framework,
      packageManager: sample.packageManager,
      port: sample.port,
      languageVersion: sample.languageVersion,
      entryPoint: sample.entryPoint,
      healthCheckPath: '/health',
      dockerfiles: [],
      kubernetesManifests: [],
    });
    expect(analysis.startCommand).not.toBe('');
  });

  it('reads build and start commands and dependency counts', async () => {
    expect(await analyze(app('python-flask'))).toMatchObject({ startCommand: 'gunicorn --bind 0.0.0.0:5050 app:app', dependencies: { production: 2, development: 0, names: ['flask', 'gunicorn'] } });
    expect(await analyze(app('java-spring'))).toMatchObject({
      portSource: 'config',
      buildCommand: 'mvn -B package -DskipTests',
      artifact: 'target/hello-0.0.1-SNAPSHOT.jar',
      dependencies: { production: 1, development: 1 },
    });
    expect(await analyze(app('node-express'))).toMatchObject({ startCommand: 'node src/server.js', portSource: 'code', dependencies: { production: 1, development: 1, names: ['express'] } });
  });

  it('shares the analysis in the session context as repository_analysis', async () => {
    const ctx = createTestToolContext();
    const analysis = await analyze(app('go-http'), ctx);
    expect(ctx.context.get('repository_analysis')?.data).toEqual(analysis);
  });

  it('finds an existing Dockerfile and Kubernetes manifests', async () => {
    expect((await analyze(app('node-with-dockerfile'))).dockerfiles).toEqual(['Dockerfile']);
    const root = await copyOf('node-express');
    await mkdir(join(root, 'deploy'));
    await writeFile(join(root, 'deploy', 'app.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: a }\n---\napiVersion: v1\nkind: Service\nmetadata: { name: a }\n');
    await writeFile(join(root, 'deploy', 'chart.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name }}\n');
    await writeFile(join(root, 'compose.yaml'), 'services:\n  web:\n    image: x\n');
    const analysis = await analyze(root);
    expect(analysis.kubernetesManifests).toEqual([
      { file: 'deploy/app.yaml', kinds: ['Deployment', 'Service'] },
      { file: 'deploy/chart.yaml', kinds: ['ConfigMap'] },
    ]);
  });

  it('detects FastAPI with Poetry, Gin, and Next.js with pnpm', async () => {
    const fastapi = await repoWith({
      'pyproject.toml': '[tool.poetry]\nname = "svc"\n\n[tool.poetry.dependencies]\npython = "^3.11"\nfastapi = "^0.115"\nuvicorn = "^0.32"\n\n[tool.poetry.group.dev.dependencies]\npytest = "^8"\n',
      'poetry.lock': '',
      'svc/main.py': 'from fastapi import FastAPI\napi = FastAPI()\n@api.get("/healthz")\ndef h(): return {}\n',
    });
    expect(await analyze(fastapi)).toMatchObject({
      language: 'python', framework: 'fastapi', packageManager: 'poetry', lockFile: 'poetry.lock', languageVersion: '^3.11', port: 8000,
      startCommand: 'uvicorn svc.main:api --host 0.0.0.0 --port 8000', healthCheckPath: '/healthz', dependencies: { production: 2, development: 1 },
    });
    const gin = await repoWith({
      'go.mod': 'module x\n\ngo 1.22\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.10.0\n\tgolang.org/x/net v0.30.0 // indirect\n)\n',
      'go.sum': '',
      'cmd/api/main.go': 'package main\n\nfunc main() {\n\tr := gin.Default()\n\tr.Run(":9000")\n}\n',
    });
    expect(await analyze(gin)).toMatchObject({ language: 'go', framework: 'gin', entryPoint: './cmd/api', port: 9000, languageVersion: '1.22', dependencies: { production: 1 } });
    const next = await repoWith({ 'package.json': JSON.stringify({ dependencies: { next: '15.0.0', react: '19.0.0' }, scripts: { build: 'next build', start: 'next start' } }), 'pnpm-lock.yaml': '' });
    expect(await analyze(next)).toMatchObject({ language: 'node', framework: 'next', packageManager: 'pnpm', port: 3000, portSource: 'framework-default', buildCommand: 'pnpm build' });
  });

  it('fails with REPO_NOT_FOUND and UNSUPPORTED_LANGUAGE, neither retryable', async () => {
    const missing = await failure(analyze(join(scratch, 'nope')));
    expect(missing).toMatchObject({ code: 'REPO_NOT_FOUND', type: 'not_found', retryable: false });
    const empty = await failure(analyze(await repoWith({ 'README.md': '# hi\n' })));
    expect(empty).toMatchObject({ code: 'UNSUPPORTED_LANGUAGE', type: 'validation_error', retryable: false });
  });

  it('stops when its signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(analyze(app('node-express'), createTestToolContext({ signal: controller.signal }))).rejects.toThrow();
  });
});

describe('generate_dockerfile', () => {
  it.each(SAMPLES)('writes a pinned, non-root, multi-stage Dockerfile for $name that validate_dockerfile accepts', async (sample) => {
    const analysis = await analyze(app(sample.name));
    const generated = await call(generateDockerfile, { analysis });
    const { dockerfile } = generated;
    expect(dockerfile).not.toMatch(/:latest\b/);
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    const final = finalStage(dockerfile);
    expect(final.some((line) => /^USER (?!root\b|0\b)\S+/.test(line))).toBe(true);
    expect(final).toContain(`EXPOSE ${sample.port}`);
    if (sample.language === 'go') {
      expect(generated.baseImage).toBe('gcr.io/distroless/static-debian12:nonroot');
      expect(dockerfile).toMatch(/^# No HEALTHCHECK: a distroless image/m);
    } else {
      expect(final.some((line) => line.startsWith('HEALTHCHECK ') && line.includes(`:${sample.port}/health`))).toBe(true);
    }
    const validation = await call(validateDockerfile, { dockerfile });
    expect(validation.valid).toBe(true);
    // node-express commits no lock file, which the Dockerfile (and the validator) say.
    expect(validation.issues.filter((issue) => issue.severity !== 'info' && issue.rule !== 'NPM_INSTALL_WITHOUT_LOCKFILE')).toEqual([]);
    expect(validation.baseImages).toContain(generated.baseImage);
    expect(generated.dockerignore).toContain('.git');
  });

  it('does not write unless asked', async () => {
    const root = await copyOf('node-express');
    const result = await call(generateDockerfile, { analysis: await analyze(root) });
    expect(result.path).toBeUndefined();
    expect(await readdir(root)).not.toContain('Dockerfile');
  });

  it('writes atomically into a copy of the app and refuses to overwrite without overwrite: true', async () => {
    const root = await copyOf('python-flask');
    const analysis = await analyze(root);
    const written = await call(generateDockerfile, { analysis, write: true, path: root });
    expect(written.path).toBe(join(root, 'Dockerfile'));
    expect(await readFile(join(root, 'Dockerfile'), 'utf8')).toBe(written.dockerfile);
    expect(await readFile(join(root, '.dockerignore'), 'utf8')).toBe(written.dockerignore);
    expect((await readdir(root)).filter((file) => file.endsWith('.tmp'))).toEqual([]);

    await writeFile(join(root, 'Dockerfile'), 'FROM python:3.12.8-slim-bookworm\n');
    const refused = await failure(call(generateDockerfile, { analysis, write: true, path: root }));
    expect(refused).toMatchObject({ code: 'DOCKERFILE_EXISTS', retryable: false });
    expect(await readFile(join(root, 'Dockerfile'), 'utf8')).toBe('FROM python:3.12.8-slim-bookworm\n');

    await call(generateDockerfile, { analysis, write: true, path: root, overwrite: true });
    expect(await readFile(join(root, 'Dockerfile'), 'utf8')).toBe(written.dockerfile);
  });

  it('fails with WRITE_FAILED when the directory does not exist', async () => {
    const analysis = await analyze(app('go-http'));
    const error = await failure(call(generateDockerfile, { analysis, write: true, path: join(scratch, 'missing', 'dir') }));
    expect(error).toMatchObject({ code: 'WRITE_FAILED', retryable: false });
  });

  it('checks its input: path with write, a real tag, a supported language', async () => {
    const analysis = await analyze(app('node-express'));
    expect(generateDockerfile.input.safeParse({ analysis, write: true }).success).toBe(false);
    expect(generateDockerfile.input.safeParse({ analysis, baseImageTag: 'latest' }).success).toBe(false);
    const pinned = await call(generateDockerfile, { analysis, baseImageTag: '20.18.1-alpine3.21' });
    expect(pinned.baseImage).toBe('node:20.18.1-alpine3.21');
    const error = await failure(call(generateDockerfile, { analysis: { ...analysis, language: 'php' } }));
    expect(error).toMatchObject({ code: 'UNSUPPORTED_LANGUAGE', type: 'validation_error' });
  });
});

describe('validate_dockerfile', () => {
  it('finds the problems of node-with-dockerfile, with their lines', async () => {
    const error = await failure(call(validateDockerfile, { path: app('node-with-dockerfile') }));
    expect(error).toMatchObject({ code: 'DOCKERFILE_INVALID', type: 'validation_error', retryable: false });
    expect(issuesOf(error).map(({ rule, severity, line }) => ({ rule, severity, line }))).toEqual([
      { rule: 'MISSING_HEALTHCHECK', severity: 'warning', line: 1 },
      { rule: 'NO_LATEST_TAG', severity: 'warning', line: 1 },
      { rule: 'RUNS_AS_ROOT', severity: 'warning', line: 1 },
      { rule: 'ADD_INSTEAD_OF_COPY', severity: 'warning', line: 3 },
      { rule: 'NPM_INSTALL_WITHOUT_LOCKFILE', severity: 'warning', line: 4 },
      { rule: 'SECRET_IN_ENV', severity: 'error', line: 6 },
    ]);
    expect(JSON.stringify(error.details)).not.toContain('hunter2');
  });

  it('returns warnings alone as a valid result', async () => {
    const result = await call(validateDockerfile, { dockerfile: 'FROM node\nWORKDIR /app\nCOPY . .\nCMD ["node", "index.js"]\n' });
    expect(result).toMatchObject({ valid: true, stages: 1, baseImages: ['node'] });
    expect(result.issues.map((issue) => [issue.rule, issue.line])).toEqual([['MISSING_HEALTHCHECK', 1], ['NO_LATEST_TAG', 1], ['RUNS_AS_ROOT', 1]]);
  });

  it('reports unknown instructions, missing FROM and secrets in ARG as errors', async () => {
    const error = await failure(call(validateDockerfile, { dockerfile: 'RUN echo hi\nARG GITHUB_TOKEN=ghp_x1\nFORM node:22\n' }));
    expect(issuesOf(error).filter((issue) => issue.severity === 'error').map(({ rule, line }) => [rule, line])).toEqual([
      ['MISSING_FROM', 1],
      ['MISSING_FROM', 1],
      ['SECRET_IN_ENV', 2],
      ['UNKNOWN_INSTRUCTION', 3],
    ]);
  });

  it('follows stages: a stage reference is no base image, USER root is flagged where it is', async () => {
    const dockerfile = [
      'FROM golang:1.23.4-alpine3.21 AS build',
      'ENV TOKEN_URL=https://example.com API_KEY=$API_KEY',
      'FROM build AS test',
      'FROM alpine:3.21.0',
      'USER app',
      'USER root',
      'HEALTHCHECK CMD true',
      '',
    ].join('\n');
    const result = await call(validateDockerfile, { dockerfile });
    expect(result).toMatchObject({ valid: true, stages: 3, baseImages: ['golang:1.23.4-alpine3.21', 'alpine:3.21.0'] });
    expect(result.issues.map(({ rule, line }) => [rule, line])).toEqual([['RUNS_AS_ROOT', 6]]);
  });

  it('takes exactly one of dockerfile and path, and reports a missing file', async () => {
    expect(validateDockerfile.input.safeParse({}).success).toBe(false);
    expect(validateDockerfile.input.safeParse({ dockerfile: 'FROM x:1\n', path: '.' }).success).toBe(false);
    expect(await failure(call(validateDockerfile, { path: app('node-express') }))).toMatchObject({ code: 'DOCKERFILE_NOT_FOUND', type: 'not_found' });
  });
});

describe('scan_secrets', () => {
  it('finds the fake AWS key in src/config.js line 7 without revealing it', async () => {
    const report = await call(scanSecrets, { path: app('node-with-dockerfile') });
    const aws = report.findings.filter((finding) => finding.rule === 'AWS_ACCESS_KEY_ID');
    expect(aws).toEqual([{ file: 'src/config.js', line: 7, column: 20, rule: 'AWS_ACCESS_KEY_ID', severity: 'high', preview: "awsAccessKeyId: 'AKIA****************'," }]);
    expect(JSON.stringify(report)).not.toContain(FAKE_AWS_KEY);
    expect(JSON.stringify(report)).not.toContain('hunter2');
    expect(report.findings.map((finding) => finding.file)).toEqual(['Dockerfile', 'src/config.js']);
  });

  it.each(SAMPLES)('finds nothing in $name', async (sample) => {
    const report = await call(scanSecrets, { path: app(sample.name) });
    expect(report.findings).toEqual([]);
    expect(report.filesScanned).toBeGreaterThan(1);
  });

  it('skips dependency and VCS directories, binary files and files over maxFileBytes', async () => {
    const line = `key = "${FAKE_AWS_KEY}"\n`;
    const root = await repoWith({
      'node_modules/dep/index.js': line,
      '.git/config': line,
      'vendor/lib.go': line,
      'big.txt': line + 'x'.repeat(2000),
      'src/app.py': `import os\n${line}`,
    });
    await writeFile(join(root, 'blob.dat'), Buffer.concat([Buffer.from(line), Buffer.from([0, 1, 2])]));
    const report = await call(scanSecrets, { path: root, maxFileBytes: 1000 });
    expect(report.findings.map(({ file, line: at }) => [file, at])).toEqual([['src/app.py', 2]]);
    expect(report).toMatchObject({ filesScanned: 1, filesSkipped: 2 });
  });

  it('knows tokens, keys and passwords, and leaves hashes and placeholders alone', () => {
    const rules = (text: string): string[] => scanText(text, SECRET_RULES).map((finding) => finding.rule);
    expect(rules(`const t = "ghp_${'a1'.repeat(18)}"`)).toEqual(['GITHUB_TOKEN']);
    expect(rules(`slack: xoxb-1234567890-abcdefghij`)).toEqual(['SLACK_TOKEN']);
    expect(rules('-----BEGIN OPENSSH PRIVATE KEY-----')).toEqual(['PRIVATE_KEY']);
    expect(rules('auth = eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U')).toEqual(['JWT']);
    expect(rules(`db_password = "s3cr3t-Pa55"`)).toEqual(['GENERIC_PASSWORD']);
    expect(rules(`session_key = "4f9c2a7d1e8b3f6a0c5d9e2b7a4f1c8d"`)).toEqual(['HIGH_ENTROPY_STRING']);
    expect(rules(`password = "changeme"`)).toEqual([]);
    expect(rules(`"integrity": "sha512-Zk2QZFGm5fz4l2Yl0GmE5QoH4yL/2vhl0wD3p1K0JqI5r3n0aJpQ1Q9c=="`)).toEqual([]);
    expect(rules(`const handlerName = someVeryLongFunctionName`)).toEqual([]);
  });

  it('never puts a found key in its preview (property)', () => {
    const key = fc.stringMatching(/^[0-9A-Z]{16}$/).map((rest) => `AKIA${rest}`);
    const around = fc.stringMatching(/^[ a-z=:;'"(){}]{0,30}$/);
    fc.assert(
      fc.property(key, around, around, (secret, before, after) => {
        const findings = scanText(`${before} ${secret} ${after}`, SECRET_RULES);
        expect(findings.map((finding) => finding.rule)).toContain('AWS_ACCESS_KEY_ID');
        for (const finding of findings) expect(finding.preview).not.toContain(secret);
      }),
    );
  });

  it('masks at most 4 characters and never more than a quarter (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{1,80}$/), (secret) => {
        const masked = maskSecret(secret);
        const shown = masked.replace(/\*+$/, '');
        expect(shown.length).toBeLessThanOrEqual(Math.min(4, secret.length / 4));
        expect(secret.startsWith(shown)).toBe(true);
        expect(masked).not.toContain(secret);
      }),
    );
  });

  it('fails with REPO_NOT_FOUND on a missing path', async () => {
    expect(await failure(call(scanSecrets, { path: join(scratch, 'none') }))).toMatchObject({ code: 'REPO_NOT_FOUND', type: 'not_found', retryable: false });
  });
});

describe('generate_remediation', () => {
  const invalid = async (input: { dockerfile?: string; path?: string }): Promise<ToolError> => failure(call(validateDockerfile, input));

  it('patches the Dockerfile of node-with-dockerfile so that validation passes', async () => {
    const dockerfile = await readFile(join(app('node-with-dockerfile'), 'Dockerfile'), 'utf8');
    const error = await invalid({ dockerfile });
    const decision = await call(generateRemediation, {
      failure: { tool: 'validate_dockerfile', code: error.code, message: error.message, details: error.details },
      originalInput: { dockerfile },
    });
    expect(decision.action).toBe('retry');
    expect(decision.changes.length).toBeGreaterThanOrEqual(4);
    const patched = decision.patchedInput?.dockerfile as string;
    expect(patched).not.toMatch(/latest|hunter2|^ADD /m);
    expect(finalStage(patched)).toContain('USER 10001:10001');
    const result = await call(validateDockerfile, { dockerfile: patched });
    expect(result.valid).toBe(true);
    // The app commits no lock file: no patch can make `npm install` reproducible, so that warning stays.
    expect(result.issues.map((issue) => issue.rule)).toEqual(['NPM_INSTALL_WITHOUT_LOCKFILE']);
  });

  it('reads the Dockerfile from a path, and replaces the path with the text for validate_dockerfile', async () => {
    const root = await copyOf('node-with-dockerfile');
    const error = await invalid({ path: root });
    const ctx = createTestToolContext();
    await analyze(root, ctx);
    const decision = await call(generateRemediation, { failure: { tool: 'validate_dockerfile', code: error.code, message: error.message }, originalInput: { path: root } }, ctx);
    expect(decision.action).toBe('retry');
    expect(Object.keys(decision.patchedInput ?? {})).toEqual(['dockerfile']);
    expect(decision.patchedInput?.dockerfile).toContain('http://127.0.0.1:3000/health');
    expect((await call(validateDockerfile, decision.patchedInput ?? {})).valid).toBe(true);
    expect(await readFile(join(root, 'Dockerfile'), 'utf8')).toContain('node:latest');
  });

  it('gives build_image a patched copy of the Dockerfile and leaves the original alone', async () => {
    const root = await copyOf('node-with-dockerfile');
    const decision = await call(generateRemediation, {
      failure: { tool: 'build_image', code: 'BUILD_FAILED', message: 'docker build failed' },
      originalInput: { path: root, tag: 'app:1.0.0' },
    });
    expect(decision.action).toBe('retry');
    const file = decision.patchedInput?.dockerfile as string;
    expect(decision.patchedInput).toMatchObject({ path: root, tag: 'app:1.0.0' });
    expect(file.startsWith(tmpdir())).toBe(true);
    expect((await call(validateDockerfile, { path: file })).valid).toBe(true);
    expect(await readFile(join(root, 'Dockerfile'), 'utf8')).toContain('node:latest');
    await rm(join(file, '..'), { recursive: true, force: true });
  });

  it('regenerates from the repository analysis when a patch cannot fix the file, else escalates', async () => {
    const broken = 'FROM node:22\nRUNN npm ci\n';
    const error = await invalid({ dockerfile: broken });
    const failureInfo = { tool: 'validate_dockerfile', code: error.code, message: error.message };
    const alone = await call(generateRemediation, { failure: failureInfo, originalInput: { dockerfile: broken } });
    expect(alone).toMatchObject({ action: 'escalate' });
    // Line 3 of the patched file: the patch created the app user after FROM.
    expect(alone.reason).toContain('UNKNOWN_INSTRUCTION at line 3');

    const analysis = await analyze(app('node-express'));
    const regenerated = await call(generateRemediation, { failure: failureInfo, originalInput: { dockerfile: broken }, context: { repository_analysis: analysis } });
    expect(regenerated.action).toBe('retry');
    expect((await call(validateDockerfile, regenerated.patchedInput ?? {})).valid).toBe(true);
  });

  it('suggests a slimmer base image for critical vulnerabilities', async () => {
    const dockerfile = 'FROM node:18.20.4-bullseye\nUSER node\nHEALTHCHECK CMD true\nCMD ["node", "a.js"]\n';
    const decision = await call(generateRemediation, { failure: { tool: 'build_image', code: 'VULNERABILITIES_FOUND', message: '3 critical' }, originalInput: { dockerfile } });
    expect(decision).toMatchObject({ action: 'retry', changes: ['line 1: final stage node:18.20.4-bullseye -> node:22.12.0-alpine3.21'] });
    expect(decision.patchedInput?.dockerfile).toMatch(/^FROM node:22\.12\.0-alpine3\.21$/m);

    const scan = await call(generateRemediation, {
      failure: { tool: 'scan_image_security', code: 'VULNERABILITIES_FOUND', message: 'app:1 has 2 finding(s)', details: { image: 'python:3.9' } },
      originalInput: { image: 'python:3.9' },
    });
    expect(scan).toMatchObject({ action: 'escalate', output: { suggestedBaseImage: 'python:3.12.8-alpine3.21' } });
  });

  it('escalates what it cannot fix', async () => {
    for (const code of ['DOCKERFILE_EXISTS', 'REGISTRY_AUTH_FAILED']) {
      expect((await call(generateRemediation, { failure: { code, message: 'x' } })).action).toBe('escalate');
    }
  });
});
