import fc from 'fast-check';
import { SimulatedClock } from 'xstate';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createToolRegistry, defineTool, invokeTool, ToolError, type AnyTool, type ErrorInfo, type ToolRegistry } from '../src/index.js';
import { defaultTools } from '../src/cli/defaultTools.js';
import { isRoutingError } from '../src/errors/RoutingError.js';
import { createRestartTracker } from '../src/machines/supervisor/createRestartTracker.js';
import { createSupervisor, type Supervisor, type SupervisorOptions } from '../src/runtime/createSupervisor.js';
import { activeRules, defaultRoutingRules } from '../src/machines/supervisor/defaultRoutingRules.js';
import { FailureRoutingRuleSchema, stepRoutingRule, type FailureRoutingRule } from '../src/machines/supervisor/FailureRoutingRule.js';
import { toRemediationOutcome } from '../src/machines/supervisor/RemediationOutcome.js';
import type { RouteDecision } from '../src/machines/supervisor/RouteDecision.js';
import type { RoutingFailure } from '../src/machines/supervisor/ruleExpression.js';
import { selectRoute } from '../src/machines/supervisor/selectRoute.js';
import { validateRoutingRules } from '../src/machines/supervisor/validateRoutingRules.js';
import { pushImage } from '../src/tools/pushImage.js';
import { createCountingClock, flush, type CountingClock } from './support/leakCheck.js';
import { createTestToolContext } from './support/toolContext.js';

const stub = (name: string, errors: Record<string, { type?: string }> = {}, run: (input: unknown) => Promise<unknown> = () => Promise.resolve({})): AnyTool =>
  defineTool({ name, description: `stub ${name}`, input: z.unknown(), output: z.unknown(), errors, run: (input) => run(input) });

const error = (code: string, type = 'execution_error'): ErrorInfo => ({ type, code, message: `${code} happened` });

let supervisor: Supervisor | undefined;
let clock: CountingClock;

afterEach(() => {
  supervisor?.stop();
  supervisor = undefined;
  if (clock) expect(clock.pending).toBe(0);
});

/** A supervisor whose remediations are the registry's tools, run through invokeTool. */
function start(tools: AnyTool[], rules: SupervisorOptions['rules'], extra: Partial<SupervisorOptions> = {}): Supervisor {
  clock = createCountingClock();
  const registry = createToolRegistry(tools);
  supervisor = createSupervisor({
    rules,
    registry,
    clock,
    runRemediation: (name, input, signal) => invokeTool(registry.require(name), input, createTestToolContext({ signal })),
    ...extra,
  });
  return supervisor;
}

const request = (tool: string, code: string, extra: { stepId?: string; executionId?: string; input?: unknown } = {}) => ({
  executionId: extra.executionId ?? 'e1',
  stepId: extra.stepId ?? 'build',
  tool,
  error: error(code),
  attempt: 3,
  input: extra.input ?? { dockerfile: 'FROM node:latest' },
  context: {},
});

// --- selectRoute against a brute-force reference -------------------------------------------

const TOOLS = ['a', 'b', 'c'];
const CODES = ['E1', 'E2', 'E3'];
const TYPES = ['execution_error', 'validation_error'];
/** `when` sources and what they mean in plain JS; `undefined` = does not parse or fails. */
const CONDITIONS: Record<string, (f: RoutingFailure) => boolean | undefined> = {
  'attempt > 1': (f) => f.attempt > 1,
  "error.code == 'E1'": (f) => f.error.code === 'E1',
  'input.x == 1': (f) => (f.input as { x?: number }).x === 1,
  'context.flag == true': (f) => f.context['flag'] === true,
  "tool != 'a'": (f) => f.tool !== 'a',
  'attempt >': () => undefined,
  'error.nothing.deep == 1': () => undefined,
};

const ruleArb: fc.Arbitrary<FailureRoutingRule> = fc
  .record(
    {
      fromTool: fc.constantFrom(...TOOLS),
      errorTypes: fc.subarray(TYPES),
      errorCodes: fc.subarray(CODES),
      toTool: fc.constantFrom('fix1', 'fix2'),
      priority: fc.integer({ min: 0, max: 4 }),
      when: fc.constantFrom(...Object.keys(CONDITIONS)),
      maxRoutes: fc.integer({ min: 1, max: 3 }),
    },
    { requiredKeys: ['toTool', 'priority', 'maxRoutes'] },
  )
  .map((rule) => FailureRoutingRuleSchema.parse(rule));

