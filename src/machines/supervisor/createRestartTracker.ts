import type { Clock } from '../Clock.js';
import { RestartStrategySchema, type RestartDecision, type RestartStrategy, type RestartStrategyInput } from './RestartStrategy.js';

/** Options of {@link createRestartTracker}. */
export interface RestartTrackerOptions {
  /** The window is measured on this clock (a `SimulatedClock` in tests). */
  clock: Pick<Clock, 'now'>;
  /** Per tool name. */
  strategies?: Record<string, RestartStrategyInput>;
  /** For tools without their own; `restart`, 3 within 60 s, no backoff by default. */
  defaultStrategy?: RestartStrategyInput;
}

/** Restart intensity per tool per runtime. */
export interface RestartTracker {
  /** Records a crash of `tool` and says what to do. */
  onCrash(tool: string): RestartDecision;
  /** Restarts of `tool` within the current window. */
  restartsInWindow(tool: string): number;
  /** Forgets the restarts of one tool, or of all. */
  reset(tool?: string): void;
}

/**
 * Creates a restart tracker: a sliding window on the injected clock, per tool, of the restarts
 * granted. A crash while the window already holds `maxRestarts` restarts escalates (and is not
 * counted, so the tool recovers as old restarts slide out). Memory is `maxRestarts` timestamps
 * per crashed tool. Strategies are validated here: a bad one throws a `ZodError`.
 *
 * @example
 * const tracker = createRestartTracker({ clock, strategies: { flaky: { strategy: 'restart', maxRestarts: 2, periodMs: 10_000 } } });
 * tracker.onCrash('flaky'); // { action: 'restart', delayMs: 0, restarts: 1 }
 * tracker.onCrash('flaky'); // { action: 'restart', delayMs: 0, restarts: 2 }
 * tracker.onCrash('flaky'); // { action: 'escalate', reason: '...' }
 */
export function createRestartTracker(options: RestartTrackerOptions): RestartTracker {
  const fallback = RestartStrategySchema.parse(options.defaultStrategy ?? { strategy: 'restart' });
  const strategies = new Map<string, RestartStrategy>(
    Object.entries(options.strategies ?? {}).map(([tool, strategy]) => [tool, RestartStrategySchema.parse(strategy)]),
  );
  const windows = new Map<string, number[]>();

  const live = (tool: string, strategy: RestartStrategy): number[] => {
    const since = options.clock.now() - strategy.periodMs;
    const kept = (windows.get(tool) ?? []).filter((at) => at > since);
    if (kept.length === 0) windows.delete(tool);
    else windows.set(tool, kept);
    return kept;
  };

  return {
    onCrash(tool) {
      const strategy = strategies.get(tool) ?? fallback;
      if (strategy.strategy === 'stop') return { action: 'stop' };
      if (strategy.strategy === 'escalate') return { action: 'escalate', reason: `${tool} crashed and its strategy is escalate` };
      const window = live(tool, strategy);
      if (window.length >= strategy.maxRestarts) {
        return { action: 'escalate', reason: `${tool} crashed more than ${strategy.maxRestarts} time(s) within ${strategy.periodMs} ms` };
      }
      const delayMs = strategy.backoff ? Math.min(strategy.backoff.maxDelayMs, strategy.backoff.initialDelayMs * 2 ** window.length) : 0;
      windows.set(tool, [...window, options.clock.now()]);
      return { action: 'restart', delayMs, restarts: window.length + 1 };
    },
    restartsInWindow: (tool) => live(tool, strategies.get(tool) ?? fallback).length,
    reset(tool) {
      if (tool === undefined) windows.clear();
      else windows.delete(tool);
    },
  };
}
