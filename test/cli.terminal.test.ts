import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTerminal } from './support/runInTerminal.js';

let dir: string;
const file = (name: string): string => path.join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'orchkit-tty-'));
  await cp('examples/apps/go-http', file('go-app'), { recursive: true });
  await writeFile(
    file('fails.yaml'),
    [
      'id: fails',
      'concurrency: 4',
      'steps:',
      '  - { id: analyze, tool: analyze_repository, input: { path: examples/apps/node-express } }',
      '  - { id: broken, tool: analyze_repository, dependsOn: [analyze], input: { path: /definitely/not/here } }',
      '  - { id: after1, tool: scan_secrets, dependsOn: [broken], input: { path: examples/apps/node-express } }',
      '  - { id: after2, tool: scan_secrets, dependsOn: [after1], input: { path: examples/apps/node-express } }',
      '  - { id: never, tool: scan_secrets, dependsOn: [analyze], when: "false", input: { path: examples/apps/node-express } }',
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The rows of the step list on the final screen: one per step, in definition order. */
const rowsOf = (screen: string[], ids: string[]): string[] => ids.map((id) => screen.find((line) => new RegExp(`^\\S+ ${id} \\(`).test(line)) ?? `(no row for ${id})`);

describe('orchkit run in a terminal: the live step list', () => {
  it('keeps every step name, shows the failure once, and holds WARN log lines until the list is drawn', async () => {
    const { code, screen, raw } = await runInTerminal(['run', file('fails.yaml'), '--log-level', 'warn']);
    expect(code, raw).toBe(1);
    const [analyze, broken, after1, after2, never] = rowsOf(screen, ['analyze', 'broken', 'after1', 'after2', 'never']);
    expect(analyze).toMatch(/^✔ analyze \(analyze_repository\) \d+(\.\d+)? m?s$/);
    expect(broken).toMatch(/^✖ broken \(analyze_repository\) failed \d+(\.\d+)? m?s: REPO_NOT_FOUND$/);
    expect(after1).toMatch(/^↓ after1 \(scan_secrets\) cancelled$/);
    expect(after2).toMatch(/^↓ after2 \(scan_secrets\) cancelled$/);
    expect(never).toMatch(/^↓ never \(scan_secrets\) skipped: condition is false$/);

    // The five rows stand together: no log line between them.
    const first = screen.indexOf(analyze ?? '');
    expect(screen.slice(first, first + 5)).toEqual([analyze, broken, after1, after2, never]);
    // The log line of the failed call comes after the list, and the error's message once, in the summary.
    const warn = screen.findIndex((line) => line.includes('WARN') && line.includes('tool call failed'));
    expect(warn).toBeGreaterThan(first + 4);
    const summary = screen.findIndex((line) => line.startsWith('error: REPO_NOT_FOUND: no directory at /definitely/not/here (step broken)'));
    expect(summary).toBeGreaterThan(first + 4);
    expect(screen.filter((line) => line.startsWith('error: ')).length).toBe(1);
    expect(screen.join('\n')).toContain('fails: failed in');
  });

  it('shows each completed step with the duration of its events', async () => {
    const { code, screen, raw } = await runInTerminal(['run', 'examples/containerize.yaml', '-i', `repoPath=${file('go-app')}`, '-i', 'imageTag=1.0']);
    expect(code, raw).toBe(0);
    const rows = rowsOf(screen, ['analyze', 'secrets', 'dockerfile']);
    for (const row of rows) expect(row).toMatch(/^✔ \S+ \(\w+\) \d+(\.\d+)? m?s$/);
    expect(screen.join('\n')).toMatch(/containerize: completed in \d+ ms/);
  });
});
