import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createRuntime, defineTool, validateWorkflow, type AnyTool, type ToolErrorSpec, type WorkflowDefinitionInput } from '../src/index.js';
import {
  arbitraryToolBehaviour,
  arbitraryWorkflow,
  BuiltInInvariant,
  checkWorkflow,
  exploreWorkflow,
  type Invariant,
  type RuntimeFactory,
} from '../src/testing/index.js';
import { testCommand } from '../src/cli/testCommand.js';
import { runCli } from './support/runCli.js';

const tool = (name: string, errors: Record<string, ToolErrorSpec>, timeoutMs?: number): AnyTool =>
  defineTool({
    name,
    description: `${name} (test double)`,
    input: z.object({}).passthrough(),
    output: z.object({}).passthrough(),
    errors,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    run: () => Promise.resolve({}),
  });

const tools: AnyTool[] = [
  tool('analyze_repository', { REPO_NOT_FOUND: { retryable: false }, UNSUPPORTED_LANGUAGE: { retryable: false } }),
  tool('generate_dockerfile', { TEMPLATE_MISSING: { retryable: false } }),
  tool('validate_dockerfile', { DOCKERFILE_INVALID: { retryable: false } }),
  tool('scan_secrets', { SECRETS_FOUND: { retryable: false } }),
  tool('build_image', { BUILD_FAILED: { retryable: false }, REGISTRY_UNAVAILABLE: { type: 'unavailable' } }),
  tool('scan_image', { VULNERABLE: { retryable: false } }),
  tool('push_image', { PUSH_DENIED: { retryable: false } }),
  tool('generate_manifests', { INVALID_PORT: { retryable: false } }, 30_000),
];

/** analyze -> dockerfile (when) -> validate & secrets in parallel -> build (when env.docker) -> scan -> push & manifests. */
const containerize: WorkflowDefinitionInput = {
  id: 'containerize',
  input: { repoPath: { type: 'string', default: '.' } },
  steps: [
    { id: 'analyze', tool: 'analyze_repository', input: { path: '${{ input.repoPath }}' } },
    { id: 'dockerfile', tool: 'generate_dockerfile', dependsOn: ['analyze'], when: 'size(steps.analyze.output.dockerfiles) == 0' },
    { id: 'validate', tool: 'validate_dockerfile', dependsOn: ['dockerfile'], skipIfDependencySkipped: false },
    { id: 'secrets', tool: 'scan_secrets', dependsOn: ['analyze'] },
    { id: 'build', tool: 'build_image', dependsOn: ['validate', 'secrets'], when: 'env.docker', retry: { maxAttempts: 2 }, timeoutMs: 600_000 },
    { id: 'scan', tool: 'scan_image', dependsOn: ['build'], timeoutMs: 300_000 },
    { id: 'push', tool: 'push_image', dependsOn: ['scan'] },
    { id: 'manifests', tool: 'generate_manifests', dependsOn: ['scan'] },
  ],
  output: { image: '${{ steps.build.output.tag }}' },
};

/**
 * The planted bug: a scan_image that, when its call is aborted (the step timed out), starts the
 * push itself through `ctx.request`, detached from its own cancellation so that it "finishes
 * anyway". The push step depends on the scan, so the push runs although its dependency never
 * completed. (The runtime's `stop()` still cancels the detached request, so nothing leaks.)
 */
const scanStartsPushOnTimeout: RuntimeFactory = (options) =>
  createRuntime({
    ...options,
    tools: options.tools.map((standIn) =>
      standIn.name !== 'scan_image'
        ? standIn
        : defineTool({
            ...standIn,
            run: (input, ctx) => {
              const detached = new AbortController().signal; // the bug: "let the push finish anyway"
              ctx.signal.addEventListener('abort', () => void ctx.request('push_image', {}, { signal: detached, timeoutMs: 60_000 }).catch(() => undefined));
              return standIn.run(input, ctx);
            },
          }),
    ),
  });

