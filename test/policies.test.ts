import fc from 'fast-check';
import { createActor, SimulatedClock } from 'xstate';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool, invokeTool, RuntimeError, ToolError, type RetryPolicy } from '../src/index.js';
import { createBulkhead } from '../src/runtime/policies/Bulkhead.js';
import { createCallPolicies, type CallPolicies, type PolicySettingsInput } from '../src/runtime/policies/CallPolicies.js';
import {
  breakerAdmits,
  circuitBreakerMachine,
  countsAsBreakerFailure,
  type BreakerSettings,
  type CircuitBreakerEmitted,
} from '../src/machines/breaker/circuitBreakerMachine.js';
import { createRuntimeMetrics } from '../src/runtime/RuntimeMetrics.js';
import { createCountingClock, drive, flush, type CountingClock } from './support/leakCheck.js';
import { createTestToolContext } from './support/toolContext.js';

const tool = defineTool({
  name: 'flaky',
  description: 'test tool',
  input: z.object({ n: z.number() }),
  output: z.object({ n: z.number() }),
  run: ({ n }) => Promise.resolve({ n }),
});
const settings: BreakerSettings = {
  failureThreshold: 3,
  failureRateThreshold: 0.5,
  windowSize: 10,
  minimumCalls: 10,
  resetTimeoutMs: 1000,
  successThreshold: 2,
  halfOpenMaxCalls: 1,
};
const transient = (): ToolError => new ToolError({ code: 'FLAKY', message: 'flaky failed', retryable: true });
const signal = new AbortController().signal;
const ok = (): Promise<string> => Promise.resolve('ok');
const failing = (make: () => Error = transient) => (): Promise<never> => Promise.reject(make());
/** The error code a call ends with, or 'ok'. */
const outcome = (p: Promise<unknown>): Promise<string> => p.then(() => 'ok', (e: ToolError) => e.code);

function setup(defaults: PolicySettingsInput = { breaker: settings }, extra: Partial<Parameters<typeof createCallPolicies>[0]> = {}) {
  const clock = createCountingClock();
  const events: CircuitBreakerEmitted[] = [];
  const metrics = createRuntimeMetrics();
  const policies = createCallPolicies({ clock, defaults, metrics, onBreakerEvent: (_tool, e) => events.push(e), ...extra });
  return { clock, events, metrics, policies };
}

