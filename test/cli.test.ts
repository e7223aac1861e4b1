import { existsSync } from 'node:fs';
import { access, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
    expect(stdout).toContain('valid (containerize, 10 steps)');
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

describe('orchkit: a newcomer\'s first commands', () => {
  it('prints its version', async () => {
    const { code, stdout } = await runCli(['--version']);
    expect(code).toBe(0);
    const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    expect(stdout.trim()).toBe(version);
  });

  it('reads -i key=value as the declared input type: imageTag=1.0 stays the string "1.0"', async () => {
    await writeFile(file('typed.yaml'), [
      'id: typed',
      'input:',
      '  imageTag: { type: string }',
      '  replicas: { type: integer }',
      '  push: { type: boolean }',
      'steps:',
      `  - { id: scan, tool: scan_secrets, input: { path: "${file('app')}" } }`,
      'output: { tag: "${{ input.imageTag }}", replicas: "${{ input.replicas }}", push: "${{ input.push }}", extra: "${{ input.extra }}" }',
      '',
    ].join('\n'));
    const { code, stdout, stderr } = await runCli(['run', file('typed.yaml'), '--json', '-i', 'imageTag=1.0', '-i', 'replicas=3', '-i', 'push=false', '-i', 'extra={"a":1}']);
    expect(code, stderr).toBe(0);
    expect((JSON.parse(stdout) as { output: unknown }).output).toEqual({ tag: '1.0', replicas: 3, push: false, extra: { a: 1 } });
    const bad = await runCli(['run', file('typed.yaml'), '--json', '-i', 'imageTag=1', '-i', 'replicas=many']);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout)).toMatchObject({ valid: false, ran: false, issues: [{ code: 'INPUT_INVALID', path: 'input.replicas' }] });
  });

  it('runs the README command as written, from a project of its own', async () => {
    const project = await mkdtemp(path.join(tmpdir(), 'orchkit-newcomer-'));
    try {
      await cp('examples/apps/python-flask', path.join(project, 'my-app'), { recursive: true });
      const { code, stdout, stderr } = await runCli(['run', 'examples/containerize.yaml', '--input', 'repoPath=./my-app', '--json'], { cwd: project });
      expect(code, stderr).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ workflowId: 'containerize', status: 'completed', output: { language: 'python' } });
      await access(path.join(project, 'my-app', 'Dockerfile'));
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });

  it('run --json prints the problems as JSON, nothing on stderr', async () => {
    const { code, stdout, stderr } = await runCli(['run', file('unknown-tool.yaml'), '--json']);
    expect(code).toBe(2);
    expect(stderr).toBe('');
    expect(JSON.parse(stdout)).toMatchObject({ valid: false, ran: false, code: 'WORKFLOW_INVALID', issues: [{ code: 'UNKNOWN_TOOL', path: 'steps[0].tool', line: 4 }] });
  });

  it('test says it is working, and says when --max-paths caps the paths', async () => {
    const { code, stdout, stderr } = await runCli(['test', 'examples/containerize.yaml', '--max-paths', '20'], { timeoutMs: 120_000 });
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('replaying at most 20 outcome paths');
    expect(stdout).toMatch(/20 path\(s\) replayed of \d+ in the model/);
    expect(stdout).toMatch(/capped at 20 paths, the shortest first: \d+ path\(s\) not replayed \(--max-paths \d+ replays them all\)/);
    const json = await runCli(['test', 'examples/containerize.yaml', '--max-paths', '5', '--json'], { timeoutMs: 120_000 });
    expect(JSON.parse(json.stdout)).toMatchObject({ paths: 5, capped: true, maxPaths: 5 });
  }, 240_000);

  it('runs list reads a store that does not exist without creating it', async () => {
    const missing = file('nowhere/runs.db');
    const list = await runCli(['runs', 'list', '--store', `sqlite:${missing}`]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('no runs');
    expect((await runCli(['runs', 'list', '--store', `sqlite:${missing}`, '--json'])).stdout.trim()).toBe('[]');
    expect((await runCli(['runs', 'show', 'x', '--store', `sqlite:${missing}`])).code).toBe(2);
    expect((await runCli(['runs', 'resume', '--store', `sqlite:${missing}`])).stdout).toContain('nothing to resume');
    expect(existsSync(missing)).toBe(false);
    expect(existsSync(path.dirname(missing))).toBe(false);
  });
});

describe('orchkit validate: messages that point at the problem', () => {
  it('names an unknown key at its own line and column, with the key meant', async () => {
    await writeFile(file('typos.yaml'), 'id: t\nimput: {}\nsteps:\n  - id: a\n    tool: scan_secrets\n    input: { path: . }\n  - id: b\n    tool: scan_secrets\n    dependOn: [a]\n    input: { path: . }\n');
    const { code, stderr } = await runCli(['validate', file('typos.yaml')]);
    expect(code).toBe(2);
    expect(stderr).toContain('typos.yaml:2:1  imput  unknown key "imput" (did you mean "input"?)  [UNKNOWN_FIELD]');
    expect(stderr).toContain('typos.yaml:9:5  steps[1].dependOn  unknown key "dependOn" (did you mean "dependsOn"?)  [UNKNOWN_FIELD]');
  });

  it('gives YAML errors without a dangling colon, and JSON syntax errors with line and column', async () => {
    const yaml = await runCli(['validate', file('bad-yaml.yaml')]);
    for (const line of yaml.stderr.split('\n').filter((l) => l.includes('[PARSE_ERROR]'))) expect(line).not.toMatch(/:\s+\[PARSE_ERROR\]$/);
    await writeFile(file('bad.json'), '{\n  "id": "x",\n  "steps": [,]\n}\n');
    const json = await runCli(['validate', file('bad.json')]);
    expect(json.code).toBe(2);
    expect(json.stderr).toMatch(/bad\.json:3:13 {2}<root> {2}Unexpected token ',' {2}\[PARSE_ERROR\]/);
    await writeFile(file('trailing.json'), '{\n  "id": "x",\n  "steps": []\n,}\n');
    expect((await runCli(['validate', file('trailing.json')])).stderr).toMatch(/trailing\.json:4:2 {2}<root> {2}Expected double-quoted property name {2}\[PARSE_ERROR\]/);
  });
});
