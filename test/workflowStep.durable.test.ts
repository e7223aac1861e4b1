import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime, createStore, defineTool, type WorkflowContext, type WorkflowDefinitionInput } from '../src/index.js';
import { probePostgres } from '../src/runtime/store/probePostgres.js';
import { until } from './support/until.js';
import { prepareWorkerLaunch, type WorkerLaunch } from './support/workerLaunch.js';

const PG_URL = process.env.ORCHKIT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const IN_CI = process.env.CI === 'true';
const pgProbe = await probePostgres(PG_URL, 1500);
const root = fileURLToPath(new URL('..', import.meta.url));

/** A tool held until `open()`; records each call's execution and step. */
function gate() {
  const calls: string[] = [];
  const waiting: (() => void)[] = [];
  let opened = false;
  const tool = defineTool({
    name: 'gate',
    description: 'resolves once the gate opens',
    input: z.object({}).loose(),
    output: z.object({ ref: z.string() }),
    run: async (_input, ctx) => {
      calls.push(`${ctx.executionId} ${ctx.stepId}`);
      if (!opened) await new Promise<void>((resolve) => waiting.push(resolve));
      return { ref: 'img@1' };
    },
  });
  const open = (): void => {
    opened = true;
    waiting.splice(0).forEach((resolve) => resolve());
  };
  return { tool, calls, open };
}

const marks: string[] = [];
const mark = defineTool({
  name: 'mark',
  description: 'records its call',
  input: z.object({ value: z.unknown() }).loose(),
  output: z.unknown(),
  run: (input, ctx) => {
    marks.push(`${ctx.executionId} ${ctx.stepId}`);
    return Promise.resolve(input.value);
  },
});

const child: WorkflowDefinitionInput = {
  id: 'build-image',
  steps: [
    { id: 'one', tool: 'mark', input: { value: 1 } },
    { id: 'block', tool: 'gate', dependsOn: ['one'] },
  ],
  output: '${{ steps.block.output }}',
};
const parent: WorkflowDefinitionInput = {
  id: 'release',
  steps: [
    { id: 'build', workflow: 'build-image' },
    { id: 'tag', tool: 'mark', dependsOn: ['build'], input: { value: '${{ steps.build.output.ref }}' } },
  ],
  output: '${{ steps.tag.output }}',
};

let dir: string;
let launch: WorkerLaunch;
const pgSchemas: string[] = [];
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'orchkit-child-'));
  launch = await prepareWorkerLaunch(path.join(root, 'test/fixtures/childCrashWorker.ts'), 'childCrashWorker');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await launch.cleanup();
  if (pgSchemas.length === 0) return;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  for (const schema of pgSchemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

describe('workflow steps: durable children (SQLite, in process)', () => {
  it('a child of a durable parent is durable; after stop() and resume() the parent takes up the same child, not a new one', async () => {
    const store = `sqlite:${path.join(dir, 'children.db')}`;
    const first = gate();
    const runtime = createRuntime({ store, tools: [mark, first.tool], workflows: [child, parent] });
    const execution = runtime.startWorkflow('release');
    const childId = `${execution.executionId}:build`;
    await until('the child to reach its blocking step', () => first.calls.includes(`${childId} block`));
    const stored = await runtime.store?.getExecution(childId);
    expect(stored).toMatchObject({ workflowId: 'build-image', status: 'running', correlationId: execution.correlationId });
    await runtime.stop();

    const second = gate();
    second.open();
    const again = createRuntime({ store, tools: [mark, second.tool], workflows: [child, parent] });
    try {
      const resumed = await again.resume();
      const top = resumed.find((e) => e.executionId === execution.executionId);
      expect(top).toBeDefined();
      const result = await top?.result;
      expect(result).toMatchObject({ status: 'completed', output: 'img@1' });
      expect(result?.steps.build?.childExecutionId).toBe(childId);
      // The child's completed step did not run again; its running step did (at least once).
      expect(marks.filter((m) => m === `${childId} one`)).toHaveLength(1);
      expect(second.calls).toEqual([`${childId} block`]);
      const records = await again.store?.listExecutions({ limit: 10 });
      expect(records?.map((r) => r.executionId).sort()).toEqual([execution.executionId, childId].sort());
      const childRecord = await again.store?.getExecution(childId);
      expect(childRecord?.status).toBe('completed');
      expect((childRecord?.snapshot as { context: WorkflowContext } | undefined)?.context).toMatchObject({ depth: 2, parent: { executionId: execution.executionId, stepId: 'build' } });
    } finally {
      await again.stop();
    }
  });
});

interface WorkerRun {
  code: number | null;
  lines: string[];
  stderr: string;
}

/** Runs the worker; with `killWhen`, SIGKILLs it once the effects file satisfies it. */
function runWorker(storeUrl: string, effects: string, mode: 'start' | 'resume', killWhen?: (effects: string) => boolean, scenario = 'release'): Promise<WorkerRun> {
  return new Promise((resolve, reject) => {
    const proc = spawn(launch.command, [...launch.args, storeUrl, effects, mode, scenario], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let stderr = '';
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    createInterface({ input: proc.stdout }).on('line', (line) => lines.push(line));
    let poll: NodeJS.Timeout | undefined;
    if (killWhen) {
      poll = setInterval(() => {
        if (existsSync(effects) && killWhen(readFileSync(effects, 'utf8'))) {
          clearInterval(poll);
          proc.kill('SIGKILL');
        }
      }, 20);
    }
    const timer = setTimeout(() => proc.kill('SIGKILL'), 90_000);
    proc.on('error', reject);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      resolve({ code, lines, stderr });
    });
  });
}

