import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { z } from 'zod';
import { compileWorkflow, createRuntime, defineTool, ToolError, validateWorkflow, type Runtime, type WorkflowContext, type WorkflowDefinitionInput } from '../src/index.js';
import { createCountingClock, drive, flush, type CountingClock } from './support/leakCheck.js';

let runtime: Runtime | undefined;
let clock: CountingClock;

afterEach(async () => {
  if (!runtime) return;
  await runtime.stop();
  expect(clock.pending).toBe(0);
  expect(runtime.executions()).toEqual([]);
  runtime = undefined;
});

interface Call {
  value: number;
  index: number;
  attempt: number;
  key: string;
}

/** A tool that records each call and fails the values listed in `fail` (always) or `flaky` (first attempt). */
function itemTool(options: { fail?: readonly number[]; flaky?: readonly number[]; hold?: boolean } = {}) {
  const calls: Call[] = [];
  let active = 0;
  let peak = 0;
  const held: (() => void)[] = [];
  const tool = defineTool({
    name: 'scan',
    description: 'scans one item',
    input: z.object({ value: z.number(), index: z.number() }),
    output: z.object({ doubled: z.number() }),
    errors: { BAD_ITEM: { type: 'validation_error', retryable: false }, FLAKY: { type: 'unavailable', retryable: true } },
    run: async ({ value, index }, ctx) => {
      calls.push({ value, index, attempt: ctx.attempt, key: ctx.idempotencyKey });
      active += 1;
      peak = Math.max(peak, active);
      try {
        if (options.hold) await new Promise<void>((resolve, reject) => {
          held.push(resolve);
          ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
        });
        await flush();
        if (options.fail?.includes(value)) throw new ToolError({ code: 'BAD_ITEM', message: `item ${value} is bad` });
        if (options.flaky?.includes(value) && ctx.attempt === 1) throw new ToolError({ code: 'FLAKY', message: `item ${value} flaked` });
        return { doubled: value * 2 };
      } finally {
        active -= 1;
      }
    },
  });
  return { tool, calls, peak: () => peak, held };
}

const mapOver = (map: Record<string, unknown>, extra: Partial<WorkflowDefinitionInput> = {}): WorkflowDefinitionInput => ({
  id: 'mapper',
  input: { values: { type: 'array' } },
  steps: [{ id: 'scan', map: { items: '${{ input.values }}', as: 'v', ...map }, tool: 'scan', input: { value: '${{ v }}', index: '${{ index }}' }, retry: { maxAttempts: 2, initialDelayMs: 10, jitter: 'none' } }],
  output: { all: '${{ steps.scan.output }}' },
  ...extra,
});

function start(tool: ReturnType<typeof itemTool>['tool']) {
  clock = createCountingClock();
  runtime = createRuntime({ tools: [tool], clock, random: () => 0.5 });
  return runtime;
}

/** Starts a runtime with `tool` and drives one execution to its end on the simulated clock. */
function run(tool: ReturnType<typeof itemTool>['tool'], execute: (rt: Runtime) => ReturnType<Runtime['executeWorkflow']>) {
  const rt = start(tool);
  return drive(clock, execute(rt), 10);
}

