import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime, defineTool, ToolError, validateWorkflow, type Runtime, type WorkflowDefinitionInput } from '../src/index.js';
import { until } from './support/until.js';

/** Tools that log what they do: `do` (fails when asked), `undo` (fails when asked), `hang`. */
function tools() {
  const log: string[] = [];
  const act = defineTool({
    name: 'act',
    description: 'does a step; fails with FAILED when fail is true',
    input: z.object({ name: z.string(), fail: z.boolean().optional() }),
    output: z.object({ ref: z.string() }),
    errors: { FAILED: { type: 'execution_error', retryable: false } },
    run: ({ name, fail }) => {
      if (fail) return Promise.reject(new ToolError({ code: 'FAILED', message: `${name} failed` }));
      log.push(`do ${name}`);
      return Promise.resolve({ ref: `ref-${name}` });
    },
  });
  const undo = defineTool({
    name: 'undo',
    description: 'undoes a step; fails when fail is true',
    input: z.object({ ref: z.string(), fail: z.boolean().optional() }),
    output: z.object({ undone: z.string() }),
    errors: { UNDO_FAILED: { type: 'execution_error', retryable: false } },
    run: ({ ref, fail }) => {
      log.push(`undo ${ref}`);
      if (fail) return Promise.reject(new ToolError({ code: 'UNDO_FAILED', message: `cannot undo ${ref}` }));
      return Promise.resolve({ undone: ref });
    },
  });
  const hang = defineTool({
    name: 'hang',
    description: 'waits until aborted',
    input: z.object({}).loose(),
    output: z.unknown(),
    run: (_input, ctx) => new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true })),
  });
  return { log, list: [act, undo, hang] };
}

const step = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  tool: 'act',
  input: { name: id },
  compensate: { tool: 'undo', input: { ref: `\${{ steps.${id}.output.ref }}` } },
  ...extra,
});

async function withRuntime<T>(options: Parameters<typeof createRuntime>[0], body: (runtime: Runtime) => Promise<T>): Promise<T> {
  const runtime = createRuntime(options);
  try {
    return await body(runtime);
  } finally {
    await runtime.stop();
  }
}

