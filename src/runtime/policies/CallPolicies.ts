import { createActor, type Actor, type InspectionEvent, type Observer } from 'xstate';
import type { AnyTool } from '../../actors/defineTool.js';
import type { RetryPolicy } from '../../definition/WorkflowDefinitionSchema.js';
import { durationProblem } from '../../definition/DurationSchema.js';
import { ErrorType } from '../../errors/ErrorInfo.js';
import { RuntimeError } from '../../errors/RuntimeError.js';
import { isToolError, ToolError } from '../../errors/ToolError.js';
import { retryDelay } from '../../machines/workflow/retryDelay.js';
import type { Clock } from '../../machines/Clock.js';
import type { CallOutcome, RuntimeMetrics } from '../RuntimeMetrics.js';
import { createBulkhead, type Bulkhead } from './Bulkhead.js';
import { layer, parseSettings, type PolicySettings, type PolicySettingsInput } from './PolicySettings.js';

export { PolicySettingsSchema, type PolicySettings, type PolicySettingsInput } from './PolicySettings.js';
import {
  breakerAdmits,
  circuitBreakerMachine,
  countsAsBreakerFailure,
  type BreakerState,
  type CircuitBreakerEmitted,
} from '../../machines/breaker/circuitBreakerMachine.js';


/** Options of {@link createCallPolicies}. */
export interface CallPoliciesOptions {
  /** Time source of timeouts, retry waits and breaker resets. */
  clock: Clock;
  /** Source of retry jitter; `Math.random` by default. */
  random?: () => number;
  /** XState inspector, passed to every breaker actor. */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** Settings of every tool, over the built-in defaults. */
  defaults?: PolicySettingsInput;
  /** Settings of one tool, over `defaults` (a partial breaker or bulkhead merges field by field). */
  perTool?: Record<string, PolicySettingsInput>;
  /** Told of each breaker transition; must not throw. */
  onBreakerEvent?: (tool: string, event: CircuitBreakerEmitted) => void;
  metrics?: RuntimeMetrics;
}

/** Options of one {@link CallPolicies.call}. */
export interface PolicyCallOptions {
  /** The caller's signal: aborting it cancels the call (`CANCELLED`) and aborts the attempt's signal. */
  signal: AbortSignal;
  /** Limit of each attempt; over the tool's policy `timeoutMs`. */
  timeoutMs?: number;
  /** Retries inside this call; over the tool's policy `retry`. Steps pass `false`: their machine retries. */
  retry?: RetryPolicy | false;
  /**
   * The caller stops waiting by itself when `signal` aborts (a step's tool actor is stopped with
   * its signal): an attempt without a time limit then runs on that signal with no abort listener
   * of its own. Calls that must settle at once on abort (requests, remediations) leave it unset.
   */
  callerStops?: boolean;
}

/** Policy state of one tool; `halfOpenAt` (ms on the clock) is set while the circuit is open. */
export interface ToolPolicyStats {
  breaker: BreakerState | 'disabled';
  halfOpenAt: number | null;
  /** Bulkhead: calls running and waiting (0 without a bulkhead). */
  active: number;
  queued: number;
}

/** Stats of every tool called so far, and calls in flight. */
export type PolicyStats = { tools: Record<string, ToolPolicyStats>; inFlight: number };

/** The policy path of tool calls: circuit breaker, bulkhead, timeout, retry. */
export interface CallPolicies {
  /** Runs `run` under the tool's policies; rejects with the last attempt's error. */
  call(tool: AnyTool, run: (signal: AbortSignal) => Promise<unknown>, options: PolicyCallOptions): Promise<unknown>;
  breakerState(tool: AnyTool | string): BreakerState;
  stats(): PolicyStats;
  /** Cancels calls in flight and stops every breaker actor and timer. Idempotent. */
  stop(): void;
}

interface ToolEntry {
  settings: PolicySettings;
  breaker: Actor<typeof circuitBreakerMachine> | undefined;
  bulkhead: Bulkhead | undefined;
  halfOpenAt: number | null;
  /** Successes not yet sent to a closed, failure-free breaker (see `report`). */
  deferred: number;
}

const STATE_OF = { 'breaker.opened': 'open', 'breaker.halfOpen': 'halfOpen', 'breaker.closed': 'closed' } as const;
const OUTCOME_OF: Record<string, CallOutcome> = { TOOL_TIMEOUT: 'timeout', CANCELLED: 'cancelled', BULKHEAD_FULL: 'bulkhead_full' };

