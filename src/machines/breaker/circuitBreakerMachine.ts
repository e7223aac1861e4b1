import { and, assign, emit, setup, type SnapshotFrom } from 'xstate';
import { z } from 'zod';
import { ErrorType } from '../../errors/ErrorInfo.js';
import { isOrchkitError } from '../../errors/OrchkitError.js';

/**
 * When a tool's circuit opens and how it recovers; every field has a default. To turn one
 * trigger off, set `failureThreshold` or `minimumCalls` above any reachable count.
 */
export const BreakerSettingsSchema = z
  .object({
    failureThreshold: z.number().int().min(1).default(10).describe('Consecutive counted failures that open the circuit (10: at a 10% transient failure rate, a run of 10 comes once in ~10^10 calls)'),
    failureRateThreshold: z.number().gt(0).max(1).default(0.5).describe('Failure fraction over the window that opens the circuit'),
    windowSize: z.number().int().min(1).default(100).describe('Calls in the sliding window of the failure-rate rule'),
    minimumCalls: z.number().int().min(1).default(20).describe('Calls the window must hold before the failure-rate rule applies'),
    resetTimeoutMs: z.number().int().min(0).default(30_000).describe('Time open before trial calls are let through'),
    successThreshold: z.number().int().min(1).default(2).describe('Trial successes in halfOpen that close the circuit'),
    halfOpenMaxCalls: z.number().int().min(1).default(1).describe('Trial calls admitted at once in halfOpen'),
  })
  .strict();
export type BreakerSettings = z.output<typeof BreakerSettingsSchema>;

/** Input of {@link circuitBreakerMachine}: the settings and the tool it guards. */
export interface CircuitBreakerInput extends BreakerSettings {
  tool: string;
}

/** State of a circuit. */
export type BreakerState = 'closed' | 'open' | 'halfOpen';

/** Why a circuit opened. */
export type BreakerOpenReason = 'consecutive_failures' | 'failure_rate' | 'half_open_failure';

/** JSON context of a breaker actor. `epoch` grows on every state entry; results carry the epoch they were admitted in. */
export interface CircuitBreakerContext {
  tool: string;
  settings: BreakerSettings;
  epoch: number;
  consecutiveFailures: number;
  /** Outcomes of the last `windowSize` calls in `closed`, oldest first: 1 failure, 0 success. */
  window: number[];
  trialsInFlight: number;
  trialSuccesses: number;
}

/**
 * Events a breaker accepts. `epoch` is the context's epoch when the call was admitted: a result
 * from an earlier epoch (a call that outlived a state change) is ignored. Omitted, it counts.
 * `CALL.STARTED` takes a half-open trial slot; `CALL.IGNORED` gives one back without counting.
 */
export type CircuitBreakerEvent =
  | { type: 'CALL.STARTED'; epoch?: number }
  | { type: 'CALL.SUCCEEDED'; epoch?: number; count?: number }
  | { type: 'CALL.FAILED'; epoch?: number }
  | { type: 'CALL.IGNORED'; epoch?: number };

/** Events a breaker emits on each transition (forward them to the bus). */
export type CircuitBreakerEmitted =
  | { type: 'breaker.opened'; tool: string; reason: BreakerOpenReason; resetTimeoutMs: number; consecutiveFailures: number; failureRate: number }
  | { type: 'breaker.halfOpen'; tool: string }
  | { type: 'breaker.closed'; tool: string };

const failures = (window: readonly number[]): number => window.reduce((sum, x) => sum + x, 0);
const rateOf = (window: readonly number[]): number => (window.length === 0 ? 0 : failures(window) / window.length);

function withOutcome(context: CircuitBreakerContext, failed: boolean, count = 1): Pick<CircuitBreakerContext, 'consecutiveFailures' | 'window'> {
  const window = [...context.window];
  for (let i = 0; i < Math.min(count, context.settings.windowSize); i++) window.push(failed ? 1 : 0);
  if (window.length > context.settings.windowSize) window.splice(0, window.length - context.settings.windowSize);
  return { consecutiveFailures: failed ? context.consecutiveFailures + 1 : 0, window };
}

/** Which rule a closed circuit trips on, given its counters; undefined while healthy. */
function tripReason(context: CircuitBreakerContext): BreakerOpenReason | undefined {
  const { failureThreshold, failureRateThreshold, minimumCalls } = context.settings;
  if (context.consecutiveFailures >= failureThreshold) return 'consecutive_failures';
  if (context.window.length >= minimumCalls && rateOf(context.window) >= failureRateThreshold) return 'failure_rate';
  return undefined;
}

/**
 * The circuit breaker of one tool: `closed` → `open` when `failureThreshold` counted failures
 * come in a row, or when at least `failureRateThreshold` of the last `windowSize` calls failed
 * (with `minimumCalls` in the window); `open` → `halfOpen` after `resetTimeoutMs` (an `after`
 * transition on the actor's clock); `halfOpen` admits `halfOpenMaxCalls` trial calls at once and
 * closes after `successThreshold` successes, or opens again on one failure. Results that arrive
 * while `open` are ignored. Which failures count is decided by {@link countsAsBreakerFailure}.
 *
 * @example
 * const breaker = createActor(circuitBreakerMachine, { clock, input: { tool: 'scan', ...settings } }).start();
 * breaker.on('breaker.opened', (e) => bus.publish({ type: e.type, topic: e.type, correlationId: e.tool, payload: e }));
 * breaker.send({ type: 'CALL.FAILED' });
 */
