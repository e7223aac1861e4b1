import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { createRuntime, defineTool, type Runtime, type WorkflowDefinitionInput, type WorkflowResult } from '../src/index.js';

const greet = defineTool({
  name: 'greet',
  description: 'Says hello',
  input: z.object({ name: z.string() }),
  output: z.object({ text: z.string() }),
  run: async ({ name }) => ({ text: `hello ${name}` }),
});

const hello: WorkflowDefinitionInput = {
  id: 'hello',
  steps: [{ id: 'greet', tool: 'greet', input: { name: '${{ input.name }}' } }],
  output: { greeting: '${{ steps.greet.output.text }}' },
};

let runtime: Runtime | undefined;
afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
});

describe('WorkflowResult.output', () => {
  it('takes the output type the caller declares on executeWorkflow, startWorkflow and executeCustomWorkflow', async () => {
    runtime = createRuntime({ tools: [greet] });
    const result = await runtime.executeWorkflow<{ greeting: string }>(hello, { input: { name: 'Ada' } });
    expectTypeOf(result).toEqualTypeOf<WorkflowResult<{ greeting: string }>>();
    expectTypeOf(result.output).toEqualTypeOf<{ greeting: string } | null>();
    expect(result.status).toBe('completed');
    expect(result.output?.greeting).toBe('hello Ada');

    const handle = runtime.startWorkflow<{ greeting: string }>(hello, { input: { name: 'Grace' } });
    expectTypeOf(handle.result).resolves.toEqualTypeOf<WorkflowResult<{ greeting: string }>>();
    expect((await handle.result).output).toEqual({ greeting: 'hello Grace' });

    const custom = await runtime.executeCustomWorkflow<{ greeting: string }>(JSON.stringify(hello), { input: { name: 'Edsger' } });
    expectTypeOf(custom.output).toEqualTypeOf<{ greeting: string } | null>();
    expect(custom.output).toEqual({ greeting: 'hello Edsger' });
  });

  it('is unknown when nothing is declared, and null for a run that did not complete', async () => {
    runtime = createRuntime({ tools: [greet] });
    const result = await runtime.executeWorkflow({ ...hello, id: 'no-name' }, { input: {} });
    expectTypeOf(result.output).toEqualTypeOf<unknown>();
    expect(result.status).toBe('failed');
    expect(result.output).toBeNull();
  });
});
