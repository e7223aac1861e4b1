import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createRuntime,
  defineTool,
  isWorkflowValidationError,
  ToolError,
  validateWorkflow,
  type Runtime,
  type WorkflowDefinitionInput,
} from '../src/index.js';
import { topLevelMessages } from '../src/runtime/bus/topLevelMessages.js';
import { until } from './support/until.js';

const echo = defineTool({
  name: 'echo',
  description: 'returns its input',
  input: z.object({ value: z.unknown() }).loose(),
  output: z.unknown(),
  run: (input) => Promise.resolve(input.value),
});

const fail = defineTool({
  name: 'fail',
  description: 'fails with its code',
  input: z.object({ code: z.string() }),
  output: z.unknown(),
  errors: { PUSH_DENIED: { type: 'execution_error', retryable: false } },
  run: ({ code }) => Promise.reject(new ToolError({ code, message: `failed with ${code}` })),
});

/** Waits until aborted; records the abort. */
function hanging() {
  const aborted: string[] = [];
  const tool = defineTool({
    name: 'hang',
    description: 'waits until aborted',
    input: z.object({}).loose(),
    output: z.unknown(),
    run: (_input, ctx) =>
      new Promise((_resolve, reject) =>
        ctx.signal.addEventListener('abort', () => {
          aborted.push(ctx.executionId);
          reject(new Error('aborted'));
        }, { once: true }),
      ),
  });
  return { tool, aborted };
}

const buildImage: WorkflowDefinitionInput = {
  id: 'build-image',
  input: { context: { type: 'string' }, tag: { type: 'string', default: 'latest' } },
  steps: [{ id: 'build', tool: 'echo', input: { value: { ref: '${{ input.context + ":" + input.tag }}' } } }],
  output: '${{ steps.build.output }}',
};

const parent: WorkflowDefinitionInput = {
  id: 'containerize',
  steps: [
    { id: 'list', tool: 'echo', input: { value: { path: 'app' } } },
    { id: 'build', workflow: 'build-image', dependsOn: ['list'], input: { context: '${{ steps.list.output.path }}' } },
    { id: 'push', tool: 'echo', dependsOn: ['build'], input: { value: '${{ steps.build.output.ref }}' } },
  ],
  output: '${{ steps.push.output }}',
};

async function withRuntime<T>(options: Parameters<typeof createRuntime>[0], body: (runtime: Runtime) => Promise<T>): Promise<T> {
  const runtime = createRuntime(options);
  try {
    return await body(runtime);
  } finally {
    await runtime.stop();
  }
}

