import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createRuntime,
  DefinitionLimits,
  defineTool,
  isWorkflowValidationError,
  parseWorkflowAsync,
  validateWorkflow,
  validateWorkflowAsync,
  type Runtime,
  type WorkflowDefinitionInput,
} from '../src/index.js';
import { createMcpServer } from '../src/mcp/createMcpServer.js';

// Validation of a long definition is split into turns of the event loop (issue 13: no valid input
// holds the event loop > 100 ms). Tests assert structure — how many turns other work got while a
// validation ran — never wall time; the longest turn is printed for the notes.

const echo = defineTool({
  name: 'echo',
  description: 'returns its input',
  input: z.object({ value: z.unknown().optional() }),
  output: z.object({ value: z.unknown().optional() }),
  run: async (input) => input,
});

const runtimes: Runtime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((runtime) => runtime.stop()));
});

function chain(n: number, lastTool = 'echo'): WorkflowDefinitionInput {
  return {
    id: 'chain',
    steps: Array.from({ length: n }, (_, i) => ({
      id: `s${i}`,
      tool: i === n - 1 ? lastTool : 'echo',
      ...(i === 0 ? { input: { value: 1 } } : { dependsOn: [`s${i - 1}`], input: { value: `\${{ steps.s${i - 1}.output.value }}` } }),
    })),
  };
}

/**
 * Counts the turns the event loop gave other work while `work` ran: a probe re-arms itself with
 * `setImmediate`, so it runs once per loop iteration. Also samples the longest turn, for the log.
 */
async function turnsDuring<T>(work: () => Promise<T>): Promise<{ value: T | undefined; error: unknown; turns: number; longestMs: number }> {
  let turns = 0;
  let running = true;
  const probe = (): void => {
    if (!running) return;
    turns += 1;
    setImmediate(probe);
  };
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  setImmediate(probe);
  let value: T | undefined;
  let error: unknown;
  try {
    value = await work();
  } catch (caught) {
    error = caught;
  }
  running = false;
  delay.disable();
  return { value, error, turns, longestMs: delay.max / 1e6 };
}

const MAX = DefinitionLimits.maxSteps;
/** At least this many turns for a definition at the step limit: one per 200 steps, with slack. */
const MIN_TURNS = MAX / 400;

