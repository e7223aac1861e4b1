// Task queues on the real PostgreSQL with worker processes: 3 workers on two queues and an
// orchestrator (this process); 1,000 tasks with none lost or run twice; a worker killed with
// SIGKILL mid-task (the task is taken again and completes once); cancel reaching a remote tool.
// Each test has a schema of its own. Runs for real when CI=true (fails if PostgreSQL is
// unreachable); elsewhere skips itself, saying why.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, createWorker, isQueueError, type WorkflowDefinitionInput } from '../src/index.js';
import { createCountingClock } from './support/leakCheck.js';
import { probePostgres } from '../src/runtime/store/probePostgres.js';
import { defaultTools } from '../src/cli/defaultTools.js';
import { queueTools } from './fixtures/queueTools.js';
import { runCli } from './support/runCli.js';
import { until } from './support/until.js';
import { prepareWorkerLaunch, type WorkerLaunch } from './support/workerLaunch.js';

const PG_URL = process.env.ORCHKIT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const IN_CI = process.env.CI === 'true';
const probe = await probePostgres(PG_URL, 1500);
const skip = !probe.reachable && !IN_CI;
const suite = skip ? describe.skip : describe;
const title = skip ? `task queues on PostgreSQL — skipped: ${probe.reachable ? '' : probe.reason} (CI=true makes this a failure)` : 'task queues on PostgreSQL';
const root = fileURLToPath(new URL('..', import.meta.url));

let dir: string;
let launch: WorkerLaunch;
const schemas: string[] = [];
const children: ChildProcess[] = [];
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'orchkit-queues-'));
  launch = await prepareWorkerLaunch(path.join(root, 'test/fixtures/queueWorker.ts'), 'queueWorker');
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
  await launch.cleanup();
  if (skip || schemas.length === 0) return;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

function fresh(): { url: string; schema: string; effects: string } {
  const schema = `orchkit_q_${randomBytes(6).toString('hex')}`;
  schemas.push(schema);
  return { url: `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`, schema, effects: path.join(dir, `effects-${schema}.txt`) };
}

interface WorkerProcess {
  id: string;
  child: ChildProcess;
  lines: string[];
  exited: Promise<void>;
}

async function startWorker(url: string, queue: string, effects: string, id: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const child = spawn(launch.command, [...launch.args, url, queue, effects, id], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  children.push(child);
  const lines: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await until(`worker ${id} to be ready (stderr: ${stderr})`, () => lines.includes('ready') || (child.exitCode !== null ? Promise.reject(new Error(`worker ${id} exited: ${stderr}`)) : false), 60_000);
  return { id, child, lines, exited };
}

async function stopWorker(worker: WorkerProcess): Promise<void> {
  if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGTERM');
  await worker.exited;
}

const effectLines = (file: string): string[][] => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => l.split(' ')) : []);

async function taskRows(schema: string): Promise<{ task_id: string; status: string; takes: number; worker: string }[]> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return (await client.query<{ task_id: string; status: string; takes: number; worker: string }>(`SELECT task_id, status, takes, worker FROM "${schema}".tasks`)).rows;
  } finally {
    await client.end();
  }
}

