import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  createRuntime,
  DefinitionLimits,
  defineTool,
  isWorkflowValidationError,
  MAX_DURATION_MS,
  MAX_TIMER_DELAY_MS,
  parseExpression,
  parseWorkflow,
  rearmingClock,
  validateWorkflow,
  type Clock,
  type Runtime,
  type WorkflowDefinitionInput,
} from '../src/index.js';
import { createCountingClock, drive, flush } from './support/leakCheck.js';

let runtime: Runtime | undefined;

afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
  vi.useRealTimers();
});

const echo = defineTool({
  name: 'echo',
  description: 'returns its input',
  input: z.object({ value: z.unknown().optional() }).catchall(z.unknown()),
  output: z.unknown(),
  run: async (input) => input,
});

const hang = defineTool({
  name: 'hang',
  description: 'waits for its abort signal',
  input: z.object({}),
  output: z.unknown(),
  run: (_input, ctx) => new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true })),
});

function parseError(run: () => unknown): { code: string; issues: readonly { code: string; path: string; message: string }[] } {
  try {
    run();
  } catch (error) {
    if (isWorkflowValidationError(error)) return error;
    throw error;
  }
  throw new Error('expected a WorkflowValidationError');
}

function issuesOf(definition: unknown): { code: string; path: string; message: string }[] {
  const result = validateWorkflow(definition);
  return result.success ? [] : [...result.issues];
}

