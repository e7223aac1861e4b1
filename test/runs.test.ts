import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../src/runtime/store/createStore.js';
import type { ExecutionStore } from '../src/runtime/store/ExecutionStore.js';
import { runCli } from './support/runCli.js';

const root = fileURLToPath(new URL('..', import.meta.url));
let dir: string;
let app: string;
const file = (name: string): string => path.join(dir, name);
const scan = (): Record<string, unknown> => ({
  id: 'scan',
  steps: [
    { id: 'a', tool: 'scan_secrets', input: { path: app } },
    { id: 'b', tool: 'scan_secrets', dependsOn: ['a'], input: { path: app } },
  ],
});

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'orchkit-runs-'));
  app = file('app');
  await mkdir(app);
  await writeFile(path.join(app, 'README.md'), 'nothing secret here\n');
  await writeFile(file('scan.json'), JSON.stringify(scan()));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Stores runs as a process that died mid-run leaves them: running, lease lapsed, no snapshot. */
async function seedOrphans(url: string, count: number): Promise<string[]> {
  const store = createStore(url);
  try {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const executionId = randomUUID();
      await store.createExecution({ executionId, workflowId: 'scan', version: '1', definition: scan(), input: {}, correlationId: executionId, sessionId: executionId, owner: 'dead-node', leaseExpiresAt: Date.now() - 1_000 });
      ids.push(executionId);
    }
    return ids;
  } finally {
    await store.close();
  }
}

async function statuses(url: string): Promise<Record<string, string>> {
  const store: ExecutionStore = createStore(url);
  try {
    return Object.fromEntries((await store.listExecutions({ limit: 1_000 })).map((r) => [r.executionId, r.status]));
  } finally {
    await store.close();
  }
}

describe('orchkit runs', () => {
  it('run --store journals the run; runs list and show read it; cancelling a finished run is refused', async () => {
    const url = `sqlite:${file('run.db')}`;
    const run = await runCli(['run', file('scan.json'), '--json', '--store', url]);
    expect(run.code, run.stderr).toBe(0);
    const { executionId, status } = JSON.parse(run.stdout) as { executionId: string; status: string };
    expect(status).toBe('completed');

    const list = await runCli(['runs', 'list', '--store', url]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/ID\s+WORKFLOW\s+STATUS\s+OWNER\s+UPDATED/);
    expect(list.stdout).toMatch(new RegExp(`${executionId}\\s+scan@1\\s+completed\\s+-\\s+\\d{4}-`));

    const show = await runCli(['runs', 'show', executionId, '--store', url, '--json']);
    expect(show.code, show.stderr).toBe(0);
    const shown = JSON.parse(show.stdout) as { status: string; journal: { kind: string; stepId: string }[] };
    expect(shown.status).toBe('completed');
    expect(shown.journal.map((e) => `${e.kind}:${e.stepId}`)).toEqual(['step.started:a', 'step.completed:a', 'step.started:b', 'step.completed:b']);

    const cancel = await runCli(['runs', 'cancel', executionId, '--store', url]);
    expect(cancel.code).toBe(1);
    expect(cancel.stderr).toContain('STORE_CONFLICT');
  });

  it('runs resume takes over orphaned runs, runs cancel keeps one from resuming, runs show prints the journal', async () => {
    const url = `sqlite:${file('resume.db')}`;
    const [kept, cancelled] = (await seedOrphans(url, 2)) as [string, string];

    const cancel = await runCli(['runs', 'cancel', cancelled, '--store', url]);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toContain(`${cancelled}: cancelled`);

    const resume = await runCli(['runs', 'resume', '--store', url]);
    expect(resume.code, resume.stderr).toBe(0);
    expect(resume.stdout).toContain(`resuming ${kept}`);
    expect(resume.stdout).toContain(`${kept}: completed`);
    expect(resume.stdout).not.toContain(cancelled);
    expect(await statuses(url)).toEqual({ [kept]: 'completed', [cancelled]: 'cancelled' });

    const show = await runCli(['runs', 'show', kept, '--store', url]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(`run ${kept}`);
    expect(show.stdout).toMatch(/status:\s+completed/);
    expect(show.stdout).toMatch(/step\.completed\s+b\s+attempt 1/);

    const missing = await runCli(['runs', 'show', 'no-such-run', '--store', url]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no run no-such-run');
  });

  it('runs pause keeps a run from being resumed until runs resume <id> names it', async () => {
    const url = `sqlite:${file('pause.db')}`;
    const [paused, other] = (await seedOrphans(url, 2)) as [string, string];
    const pause = await runCli(['runs', 'pause', paused, '--store', url]);
    expect(pause.code, pause.stderr).toBe(0);
    expect(pause.stdout).toContain(`${paused}: paused (dead-node stops it at its next lease renewal)`);

    const all = await runCli(['runs', 'resume', '--store', url]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain(`${other}: completed`);
    expect(all.stdout).not.toContain(paused);
    expect(await statuses(url)).toEqual({ [paused]: 'paused', [other]: 'completed' });

    const one = await runCli(['runs', 'resume', paused, '--store', url]);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toContain(`resuming ${paused}`);
    expect(await statuses(url)).toEqual({ [paused]: 'completed', [other]: 'completed' });
  });

  it('orchkit worker claims orphaned runs, polls until SIGTERM, then stops cleanly', async () => {
    const url = `sqlite:${file('worker.db')}`;
    const orphans = await seedOrphans(url, 3);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'worker', '--store', url, '--lease-ms', '500', '--node-id', 'worker-1'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      // A fourth orphan appears while the worker runs: the next poll (every 250 ms) takes it.
      const deadline = Date.now() + 30_000;
      let late: string | undefined;
      for (;;) {
        const now = await statuses(url);
        if (late === undefined && orphans.every((id) => now[id] === 'completed')) [late] = await seedOrphans(url, 1);
        if (late !== undefined && now[late] === 'completed') break;
        expect(Date.now(), `worker did not finish the runs; stdout: ${stdout} stderr: ${stderr}`).toBeLessThan(deadline);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      for (const id of [...orphans, late]) expect(stdout).toContain(`claimed ${id}`);
      expect(await exitedWithin(exited, 300)).toBe('running'); // still polling
      child.kill('SIGTERM');
      expect(await exited, stderr).toBe(0);
      expect(stdout).toContain('worker stopped');
    } finally {
      child.kill('SIGKILL');
    }
  });
});

function exitedWithin(exited: Promise<number | null>, ms: number): Promise<'exited' | 'running'> {
  return Promise.race([exited.then(() => 'exited' as const), new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), ms))]);
}
