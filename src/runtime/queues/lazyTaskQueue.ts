import type { Logger } from 'pino';
import { QueueError } from '../../errors/QueueError.js';
import type { Clock } from '../../machines/Clock.js';
import type { ExecutionStore } from '../store/ExecutionStore.js';
import { createTaskQueue, type TaskQueue } from './createTaskQueue.js';

/**
 * The runtime's task queue, opened on the first remote call (pg is imported only then) beside the
 * PostgreSQL store. Without one, a remote call fails with `QUEUE_STORE_REQUIRED`.
 *
 * @example
 * const queue = lazyTaskQueue(() => durability?.store, clock, logger);
 */
export function lazyTaskQueue(store: () => ExecutionStore | undefined, clock: Clock, logger: Logger): TaskQueue & { readonly opened: boolean } {
  let queue: Promise<TaskQueue> | undefined;
  const open = (): Promise<TaskQueue> =>
    (queue ??= (async () => {
      const executions = store();
      const location = executions?.postgres;
      if (!executions || !location) throw new QueueError('QUEUE_STORE_REQUIRED', 'a tool on a task queue needs a PostgreSQL store: createRuntime({ store: "postgres://..." })', { path: 'store' });
      const { openTaskChannel } = await import('./taskChannel.js');
      return createTaskQueue({ channel: openTaskChannel({ ...location, initExecutions: () => executions.init(), logger }), clock, logger });
    })());
  return {
    get opened() {
      return queue !== undefined;
    },
    submit: async (task, signal, onProgress) => (await open()).submit(task, signal, onProgress),
    async close() {
      if (queue) await (await queue.catch(() => undefined))?.close();
    },
  };
}