describe('map steps', () => {
  it('calls the tool once per item with the item and its 0-based index, outputs in item order', async () => {
    const { tool, calls } = itemTool();
    const result = await run(tool, (rt) => rt.executeWorkflow(mapOver({}), { input: { values: [5, 6, 7] } }));
    expect(result.status).toBe('completed');
    expect(result.output).toEqual({ all: [{ doubled: 10 }, { doubled: 12 }, { doubled: 14 }] });
    expect(calls.map((c) => [c.value, c.index]).sort()).toEqual([[5, 0], [6, 1], [7, 2]]);
    expect(result.steps.scan).toMatchObject({ status: 'completed', items: { total: 3, completed: 3, failed: 0, cancelled: 0, attempts: 3 } });
    expect(new Set(calls.map((c) => c.key))).toEqual(new Set([0, 1, 2].map((i) => `${result.executionId}:scan:${i}`)));
  });

  it('publishes item messages with the index on the execution correlation', async () => {
    const { tool } = itemTool({ flaky: [2] });
    const result = await run(tool, (rt) => rt.executeWorkflow(mapOver({}), { input: { values: [1, 2] } }));
    const items = runtime!.trace(result.correlationId).filter((m) => m.type.startsWith('item.'));
    expect(items.map((m) => `${m.type}:${(m.payload as { index: number }).index}`).sort()).toEqual(
      ['item.completed:0', 'item.completed:1', 'item.retrying:1', 'item.started:0', 'item.started:1', 'item.started:1'].sort(),
    );
    expect(items.every((m) => m.stepId === 'scan' && m.executionId === result.executionId)).toBe(true);
    expect(result.steps.scan?.items?.attempts).toBe(3);
  });

  it('completes at once with [] for an empty array', async () => {
    const { tool, calls } = itemTool();
    const result = await run(tool, (rt) => rt.executeWorkflow(mapOver({}), { input: { values: [] } }));
    expect(result.status).toBe('completed');
    expect(result.output).toEqual({ all: [] });
    expect(result.steps.scan?.items).toEqual({ total: 0, completed: 0, failed: 0, cancelled: 0, attempts: 0 });
    expect(calls).toEqual([]);
  });

  it('fails with MAP_ITEMS_NOT_ARRAY when items is not an array', async () => {
    const { tool, calls } = itemTool();
    const definition = mapOver({ items: '${{ input.values.size() }}' });
    const result = await run(tool, (rt) => rt.executeWorkflow(definition, { input: { values: [1] } }));
    expect(result.status).toBe('failed');
    expect(result.steps.scan?.error).toMatchObject({ code: 'MAP_ITEMS_NOT_ARRAY' });
    expect(result.error).toMatchObject({ code: 'MAP_ITEMS_NOT_ARRAY', stepId: 'scan' });
    expect(calls).toEqual([]);
  });

  it('tolerates maxFailures failed items (their output is null) and fails past it, cancelling the rest', async () => {
    const ok = itemTool({ fail: [2] });
    const tolerated = await run(ok.tool, (rt) => rt.executeWorkflow(mapOver({ maxFailures: 1 }), { input: { values: [1, 2, 3] } }));
    expect(tolerated.status).toBe('completed');
    expect(tolerated.output).toEqual({ all: [{ doubled: 2 }, null, { doubled: 6 }] });
    expect(tolerated.steps.scan?.items).toMatchObject({ total: 3, completed: 2, failed: 1, cancelled: 0 });
    await runtime?.stop();

    const bad = itemTool({ fail: [1, 2] });
    const failed = await run(bad.tool, (rt) => rt.executeWorkflow(mapOver({ maxFailures: 1, concurrency: 1 }), { input: { values: [1, 2, 3, 4] } }));
    expect(failed.status).toBe('failed');
    expect(failed.steps.scan?.error).toMatchObject({ code: 'MAP_TOO_MANY_FAILURES' });
    const items = failed.steps.scan?.items;
    expect(items).toMatchObject({ total: 4, completed: 0, failed: 2, cancelled: 2 });
    expect(bad.calls.map((c) => c.value)).toEqual([1, 2]);
  });

  it('never runs more items at once than map.concurrency, and the map counts as one step against the workflow cap', async () => {
    const { tool, peak } = itemTool();
    const definition = mapOver({ concurrency: 2 }, { concurrency: 1 });
    definition.steps = [...definition.steps, { id: 'other', tool: 'scan', input: { value: 0, index: 0 } }];
    const result = await run(tool, (rt) => rt.executeWorkflow(definition, { input: { values: [1, 2, 3, 4, 5] } }));
    expect(result.status).toBe('completed');
    expect(peak()).toBe(2);
  });

  it('cancel aborts running items and starts no new ones', async () => {
    const held = itemTool({ hold: true });
    const rt = start(held.tool);
    const execution = rt.startWorkflow(mapOver({ concurrency: 2 }), { input: { values: [1, 2, 3, 4] } });
    for (let i = 0; i < 10 && held.calls.length < 2; i++) await flush();
    expect(held.calls).toHaveLength(2);
    execution.cancel('stop it');
    const result = await execution.result;
    expect(result.status).toBe('cancelled');
    expect(result.steps.scan?.items).toMatchObject({ total: 4, completed: 0, cancelled: 4 });
    await flush();
    expect(held.calls).toHaveLength(2);
  });

  it('resumes from a persisted snapshot without calling items that completed', async () => {
    const held = itemTool({ hold: true });
    const checked = validateWorkflow(mapOver({ concurrency: 2 }), { tools: [held.tool] });
    if (!checked.success) throw new Error('invalid');
    const machine = compileWorkflow(checked.definition, [held.tool]);
    const input = { executionId: 'e1', correlationId: 'c1', sessionId: 's1', input: { values: [1, 2, 3] } };
    const first = createActor(machine, { input }).start();
    for (let i = 0; i < 10 && held.held.length < 2; i++) await flush();
    held.held[0]?.(); // item 0 completes; item 2 starts
    for (let i = 0; i < 10 && held.calls.length < 3; i++) await flush();
    const persisted: unknown = JSON.parse(JSON.stringify(first.getPersistedSnapshot()));
    first.stop();
    const scan = (persisted as { context: WorkflowContext }).context.steps.scan;
    expect(scan?.items).toMatchObject({ completed: 1, running: 2, started: 3 });

    const before = held.calls.length;
    const restored = createActor(machine, { input, snapshot: persisted as never });
    const done = new Promise<void>((resolve) => restored.subscribe({ complete: resolve }));
    restored.start();
    for (let i = 0; i < 20 && held.held.length < 5; i++) await flush();
    held.held.slice(3).forEach((release) => release());
    await done;
    const context = restored.getSnapshot().context;
    expect(context.output).toEqual({ all: [{ doubled: 2 }, { doubled: 4 }, { doubled: 6 }] });
    // Items 1 and 2 were in flight: they run again (at least once); item 0 does not.
    expect(held.calls.slice(before).map((c) => c.value).sort()).toEqual([2, 3]);
  });

  it('validates map steps: items wiring, the item name in scope, no unknown keys', () => {
    const { tool } = itemTool();
    const bad = validateWorkflow(
      {
        id: 'bad',
        steps: [
          { id: 'a', map: { items: '${{ steps.b.output }}', as: 'x', bogus: 1 }, tool: 'scan', input: { value: '${{ v }}', index: 0 } },
          { id: 'b', tool: 'scan', input: { value: 1, index: 0 } },
        ],
      },
      { tools: [tool] },
    );
    expect(bad.success).toBe(false);
    expect(bad.issues.map((i) => `${i.code} ${i.path}`)).toEqual(
      expect.arrayContaining(['UNKNOWN_FIELD steps[0].map.bogus', 'NOT_AN_ANCESTOR steps[0].map.items', 'UNKNOWN_VARIABLE steps[0].input.value']),
    );
    const good = validateWorkflow(mapOver({}), { tools: [tool] });
    expect(good.success).toBe(true);
  });
});