const failureArb: fc.Arbitrary<RoutingFailure> = fc.record({
  tool: fc.constantFrom(...TOOLS),
  error: fc.record({ type: fc.constantFrom(...TYPES), code: fc.constantFrom(...CODES), message: fc.constant('m') }),
  attempt: fc.integer({ min: 0, max: 3 }),
  input: fc.record({ x: fc.integer({ min: 0, max: 2 }) }),
  context: fc.record({ flag: fc.boolean() }),
});

function referenceMatch(rule: FailureRoutingRule, f: RoutingFailure): boolean {
  return (
    (rule.fromTool === undefined || rule.fromTool === f.tool) &&
    (!rule.errorTypes?.length || rule.errorTypes.includes(f.error.type)) &&
    (!rule.errorCodes?.length || rule.errorCodes.includes(f.error.code)) &&
    (rule.when === undefined || CONDITIONS[rule.when]?.(f) === true)
  );
}

function referenceSelect(rules: FailureRoutingRule[], f: RoutingFailure, stepRules: FailureRoutingRule[]): FailureRoutingRule | undefined {
  const step = stepRules.find((rule) => referenceMatch(rule, f));
  if (step) return step;
  const ranked = rules.map((rule, index) => ({ rule, index })).filter(({ rule }) => referenceMatch(rule, f));
  ranked.sort((x, y) => x.rule.priority - y.rule.priority || x.index - y.index);
  return ranked[0]?.rule;
}

describe('selectRoute (property)', () => {
  it('chooses the first matching step rule, else the lowest-priority matching rule, declaration order breaking ties', () => {
    fc.assert(
      fc.property(fc.array(ruleArb, { maxLength: 12 }), failureArb, fc.array(ruleArb, { maxLength: 2 }), (rules, failure, stepRules) => {
        expect(selectRoute(rules, failure, stepRules)).toBe(referenceSelect(rules, failure, stepRules));
      }),
      { numRuns: 500 },
    );
  });

  it('treats a step route as a rule on the step tool ahead of every runtime rule', () => {
    const runtimeRule = FailureRoutingRuleSchema.parse({ toTool: 'fix1', priority: -1000 });
    const stepRule = stepRoutingRule('a', 'fix2');
    const failure: RoutingFailure = { tool: 'a', error: error('E1'), attempt: 1, input: {}, context: {} };
    expect(selectRoute([runtimeRule], failure, [stepRule])).toBe(stepRule);
    expect(selectRoute([runtimeRule], { ...failure, tool: 'b' }, [stepRule])).toBe(runtimeRule);
  });
});

// --- random routing graphs -------------------------------------------------------------------

type Behaviour = 'retry' | 'fail' | 'resolved' | 'escalate';
const HOPS = ['t0', 't1', 't2', 't3'];
const graphArb = fc.record({
  edges: fc.array(
    fc.record({
      from: fc.constantFrom('step', ...HOPS),
      to: fc.constantFrom(...HOPS),
      priority: fc.integer({ min: 0, max: 3 }),
      maxRoutes: fc.integer({ min: 1, max: 4 }),
    }),
    { minLength: 1, maxLength: 8 },
  ),
  behaviour: fc.record(Object.fromEntries(HOPS.map((t) => [t, fc.constantFrom<Behaviour>('retry', 'retry', 'fail', 'resolved', 'escalate')])) as Record<string, fc.Arbitrary<Behaviour>>),
});

