import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { createToolRegistry } from '../actors/ToolRegistry.js';
import { locatedError, readDefinitionText, readDefinitionTextWork, type DefinitionText } from '../definition/parseWorkflow.js';
import { runInTurns } from '../definition/runInTurns.js';
import { resolveWorkflowInput } from '../definition/resolveWorkflowInput.js';
import type { ValidateOptions } from '../definition/validateWorkflow.js';
import { createCheckedExecute } from './createCheckedExecute.js';
import { createWorkspaceRoots } from './workspaceRoots.js';
import type { WorkflowDefinitionInput } from '../definition/WorkflowDefinitionSchema.js';
import { RuntimeError } from '../errors/RuntimeError.js';
import type { CallMeta } from '../actors/CallMeta.js';
import { systemClock } from '../machines/Clock.js';
import { createContextStore, type ContextStore } from './ContextStore.js';
import { createMessageBus } from './MessageBus.js';
import { createExecutionWriter, type Durability, type ExecutionWriter } from './persistExecution.js';
import { createDurableRuns } from './DurableRuns.js';
import { createCallPath } from './createCallPath.js';
import { restoreExecution } from './restoreExecution.js';
import { createWorkflowPreparer } from './createWorkflowPreparer.js';
import { StoreError } from '../errors/StoreError.js';
import { createContextPersistence, type ContextPersistence } from './persistContext.js';
import type { ContextEntry, SessionContext, ShareOptions } from '../actors/SessionContext.js';
import { checkDurationOption, LEASE_MS_RANGE } from './store/checkDurationOption.js';
import { createStore } from './store/createStore.js';
import type { ExecuteOptions, ResumeOptions, Runtime, RuntimeOptions, RuntimeStatus } from './Runtime.js';
import type { ExecutionRecord, ExecutionStore } from './store/ExecutionStore.js';
import { recordExecutionHistory, shareToolRegistry, extractToolsFromContext } from './executionHistory.js';
import { startExecution, type WorkflowExecution } from './startExecution.js';
import { createSignalSender } from './createSignalSender.js';
import { deliverStoredSignals } from './deliverStoredSignals.js';
import { createWorkflowRegistry, type RegisteredWorkflow } from './WorkflowRegistry.js';
import type { ChildStart } from './createChildRuns.js';
import { createNesting } from './createNesting.js';
import type { WorkflowMachineInput } from '../machines/workflow/WorkflowContext.js';
import { checkSchedules } from './schedules/checkSchedules.js';
import { createScheduler } from './schedules/createScheduler.js';
import { openScheduleStore } from './schedules/openScheduleStore.js';
import { remoteTools } from './queues/remoteTools.js';
import { lazyTaskQueue } from './queues/lazyTaskQueue.js';

/** How many finished run ids the runtime remembers for `signal()`'s EXECUTION_FINISHED. */
/** Definition text up to this many characters is read in one turn (about 150 YAML steps). */
const TEXT_READ_AT_ONCE = 16_384;
const FINISHED_REMEMBERED = 10_000;

export type { Runtime, RuntimeOptions, RuntimeStatus, ExecuteOptions, CallToolOptions } from './Runtime.js';

/**
 * Creates a runtime.
 *
 * @example
 * const runtime = createRuntime({ tools: [greet] });
 * const result = await runtime.executeWorkflow({ id: 'hello', steps: [{ id: 'greet', tool: 'greet', input: { name: 'Ada' } }] });
 * await runtime.stop();
 */