describe('compensation', () => {
  it('none runs on success', async () => {
    const t = tools();
    await withRuntime({ tools: t.list }, async (runtime) => {
      const result = await runtime.executeWorkflow({ id: 'ok', steps: [step('a'), step('b', { dependsOn: ['a'] })] });
      expect(result.status).toBe('completed');
      expect(result.compensations).toBeUndefined();
      expect(t.log).toEqual(['do a', 'do b']);
    });
  });

  it('after a failure, completed steps are undone one at a time in reverse order; the run keeps its status and error', async () => {
    const t = tools();
    await withRuntime({ tools: t.list }, async (runtime) => {
      const result = await runtime.executeWorkflow({
        id: 'release',
        steps: [step('build'), step('push', { dependsOn: ['build'] }), { id: 'deploy', tool: 'act', dependsOn: ['push'], input: { name: 'deploy', fail: true } }],
      });
      expect(result).toMatchObject({ status: 'failed', error: { code: 'FAILED', stepId: 'deploy' } });
      expect(t.log).toEqual(['do build', 'do push', 'undo ref-push', 'undo ref-build']);
      expect(Object.keys(result.compensations ?? {})).toEqual(['push', 'build']);
      expect(result.compensations?.push).toMatchObject({ status: 'completed', output: { undone: 'ref-push' } });
      // The compensations are a child run with the same correlation.
      const trace = runtime.trace(result.correlationId);
      expect(trace.some((m) => m.type === 'execution.started' && m.executionId === `${result.executionId}:compensation`)).toBe(true);
      expect(trace.at(-1)).toMatchObject({ type: 'execution.finished', executionId: result.executionId });
    });
  });

  it('a failing compensation is reported and the rest still run', async () => {
    const t = tools();
    await withRuntime({ tools: t.list }, async (runtime) => {
      const result = await runtime.executeWorkflow({
        id: 'release',
        steps: [
          step('a'),
          { ...step('b', { dependsOn: ['a'] }), compensate: { tool: 'undo', input: { ref: 'b', fail: true } } },
          { id: 'c', tool: 'act', dependsOn: ['b'], input: { name: 'c', fail: true } },
        ],
      });
      expect(result.compensations).toMatchObject({ b: { status: 'failed', error: { code: 'UNDO_FAILED' } }, a: { status: 'completed' } });
      expect(t.log).toEqual(['do a', 'do b', 'undo b', 'undo ref-a']);
      expect(result.error?.code).toBe('FAILED');
    });
  });

  it('runs after a cancel and after a timeout; a step failed under onError: continue is not undone', async () => {
    const t = tools();
    await withRuntime({ tools: t.list }, async (runtime) => {
      const execution = runtime.startWorkflow({ id: 'c', steps: [step('a'), { id: 'wait', tool: 'hang', dependsOn: ['a'] }] });
      await until('the hanging step to start', () => t.log.includes('do a'));
      await until('the hang step to run', () => runtime.trace(execution.correlationId).some((m) => m.type === 'step.started' && m.stepId === 'wait'));
      execution.cancel('stop');
      const cancelled = await execution.result;
      expect(cancelled.status).toBe('cancelled');
      expect(cancelled.compensations).toMatchObject({ a: { status: 'completed' } });

      const timedOut = await runtime.executeWorkflow({ id: 't', timeoutMs: 30, steps: [step('x'), { id: 'wait', tool: 'hang', dependsOn: ['x'] }] });
      expect(timedOut.status).toBe('timed_out');
      expect(Object.keys(timedOut.compensations ?? {})).toEqual(['x']);

      const continued = await runtime.executeWorkflow({
        id: 'k',
        errorPolicy: { mode: 'continue' },
        steps: [step('p'), { ...step('q'), input: { name: 'q', fail: true }, onError: 'continue' }, { id: 'r', tool: 'act', dependsOn: ['p'], input: { name: 'r', fail: true } }],
      });
      expect(continued.status).toBe('failed');
      expect(Object.keys(continued.compensations ?? {})).toEqual(['p']);
    });
  });

  it('a failed child compensates itself before it fails its parent step', async () => {
    const t = tools();
    const child: WorkflowDefinitionInput = { id: 'child', steps: [step('inner'), { id: 'boom', tool: 'act', dependsOn: ['inner'], input: { name: 'boom', fail: true } }] };
    await withRuntime({ tools: t.list, workflows: [child] }, async (runtime) => {
      const result = await runtime.executeWorkflow({ id: 'parent', steps: [step('outer'), { id: 'run', workflow: 'child', dependsOn: ['outer'] }] });
      expect(result.steps.run).toMatchObject({ status: 'failed', error: { code: 'FAILED' } });
      expect(t.log).toEqual(['do outer', 'do inner', 'undo ref-inner', 'undo ref-outer']);
    });
  });

  it('property: for any DAG and failure point, exactly the completed steps are undone, in reverse completion order', async () => {
    const dag = fc.integer({ min: 1, max: 7 }).chain((n) =>
      fc.record({
        deps: fc.tuple(...Array.from({ length: n }, (_, i) => fc.subarray(Array.from({ length: i }, (_, j) => j), { maxLength: Math.min(2, i) }))),
        failing: fc.integer({ min: 0, max: n }), // n: nothing fails
        concurrency: fc.constantFrom(1, 2, 8),
      }),
    );
    await fc.assert(
      fc.asyncProperty(dag, async ({ deps, failing, concurrency }) => {
        const t = tools();
        await withRuntime({ tools: t.list }, async (runtime) => {
          const steps = deps.map((d, i) => ({ ...step(`s${i}`, { dependsOn: d.map((j) => `s${j}`) }), input: { name: `s${i}`, fail: i === failing } }));
          const result = await runtime.executeWorkflow({ id: 'p', concurrency, steps });
          // Completion order as the bus saw it; a tool that ran but whose step was cancelled did not complete.
          const done = runtime.trace(result.correlationId).filter((m) => m.type === 'step.completed' && m.executionId === result.executionId).map((m) => m.stepId);
          const undone = t.log.filter((l) => l.startsWith('undo ')).map((l) => l.slice('undo ref-'.length));
          const completed = Object.entries(result.steps).filter(([, s]) => s.status === 'completed').map(([id]) => id);
          expect([...done].sort()).toEqual([...completed].sort());
          if (result.status === 'completed') expect(undone).toEqual([]);
          else expect(undone).toEqual([...done].reverse());
        });
      }),
      { numRuns: 60 },
    );
  });
});

