import { z } from 'zod';
import { defineTool, type WorkflowDefinitionInput } from '../../src/index.js';

/** A `hold` tool whose step `b` waits for a gate the test opens (or for its call's abort); every call is logged as `step#attempt`. */
export function createHold() {
  const calls: string[] = [];
  let open: () => void = () => undefined;
  let gate = new Promise<void>((resolve) => (open = resolve));
  const tool = defineTool({
    name: 'hold',
    description: 'waits for the gate at step b (test tool)',
    input: z.object({ n: z.number() }),
    output: z.object({ n: z.number() }),
    run: async ({ n }, ctx) => {
      calls.push(`${ctx.stepId}#${ctx.attempt}`);
      if (ctx.stepId === 'b') {
        const aborted = new Promise<never>((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
        await Promise.race([gate, aborted]);
      }
      return { n: n + 1 };
    },
  });
  /** Closes the gate again and forgets the calls. */
  const reset = (): void => {
    calls.length = 0;
    gate = new Promise<void>((resolve) => (open = resolve));
  };
  return { tool, calls, open: () => open(), reset };
}

/** a → b → c on `hold`: b holds the run until the gate opens; the output is 4. */
export const heldWorkflow: WorkflowDefinitionInput = {
  id: 'held',
  steps: [
    { id: 'a', tool: 'hold', input: { n: 1 } },
    { id: 'b', tool: 'hold', dependsOn: ['a'], input: { n: '${{ steps.a.output.n }}' } },
    { id: 'c', tool: 'hold', dependsOn: ['b'], input: { n: '${{ steps.b.output.n }}' } },
  ],
  output: { n: '${{ steps.c.output.n }}' },
};