describe('workflow steps: child runs', () => {
  it('runs the child with its own executionId, the parent correlationId and a causation link; its output is the step output', async () => {
    await withRuntime({ tools: [echo], workflows: [buildImage] }, async (runtime) => {
      const result = await runtime.executeWorkflow(parent, { correlationId: 'corr-1' });
      expect(result).toMatchObject({ status: 'completed', output: 'app:latest' });
      const childId = result.steps.build?.childExecutionId;
      expect(childId).toBe(`${result.executionId}:build`);
      expect(result.steps.build).toMatchObject({ status: 'completed', attempts: 1, output: { ref: 'app:latest' } });
      const trace = runtime.trace('corr-1');
      const childStarted = trace.find((m) => m.type === 'execution.started' && m.executionId === childId);
      const stepStarted = trace.find((m) => m.type === 'step.started' && m.executionId === result.executionId && m.stepId === 'build');
      expect(childStarted?.causationId).toBe(stepStarted?.id);
      expect(childStarted?.payload).toMatchObject({ workflowId: 'build-image', parent: { executionId: result.executionId, stepId: 'build' }, depth: 2 });
      expect(trace.filter((m) => m.type === 'execution.finished').map((m) => m.executionId)).toEqual([childId, result.executionId]);
      // A child run shares its parent's session but records no history of its own there.
      expect(runtime.sessions()).toEqual([]);
    });
  });

  it("progress views keep the top-level run's messages: a child's steps do not settle the parent's rows", async () => {
    await withRuntime({ tools: [echo], workflows: [buildImage] }, async (runtime) => {
      const result = await runtime.executeWorkflow(parent, { correlationId: 'corr-2' });
      const own = runtime.trace('corr-2').filter(topLevelMessages());
      expect(new Set(own.map((m) => m.executionId))).toEqual(new Set([result.executionId]));
      // The child has a step "build" too; only the parent's "build" completes in the kept messages.
      expect(own.filter((m) => m.type === 'step.completed' && m.stepId === 'build')).toHaveLength(1);
      expect(runtime.trace('corr-2').filter((m) => m.type === 'step.completed' && m.stepId === 'build')).toHaveLength(2);
    });
  });

  it('a failed child fails the step with the child error code; the parent fails with it', async () => {
    const failing: WorkflowDefinitionInput = { id: 'push-image', steps: [{ id: 'push', tool: 'fail', input: { code: 'PUSH_DENIED' } }] };
    await withRuntime({ tools: [echo, fail], workflows: [failing] }, async (runtime) => {
      const result = await runtime.executeWorkflow({ id: 'p', steps: [{ id: 'ship', workflow: 'push-image', retry: { maxAttempts: 3, initialDelayMs: 1 } }] });
      expect(result.status).toBe('failed');
      expect(result.error).toMatchObject({ code: 'PUSH_DENIED', stepId: 'ship' });
      expect(result.steps.ship).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'PUSH_DENIED', details: { childStepId: 'push', childStatus: 'failed' } } });
      // A retryable child failure is retried with a new child run per attempt.
      const flaky: WorkflowDefinitionInput = { id: 'flaky', steps: [{ id: 'x', tool: 'fail', input: { code: 'FLAKY' } }] };
      runtime.registerWorkflow(flaky);
      const retried = await runtime.executeWorkflow({ id: 'q', steps: [{ id: 'go', workflow: 'flaky', retry: { maxAttempts: 2, initialDelayMs: 1 } }] });
      expect(retried.steps.go).toMatchObject({ status: 'failed', attempts: 2, error: { code: 'FLAKY' }, childExecutionId: `${retried.executionId}:go#2` });
    });
  });

  it('cancelling the parent cancels the child: its tools see the abort and the step is cancelled', async () => {
    const h = hanging();
    const slow: WorkflowDefinitionInput = { id: 'slow', steps: [{ id: 'wait', tool: 'hang' }] };
    await withRuntime({ tools: [h.tool], workflows: [slow] }, async (runtime) => {
      const execution = runtime.startWorkflow({ id: 'outer', steps: [{ id: 'child', workflow: 'slow' }] });
      const childId = `${execution.executionId}:child`;
      await until('the child run to start', () => runtime.executions().some((e) => e.executionId === childId));
      execution.cancel('stop it');
      const result = await execution.result;
      expect(result.status).toBe('cancelled');
      expect(result.steps.child).toMatchObject({ status: 'cancelled', childExecutionId: childId });
      await until('the child tool to see the abort', () => h.aborted.includes(childId));
      await until('the child to end', () => !runtime.executions().some((e) => e.executionId === childId));
      const childEnd = runtime.trace(execution.correlationId).find((m) => m.type === 'execution.finished' && m.executionId === childId);
      expect(childEnd?.payload).toMatchObject({ status: 'cancelled' });
    });
  });

  it('a step timeout stops the child run like a tool call', async () => {
    const h = hanging();
    await withRuntime({ tools: [h.tool], workflows: [{ id: 'slow', steps: [{ id: 'wait', tool: 'hang' }] }] }, async (runtime) => {
      const result = await runtime.executeWorkflow({ id: 'outer', steps: [{ id: 'child', workflow: 'slow', timeoutMs: 20 }] });
      expect(result.steps.child).toMatchObject({ status: 'failed', error: { code: 'STEP_TIMEOUT' } });
      await until('the child tool to see the abort', () => h.aborted.length === 1);
    });
  });

  it('nesting past maxWorkflowDepth fails the deepest step with MAX_DEPTH_EXCEEDED, up the chain', async () => {
    const countdown: WorkflowDefinitionInput = {
      id: 'countdown',
      input: { n: { type: 'integer' } },
      steps: [{ id: 'again', workflow: 'countdown', when: 'input.n > 0', input: { n: '${{ input.n - 1 }}' } }],
      output: '${{ input.n }}',
    };
    await withRuntime({ tools: [echo], workflows: [countdown], maxWorkflowDepth: 3 }, async (runtime) => {
      expect((await runtime.executeWorkflow('countdown', { input: { n: 2 } })).status).toBe('completed');
      const deep = await runtime.executeWorkflow('countdown', { input: { n: 5 } });
      expect(deep.status).toBe('failed');
      expect(deep.error).toMatchObject({ code: 'MAX_DEPTH_EXCEEDED', stepId: 'again' });
    });
    expect(() => createRuntime({ maxWorkflowDepth: 0 })).toThrow(/maxWorkflowDepth/);
  });

  it('property: a self-calling chain of n levels completes iff n <= maxWorkflowDepth, else MAX_DEPTH_EXCEEDED', async () => {
    const countdown: WorkflowDefinitionInput = {
      id: 'countdown',
      input: { n: { type: 'integer' } },
      steps: [{ id: 'again', workflow: 'countdown', when: 'input.n > 1', input: { n: '${{ input.n - 1 }}' } }],
    };
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 }), async (levels, maxWorkflowDepth) =>
        withRuntime({ workflows: [countdown], maxWorkflowDepth }, async (runtime) => {
          const result = await runtime.executeWorkflow('countdown', { input: { n: levels } });
          if (levels <= maxWorkflowDepth) expect(result.status).toBe('completed');
          else expect(result.error?.code).toBe('MAX_DEPTH_EXCEEDED');
        }),
      ),
      { numRuns: 40 },
    );
  });
});

