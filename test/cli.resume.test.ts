import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../src/runtime/store/createStore.js';
import { runCli } from './support/runCli.js';

const root = fileURLToPath(new URL('..', import.meta.url));
let dir: string;
let app: string;
const definition = (): Record<string, unknown> => ({
  id: 'scan',
  steps: [{ id: 'a', tool: 'scan_secrets', input: { path: app } }],
  output: { scanned: '${{ steps.a.status }}' },
});

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'orchkit-resume-'));
  app = path.join(dir, 'app');
  await mkdir(app);
  await writeFile(path.join(app, 'README.md'), 'nothing secret here\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Stores a run that another node holds: running, leased by `other-node` for `leaseMs` more. */
async function seedLeased(url: string, leaseMs: number): Promise<string> {
  const store = createStore(url);
  try {
    const executionId = randomUUID();
    await store.createExecution({ executionId, workflowId: 'scan', version: '1', definition: definition(), input: {}, correlationId: executionId, sessionId: executionId, owner: 'other-node', leaseExpiresAt: Date.now() + leaseMs });
    return executionId;
  } finally {
    await store.close();
  }
}

describe('orchkit runs resume on a run another node holds', () => {
  it('says how to take it (--wait, --force) and exits 1 without them', async () => {
    const url = `sqlite:${path.join(dir, 'leased.db')}`;
    const id = await seedLeased(url, 10 * 60_000);
    const { code, stdout } = await runCli(['runs', 'resume', id, '--store', url]);
    expect(code).toBe(1);
    expect(stdout).toContain(`${id}: leased by other-node until`);
    expect(stdout).toContain('--wait takes it once the lease lapses, --force takes it now');
  });

  it('--force takes it now and prints how it ended with its output', async () => {
    const url = `sqlite:${path.join(dir, 'force.db')}`;
    const id = await seedLeased(url, 10 * 60_000);
    const { code, stdout, stderr } = await runCli(['runs', 'resume', id, '--force', '--store', url]);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain(`${id}: took the lease from other-node`);
    expect(stdout).toContain(`resuming ${id}`);
    expect(stdout).toContain(`${id}: completed`);
    expect(stdout).toMatch(/output: \{\s+"scanned": "completed"\s+\}/);
  });

  it('--wait waits while the lease is held, and takes the run once its owner lets it go', async () => {
    const url = `sqlite:${path.join(dir, 'wait.db')}`;
    const id = await seedLeased(url, 10 * 60_000);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'runs', 'resume', id, '--wait', '--store', url], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await expect.poll(() => stdout, { timeout: 30_000 }).toContain('waiting for the lease to lapse or the run to end');
      const store = createStore(url);
      try {
        expect(await store.releaseLease(id, 'other-node')).toBe(true);
      } finally {
        await store.close();
      }
      expect(await exited).toBe(0);
      expect(stdout).toContain(`resuming ${id}`);
      expect(stdout).toContain(`${id}: completed`);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses --wait or --force without an id', async () => {
    const { code, stderr } = await runCli(['runs', 'resume', '--force', '--store', `sqlite:${path.join(dir, 'none.db')}`]);
    expect(code).toBe(2);
    expect(stderr).toContain('need the id');
  });
});