describe('validation in turns of the event loop', () => {
  it(`validateWorkflowAsync gives the event loop a turn every few hundred steps of a ${MAX}-step chain`, async () => {
    const definition = chain(MAX);
    const { value, turns, longestMs } = await turnsDuring(() => validateWorkflowAsync(definition, { tools: [echo] }));
    process.stdout.write(`validateWorkflowAsync, ${MAX}-step chain: ${turns} turns for other work, longest turn ${longestMs.toFixed(1)} ms\n`);
    expect(value?.success).toBe(true);
    expect(turns).toBeGreaterThanOrEqual(MIN_TURNS);
  });

  it('an interval timer fires while a long definition is validated', async () => {
    let fired = 0;
    const timer = setInterval(() => (fired += 1), 1);
    try {
      // A definition that fails at its last step: every step is checked before the answer.
      const result = await validateWorkflowAsync(chain(MAX, 'no_such_tool'), { tools: [echo] });
      expect(result.issues).toEqual([expect.objectContaining({ code: 'UNKNOWN_TOOL', path: `steps[${MAX - 1}].tool` })]);
    } finally {
      clearInterval(timer);
    }
    expect(fired).toBeGreaterThan(0);
  });

  it('for any definition, the async validation answers what the sync one does', async () => {
    const step = fc.record(
      {
        id: fc.constantFrom('a', 'b', 'c', 'd', 'a b', ''),
        tool: fc.constantFrom('echo', 'ech', 7),
        dependsOn: fc.array(fc.constantFrom('a', 'b', 'c', 'x', 3), { maxLength: 3 }),
        input: fc.dictionary(fc.constantFrom('value', 'other'), fc.constantFrom(1, '${{ steps.a.output.value }}', '${{ steps.', '${{ input.x }}')),
        when: fc.constantFrom('true', 'steps.b.status == "completed"', '(('),
      },
      { requiredKeys: ['id'] },
    );
    const definition = fc.record({ id: fc.constantFrom('w', ''), steps: fc.array(step, { maxLength: 6 }), output: fc.constantFrom(undefined, '${{ steps.c.output }}') }, { requiredKeys: ['id', 'steps'] });
    await fc.assert(
      fc.asyncProperty(definition, async (value) => {
        const sync = validateWorkflow(value, { tools: [echo] });
        const async = await validateWorkflowAsync(value, { tools: [echo] });
        expect(async).toEqual(sync);
      }),
      { seed: 13, numRuns: 300 },
    );
  });

  it('freezes the definition it accepts, so what ran is what was checked', async () => {
    const result = await validateWorkflowAsync(chain(3), { tools: [echo] });
    if (!result.success) throw new Error('expected a valid definition');
    expect(Object.isFrozen(result.definition.steps[0])).toBe(true);
    expect(() => (result.definition.steps as unknown[]).push({ id: 'late', tool: 'nope' })).toThrow(TypeError);
  });

  it('runtime.executeWorkflow validates a long definition in turns, and its issues reject the promise', async () => {
    const runtime = createRuntime({ tools: [echo] });
    runtimes.push(runtime);
    const { error, turns } = await turnsDuring(() => runtime.executeWorkflow(chain(MAX, 'no_such_tool')));
    expect(isWorkflowValidationError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'WORKFLOW_INVALID', issues: [expect.objectContaining({ code: 'UNKNOWN_TOOL', path: `steps[${MAX - 1}].tool` })] });
    expect(turns).toBeGreaterThanOrEqual(MIN_TURNS);
  });

  it('runtime.executeWorkflow runs a long valid definition it validated in turns, and reuses it', async () => {
    const runtime = createRuntime({ tools: [echo] });
    runtimes.push(runtime);
    const definition = chain(401);
    const first = await runtime.executeWorkflow(definition);
    expect(first).toMatchObject({ status: 'completed' });
    expect(first.steps.s400).toMatchObject({ status: 'completed', output: { value: 1 } });
    expect(await runtime.executeWorkflow(definition)).toMatchObject({ status: 'completed' });
  });

  it('runtime.startWorkflow takes a definition validateWorkflowAsync accepted against its tools (frozen) and runs it', async () => {
    const runtime = createRuntime({ tools: [echo] });
    runtimes.push(runtime);
    const checked = await validateWorkflowAsync(chain(450), { tools: runtime.tools });
    if (!checked.success) throw new Error('expected a valid definition');
    const result = await runtime.startWorkflow(checked.definition).result;
    expect(result).toMatchObject({ status: 'completed' });
    expect(result.steps.s449).toMatchObject({ status: 'completed', output: { value: 1 } });
  });

  it('a frozen definition of every kind (map, wait, retry, condition, output) runs as an unfrozen one does', async () => {
    const runtime = createRuntime({ tools: [echo] });
    runtimes.push(runtime);
    const definition: WorkflowDefinitionInput = {
      id: 'kinds',
      input: { items: { type: 'array', default: [1, 2, 3] } },
      steps: [
        { id: 'each', map: { items: '${{ input.items }}', as: 'n' }, tool: 'echo', input: { value: '${{ n }}' }, retry: { maxAttempts: 2 } },
        { id: 'nap', wait: { durationMs: 1 }, dependsOn: ['each'] },
        { id: 'last', tool: 'echo', dependsOn: ['nap'], when: 'size(steps.each.output) == 3', input: { value: '${{ steps.each.output }}' } },
      ],
      output: { values: '${{ steps.last.output.value }}' },
    };
    const checked = await validateWorkflowAsync(definition, { tools: runtime.tools });
    if (!checked.success) throw new Error(JSON.stringify(checked.issues));
    const frozen = await runtime.startWorkflow(checked.definition).result;
    const plain = await runtime.executeWorkflow(definition);
    expect(frozen).toMatchObject({ status: 'completed', output: { values: [{ value: 1 }, { value: 2 }, { value: 3 }] } });
    expect(frozen.output).toEqual(plain.output);
    // A durable run stores the definition it started with: a frozen one too.
    const durable = createRuntime({ tools: [echo], store: 'memory:' });
    runtimes.push(durable);
    const checkedThere = await validateWorkflowAsync(definition, { tools: durable.tools });
    if (!checkedThere.success) throw new Error('expected a valid definition');
    expect((await durable.startWorkflow(checkedThere.definition).result).output).toEqual(plain.output);
  });

  it('runtime.executeCustomWorkflow validates long text in turns and names the line of each issue', async () => {
    const runtime = createRuntime({ tools: [echo] });
    runtimes.push(runtime);
    const text = JSON.stringify(chain(MAX, 'no_such_tool'), null, 1);
    const { error, turns } = await turnsDuring(() => runtime.executeCustomWorkflow(text));
    expect(error).toMatchObject({ code: 'WORKFLOW_INVALID', issues: [expect.objectContaining({ code: 'UNKNOWN_TOOL', line: expect.any(Number) })] });
    expect(turns).toBeGreaterThanOrEqual(MIN_TURNS);
  });

  it('parseWorkflowAsync reads YAML text and validates it in turns', async () => {
    const yaml = ['id: chain', 'steps:', ...Array.from({ length: 1_000 }, (_, i) => `  - { id: s${i}, tool: ${i === 999 ? 'nope' : 'echo'} }`)].join('\n');
    const { error, turns } = await turnsDuring(() => parseWorkflowAsync(yaml, { tools: [echo] }));
    expect(error).toMatchObject({ code: 'WORKFLOW_INVALID', issues: [expect.objectContaining({ code: 'UNKNOWN_TOOL', path: 'steps[999].tool', line: 1_002 })] });
    expect(turns).toBeGreaterThanOrEqual(1_000 / 400);
  });

  it('parseWorkflowAsync lexes and parses long YAML text in turns, not only its steps', async () => {
    // One step, 20,000 output keys: validation alone would take a handful of turns.
    const yaml = ['id: wide', 'steps:', '  - { id: a, tool: echo }', 'output:', ...Array.from({ length: 20_000 }, (_, i) => `  k${i}: ${i}`)].join('\n');
    const { value, turns } = await turnsDuring(() => parseWorkflowAsync(yaml, { tools: [echo] }));
    expect(Object.keys((value as { output: object }).output)).toHaveLength(20_000);
    expect(turns).toBeGreaterThanOrEqual(10);
  });

  it('an inline definition over MCP (execute_workflow) is validated in turns', async () => {
    const runtime = createRuntime({ tools: [echo] });
    runtimes.push(runtime);
    const server = createMcpServer({ runtime });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: 'orchkit-turns-test', version: '1.0.0' });
    await client.connect(clientSide);
    try {
      const definition = chain(MAX, 'no_such_tool');
      const { value, turns } = await turnsDuring(() => client.callTool({ name: 'execute_workflow', arguments: { definition } }));
      const answer = (value as CallToolResult).structuredContent as { error?: { code: string } };
      expect(answer.error?.code).toBe('WORKFLOW_INVALID');
      expect(turns).toBeGreaterThanOrEqual(MIN_TURNS);
    } finally {
      await client.close();
      await server.close();
    }
  });
});
