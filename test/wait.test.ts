import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime, defineTool, isRuntimeError, validateWorkflow, type Runtime, type WorkflowContext, type WorkflowDefinitionInput } from '../src/index.js';
import { createMcpServer } from '../src/mcp/createMcpServer.js';
import { createCountingClock, drive, flush } from './support/leakCheck.js';
import { runCli } from './support/runCli.js';
import { until } from './support/until.js';

/** A tool held until `open()`; counts its calls. */
function gate() {
  const waiting: (() => void)[] = [];
  let calls = 0;
  const tool = defineTool({
    name: 'gate',
    description: 'resolves once the gate opens',
    input: z.object({}).loose(),
    output: z.object({ ok: z.boolean() }),
    run: async () => {
      calls += 1;
      await new Promise<void>((resolve) => waiting.push(resolve));
      return { ok: true };
    },
  });
  return { tool, open: () => waiting.splice(0).forEach((resolve) => resolve()), calls: () => calls };
}

const echo = defineTool({
  name: 'echo',
  description: 'returns its input',
  input: z.object({ value: z.unknown() }).loose(),
  output: z.unknown(),
  run: (input) => Promise.resolve(input.value),
});

/** Waits until the step is parked (phase `waiting`), bounded. */
async function parked(runtime: Runtime, executionId: string, stepId: string): Promise<void> {
  await until(`step ${stepId} to park`, () => {
    const execution = runtime.executions().find((e) => e.executionId === executionId);
    const step = (execution?.actor.getSnapshot() as { context: WorkflowContext } | undefined)?.context.steps[stepId];
    return step?.phase === 'waiting';
  });
}

async function rejection(promise: Promise<unknown>): Promise<{ code: string; path?: string | undefined }> {
  try {
    await promise;
  } catch (error) {
    if (isRuntimeError(error)) return { code: error.code, path: error.path };
    throw error;
  }
  throw new Error('expected a rejection');
}

const approval: WorkflowDefinitionInput = {
  id: 'approval',
  steps: [
    { id: 'approve', wait: { signal: 'approval' } },
    { id: 'after', tool: 'echo', dependsOn: ['approve'], input: { value: '${{ steps.approve.output.by }}' } },
  ],
  output: { by: '${{ steps.after.output }}', approved: '${{ steps.approve.output.approved }}' },
};

describe('wait: definition', () => {
  const issues = (wait: unknown, extra: Record<string, unknown> = {}) => {
    const result = validateWorkflow({ id: 'w', steps: [{ id: 'a', wait, ...extra }] });
    return result.success ? [] : result.issues.map((i) => ({ path: i.path, code: i.code }));
  };

  it('accepts a signal wait (with or without timeoutMs) and a durable sleep', () => {
    expect(issues({ signal: 'approval' })).toEqual([]);
    expect(issues({ signal: 'approval', timeoutMs: 86_400_000 })).toEqual([]);
    expect(issues({ durationMs: 60_000 })).toEqual([]);
  });

  it('names the field of each mistake', () => {
    expect(issues({ signal: 'a', durationMs: 5 })).toEqual([{ path: 'steps[0].wait.durationMs', code: 'SCHEMA' }]);
    expect(issues({})).toEqual([{ path: 'steps[0].wait', code: 'SCHEMA' }]);
    expect(issues({ durationMs: -1 })).toEqual([{ path: 'steps[0].wait.durationMs', code: 'SCHEMA' }]);
    expect(issues({ durationMs: 2 ** 31 - 1 })).toEqual([]);
    expect(issues({ signal: 'a', timeoutMs: 2 ** 31 })).toEqual([{ path: 'steps[0].wait.timeoutMs', code: 'SCHEMA' }]);
    expect(issues({ durationMs: 2 ** 31 })).toEqual([{ path: 'steps[0].wait.durationMs', code: 'SCHEMA' }]);
    expect(issues({ durationMs: 1.5 })).toEqual([{ path: 'steps[0].wait.durationMs', code: 'SCHEMA' }]);
    expect(issues({ signal: 'a', timeoutMs: 0 })).toEqual([{ path: 'steps[0].wait.timeoutMs', code: 'SCHEMA' }]);
    expect(issues({ signal: '1-not-an-identifier' })).toEqual([{ path: 'steps[0].wait.signal', code: 'SCHEMA' }]);
    expect(issues({ durationMs: 5, timeoutMs: 5 })).toEqual([{ path: 'steps[0].wait.timeoutMs', code: 'SCHEMA' }]);
    expect(issues({ signal: 'a', extra: 1 }).map((i) => i.path)).toEqual(['steps[0].wait.extra']);
    expect(issues({ signal: 'a' }, { retry: { maxAttempts: 2 } }).map((i) => i.path)).toEqual(['steps[0].retry']);
    // A wait's time limit is `wait.timeoutMs`; the step-level one would be ambiguous.
    expect(issues({ signal: 'a' }, { timeoutMs: 5_000 })).toEqual([{ path: 'steps[0].timeoutMs', code: 'SCHEMA' }]);
    expect(issues({ durationMs: 5 }, { timeoutMs: 5_000 })).toEqual([{ path: 'steps[0].timeoutMs', code: 'SCHEMA' }]);
  });
});

