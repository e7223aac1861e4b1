import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { z } from 'zod';
import { compileWorkflow, defineTool, validateWorkflow, type WorkflowContext } from '../src/index.js';
import { flush } from './support/leakCheck.js';

describe('persisted snapshots', () => {
  it('a snapshot taken mid-run is JSON and restores to finish the run', async () => {
    const calls: string[] = [];
    let release: (() => void) | undefined;
    let blockSecondStep = true;
    const work = defineTool({
      name: 'work',
      description: 'records calls; the "b" step blocks until released during the first run',
      input: z.object({ n: z.number() }),
      output: z.object({ n: z.number() }),
      run: async ({ n }, ctx) => {
        calls.push(`${ctx.stepId}#${ctx.attempt}`);
        if (ctx.stepId === 'b' && blockSecondStep) await new Promise<void>((resolve) => (release = resolve));
        return { n: n + 1 };
      },
    });
    const checked = validateWorkflow(
      {
        id: 'persist',
        steps: [
          { id: 'a', tool: 'work', input: { n: 1 } },
          { id: 'b', tool: 'work', dependsOn: ['a'], input: { n: '${{ steps.a.output.n }}' } },
          { id: 'c', tool: 'work', dependsOn: ['b'], input: { n: '${{ steps.b.output.n }}' } },
        ],
        output: { last: '${{ steps.c.output.n }}' },
      },
      { tools: [work] },
    );
    if (!checked.success) throw new Error('invalid test workflow');
    const machine = compileWorkflow(checked.definition, [work]);
    const input = { executionId: 'e1', correlationId: 'c1', sessionId: 's1', input: {} };

    const first = createActor(machine, { input }).start();
    for (let i = 0; i < 10 && release === undefined; i++) await flush();
    const persisted: unknown = JSON.parse(JSON.stringify(first.getPersistedSnapshot()));
    first.stop();
    release?.();
    expect((persisted as { context: WorkflowContext }).context.steps.a).toMatchObject({ status: 'completed', output: { n: 2 } });
    expect((persisted as { context: WorkflowContext }).context.steps.b).toMatchObject({ status: 'running' });

    blockSecondStep = false;
    const restored = createActor(machine, { input, snapshot: persisted as never });
    const done = new Promise<void>((resolve) => restored.subscribe({ complete: resolve }));
    restored.start();
    await done;
    const snapshot = restored.getSnapshot();
    expect(snapshot.value).toBe('completed');
    expect((snapshot.context).output).toEqual({ last: 4 });
    expect(calls).toEqual(['a#1', 'b#1', 'b#1', 'c#1']);
  });
});