describe('circuitBreakerMachine', () => {
  it('opens on consecutive failures, half-opens after resetTimeoutMs, closes after successes, reopens on a trial failure', () => {
    const clock = new SimulatedClock();
    const breaker = createActor(circuitBreakerMachine, { clock, input: { tool: 'flaky', ...settings } });
    const emitted: string[] = [];
    breaker.on('*', (e) => emitted.push(e.type === 'breaker.opened' ? `opened:${e.reason}` : e.type));
    breaker.start();
    for (const type of ['CALL.FAILED', 'CALL.FAILED', 'CALL.SUCCEEDED', 'CALL.FAILED', 'CALL.FAILED'] as const) breaker.send({ type });
    expect(breaker.getSnapshot().value).toBe('closed');
    breaker.send({ type: 'CALL.FAILED' });
    expect(breaker.getSnapshot().value).toBe('open');
    expect(breakerAdmits(breaker.getSnapshot())).toBe(false);
    clock.increment(999);
    expect(breaker.getSnapshot().value).toBe('open');
    clock.increment(1);
    expect(breaker.getSnapshot().value).toBe('halfOpen');
    breaker.send({ type: 'CALL.STARTED' });
    expect(breakerAdmits(breaker.getSnapshot())).toBe(false);
    breaker.send({ type: 'CALL.FAILED' });
    expect(breaker.getSnapshot().value).toBe('open');
    clock.increment(1000);
    breaker.send({ type: 'CALL.SUCCEEDED' });
    expect(breaker.getSnapshot().value).toBe('halfOpen');
    breaker.send({ type: 'CALL.SUCCEEDED' });
    expect(breaker.getSnapshot().value).toBe('closed');
    expect(emitted).toEqual(['opened:consecutive_failures', 'breaker.halfOpen', 'opened:half_open_failure', 'breaker.halfOpen', 'breaker.closed']);
    expect(JSON.parse(JSON.stringify(breaker.getSnapshot().context))).toEqual(breaker.getSnapshot().context);
    breaker.stop();
  });

  it('opens on the failure rate over the window once minimumCalls are in it', () => {
    const breaker = createActor(circuitBreakerMachine, { input: { tool: 't', ...settings, failureThreshold: 99, windowSize: 4, minimumCalls: 4 } });
    let reason = '';
    breaker.on('breaker.opened', (e) => (reason = e.reason));
    breaker.start();
    for (const type of ['CALL.FAILED', 'CALL.SUCCEEDED', 'CALL.FAILED', 'CALL.SUCCEEDED', 'CALL.SUCCEEDED'] as const) breaker.send({ type });
    expect(breaker.getSnapshot().value).toBe('closed'); // window [S F S S]: 25%
    breaker.send({ type: 'CALL.FAILED' }); // window [F S S F]: 50%
    expect(breaker.getSnapshot().value).toBe('open');
    expect(reason).toBe('failure_rate');
    breaker.stop();
  });

  it('ignores results from an earlier epoch, and CALL.IGNORED frees a trial slot', () => {
    const clock = new SimulatedClock();
    const breaker = createActor(circuitBreakerMachine, { clock, input: { tool: 't', ...settings, failureThreshold: 1 } }).start();
    const staleEpoch = breaker.getSnapshot().context.epoch;
    breaker.send({ type: 'CALL.FAILED' });
    clock.increment(1000);
    breaker.send({ type: 'CALL.FAILED', epoch: staleEpoch });
    breaker.send({ type: 'CALL.SUCCEEDED', epoch: staleEpoch });
    breaker.send({ type: 'CALL.SUCCEEDED', epoch: staleEpoch });
    expect(breaker.getSnapshot().value).toBe('halfOpen');
    expect(breaker.getSnapshot().context.trialSuccesses).toBe(0);
    breaker.send({ type: 'CALL.STARTED', epoch: breaker.getSnapshot().context.epoch });
    expect(breakerAdmits(breaker.getSnapshot())).toBe(false);
    breaker.send({ type: 'CALL.IGNORED' });
    expect(breakerAdmits(breaker.getSnapshot())).toBe(true);
    breaker.stop();
  });

  it('counts only failures that say the tool is unhealthy', () => {
    const of = (type: string, retryable?: boolean) => new ToolError({ code: 'X', message: 'x', type, ...(retryable === undefined ? {} : { retryable }) });
    expect(countsAsBreakerFailure(of('timeout'))).toBe(true);
    expect(countsAsBreakerFailure(of('crash'))).toBe(true);
    expect(countsAsBreakerFailure(of('unavailable', false))).toBe(true);
    expect(countsAsBreakerFailure(of('execution_error'))).toBe(true);
    expect(countsAsBreakerFailure(new Error('boom'))).toBe(true);
    expect(countsAsBreakerFailure(of('execution_error', false))).toBe(false);
    expect(countsAsBreakerFailure(of('validation_error', true))).toBe(false);
    expect(countsAsBreakerFailure(of('cancelled'))).toBe(false);
    expect(countsAsBreakerFailure(of('limit_exceeded'))).toBe(false);
    expect(countsAsBreakerFailure(new ToolError({ code: 'CIRCUIT_OPEN', type: 'unavailable', message: 'nested', tool: 'dep' }))).toBe(false);
  });
});

