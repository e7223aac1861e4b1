import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime, defineTool } from '../src/index.js';

// Tools that answer without I/O settle in microtasks; a long run of them must still let the
// event loop take turns (timers, I/O, other runs). Counted in turns, never in time.
const instant = defineTool({
  name: 'instant',
  description: 'answers at once, without I/O',
  input: z.object({ n: z.number() }),
  output: z.object({ n: z.number() }),
  run: ({ n }) => Promise.resolve({ n: n + 1 }),
});

describe('a run of I/O-free steps gives the event loop turns', () => {
  it('a 1,000-step chain settles at most 64 steps between two turns of a setImmediate probe', async () => {
    const runtime = createRuntime({ tools: [instant] });
    const steps = Array.from({ length: 1_000 }, (_, i) => ({ id: `s${i}`, tool: 'instant', input: { n: i }, ...(i ? { dependsOn: [`s${i - 1}`] } : {}) }));
    let sinceTurn = 0;
    let most = 0;
    const completions = runtime.bus.subscribe('step.completed').subscribe(() => {
      sinceTurn += 1;
      most = Math.max(most, sinceTurn);
    });
    let probing = true;
    const probe = (): void => {
      sinceTurn = 0;
      if (probing) setImmediate(probe);
    };
    setImmediate(probe);
    const result = await runtime.executeWorkflow({ id: 'long-chain', steps });
    probing = false;
    completions.unsubscribe();
    await runtime.stop();
    expect(result.status).toBe('completed');
    expect(most).toBeLessThanOrEqual(64);
  });
});