export const circuitBreakerMachine = setup({
  types: {
    context: {} as CircuitBreakerContext,
    input: {} as CircuitBreakerInput,
    events: {} as CircuitBreakerEvent,
    emitted: {} as CircuitBreakerEmitted,
  },
  delays: {
    resetTimeout: ({ context }) => context.settings.resetTimeoutMs,
  },
  guards: {
    current: ({ context, event }) => event.epoch === undefined || event.epoch === context.epoch,
    tripsOnFailure: ({ context }) => tripReason({ ...context, ...withOutcome(context, true) }) !== undefined,
    hasTrialSlot: ({ context }) => context.trialsInFlight < context.settings.halfOpenMaxCalls,
    closesOnSuccess: ({ context }) => context.trialSuccesses + 1 >= context.settings.successThreshold,
  },
  actions: {
    enterState: assign({ epoch: ({ context }) => context.epoch + 1, trialsInFlight: 0, trialSuccesses: 0 }),
    resetCounters: assign({ consecutiveFailures: 0, window: () => [] }),
    recordSuccess: assign(({ context, event }) => withOutcome(context, false, event.type === 'CALL.SUCCEEDED' ? (event.count ?? 1) : 1)),
    recordFailure: assign(({ context }) => withOutcome(context, true)),
    takeTrial: assign({ trialsInFlight: ({ context }) => context.trialsInFlight + 1 }),
    releaseTrial: assign({ trialsInFlight: ({ context }) => Math.max(0, context.trialsInFlight - 1) }),
    countTrialSuccess: assign({
      trialsInFlight: ({ context }) => Math.max(0, context.trialsInFlight - 1),
      trialSuccesses: ({ context }) => context.trialSuccesses + 1,
    }),
    emitOpened: emit(({ context }, params: { reason: BreakerOpenReason | 'trip' }) => ({
      type: 'breaker.opened' as const,
      tool: context.tool,
      reason: params.reason === 'trip' ? (tripReason(context) ?? 'consecutive_failures') : params.reason,
      resetTimeoutMs: context.settings.resetTimeoutMs,
      consecutiveFailures: context.consecutiveFailures,
      failureRate: rateOf(context.window),
    })),
    emitHalfOpen: emit(({ context }) => ({ type: 'breaker.halfOpen' as const, tool: context.tool })),
    emitClosed: emit(({ context }) => ({ type: 'breaker.closed' as const, tool: context.tool })),
  },
}).createMachine({
  id: 'circuitBreaker',
  context: ({ input }) => {
    const { tool, ...settings } = input;
    return { tool, settings, epoch: 0, consecutiveFailures: 0, window: [], trialsInFlight: 0, trialSuccesses: 0 };
  },
  initial: 'closed',
  states: {
    closed: {
      entry: ['enterState', 'resetCounters'],
      on: {
        'CALL.SUCCEEDED': { guard: 'current', actions: 'recordSuccess' },
        'CALL.FAILED': [
          { guard: and(['current', 'tripsOnFailure']), target: 'open', actions: ['recordFailure', { type: 'emitOpened', params: { reason: 'trip' } }] },
          { guard: 'current', actions: 'recordFailure' },
        ],
      },
    },
    open: {
      // Counters keep the values that opened the circuit, for the inspector and snapshots.
      entry: 'enterState',
      after: { resetTimeout: { target: 'halfOpen', actions: 'emitHalfOpen' } },
    },
    halfOpen: {
      entry: 'enterState',
      on: {
        'CALL.STARTED': { guard: and(['current', 'hasTrialSlot']), actions: 'takeTrial' },
        'CALL.SUCCEEDED': [
          { guard: and(['current', 'closesOnSuccess']), target: 'closed', actions: 'emitClosed' },
          { guard: 'current', actions: 'countTrialSuccess' },
        ],
        'CALL.FAILED': { guard: 'current', target: 'open', actions: { type: 'emitOpened', params: { reason: 'half_open_failure' } } },
        'CALL.IGNORED': { guard: 'current', actions: 'releaseTrial' },
      },
    },
  },
});

/** Snapshot of a breaker actor. */
export type CircuitBreakerSnapshot = SnapshotFrom<typeof circuitBreakerMachine>;

/**
 * Whether a breaker in this state lets a call through: always when `closed`, never when
 * `open`, and in `halfOpen` only while a trial slot is free.
 *
 * @example
 * if (!breakerAdmits(breaker.getSnapshot())) throw circuitOpenError;
 */
export function breakerAdmits(snapshot: CircuitBreakerSnapshot): boolean {
  if (snapshot.value === 'closed') return true;
  if (snapshot.value === 'open') return false;
  return snapshot.context.trialsInFlight < snapshot.context.settings.halfOpenMaxCalls;
}

const UNHEALTHY = new Set<string>([ErrorType.timeout, ErrorType.crash, ErrorType.unavailable]);

/**
 * The rule of which failures count against a tool's circuit: only those that say the tool is
 * unhealthy. Timeouts, crashes and `unavailable` always count; an `execution_error` counts
 * unless it is marked `retryable: false` (a business answer, not a sick tool); an error that
 * is not an orchkit error counts as a crash. Everything else is ignored: validation errors (the
 * caller sent bad input), cancellations, `not_found`, `auth_error`, `security_error`,
 * `expression_error` and `limit_exceeded` (including the bulkhead's own `BULKHEAD_FULL`). A
 * `CIRCUIT_OPEN` that a tool passes on from a nested request is ignored too: the dependency's
 * own breaker already sheds that load, and counting it would open every caller in cascade.
 *
 * @example
 * breaker.send({ type: countsAsBreakerFailure(error) ? 'CALL.FAILED' : 'CALL.IGNORED' });
 */
export function countsAsBreakerFailure(error: unknown): boolean {
  if (!isOrchkitError(error)) return true;
  if (error.code === 'CIRCUIT_OPEN') return false;
  if (UNHEALTHY.has(error.type)) return true;
  return error.type === ErrorType.execution && (error as { retryable?: boolean }).retryable !== false;
}
