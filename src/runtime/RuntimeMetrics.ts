import { RuntimeError } from '../errors/RuntimeError.js';

/** How one tool call attempt ended, as the call policies see it. */
export type CallOutcome = 'success' | 'failure' | 'timeout' | 'circuit_open' | 'bulkhead_full' | 'cancelled';

/** One recorded attempt. `retried` marks an attempt after the first of the same call. */
export interface CallRecord {
  durationMs: number;
  outcome: CallOutcome;
  retried?: boolean;
}

/** Latency percentiles (ms) over the most recent attempts that ran the tool; null before any. */
export interface LatencySummary {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

/**
 * Counters of one tool. `calls` is every recorded attempt and equals the sum of `successes`,
 * `failures`, `timeouts`, `circuitOpenRejections`, `bulkheadRejections` and `cancelled`.
 */
export interface ToolMetrics {
  calls: number;
  successes: number;
  failures: number;
  retries: number;
  timeouts: number;
  circuitOpenRejections: number;
  bulkheadRejections: number;
  cancelled: number;
  breaker: { state: 'closed' | 'open' | 'halfOpen'; transitions: number };
  latencyMs: LatencySummary;
}

/** A plain JSON view of every metric: per tool, and executions by status per workflow. */
export interface MetricsSnapshot {
  tools: Record<string, ToolMetrics>;
  workflows: Record<string, Record<string, number>>;
}

/** Options of {@link createRuntimeMetrics}. */
export interface RuntimeMetricsOptions {
  /** Latencies kept per tool (a ring of the most recent); default 1024. Bounds memory. */
  reservoirSize?: number;
}

/** In-memory metrics of a runtime. */
export interface RuntimeMetrics {
  /** Records one attempt of a tool call. */
  recordCall(tool: string, record: CallRecord): void;
  /** Records the breaker of `tool` entering `state`; a change counts as a transition. */
  recordBreaker(tool: string, state: ToolMetrics['breaker']['state']): void;
  /** Records an execution of `workflowId` ending (or starting) with `status`. */
  recordExecution(workflowId: string, status: string): void;
  snapshot(): MetricsSnapshot;
}

type Counter = 'successes' | 'failures' | 'timeouts' | 'circuitOpenRejections' | 'bulkheadRejections' | 'cancelled';
const COUNTER: Record<CallOutcome, Counter> = {
  success: 'successes',
  failure: 'failures',
  timeout: 'timeouts',
  circuit_open: 'circuitOpenRejections',
  bulkhead_full: 'bulkheadRejections',
  cancelled: 'cancelled',
};
/** Outcomes where the tool actually ran, so the duration is a tool latency. */
const TIMED = new Set<CallOutcome>(['success', 'failure', 'timeout']);

interface ToolEntry {
  counters: Omit<ToolMetrics, 'breaker' | 'latencyMs'>;
  breaker: ToolMetrics['breaker'];
  latencies: Float64Array;
  /** Latencies recorded so far; the ring holds the last `min(seen, size)`. */
  seen: number;
}

/** Nearest-rank percentile of ascending `sorted` (non-empty). */
function percentile(sorted: Float64Array, p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

/**
 * Creates the metrics of a runtime. Memory is bounded: counters per tool and workflow, and a
 * fixed ring of recent latencies per tool from which `snapshot()` computes exact nearest-rank
 * percentiles (exact over the ring; older attempts drop out).
 *
 * @example
 * const metrics = createRuntimeMetrics();
 * metrics.recordCall('scan', { durationMs: 120, outcome: 'success' });
 * metrics.snapshot().tools.scan?.latencyMs.p95; // 120
 */
export function createRuntimeMetrics(options: RuntimeMetricsOptions = {}): RuntimeMetrics {
  const size = options.reservoirSize ?? 1024;
  if (!Number.isInteger(size) || size < 1) throw new RuntimeError('INVALID_OPTION', `reservoirSize must be a positive integer (got ${size})`);
  const tools = new Map<string, ToolEntry>();
  const workflows = new Map<string, Map<string, number>>();

  const entry = (tool: string): ToolEntry => {
    let found = tools.get(tool);
    if (found === undefined) {
      found = {
        counters: { calls: 0, successes: 0, failures: 0, retries: 0, timeouts: 0, circuitOpenRejections: 0, bulkheadRejections: 0, cancelled: 0 },
        breaker: { state: 'closed', transitions: 0 },
        latencies: new Float64Array(size),
        seen: 0,
      };
      tools.set(tool, found);
    }
    return found;
  };

  const latency = (e: ToolEntry): LatencySummary => {
    const count = Math.min(e.seen, size);
    if (count === 0) return { count: 0, p50: null, p95: null, p99: null, max: null };
    const sorted = e.latencies.slice(0, count).sort();
    return { count, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted[count - 1] as number };
  };

  return {
    recordCall(tool, record) {
      const e = entry(tool);
      e.counters.calls++;
      e.counters[COUNTER[record.outcome]]++;
      if (record.retried === true) e.counters.retries++;
      if (TIMED.has(record.outcome)) {
        e.latencies[e.seen % size] = Math.max(0, record.durationMs);
        e.seen++;
      }
    },
    recordBreaker(tool, state) {
      const e = entry(tool);
      if (e.breaker.state !== state) e.breaker = { state, transitions: e.breaker.transitions + 1 };
    },
    recordExecution(workflowId, status) {
      let byStatus = workflows.get(workflowId);
      if (byStatus === undefined) workflows.set(workflowId, (byStatus = new Map<string, number>()));
      byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    },
    snapshot() {
      return {
        tools: Object.fromEntries([...tools].map(([name, e]) => [name, { ...e.counters, breaker: { ...e.breaker }, latencyMs: latency(e) }])),
        workflows: Object.fromEntries([...workflows].map(([id, byStatus]) => [id, Object.fromEntries(byStatus)])),
      };
    },
  };
}
