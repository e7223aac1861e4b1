import { readdirSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { Tool } from '../src/actors/defineTool.js';
import { isToolError } from '../src/errors/ToolError.js';
import { createRuntime } from '../src/index.js';
import { analysisTools } from '../src/tools/analysisTools.js';
import { deploymentTools } from '../src/tools/deploymentTools.js';
import { analyzeRepository } from '../src/tools/analyzeRepository.js';
import { generateDockerfile } from '../src/tools/generateDockerfile.js';
import { generateManifests } from '../src/tools/generateManifests.js';
import { scanSecrets } from '../src/tools/scanSecrets.js';
import { validateDockerfile } from '../src/tools/validateDockerfile.js';
import { validateManifests } from '../src/tools/validateManifests.js';
import { createTestToolContext } from './support/toolContext.js';

const REPOS = join(import.meta.dirname, 'fixtures', 'repos');
/** End-of-life checks depend on the date; the corpus is judged as of this one. */
const POLICY = { asOf: '2026-12-01' };

interface Expected {
  about: string;
  analysis: Record<string, unknown>;
  modules?: string[];
  guessed: string[];
  dockerfile: { baseImage: string; rules: string[] };
  manifests: { kinds: string[]; rules: string[] };
  knownBad?: { dockerfiles: Record<string, string[]>; manifests: Record<string, string[]>; secrets: Array<[string, number]> };
}

const corpus = readdirSync(REPOS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => ({ name: entry.name, expected: JSON.parse(readFileSync(join(REPOS, entry.name, 'expected.json'), 'utf8')) as Expected }));

async function call<I extends z.ZodType, O extends z.ZodType>(tool: Tool<I, O>, input: z.input<I>): Promise<z.output<O>> {
  return tool.output.parse(await tool.run(tool.input.parse(input), createTestToolContext()));
}

/** The issues of a validator, whether it passed or failed with them in `details`. */
async function issuesOf(run: Promise<{ issues: Array<{ rule: string; severity: string }> }>): Promise<Array<{ rule: string; severity: string }>> {
  try {
    return (await run).issues;
  } catch (error) {
    if (!isToolError(error)) throw error;
    return (error.details as { issues: Array<{ rule: string; severity: string }> }).issues;
  }
}

const ruleIds = (issues: ReadonlyArray<{ rule: string }>): string[] => [...new Set(issues.map((issue) => issue.rule))].sort();

describe('corpus of sample repositories', () => {
  it('has at least 15 repositories covering every supported language', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(15);
    const languages = new Set(corpus.map((entry) => entry.expected.analysis.language));
    expect([...languages].sort()).toEqual(['dotnet', 'go', 'java', 'node', 'python', 'rust']);
  });

  it.each(corpus)('$name: analyze → generate → validate matches expected.json', async ({ name, expected }) => {
    const root = join(REPOS, name);
    const analysis = await call(analyzeRepository, { path: root });
    expect(analysis).toMatchObject(expected.analysis);
    expect(analysis.modules.map((module) => module.module)).toEqual(expected.modules ?? []);
    expect(analysis.guesses.map((guess) => guess.field)).toEqual(expected.guessed);
    for (const guess of analysis.guesses) expect(guess.reason.length).toBeGreaterThan(10);

    const generated = await call(generateDockerfile, { analysis });
    expect(generated.baseImage).toBe(expected.dockerfile.baseImage);
    const dockerfileIssues = await issuesOf(call(validateDockerfile, { dockerfile: generated.dockerfile, policy: POLICY }));
    expect(dockerfileIssues.filter((issue) => issue.severity === 'error')).toEqual([]);
    expect(ruleIds(dockerfileIssues)).toEqual(expected.dockerfile.rules);

    const { manifests } = await call(generateManifests, { name: 'app', image: 'registry.example.com/app:1.0.0', analysis });
    expect(manifests.map((manifest) => manifest.kind)).toEqual(expected.manifests.kinds);
    const manifestIssues = await issuesOf(call(validateManifests, { yaml: manifests.map((manifest) => manifest.yaml).join('---\n'), policy: POLICY }));
    expect(manifestIssues.filter((issue) => issue.severity === 'error')).toEqual([]);
    expect(ruleIds(manifestIssues)).toEqual(expected.manifests.rules);

    // What makes a deployment start: the Dockerfile's numeric user is the manifests' runAsUser,
    // and both probe the same thing (or, without a port, nothing).
    const user = /^USER (\d+):(\d+)$/m.exec(generated.dockerfile.slice(generated.dockerfile.lastIndexOf('\nFROM ')));
    expect(user?.slice(1)).toEqual(['10001', '10001']);
    const deployment = manifests[0]?.yaml ?? '';
    expect(deployment).toContain('runAsUser: 10001');
    expect(deployment).toContain('fsGroup: 10001');
    const port = analysis.port;
    if (port === undefined) {
      expect(generated.dockerfile).not.toMatch(/^(EXPOSE|HEALTHCHECK) /m);
      expect(deployment).not.toMatch(/Probe:/);
    } else {
      expect(generated.dockerfile).toMatch(new RegExp(`^EXPOSE ${port}$`, 'm'));
      expect(deployment).toContain(`containerPort: ${port}`);
      if (analysis.healthCheck?.type === 'http') {
        expect(deployment).toContain(`path: ${analysis.healthCheckPath ?? ''}`);
        const healthcheck = /^HEALTHCHECK .*$/m.exec(generated.dockerfile)?.[0];
        if (healthcheck !== undefined) expect(healthcheck).toContain(`127.0.0.1:${port}${analysis.healthCheckPath ?? ''}`);
      } else {
        expect(deployment).toContain('tcpSocket:');
        expect(generated.dockerfile).not.toMatch(/^HEALTHCHECK .*http:/m);
      }
    }
  });

  const bad = corpus.filter((entry) => entry.expected.knownBad !== undefined);

  it.each(bad)('$name: its own Dockerfiles and manifests are flagged with the expected rule ids', async ({ name, expected }) => {
    const known = expected.knownBad;
    if (known === undefined) return;
    for (const [file, rules] of Object.entries(known.dockerfiles)) {
      const issues = await issuesOf(call(validateDockerfile, { path: join(REPOS, name, file), policy: POLICY }));
      expect({ file, rules: ruleIds(issues) }).toEqual({ file, rules });
      for (const issue of issues) expect(issue).toMatchObject({ line: expect.any(Number), fix: expect.any(String) });
    }
    for (const [dir, rules] of Object.entries(known.manifests)) {
      const issues = await issuesOf(call(validateManifests, { path: join(REPOS, name, dir), policy: POLICY }));
      expect({ dir, rules: ruleIds(issues) }).toEqual({ dir, rules });
      for (const issue of issues) expect(issue).toMatchObject({ document: expect.any(Number), path: expect.any(String), fix: expect.any(String) });
    }
    const report = await call(scanSecrets, { path: join(REPOS, name) });
    expect(report.findings.map((finding) => [finding.file, finding.line])).toEqual(known.secrets);
  });

  it.each(['mcp-stdio-server', 'spring-mvc-war', 'monorepo-npm', 'cargo-workspace'])('examples/containerize.yaml runs on a copy of %s and its manifests validate', async (name) => {
    const repo = await mkdtemp(join(tmpdir(), `orchkit-corpus-${name}-`));
    const runtime = createRuntime({ tools: [...analysisTools, ...deploymentTools], env: { docker: false, trivy: false } });
    try {
      await cp(join(REPOS, name), repo, { recursive: true });
      const workflow = await readFile(join(import.meta.dirname, '..', 'examples', 'containerize.yaml'), 'utf8');
      const result = await runtime.executeCustomWorkflow(workflow, { input: { repoPath: repo, appName: name } });
      expect(result.status).toBe('completed');
      expect(result.steps).toMatchObject({ dockerfile: { status: 'completed' }, validate: { status: 'completed' }, build: { status: 'skipped' }, manifests: { status: 'completed' }, checkManifests: { status: 'completed' } });
      const module = (result.steps.analyze?.output as { module: string }).module;
      expect(await readFile(join(repo, module, 'Dockerfile'), 'utf8')).toMatch(/^USER 10001:10001$/m);
      const deployment = await readFile(join(repo, 'k8s', 'deployment.yaml'), 'utf8');
      expect(deployment).toContain('runAsUser: 10001');
    } finally {
      await runtime.stop();
      await rm(repo, { recursive: true, force: true });
    }
  });
});
