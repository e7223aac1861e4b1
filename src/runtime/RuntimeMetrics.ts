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

/** Step-level counters of one workflow: retries and timeouts of its steps, and its map items. */
export interface StepMetrics {
  /** Retry waits started (`step.retrying`), map items' included. */
  retries: number;
  /** Attempts that ended in `STEP_TIMEOUT` (retried or not), map items' included. */
  timeouts: number;
  /** Map items: attempts started, items completed, items failed (after their retries), item retries. */
  items: { started: number; completed: number; failed: number; retries: number };
}

/**
 * A plain JSON view of every metric: per tool; executions by status and step counters per
 * workflow. Workflow series are capped (see {@link RuntimeMetricsOptions}); the rest are counted
 * under {@link OTHER_WORKFLOWS}.
 */
export interface MetricsSnapshot {
  tools: Record<string, ToolMetrics>;
  workflows: Record<string, Record<string, number>>;
  steps: Record<string, StepMetrics>;
}

/** The series that counts workflows past the cap, or with an id longer than `maxIdLength`. */
export const OTHER_WORKFLOWS = '(other)';

/** Options of {@link createRuntimeMetrics}. */
export interface RuntimeMetricsOptions {
  /** Latencies kept per tool (a ring of the most recent); default 1024. Bounds memory. */
  reservoirSize?: number;
  /** Workflow ids with a series of their own; default 1000. Later ones count under `(other)`. */
  maxWorkflows?: number;
  /** Longest workflow id with a series of its own; default 256 characters. Longer ones count under `(other)`. */
  maxIdLength?: number;
}

/** What `observe` needs of a workflow actor: its emitted events. */
interface EmittingActor {
  on(type: '*', listener: (event: { type: string; error?: { code?: string } }) => void): unknown;
}

/** In-memory metrics of a runtime. */
export interface RuntimeMetrics {
  /** Records one attempt of a tool call. */
  recordCall(tool: string, record: CallRecord): void;
  /** Records the breaker of `tool` entering `state`; a change counts as a transition. */
  recordBreaker(tool: string, state: ToolMetrics['breaker']['state']): void;
  /** Records an execution of `workflowId` ending (or starting) with `status`. */
  recordExecution(workflowId: string, status: string): void;
  /** Counts a workflow actor's step events (`step.retrying`, `step.failed`, `item.*`) as its steps' metrics. */
  observe(actor: EmittingActor, workflowId: string): void;
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
  const maxWorkflows = options.maxWorkflows ?? 1000;
  const maxIdLength = options.maxIdLength ?? 256;
  for (const [name, value] of [['maxWorkflows', maxWorkflows], ['maxIdLength', maxIdLength]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new RuntimeError('INVALID_OPTION', `${name} must be a positive integer (got ${value})`);
  }
  const tools = new Map<string, ToolEntry>();
  const workflows = new Map<string, Map<string, number>>();
  const steps = new Map<string, StepMetrics>();
  const known = new Set<string>();
  /** The series of a workflow id: its own while the cap allows, else `(other)`. */
  const series = (workflowId: string): string => {
    if (known.has(workflowId)) return workflowId;
    if (workflowId.length > maxIdLength || known.size >= maxWorkflows) return OTHER_WORKFLOWS;
    known.add(workflowId);
    return workflowId;
  };
  const stepEntry = (workflowId: string): StepMetrics => {
    const key = series(workflowId);
    let found = steps.get(key);
    if (found === undefined) steps.set(key, (found = { retries: 0, timeouts: 0, items: { started: 0, completed: 0, failed: 0, retries: 0 } }));
    return found;
  };
  const recordStepEvent = (workflowId: string, event: { type: string; error?: { code?: string } }): void => {
    switch (event.type) {
      case 'step.retrying':
      case 'item.retrying':
      case 'step.failed':
      case 'item.failed':
      case 'item.started':
      case 'item.completed':
        break;
      default:
        return;
    }
    const e = stepEntry(workflowId);
    // A timed-out attempt is either retried (`*.retrying`) or the last one (`*.failed`): counted once either way.
    if (event.error?.code === 'STEP_TIMEOUT') e.timeouts++;
    if (event.type === 'step.retrying' || event.type === 'item.retrying') e.retries++;
    if (event.type === 'item.retrying') e.items.retries++;
    if (event.type === 'item.started') e.items.started++;
    if (event.type === 'item.completed') e.items.completed++;
    if (event.type === 'item.failed') e.items.failed++;
  };

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
      const key = series(workflowId);
      let byStatus = workflows.get(key);
      if (byStatus === undefined) workflows.set(key, (byStatus = new Map<string, number>()));
      byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    },
    observe(actor, workflowId) {
      actor.on('*', (event) => recordStepEvent(workflowId, event));
    },
    snapshot() {
      return {
        tools: Object.fromEntries([...tools].map(([name, e]) => [name, { ...e.counters, breaker: { ...e.breaker }, latencyMs: latency(e) }])),
        workflows: Object.fromEntries([...workflows].map(([id, byStatus]) => [id, Object.fromEntries(byStatus)])),
        steps: Object.fromEntries([...steps].map(([id, e]) => [id, { ...e, items: { ...e.items } }])),
      };
    },
  };
}
