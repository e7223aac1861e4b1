// Memory is bounded in bytes and metrics count what happened: bus history and traces keep a byte
// budget, metrics() keeps a bounded number of workflow series, and step retries, step timeouts
// and map items are counted.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime, createRuntimeMetrics, defineTool, OTHER_WORKFLOWS, ToolError, type Runtime, type WorkflowDefinitionInput } from '../src/index.js';
import { DEFAULT_HISTORY_BYTES } from '../src/runtime/MessageBus.js';

const runtimes: Runtime[] = [];
const open = (...args: Parameters<typeof createRuntime>): Runtime => {
  const runtime = createRuntime(...args);
  runtimes.push(runtime);
  return runtime;
};
afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.stop();
});

/** Fails the first `failures[stepId or index]` attempts with a retryable error; `hang` never settles (until aborted). */
function flaky(failures: Record<string, number>, hang = new Set<string>()) {
  return defineTool({
    name: 'flaky',
    description: 'fails its first attempts (test tool)',
    input: z.object({ key: z.string() }),
    output: z.object({ ok: z.boolean() }),
    errors: { TRANSIENT: { type: 'execution_error', retryable: true } },
    run: async ({ key }, ctx) => {
      if (hang.has(key)) await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
      if (ctx.attempt <= (failures[key] ?? 0)) throw new ToolError({ code: 'TRANSIENT', message: `attempt ${ctx.attempt} fails` });
      return { ok: true };
    },
  });
}

describe('step metrics', () => {
  it('counts step retries and timeouts (a step retried twice shows 2)', async () => {
    const runtime = open({ tools: [flaky({ twice: 2 }, new Set(['stuck']))] });
    const definition: WorkflowDefinitionInput = {
      id: 'retrying',
      errorPolicy: { mode: 'continue', maxFailures: 5 },
      steps: [
        { id: 'twice', tool: 'flaky', input: { key: 'twice' }, retry: { maxAttempts: 3, initialDelayMs: 1, jitter: 'none' } },
        { id: 'stuck', tool: 'flaky', input: { key: 'stuck' }, timeoutMs: 20, retry: { maxAttempts: 2, initialDelayMs: 1, jitter: 'none' } },
      ],
    };
    const result = await runtime.executeWorkflow(definition);
    expect(result.steps.twice?.status).toBe('completed');
    expect(result.steps.stuck?.error?.code).toBe('STEP_TIMEOUT');
    // twice: 2 retries; stuck: timed out, retried once, timed out again.
    expect(runtime.metrics().steps.retrying).toEqual({ retries: 3, timeouts: 2, items: { started: 0, completed: 0, failed: 0, retries: 0 } });
  });

  it('counts map items: started attempts, completed, failed and retried items', async () => {
    const runtime = open({ tools: [flaky({ b: 1, c: 9 })] });
    const definition: WorkflowDefinitionInput = {
      id: 'mapped',
      steps: [{ id: 'each', map: { items: '${{ input.keys }}', as: 'k', maxFailures: 1 }, tool: 'flaky', input: { key: '${{ k }}' }, retry: { maxAttempts: 2, initialDelayMs: 1, jitter: 'none' } }],
    };
    const result = await runtime.executeWorkflow(definition, { input: { keys: ['a', 'b', 'c'] } });
    expect(result.status).toBe('completed');
    // a: 1 attempt; b: fails once, then completes; c: fails both attempts.
    expect(runtime.metrics().steps.mapped).toEqual({ retries: 2, timeouts: 0, items: { started: 5, completed: 2, failed: 1, retries: 2 } });
  });
});

describe('bounded metrics', () => {
  it('keeps at most maxWorkflows series; later and over-long ids count under (other)', () => {
    const metrics = createRuntimeMetrics({ maxWorkflows: 3, maxIdLength: 10 });
    for (let i = 0; i < 10; i++) metrics.recordExecution(`wf-${i}`, 'completed');
    metrics.recordExecution('wf-0', 'failed');
    metrics.recordExecution('x'.repeat(11), 'completed');
    const snapshot = metrics.snapshot();
    expect(Object.keys(snapshot.workflows).sort()).toEqual([OTHER_WORKFLOWS, 'wf-0', 'wf-1', 'wf-2']);
    expect(snapshot.workflows['wf-0']).toEqual({ completed: 1, failed: 1 });
    expect(snapshot.workflows[OTHER_WORKFLOWS]).toEqual({ completed: 8 });
  });

  it('300 workflows with long ids keep metrics() small', async () => {
    const tool = flaky({});
    const runtime = open({ tools: [tool] });
    for (let i = 0; i < 300; i++) await runtime.executeWorkflow({ id: `${'w'.repeat(600)}-${i}`, steps: [{ id: 's', tool: 'flaky', input: { key: 'k' } }] });
    const snapshot = runtime.metrics();
    expect(snapshot.workflows[OTHER_WORKFLOWS]).toEqual({ completed: 300 });
    expect(JSON.stringify(snapshot).length).toBeLessThan(20_000);
  });

  it('refuses caps that are not positive integers', () => {
    expect(() => createRuntimeMetrics({ maxWorkflows: 0 })).toThrow(/maxWorkflows/);
    expect(() => createRuntimeMetrics({ maxIdLength: Number.NaN })).toThrow(/maxIdLength/);
  });
});

describe('bounded traces', () => {
  it('runs with 1 MB inputs keep the bus history within its byte budget; recent traces stay whole', async () => {
    const budget = 4 * 1024 * 1024;
    const runtime = open({ tools: [flaky({})], bus: { historyBytes: budget } });
    const definition: WorkflowDefinitionInput = { id: 'big', input: { blob: { type: 'string' } }, steps: [{ id: 's', tool: 'flaky', input: { key: 'k' } }] };
    const results = [];
    for (let i = 0; i < 12; i++) results.push(await runtime.executeWorkflow(definition, { input: { blob: `${i}`.padEnd(1024 * 1024, 'x') } }));
    const { bus } = runtime.metrics();
    expect(bus.historyBytes).toBeLessThanOrEqual(budget);
    expect(bus.historyBytes).toBeGreaterThan(budget / 2);
    expect(runtime.trace((results[0] as { correlationId: string }).correlationId)).toEqual([]);
    const last = runtime.trace((results.at(-1) as { correlationId: string }).correlationId);
    expect(last.map((m) => m.type)).toEqual(expect.arrayContaining(['execution.started', 'step.started', 'step.completed', 'execution.finished']));
  });

  it('documents a 16 MiB default', () => {
    expect(DEFAULT_HISTORY_BYTES).toBe(16 * 1024 * 1024);
    expect(open().metrics().bus).toMatchObject({ historyBytes: 0, historySkipped: 0 });
  });
});