describe('createCallPolicies: breaker', () => {
  it('rejects fast with CIRCUIT_OPEN while open, then lets one trial through and closes', async () => {
    const { clock, events, metrics, policies } = setup();
    for (let i = 0; i < 3; i++) expect(await outcome(policies.call(tool, failing(), { signal, retry: false }))).toBe('FLAKY');
    expect(policies.breakerState(tool)).toBe('open');
    let runs = 0;
    const error = await policies.call(tool, () => Promise.resolve(runs++), { signal, retry: false }).catch((e: ToolError) => e);
    expect(runs).toBe(0);
    expect(error).toMatchObject({ code: 'CIRCUIT_OPEN', type: 'unavailable', retryable: true, tool: 'flaky' });
    expect((error as ToolError).message).toMatch(/"flaky".*half-opens at 1970-01-01T00:00:01\.000Z \(in 1000 ms\)/);
    expect(policies.stats().tools.flaky).toMatchObject({ breaker: 'open', halfOpenAt: 1000 });

    clock.increment(1000);
    expect(policies.breakerState('flaky')).toBe('halfOpen');
    let release = (): void => undefined;
    const trial = policies.call(tool, () => new Promise((resolve) => (release = () => resolve('ok'))), { signal, retry: false });
    expect(await outcome(policies.call(tool, ok, { signal, retry: false }))).toBe('CIRCUIT_OPEN'); // the one trial slot is taken
    release();
    expect(await trial).toBe('ok');
    expect(await policies.call(tool, ok, { signal, retry: false })).toBe('ok');
    expect(policies.breakerState(tool)).toBe('closed');
    expect(events.map((e) => e.type)).toEqual(['breaker.opened', 'breaker.halfOpen', 'breaker.closed']);
    expect(metrics.snapshot().tools.flaky).toMatchObject({ calls: 7, successes: 2, failures: 3, circuitOpenRejections: 2, breaker: { state: 'closed', transitions: 3 } });
    policies.stop();
    expect(clock.pending).toBe(0);
  });

  it('is not tripped by validation errors or retryable: false failures', async () => {
    const { clock, policies } = setup();
    const ctx = createTestToolContext();
    for (let i = 0; i < 5; i++) {
      expect(await outcome(policies.call(tool, () => invokeTool(tool, { n: 'not a number' }, ctx), { signal, retry: false }))).toBe('INPUT_INVALID');
      expect(await outcome(policies.call(tool, failing(() => ToolError.nonRetryable('NO_SUCH_REPO', 'gone')), { signal, retry: false }))).toBe('NO_SUCH_REPO');
    }
    expect(policies.breakerState(tool)).toBe('closed');
    policies.stop();
    expect(clock.pending).toBe(0);
  });

  it('merges per-tool settings over the defaults and can turn the breaker off', async () => {
    const { clock, policies } = setup({ breaker: settings }, { perTool: { flaky: { breaker: { failureThreshold: 1 } }, other: { breaker: false } } });
    const other = defineTool({ ...tool, name: 'other' });
    await outcome(policies.call(tool, failing(), { signal, retry: false }));
    for (let i = 0; i < 5; i++) await outcome(policies.call(other, failing(), { signal, retry: false }));
    expect(policies.stats().tools).toMatchObject({ flaky: { breaker: 'open' }, other: { breaker: 'disabled' } });
    expect(() => createCallPolicies({ clock, perTool: { x: { breaker: { failureRateThreshold: 2 } } } })).toThrow(RuntimeError);
    policies.stop();
    expect(clock.pending).toBe(0);
  });
});