const cancelledError = (tool: string): ToolError =>
  new ToolError({ code: 'CANCELLED', type: ErrorType.cancelled, retryable: false, tool, message: `${tool} was cancelled` });

/**
 * Creates the one policy path every tool call goes through (workflow steps and tool-to-tool
 * requests). Per attempt: the tool's circuit breaker (open: fail fast with `CIRCUIT_OPEN`) →
 * its bulkhead → the time limit (aborts the attempt's signal, `TOOL_TIMEOUT`) → the outcome
 * reported to the breaker. Retries with backoff from `retryDelay` wait on the clock, only when
 * the call (or the tool's settings) gives a retry policy, never for `retryable: false` or
 * `CIRCUIT_OPEN`. Breaker actors are created on a tool's first call.
 *
 * @example
 * const policies = createCallPolicies({ clock, perTool: { build_image: { bulkhead: { maxConcurrent: 2 } } } });
 * const report = await policies.call(scanImage, (signal) => scan(image, { signal }), { signal: caller.signal, timeoutMs: 60_000, retry });
 * policies.stop();
 */
export function createCallPolicies(options: CallPoliciesOptions): CallPolicies {
  const { clock, metrics, onBreakerEvent } = options;
  const random = options.random ?? Math.random;
  const defaults = parseSettings(options.defaults ?? {}, 'defaults');
  const perTool = new Map(
    Object.entries(options.perTool ?? {}).map(([name, over]) => {
      const merged = { ...defaults, ...over, breaker: layer(defaults.breaker, over.breaker), bulkhead: layer(defaults.bulkhead, over.bulkhead) };
      return [name, parseSettings(merged, `tool "${name}"`)] as const;
    }),
  );
  const entries = new Map<string, ToolEntry>();
  /** How stop() cancels each call and attempt in flight. */
  const live = new Set<(reason: RuntimeError) => void>();
  /** Calls in flight, for `stats().inFlight`. */
  let inFlight = 0;
  let stopped = false;

  const onEmitted = (name: string, entry: ToolEntry, event: CircuitBreakerEmitted): void => {
    entry.halfOpenAt = event.type === 'breaker.opened' ? clock.now() + event.resetTimeoutMs : null;
    metrics?.recordBreaker(name, STATE_OF[event.type]);
    onBreakerEvent?.(name, event);
  };

  const entryFor = (name: string): ToolEntry => {
    const found = entries.get(name);
    if (found !== undefined) return found;
    const settings = perTool.get(name) ?? defaults;
    const entry: ToolEntry = { settings, breaker: undefined, bulkhead: undefined, halfOpenAt: null, deferred: 0 };
    if (settings.breaker !== false) {
      const breaker = createActor(circuitBreakerMachine, {
        id: `breaker.${name}`,
        clock,
        ...(options.inspect ? { inspect: options.inspect } : {}),
        input: { tool: name, ...settings.breaker },
      });
      breaker.on('*', (event) => onEmitted(name, entry, event));
      entry.breaker = breaker.start();
    }
    if (settings.bulkhead !== false) entry.bulkhead = createBulkhead({ ...settings.bulkhead, name });
    entries.set(name, entry);
    return entry;
  };

  const circuitOpen = (name: string, entry: ToolEntry): ToolError => {
    const snapshot = (entry.breaker as Actor<typeof circuitBreakerMachine>).getSnapshot();
    const at = entry.halfOpenAt;
    const message =
      snapshot.value === 'halfOpen'
        ? `the circuit of tool "${name}" is half-open and its ${snapshot.context.settings.halfOpenMaxCalls} trial call(s) are in flight`
        : `the circuit of tool "${name}" is open; it half-opens at ${at === null ? 'an unknown time' : `${new Date(at).toISOString()} (in ${Math.max(0, at - clock.now())} ms)`}`;
    return new ToolError({ code: 'CIRCUIT_OPEN', type: ErrorType.unavailable, retryable: true, tool: name, message, details: { state: snapshot.value, halfOpenAt: at } });
  };

  /**
   * One attempt without a time limit runs on the caller's signal (no controller of its own: an
   * AbortController per call is measurable on the step path); a cancel still settles it at once.
   */
  const untimed = (name: string, run: (signal: AbortSignal) => Promise<unknown>, signal: AbortSignal): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (signal.aborted) return reject(cancelledError(name));
      let done = false;
      const onAbort = (): void => {
        if (done) return;
        done = true;
        signal.removeEventListener('abort', onAbort);
        live.delete(onAbort);
        reject(cancelledError(name));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      live.add(onAbort);
      const settle = (): boolean => {
        if (done) return false;
        done = true;
        signal.removeEventListener('abort', onAbort);
        live.delete(onAbort);
        return true;
      };
      new Promise<unknown>((start) => start(run(signal))).then(
        (value) => settle() && resolve(value),
        (error: Error) => settle() && reject(error),
      );
    });

  /** One attempt under the time limit; settles at once on timeout or cancel, aborting `run`'s signal. */
  const timed = (name: string, run: (signal: AbortSignal) => Promise<unknown>, signal: AbortSignal, timeoutMs: number | undefined, callerStops: boolean): Promise<unknown> =>
    timeoutMs === undefined
      ? callerStops
        ? run(signal)
        : untimed(name, run, signal)
      : new Promise((resolve, reject) => {
      const attempt = new AbortController();
      let timer: unknown;
      let done = false;
      const finish = (settle: () => void, abort?: ToolError): void => {
        if (done) return;
        done = true;
        if (timer !== undefined) clock.clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        live.delete(onAbort);
        settle();
        if (abort !== undefined) attempt.abort(abort);
      };
      const fail = (error: ToolError): void => finish(() => reject(error), error);
      const onAbort = (): void => fail(cancelledError(name));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      live.add(onAbort);
      if (timeoutMs !== undefined) {
        const timeout = new ToolError({ code: 'TOOL_TIMEOUT', type: ErrorType.timeout, retryable: true, tool: name, message: `${name} did not answer within ${timeoutMs} ms` });
        timer = clock.setTimeout(() => fail(timeout), timeoutMs);
      }
      // The executor turns a synchronous throw of `run` into a rejection.
      new Promise<unknown>((settle) => settle(run(attempt.signal))).then(
        (value) => finish(() => resolve(value)),
        (error: Error) => finish(() => reject(error)),
      );
    });

  /** Sends the successes `report` deferred, as one event. */
  const flushSuccesses = (entry: ToolEntry): void => {
    if (entry.deferred === 0 || entry.breaker === undefined) return;
    const count = entry.deferred;
    entry.deferred = 0;
    entry.breaker.send({ type: 'CALL.SUCCEEDED', epoch: entry.breaker.getSnapshot().context.epoch, count });
  };

  const attemptOnce = async (name: string, entry: ToolEntry, run: (signal: AbortSignal) => Promise<unknown>, signal: AbortSignal, timeoutMs: number | undefined, retried: boolean, callerStops = false, ownsInFlight = false): Promise<unknown> => {
    const breaker = entry.breaker;
    let epoch = 0;
    if (breaker !== undefined) {
      const snapshot = breaker.getSnapshot();
      if (!breakerAdmits(snapshot)) {
        metrics?.recordCall(name, { durationMs: 0, outcome: 'circuit_open', retried });
        if (ownsInFlight) inFlight -= 1;
        throw circuitOpen(name, entry);
      }
      epoch = snapshot.context.epoch;
      if (snapshot.value === 'halfOpen') {
        flushSuccesses(entry);
        breaker.send({ type: 'CALL.STARTED', epoch });
      }
    }
    let startedAt: number | undefined;
    const start = (): Promise<unknown> => {
      startedAt = clock.now();
      return timed(name, run, signal, timeoutMs, callerStops);
    };
    const report = (outcome: CallOutcome, verdict: 'CALL.SUCCEEDED' | 'CALL.FAILED' | 'CALL.IGNORED'): void => {
      // A single-attempt call is this attempt: its end is the call's end.
      if (ownsInFlight) inFlight -= 1;
      metrics?.recordCall(name, { durationMs: startedAt === undefined ? 0 : clock.now() - startedAt, outcome, retried });
      if (breaker === undefined || stopped) return;
      // A success changes nothing a closed, failure-free breaker decides on but its window: such
      // successes are counted here and sent as one event before anything else reaches it (a
      // failure, a trial, a read of its state), so every decision sees them, in order.
      const snapshot = breaker.getSnapshot();
      if (verdict === 'CALL.SUCCEEDED' && snapshot.value === 'closed' && snapshot.context.consecutiveFailures === 0 && snapshot.context.epoch === epoch) {
        entry.deferred += 1;
        if (entry.deferred >= snapshot.context.settings.windowSize) flushSuccesses(entry);
        return;
      }
      flushSuccesses(entry);
      breaker.send({ type: verdict, epoch });
    };
    try {
      const value = await (entry.bulkhead === undefined ? start() : entry.bulkhead.run(start, signal));
      report('success', 'CALL.SUCCEEDED');
      return value;
    } catch (error) {
      const outcome = (isToolError(error) ? OUTCOME_OF[error.code] : undefined) ?? 'failure';
      report(outcome, outcome !== 'cancelled' && countsAsBreakerFailure(error) ? 'CALL.FAILED' : 'CALL.IGNORED');
      throw error;
    }
  };

  /** The wait before a retry, on the clock; an abort ends it with `CANCELLED`. */
  const sleep = (name: string, ms: number, signal: AbortSignal): Promise<void> =>
    new Promise((resolve, reject) => {
      const onAbort = (): void => {
        clock.clearTimeout(handle);
        reject(cancelledError(name));
      };
      const handle = clock.setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });

  const retries = (error: unknown): boolean => !isToolError(error) || (error.retryable !== false && error.code !== 'CIRCUIT_OPEN');

  /**
   * A call with retries or in a bulkhead: one controller per call, so stop() can cancel it
   * wherever it is (queued, running or waiting for its next attempt).
   */
  const withRetries = async (name: string, entry: ToolEntry, run: (signal: AbortSignal) => Promise<unknown>, callOptions: PolicyCallOptions, retry: RetryPolicy | false, timeoutMs: number | undefined): Promise<unknown> => {
    const controller = new AbortController();
    const forward = (): void => controller.abort(callOptions.signal.reason);
    if (callOptions.signal.aborted) forward();
    else callOptions.signal.addEventListener('abort', forward, { once: true });
    const cancel = (reason: RuntimeError): void => controller.abort(reason);
    live.add(cancel);
    inFlight += 1;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          return await attemptOnce(name, entry, run, controller.signal, timeoutMs, attempt > 1);
        } catch (error) {
          if (retry === false || attempt >= retry.maxAttempts || controller.signal.aborted || !retries(error)) throw error;
          await sleep(name, retryDelay(retry, attempt, random), controller.signal);
        }
      }
    } finally {
      callOptions.signal.removeEventListener('abort', forward);
      live.delete(cancel);
      inFlight -= 1;
    }
  };

  return {
    call(tool, run, callOptions) {
      if (stopped) return Promise.reject(new RuntimeError('RUNTIME_STOPPED', `call policies are stopped; ${tool.name} was not called`));
      const name = tool.name;
      const entry = entryFor(name);
      const retry = callOptions.retry ?? entry.settings.retry;
      const timeoutMs = callOptions.timeoutMs ?? entry.settings.timeoutMs;
      const invalid = callOptions.timeoutMs === undefined ? undefined : timeoutProblem(name, callOptions.timeoutMs);
      if (invalid !== undefined) return Promise.reject(invalid);
      // One attempt outside a bulkhead needs no controller of its own: its attempt registers how
      // stop() cancels it (see `timed`), and the tool runs on its caller's signal.
      if ((retry === false || retry.maxAttempts <= 1) && entry.bulkhead === undefined) {
        inFlight += 1;
        return attemptOnce(name, entry, run, callOptions.signal, timeoutMs, false, callOptions.callerStops === true, true);
      }
      return withRetries(name, entry, run, callOptions, retry, timeoutMs);
    },
    breakerState(tool) {
      const entry = entries.get(typeof tool === 'string' ? tool : tool.name);
      if (entry?.breaker === undefined) return 'closed';
      flushSuccesses(entry);
      return entry.breaker.getSnapshot().value;
    },
    stats() {
      for (const entry of entries.values()) flushSuccesses(entry);
      const of = (entry: ToolEntry): ToolPolicyStats => ({
        breaker: entry.breaker?.getSnapshot().value ?? 'disabled',
        halfOpenAt: entry.halfOpenAt,
        active: entry.bulkhead?.active ?? 0,
        queued: entry.bulkhead?.queued ?? 0,
      });
      return { tools: Object.fromEntries([...entries].map(([name, entry]) => [name, of(entry)])), inFlight };
    },
    stop() {
      if (stopped) return;
      stopped = true;
      for (const cancel of [...live]) cancel(new RuntimeError('RUNTIME_STOPPED', 'call policies stopped'));
      for (const entry of entries.values()) entry.breaker?.stop();
    },
  };
}

/** The error of a call's `timeoutMs` out of range (a rejection of the call, like every call failure). */
function timeoutProblem(tool: string, timeoutMs: number): RuntimeError | undefined {
  const problem = durationProblem(timeoutMs);
  return problem === undefined ? undefined : new RuntimeError('INVALID_OPTION', `timeoutMs of a call of ${tool} ${problem} (got ${timeoutMs})`);
}
