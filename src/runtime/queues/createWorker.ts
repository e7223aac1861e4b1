import pino, { type Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import type { AnyTool } from '../../actors/defineTool.js';
import { confinePath } from '../../actors/confinePath.js';
import { invokeTool } from '../../actors/invokeTool.js';
import type { ToolContext } from '../../actors/ToolContext.js';
import { createToolRegistry } from '../../actors/ToolRegistry.js';
import { toErrorInfo } from '../../errors/toErrorInfo.js';
import { RuntimeError } from '../../errors/RuntimeError.js';
import { systemClock, type Clock } from '../../machines/Clock.js';
import { createContextStore } from '../ContextStore.js';
import { createStore } from '../store/createStore.js';
import type { ExecutionStore } from '../store/ExecutionStore.js';
import { QueueError } from '../../errors/QueueError.js';
import type { TaskChannel } from './taskChannel.js';
import { queueName } from './queueName.js';

/** Options of {@link createWorker}. */
export interface WorkerOptions {
  /** The orchestrators' PostgreSQL store: a URL (`postgres://...?schema=`) or the store itself. */
  store: string | ExecutionStore;
  /** Directory the paths its tools are given must stay in (`ctx.resolvePath`); none: unconfined. */
  workspaceRoot?: string;
  /** The tools this worker runs (their real `run`). */
  tools: Iterable<AnyTool>;
  queue: string;
  /** Tasks run at once; 1 by default. */
  concurrency?: number;
  /** How often the worker heartbeats each task it holds (and sees cancel requests); 1000 ms by default. */
  heartbeatMs?: number;
  /** How often it looks for tasks without a notification; 2000 ms by default. */
  pollMs?: number;
  workerId?: string;
  logger?: Logger;
  clock?: Clock;
}

/** A running worker. */
export interface Worker {
  readonly workerId: string;
  /** Tasks this worker committed, by outcome. */
  readonly counts: { completed: number; failed: number; cancelled: number; lost: number };
  /** Settles once the worker listens and has made its first claim. */
  ready(): Promise<void>;
  /** Stops taking tasks, aborts the ones running (they are taken again after their heartbeat timeout), closes its connections. */
  stop(): Promise<void>;
}

/** Below PostgreSQL's 8000-byte NOTIFY payload limit, with room for the envelope. */
const MAX_NOTICE_BYTES = 7000;

interface Held {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * A worker for one task queue: it takes tasks of its tools with `FOR UPDATE SKIP LOCKED` (woken
 * by NOTIFY, polling as a fallback), runs each through the tool's own checks (`invokeTool`),
 * heartbeats it, and commits the result once, fenced by its worker id (a worker whose task was
 * taken over after a heartbeat timeout commits nothing). A cancel request aborts the tool's
 * `ctx.signal`. Tasks left by a worker that died are taken again once their heartbeat lapses.
 * Remote tools see a shared context of their own (not the orchestrator's) and cannot make
 * `ctx.request` calls (`TOOL_NOT_FOUND`).
 *
 * @example
 * const worker = createWorker({ store: process.env.ORCHKIT_STORE!, tools: [buildImage], queue: 'build' });
 * await worker.ready();
 * process.on('SIGTERM', () => void worker.stop());
 */
export function createWorker(options: WorkerOptions): Worker {
  const queue = queueName(options.queue, 'queue');
  const tools = createToolRegistry(options.tools);
  if (tools.names().length === 0) throw new QueueError('QUEUE_UNKNOWN_TOOL', `a worker of queue "${queue}" needs at least one tool`, { path: 'tools' });
  const executions = typeof options.store === 'string' ? createStore(options.store) : options.store;
  const location = executions.postgres;
  if (!location) throw new QueueError('QUEUE_STORE_REQUIRED', `task queues run on a PostgreSQL store; this store is ${executions.kind}`, { path: 'store' });
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? pino({ level: 'silent' });
  const workerId = options.workerId ?? `worker-${randomUUID()}`;
  const concurrency = options.concurrency ?? 1;
  const heartbeatMs = options.heartbeatMs ?? 1000;
  const pollMs = options.pollMs ?? 2000;
  // pg is loaded with the channel, so importing orchkit loads no driver until a worker starts.
  let opened: TaskChannel | undefined;
  const channel = (): TaskChannel => {
    if (!opened) throw new RuntimeError('RUNTIME_STOPPED', `worker ${workerId} has not started yet`);
    return opened;
  };
  const contexts = createContextStore({ clock });
  const held = new Map<string, Held>();
  const counts = { completed: 0, failed: 0, cancelled: 0, lost: 0 };
  let stopped = false;
  let claiming = false;
  let again = false;
  let pollTimer: unknown;
  let beatTimer: unknown;

  const commit = async (taskId: string, status: 'completed' | 'failed' | 'cancelled', result: unknown, error: unknown): Promise<void> => {
    const outcome = { status, result: result ?? null, error: error ?? null };
    // The outcome rides in the notice when it fits (NOTIFY payloads stop at 8000 bytes); else orchestrators read it.
    let notice = channel().encode({ k: 'done', t: taskId, o: outcome });
    if (Buffer.byteLength(notice[1]) > MAX_NOTICE_BYTES) notice = channel().encode({ k: 'done', t: taskId });
    const rows = await channel().query(channel().sql.finish, [taskId, workerId, status, result === undefined ? null : JSON.stringify(result), error === undefined ? null : JSON.stringify(error), ...notice]);
    if (rows.length === 0) {
      counts.lost += 1;
      logger.warn({ taskId }, 'the task was taken over by another worker (heartbeat lapsed); this result is not committed');
      return;
    }
    counts[status] += 1;
  };

  const run = (row: { task_id: string; tool: string; input: unknown; meta: Record<string, unknown>; takes: number }): void => {
    const controller = new AbortController();
    const meta = row.meta as { executionId: string; correlationId: string; sessionId: string; stepId: string; attempt: number; idempotencyKey: string };
    const tool = tools.get(row.tool);
    const ctx: ToolContext = {
      signal: controller.signal,
      logger: logger.child({ taskId: row.task_id, tool: row.tool, executionId: meta.executionId, stepId: meta.stepId }),
      sessionId: meta.sessionId,
      executionId: meta.executionId,
      correlationId: meta.correlationId,
      stepId: meta.stepId,
      attempt: meta.attempt,
      idempotencyKey: meta.idempotencyKey,
      context: contexts.forSession(meta.sessionId, row.tool),
      request: () => Promise.reject(new RuntimeError('TOOL_NOT_FOUND', `${row.tool} runs on worker ${workerId}: tool-to-tool requests are not available to remote tools`)),
      progress: (update) => void channel().notify({ k: 'progress', t: row.task_id, p: update }).catch(() => undefined),
      resolvePath: (path, argument) => confinePath(options.workspaceRoot, path, row.tool, argument),
    };
    const done = (async () => {
      ctx.progress({ message: `running on ${workerId}` });
      try {
        if (!tool) throw new RuntimeError('TOOL_NOT_FOUND', `worker ${workerId} has no tool "${row.tool}"`);
        const output = await invokeTool(tool, row.input, ctx);
        await commit(row.task_id, 'completed', output ?? null, undefined);
      } catch (error) {
        if (stopped && controller.signal.aborted) return; // left for another worker: not committed
        await commit(row.task_id, controller.signal.aborted ? 'cancelled' : 'failed', undefined, toErrorInfo(error));
      }
    })()
      .catch((error: unknown) => logger.error({ err: error, taskId: row.task_id }, 'committing a task failed; it is taken again after its heartbeat timeout'))
      .finally(() => {
        held.delete(row.task_id);
        claim();
      });
    held.set(row.task_id, { controller, done });
  };

  // One claim loop at a time; a wake-up while it runs makes it go round once more.
  const claim = (): void => {
    if (stopped) return;
    if (claiming) {
      again = true;
      return;
    }
    claiming = true;
    void (async () => {
      do {
        again = false;
        while (!stopped && held.size < concurrency) {
          const row = (await channel().query<{ task_id: string; tool: string; input: unknown; meta: Record<string, unknown>; takes: number }>(channel().sql.claim, [workerId, queue, tools.names()]))[0];
          if (!row) break;
          run(row);
        }
      } while (again && !stopped);
    })()
      .catch((error: unknown) => logger.warn({ err: error }, 'claiming tasks failed; trying again at the next poll'))
      .finally(() => (claiming = false));
  };

  const beat = (): void => {
    if (stopped) return;
    beatTimer = clock.setTimeout(() => {
      const ids = [...held.keys()];
      void (ids.length === 0 ? Promise.resolve([]) : channel().query<{ task_id: string; cancel_requested: boolean }>(channel().sql.heartbeat, [ids, workerId]))
        .then((rows) => {
          const alive = new Map(rows.map((r) => [r.task_id, r.cancel_requested]));
          for (const id of ids) if (!alive.has(id) || alive.get(id)) held.get(id)?.controller.abort(new Error(alive.has(id) ? 'cancelled' : 'lost'));
        })
        .catch((error: unknown) => logger.warn({ err: error }, 'heartbeat failed; trying again'))
        .finally(beat);
    }, heartbeatMs);
  };
  const poll = (): void => {
    if (stopped) return;
    pollTimer = clock.setTimeout(() => {
      claim();
      poll();
    }, pollMs);
  };

  const started = import('./taskChannel.js').then(async ({ openTaskChannel }) => {
    opened = openTaskChannel({ ...location, initExecutions: () => executions.init(), logger, applicationName: `orchkit-worker-${queue}` });
    opened.onNotice((notice) => {
      if (notice.k === 'new' && notice.q === queue) claim();
      else if (notice.k === 'cancel' && notice.t !== undefined) held.get(notice.t)?.controller.abort(new Error('cancelled'));
    });
    await opened.init();
    beat();
    poll();
    claim();
  });
  started.catch((error: unknown) => logger.error({ err: error }, 'the worker could not start'));

  return {
    workerId,
    counts,
    ready: () => started,
    async stop() {
      if (stopped) return;
      stopped = true;
      clock.clearTimeout(pollTimer);
      clock.clearTimeout(beatTimer);
      const left = [...held.keys()];
      for (const task of held.values()) task.controller.abort(new Error('the worker is stopping'));
      await Promise.allSettled([...held.values()].map((task) => task.done));
      if (left.length > 0) {
        await channel().query(channel().sql.release, [left, workerId]).catch((error: unknown) => logger.warn({ err: error }, 'handing tasks back failed; they are taken again after their heartbeat timeout'));
        await channel().notify({ k: 'new', q: queue }).catch(() => undefined);
      }
      await started.catch(() => undefined);
      await opened?.close();
      contexts.stop();
      if (typeof options.store === 'string') await executions.close();
    },
  };
}