describe('exploreWorkflow', () => {
  it('replays every path of the containerize model on the runtime, covering all its states and transitions', async () => {
    const report = await exploreWorkflow(containerize, { tools });
    expect(report.violations).toEqual([]);
    expect(report.paths).toHaveLength(report.modelPaths);
    expect(report.coverage.states.covered).toBe(report.coverage.states.total);
    expect(report.coverage.transitions.covered).toBe(report.coverage.transitions.total);
    expect(report.coverage.states.total).toBeGreaterThan(30);
    expect(report.paths.every((p) => p.result === p.predicted)).toBe(true);
    const events = report.paths.map((p) => p.events);
    expect(events[0]).toEqual(['analyze.REPO_NOT_FOUND']);
    for (const event of ['dockerfile.CONDITION_FALSE', 'build.REGISTRY_UNAVAILABLE', 'build.TIMEOUT', 'manifests.TIMEOUT', 'push.OK']) {
      expect(events.some((e) => e.includes(event))).toBe(true);
    }
    expect(events.some((e) => e.includes('build.CONDITION_FALSE') && e.includes('push.OK'))).toBe(false); // push needs the scan, which needs the build
  });

  it('finds the planted bug on exactly the paths where the scan times out, and reports the shortest one', async () => {
    const report = await exploreWorkflow(containerize, { tools, runtimeFactory: scanStartsPushOnTimeout });
    const timeouts = report.paths.filter((p) => p.events.includes('scan.TIMEOUT'));
    const shortest = timeouts.reduce((a, b) => (b.events.length < a.events.length ? b : a));
    expect(shortest.events).toEqual(['analyze.OK', 'dockerfile.CONDITION_FALSE', 'validate.OK', 'secrets.OK', 'build.CONDITION_TRUE', 'build.OK', 'scan.TIMEOUT']);
    expect(report.violations).toEqual([
      {
        invariant: BuiltInInvariant.expectedCalls,
        message: 'push_image was called for "scan" attempt 1; the path expects scan_image up to attempt 1',
        path: shortest.events,
        count: timeouts.length,
      },
    ]);
    expect(report.paths.filter((p) => p.violated.length > 0)).toEqual(timeouts);
  });

  it('reports a user invariant broken only when the build times out, with its shortest path', async () => {
    const noBuildTimeout: Invariant = {
      name: 'the build never times out',
      check: (result) => result.steps.build?.error?.code !== 'STEP_TIMEOUT' || 'build failed with STEP_TIMEOUT',
    };
    const report = await exploreWorkflow(containerize, { tools, invariants: [noBuildTimeout] });
    const lastBuild = (events: string[]) => events.filter((e) => e.startsWith('build.')).at(-1);
    const violating = report.paths.filter((p) => p.violated.includes(noBuildTimeout.name));
    expect(violating).toEqual(report.paths.filter((p) => lastBuild(p.events) === 'build.TIMEOUT'));
    expect(report.violations).toEqual([
      {
        invariant: noBuildTimeout.name,
        message: 'build failed with STEP_TIMEOUT',
        count: violating.length,
        path: ['analyze.OK', 'dockerfile.CONDITION_FALSE', 'validate.OK', 'secrets.OK', 'build.CONDITION_TRUE', 'build.REGISTRY_UNAVAILABLE', 'build.TIMEOUT'],
      },
    ]);
    expect(Math.min(...violating.map((p) => p.events.length))).toBe(7);
  });

  it('narrows outcomes per tool and caps the replay with maxPaths, which shows in the coverage', async () => {
    const narrowed = await exploreWorkflow(containerize, { tools, outcomes: { build_image: ['OK'], scan_image: ['OK'], generate_manifests: ['OK', 'INVALID_PORT'] } });
    expect(narrowed.violations).toEqual([]);
    const buildOutcomes = narrowed.paths.flatMap((p) => p.events).filter((e) => e.startsWith('build.') && !e.startsWith('build.CONDITION'));
    expect(new Set(buildOutcomes)).toEqual(new Set(['build.OK']));
    const capped = await exploreWorkflow(containerize, { tools, maxPaths: 5 });
    expect(capped.paths).toHaveLength(5);
    expect(capped.modelPaths).toBeGreaterThan(5);
    expect(capped.coverage.transitions.covered).toBeLessThan(capped.coverage.transitions.total);
  });

  it('replays without circuit breakers, which the model does not know (six failures of one tool)', async () => {
    const flaky = tool('flaky', { BUSY: { type: 'unavailable' } });
    const fanOut: WorkflowDefinitionInput = {
      id: 'fan-out',
      errorPolicy: { mode: 'continue' },
      steps: ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => ({ id, tool: 'flaky' })),
    };
    const report = await exploreWorkflow(fanOut, { tools: [flaky], outcomes: { flaky: ['BUSY'] } });
    expect(report.paths).toEqual([{ events: ['a.BUSY', 'b.BUSY', 'c.BUSY', 'd.BUSY', 'e.BUSY', 'f.BUSY'], result: 'failed', predicted: 'failed', violated: [] }]);
  });

  it('rejects an invalid definition with every problem at once', async () => {
    await expect(exploreWorkflow({ id: 'bad', steps: [{ id: 'a', tool: 'nope', dependsOn: ['ghost'] }] }, { tools })).rejects.toMatchObject({
      name: 'WorkflowValidationError',
      issues: expect.arrayContaining([expect.objectContaining({ path: 'steps[0].tool' }), expect.objectContaining({ path: 'steps[0].dependsOn[0]' })]) as unknown,
    });
  });
});