describe('wait: signals', () => {
  it('parks without a tool actor; the signal completes it with its payload', async () => {
    const runtime = createRuntime({ tools: [echo] });
    const execution = runtime.startWorkflow(approval);
    await parked(runtime, execution.executionId, 'approve');
    const snapshot = execution.actor.getSnapshot() as { context: WorkflowContext; children: Record<string, unknown> };
    expect(Object.keys(snapshot.children)).toEqual([]);
    expect(snapshot.context.steps.approve).toMatchObject({ status: 'running', phase: 'waiting', signal: 'approval' });
    await runtime.signal(execution.executionId, 'approval', { approved: true, by: 'ada' });
    const result = await execution.result;
    expect(result.status).toBe('completed');
    expect(result.output).toEqual({ by: 'ada', approved: true });
    expect(result.steps.approve?.output).toEqual({ approved: true, by: 'ada' });
    const types = runtime.trace(execution.correlationId).map((m) => m.type);
    expect(types).toContain('workflow.signal');
    expect(types.indexOf('workflow.signal')).toBeLessThan(types.indexOf('execution.finished'));
    await runtime.stop();
  });

  it('a signal without payload gives output null', async () => {
    const runtime = createRuntime();
    const execution = runtime.startWorkflow({ id: 'bare', steps: [{ id: 'w', wait: { signal: 'go' } }], output: { v: '${{ steps.w.output }}' } });
    await parked(runtime, execution.executionId, 'w');
    await runtime.signal(execution.executionId, 'go');
    expect((await execution.result).output).toEqual({ v: null });
    await runtime.stop();
  });

  it('keeps signals that come before their step waits, per name, in order', async () => {
    const g = gate();
    const runtime = createRuntime({ tools: [g.tool] });
    const execution = runtime.startWorkflow({
      id: 'buffered',
      steps: [
        { id: 'first', tool: 'gate' },
        { id: 'w1', wait: { signal: 'x' }, dependsOn: ['first'] },
        { id: 'w2', wait: { signal: 'x' }, dependsOn: ['w1'] },
        { id: 'y', wait: { signal: 'y' }, dependsOn: ['first'] },
      ],
      output: { a: '${{ steps.w1.output }}', b: '${{ steps.w2.output }}', y: '${{ steps.y.output }}' },
    });
    while (g.calls() === 0) await flush();
    await runtime.signal(execution.executionId, 'x', 1);
    await runtime.signal(execution.executionId, 'y', 'why');
    await runtime.signal(execution.executionId, 'x', 2);
    const context = (execution.actor.getSnapshot() as { context: WorkflowContext }).context;
    expect(context.signals).toEqual({ x: [1, 2], y: ['why'] });
    g.open();
    const result = await execution.result;
    expect(result.output).toEqual({ a: 1, b: 2, y: 'why' });
    expect((execution.actor.getSnapshot() as { context: WorkflowContext }).context.signals).toEqual({});
    await runtime.stop();
  });

  it('rejects bad signals with typed errors', async () => {
    const runtime = createRuntime({ tools: [echo], context: { maxEntryBytes: 64 } });
    const execution = runtime.startWorkflow(approval);
    await parked(runtime, execution.executionId, 'approve');
    const id = execution.executionId;
    expect(await rejection(runtime.signal('nope', 'approval'))).toEqual({ code: 'EXECUTION_NOT_FOUND', path: undefined });
    expect(await rejection(runtime.signal(id, 'not a name'))).toEqual({ code: 'SIGNAL_INVALID', path: 'name' });
    expect(await rejection(runtime.signal(id, 'other'))).toEqual({ code: 'SIGNAL_UNKNOWN', path: 'name' });
    expect(await rejection(runtime.signal(id, 'approval', { when: new Date() }))).toEqual({ code: 'SIGNAL_PAYLOAD_NOT_JSON', path: 'payload.when' });
    expect(await rejection(runtime.signal(id, 'approval', () => 1))).toMatchObject({ code: 'SIGNAL_PAYLOAD_NOT_JSON' });
    expect(await rejection(runtime.signal(id, 'approval', { text: 'x'.repeat(100) }))).toMatchObject({ code: 'SIGNAL_PAYLOAD_TOO_LARGE' });
    expect(await rejection(runtime.signal(id, 'approval', 'y'.repeat(100)))).toEqual({ code: 'SIGNAL_PAYLOAD_TOO_LARGE', path: 'payload' });
    // Still waiting after the bad ones.
    expect((execution.actor.getSnapshot() as { context: WorkflowContext }).context.steps.approve?.phase).toBe('waiting');
    await runtime.signal(id, 'approval', { by: 'ada' });
    await execution.result;
    expect(await rejection(runtime.signal(id, 'approval', {}))).toEqual({ code: 'EXECUTION_FINISHED', path: undefined });
    await runtime.stop();
  });

  it('cancels a waiting run', async () => {
    const runtime = createRuntime({ tools: [echo] });
    const execution = runtime.startWorkflow(approval);
    await parked(runtime, execution.executionId, 'approve');
    execution.cancel('no longer needed');
    const result = await execution.result;
    expect(result.status).toBe('cancelled');
    expect(result.steps.approve?.status).toBe('cancelled');
    expect(result.steps.after?.status).toBe('cancelled');
    await runtime.stop();
  });

  it('a parked wait holds no concurrency slot', async () => {
    const runtime = createRuntime({ tools: [echo] });
    const result = runtime.startWorkflow({
      id: 'slots',
      concurrency: 1,
      steps: [
        { id: 'w', wait: { signal: 'go' } },
        { id: 'e', tool: 'echo', input: { value: 1 } },
      ],
    });
    for (let i = 0; i < 50 && (result.actor.getSnapshot() as { context: WorkflowContext }).context.steps.e?.status !== 'completed'; i++) await flush();
    expect((result.actor.getSnapshot() as { context: WorkflowContext }).context.steps.e?.status).toBe('completed');
    await runtime.signal(result.executionId, 'go');
    expect((await result.result).status).toBe('completed');
    await runtime.stop();
  });
});