suite(title, () => {
  it('3 workers on two queues: 1,000 tasks distributed, none lost or run twice', { timeout: 300_000 }, async () => {
    const { url, schema, effects } = fresh();
    const runtime = createRuntime({ tools: queueTools(effects, 'orchestrator'), store: url, taskHeartbeatTimeoutMs: 10_000 });
    const workers = await Promise.all([startWorker(url, 'qa', effects, 'wa1'), startWorker(url, 'qa', effects, 'wa2'), startWorker(url, 'qb', effects, 'wb1')]);
    try {
      const a = Array.from({ length: 700 }, (_, i) => `a${i}`);
      const b = Array.from({ length: 300 }, (_, i) => `b${i}`);
      const definition: WorkflowDefinitionInput = {
        id: 'fanout',
        steps: [
          { id: 'a', map: { items: '${{ input.a }}', concurrency: 48 }, tool: 'work_a', input: { key: '${{ item }}', ms: 2 } },
          { id: 'b', map: { items: '${{ input.b }}', concurrency: 24 }, tool: 'work_b', input: { key: '${{ item }}', ms: 2 } },
        ],
        output: { a: '${{ steps.a.output }}', b: '${{ steps.b.output }}' },
      };
      const result = await runtime.executeWorkflow<{ a: { key: string; worker: string }[]; b: { key: string; worker: string }[] }>(definition, { input: { a, b } });
      expect(result.status, JSON.stringify(result.error)).toBe('completed');
      expect(result.output?.a.map((o) => o.key)).toEqual(a);
      expect(result.output?.b.map((o) => o.key)).toEqual(b);
      const lines = effectLines(effects);
      const starts = lines.filter((l) => l[0] === 'start').map((l) => l[1]);
      const dones = lines.filter((l) => l[0] === 'done');
      expect(new Set(starts).size).toBe(1000);
      expect(starts).toHaveLength(1000);
      expect(dones).toHaveLength(1000);
      expect(result.output?.b.every((o) => o.worker === 'wb1')).toBe(true);
      const rows = await taskRows(schema);
      expect(rows).toHaveLength(1000);
      expect(rows.every((r) => r.status === 'completed' && r.takes === 1)).toBe(true);
      const perWorker = Object.fromEntries(workers.map((w) => [w.id, dones.filter((l) => l[2] === w.id).length]));
      process.stdout.write(`queues: 1000 tasks (700 on qa, 300 on qb): started ${starts.length}, distinct ${new Set(starts).size}, done ${dones.length}, stored completed ${rows.filter((r) => r.status === 'completed').length}; per worker ${JSON.stringify(perWorker)}\n`);
    } finally {
      await runtime.stop();
      await Promise.all(workers.map(stopWorker));
    }
  });

  it('a worker killed with SIGKILL mid-task: the task is taken again after its heartbeat timeout and completes once', { timeout: 180_000 }, async () => {
    const { url, schema, effects } = fresh();
    const runtime = createRuntime({ tools: queueTools(effects, 'orchestrator'), store: url, taskHeartbeatTimeoutMs: 1500 });
    const workers = await Promise.all([startWorker(url, 'qa', effects, 'k1'), startWorker(url, 'qa', effects, 'k2')]);
    try {
      const run = runtime.executeWorkflow({ id: 'slow', steps: [{ id: 's', tool: 'work_a', input: { key: 'slow', ms: 3000 } }] });
      const first = await until('a worker to start the task', () => effectLines(effects).find((l) => l[0] === 'start')?.[2], 30_000);
      const victim = workers.find((w) => w.id === first)!;
      victim.child.kill('SIGKILL');
      await victim.exited;
      const result = await run;
      expect(result.status, JSON.stringify(result.error)).toBe('completed');
      const survivor = workers.find((w) => w !== victim)!;
      expect(result.steps.s?.output).toEqual({ key: 'slow', worker: survivor.id });
      const lines = effectLines(effects);
      expect(lines.filter((l) => l[0] === 'start').map((l) => l[2])).toEqual([victim.id, survivor.id]);
      expect(lines.filter((l) => l[0] === 'done').map((l) => l[2])).toEqual([survivor.id]);
      const rows = await taskRows(schema);
      expect(rows).toEqual([expect.objectContaining({ status: 'completed', takes: 2, worker: survivor.id })]);
      process.stdout.write(`queues: killed ${victim.id} mid-task; taken again by ${survivor.id}; takes ${rows[0]?.takes}, done lines ${lines.filter((l) => l[0] === 'done').length}\n`);
    } finally {
      await runtime.stop();
      await Promise.all(workers.map(stopWorker));
    }
  });

  it("cancelling a run reaches the remote tool's AbortSignal", { timeout: 120_000 }, async () => {
    const { url, schema, effects } = fresh();
    const runtime = createRuntime({ tools: queueTools(effects, 'orchestrator'), store: url });
    const worker = await startWorker(url, 'qb', effects, 'c1');
    try {
      const handle = runtime.startWorkflow({ id: 'long', steps: [{ id: 'l', tool: 'work_b', input: { key: 'long', ms: 120_000 } }] });
      await until('the worker to start the task', () => effectLines(effects).some((l) => l[0] === 'start'), 30_000);
      handle.cancel('test cancels');
      const result = await handle.result;
      expect(result.status).toBe('cancelled');
      await until('the tool to see its abort', () => effectLines(effects).some((l) => l[0] === 'aborted' && l[1] === 'long' && l[2] === 'c1'), 30_000);
      await until('the task to be stored cancelled', async () => (await taskRows(schema))[0]?.status === 'cancelled', 30_000);
      expect(effectLines(effects).some((l) => l[0] === 'done')).toBe(false);
    } finally {
      await runtime.stop();
      await stopWorker(worker);
    }
  });

  it('bad queue options are typed errors naming the field', () => {
    const tools = queueTools(path.join(tmpdir(), 'unused'), 'x');
    const code = (make: () => unknown): { code: string; path: string | undefined } => {
      try {
        make();
      } catch (error) {
        if (isQueueError(error)) return { code: error.code, path: error.path };
        throw error;
      }
      throw new Error('expected a QueueError');
    };
    expect(code(() => createRuntime({ tools }))).toEqual({ code: 'QUEUE_STORE_REQUIRED', path: 'store' });
    expect(code(() => createRuntime({ tools: [], store: PG_URL, queues: { build: ['build_image'] } }))).toEqual({ code: 'QUEUE_UNKNOWN_TOOL', path: 'queues.build[0]' });
    expect(code(() => createRuntime({ tools: [], store: PG_URL, queues: { 'no spaces': [] } }))).toEqual({ code: 'QUEUE_INVALID_NAME', path: 'queues.no spaces' });
  });

  it('orchkit worker --queue serves tools of the tool pack; bad --tools and a non-PostgreSQL store are refused', { timeout: 180_000 }, async () => {
    const { url } = fresh();
    const bad = await runCli(['worker', '--queue', 'cli', '--tools', 'no_such_tool', '--store', url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('QUEUE_UNKNOWN_TOOL');
    const sqlite = await runCli(['worker', '--queue', 'cli', '--tools', 'generate_manifests', '--store', 'sqlite::memory:']);
    expect(sqlite.code).toBe(2);
    expect(sqlite.stderr).toContain('QUEUE_STORE_REQUIRED');
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(root, 'src/cli/main.ts'), 'worker', '--queue', 'cli', '--tools', 'generate_manifests', '--store', url, '--node-id', 'cli-worker'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const runtime = createRuntime({ tools: defaultTools(), store: url, queues: { cli: ['generate_manifests'] } });
    try {
      await until('the CLI worker to serve', () => out.includes('serving queue cli'), 60_000);
      const output = (await runtime.callTool('generate_manifests', { name: 'shop-api', image: 'shop-api:1.4.2', port: 8080 })) as { manifests: { kind: string }[] };
      expect(output.manifests.map((m) => m.kind)).toEqual(['Deployment', 'Service']);
    } finally {
      await runtime.stop();
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(out).toContain('worker stopped: {"completed":1');
  });

  it('no worker for the queue: the step waits, shown as queued, until its timeoutMs; stop leaves no connection open', { timeout: 60_000 }, async () => {
    const { url, schema, effects } = fresh();
    const runtime = createRuntime({ tools: queueTools(effects, 'orchestrator'), store: url });
    try {
      const result = await runtime.executeWorkflow({ id: 'nobody', steps: [{ id: 'n', tool: 'work_a', input: { key: 'n', ms: 0 }, timeoutMs: 1500 }] });
      expect(result.status).toBe('failed');
      expect(result.steps.n?.error?.code).toBe('STEP_TIMEOUT');
      const progress = runtime.trace(result.correlationId).filter((m) => m.type === 'tool.progress').map((m) => (m.payload as { message?: string }).message);
      expect(progress).toContain('queued on qa');
      await until('the task to be cancelled', async () => (await taskRows(schema))[0]?.status === 'cancelled', 10_000);
    } finally {
      await runtime.stop();
    }
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    try {
      const open = await until('the task connections to close', async () => {
        const rows = (await admin.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'orchkit-tasks'")).rows;
        return rows[0]?.n === 0 ? 0 : false;
      }, 10_000);
      expect(open).toBe(0);
    } finally {
      await admin.end();
    }
  });

  it('a remote failure keeps its code and retryable flag: the step retries it as a new task; an embedded worker leaves no timer', { timeout: 60_000 }, async () => {
    const { url, schema, effects } = fresh();
    const clock = createCountingClock();
    const worker = createWorker({ store: url, queue: 'qa', tools: queueTools(effects, 'embedded').filter((t) => t.queue === 'qa'), clock, workerId: 'embedded' });
    const runtime = createRuntime({ tools: queueTools(effects, 'orchestrator'), store: url });
    try {
      await worker.ready();
      const result = await runtime.executeWorkflow({ id: 'flaky', steps: [{ id: 'f', tool: 'work_a', input: { key: 'flaky-1', ms: 0 }, retry: { maxAttempts: 2, initialDelayMs: 1 } }] });
      expect(result.status, JSON.stringify(result.error)).toBe('completed');
      expect(result.steps.f?.attempts).toBe(2);
      const rows = (await taskRows(schema)).sort((x, y) => (x.task_id < y.task_id ? -1 : 1));
      expect(rows.map((r) => [r.task_id.split('#')[1], r.status])).toEqual([['1', 'failed'], ['2', 'completed']]);
      expect(worker.counts).toMatchObject({ completed: 1, failed: 1 });
    } finally {
      await runtime.stop();
      await worker.stop();
    }
    expect(clock.pending).toBe(0);
  });
});