describe('compensation: validation', () => {
  const t = tools();
  it('compensate on a wait or map step, an unknown tool, and an unknown step reference are typed errors with paths', () => {
    const result = validateWorkflow(
      {
        id: 'v',
        input: { xs: { type: 'array', default: [1] } },
        steps: [
          { id: 'w', wait: { durationMs: 1 }, compensate: { tool: 'undo', input: {} } },
          { id: 'm', tool: 'act', map: { items: '${{ input.xs }}' }, input: { name: 'x' }, compensate: { tool: 'undo', input: {} } },
          { id: 'a', tool: 'act', input: { name: 'a' }, compensate: { tool: 'undoo', input: { ref: '${{ steps.nope.output }}' } } },
          { id: 'b', tool: 'act', input: { name: 'b' }, compensate: { workflow: 'ghost', input: {} } },
        ],
      },
      { tools: t.list, workflows: [] },
    );
    const at = (p: string) => result.issues.filter((issue) => issue.path === p).map((issue) => issue.code);
    expect(at('steps[0].compensate').length).toBeGreaterThan(0);
    expect(at('steps[1].compensate').length).toBeGreaterThan(0);
    expect(at('steps[2].compensate.tool')).toEqual(['UNKNOWN_TOOL']);
    expect(at('steps[2].compensate.input.ref')).toEqual(['UNKNOWN_STEP_REFERENCE']);
    expect(at('steps[3].compensate.workflow')).toEqual(['UNKNOWN_WORKFLOW']);
  });

  it('a compensation may read its own step and any step, not only ancestors', () => {
    const result = validateWorkflow({ id: 'v', steps: [step('a'), { ...step('b'), compensate: { tool: 'undo', input: { ref: '${{ steps.a.output.ref + steps.b.output.ref }}' } } }] }, { tools: t.list });
    expect(result.issues).toEqual([]);
  });
});

describe('compensation: durable (SQLite)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'orchkit-compensate-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a run stopped during its compensations resumes them without running the finished ones again', async () => {
    const store = `sqlite:${path.join(dir, 'compensate.db')}`;
    const log: string[] = [];
    let hold = true;
    const waiting: (() => void)[] = [];
    const act = defineTool({ name: 'act', description: 'acts', input: z.object({ name: z.string(), fail: z.boolean().optional() }), output: z.object({ ref: z.string() }), run: ({ name, fail }) => (fail ? Promise.reject(ToolError.nonRetryable('FAILED', `${name} failed`)) : Promise.resolve({ ref: `ref-${name}` })) });
    const undo = defineTool({
      name: 'undo',
      description: 'undoes; the first undo of b is held',
      input: z.object({ ref: z.string() }),
      output: z.object({ undone: z.string() }),
      run: async ({ ref }) => {
        log.push(`undo ${ref}`);
        if (ref === 'ref-b' && hold) await new Promise<void>((resolve) => waiting.push(resolve));
        return { undone: ref };
      },
    });
    const definition: WorkflowDefinitionInput = { id: 'durable-undo', steps: [step('a'), step('b', { dependsOn: ['a'] }), step('c', { dependsOn: ['b'] }), { id: 'd', tool: 'act', dependsOn: ['c'], input: { name: 'd', fail: true } }] };
    const first = createRuntime({ store, tools: [act, undo] });
    const execution = first.startWorkflow(definition);
    await until('the undo of b to start', () => log.includes('undo ref-b'));
    await first.stop();
    expect(log).toEqual(['undo ref-c', 'undo ref-b']);

    hold = false;
    const second = createRuntime({ store, tools: [act, undo] });
    try {
      const resumed = await second.resume();
      const parent = resumed.find((e) => e.executionId === execution.executionId);
      expect(parent).toBeDefined();
      const result = await parent?.result;
      expect(result).toMatchObject({ status: 'failed', error: { code: 'FAILED', stepId: 'd' } });
      expect(Object.keys(result?.compensations ?? {})).toEqual(['c', 'b', 'a']);
      expect(Object.values(result?.compensations ?? {}).every((c) => c.status === 'completed')).toBe(true);
      // c's undo finished before the stop and is not run again; b's was running and runs again.
      expect(log).toEqual(['undo ref-c', 'undo ref-b', 'undo ref-b', 'undo ref-a']);
      expect((await second.store?.getExecution(execution.executionId))?.status).toBe('failed');
    } finally {
      await second.stop();
    }
  });
});
