import type { Logger } from 'pino';
import type { InspectionEvent, Observer } from 'xstate';
import type { AnyTool } from '../actors/defineTool.js';
import type { ToolRegistry } from '../actors/ToolRegistry.js';
import type { RetryPolicy, WorkflowDefinition, WorkflowDefinitionInput } from '../definition/WorkflowDefinitionSchema.js';
import type { Clock } from '../machines/Clock.js';
import type { ToolInfo } from './executionHistory.js';
import type { MessageBus } from './MessageBus.js';
import type { PolicySettingsInput } from './policies/CallPolicies.js';
import type { FailureRoutingRuleInput } from '../machines/supervisor/FailureRoutingRule.js';
import type { RestartStrategyInput } from '../machines/supervisor/RestartStrategy.js';
import type { Supervisor } from './createSupervisor.js';
import type { MetricsSnapshot } from './RuntimeMetrics.js';
import type { ContextEntry, SessionContext, ShareOptions } from '../actors/SessionContext.js';
import type { WorkflowExecution } from './startExecution.js';
import type { ExecutionRecord, ExecutionStore } from './store/ExecutionStore.js';
import type { WorkflowResult } from './WorkflowResult.js';
import type { RegisteredWorkflow } from './WorkflowRegistry.js';
import type { ScheduleControl } from './schedules/ScheduleControl.js';
import type { ScheduleOptions } from './schedules/ScheduleSpec.js';

/** Options of {@link createRuntime}. */
export interface RuntimeOptions {
  tools?: Iterable<AnyTool>;
  /**
   * Directory the paths tools are given must stay in (`ctx.resolvePath`: relative paths resolve
   * against it; `..`, absolute paths and links out are `PATH_OUTSIDE_WORKSPACE`). None by default:
   * paths resolve against the working directory, unconfined.
   */
  workspaceRoot?: string;
  /** pino logger; silent by default (library code never writes to the console). */
  logger?: Logger;
  /** Paths redacted from every log line, pino syntax (`input.password`, `input.*.token`). */
  redact?: string[];
  /** XState inspector, passed to every actor the runtime creates. */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** Time source; XState's `SimulatedClock` makes time-based tests instant. */
  clock?: Clock;
  /** Capabilities exposed to workflow conditions as `env` (e.g. `{ docker: false }`). */
  env?: Record<string, unknown>;
  idGenerator?: () => string;
  /** Source of randomness for retry jitter (seed it in tests). */
  random?: () => number;
  /**
   * What the bus keeps for `trace()`: at most `historyLimit` messages (10 000) and `historyBytes`
   * bytes of them (16 MiB, their approximate JSON size); the oldest go first.
   */
  bus?: { historyLimit?: number; historyBytes?: number };
  /** Shared-context limits. */
  context?: { defaultTtlMs?: number; maxEntryBytes?: number; maxEntriesPerSession?: number };
  /** Failure routing to remediation tools; validated against the tools (`ROUTING_RULES_INVALID`). */
  routingRules?: readonly FailureRoutingRuleInput[];
  /** Per-tool call policies (timeout, retry for tool-to-tool calls, circuit breaker, bulkhead). */
  policies?: { defaults?: PolicySettingsInput; perTool?: Record<string, PolicySettingsInput> };
  /**
   * Durable executions: an `ExecutionStore` or a URL (`sqlite:runs.db`, `postgres://...`,
   * `memory:`). Runs are journaled step by step; `resume()` takes over runs left running. A run's
   * record commits before its first tool runs, and its result settles only once committed; a
   * store write that fails (after two retries) ends the run here `failed` with the store's code
   * (`STORE_UNAVAILABLE`, ...), leaving its last committed state for `resume()` on any node.
   */
  store?: ExecutionStore | string;
  /** This runtime's id as owner of execution leases; random by default. */
  nodeId?: string;
  /** How long a lease lasts without renewal: an integer from 100 ms to 1 day (`INVALID_OPTION` otherwise); 30 s by default. */
  leaseMs?: number;
  /** Restart strategies for crashing tools (OTP style), per tool and by default. */
  restart?: { strategies?: Record<string, RestartStrategyInput>; defaultStrategy?: RestartStrategyInput };
  /** Workflows registered at start, by `(id, version)`, as with `registerWorkflow` one by one. */
  workflows?: Iterable<WorkflowDefinitionInput>;
  /** Deepest nesting of child runs (`workflow` steps): a top-level run has depth 1; 16 by default. */
  maxWorkflowDepth?: number;
  /**
   * Workflows on a timetable: `{ id, workflow, cron, input?, timezone?, overlap?, catchUp?, paused? }`,
   * timers on `clock`. Each run is an ordinary execution whose correlation id is
   * `schedule:<id>:<kind>:<tick ISO time>`. On a PostgreSQL store exactly one node starts each
   * tick; elsewhere state lives in this process. Bad entries throw a `ScheduleError` naming the field.
   */
  schedules?: readonly ScheduleOptions[];
  /** How often a PostgreSQL-backed runtime looks for queued and manually triggered ticks; 1000 ms by default. */
  schedulePollMs?: number;
  /**
   * Task queues: tool names by queue (`{ build: ['build_image'] }`), besides `defineTool({ queue })`.
   * A step of such a tool is enqueued in the PostgreSQL store and run by a worker
   * (`createWorker`, `orchkit worker --queue`); retries, timeouts, breakers and routing apply as
   * to local tools. A name the runtime has no tool for is `QUEUE_UNKNOWN_TOOL`.
   */
  queues?: Readonly<Record<string, readonly string[]>>;
  /** A worker silent this long loses a task to another worker; 10 000 ms by default. */
  taskHeartbeatTimeoutMs?: number;
}

