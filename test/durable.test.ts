import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime, defineTool, ToolError, type WorkflowDefinitionInput } from '../src/index.js';
import { createCountingClock, drive, flush } from './support/leakCheck.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'orchkit-durable-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function tools(effects: string[], failFirst: Set<string>) {
  return [
    defineTool({
      name: 'effect',
      description: 'records a side effect once per idempotency key; fails the first attempt of some steps',
      input: z.object({ n: z.number() }),
      output: z.object({ n: z.number() }),
      errors: { TRANSIENT: { type: 'execution_error', retryable: true } },
      run: async ({ n }, ctx) => {
        if (failFirst.has(ctx.stepId) && ctx.attempt === 1) throw new ToolError({ code: 'TRANSIENT', message: 'first attempt fails' });
        if (!effects.includes(ctx.idempotencyKey)) effects.push(ctx.idempotencyKey);
        return { n: n + 1 };
      },
    }),
  ];
}

const chain: WorkflowDefinitionInput = {
  id: 'durable',
  steps: [
    { id: 'a', tool: 'effect', input: { n: 1 } },
    { id: 'b', tool: 'effect', dependsOn: ['a'], input: { n: '${{ steps.a.output.n }}' }, retry: { maxAttempts: 2, initialDelayMs: 10_000, jitter: 'none' } },
    { id: 'c', tool: 'effect', dependsOn: ['b'], input: { n: '${{ steps.b.output.n }}' } },
  ],
  output: { n: '${{ steps.c.output.n }}' },
};

describe('durable executions (SQLite)', () => {
  it('a run suspended in a retry wait resumes in another runtime, waits only the time left, and reuses completed steps', async () => {
    const file = `sqlite:${path.join(dir, 'resume.db')}`;
    const effects: string[] = [];
    const clock = createCountingClock();
    const first = createRuntime({ tools: tools(effects, new Set(['b'])), clock, store: file, nodeId: 'node-1', leaseMs: 1_000 });
    const execution = first.startWorkflow(chain);
    let retryDueAt: number | undefined;
    // The store's driver loads on first use and the record commits before the first tool: poll in real time.
    for (let i = 0; i < 500 && retryDueAt === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      retryDueAt = (execution.actor.getSnapshot() as { context: { steps: Record<string, { status: string; retryDueAt?: number }> } }).context.steps.b?.retryDueAt;
    }
    clock.increment(4_000); // 4 s of the 10 s retry wait pass before the "crash"
    await first.stop(); // suspends: writes flushed, lease released
    expect(effects).toEqual([`${execution.executionId}:a`]);

    const second = createRuntime({ tools: tools(effects, new Set()), clock, store: file, nodeId: 'node-2', leaseMs: 1_000 });
    // The pending retry wait is recorded as an absolute deadline beside the snapshot.
    expect(await second.store?.deadlines(execution.executionId)).toEqual([{ executionId: execution.executionId, kind: 'retry', key: 'b', dueAt: retryDueAt }]);
    const [resumed] = await second.resume();
    expect(resumed?.executionId).toBe(execution.executionId);
    const waitedFrom = clock.now();
    clock.increment(5_999);
    for (let i = 0; i < 5; i++) await flush();
    expect(effects).toHaveLength(1); // the retry is due 6 s after the resume, not 10 s
    const result = await drive(clock, (resumed as NonNullable<typeof resumed>).result, 1);
    expect(clock.now() - waitedFrom).toBeLessThanOrEqual(6_010);
    expect(result.status).toBe('completed');
    expect(result.output).toEqual({ n: 4 });
    expect(effects).toEqual(['a', 'b', 'c'].map((s) => `${execution.executionId}:${s}`));
    const record = await second.store?.getExecution(execution.executionId);
    expect(record?.status).toBe('completed');
    expect(await second.store?.deadlines(execution.executionId)).toEqual([]);
    const journal = await second.store?.journal(execution.executionId);
    expect(journal?.map((e) => `${e.kind}:${e.stepId}`)).toEqual([
      'step.started:a',
      'step.completed:a',
      'step.started:b',
      'step.retrying:b',
      'step.started:b',
      'step.completed:b',
      'step.started:c',
      'step.completed:c',
    ]);
    await second.stop();
    expect(clock.pending).toBe(0);
  });
});

describe('durable shared context (SQLite)', () => {
  it('outlives the runtime: writes and deletes reach the store, expired entries stay expired', async () => {
    const file = `sqlite:${path.join(dir, 'context.db')}`;
    const clock = createCountingClock();
    const first = createRuntime({ clock, store: file });
    await first.loadContext();
    const session = first.context('repo-1');
    session.share('analysis', { language: 'go' });
    session.share('scratch', { n: 1 });
    session.share('short', { gone: true }, { ttlMs: 1_000 });
    expect(session.delete('scratch')).toBe(true);
    first.context('repo-2').share('other', { x: 1 });
    first.clearSession('repo-2');
    await first.stop();

    clock.increment(2_000);
    const second = createRuntime({ clock, store: file });
    await second.loadContext();
    expect(second.context('repo-1').get('analysis')?.data).toEqual({ language: 'go' });
    expect(second.context('repo-1').get('scratch')).toBeUndefined();
    expect(second.context('repo-1').get('short')).toBeUndefined();
    expect(second.sessions()).toEqual(['repo-1']);
    await second.stop();
    expect(clock.pending).toBe(0);
  });
});

describe('resume on a node that lacks a tool', () => {
  it('logs the run it cannot take up, releases its lease, and still resumes the others', async () => {
    const file = `sqlite:${path.join(dir, 'missing-tool.db')}`;
    const clock = createCountingClock();
    const seeding = createRuntime({ clock, store: file });
    const store = seeding.store as NonNullable<typeof seeding.store>;
    const orphan = (executionId: string, tool: string) =>
      store.createExecution({ executionId, workflowId: executionId, version: '1', definition: { id: executionId, steps: [{ id: 'a', tool, input: { n: 1 } }] }, input: {}, correlationId: executionId, sessionId: executionId, owner: 'dead', leaseExpiresAt: clock.now() - 1 });
    await orphan('needs-deploy', 'deploy_somewhere');
    clock.increment(1);
    await orphan('runnable', 'effect');
    const lines: string[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => void lines.push(line) });
    const node = createRuntime({ tools: tools([], new Set()), clock, store: file, nodeId: 'node-x', logger });
    const resumed = await node.resume();
    expect(resumed.map((e) => e.executionId)).toEqual(['runnable']);
    expect(lines.join('')).toContain('cannot resume this execution here');
    expect((await node.store?.getExecution('needs-deploy'))?.owner).toBeUndefined();
    expect((await drive(clock, (resumed[0] as NonNullable<(typeof resumed)[0]>).result)).status).toBe('completed');
    await node.stop();
    await seeding.stop();
    expect(clock.pending).toBe(0);
  });
});