const tag = randomBytes(3).toString('hex');
const targets = [
  { name: 'SQLite', url: (db: string) => `sqlite:${path.join(dir, `${db}.db`)}`, skip: undefined as string | undefined },
  {
    name: 'PostgreSQL',
    url: (db: string) => {
      const schema = `${db}_${tag}`;
      pgSchemas.push(schema);
      return `${PG_URL}?schema=${schema}`;
    },
    skip: pgProbe.reachable || IN_CI ? undefined : pgProbe.reason,
  },
];

describe.each(targets)('workflow steps: kill -9 during a child run ($name)', (target) => {
  const title = target.skip === undefined ? 'the resumed parent finishes on the same child, whose completed step is not run again' : `skipped: ${target.skip} (CI=true makes this a failure)`;
  it.skipIf(target.skip !== undefined)(title, { timeout: 120_000 }, async () => {
    const storeUrl = target.url('child_crash');
    const effects = path.join(dir, `effects-${target.name}.log`);
    const killed = await runWorker(storeUrl, effects, 'start', (text) => / block$/m.test(text));
    expect(killed.code).toBeNull(); // killed, not exited
    const parentId = killed.lines.find((l) => l.startsWith('started '))?.split(' ')[1] as string;
    const childId = `${parentId}:build`;
    const resumed = await runWorker(storeUrl, effects, 'resume');
    expect(resumed.stderr).toBe('');
    expect(resumed.lines).toContain(`done ${parentId} completed "img@sha256:1"`);
    const calls = readFileSync(effects, 'utf8').trim().split('\n');
    expect(calls.filter((c) => c === `${childId} one`)).toHaveLength(1);
    expect(calls.filter((c) => c === `${childId} block`)).toHaveLength(2); // running at the kill: runs again
    expect(calls.filter((c) => c === `${parentId} tag`)).toHaveLength(1);
    const store = createStore(storeUrl);
    try {
      await store.init();
      const records = await store.listExecutions({ limit: 10 });
      expect(records.map((r) => r.executionId).sort()).toEqual([parentId, childId].sort());
      expect(records.every((r) => r.status === 'completed')).toBe(true);
    } finally {
      await store.close();
    }
  });
});

describe.each(targets)('compensation: kill -9 during compensations ($name)', (target) => {
  const title = target.skip === undefined ? 'the resumed run finishes its compensations without running the finished ones again' : `skipped: ${target.skip} (CI=true makes this a failure)`;
  it.skipIf(target.skip !== undefined)(title, { timeout: 120_000 }, async () => {
    const storeUrl = target.url('undo_crash');
    const effects = path.join(dir, `undo-effects-${target.name}.log`);
    const killed = await runWorker(storeUrl, effects, 'start', (text) => / b undo$/m.test(text), 'undoable');
    expect(killed.code).toBeNull();
    const runId = killed.lines.find((l) => l.startsWith('started '))?.split(' ')[1] as string;
    const compensationId = `${runId}:compensation`;
    const resumed = await runWorker(storeUrl, effects, 'resume', undefined, 'undoable');
    expect(resumed.stderr).toBe('');
    const done = resumed.lines.find((l) => l.startsWith(`done ${runId} failed `));
    expect(done).toBeDefined();
    const compensations = JSON.parse(done?.slice(`done ${runId} failed `.length) ?? '{}') as Record<string, { status: string; output?: unknown }>;
    expect(Object.keys(compensations)).toEqual(['b', 'a']);
    expect(compensations.b).toMatchObject({ status: 'completed', output: { undone: 'b' } });
    expect(compensations.a).toMatchObject({ status: 'completed', output: { undone: 'a' } });
    const calls = readFileSync(effects, 'utf8').trim().split('\n');
    expect(calls.filter((c) => c === `${runId} a`)).toHaveLength(1);
    expect(calls.filter((c) => c === `${runId} b`)).toHaveLength(1);
    expect(calls.filter((c) => c === `${compensationId} b undo`)).toHaveLength(2); // running at the kill: runs again
    expect(calls.filter((c) => c === `${compensationId} a undo`)).toHaveLength(1);
    const store = createStore(storeUrl);
    try {
      await store.init();
      const records = await store.listExecutions({ limit: 10 });
      expect(records.map((r) => [r.executionId, r.status]).sort()).toEqual([[compensationId, 'completed'], [runId, 'failed']].sort());
    } finally {
      await store.close();
    }
  });
});
