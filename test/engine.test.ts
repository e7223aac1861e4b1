import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime, defineTool, type RetryPolicy, type Runtime, type WorkflowDefinitionInput } from '../src/index.js';
import { createCountingClock, drive, flush, type CountingClock } from './support/leakCheck.js';
import { scriptedTool, type Outcome } from './support/scriptedTool.js';

let runtime: Runtime | undefined;
let clock: CountingClock;

function setup(script: Record<string, Outcome[]>, extra: Parameters<typeof createRuntime>[0] = {}) {
  const calls: { stepId: string; attempt: number }[] = [];
  clock = createCountingClock();
  runtime = createRuntime({ tools: [scriptedTool('work', script, calls)], clock, random: () => 0.5, ...extra });
  return { runtime, calls };
}

afterEach(async () => {
  await runtime?.stop();
  expect(clock.pending).toBe(0);
  expect(runtime?.executions()).toEqual([]);
  runtime = undefined;
});

const chain = (extra: Partial<WorkflowDefinitionInput> = {}, retry?: Partial<RetryPolicy> & { maxAttempts: number }): WorkflowDefinitionInput => ({
  id: 'chain',
  steps: [
    { id: 'a', tool: 'work', ...(retry ? { retry } : {}) },
    { id: 'b', tool: 'work', dependsOn: ['a'], ...(retry ? { retry } : {}) },
    { id: 'c', tool: 'work', dependsOn: ['b'] },
  ],
  ...extra,
});