describe('routing graphs (property)', () => {
  it('never routes a step more than maxRoutes times, never repeats a tool in one chain, and always ends', async () => {
    await fc.assert(
      fc.asyncProperty(graphArb, async ({ edges, behaviour }) => {
        const rules = edges.filter((e) => e.from !== e.to).map((e) => ({ fromTool: e.from, toTool: e.to, priority: e.priority, maxRoutes: e.maxRoutes }));
        const calls: string[] = [];
        const tools = ['step', ...HOPS].map((name) => stub(name, { BROKEN: {} }));
        const sup = start(tools, rules, {
          runRemediation: (name) => {
            calls.push(name);
            const b = behaviour[name] ?? 'escalate';
            if (b === 'fail') return Promise.reject(new ToolError({ code: 'BROKEN', message: `${name} broke`, tool: name }));
            return Promise.resolve(b === 'resolved' ? { action: b, output: { by: name } } : { action: b });
          },
        });
        const bound = Math.max(0, ...rules.map((r) => r.maxRoutes));
        let decision: RouteDecision | undefined;
        let rounds = 0;
        // The step always fails again after a retry: the supervisor alone must end the cycle.
        do {
          decision = await sup.route(request('step', 'BROKEN'));
          expect(new Set(['step', ...decision.routedTo]).size).toBe(decision.routedTo.length + 1);
          rounds++;
        } while (decision.action === 'retry' && rounds < 100);
        expect(decision.action).not.toBe('retry');
        expect(calls.length).toBeLessThanOrEqual(bound);
        sup.stop();
      }),
      { numRuns: 200 },
    );
  });

  it('ends a loop A -> B -> A in escalate with ROUTING_LOOP', async () => {
    const calls: string[] = [];
    const sup = start([stub('a', { E1: {} }), stub('b', { E1: {} })], [{ fromTool: 'a', toTool: 'b' }, { fromTool: 'b', toTool: 'a' }], {
      runRemediation: (name) => {
        calls.push(name);
        return Promise.reject(new ToolError({ code: 'E1', message: 'still broken' }));
      },
    });
    const decision = await sup.route(request('a', 'E1'));
    expect(decision).toMatchObject({ action: 'escalate', routedTo: ['b'], error: { code: 'ROUTING_LOOP' } });
    expect(decision.reason).toContain('a -> b -> a');
    expect(calls).toEqual(['b']);
  });
});

// --- validation --------------------------------------------------------------------------------

describe('validateRoutingRules', () => {
  const registry: ToolRegistry = createToolRegistry([
    stub('build_image', { DOCKERFILE_INVALID: {}, BUILD_FAILED: {} }),
    stub('generate_remediation'),
  ]);

  it('reports unknown tools with a suggestion, unknown error codes, bad expressions and schema errors, all at once', () => {
    const issues = validateRoutingRules(
      [
        { fromTool: 'build_imag', toTool: 'generate_remediaton' },
        { fromTool: 'build_image', errorCodes: ['DOCKERFILE_INVALID', 'NO_SUCH_CODE'], toTool: 'generate_remediation', when: 'attempt >' },
        { toTool: 'generate_remediation', errorCodes: ['NOBODY_DECLARES'], when: "steps.a.status == 'failed'" },
        { toTool: 'generate_remediation', priority: 'high', extra: true },
        { fromTool: 'build_image', toTool: 'build_image' },
        { fromTool: 'build_image', errorCodes: ['TOOL_CRASHED'], toTool: 'generate_remediation', input: "{'x': error.code}" },
      ],
      registry,
    );
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ['UNKNOWN_TOOL', 'routingRules[0].fromTool'],
      ['UNKNOWN_TOOL', 'routingRules[0].toTool'],
      ['UNKNOWN_ERROR_CODE', 'routingRules[1].errorCodes[1]'],
      ['EXPRESSION_INVALID', 'routingRules[1].when'],
      ['UNKNOWN_ERROR_CODE', 'routingRules[2].errorCodes[0]'],
      ['UNKNOWN_VARIABLE', 'routingRules[2].when'],
      ['INVALID_RULE', 'routingRules[3].priority'],
      ['INVALID_RULE', 'routingRules[3]'],
      ['ROUTE_TO_SELF', 'routingRules[4].toTool'],
    ]);
    expect(issues[0]?.message).toContain('did you mean "build_image"');
    expect(issues[1]?.message).toContain('did you mean "generate_remediation"');
  });

  it('makes createSupervisor throw ROUTING_RULES_INVALID with the issues', () => {
    let thrown: unknown;
    try {
      start([stub('a')], [{ toTool: 'nope' }]);
    } catch (e) {
      thrown = e;
    }
    expect(isRoutingError(thrown) && thrown.code === 'ROUTING_RULES_INVALID' && thrown.issues.length === 1).toBe(true);
  });

  it('accepts the default rules against the containerization tool pack, and activeRules drops rules of missing tools', () => {
    const pack = createToolRegistry(defaultTools());
    expect(validateRoutingRules(activeRules(defaultRoutingRules, pack), pack)).toEqual([]);
    expect(activeRules(defaultRoutingRules, pack)).toHaveLength(defaultRoutingRules.length);
    const partial = createToolRegistry([pushImage, stub('validate_credentials')]);
    expect(activeRules(defaultRoutingRules, partial).map((r) => r.fromTool)).toEqual(['push_image']);
  });
});