export function createRuntime(options: RuntimeOptions = {}): Runtime {
  // Tools on a task queue run on workers: their `run` enqueues (see queues/remoteTools.ts).
  const taskQueue = lazyTaskQueue(() => durability?.store, options.clock ?? systemClock, options.logger ?? pino({ level: 'silent' }));
  const onPostgres = typeof options.store === 'string' ? /^postgres(ql)?:\/\//i.test(options.store) : options.store?.postgres !== undefined;
  const tools = createToolRegistry(remoteTools(options.tools ?? [], options.queues, () => taskQueue, options.taskHeartbeatTimeoutMs, onPostgres).tools);
  const workflows = createWorkflowRegistry(tools);
  for (const definition of options.workflows ?? []) workflows.register(definition);
  // Checked before anything with a timer exists, so a bad entry leaves nothing behind.
  const schedules = checkSchedules(options.schedules ?? [], tools);
  const schedulePollMs = checkDurationOption('schedulePollMs', options.schedulePollMs ?? 1000, { min: 10, max: 3_600_000 });
  const clock = options.clock ?? systemClock;
  const baseLogger = options.logger ?? pino({ level: 'silent' });
  const logger = options.redact?.length ? baseLogger.child({}, { redact: { paths: options.redact, censor: '[redacted]' } }) : baseLogger;
  const newId = options.idGenerator ?? randomUUID;
  const env = options.env ?? {};
  const bus = createMessageBus({ clock, ...options.bus });
  const ownsStore = typeof options.store === 'string';
  const durability: Durability | undefined =
    options.store === undefined
      ? undefined
      : {
          store: typeof options.store === 'string' ? createStore(options.store, { clock, logger }) : options.store,
          owner: options.nodeId ?? `node-${newId()}`,
          leaseMs: checkDurationOption('leaseMs', options.leaseMs ?? 30_000, LEASE_MS_RANGE),
          now: () => clock.now(),
          logger,
        };
  // Shared context goes through the execution store too, when there is one.
  let persistence: ContextPersistence | undefined;
  const store: ContextStore = createContextStore({
    clock,
    ...options.context,
    ...(durability ? { onShared: (entry: ContextEntry, previous: ContextEntry | undefined) => persistence?.saved(entry, previous) } : {}),
    onExpired: (entry) =>
      bus.publish({
        type: 'context.expired',
        topic: 'context.expired',
        correlationId: entry.sessionId,
        sessionId: entry.sessionId,
        payload: { contextType: entry.contextType, expiresAt: entry.expiresAt, version: entry.version },
      }),
  });
  let storeReady: Promise<void> | undefined;
  let initialized: Promise<void> | undefined;
  const initOnce = (executionStore: ExecutionStore): Promise<void> => (initialized ??= executionStore.init());
  const ready = (executionStore: ExecutionStore): Promise<void> =>
    (storeReady ??= initOnce(executionStore).then(() => persistence?.load()));
  if (durability) persistence = createContextPersistence(durability, () => store, () => initOnce(durability.store));
  const sessionView = (session: SessionContext): SessionContext => (persistence ? persistence.wrap(session) : session);
  const running = new Map<string, WorkflowExecution>();
  // Ids of runs that finished here lately, so a late signal is EXECUTION_FINISHED, not unknown (bounded).
  const finishedHere = new Set<string>();
  const maxSignalBytes = options.context?.maxEntryBytes ?? 1_048_576;
  let status: RuntimeStatus = 'running';
  const workspaceRoots = createWorkspaceRoots(options.workspaceRoot);
  const durableRuns = durability
    ? createDurableRuns({
        durability,
        bus,
        clock,
        onSuspended: (execution) => {
          running.delete(execution.executionId);
          activeSupervisor.forget(execution.executionId);
        },
      })
    : undefined;

  const sessionData = (sessionId: string): Record<string, unknown> => Object.fromEntries(store.forSession(sessionId).list().map((e) => [e.contextType, e.data]));
  const { metrics, policies, services, supervisor: activeSupervisor, callThroughPolicies } = createCallPath({
    options,
    clock,
    logger,
    bus,
    tools,
    newId,
    sessionData,
    contextFor: (sessionId, tool) => sessionView(store.forSession(sessionId, tool)),
    workspaceRootOf: (meta) => workspaceRoots.of(meta),
  });

  const restoring = new Set<string>();
  // Child runs (`workflow` steps) and compensations start through startWorkflow, so they are tracked and durable like any run.
  const nesting = createNesting({
    workflows,
    maxWorkflowDepth: options.maxWorkflowDepth,
    running,
    start: (definition, executeOptions, child) => startWorkflow(definition, executeOptions, child),
    clock,
    logger,
    sessionData,
    durable: durability && durableRuns ? { durability, runs: durableRuns, resume: (executionId) => resume({ executionId }) } : undefined,
  });
  services.runChild = nesting.runChild;
  const compensate = nesting.compensate;

  const assertRunning = (): void => {
    if (status !== 'running') throw new RuntimeError('RUNTIME_STOPPED', 'the runtime is stopped; create a new one with createRuntime()');
  };

  /** What every definition this runtime runs is checked against (prepare and the checked execute path). */
  const validation = (): ValidateOptions => ({ tools, workflows: workflows.definitions() });
  const { prepare, compiled } = createWorkflowPreparer({ tools, services, validation });

  const startWorkflow = (source: WorkflowDefinitionInput | string, executeOptions: ExecuteOptions = {}, child?: ChildStart): WorkflowExecution => {
    assertRunning();
    const { definition, machine, timeoutOf, compensates } = prepare(typeof source === 'string' ? workflows.require(source, executeOptions.version) : source);
    const input = resolveWorkflowInput(definition, executeOptions.input);
    const executionId = child?.executionId ?? newId();
    const leaveRoot = workspaceRoots.enter(executionId, executeOptions.workspaceRoot);
    const machineInput: WorkflowMachineInput = {
      executionId,
      correlationId: executeOptions.correlationId ?? newId(),
      sessionId: executeOptions.sessionId ?? executionId,
      input,
      env,
      startedAt: clock.now(),
      ...(child ? { depth: child.depth, parent: child.parent } : {}),
    };
    const writer = durability ? createExecutionWriter(durability, definition, machineInput, { fresh: true, seqStart: 0, timeoutOf }) : undefined;
    if (durability) void initOnce(durability.store).catch((error: unknown) => logger.error({ err: error }, 'store init failed'));
    const started = startExecution({
      machine,
      definition,
      bus,
      clock,
      inspect: options.inspect,
      signal: executeOptions.signal,
      machineInput,
      beforeStart: (actor) => {
        metrics.observe(actor, definition.id);
        writer?.attach(actor);
      },
      // No tool runs before the execution record is committed.
      startAfter: writer?.created,
      causationId: child?.causationId,
      // Compensations start once the run's end is committed: a crash never leaves them started on an unstored state.
      finalize: compensates ? (...args) => (writer ? writer.flushed() : Promise.resolve()).then(() => compensate(...args)) : undefined,
    });
    const execution = track(started, writer, () => undefined);
    execution.result.then(leaveRoot, leaveRoot);
    // History is kept for sessions the caller names; a run without one has a session of its own.
    // Child runs and compensations are part of their parent's history, not entries of their own.
    const recorded = executeOptions.sessionId !== undefined && child === undefined;
    if (recorded) shareToolRegistry(store, execution.sessionId, tools);
    void execution.result.then((result) => {
      if (recorded) recordExecutionHistory(store, result, definition);
    });
    return execution;
  };

  /**
   * Registers a started execution: running map, metrics, and its durable writes and lease. The
   * handle it returns settles its `result` once the run is cleaned up and, for a durable run, once
   * its result is written: a result the caller sees is in the store.
   */
  const track = (execution: WorkflowExecution, writer: ExecutionWriter | undefined, clearTimers: () => void): WorkflowExecution => {
    const { executionId } = execution;
    // A durable run's result settles once it is committed (or failed with the store's error code).
    const ended = writer && durableRuns ? durableRuns.add(execution, writer, clearTimers) : execution.result;
    const result = ended.then((outcome) => {
      clearTimers();
      running.delete(executionId);
      finishedHere.add(executionId);
      if (finishedHere.size > FINISHED_REMEMBERED) finishedHere.delete(finishedHere.values().next().value as string);
      activeSupervisor.forget(executionId);
      metrics.recordExecution(outcome.workflowId, outcome.status);
      return outcome;
    });
    const tracked: WorkflowExecution = { ...execution, result };
    running.set(executionId, tracked);
    return tracked;
  };

  const requireStore = (method: string): Durability => {
    if (!durability) throw new RuntimeError('INVALID_OPTION', `${method}() needs a store: createRuntime({ store: "sqlite:runs.db" })`);
    return durability;
  };

  const sendSignal = createSignalSender({
    bus,
    maxSignalBytes,
    running,
    finishedHere: (executionId) => finishedHere.has(executionId),
    store: async () => (durability ? (await ready(durability.store), durability.store) : undefined),
  });

  const resume = async (resumeOptions: ResumeOptions = {}): Promise<WorkflowExecution[]> => {
    assertRunning();
    const durable = requireStore('resume');
    const { store: executionStore, owner, leaseMs } = durable;
    await ready(executionStore);
    const { executionId, limit } = resumeOptions;
    if (executionId !== undefined) {
      if (running.has(executionId) || restoring.has(executionId)) return [];
      const record = await executionStore.getExecution(executionId);
      if (!record) throw new StoreError('STORE_NOT_FOUND', `no execution ${executionId} in the store`, { executionId });
      if (record.status === 'paused') await executionStore.setStatus(executionId, 'running');
    }
    const claimed = await executionStore.claimRunnable({ owner, leaseMs, ...(limit === undefined ? {} : { limit }), ...(executionId === undefined ? {} : { executionId }) });
    const resumed: WorkflowExecution[] = [];
    const deps = { durability: durable, prepare: (source: unknown) => prepare(source as WorkflowDefinitionInput), bus, clock, env, inspect: options.inspect, metrics, finalize: compensate };
    for (const record of claimed) {
      if (running.has(record.executionId) || restoring.has(record.executionId)) continue;
      // A child run's parent may take it up meanwhile (createChildRuns): it waits until this one is tracked.
      restoring.add(record.executionId);
      try {
        const { execution, writer, clearTimers } = await restoreExecution(record, deps);
        resumed.push(track(execution, writer, clearTimers));
        // Signals sent while no node held the run, kept in the store for it.
        await deliverStoredSignals(execution, executionStore, logger);
      } catch (error) {
        // One run this node cannot take up (a tool it lacks, a store error) does not strand the
        // others: its lease goes back for a node that can.
        logger.error({ err: error, executionId: record.executionId, workflowId: record.workflowId }, 'cannot resume this execution here; lease released');
        await executionStore.releaseLease(record.executionId, owner).catch(() => false);
      } finally {
        restoring.delete(record.executionId);
      }
    }
    return resumed;
  };

  const scheduler = createScheduler({
    schedules,
    openStore: () => openScheduleStore(durability?.store, logger),
    clock,
    logger,
    bus,
    node: durability?.owner ?? options.nodeId ?? `node-${newId()}`,
    start: (schedule, _tick, correlationId) => startWorkflow(schedule.workflow, { input: schedule.input, correlationId }),
    pollMs: schedulePollMs,
  });
  const executeChecked = createCheckedExecute({ validation, compiled, prepare, start: (source, executeOptions) => startWorkflow(source, executeOptions).result, assertRunning });

  const runtime: Runtime = {
    get status() {
      return status;
    },
    tools,
    bus,
    logger,
    // The output type is the caller's declaration (see WorkflowResult); nothing here checks it.
    startWorkflow: startWorkflow as Runtime['startWorkflow'],
    executeWorkflow: ((definition, executeOptions) =>
      typeof definition === 'string' ? startWorkflow(definition, executeOptions).result : executeChecked(definition, executeOptions)) as Runtime['executeWorkflow'],
    registerWorkflow: (definition) => {
      const registered = workflows.register(definition);
      return workflows.list().find((entry) => entry.id === registered.id && entry.version === registered.version) as RegisteredWorkflow;
    },
    workflows: () => workflows.list(),
    getWorkflow: (id, version) => workflows.require(id, version),
    executeCustomWorkflow: ((source, executeOptions) => {
      if (typeof source !== 'string') return executeChecked(source, executeOptions);
      const run = (read: DefinitionText) => executeChecked(read.value, executeOptions, (issues) => locatedError(source, issues, read.yaml));
      // Long text is read in turns of the event loop too (YAML lexing and parsing take seconds at 1 MB).
      return source.length > TEXT_READ_AT_ONCE ? runInTurns(readDefinitionTextWork(source)).then(run) : run(readDefinitionText(source));
    }) as Runtime['executeCustomWorkflow'],
    callTool(name, input, callOptions = {}) {
      assertRunning();
      const tool = tools.require(name);
      const id = newId();
      const meta: CallMeta = {
        executionId: id,
        correlationId: callOptions.correlationId ?? id,
        sessionId: callOptions.sessionId ?? id,
        stepId: name,
        tool: name,
        attempt: 1,
      };
      const leaveRoot = workspaceRoots.enter(id, callOptions.workspaceRoot);
      const call = callThroughPolicies(tool, input, meta, callOptions.signal, callOptions.timeoutMs ?? tool.timeoutMs, callOptions.retry);
      call.then(leaveRoot, leaveRoot);
      return call;
    },
    context: (sessionId) => sessionView(store.forSession(sessionId)),
    shareContext: (async (sessionId: string, contextType: string, data: unknown, shareOptions?: ShareOptions) =>
      persistence ? persistence.share(sessionId, undefined, contextType, data, shareOptions) : store.forSession(sessionId).share(contextType, data, shareOptions)) as Runtime['shareContext'],
    deleteContext: async (sessionId, contextType) => (persistence ? persistence.remove(sessionId, contextType) : store.forSession(sessionId).delete(contextType)),
    clearSession: (sessionId) => {
      persistence?.cleared(sessionId, store.forSession(sessionId).list().map((entry) => entry.contextType));
      return store.clearSession(sessionId);
    },
    loadContext: async () => {
      if (durability) await ready(durability.store);
    },
    sessions: () => store.sessions(),
    trace: (correlationId) => bus.trace(correlationId),
    executions: () => [...running.values()],
    resume,
    async pause(executionId) {
      assertRunning();
      const { store: executionStore } = requireStore('pause');
      await ready(executionStore);
      await executionStore.setStatus(executionId, 'paused');
      // Here it stops now; on another node at that node's next lease renewal.
      await durableRuns?.suspend(executionId, 'paused');
      return (await executionStore.getExecution(executionId)) as ExecutionRecord;
    },
    async signal(executionId, name, payload) {
      assertRunning();
      return sendSignal(executionId, name, payload);
    },
    store: durability?.store,
    schedules: scheduler,
    supervisor: activeSupervisor,
    metrics: () => ({ ...metrics.snapshot(), bus: bus.metrics() }),
    extractToolsFromContext: (sessionId) => extractToolsFromContext(store.forSession(sessionId), tools),
    async stop() {
      if (status !== 'running') return;
      status = 'stopping';
      await scheduler.stop();
      const cancelled = [...running.values()].filter((execution) => !durableRuns?.has(execution.executionId));
      cancelled.forEach((execution) => execution.cancel('the runtime is stopping'));
      await durableRuns?.suspendAll();
      await Promise.allSettled(cancelled.map((execution) => execution.result));
      await durableRuns?.flushed();
      await taskQueue.close();
      activeSupervisor.stop();
      policies.stop();
      await persistence?.flushed();
      store.stop();
      if (durability && ownsStore) await durability.store.close();
      bus.close();
      status = 'stopped';
    },
  };
  return runtime;
}