describe('executeWorkflow', () => {
  it('runs a chain in dependency order and reports every step', async () => {
    const { runtime, calls } = setup({});
    const result = await drive(clock, runtime.executeWorkflow(chain()));
    expect(result.status).toBe('completed');
    expect(calls.map((c) => c.stepId)).toEqual(['a', 'b', 'c']);
    expect(Object.values(result.steps).map((s) => [s.status, s.attempts])).toEqual([
      ['completed', 1],
      ['completed', 1],
      ['completed', 1],
    ]);
    expect(result.steps.c?.output).toEqual({ stepId: 'c', attempt: 1 });
  });

  it('retries with exponential backoff on the injected clock, never sleeping', async () => {
    const { runtime, calls } = setup({ a: ['transient', 'transient', 'ok'] });
    const retry = { maxAttempts: 3, backoff: 'exponential' as const, initialDelayMs: 1000, multiplier: 2, jitter: 'none' as const };
    const started = clock.now();
    const result = await drive(clock, runtime.executeWorkflow(chain({}, retry)), 250);
    expect(result.status).toBe('completed');
    expect(result.steps.a?.attempts).toBe(3);
    expect(calls.filter((c) => c.stepId === 'a').map((c) => c.attempt)).toEqual([1, 2, 3]);
    const retrying = runtime.trace(result.correlationId).filter((m) => m.type === 'step.retrying');
    expect(retrying.map((m) => (m.payload as { delayMs: number }).delayMs)).toEqual([1000, 2000]);
    expect(clock.now() - started).toBeGreaterThanOrEqual(3000);
  });

  it('does not retry a failure marked retryable: false', async () => {
    const { runtime, calls } = setup({ a: ['fatal'] });
    const result = await drive(clock, runtime.executeWorkflow(chain({}, { maxAttempts: 5, initialDelayMs: 10 })));
    expect(result.status).toBe('failed');
    expect(calls).toHaveLength(1);
    expect(result.error).toMatchObject({ code: 'FATAL', stepId: 'a', retryable: false });
    expect(result.steps.b?.status).not.toBe('completed');
  });

  it('times a hanging step out with an after transition and aborts the tool', async () => {
    let aborted = false;
    const hang = defineTool({
      name: 'hang',
      description: 'waits for abort',
      input: z.object({}),
      output: z.object({}),
      run: (_input, ctx) =>
        new Promise((_, reject) =>
          ctx.signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          }),
        ),
    });
    clock = createCountingClock();
    runtime = createRuntime({ tools: [hang], clock });
    const result = await drive(clock, runtime.executeWorkflow({ id: 't', steps: [{ id: 'h', tool: 'hang', timeoutMs: 5000 }] }), 1000);
    expect(result.status).toBe('failed');
    expect(result.steps.h?.error).toMatchObject({ code: 'STEP_TIMEOUT', type: 'timeout' });
    expect(aborted).toBe(true);
  });

  it('retries a timed-out step when it has a retry policy', async () => {
    const { runtime } = setup({ a: ['hang', 'ok'] });
    const def: WorkflowDefinitionInput = {
      id: 'timeout-retry',
      steps: [{ id: 'a', tool: 'work', timeoutMs: 100, retry: { maxAttempts: 2, initialDelayMs: 10, jitter: 'none' } }],
    };
    const result = await drive(clock, runtime.executeWorkflow(def), 50);
    expect(result.status).toBe('completed');
    expect(result.steps.a?.attempts).toBe(2);
  });

  it('ends a run that exceeds the workflow timeout as timed_out', async () => {
    const { runtime } = setup({ b: ['hang'] });
    const result = await drive(clock, runtime.executeWorkflow(chain({ timeoutMs: 10_000 })), 2_000);
    expect(result.status).toBe('timed_out');
    expect(result.error?.code).toBe('WORKFLOW_TIMEOUT');
    expect(result.steps.b?.status).toBe('cancelled');
    expect(result.steps.c?.status).toBe('cancelled');
  });

  it('cancels through the AbortSignal, and the tool sees the abort', async () => {
    const { runtime } = setup({ b: ['hang'] });
    const abort = new AbortController();
    const running = runtime.executeWorkflow(chain(), { signal: abort.signal });
    for (let i = 0; i < 5; i++) await flush();
    abort.abort('user pressed stop');
    const result = await running;
    expect(result.status).toBe('cancelled');
    expect(result.error).toMatchObject({ code: 'CANCELLED', message: 'user pressed stop' });
    expect(result.steps).toMatchObject({ a: { status: 'completed' }, b: { status: 'cancelled' }, c: { status: 'cancelled' } });
  });

  it('fail_fast cancels running siblings', async () => {
    const { runtime } = setup({ slow: ['hang'], bad: ['fatal'] });
    const def: WorkflowDefinitionInput = {
      id: 'ff',
      steps: [
        { id: 'slow', tool: 'work' },
        { id: 'bad', tool: 'work' },
        { id: 'after', tool: 'work', dependsOn: ['slow'] },
      ],
    };
    const result = await drive(clock, runtime.executeWorkflow(def));
    expect(result.status).toBe('failed');
    expect(result.steps).toMatchObject({ slow: { status: 'cancelled' }, bad: { status: 'failed' }, after: { status: 'cancelled' } });
  });

  it('continue runs everything that does not depend on the failure', async () => {
    const { runtime } = setup({ bad: ['fatal'] });
    const def: WorkflowDefinitionInput = {
      id: 'cont',
      errorPolicy: { mode: 'continue' },
      steps: [
        { id: 'bad', tool: 'work' },
        { id: 'child', tool: 'work', dependsOn: ['bad'] },
        { id: 'other', tool: 'work' },
        { id: 'other2', tool: 'work', dependsOn: ['other'] },
      ],
    };
    const result = await drive(clock, runtime.executeWorkflow(def));
    expect(result.status).toBe('failed');
    expect(result.steps).toMatchObject({
      bad: { status: 'failed' },
      child: { status: 'skipped', skipReason: 'dependency' },
      other: { status: 'completed' },
      other2: { status: 'completed' },
    });
  });

  it('continue with maxFailures stops after too many failures', async () => {
    const { runtime } = setup({ x: ['fatal'], y: ['fatal'], z: ['hang'] });
    const def: WorkflowDefinitionInput = {
      id: 'max',
      errorPolicy: { mode: 'continue', maxFailures: 1 },
      steps: [
        { id: 'x', tool: 'work' },
        { id: 'y', tool: 'work' },
        { id: 'z', tool: 'work' },
      ],
    };
    const result = await drive(clock, runtime.executeWorkflow(def));
    expect(result.status).toBe('failed');
    expect(result.steps.z?.status).toBe('cancelled');
  });

  it('onError: continue lets the workflow complete and skips dependants', async () => {
    const { runtime } = setup({ opt: ['fatal'] });
    const def: WorkflowDefinitionInput = {
      id: 'optional',
      steps: [
        { id: 'opt', tool: 'work', onError: 'continue' },
        { id: 'needsOpt', tool: 'work', dependsOn: ['opt'] },
        { id: 'main', tool: 'work' },
      ],
    };
    const result = await drive(clock, runtime.executeWorkflow(def));
    expect(result.status).toBe('completed');
    expect(result.steps).toMatchObject({ opt: { status: 'failed' }, needsOpt: { status: 'skipped' }, main: { status: 'completed' } });
  });

  it('skips a step whose condition is false, and its dependants', async () => {
    const { runtime, calls } = setup({});
    const def: WorkflowDefinitionInput = {
      id: 'cond',
      input: { go: { type: 'boolean', default: false } },
      steps: [
        { id: 'a', tool: 'work' },
        { id: 'b', tool: 'work', dependsOn: ['a'], when: 'input.go && steps.a.status == "completed"' },
        { id: 'c', tool: 'work', dependsOn: ['b'] },
      ],
    };
    const result = await drive(clock, runtime.executeWorkflow(def));
    expect(result.status).toBe('completed');
    expect(calls.map((c) => c.stepId)).toEqual(['a']);
    expect(result.steps).toMatchObject({ b: { status: 'skipped', skipReason: 'condition' }, c: { status: 'skipped', skipReason: 'dependency' } });
  });

  it('never runs more steps at once than concurrency allows', async () => {
    let active = 0;
    let peak = 0;
    const slow = defineTool({
      name: 'slow',
      description: 'takes a tick',
      input: z.object({}),
      output: z.object({}),
      run: async () => {
        peak = Math.max(peak, ++active);
        await flush();
        active--;
        return {};
      },
    });
    clock = createCountingClock();
    runtime = createRuntime({ tools: [slow], clock });
    const steps = Array.from({ length: 12 }, (_, i) => ({ id: `s${i}`, tool: 'slow' }));
    const result = await drive(clock, runtime.executeWorkflow({ id: 'fan', concurrency: 3, steps }));
    expect(result.status).toBe('completed');
    expect(peak).toBe(3);
  });

  it('wires input, step outputs and output expressions through CEL', async () => {
    const add = defineTool({
      name: 'add',
      description: 'adds',
      input: z.object({ a: z.number(), b: z.number() }),
      output: z.object({ sum: z.number() }),
      run: async ({ a, b }) => ({ sum: a + b }),
    });
    clock = createCountingClock();
    runtime = createRuntime({ tools: [add], clock });
    const result = await drive(
      clock,
      runtime.executeWorkflow(
        {
          id: 'wiring',
          input: { x: { type: 'number' } },
          steps: [
            { id: 'one', tool: 'add', input: { a: '${{ input.x }}', b: 1 } },
            { id: 'two', tool: 'add', dependsOn: ['one'], input: { a: '${{ steps.one.output.sum * 10 }}', b: 2 } },
          ],
          output: { total: '${{ steps.two.output.sum }}', text: 'total=${{ steps.two.output.sum }}' },
        },
        { input: { x: 4 } },
      ),
    );
    expect(result.output).toEqual({ total: 52, text: 'total=52' });
  });

  it('rejects invalid tool input with the tool name and the zod path, without crashing', async () => {
    const strict = defineTool({
      name: 'strict',
      description: 'needs a port',
      input: z.object({ port: z.number().int() }),
      output: z.object({}),
      run: async () => ({}),
    });
    clock = createCountingClock();
    runtime = createRuntime({ tools: [strict], clock });
    const result = await drive(clock, runtime.executeWorkflow({ id: 'bad-input', steps: [{ id: 's', tool: 'strict', input: { port: '${{ "80" }}' } }] }));
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'INPUT_INVALID', type: 'validation_error', tool: 'strict' });
    expect(result.error?.message).toContain('port');
  });

  it('reports a missing workflow input before running anything', async () => {
    const { runtime, calls } = setup({});
    expect(() => runtime.executeWorkflow({ id: 'needs', input: { repo: { type: 'string' } }, steps: [{ id: 'a', tool: 'work' }] })).toThrow(
      expect.objectContaining({ code: 'WORKFLOW_INVALID', issues: [expect.objectContaining({ path: 'input.repo', code: 'INPUT_MISSING' })] }),
    );
    expect(calls).toEqual([]);
  });

  it('publishes every step event on the bus with correlation and causation', async () => {
    const { runtime } = setup({ a: ['transient', 'ok'] });
    const result = await drive(clock, runtime.executeWorkflow(chain({}, { maxAttempts: 2, initialDelayMs: 5, jitter: 'none' as const })));
    const trace = runtime.trace(result.correlationId);
    expect(trace.map((m) => `${m.type}${m.stepId ? `:${m.stepId}` : ''}`)).toEqual([
      'execution.started',
      'step.started:a',
      'step.retrying:a',
      'step.started:a',
      'step.completed:a',
      'step.started:b',
      'step.completed:b',
      'step.started:c',
      'step.completed:c',
      'execution.finished',
    ]);
    const ids = new Set(trace.map((m) => m.id));
    for (const message of trace.slice(1)) expect(ids.has(message.causationId as string)).toBe(true);
  });

  it('refuses work after stop with RUNTIME_STOPPED', async () => {
    const { runtime } = setup({});
    await runtime.stop();
    expect(() => runtime.executeWorkflow(chain())).toThrow(expect.objectContaining({ code: 'RUNTIME_STOPPED' }));
  });

  it('stop() cancels running executions and leaves no timers', async () => {
    const { runtime } = setup({ a: ['hang'] });
    const running = runtime.executeWorkflow(chain({ timeoutMs: 60_000 }));
    await flush();
    expect(clock.pending).toBeGreaterThan(0);
    await runtime.stop();
    expect((await running).status).toBe('cancelled');
  });
});