// --- the supervisor end to end ---------------------------------------------------------------

const remediationTool = (run: (input: { failure: ErrorInfo; originalInput: Record<string, unknown> }) => Promise<unknown>) =>
  defineTool({
    name: 'fix_it',
    description: 'test remediation',
    input: z.object({ failure: z.object({ code: z.string(), message: z.string(), tool: z.string() }).passthrough(), originalInput: z.record(z.string(), z.unknown()), context: z.unknown() }),
    output: z.unknown(),
    run: (input) => run(input as never),
  });

const buildRuleOf = (maxRoutes: number) => ({ fromTool: 'build', errorCodes: ['BROKEN'], toTool: 'fix_it', maxRoutes });
const buildRule = [buildRuleOf(2)];
const buildTool = stub('build', { BROKEN: {} });

describe('createSupervisor', () => {
  it('answers retry with the remediation patch, and reports it to onDecision', async () => {
    const seen: string[] = [];
    const sup = start(
      [buildTool, remediationTool(({ failure, originalInput }) => Promise.resolve({ action: 'retry', patchedInput: { ...originalInput, fixed: failure.code }, reason: 'patched' }))],
      buildRule,
      { onDecision: (decision, req) => seen.push(`${req.stepId}:${decision.action}`) },
    );
    expect(sup.hasCandidate({ tool: 'build', error: error('BROKEN'), attempt: 3, input: {}, context: {} })).toBe(true);
    const decision = await sup.route(request('build', 'BROKEN'));
    expect(decision).toMatchObject({ action: 'retry', toTool: 'fix_it', routedTo: ['fix_it'], reason: 'patched', patchedInput: { dockerfile: 'FROM node:latest', fixed: 'BROKEN' } });
    expect(decision.rule).toMatchObject({ fromTool: 'build', toTool: 'fix_it' });
    expect(seen).toEqual(['build:retry']);
    expect(sup.actor.getSnapshot().context.routes['e1']?.['build']).toMatchObject([{ fromTool: 'build', toTool: 'fix_it', action: 'retry', at: 0 }]);
  });

  it('passes the output of a resolved remediation, and escalates a throwing or non-decision one', async () => {
    const answers: (() => Promise<unknown>)[] = [
      () => Promise.resolve({ action: 'resolved', output: { image: 'app:1' } }),
      () => Promise.reject(new Error('remediation crashed')),
      () => Promise.resolve('not a decision'),
    ];
    const sup = start([buildTool, remediationTool(() => (answers.shift() as () => Promise<unknown>)())], [buildRuleOf(5)]);
    expect(await sup.route(request('build', 'BROKEN'))).toMatchObject({ action: 'resolved', output: { image: 'app:1' } });
    const crashed = await sup.route(request('build', 'BROKEN'));
    expect(crashed).toMatchObject({ action: 'escalate', toTool: 'fix_it', error: { code: 'ROUTING_REMEDIATION_FAILED' } });
    expect(crashed.reason).toContain('remediation crashed');
    const garbled = await sup.route(request('build', 'BROKEN'));
    expect(garbled).toMatchObject({ action: 'escalate', toTool: 'fix_it' });
    expect(garbled.reason).toContain('not a decision');
  });

  it('escalates when runRemediation throws synchronously, and keeps serving', async () => {
    let calls = 0;
    const sup = start([buildTool, stub('fix_it')], [buildRuleOf(5)], {
      runRemediation: () => {
        if (++calls === 1) throw new Error('no such actor');
        return Promise.resolve({ action: 'retry' });
      },
    });
    expect(await sup.route(request('build', 'BROKEN'))).toMatchObject({ action: 'escalate', error: { code: 'ROUTING_REMEDIATION_FAILED' } });
    expect((await sup.route(request('build', 'BROKEN'))).action).toBe('retry');
  });

  it('escalates with ROUTING_NO_RULE when nothing matches, and with ROUTING_LIMIT past maxRoutes until forget()', async () => {
    const sup = start([buildTool, remediationTool(() => Promise.resolve({ action: 'retry' }))], buildRule);
    expect(sup.hasCandidate({ tool: 'build', error: error('OTHER'), attempt: 1, input: {}, context: {} })).toBe(false);
    expect(await sup.route(request('build', 'OTHER'))).toMatchObject({ action: 'escalate', routedTo: [], error: { code: 'ROUTING_NO_RULE' } });
    expect((await sup.route(request('build', 'BROKEN'))).action).toBe('retry');
    expect((await sup.route(request('build', 'BROKEN'))).action).toBe('retry');
    expect(await sup.route(request('build', 'BROKEN'))).toMatchObject({ action: 'escalate', error: { code: 'ROUTING_LIMIT' } });
    expect((await sup.route(request('build', 'BROKEN', { stepId: 'other' }))).action).toBe('retry');
    sup.forget('e1');
    await flush();
    expect(sup.actor.getSnapshot().context.routes).toEqual({});
    expect((await sup.route(request('build', 'BROKEN'))).action).toBe('retry');
  });

  it('uses step rules first and runs under systemId "supervisor" showing routing while a remediation runs', async () => {
    let release: (value: unknown) => void = () => undefined;
    const inspected: unknown[] = [];
    const sup = start([buildTool, stub('other_fix'), remediationTool(() => new Promise((resolve) => (release = resolve)))], [{ toTool: 'other_fix', priority: 0 }], {
      inspect: (event) => inspected.push(event.actorRef),
    });
    expect(sup.actor.system.get('supervisor')).toBe(sup.actor);
    expect(inspected).toContain(sup.actor);
    const pending = sup.route({ ...request('build', 'BROKEN'), stepRules: [stepRoutingRule('build', 'fix_it')] });
    await flush();
    expect(sup.actor.getSnapshot().value).toBe('routing');
    expect(Object.values(sup.actor.getSnapshot().context.pending).map((p) => p.rule.toTool)).toEqual(['fix_it']);
    release({ action: 'escalate', reason: 'a human must look' });
    expect(await pending).toMatchObject({ action: 'escalate', toTool: 'fix_it', reason: 'a human must look' });
    expect(sup.actor.getSnapshot().value).toBe('idle');
  });

  it('cancels a request through its signal, aborting the remediation', async () => {
    let aborted = false;
    const sup = start([buildTool, remediationTool(() => new Promise(() => undefined))], buildRule, {
      runRemediation: (_name, _input, signal) =>
        new Promise((_resolve, reject) => signal.addEventListener('abort', () => ((aborted = true), reject(new Error('aborted'))), { once: true })),
    });
    const controller = new AbortController();
    const pending = sup.route(request('build', 'BROKEN'), { signal: controller.signal });
    await flush();
    controller.abort();
    expect(await pending).toMatchObject({ action: 'escalate', error: { code: 'ROUTING_CANCELLED' } });
    expect(aborted).toBe(true);
    expect(sup.pending).toBe(0);
  });

  it('stop() settles waiting requests as escalate and leaves no pending timers', async () => {
    let timerSet = false;
    const sup = start([buildTool, stub('slow_fix')], [{ fromTool: 'build', toTool: 'slow_fix' }], {
      runRemediation: (_name, _input, signal) =>
        new Promise((resolve) => {
          const handle = clock.setTimeout(() => resolve({ action: 'retry' }), 60_000);
          timerSet = true;
          signal.addEventListener('abort', () => clock.clearTimeout(handle), { once: true });
        }),
    });
    const pending = sup.route(request('build', 'BROKEN'));
    await flush();
    expect(timerSet && clock.pending === 1).toBe(true);
    sup.stop();
    expect(await pending).toMatchObject({ action: 'escalate', error: { code: 'ROUTING_STOPPED' } });
    expect(clock.pending).toBe(0);
    expect(sup.actor.getSnapshot().status).toBe('stopped');
    expect(await sup.route(request('build', 'BROKEN'))).toMatchObject({ action: 'escalate', error: { code: 'ROUTING_STOPPED' } });
    sup.stop();
    expect(sup.pending).toBe(0);
  });

  it('builds the credential check input of the default push rule from the failed push', async () => {
    const inputs: unknown[] = [];
    const validate = stub('validate_credentials', {}, (input) => (inputs.push(input), Promise.resolve({ action: 'retry', reason: 'found', hasCredentials: true })));
    const sup = start([pushImage, validate], activeRules(defaultRoutingRules, createToolRegistry([pushImage, validate])));
    const push = (input: Record<string, unknown>, executionId: string) => ({
      ...request('push_image', 'REGISTRY_AUTH_FAILED', { stepId: 'push', executionId, input }),
      error: error('REGISTRY_AUTH_FAILED', 'auth_error'),
    });
    expect(await sup.route(push({ tag: 'ghcr.io/acme/app:1' }, 'p1'))).toMatchObject({ action: 'retry', toTool: 'validate_credentials', reason: 'found' });
    await sup.route(push({ tag: 'app:1' }, 'p2'));
    await sup.route(push({ tag: 'app:1', registry: 'registry.local:5000/team' }, 'p3'));
    expect(inputs).toEqual([{ registry: 'ghcr.io' }, { registry: 'docker.io' }, { registry: 'registry.local:5000/team' }]);
  });
});

