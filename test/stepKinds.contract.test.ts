// Every step kind goes through the same contract: validate, run, snapshot restore mid-run,
// cancel, exploration. A new kind adds one entry to `kinds` below.
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { z } from 'zod';
import { compileWorkflow, createRuntime, defineTool, validateWorkflow, type WorkflowContext, type WorkflowDefinitionInput } from '../src/index.js';
import { exploreWorkflow } from '../src/testing/index.js';
import { toMermaid } from '../src/visualize/toMermaid.js';
import { workflowGraph } from '../src/visualize/workflowGraph.js';
import { flush } from './support/leakCheck.js';

/** A tool whose calls can be held until released, recording every call and every abort. */
function gatedTool() {
  const calls: string[] = [];
  const aborted: string[] = [];
  const gate = { hold: false, holdStep: undefined as string | undefined, waiting: [] as (() => void)[] };
  const tool = defineTool({
    name: 'work',
    description: 'adds one; held while the gate is closed',
    input: z.object({ n: z.number() }),
    output: z.object({ n: z.number() }),
    errors: { WORK_FAILED: { type: 'execution', retryable: false, description: 'the work failed' } },
    run: async ({ n }, ctx) => {
      calls.push(`${ctx.stepId}:${n}`);
      if (gate.hold || gate.holdStep === ctx.stepId) {
        await new Promise<void>((resolve, reject) => {
          gate.waiting.push(resolve);
          ctx.signal.addEventListener('abort', () => {
            aborted.push(`${ctx.stepId}:${n}`);
            reject(new Error('aborted'));
          });
        });
      }
      return { n: n + 1 };
    },
  });
  const release = (): void => gate.waiting.splice(0).forEach((resolve) => resolve());
  return { tool, calls, aborted, gate, release };
}

interface KindCase {
  key: string;
  /** The second label line its diagram gives step `b`. */
  detail: string;
  definition: WorkflowDefinitionInput;
  output: unknown;
  /** A definition with one mistake in the kind's own keys, and the path the issue must name. */
  invalid: { definition: WorkflowDefinitionInput; path: string };
  /** Step `b` parks until this signal comes (a `wait`); other kinds hold `b` at the tool's gate. */
  signal?: { name: string; payload: unknown };
}

/** Whether step `b` is parked (a wait) in this snapshot. */
const parked = (snapshot: unknown): boolean => (snapshot as { context: WorkflowContext }).context.steps.b?.phase === 'waiting';

const kinds: KindCase[] = [
  {
    key: 'tool',
    detail: 'work',
    definition: {
      id: 'kind-tool',
      steps: [
        { id: 'a', tool: 'work', input: { n: 1 } },
        { id: 'b', tool: 'work', dependsOn: ['a'], input: { n: '${{ steps.a.output.n }}' } },
      ],
      output: { n: '${{ steps.b.output.n }}' },
    },
    output: { n: 3 },
    invalid: { definition: { id: 'bad', steps: [{ id: 'a', tool: 'work', input: { n: 1 }, timeoutMs: -1 }] }, path: 'steps[0].timeoutMs' },
  },
  {
    key: 'map',
    detail: 'map v: work',
    definition: {
      id: 'kind-map',
      input: { values: { type: 'array', default: [1, 2, 3] } },
      steps: [
        { id: 'a', tool: 'work', input: { n: 0 } },
        { id: 'b', tool: 'work', dependsOn: ['a'], map: { items: '${{ input.values }}', as: 'v', concurrency: 2 }, input: { n: '${{ v }}' } },
      ],
      output: { ns: '${{ steps.b.output.map(o, o.n) }}' },
    },
    output: { ns: [2, 3, 4] },
    invalid: { definition: { id: 'bad', steps: [{ id: 'a', tool: 'work', map: { items: '${{ [1] }}', concurrency: 0 }, input: { n: 1 } }] }, path: 'steps[0].map.concurrency' },
  },
  {
    key: 'wait',
    detail: 'wait for signal go',
    definition: {
      id: 'kind-wait',
      steps: [
        { id: 'a', tool: 'work', input: { n: 1 } },
        { id: 'b', dependsOn: ['a'], wait: { signal: 'go', timeoutMs: 60_000 } },
        { id: 'c', tool: 'work', dependsOn: ['b'], input: { n: '${{ steps.b.output.n }}' } },
      ],
      output: { n: '${{ steps.c.output.n }}' },
    },
    output: { n: 11 },
    invalid: { definition: { id: 'bad', steps: [{ id: 'a', wait: { signal: 'go', timeoutMs: 0 } }] }, path: 'steps[0].wait.timeoutMs' },
    signal: { name: 'go', payload: { n: 10 } },
  },
];

