import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/runCli.js';

let dir: string;
const file = (name: string) => path.join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'orchkit-cli-'));
  await cp('examples/apps/python-flask', file('app'), { recursive: true });
  await writeFile(file('bad-yaml.yaml'), 'id: x\nsteps:\n  - id: a\n   tool: [unclosed\n');
  await writeFile(file('bad-schema.yaml'), 'id: 1bad\nconcurrency: 0\nsteps:\n  - tool: analyze_repository\n');
  await writeFile(
    file('cyclic.yaml'),
    'id: cyc\nsteps:\n  - { id: a, tool: scan_secrets, dependsOn: [b], input: { path: . } }\n  - { id: b, tool: scan_secrets, dependsOn: [a], input: { path: . } }\n',
  );
  await writeFile(file('unknown-tool.yaml'), 'id: u\nsteps:\n  - id: a\n    tool: analyse_repository\n    input: { path: . }\n');
  await writeFile(file('fails.yaml'), 'id: f\nsteps:\n  - id: a\n    tool: analyze_repository\n    input: { path: /definitely/not/here }\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('orchkit validate', () => {
  it('accepts the bundled pipeline', async () => {
    const { code, stdout } = await runCli(['validate', 'examples/containerize.yaml']);
    expect(code).toBe(0);
    expect(stdout).toContain('valid (containerize, 9 steps)');
  });

  it('reports bad YAML with line and column, exit 2', async () => {
    const { code, stderr } = await runCli(['validate', file('bad-yaml.yaml')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/bad-yaml\.yaml:\d+:\d+ .*\[PARSE_ERROR\]/);
  });

  it('reports every schema problem with its path, exit 2', async () => {
    const { code, stderr } = await runCli(['validate', file('bad-schema.yaml')]);
    expect(code).toBe(2);
    expect(stderr).toContain('bad-schema.yaml:1:5  id  ');
    expect(stderr).toMatch(/concurrency .*\[SCHEMA\]/);
    expect(stderr).toMatch(/steps\[0\]\.id .*\[SCHEMA\]/);
  });

  it('names the cycle, exit 2', async () => {
    const { code, stderr } = await runCli(['validate', file('cyclic.yaml')]);
    expect(code).toBe(2);
    expect(stderr).toContain('dependency cycle: a -> b -> a  [CYCLE]');
  });

  it('suggests the tool that was meant, exit 2', async () => {
    const { code, stdout } = await runCli(['validate', file('unknown-tool.yaml'), '--json']);
    expect(code).toBe(2);
    expect(JSON.parse(stdout)).toMatchObject({
      valid: false,
      issues: [{ code: 'UNKNOWN_TOOL', path: 'steps[0].tool', line: 4, message: 'no tool named "analyse_repository" (did you mean "analyze_repository"?)' }],
    });
  });

  it('says so when the file does not exist, exit 2', async () => {
    const { code, stderr } = await runCli(['validate', file('missing.yaml')]);
    expect(code).toBe(2);
    expect(stderr).toContain('no such file');
  });
});

describe('orchkit run', () => {
  it('runs the containerize pipeline on a sample app, exit 0, JSON result', async () => {
    const { code, stdout } = await runCli(['run', 'examples/containerize.yaml', '--json', '--input', `repoPath=${file('app')}`, '-i', 'appName=flask-app']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { status: string; output: { language: string; manifests: string[] }; steps: Record<string, { status: string }> };
    expect(result.status).toBe('completed');
    expect(result.output.language).toBe('python');
    expect(result.output.manifests).toContain(path.join(file('app'), 'k8s', 'deployment.yaml'));
    expect(result.steps.build?.status).toBe('skipped');
  });

  it('exits 1 when the run fails, naming the step and the error code', async () => {
    const { code, stdout } = await runCli(['run', file('fails.yaml')]);
    expect(code).toBe(1);
    expect(stdout).toContain('error: REPO_NOT_FOUND');
    expect(stdout).toContain('(step a)');
  });

  it('exits 2 on a missing workflow input and says which', async () => {
    const { code, stderr } = await runCli(['run', 'examples/containerize.yaml']);
    expect(code).toBe(2);
    expect(stderr).toContain('input.repoPath');
  });
});