describe('workflow steps: validation', () => {
  it('an unknown child id is UNKNOWN_WORKFLOW when the parent is executed and in validateWorkflow with workflows', async () => {
    await withRuntime({ tools: [echo] }, async (runtime) => {
      // Registering the parent before its child is allowed...
      runtime.registerWorkflow(parent);
      let caught: unknown;
      try {
        runtime.startWorkflow('containerize');
      } catch (error) {
        caught = error;
      }
      expect(isWorkflowValidationError(caught)).toBe(true);
      expect((caught as { issues: unknown[] }).issues).toEqual([expect.objectContaining({ code: 'UNKNOWN_WORKFLOW', path: 'steps[1].workflow' })]);
      // ...and runs once the child is there.
      runtime.registerWorkflow(buildImage);
      expect((await runtime.executeWorkflow('containerize')).status).toBe('completed');
    });
    const checked = validateWorkflow({ ...parent, steps: [...(parent.steps as object[]), { id: 'x', workflow: 'build-imag' }] }, { tools: [echo], workflows: [buildImage] });
    expect(checked.issues).toEqual([expect.objectContaining({ code: 'UNKNOWN_WORKFLOW', path: 'steps[3].workflow', message: expect.stringContaining('did you mean "build-image"') })]);
    expect(validateWorkflow(parent, { tools: [echo] }).success).toBe(true); // without workflows, ids are not checked
  });

  it('wiring into the child is checked against its declared input, and versions against the registered ones', () => {
    const result = validateWorkflow(
      {
        id: 'p',
        steps: [
          { id: 'a', workflow: 'build-image', input: { context: 7, tga: 'x' } },
          { id: 'b', workflow: 'build-image', input: {} },
          { id: 'c', workflow: 'build-image', version: 2, input: { context: 'x' } },
          { id: 'd', workflow: 'build-image', input: { context: '${{ steps.a.output.ref }}' }, dependsOn: ['a'] },
        ],
      },
      { tools: [echo], workflows: [buildImage] },
    );
    expect(result.issues).toEqual([
      expect.objectContaining({ code: 'INPUT_TYPE_MISMATCH', path: 'steps[0].input.context' }),
      expect.objectContaining({ code: 'UNKNOWN_INPUT_FIELD', path: 'steps[0].input.tga', message: expect.stringContaining('inputs: context, tag') }),
      expect.objectContaining({ code: 'MISSING_INPUT_FIELD', path: 'steps[1].input' }),
      expect.objectContaining({ code: 'UNKNOWN_WORKFLOW', path: 'steps[2].version' }),
    ]);
  });

  it('schema: a workflow step takes workflow, version, input, retry; other keys are typed errors with paths', () => {
    const result = validateWorkflow({ id: 'p', steps: [{ id: 'a', workflow: 'build-image', tool: 'echo', inptu: {} }, { id: 'b', workflow: '9bad' }] });
    expect(result.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'steps[0].tool' }),
        expect.objectContaining({ path: 'steps[0].inptu' }),
        expect.objectContaining({ code: 'SCHEMA', path: 'steps[1].workflow' }),
      ]),
    );
  });

  it('exploration and checkWorkflow refuse workflow steps, naming the step (they do not walk into children yet)', async () => {
    const { exploreWorkflow } = await import('../src/testing/index.js');
    await expect(exploreWorkflow(parent, { tools: [echo] })).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringContaining('step "build" runs workflow children') });
  });

  it('child input that does not fit at run time fails the step with the input error code and its path', async () => {
    await withRuntime({ tools: [echo], workflows: [buildImage] }, async (runtime) => {
      const result = await runtime.executeWorkflow({ id: 'p', steps: [{ id: 'n', tool: 'echo', input: { value: 5 } }, { id: 'b', workflow: 'build-image', dependsOn: ['n'], input: { context: '${{ steps.n.output }}' } }] });
      expect(result.steps.b).toMatchObject({ status: 'failed', error: { code: 'INPUT_INVALID', retryable: false, details: { path: 'input.context' } } });
    });
  });
});

