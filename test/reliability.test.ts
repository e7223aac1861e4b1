import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { seeded } from './support/seeded.js';
import { createRuntime, defineTool, ToolError, type WorkflowDefinitionInput } from '../src/index.js';


const SEED = Number(process.env.ORCHKIT_SEED ?? 20261123);

/** Runs `total` tasks keeping `width` in flight (a hang delays one slot, not a batch). */
async function pool<T>(total: number, width: number, task: (i: number) => Promise<T>): Promise<PromiseSettledResult<T>[]> {
  const results: PromiseSettledResult<T>[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < total) {
      const i = next++;
      results[i] = await task(i).then(
        (value): PromiseSettledResult<T> => ({ status: 'fulfilled', value }),
        (reason: unknown): PromiseSettledResult<T> => ({ status: 'rejected', reason }),
      );
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  return results;
}

/** Fails transiently 10% of the time and hangs (until aborted) 1% of the time. */
function flakyTool(random: () => number) {
  return defineTool({
    name: 'flaky',
    description: 'transient failures and hangs',
    input: z.object({ n: z.number() }),
    output: z.object({ n: z.number() }),
    errors: { TRANSIENT: { type: 'execution_error', retryable: true } },
    timeoutMs: 1_000,
    // A failure takes as long as a success (one tick), as real transient failures do; failing
    // instantly would make a burst report all its failures before any success.
    run: async ({ n }, ctx) => {
      const draw = random();
      await new Promise((resolve) => setImmediate(resolve));
      if (draw < 0.01) {
        await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
      }
      if (draw < 0.11) throw new ToolError({ code: 'TRANSIENT', message: 'try again' });
      return { n: n + 1 };
    },
  });
}

describe('reliability under transient failures and hangs (seeded)', () => {
  it(`10,000 tool-to-tool requests and 1,000 executions: >= 99.9% succeed, one settlement each, nothing left behind (seed ${SEED})`, async () => {
    const random = seeded(SEED);
    const caller = defineTool({
      name: 'caller',
      description: 'calls flaky through the bus policies',
      input: z.object({ n: z.number() }),
      output: z.object({ n: z.number() }),
      run: ({ n }, ctx) => ctx.request<{ n: number }>('flaky', { n }),
    });
    const runtime = createRuntime({ tools: [flakyTool(random), caller], random: seeded(SEED + 1) });

    // 10,000 requests from a tool to another, 64 in flight.
    let succeeded = 0;
    const failures = new Map<string, number>();
    let settlements = 0;
    for (const outcome of await pool(10_000, 64, (n) => runtime.callTool('caller', { n }))) {
      settlements++;
      if (outcome.status === 'fulfilled') succeeded++;
      else {
        const code = (outcome.reason as { code?: string }).code ?? 'UNTYPED';
        failures.set(code, (failures.get(code) ?? 0) + 1);
      }
    }
    expect(settlements).toBe(10_000);
    expect([...failures.keys()].every((code) => code !== 'UNTYPED')).toBe(true);
    expect(Object.fromEntries(failures)).not.toHaveProperty('CIRCUIT_OPEN');
    expect(succeeded / 10_000).toBeGreaterThanOrEqual(0.999);

    // 1,000 executions of a three-step workflow, 32 in flight.
    const definition: WorkflowDefinitionInput = {
      id: 'reliable',
      steps: ['a', 'b', 'c'].map((id, i) => ({
        id,
        tool: 'flaky',
        input: { n: i },
        ...(i ? { dependsOn: [['a', 'b', 'c'][i - 1] as string] } : {}),
        retry: { maxAttempts: 5, initialDelayMs: 5, maxDelayMs: 50 },
      })),
    };
    const statuses = new Map<string, number>();
    for (const outcome of await pool(1_000, 32, () => runtime.executeWorkflow(definition))) {
      const status = outcome.status === 'fulfilled' ? outcome.value.status : 'rejected';
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    expect((statuses.get('completed') ?? 0) / 1_000).toBeGreaterThanOrEqual(0.999);
    expect(runtime.executions()).toEqual([]);

    const metrics = runtime.metrics();
    expect(metrics.tools.flaky?.retries).toBeGreaterThan(0);
    await runtime.stop();
    expect(runtime.bus.metrics().subscriberCount).toBe(0);
    expect(runtime.bus.metrics().pendingRequests).toBe(0);
    expect(runtime.supervisor.pending).toBe(0);
  });
});
