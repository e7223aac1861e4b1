import type { Logger } from 'pino';
import type { ToolProgress } from '../../actors/ToolContext.js';
import { ErrorType, type ErrorInfo } from '../../errors/ErrorInfo.js';
import { ToolError } from '../../errors/ToolError.js';
import type { Clock } from '../../machines/Clock.js';
import type { TaskChannel } from './taskChannel.js';

/** One remote call: an attempt of a step, sent to the workers of `queue`. */
export interface TaskRequest {
  /** The attempt's idempotency key: the same attempt enqueued again (a resumed run) is the same task. */
  taskId: string;
  queue: string;
  tool: string;
  input: unknown;
  /** Who calls (execution, step, attempt, session, correlation): the worker's tool context. */
  meta: Record<string, unknown>;
  /** A worker silent this long loses the task to another. */
  heartbeatTimeoutMs: number;
}

/** The orchestrator's side of the task queues. */
export interface TaskQueue {
  /**
   * Enqueues the task (once per `taskId`), wakes the workers, and settles with its committed
   * result: the output, or the worker's `ToolError` (same code, type and retryable). Aborting
   * `signal` cancels the task (a pending one at once; a running one's tool AbortSignal fires on
   * its worker) and rejects with `CANCELLED`. Progress the worker reports comes to `onProgress`.
   */
  submit(task: TaskRequest, signal: AbortSignal, onProgress: (update: ToolProgress) => void): Promise<unknown>;
  close(): Promise<void>;
}

interface Waiter {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  onProgress(update: ToolProgress): void;
}

/**
 * Task queues over PostgreSQL: a task is a row of `tasks`, a worker takes it with `FOR UPDATE
 * SKIP LOCKED`, and LISTEN/NOTIFY carries "new task", "done", "cancel" and progress. A poll every
 * `pollMs` (on `clock`) reads outcomes too, so a notification lost with a connection only delays.
 *
 * @example
 * const queue = createTaskQueue({ channel, clock, logger });
 * const output = await queue.submit(task, ctx.signal, (p) => ctx.progress(p));
 */
export function createTaskQueue(options: { channel: TaskChannel; clock: Clock; logger: Logger; pollMs?: number }): TaskQueue {
  const { channel, clock, logger } = options;
  const pollMs = options.pollMs ?? 1000;
  const waiters = new Map<string, Waiter>();
  let timer: unknown;
  let closed = false;

  const settle = (row: { task_id: string; status: string; result: unknown; error: unknown }): void => {
    const waiter = waiters.get(row.task_id);
    if (!waiter) return;
    waiters.delete(row.task_id);
    if (row.status === 'completed') waiter.resolve(row.result ?? undefined);
    else {
      const info = (row.error ?? { code: 'CANCELLED', type: ErrorType.cancelled, message: `task ${row.task_id} was cancelled` }) as ErrorInfo;
      waiter.reject(new ToolError({ code: info.code, message: info.message, type: info.type, retryable: info.retryable ?? false, details: info.details }));
    }
  };
  const check = async (ids: string[]): Promise<void> => {
    if (ids.length === 0) return;
    for (const row of await channel.query<{ task_id: string; status: string; result: unknown; error: unknown }>(channel.sql.outcomes, [ids])) settle(row);
  };
  const poll = (): void => {
    if (closed || waiters.size === 0) return;
    timer = clock.setTimeout(() => {
      timer = undefined;
      void check([...waiters.keys()])
        .catch((error: unknown) => logger.warn({ err: error }, 'polling task outcomes failed; trying again'))
        .finally(poll);
    }, pollMs);
  };
  channel.onNotice((notice) => {
    if (notice.t === undefined || !waiters.has(notice.t)) return;
    if (notice.k === 'done' && notice.o) settle({ task_id: notice.t, ...notice.o });
    else if (notice.k === 'done') void check([notice.t]).catch((error: unknown) => logger.warn({ err: error, taskId: notice.t }, 'reading a task outcome failed; the poll reads it'));
    else if (notice.k === 'progress') waiters.get(notice.t)?.onProgress(notice.p as ToolProgress);
  });

  return {
    async submit(task, signal, onProgress) {
      await channel.init();
      const outcome = new Promise<unknown>((resolve, reject) => waiters.set(task.taskId, { resolve, reject, onProgress }));
      // Awaited below; this keeps a rejection that comes while the enqueue is in flight from counting as unhandled.
      outcome.catch(() => undefined);
      const onAbort = (): void => {
        const waiter = waiters.get(task.taskId);
        waiters.delete(task.taskId);
        void channel
          .query(channel.sql.cancel, [task.taskId])
          .then(() => channel.notify({ k: 'cancel', t: task.taskId }))
          .catch((error: unknown) => logger.warn({ err: error, taskId: task.taskId }, 'cancelling a remote task failed'));
        waiter?.reject(new ToolError({ code: 'CANCELLED', type: ErrorType.cancelled, retryable: false, tool: task.tool, message: `${task.tool} was cancelled` }));
      };
      if (signal.aborted) onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        const values = [task.taskId, task.queue, task.tool, JSON.stringify(task.input ?? null), JSON.stringify(task.meta), task.heartbeatTimeoutMs, ...channel.encode({ k: 'new', q: task.queue, t: task.taskId })];
        const [row] = await channel.query<{ inserted: boolean }>(channel.sql.enqueue, values);
        // A task enqueued before (a resumed attempt) may be done already.
        if (!row?.inserted) await check([task.taskId]);
        if (timer === undefined) poll();
        return await outcome;
      } finally {
        waiters.delete(task.taskId);
        signal.removeEventListener('abort', onAbort);
      }
    },
    async close() {
      closed = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      for (const [taskId, waiter] of waiters) waiter.reject(new ToolError({ code: 'CANCELLED', type: ErrorType.cancelled, retryable: false, message: `task ${taskId}: the runtime stopped` }));
      waiters.clear();
      await channel.close();
    },
  };
}