describe('toRemediationOutcome', () => {
  it('reads generate_remediation and validate_credentials answers as they are, anything else as escalate', () => {
    expect(toRemediationOutcome({ action: 'retry', patchedInput: { dockerfile: 'FROM x' }, reason: 'r', changes: ['pinned'] })).toEqual({
      action: 'retry',
      patchedInput: { dockerfile: 'FROM x' },
      reason: 'r',
    });
    expect(toRemediationOutcome({ registry: 'docker.io', hasCredentials: false, source: 'none', action: 'escalate', reason: 'login' })).toEqual({ action: 'escalate', reason: 'login' });
    expect(toRemediationOutcome({ action: 'retry', patchedInput: 'oops' })).toMatchObject({ action: 'escalate' });
    expect(toRemediationOutcome(null).action).toBe('escalate');
  });
});

// --- restart strategies ------------------------------------------------------------------------

describe('createRestartTracker', () => {
  it('restarts at most maxRestarts times within periodMs, with capped exponential backoff, then escalates', () => {
    const sim = new SimulatedClock();
    const tracker = createRestartTracker({
      clock: sim,
      strategies: {
        flaky: { strategy: 'restart', maxRestarts: 3, periodMs: 1_000, backoff: { initialDelayMs: 100, maxDelayMs: 300 } },
        fragile: { strategy: 'stop' },
        critical: { strategy: 'escalate' },
      },
    });
    expect([tracker.onCrash('flaky'), tracker.onCrash('flaky'), tracker.onCrash('flaky')]).toEqual([
      { action: 'restart', delayMs: 100, restarts: 1 },
      { action: 'restart', delayMs: 200, restarts: 2 },
      { action: 'restart', delayMs: 300, restarts: 3 },
    ]);
    expect(tracker.onCrash('flaky').action).toBe('escalate');
    sim.increment(999);
    expect(tracker.onCrash('flaky').action).toBe('escalate');
    sim.increment(1);
    expect(tracker.onCrash('flaky')).toEqual({ action: 'restart', delayMs: 100, restarts: 1 });
    expect(tracker.onCrash('fragile')).toEqual({ action: 'stop' });
    expect(tracker.onCrash('critical').action).toBe('escalate');
    expect(tracker.onCrash('anything')).toMatchObject({ action: 'restart', delayMs: 0 });
  });

  it('never grants more than maxRestarts restarts within any window of periodMs (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 500 }), fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 60 }), (maxRestarts, periodMs, gaps) => {
        const sim = new SimulatedClock();
        const tracker = createRestartTracker({ clock: sim, defaultStrategy: { strategy: 'restart', maxRestarts, periodMs } });
        const granted: number[] = [];
        for (const gap of gaps) {
          sim.increment(gap);
          const decision = tracker.onCrash('t');
          if (decision.action === 'restart') granted.push(sim.now());
          else expect(granted.filter((at) => at > sim.now() - periodMs)).toHaveLength(maxRestarts);
        }
        granted.forEach((at) => expect(granted.filter((other) => other >= at && other < at + periodMs).length).toBeLessThanOrEqual(maxRestarts));
      }),
      { numRuns: 300 },
    );
  });

  it('records crashes in the supervisor context', async () => {
    const sup = start([buildTool], [], { restart: { strategies: { build: { strategy: 'restart', maxRestarts: 1 } } } });
    expect(sup.onCrash('build').action).toBe('restart');
    expect(sup.onCrash('build').action).toBe('escalate');
    await flush();
    expect(sup.actor.getSnapshot().context.crashes['build']).toMatchObject({ crashes: 2, restarts: 1, last: 'escalate' });
  });
});