describe('wait: deadlines', () => {
  it('a durable sleep completes after durationMs, not before', async () => {
    const clock = createCountingClock();
    const runtime = createRuntime({ clock });
    const execution = runtime.startWorkflow({ id: 'sleep', steps: [{ id: 's', wait: { durationMs: 60_000 } }], output: { v: '${{ steps.s.output }}' } });
    await parked(runtime, execution.executionId, 's');
    clock.increment(59_999);
    await flush();
    expect((execution.actor.getSnapshot() as { context: WorkflowContext }).context.steps.s?.phase).toBe('waiting');
    clock.increment(1);
    const result = await execution.result;
    expect(result.status).toBe('completed');
    expect(result.output).toEqual({ v: null });
    await runtime.stop();
    expect(clock.pending).toBe(0);
  });

  it('a signal wait past timeoutMs fails with WAIT_TIMEOUT; onError continue goes on', async () => {
    const clock = createCountingClock();
    const runtime = createRuntime({ clock, tools: [echo] });
    const failing = await drive(clock, runtime.executeWorkflow({ id: 't1', steps: [{ id: 'w', wait: { signal: 'go', timeoutMs: 5_000 } }] }));
    expect(failing.status).toBe('failed');
    expect(failing.steps.w?.error?.code).toBe('WAIT_TIMEOUT');
    const tolerated = await drive(
      clock,
      runtime.executeWorkflow({
        id: 't2',
        steps: [
          { id: 'w', wait: { signal: 'go', timeoutMs: 5_000 }, onError: 'continue' },
          { id: 'e', tool: 'echo', input: { value: 'alongside' } },
        ],
      }),
    );
    expect(tolerated.steps.w?.status).toBe('failed');
    expect(tolerated.steps.e?.status).toBe('completed');
    expect(tolerated.status).toBe('completed');
    // A signal in time cancels the timeout.
    const execution = runtime.startWorkflow({ id: 't3', steps: [{ id: 'w', wait: { signal: 'go', timeoutMs: 5_000 } }] });
    await parked(runtime, execution.executionId, 'w');
    await runtime.signal(execution.executionId, 'go', 1);
    expect((await execution.result).status).toBe('completed');
    await runtime.stop();
    expect(clock.pending).toBe(0);
  });
});