describe('checkWorkflow', () => {
  it('passes on a correct workflow, under both error policies', async () => {
    const failFast = await checkWorkflow(containerize, { tools, numRuns: 40, seed: 1 });
    expect(failFast).toMatchObject({ ok: true, numRuns: 40 });
    const lenient = await checkWorkflow({ ...containerize, errorPolicy: { mode: 'continue' } }, { tools, numRuns: 40, seed: 2 });
    expect(lenient.counterexample).toBeUndefined();
  });

  it('returns a shrunk counterexample for the planted bug: a script in which the scan times out', async () => {
    const report = await checkWorkflow(containerize, { tools, numRuns: 300, seed: 7, runtimeFactory: scanStartsPushOnTimeout });
    expect(report.ok).toBe(false);
    expect(report.counterexample?.script.attempts.scan).toEqual(['TIMEOUT']);
    expect(report.counterexample?.breaches.map((b) => b.invariant)).toEqual([BuiltInInvariant.expectedCalls]);
  });
});

describe('arbitraries', () => {
  it('arbitraryWorkflow draws definitions that validateWorkflow accepts', () => {
    fc.assert(
      fc.property(arbitraryWorkflow({ tools, maxSteps: 12 }), (definition) => {
        const result = validateWorkflow(definition, { tools });
        return result.success || expect(result.issues).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('arbitraryToolBehaviour draws one outcome per attempt from what the tool declares', () => {
    const build = tools.find((t) => t.name === 'build_image') as AnyTool;
    fc.assert(
      fc.property(arbitraryToolBehaviour(build, { attempts: 2 }), (script) => {
        expect(script).toHaveLength(2);
        expect(script.every((o) => ['OK', 'BUILD_FAILED', 'REGISTRY_UNAVAILABLE', 'TIMEOUT'].includes(o))).toBe(true);
      }),
    );
  });

  it('the model agrees with the runtime on random workflows (property)', async () => {
    const small = [tool('fetch', { GONE: { retryable: false }, BUSY: {} }), tool('store', { FULL: { retryable: false } })];
    await fc.assert(
      fc.asyncProperty(arbitraryWorkflow({ tools: small, maxSteps: 4, maxAttempts: 2 }), async (definition) => {
        const report = await exploreWorkflow(definition, { tools: small, maxPaths: 60 });
        expect(report.violations).toEqual([]);
      }),
      { numRuns: 8, seed: 42 },
    );
  });
});

describe('orchkit test', () => {
  it('explores a workflow file with the default tool pack (exit 0), and rejects an invalid one (exit 2)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'orchkit-test-'));
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => printed.push(String(chunk)) > 0);
    try {
      const small = path.join(dir, 'small.yaml');
      await writeFile(small, 'id: small\nsteps:\n  - { id: analyze, tool: analyze_repository, input: { path: . } }\n  - { id: secrets, tool: scan_secrets, dependsOn: [analyze], input: { path: . } }\n');
      await writeFile(path.join(dir, 'bad.yaml'), 'id: bad\nsteps:\n  - { id: a, tool: analyse_repository }\n');
      expect(await testCommand(small)).toBe(0);
      write.mockRestore();
      expect(printed.join('')).toMatch(/small\.yaml: \d+ path\(s\) replayed\n {2}states covered: +(\d+)\/\1 \(100%\)\n {2}transitions covered: +(\d+)\/\2 \(100%\)\n {2}every invariant holds\n/);
      const bad = await runCli(['test', path.join(dir, 'bad.yaml')]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('did you mean "analyze_repository"');
    } finally {
      write.mockRestore();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// The README recipe: paste as is into a project's test file (imports from 'orchkit/testing').
describe('README recipe', () => {
  it('the containerize workflow survives every outcome of every tool', async () => {
    const report = await exploreWorkflow(containerize, { tools });
    expect(report.violations).toEqual([]);
    expect(report.coverage.transitions.covered).toBe(report.coverage.transitions.total);
  });

  it('and random outcome scripts', async () => {
    const report = await checkWorkflow(containerize, { tools, numRuns: 50 });
    expect(report.counterexample).toBeUndefined();
  });
});
