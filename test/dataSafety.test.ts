import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime, defineTool, type AnyTool, type Runtime, type WorkflowDefinitionInput } from '../src/index.js';
import { createCountingClock, drive, type CountingClock } from './support/leakCheck.js';

let runtime: Runtime | undefined;
let clock: CountingClock;

afterEach(async () => {
  await runtime?.stop();
  expect(clock.pending).toBe(0);
  runtime = undefined;
  // Nothing in these runs may have written to Object.prototype.
  expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
  expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
});

/** A tool that records the input it got and returns what `output` builds. */
function recording(name: string, received: unknown[], output: (input: unknown) => unknown = (input) => input): AnyTool {
  return defineTool({ name, description: name, input: z.unknown(), output: z.unknown(), run: async (input) => (received.push(input), output(input)) });
}

function start(tools: AnyTool[]): Runtime {
  clock = createCountingClock();
  runtime = createRuntime({ tools, clock });
  return runtime;
}

const hostile = (): Record<string, unknown> => JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "prototype": 1, "other": 7}') as Record<string, unknown>;

function expectPlainOwn(value: unknown): void {
  expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  const record = value as Record<string, unknown>;
  expect(Object.keys(record).sort()).toEqual(['__proto__', 'constructor', 'other', 'prototype']);
  expect(record.polluted).toBeUndefined();
  expect(Object.getOwnPropertyDescriptor(record, '__proto__')?.value).toEqual({ polluted: true });
}

describe('own __proto__ / constructor / prototype keys stay data', () => {
  it('workflow input, passed on through templates, keeps them as own keys', async () => {
    const received: unknown[] = [];
    const rt = start([recording('take', received)]);
    const definition: WorkflowDefinitionInput = {
      id: 'input-keys',
      steps: [
        { id: 'whole', tool: 'take', input: { data: '${{ input }}' } },
        { id: 'field', tool: 'take', dependsOn: ['whole'], input: { other: '${{ input.other }}', ctor: '${{ input.constructor }}' } },
        { id: 'echoed', tool: 'take', dependsOn: ['whole'], input: { again: '${{ steps.whole.output.data }}' } },
      ],
    };
    const result = await drive(clock, rt.executeWorkflow(definition, { input: hostile() }));
    expect(result.status).toBe('completed');
    const [whole, second, third] = received as Record<string, unknown>[];
    expectPlainOwn(whole?.data);
    const [a, b] = [second, third].sort((x) => (x && 'other' in x ? -1 : 1));
    expect(a).toEqual({ other: 7, ctor: { prototype: { polluted: true } } });
    expectPlainOwn(b?.again);
  });

  it('a tool output with an own constructor key: expressions over other keys still work', async () => {
    const received: unknown[] = [];
    const rt = start([recording('make', [], () => hostile()), recording('take', received)]);
    const definition: WorkflowDefinitionInput = {
      id: 'output-keys',
      steps: [
        { id: 'x', tool: 'make' },
        {
          id: 'y',
          tool: 'take',
          dependsOn: ['x'],
          when: 'steps.x.output.other == 7',
          input: { other: '${{ steps.x.output.other }}', has: "${{ has(steps.x.output.constructor) && 'prototype' in steps.x.output }}", all: '${{ steps.x.output }}' },
        },
      ],
      output: { other: '${{ steps.x.output.other }}' },
    };
    const result = await drive(clock, rt.executeWorkflow(definition));
    expect(result.status).toBe('completed');
    expect(result.output).toEqual({ other: 7 });
    const [input] = received as Record<string, unknown>[];
    expect(input?.other).toBe(7);
    expect(input?.has).toBe(true);
    expectPlainOwn(input?.all);
  });

  it('a context entry named constructor does not break expressions reading other entries', async () => {
    const received: unknown[] = [];
    const rt = start([recording('take', received)]);
    rt.context('s1').share('constructor', { x: 1 });
    rt.context('s1').share('__proto__', { polluted: true });
    rt.context('s1').share('settings', { region: 'eu' });
    const definition: WorkflowDefinitionInput = {
      id: 'context-keys',
      steps: [{ id: 'a', tool: 'take', when: "context.settings.region == 'eu'", input: { region: '${{ context.settings.region }}', ctor: '${{ context.constructor.x }}' } }],
    };
    const result = await drive(clock, rt.executeWorkflow(definition, { sessionId: 's1' }));
    expect(result.status).toBe('completed');
    expect(received).toEqual([{ region: 'eu', ctor: 1 }]);
  });

  it('a definition using __proto__ as a key is refused with its path; constructor is a plain field', async () => {
    const received: unknown[] = [];
    const rt = start([recording('take', received)]);
    const proto = JSON.parse('{"id": "f", "input": {"__proto__": {"type": "object"}}, "steps": [{"id": "a", "tool": "take"}]}') as WorkflowDefinitionInput;
    await expect(Promise.resolve().then(() => rt.executeWorkflow(proto))).rejects.toMatchObject({ issues: [expect.objectContaining({ code: 'RESERVED_KEY', path: 'input.__proto__' })] });
    const ctor = JSON.parse(
      '{"id": "f", "input": {"constructor": {"type": "object", "default": {"a": 1}}}, "steps": [{"id": "a", "tool": "take", "input": {"constructor": "${{ input.constructor.a }}", "toString": 2}}]}',
    ) as WorkflowDefinitionInput;
    const result = await drive(clock, rt.executeWorkflow(ctor));
    expect(result.status).toBe('completed');
    expect(received).toEqual([{ constructor: 1, toString: 2 }]);
  });
});

describe('tool outputs that are not JSON fail the step', () => {
  const circular = (): unknown => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    return a;
  };
  const cases: [string, () => unknown][] = [
    ['a circular object', circular],
    ['a BigInt', () => ({ n: 10n })],
    ['a function', () => ({ f: () => 1 })],
    ['a class instance', () => ({ when: new Date(0) })],
    ['a sparse array', () => ({ list: [1, , 3] })], // eslint-disable-line no-sparse-arrays
  ];

  it.each(cases)('%s: OUTPUT_NOT_JSON with the path, not a completed run', async (_name, output) => {
    const rt = start([recording('bad', [], output)]);
    const result = await drive(clock, rt.executeWorkflow({ id: 'bad-output', steps: [{ id: 'a', tool: 'bad', retry: { maxAttempts: 3, initialDelayMs: 0 } }] }));
    expect(result.status).toBe('failed');
    expect(result.steps.a?.attempts).toBe(1);
    expect(result.steps.a?.error).toMatchObject({ code: 'OUTPUT_NOT_JSON', retryable: false });
    expect(() => JSON.stringify(result)).not.toThrow();
  });

  it('a direct callTool gets the typed error too; a JSON output is a frozen copy', async () => {
    const shared = { list: [1, 2] };
    const rt = start([recording('bad', [], circular), recording('good', [], () => shared)]);
    await expect(rt.callTool('bad', {})).rejects.toMatchObject({ code: 'OUTPUT_NOT_JSON' });
    const output = (await rt.callTool('good', {})) as typeof shared;
    expect(output).toEqual(shared);
    expect(output).not.toBe(shared);
    expect(Object.isFrozen(output.list)).toBe(true);
  });
});