describe('durations', () => {
  const withDurations = (timeouts: { step?: unknown; workflow?: unknown; initial?: unknown; max?: unknown }): unknown => ({
    id: 'd',
    ...(timeouts.workflow === undefined ? {} : { timeoutMs: timeouts.workflow }),
    steps: [
      {
        id: 'a',
        tool: 'echo',
        ...(timeouts.step === undefined ? {} : { timeoutMs: timeouts.step }),
        retry: { maxAttempts: 2, ...(timeouts.initial === undefined ? {} : { initialDelayMs: timeouts.initial }), ...(timeouts.max === undefined ? {} : { maxDelayMs: timeouts.max }) },
      },
    ],
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_DURATION_MS + 1])('refuses the timeout %s with its path', (bad) => {
    const issues = issuesOf(withDurations({ step: bad, workflow: bad }));
    expect(issues.map((i) => i.path).sort()).toEqual(['steps[0].timeoutMs', 'timeoutMs']);
  });

  it('names the maximum, 30 days, in the message; accepts it', () => {
    const [issue] = issuesOf(withDurations({ step: MAX_DURATION_MS + 1 }));
    expect(issue?.message).toContain('2592000000');
    expect(validateWorkflow(withDurations({ step: MAX_DURATION_MS, workflow: MAX_DURATION_MS, initial: MAX_DURATION_MS, max: MAX_DURATION_MS })).success).toBe(true);
  });

  it('checks retry delays (0 is no wait) with the same bound', () => {
    expect(validateWorkflow(withDurations({ initial: 0, max: 0 })).success).toBe(true);
    const issues = issuesOf(withDurations({ initial: -5, max: MAX_DURATION_MS + 1 }));
    expect(issues.map((i) => i.path).sort()).toEqual(['steps[0].retry.initialDelayMs', 'steps[0].retry.maxDelayMs']);
  });

  it('checks a map step per-item timeout too', () => {
    const issues = issuesOf({ id: 'm', steps: [{ id: 'm', map: { items: '${{ input.list }}' }, tool: 'echo', timeoutMs: 0 }] });
    expect(issues.map((i) => i.path)).toEqual(['steps[0].timeoutMs']);
  });

  it('checks a tool timeout and a call timeout option', async () => {
    expect(() => defineTool({ ...echo, name: 'slow', timeoutMs: MAX_DURATION_MS + 1 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    runtime = createRuntime({ tools: [echo] });
    for (const timeoutMs of [0, -1, Number.NaN, MAX_DURATION_MS + 1]) {
      await expect(runtime.callTool('echo', {}, { timeoutMs })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    }
    await expect(runtime.callTool('echo', { value: 1 }, { timeoutMs: MAX_DURATION_MS })).resolves.toEqual({ value: 1 });
  });

  it('checks the timeout a tool gives ctx.request', async () => {
    const caller = defineTool({
      name: 'caller',
      description: 'requests echo with a bad timeout',
      input: z.object({}),
      output: z.unknown(),
      run: (_input, ctx) => ctx.request('echo', {}, { timeoutMs: MAX_DURATION_MS + 1, retry: false }),
    });
    runtime = createRuntime({ tools: [echo, caller] });
    const result = await runtime.executeWorkflow({ id: 'r', steps: [{ id: 'a', tool: 'caller' }] });
    expect(result.status).toBe('failed');
    expect(result.steps.a?.error?.message).toContain('timeoutMs');
  });
});

describe('timers past 2^31 - 1 ms', () => {
  /** A host clock with Node's cap: a longer delay fires after 1 ms, as Node does. */
  function cappedHost(): Clock & { advance(ms: number): void; delays: number[] } {
    let now = 0;
    const timers = new Map<number, { at: number; run: () => void }>();
    let next = 0;
    const delays: number[] = [];
    return {
      delays,
      now: () => now,
      setTimeout(callback, delayMs) {
        delays.push(delayMs);
        const id = next++;
        timers.set(id, { at: now + (delayMs > MAX_TIMER_DELAY_MS ? 1 : delayMs), run: callback });
        return id;
      },
      clearTimeout: (handle) => void timers.delete(handle as number),
      advance(ms) {
        const until = now + ms;
        for (;;) {
          const due = [...timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
          if (!due) break;
          timers.delete(due[0]);
          now = due[1].at;
          due[1].run();
        }
        now = until;
      },
    };
  }

  it('re-arms a long delay until it is due, and can be cleared between arms', () => {
    const host = cappedHost();
    const clock = rearmingClock(host);
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(host.now()), MAX_DURATION_MS);
    const cleared = clock.setTimeout(() => fired.push(-1), MAX_DURATION_MS);
    host.advance(MAX_TIMER_DELAY_MS + 10);
    clock.clearTimeout(cleared);
    expect(fired).toEqual([]);
    host.advance(MAX_DURATION_MS);
    expect(fired).toEqual([MAX_DURATION_MS]);
    expect(Math.max(...host.delays)).toBeLessThanOrEqual(MAX_TIMER_DELAY_MS);
  });

  it('a step timeout of 25 days does not fire after 1 ms on the system clock', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    runtime = createRuntime({ tools: [hang] });
    const days25 = 25 * 86_400_000;
    expect(days25).toBeGreaterThan(MAX_TIMER_DELAY_MS);
    const handle = runtime.startWorkflow({ id: 'long', steps: [{ id: 'a', tool: 'hang', timeoutMs: days25 }] });
    let done = false;
    void handle.result.then(() => (done = true));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(MAX_TIMER_DELAY_MS);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(days25);
    const result = await handle.result;
    expect(result.steps.a?.error?.code).toBe('STEP_TIMEOUT');
  });
});

describe('definition text bounds, before the parser', () => {
  const deep = {
    'flow sequences': '['.repeat(1_000) + ']'.repeat(1_000),
    'flow maps': '{a: '.repeat(1_000) + '1' + '}'.repeat(1_000),
    'block sequences': `${'- '.repeat(1_000)}x`,
    'block maps': Array.from({ length: 1_000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' 1',
    'JSON arrays': `{"id":"x","steps":${'['.repeat(1_000)}${']'.repeat(1_000)}}`,
  };

  it.each(Object.entries(deep))('refuses 1,000-deep %s with a typed error, twice in a row', (_name, text) => {
    for (let round = 0; round < 2; round++) {
      const error = parseError(() => parseWorkflow(text));
      expect(error.issues[0]?.code).toMatch(/^DEFINITION_TOO_DEEP$/);
    }
  });

  it('refuses text past the size limit', () => {
    const error = parseError(() => parseWorkflow(`id: x\n#${'x'.repeat(DefinitionLimits.maxTextChars)}`));
    expect(error.code).toBe('WORKFLOW_PARSE_ERROR');
    expect(error.issues[0]?.code).toBe('DEFINITION_TOO_LARGE');
  });

  it('refuses a YAML alias bomb and a self-referencing alias with typed errors', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]', 'id: x', 'steps: [*d]'].join('\n');
    expect(parseError(() => parseWorkflow(bomb)).code).toBe('WORKFLOW_PARSE_ERROR');
    for (const text of ['id: x\nsteps: &s [*s]', 'id: &i x\nsteps: &s\n  - id: a\n    tool: echo\n    input: { self: *s }']) {
      const error = parseError(() => parseWorkflow(text));
      expect(error.issues.every((i) => typeof i.path === 'string')).toBe(true);
    }
  });

  it('keeps real definitions: indentation and brackets of ordinary YAML pass', () => {
    const text = ['id: ok', 'steps:', '  - id: a', '    tool: echo', '    input:', '      value: { a: [1, { b: [2, { c: 3 }] }] }', '  - id: b', '    tool: echo', '    dependsOn: [a]'].join('\n');
    expect(parseWorkflow(text, { tools: [echo] }).steps).toHaveLength(2);
  });
});

describe('definition value bounds', () => {
  it('refuses nesting past the depth limit and cycles, each with a path', () => {
    let value: unknown = 1;
    for (let i = 0; i < 1_000; i++) value = { v: value };
    expect(issuesOf({ id: 'x', steps: [{ id: 'a', tool: 'echo', input: value }] })[0]).toMatchObject({ code: 'DEFINITION_TOO_DEEP', path: expect.stringMatching(/^steps\[0\]\.input\.v/) });
    const cyclic: Record<string, unknown> = { id: 'a', tool: 'echo' };
    cyclic.input = { back: cyclic };
    expect(issuesOf({ id: 'x', steps: [cyclic] })[0]).toMatchObject({ code: 'DEFINITION_CYCLE', path: 'steps[0].input.back' });
  });

  it(`refuses more than ${DefinitionLimits.maxSteps} steps`, () => {
    const steps = Array.from({ length: DefinitionLimits.maxSteps + 1 }, (_, i) => ({ id: `s${i}`, tool: 'echo' }));
    expect(issuesOf({ id: 'x', steps })).toEqual([expect.objectContaining({ code: 'TOO_MANY_STEPS', path: 'steps' })]);
  });

  it('validates a 10,000-step chain', () => {
    const steps = Array.from({ length: DefinitionLimits.maxSteps }, (_, i) => ({
      id: `s${i}`,
      tool: 'echo',
      ...(i === 0 ? {} : { dependsOn: [`s${i - 1}`], input: { value: `\${{ steps.s${i - 1}.output.value }}` } }),
    }));
    const result = validateWorkflow({ id: 'x', steps }, { tools: [echo] });
    expect(result.issues).toEqual([]);
  });

  it('reads sparse step arrays and hostile input keys as issues, not crashes', () => {
    // eslint-disable-next-line no-sparse-arrays
    const sparse = [{ id: 'a', tool: 'echo' }, , { id: 'c', tool: 'echo' }];
    expect(issuesOf({ id: 'x', steps: sparse }).map((i) => i.path)).toEqual(['steps[1]']);
    const strict = defineTool({ name: 'strict', description: 's', input: z.object({ name: z.string() }), output: z.unknown(), run: async () => null });
    for (const key of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      const input = JSON.parse(`{"name": "n", "${key}": 1}`) as Record<string, unknown>;
      const result = validateWorkflow({ id: 'x', steps: [{ id: 'a', tool: 'strict', input }] }, { tools: [strict] });
      const code = key === '__proto__' ? 'RESERVED_KEY' : 'UNKNOWN_INPUT_FIELD';
      expect(result.issues).toEqual([expect.objectContaining({ code, path: `steps[0].input.${key}` })]);
    }
  });
});

describe('expression bounds', () => {
  it('refuses an expression past the size, node and depth limits at validation', () => {
    const long = `\${{ input.a == '${'x'.repeat(DefinitionLimits.maxExpressionChars)}' }}`;
    const terms = `\${{ ${Array.from({ length: 3_000 }, () => 'input.n').join(' + ')} }}`;
    const deep = `\${{ ${'('.repeat(100)}1${')'.repeat(100)} }}`;
    for (const value of [long, terms, deep]) {
      expect(issuesOf({ id: 'x', steps: [{ id: 'a', tool: 'echo', input: { value } }] })).toEqual([
        expect.objectContaining({ code: 'EXPRESSION_INVALID', path: 'steps[0].input.value' }),
      ]);
    }
  });

  it('fails a step whose condition iterates past the budget, with a typed error', async () => {
    const clock = createCountingClock();
    runtime = createRuntime({ tools: [echo], clock });
    const list = Array.from({ length: 1_000 }, (_, i) => i);
    const result = await drive(
      clock,
      runtime.executeWorkflow(
        { id: 'costly', steps: [{ id: 'a', tool: 'echo', when: 'input.list.exists(a, input.list.exists(b, a + b < 0))' }] },
        { input: { list } },
      ),
    );
    expect(result.status).toBe('failed');
    expect(result.steps.a?.error?.code).toBe('EXPRESSION_BUDGET_EXCEEDED');
  });

  it('fails a step whose input wiring iterates past the budget; a small comprehension runs', async () => {
    const clock = createCountingClock();
    runtime = createRuntime({ tools: [echo], clock });
    const list = Array.from({ length: 1_000 }, (_, i) => i);
    const definition: WorkflowDefinitionInput = {
      id: 'costly',
      steps: [
        { id: 'small', tool: 'echo', input: { value: '${{ input.list.filter(x, x < 3) }}' } },
        { id: 'big', tool: 'echo', dependsOn: ['small'], input: { value: '${{ input.list.map(a, input.list.map(b, a * b)) }}' } },
      ],
    };
    const result = await drive(clock, runtime.executeWorkflow(definition, { input: { list } }));
    expect(result.steps.small?.output).toEqual({ value: [0, 1, 2] });
    expect(result.steps.big?.status).toBe('failed');
    expect(result.steps.big?.error?.message).toMatch(/iterated more than|ran longer than/);
    await flush();
  });

  it('compiles a template of "${{" repeated 100,000 times', () => {
    const result = validateWorkflow({ id: 'x', steps: [{ id: 'a', tool: 'echo', input: { value: '${{'.repeat(100_000) } }] });
    expect(result.success).toBe(true);
  });

  it('gives a hint for a typo and none for a 100,000-character name', () => {
    const near = validateWorkflow({ id: 'x', steps: [{ id: 'a', tool: 'ehco' }] }, { tools: [echo] });
    expect(near.issues[0]?.message).toContain('did you mean "echo"');
    const long = validateWorkflow({ id: 'x', steps: [{ id: 'a', tool: 'e'.repeat(100_000) }] }, { tools: [echo] });
    expect(long.issues[0]?.code).toBe('UNKNOWN_TOOL');
    expect(long.issues[0]?.message).not.toContain('did you mean');
  });
});

describe('regular expressions in CEL', () => {
  it('`matches` runs in linear time (RE2): a catastrophic pattern on a long string returns', () => {
    const scope = { input: { s: `${'a'.repeat(5_000)}!` }, steps: {}, context: {}, env: {} };
    expect(parseExpression("input.s.matches('^(a+)+$')", 'when').evaluate(scope)).toBe(false);
    expect(parseExpression("matches(input.s, 'a{3}!$')", 'when').evaluate(scope)).toBe(true);
    expect(() => parseExpression("input.s.matches('(a)\\\\1')", 'when').evaluate(scope)).toThrow(expect.objectContaining({ code: 'EXPRESSION_FAILED' }));
  });
});