describe.each(kinds)('step kind contract: $key', (kind) => {
  it('validates, and names the path of a mistake in its own keys', () => {
    const { tool } = gatedTool();
    expect(validateWorkflow(kind.definition, { tools: [tool] }).success).toBe(true);
    const bad = validateWorkflow(kind.invalid.definition, { tools: [tool] });
    expect(bad.success).toBe(false);
    if (!bad.success) expect(bad.issues.map((issue) => issue.path)).toContain(kind.invalid.path);
  });

  it('runs to its output', async () => {
    const { tool } = gatedTool();
    const runtime = createRuntime({ tools: [tool] });
    const execution = runtime.startWorkflow(kind.definition);
    if (kind.signal) {
      for (let i = 0; i < 50 && !parked(execution.actor.getSnapshot()); i++) await flush();
      await runtime.signal(execution.executionId, kind.signal.name, kind.signal.payload);
    }
    const result = await execution.result;
    await runtime.stop();
    expect(result.status).toBe('completed');
    expect(result.output).toEqual(kind.output);
  });

  it('restores a snapshot taken mid-run and finishes without re-running completed work', async () => {
    const { tool, calls, gate, release } = gatedTool();
    const checked = validateWorkflow(kind.definition, { tools: [tool] });
    if (!checked.success) throw new Error('invalid contract workflow');
    const machine = compileWorkflow(checked.definition, [tool]);
    // A machine started by hand gets no input defaults: give the map its values.
    const input = { executionId: 'e1', correlationId: 'c1', sessionId: 's1', input: { values: [1, 2, 3] } };
    gate.holdStep = 'b';
    const first = createActor(machine, { input }).start();
    const held = (): boolean => (kind.signal ? parked(first.getSnapshot()) : gate.waiting.length > 0);
    for (let i = 0; i < 20 && !held(); i++) await flush();
    expect(held()).toBe(true);
    const persisted = JSON.parse(JSON.stringify(first.getPersistedSnapshot())) as { context: WorkflowContext };
    first.stop();
    expect(persisted.context.steps.a?.status).toBe('completed');
    expect(persisted.context.steps.b?.status).toBe('running');
    const before = calls.filter((c) => c.startsWith('a:')).length;

    gate.holdStep = undefined;
    release();
    const restored = createActor(machine, { input, snapshot: persisted as never });
    const done = new Promise<void>((resolve) => restored.subscribe({ complete: resolve }));
    restored.start();
    if (kind.signal) restored.send({ type: 'workflow.signal', name: kind.signal.name, payload: kind.signal.payload });
    await done;
    expect(restored.getSnapshot().value).toBe('completed');
    expect(restored.getSnapshot().context.output).toEqual(kind.output);
    expect(calls.filter((c) => c.startsWith('a:')).length).toBe(before);
  });

  it('cancels: running calls see the abort, nothing new starts, every unfinished step is cancelled', async () => {
    const { tool, calls, aborted, gate } = gatedTool();
    const runtime = createRuntime({ tools: [tool] });
    gate.hold = true;
    const execution = runtime.startWorkflow(kind.definition);
    for (let i = 0; i < 20 && gate.waiting.length === 0; i++) await flush();
    execution.cancel('contract');
    const result = await execution.result;
    const callsAtCancel = calls.length;
    await flush();
    await runtime.stop();
    expect(result.status).toBe('cancelled');
    expect(aborted.length).toBe(gate.waiting.length);
    expect(calls.length).toBe(callsAtCancel);
    for (const step of Object.values(result.steps)) expect(['completed', 'cancelled']).toContain(step.status);
  });

  it('is drawn by its kind', () => {
    const { tool } = gatedTool();
    const checked = validateWorkflow(kind.definition, { tools: [tool] });
    if (!checked.success) throw new Error('invalid contract workflow');
    const graph = workflowGraph(checked.definition);
    const node = graph.nodes.find((n) => n.id === 'b');
    expect(node).toMatchObject({ kind: kind.key, detail: kind.detail });
    expect(toMermaid(graph)).toContain(kind.detail);
  });

  it('is explored: every model path replays on the real runtime with no violation', async () => {
    const { tool } = gatedTool();
    const exploration = await exploreWorkflow(kind.definition, { tools: [tool] });
    expect(exploration.violations).toEqual([]);
    expect(exploration.paths.map((p) => p.result).sort()).toEqual(expect.arrayContaining(['completed', 'failed']));
    expect(exploration.coverage.states.covered).toBe(exploration.coverage.states.total);
  });
});