describe('wait: WAIT_TIMEOUT is a failure like any other', () => {
  const remediation = (decide: (attempt: number) => unknown) =>
    defineTool({
      name: 'remind',
      description: 'remediation of a timed-out approval',
      input: z.object({ failure: z.object({ code: z.string() }).loose() }).loose(),
      output: z.unknown(),
      run: (input) => Promise.resolve(decide((input as { attempt?: number }).attempt ?? 0)),
    });
  const routed: WorkflowDefinitionInput = {
    id: 'routed-wait',
    steps: [{ id: 'w', wait: { signal: 'go', timeoutMs: 1_000 }, onError: { route: 'remind' } }],
    output: { got: '${{ steps.w.output }}' },
  };

  it('routes to a remediation, whose retry parks the step again with a new time limit; a signal then completes it', async () => {
    const clock = createCountingClock();
    const decisions: string[] = [];
    const runtime = createRuntime({ clock, tools: [echo, remediation(() => (decisions.push('retry'), { action: 'retry', reason: 'remind the approver' }))] });
    const execution = runtime.startWorkflow(routed);
    await parked(runtime, execution.executionId, 'w');
    clock.increment(1_000); // WAIT_TIMEOUT -> the remediation says retry -> parked again
    await until('the remediation', () => decisions.length === 1);
    await parked(runtime, execution.executionId, 'w');
    await runtime.signal(execution.executionId, 'go', { ok: true });
    const result = await execution.result;
    expect(result).toMatchObject({ status: 'completed', output: { got: { ok: true } } });
    expect(result.steps.w).toMatchObject({ status: 'completed', attempts: 2, routedTo: ['remind'] });
    await runtime.stop();
    expect(clock.pending).toBe(0);
  });

  it('a remediation may resolve it with an output, or escalate: the step fails with WAIT_TIMEOUT', async () => {
    const clock = createCountingClock();
    const answers = [{ action: 'resolved', output: { approvedBy: 'policy' } }, { action: 'escalate', reason: 'nobody answered' }];
    const runtime = createRuntime({ clock, tools: [echo, remediation(() => answers.shift())] });
    const resolved = await drive(clock, runtime.executeWorkflow(routed));
    expect(resolved).toMatchObject({ status: 'completed', output: { got: { approvedBy: 'policy' } } });
    const escalated = await drive(clock, runtime.executeWorkflow(routed));
    expect(escalated.status).toBe('failed');
    expect(escalated.steps.w?.error?.code).toBe('WAIT_TIMEOUT');
    await runtime.stop();
    expect(clock.pending).toBe(0);
  });
});

describe('wait: durable (SQLite)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'orchkit-wait-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a parked run survives stop() and resume(), keeps its early signals, and a signal after resume completes it', async () => {
    const store = `sqlite:${path.join(dir, 'signal.db')}`;
    const g = gate();
    const definition: WorkflowDefinitionInput = {
      id: 'durable-approval',
      steps: [
        { id: 'early', wait: { signal: 'early' } },
        { id: 'approve', wait: { signal: 'approval' }, dependsOn: ['early'] },
      ],
      output: { early: '${{ steps.early.output }}', approval: '${{ steps.approve.output }}' },
    };
    const first = createRuntime({ store, tools: [g.tool, echo] });
    const execution = first.startWorkflow(definition);
    await parked(first, execution.executionId, 'early');
    await first.signal(execution.executionId, 'approval', { n: 1 }); // kept: approve is not waiting yet
    await first.signal(execution.executionId, 'approval', { n: 2 }); // kept too
    await first.stop();
    // `orchkit runs list` says what each parked run waits for.
    const listed = await runCli(['runs', 'list', '--store', store, '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toContainEqual(expect.objectContaining({ executionId: execution.executionId, waitingFor: ['early (signal early)'] }));
    expect((await runCli(['runs', 'list', '--store', store])).stdout).toMatch(/WAITING[\s\S]*early \(signal early\)/);

    const second = createRuntime({ store, tools: [g.tool, echo] });
    expect(await rejection(second.signal(execution.executionId, 'early'))).toMatchObject({ code: 'EXECUTION_NOT_LOADED' });
    const [resumed] = await second.resume();
    expect(resumed?.executionId).toBe(execution.executionId);
    const context = (resumed?.actor.getSnapshot() as { context: WorkflowContext }).context;
    expect(context.steps.early?.phase).toBe('waiting');
    expect(context.signals).toEqual({ approval: [{ n: 1 }, { n: 2 }] });
    await second.signal(execution.executionId, 'early', 'e');
    const result = await resumed?.result;
    expect(result?.status).toBe('completed');
    expect(result?.output).toEqual({ early: 'e', approval: { n: 1 } });
    expect(await rejection(second.signal(execution.executionId, 'approval'))).toMatchObject({ code: 'EXECUTION_FINISHED' });
    await second.stop();
    const third = createRuntime({ store });
    expect(await rejection(third.signal(execution.executionId, 'approval'))).toMatchObject({ code: 'EXECUTION_FINISHED' });
    expect(await rejection(third.signal('missing', 'approval'))).toMatchObject({ code: 'EXECUTION_NOT_FOUND' });
    await third.stop();
  });

  it('a durable sleep fires at its original deadline after resume', async () => {
    const store = `sqlite:${path.join(dir, 'sleep.db')}`;
    const clock = createCountingClock();
    const first = createRuntime({ store, clock });
    const execution = first.startWorkflow({ id: 'durable-sleep', steps: [{ id: 's', wait: { durationMs: 60_000 } }] });
    await parked(first, execution.executionId, 's');
    await first.stop();
    clock.increment(20_000); // down for 20 s
    const second = createRuntime({ store, clock });
    const [resumed] = await second.resume();
    expect((resumed?.actor.getSnapshot() as { context: WorkflowContext }).context.steps.s?.phase).toBe('waiting');
    clock.increment(39_999);
    await flush();
    expect((resumed?.actor.getSnapshot() as { context: WorkflowContext }).context.steps.s?.phase).toBe('waiting');
    clock.increment(1);
    const result = await drive(clock, resumed!.result, 1);
    expect(result.status).toBe('completed');
    expect(result.steps.s?.finishedAt).toBe((execution.actor.getSnapshot() as { context: WorkflowContext }).context.startedAt + 60_000);
    await second.stop();
  });
});

