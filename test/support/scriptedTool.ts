import { z } from 'zod';
import { defineTool, ToolError, type AnyTool } from '../../src/index.js';

/** What one call of a scripted tool does. */
export type Outcome = 'ok' | 'transient' | 'fatal' | 'hang';

/**
 * A tool whose calls follow a script per step id: `script[stepId]` lists outcomes by attempt
 * (the last one repeats). Records every call. `hang` waits for the abort signal.
 */
export function scriptedTool(name: string, script: Record<string, Outcome[]>, calls: { stepId: string; attempt: number }[] = []): AnyTool {
  return defineTool({
    name,
    description: 'scripted test tool',
    input: z.object({ value: z.unknown().optional() }),
    output: z.object({ stepId: z.string(), attempt: z.number() }),
    errors: {
      TRANSIENT: { type: 'execution_error', retryable: true },
      FATAL: { type: 'execution_error', retryable: false },
    },
    run: async (_input, ctx) => {
      calls.push({ stepId: ctx.stepId, attempt: ctx.attempt });
      const plan = script[ctx.stepId] ?? ['ok'];
      const outcome = plan[Math.min(ctx.attempt - 1, plan.length - 1)] ?? 'ok';
      if (outcome === 'transient') throw new ToolError({ code: 'TRANSIENT', message: `${ctx.stepId} failed transiently` });
      if (outcome === 'fatal') throw new ToolError({ code: 'FATAL', message: `${ctx.stepId} failed for good` });
      if (outcome === 'hang') {
        await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
      }
      return { stepId: ctx.stepId, attempt: ctx.attempt };
    },
  });
}