describe('workflow steps: map over a workflow', () => {
  const scan: WorkflowDefinitionInput = {
    id: 'scan-image',
    input: { image: { type: 'string' }, n: { type: 'integer' } },
    steps: [
      { id: 'check', tool: 'fail', when: "input.image == 'bad'", input: { code: 'VULNERABLE' } },
      { id: 'report', tool: 'echo', dependsOn: ['check'], skipIfDependencySkipped: false, input: { value: '${{ input.image + "#" + string(input.n) }}' } },
    ],
    output: '${{ steps.report.output }}',
  };
  const fanOut = (images: string[], maxFailures = 0): WorkflowDefinitionInput => ({
    id: 'scan-all',
    input: { images: { type: 'array', default: images } },
    steps: [{ id: 'scan', workflow: 'scan-image', map: { items: '${{ input.images }}', as: 'image', concurrency: 2, maxFailures }, input: { image: '${{ image }}', n: '${{ index }}' } }],
    output: '${{ steps.scan.output }}',
  });

  it('runs one child per item, outputs in item order, child ids <executionId>:<stepId>:<index>', async () => {
    await withRuntime({ tools: [echo, fail], workflows: [scan] }, async (runtime) => {
      const result = await runtime.executeWorkflow(fanOut(['a', 'b', 'c']), { correlationId: 'map-corr' });
      expect(result).toMatchObject({ status: 'completed', output: ['a#0', 'b#1', 'c#2'] });
      expect(result.steps.scan?.items).toMatchObject({ total: 3, completed: 3, failed: 0 });
      const children = runtime.trace('map-corr').filter((m) => m.type === 'execution.started' && m.executionId !== result.executionId).map((m) => m.executionId).sort();
      expect(children).toEqual([0, 1, 2].map((i) => `${result.executionId}:scan:${i}`));
    });
  });

  it('a failed child item is null within maxFailures; past it the step fails with MAP_TOO_MANY_FAILURES', async () => {
    await withRuntime({ tools: [echo, fail], workflows: [scan] }, async (runtime) => {
      const tolerated = await runtime.executeWorkflow(fanOut(['a', 'bad', 'c'], 1));
      expect(tolerated).toMatchObject({ status: 'completed', output: ['a#0', null, 'c#2'] });
      const failed = await runtime.executeWorkflow(fanOut(['a', 'bad', 'c']));
      expect(failed.error).toMatchObject({ code: 'MAP_TOO_MANY_FAILURES', stepId: 'scan', details: { cause: { code: 'VULNERABLE' } } });
    });
  });

  it('validation: an unknown workflow and a misspelt key of a map over a workflow name their paths', () => {
    const unknown = validateWorkflow({ ...fanOut(['a']), steps: [{ id: 'scan', workflow: 'scan-imag', map: { items: '${{ input.images }}' } }] }, { tools: [echo], workflows: [scan] });
    expect(unknown.issues).toEqual([expect.objectContaining({ code: 'UNKNOWN_WORKFLOW', path: 'steps[0].workflow' })]);
    const misspelt = validateWorkflow({ id: 'x', steps: [{ id: 'scan', workflow: 'scan-image', map: { items: '${{ [1] }}', concurency: 2 } }] });
    expect(misspelt.issues.map((i) => i.path)).toContain('steps[0].map.concurency');
  });
});