describe('wait: property', () => {
  it('any interleaving of N signals and the waits arriving delivers each signal once, in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n }), fc.array(fc.boolean(), { minLength: n, maxLength: n }))), async ([n, early, flushes]) => {
        const g = gate();
        const runtime = createRuntime({ tools: [g.tool] });
        const waits = Array.from({ length: n }, (_, i) => ({ id: `w${i}`, wait: { signal: 'x' }, dependsOn: [i === 0 ? 'first' : `w${i - 1}`] }));
        const execution = runtime.startWorkflow({
          id: 'interleave',
          steps: [{ id: 'first', tool: 'gate' }, ...waits],
          output: { got: `\${{ [${waits.map((w) => `steps.${w.id}.output`).join(', ')}] }}` },
        });
        while (g.calls() === 0) await flush();
        for (let i = 0; i < n; i++) {
          if (i === early) g.open();
          await runtime.signal(execution.executionId, 'x', i);
          if (flushes[i]) await flush();
        }
        g.open();
        const result = await execution.result;
        const context = (execution.actor.getSnapshot() as { context: WorkflowContext }).context;
        await runtime.stop();
        expect(result.output).toEqual({ got: Array.from({ length: n }, (_, i) => i) });
        expect(context.signals?.x ?? []).toEqual([]);
      }),
      { seed: 1414, numRuns: 25 },
    );
  });
});

describe('wait: MCP', () => {
  it('get_workflow_status reports the waiting step and its signal; signal_workflow completes it; bad signals are typed errors', async () => {
    const runtime = createRuntime({ tools: [echo] });
    const server = createMcpServer({ runtime });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: 'orchkit-test', version: '1.0.0' });
    await client.connect(clientSide);
    try {
      const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as CallToolResult;
      const execution = runtime.startWorkflow(approval);
      await parked(runtime, execution.executionId, 'approve');
      const { executionId } = execution;
      expect((await call('get_workflow_status', { executionId })).structuredContent).toMatchObject({ status: 'running', steps: { approve: { status: 'running', phase: 'waiting', signal: 'approval' } } });
      const bad = await call('signal_workflow', { executionId, name: 'other' });
      expect(bad.isError).toBe(true);
      expect(JSON.stringify(bad.content)).toContain('SIGNAL_UNKNOWN');
      const unknown = await call('signal_workflow', { executionId: 'nope', name: 'approval' });
      expect(JSON.stringify(unknown.content)).toContain('EXECUTION_NOT_FOUND');
      expect((await call('signal_workflow', { executionId, name: 'approval', payload: { approved: true, by: 'mcp' } })).isError).toBeFalsy();
      expect((await execution.result).output).toEqual({ by: 'mcp', approved: true });
    } finally {
      await client.close();
      await runtime.stop();
    }
  });
});