describe('bulkhead', () => {
  it('limits concurrency, queues up to maxQueue, rejects past it, and drops an aborted waiter', async () => {
    const bulkhead = createBulkhead({ maxConcurrent: 2, maxQueue: 2, name: 'build' });
    let running = 0;
    let peak = 0;
    const gates: (() => void)[] = [];
    const job = () => {
      peak = Math.max(peak, ++running);
      return new Promise<void>((resolve) => gates.push(() => resolve(void running--)));
    };
    const waiter = new AbortController();
    const results = [bulkhead.run(job), bulkhead.run(job), bulkhead.run(job, waiter.signal), bulkhead.run(job)].map(outcome);
    expect(await outcome(bulkhead.run(job))).toBe('BULKHEAD_FULL');
    expect(await bulkhead.run(job).catch((e: ToolError) => e)).toMatchObject({ type: 'limit_exceeded', retryable: true, tool: 'build' });
    waiter.abort();
    expect(bulkhead.queued).toBe(1);
    while (gates.length > 0) {
      gates.shift()?.();
      await flush();
    }
    expect(await Promise.all(results)).toEqual(['ok', 'ok', 'CANCELLED', 'ok']);
    expect(peak).toBe(2);
    expect([bulkhead.active, bulkhead.queued]).toEqual([0, 0]);
  });

  it('applies per tool inside the call policies', async () => {
    const { clock, policies } = setup({ breaker: false, bulkhead: { maxConcurrent: 1, maxQueue: 0 } });
    let release = (): void => undefined;
    const first = policies.call(tool, () => new Promise((resolve) => (release = () => resolve('ok'))), { signal, retry: false });
    expect(await outcome(policies.call(tool, ok, { signal, retry: false }))).toBe('BULKHEAD_FULL');
    release();
    expect(await first).toBe('ok');
    policies.stop();
    expect(clock.pending).toBe(0);
  });
});

describe('timeouts and cancellation', () => {
  it('times an attempt out on the clock, aborting its signal, and counts it against the breaker', async () => {
    const { clock, metrics, policies } = setup({ breaker: { ...settings, failureThreshold: 1 } });
    let seen: AbortSignal | undefined;
    const call = policies.call(tool, (s) => ((seen = s), new Promise(() => undefined)), { signal, timeoutMs: 500, retry: false });
    clock.increment(500);
    expect(await call.catch((e: ToolError) => e)).toMatchObject({ code: 'TOOL_TIMEOUT', type: 'timeout', retryable: true });
    expect(seen?.aborted).toBe(true);
    expect(policies.breakerState(tool)).toBe('open');
    expect(metrics.snapshot().tools.flaky).toMatchObject({ timeouts: 1, latencyMs: { count: 1, p50: 500 } });
    policies.stop();
    expect(clock.pending).toBe(0);
  });

  it('cancels on the caller signal without counting against the breaker', async () => {
    const { clock, policies } = setup({ breaker: { ...settings, failureThreshold: 1 } });
    const caller = new AbortController();
    let seen: AbortSignal | undefined;
    const call = policies.call(tool, (s) => ((seen = s), new Promise(() => undefined)), { signal: caller.signal, timeoutMs: 500, retry: false });
    caller.abort();
    expect(await outcome(call)).toBe('CANCELLED');
    expect(seen?.aborted).toBe(true);
    expect(policies.breakerState(tool)).toBe('closed');
    expect(clock.pending).toBe(0);
    policies.stop();
  });
});