/** Options of one execution. */
export interface ExecuteOptions {
  input?: unknown;
  /** With a workflow id: the registered version to run; the latest (most recently registered) by default. */
  version?: string;
  sessionId?: string;
  correlationId?: string;
  /** Aborting it cancels the run; the result is `cancelled`. */
  signal?: AbortSignal;
  /** This run's workspace root, in place of the runtime's (`RuntimeOptions.workspaceRoot`); the MCP server passes its own. */
  workspaceRoot?: string;
}

/** Options of a direct tool call. */
export interface CallToolOptions {
  sessionId?: string;
  correlationId?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Retries of retryable failures (exponential backoff, full jitter); none by default. */
  retry?: RetryPolicy | false;
  /** This call's workspace root, in place of the runtime's (`RuntimeOptions.workspaceRoot`). */
  workspaceRoot?: string;
}

export type RuntimeStatus = 'running' | 'stopping' | 'stopped';

/** An orchkit runtime: tools, the bus, shared context, and the executions it runs. */
export interface Runtime {
  readonly status: RuntimeStatus;
  readonly tools: ToolRegistry;
  readonly bus: MessageBus;
  readonly logger: Logger;
  /**
   * Runs a definition (object) and resolves with its result; never rejects for a failed run.
   * `TOutput` types `result.output` (declared, not checked at run time).
   *
   * @example
   * const result = await runtime.executeWorkflow<{ image: string }>(definition, { input });
   * if (result.status === 'completed') deploy(result.output?.image);
   */
  executeWorkflow<TOutput = unknown>(definition: WorkflowDefinitionInput | string, options?: ExecuteOptions): Promise<WorkflowResult<TOutput>>;
  /** Parses (YAML or JSON text, or an object), validates against the registered tools, runs. */
  executeCustomWorkflow<TOutput = unknown>(source: string | object, options?: ExecuteOptions): Promise<WorkflowResult<TOutput>>;
  /**
   * Starts a run and returns its handle at once (for progress display, cancel, inspection). A
   * string is a registered workflow's id: its latest version runs, or `options.version`; an
   * unknown id or version throws `RuntimeError` `WORKFLOW_NOT_FOUND` (so does `executeWorkflow`).
   */
  startWorkflow<TOutput = unknown>(definition: WorkflowDefinitionInput | string, options?: ExecuteOptions): WorkflowExecution<TOutput>;
  /**
   * Registers a workflow by `(id, version)` for runs by id and for `workflow` steps. It is
   * validated against the tools (`WorkflowValidationError`); the workflows it calls may be
   * registered later. The same `(id, version)` again is a no-op with the same content and
   * `RuntimeError` `WORKFLOW_VERSION_CONFLICT` with other content. A run keeps the definition it
   * started with: registering version 2 never changes a run of version 1.
   *
   * @example
   * runtime.registerWorkflow({ id: 'build-image', version: '2', steps: [...] });
   * await runtime.executeWorkflow('build-image', { input });            // runs version 2
   * await runtime.executeWorkflow('build-image', { version: '1', input });
   */
  registerWorkflow(definition: WorkflowDefinitionInput): RegisteredWorkflow;
  /** Every registered `(id, version)`, in registration order; `latest` marks what an id runs. */
  workflows(): RegisteredWorkflow[];
  /** A registered definition: the latest of `id`, or `version`; `RuntimeError` `WORKFLOW_NOT_FOUND` otherwise. */
  getWorkflow(id: string, version?: string): WorkflowDefinition;
  /** Calls one tool outside a workflow, with its schemas and the runtime's policies. */
  callTool(name: string, input: unknown, options?: CallToolOptions): Promise<unknown>;
  /** The shared context of a session. With a store, its writes are written behind (a failed one is taken back and logged). */
  context(sessionId: string): SessionContext;
  /**
   * Writes an entry of a session's shared context; with a store, commits it there before memory:
   * rejects with the store's typed error (`STORE_UNAVAILABLE`, ...) and leaves the context
   * unchanged when the store write fails.
   *
   * @example
   * await runtime.shareContext('repo-1', 'analysis', { language: 'go' }, { ttlMs: 60_000 });
   */
  shareContext<T>(sessionId: string, contextType: string, data: T, options?: ShareOptions): Promise<ContextEntry<T>>;
  /** Deletes an entry of a session's shared context, from the store first (as {@link Runtime.shareContext}); false when there was none. */
  deleteContext(sessionId: string, contextType: string): Promise<boolean>;
  clearSession(sessionId: string): number;
  /** With a store: loads the stored shared context, expired entries left out (`resume()` does it too). */
  loadContext(): Promise<void>;
  sessions(): string[];
  /** Ordered bus messages of one execution. */
  trace(correlationId: string): ReturnType<MessageBus['trace']>;
  /** Executions still running. */
  executions(): WorkflowExecution[];
  /** The supervisor: routing rules, restart tracking, and its actor (`systemId: 'supervisor'`). */
  readonly supervisor: Supervisor;
  /** Calls, failures, retries, timeouts, latency percentiles and breaker state per tool; executions by status. */
  metrics(): MetricsSnapshot & { bus: ReturnType<MessageBus['metrics']> };
  /** Tools recorded in a session's `tool_registry` and `execution_history` context entries. */
  extractToolsFromContext(sessionId: string): ToolInfo[];
  /**
   * With a store: takes over executions left running (by a crashed process, or a node whose lease
   * lapsed) and resumes them. Completed steps are not run again; a step that was running runs
   * again (at least once: tools deduplicate with `ctx.idempotencyKey`); retry waits and timeouts
   * resume with the time that is left. With `executionId`, takes up that execution only, paused
   * or left running; none when another node holds its lease. A run this runtime cannot take up
   * (its definition names a tool it lacks) is logged and its lease released for another node.
   */
  resume(options?: ResumeOptions): Promise<WorkflowExecution[]>;
  /**
   * With a store: pauses an execution durably (`paused` in the store). On this node it is
   * suspended at once (writes flushed, lease released, `execution.suspended` on the bus); on the
   * node that owns it, at that node's next lease renewal (within `leaseMs / 3`). No node claims
   * it until `resume({ executionId })`. A step that was running runs again on resume. A finished
   * execution is `STORE_CONFLICT`; an unknown one `STORE_NOT_FOUND`.
   */
  pause(executionId: string): Promise<ExecutionRecord>;
  /**
   * Sends a signal to an execution's `wait` steps: the step parked for `name` completes with
   * `payload` as its output (`null` when absent); a signal that comes before its step waits is
   * kept in the run's context (in order, per name; durable with a store) and taken when the step
   * waits. Published on the bus as `workflow.signal` with the execution's correlationId, so it
   * shows in `trace()`. A durable run this runtime does not hold (another node does, or none)
   * gets the signal kept in the store: its owner takes it at its next lease renewal, whoever
   * resumes it takes it first, once. Rejects with a `RuntimeError`: `EXECUTION_NOT_FOUND`
   * (unknown id), `EXECUTION_FINISHED`, `SIGNAL_INVALID` (a name that is not an identifier), `SIGNAL_UNKNOWN` (no wait
   * step of the run waits for it), `SIGNAL_PAYLOAD_NOT_JSON`, `SIGNAL_PAYLOAD_TOO_LARGE` (over
   * `context.maxEntryBytes`, 1 MiB by default).
   *
   * @example
   * await runtime.signal(execution.executionId, 'approval', { approved: true, by: 'ada' });
   */
  signal(executionId: string, name: string, payload?: unknown): Promise<void>;
  /** The execution store, when the runtime has one. */
  readonly store: ExecutionStore | undefined;
  /** Schedules: list, pause, resume, trigger (see `createRuntime({ schedules })`). */
  readonly schedules: ScheduleControl;
  /**
   * Stops every actor, timer and subscription. Idempotent. Runs without a store are cancelled;
   * durable runs are suspended (their writes flushed, their leases released) for `resume()`
   * elsewhere, and their local `result` promises do not settle.
   */
  stop(): Promise<void>;
}

/** Options of `Runtime.resume`. */
export interface ResumeOptions {
  /** Most executions taken up by one call; 10 by default. */
  limit?: number;
  /** Takes up this execution only: a paused one is set running again first. */
  executionId?: string;
}
