import type { AnyTool } from '../../actors/defineTool.js';
import { QueueError } from '../../errors/QueueError.js';
import type { TaskQueue } from './createTaskQueue.js';
import { queueName } from './queueName.js';

/** How long a worker may go without a heartbeat before another takes its task; 10 s by default. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 10_000;

/**
 * The runtime's tools with those on a queue (`defineTool({ queue })`, or named in
 * `createRuntime({ queues: { build: ['build_image'] } })`) replaced by remote ones: same name,
 * schemas, errors and time limit, but a `run` that enqueues the call and awaits the worker's
 * committed result. Everything around `run` (input and output checks, step retries, timeouts,
 * breakers, bulkheads, routing) is the ordinary call path, unchanged. `taskQueue` is asked for
 * on the first remote call. A `queues` entry naming a tool the runtime lacks is `QUEUE_UNKNOWN_TOOL`;
 * a remote tool without a PostgreSQL store (`hasPostgres`) is `QUEUE_STORE_REQUIRED`.
 *
 * @example
 * const tools = remoteTools(options.tools ?? [], options.queues, () => taskQueue());
 */
export function remoteTools(
  tools: Iterable<AnyTool>,
  queues: Readonly<Record<string, readonly string[]>> | undefined,
  taskQueue: () => TaskQueue,
  heartbeatTimeoutMs = DEFAULT_HEARTBEAT_TIMEOUT_MS,
  hasPostgres = true,
): { tools: AnyTool[]; remote: Map<string, string> } {
  const list = [...tools];
  const remote = new Map<string, string>();
  list.forEach((tool, index) => {
    if (tool.queue !== undefined) remote.set(tool.name, queueName(tool.queue, `tools[${index}].queue`));
  });
  for (const [queue, names] of Object.entries(queues ?? {})) {
    queueName(queue, `queues.${queue}`);
    names.forEach((name, index) => {
      if (!list.some((tool) => tool.name === name)) {
        throw new QueueError('QUEUE_UNKNOWN_TOOL', `queues.${queue}[${index}]: no tool named "${name}" (a queued tool still needs its definition here, for its schemas)`, { path: `queues.${queue}[${index}]` });
      }
      remote.set(name, queue);
    });
  }
  const first = remote.keys().next();
  if (!first.done && !hasPostgres) {
    throw new QueueError('QUEUE_STORE_REQUIRED', `tool "${first.value}" runs on queue "${remote.get(first.value)}", which needs a PostgreSQL store: createRuntime({ store: "postgres://..." })`, { path: 'store' });
  }
  const wrapped = list.map((tool): AnyTool => {
    const queue = remote.get(tool.name);
    if (queue === undefined) return tool;
    return Object.freeze({
      ...tool,
      queue,
      run: (input: unknown, ctx: Parameters<AnyTool['run']>[1]) => {
        // Shown on the bus (and so in the CLI, MCP and inspect page) until a worker takes it.
        ctx.progress({ message: `queued on ${queue}` });
        return taskQueue().submit(
          {
            taskId: `${ctx.idempotencyKey}#${ctx.attempt}`,
            queue,
            tool: tool.name,
            input,
            meta: { executionId: ctx.executionId, correlationId: ctx.correlationId, sessionId: ctx.sessionId, stepId: ctx.stepId, attempt: ctx.attempt, idempotencyKey: ctx.idempotencyKey },
            heartbeatTimeoutMs,
          },
          ctx.signal,
          (update) => ctx.progress(update),
        );
      },
    });
  });
  return { tools: wrapped, remote };
}