/** mulberry32: a tiny seeded PRNG. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('retry', () => {
  const retry: RetryPolicy = { maxAttempts: 4, backoff: 'exponential', initialDelayMs: 100, maxDelayMs: 10_000, multiplier: 2, jitter: 'full' };

  it('waits full-jitter exponential delays on the clock, deterministic with a seeded random, and stops at maxAttempts', async () => {
    const { clock, metrics, policies } = setup({ breaker: false }, { random: seeded(42) });
    const startedAt: number[] = [];
    const call = policies.call(tool, () => (startedAt.push(clock.now()), Promise.reject(transient())), { signal, retry });
    expect(await outcome(drive(clock, call, 1))).toBe('FLAKY');
    const rnd = seeded(42);
    const expected = [1, 2, 3].map((n) => Math.floor(rnd() * (100 * 2 ** (n - 1) + 1)));
    expect(startedAt.slice(1).map((t, i) => t - (startedAt[i] as number))).toEqual(expected);
    expect(metrics.snapshot().tools.flaky).toMatchObject({ calls: 4, failures: 4, retries: 3 });
    policies.stop();
    expect(clock.pending).toBe(0);
  });

  it('never retries retryable: false, and does not retry CIRCUIT_OPEN within the call', async () => {
    const { clock, policies } = setup({ breaker: { ...settings, failureThreshold: 2 } }, { random: () => 0.5 });
    let runs = 0;
    const fatal = policies.call(tool, () => (runs++, Promise.reject(ToolError.nonRetryable('FATAL', 'no'))), { signal, retry });
    expect(await outcome(drive(clock, fatal, 10))).toBe('FATAL');
    expect(runs).toBe(1);
    const opening = policies.call(tool, () => (runs++, Promise.reject(transient())), { signal, retry });
    expect(await outcome(drive(clock, opening, 10))).toBe('CIRCUIT_OPEN'); // two failures open it; the third attempt fails fast
    expect(runs).toBe(3);
    policies.stop();
    expect(clock.pending).toBe(0);
  });

  it('passes a call through when it succeeds on a retry', async () => {
    const { clock, policies } = setup({ breaker: false }, { random: () => 0 });
    let runs = 0;
    const call = policies.call(tool, () => (++runs < 3 ? Promise.reject(transient()) : Promise.resolve(runs)), { signal, retry });
    expect(await drive(clock, call, 10)).toBe(3);
    policies.stop();
  });
});

describe('stop', () => {
  it('cancels calls in flight, clears every timer and stops the breaker actors', async () => {
    const inspected = new Set<string>();
    const { clock, policies } = setup({ breaker: { ...settings, failureThreshold: 1 } }, { inspect: (e) => void inspected.add((e.actorRef as { id?: string }).id ?? '') });
    const other = defineTool({ ...tool, name: 'other' });
    await outcome(policies.call(other, failing(), { signal, retry: false })); // open: a reset timer is pending
    const hanging = policies.call(tool, () => new Promise(() => undefined), { signal, timeoutMs: 10_000, retry: false });
    const slowRetry: RetryPolicy = { maxAttempts: 3, backoff: 'fixed', initialDelayMs: 5000, maxDelayMs: 5000, multiplier: 1, jitter: 'none' };
    const waiting = policies.call(defineTool({ ...tool, name: 'third' }), failing(), { signal, retry: slowRetry });
    await flush();
    expect(clock.pending).toBe(4); // two breaker resets, one attempt timeout, one retry wait
    expect(policies.stats().inFlight).toBe(2);
    policies.stop();
    expect(await Promise.all([outcome(hanging), outcome(waiting)])).toEqual(['CANCELLED', 'CANCELLED']);
    expect(clock.pending).toBe(0);
    expect(inspected).toContain('breaker.other');
    expect(await policies.call(tool, ok, { signal }).catch((e: RuntimeError) => e.code)).toBe('RUNTIME_STOPPED');
    policies.stop();
  });
});

describe('createRuntimeMetrics', () => {
  it('computes nearest-rank percentiles, keeps a bounded ring, and counts executions by status', () => {
    const metrics = createRuntimeMetrics({ reservoirSize: 100 });
    for (let ms = 100; ms >= 1; ms--) metrics.recordCall('scan', { durationMs: ms, outcome: 'success' });
    metrics.recordCall('scan', { durationMs: 0, outcome: 'circuit_open' });
    expect(metrics.snapshot().tools.scan).toMatchObject({ calls: 101, successes: 100, circuitOpenRejections: 1, latencyMs: { count: 100, p50: 50, p95: 95, p99: 99, max: 100 } });
    for (let ms = 1001; ms <= 1100; ms++) metrics.recordCall('scan', { durationMs: ms, outcome: 'failure', retried: true });
    expect(metrics.snapshot().tools.scan?.latencyMs).toEqual({ count: 100, p50: 1050, p95: 1095, p99: 1099, max: 1100 });
    metrics.recordExecution('build', 'completed');
    metrics.recordExecution('build', 'completed');
    metrics.recordExecution('build', 'failed');
    metrics.recordBreaker('scan', 'open');
    metrics.recordBreaker('scan', 'open');
    const snapshot = metrics.snapshot();
    expect(snapshot.workflows).toEqual({ build: { completed: 2, failed: 1 } });
    expect(snapshot.tools.scan).toMatchObject({ retries: 100, failures: 100, breaker: { state: 'open', transitions: 1 } });
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });
});

/** The reference model of the breaker, written from the rules, not from the machine. */
class ReferenceBreaker {
  state: 'closed' | 'open' | 'halfOpen' = 'closed';
  private consecutive = 0;
  private window: boolean[] = [];
  private successes = 0;
  private openedAt = 0;
  constructor(private readonly s: BreakerSettings) {}
  record(ok: boolean, now: number): void {
    if (this.state === 'closed') {
      this.consecutive = ok ? 0 : this.consecutive + 1;
      this.window = [...this.window, !ok].slice(-this.s.windowSize);
      const rate = this.window.filter(Boolean).length / this.window.length;
      if (!ok && (this.consecutive >= this.s.failureThreshold || (this.window.length >= this.s.minimumCalls && rate >= this.s.failureRateThreshold))) this.open(now);
    } else if (this.state === 'halfOpen') {
      if (!ok) this.open(now);
      else if (++this.successes >= this.s.successThreshold) Object.assign(this, { state: 'closed', consecutive: 0, window: [] });
    }
  }
  advance(now: number): void {
    if (this.state === 'open' && now - this.openedAt >= this.s.resetTimeoutMs) Object.assign(this, { state: 'halfOpen', successes: 0 });
  }
  private open(now: number): void {
    Object.assign(this, { state: 'open', openedAt: now });
  }
}

