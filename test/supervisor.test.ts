import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime, defineTool, ToolError, type BusMessage } from '../src/index.js';
import { createCountingClock, drive } from './support/leakCheck.js';

const build = defineTool({
  name: 'build_like',
  description: 'fails with DOCKERFILE_INVALID until the Dockerfile is pinned',
  input: z.object({ dockerfile: z.string() }),
  output: z.object({ image: z.string() }),
  errors: { DOCKERFILE_INVALID: { type: 'validation_error', retryable: false } },
  run: async ({ dockerfile }) => {
    if (dockerfile.includes(':latest')) throw new ToolError({ code: 'DOCKERFILE_INVALID', message: 'FROM uses latest', details: { line: 1 } });
    return { image: 'app:1' };
  },
});

const remediate = defineTool({
  name: 'fix_dockerfile',
  description: 'pins the base image',
  input: z.object({ failure: z.object({ code: z.string() }), originalInput: z.object({ dockerfile: z.string() }) }),
  output: z.object({ action: z.enum(['retry', 'resolved', 'escalate']), patchedInput: z.record(z.string(), z.unknown()).optional(), reason: z.string() }),
  run: async ({ originalInput }) => ({
    action: 'retry' as const,
    patchedInput: { dockerfile: originalInput.dockerfile.replace(':latest', ':22.12') },
    reason: 'pinned the base image',
  }),
});

const crashy = (crashes: number) => {
  let calls = 0;
  return defineTool({
    name: 'crashy',
    description: 'throws a plain Error a few times',
    input: z.object({}),
    output: z.object({ calls: z.number() }),
    run: async () => {
      if (++calls <= crashes) throw new TypeError('undefined is not a function');
      return { calls };
    },
  });
};

describe('failure routing through the supervisor', () => {
  it('routes DOCKERFILE_INVALID to a remediation that patches the input, and the retried step succeeds', async () => {
    const clock = createCountingClock();
    const runtime = createRuntime({
      tools: [build, remediate],
      clock,
      routingRules: [{ fromTool: 'build_like', errorCodes: ['DOCKERFILE_INVALID'], toTool: 'fix_dockerfile', description: 'pin base images' }],
    });
    const routed: BusMessage[] = [];
    const subscription = runtime.bus.subscribe('failure.routed').subscribe((m) => routed.push(m));
    const result = await drive(
      clock,
      runtime.executeWorkflow(
        { id: 'route', steps: [{ id: 'build', tool: 'build_like', input: { dockerfile: 'FROM node:latest' } }] },
        { sessionId: 'repo-1' },
      ),
    );
    expect(result.status).toBe('completed');
    expect(result.steps.build).toMatchObject({ status: 'completed', attempts: 2, routedTo: ['fix_dockerfile'], output: { image: 'app:1' } });
    expect(routed.map((m) => m.payload)).toEqual([expect.objectContaining({ tool: 'build_like', errorCode: 'DOCKERFILE_INVALID', action: 'retry', toTool: 'fix_dockerfile' })]);
    const history = runtime.context('repo-1').get<{ stepId: string; routedTo: string[]; status: string }[]>('execution_history')?.data;
    expect(history).toEqual([expect.objectContaining({ stepId: 'build', status: 'completed', routedTo: ['fix_dockerfile'] })]);
    expect(runtime.extractToolsFromContext('repo-1').map((t) => [t.name, t.calls])).toEqual([
      ['build_like', 1],
      ['fix_dockerfile', 0],
    ]);
    subscription.unsubscribe();
    await runtime.stop();
    expect(clock.pending).toBe(0);
  });

  it('a step rule (onError: { route }) applies too, and a remediation that escalates fails the step with its reason', async () => {
    const giveUp = defineTool({
      name: 'give_up',
      description: 'cannot fix it',
      input: z.object({}).loose(),
      output: z.object({ action: z.literal('escalate'), reason: z.string() }),
      run: async () => ({ action: 'escalate' as const, reason: 'needs a human' }),
    });
    const clock = createCountingClock();
    const runtime = createRuntime({ tools: [build, giveUp], clock });
    const result = await drive(
      clock,
      runtime.executeWorkflow({ id: 'esc', steps: [{ id: 'build', tool: 'build_like', input: { dockerfile: 'FROM x:latest' }, onError: { route: 'give_up' } }] }),
    );
    expect(result.status).toBe('failed');
    expect(result.steps.build).toMatchObject({ status: 'failed', routedTo: ['give_up'], error: { code: 'DOCKERFILE_INVALID', details: { routing: expect.stringContaining('needs a human') } } });
    await runtime.stop();
    expect(clock.pending).toBe(0);
  });

  it('rejects rules that name unregistered tools when the runtime is created', () => {
    expect(() => createRuntime({ tools: [build], routingRules: [{ fromTool: 'build_like', toTool: 'fix_dockerfil' }] })).toThrow(
      expect.objectContaining({ code: 'ROUTING_RULES_INVALID' }),
    );
  });

  it('restarts a crashing tool under its strategy, then escalates past the intensity limit', async () => {
    const clock = createCountingClock();
    const runtime = createRuntime({ tools: [crashy(2)], clock, restart: { defaultStrategy: { strategy: 'restart', maxRestarts: 3, periodMs: 60_000 } } });
    const ok = await drive(clock, runtime.executeWorkflow({ id: 'crash', steps: [{ id: 'c', tool: 'crashy' }] }), 100);
    expect(ok.status).toBe('completed');
    expect(ok.steps.c?.attempts).toBe(3);
    await runtime.stop();

    const clock2 = createCountingClock();
    const runtime2 = createRuntime({ tools: [crashy(10)], clock: clock2, restart: { defaultStrategy: { strategy: 'restart', maxRestarts: 2, periodMs: 60_000 } } });
    const failed = await drive(clock2, runtime2.executeWorkflow({ id: 'crash', steps: [{ id: 'c', tool: 'crashy' }] }), 100);
    expect(failed.status).toBe('failed');
    expect(failed.steps.c).toMatchObject({ attempts: 3, error: { code: 'TOOL_CRASHED', retryable: false } });
    await runtime2.stop();
    expect(clock2.pending).toBe(0);
  });
});