describe('map properties', () => {
  it('for any items, concurrency and failures: item order, each item once, concurrency cap, maxFailures boundary', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 12 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 3 }),
        fc.func(fc.boolean()),
        async (values, concurrency, maxFailures, isBad) => {
          const fail = values.filter((v) => isBad(v));
          const { tool, calls, peak } = itemTool({ fail });
          const rt = start(tool);
          const result = await drive(clock, rt.executeWorkflow(mapOver({ concurrency, maxFailures }), { input: { values } }));
          const failedItems = values.filter((v) => fail.includes(v)).length;
          expect(peak()).toBeLessThanOrEqual(concurrency);
          // No item is called twice (BAD_ITEM is not retryable), none before an earlier index.
          expect(new Set(calls.map((c) => c.index)).size).toBe(calls.length);
          expect(calls.map((c) => c.index)).toEqual([...calls.map((c) => c.index)].sort((a, b) => a - b));
          const items = result.steps.scan?.items;
          expect(items && items.completed + items.failed + items.cancelled).toBe(values.length);
          if (failedItems <= maxFailures) {
            expect(result.status).toBe('completed');
            expect(calls).toHaveLength(values.length);
            expect((result.output as { all: unknown[] }).all).toEqual(values.map((v) => (fail.includes(v) ? null : { doubled: v * 2 })));
          } else {
            expect(result.status).toBe('failed');
            expect(result.steps.scan?.error?.code).toBe('MAP_TOO_MANY_FAILURES');
            expect(items?.failed).toBe(maxFailures + 1);
          }
          await rt.stop();
          runtime = undefined;
          expect(clock.pending).toBe(0);
        },
      ),
      { numRuns: 60, seed: 12 },
    );
  });
});