const settingsArb: fc.Arbitrary<BreakerSettings> = fc.integer({ min: 1, max: 8 }).chain((windowSize) =>
  fc.record({
    failureThreshold: fc.integer({ min: 1, max: 6 }),
    failureRateThreshold: fc.constantFrom(0.25, 0.5, 0.75, 1),
    windowSize: fc.constant(windowSize),
    minimumCalls: fc.integer({ min: 1, max: windowSize + 1 }),
    resetTimeoutMs: fc.integer({ min: 1, max: 1000 }),
    successThreshold: fc.integer({ min: 1, max: 3 }),
    halfOpenMaxCalls: fc.integer({ min: 1, max: 2 }),
  }),
);
const commandArb = fc.oneof(
  fc.record({ kind: fc.constant('call' as const), ok: fc.boolean() }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 1500 }) }),
);

describe('breaker (property)', () => {
  it('follows the reference model for any outcomes and clock advances, and admits no call while open', async () => {
    await fc.assert(
      fc.asyncProperty(settingsArb, fc.array(commandArb, { maxLength: 80 }), async (breaker, commands) => {
        const clock: CountingClock = createCountingClock();
        const policies: CallPolicies = createCallPolicies({ clock, defaults: { breaker } });
        const model = new ReferenceBreaker(breaker);
        let runs = 0;
        for (const command of commands) {
          if (command.kind === 'advance') {
            clock.increment(command.ms);
            model.advance(clock.now());
          } else {
            const before = runs;
            const result = await outcome(policies.call(tool, () => (runs++, command.ok ? ok() : Promise.reject(transient())), { signal, retry: false }));
            if (model.state === 'open') expect([result, runs]).toEqual(['CIRCUIT_OPEN', before]);
            else {
              expect(result).toBe(command.ok ? 'ok' : 'FLAKY');
              model.record(command.ok, clock.now());
            }
          }
          expect(policies.breakerState(tool)).toBe(model.state);
        }
        policies.stop();
        expect(clock.pending).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
