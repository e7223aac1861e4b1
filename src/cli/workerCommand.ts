import type { Logger } from 'pino';
import { isOrchkitError } from '../errors/OrchkitError.js';
import { QueueError } from '../errors/QueueError.js';
import { createWorker } from '../runtime/queues/createWorker.js';
import { defaultTools } from './defaultTools.js';
import { ExitCode } from './exitCodes.js';

/** Options of `orchkit worker --queue`. */
export interface QueueWorkerOptions {
  /** The orchestrators' PostgreSQL store. */
  store: string;
  queue: string;
  /** Names of the tools to run, from the `orchkit` tool pack; all of them when absent. */
  tools?: string[];
  concurrency?: number;
  workerId?: string;
  logger?: Logger;
  /** Aborting it stops the worker (SIGINT and SIGTERM do too). */
  signal?: AbortSignal;
}

/**
 * `orchkit worker --queue build --tools build_image,push_image`: runs those tools of the tool pack
 * for the tasks orchestrators enqueue on `build`, until SIGINT or SIGTERM; running tasks are then
 * handed back for another worker. A tool name the pack lacks is `QUEUE_UNKNOWN_TOOL` (exit 2).
 */
export async function queueWorkerCommand(options: QueueWorkerOptions): Promise<ExitCode> {
  const pack = defaultTools();
  let worker;
  try {
    const names = options.tools ?? pack.map((tool) => tool.name);
    const tools = names.map((name, index) => {
      const tool = pack.find((t) => t.name === name);
      if (!tool) throw new QueueError('QUEUE_UNKNOWN_TOOL', `--tools[${index}]: no tool "${name}" in the orchkit tool pack (${pack.map((t) => t.name).join(', ')})`, { path: `--tools[${index}]` });
      return tool;
    });
    worker = createWorker({
      store: options.store,
      queue: options.queue,
      tools,
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      ...(options.workerId === undefined ? {} : { workerId: options.workerId }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
    await worker.ready();
  } catch (error) {
    if (!isOrchkitError(error)) throw error;
    process.stderr.write(`${error.code}: ${error.message}\n`);
    await worker?.stop();
    return error.code.startsWith('QUEUE_') || error.code === 'INVALID_OPTION' ? ExitCode.invalid : ExitCode.runFailed;
  }
  process.stdout.write(`worker ${worker.workerId} serving queue ${options.queue} (${(options.tools ?? pack.map((t) => t.name)).join(', ')}); Ctrl-C stops\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    options.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  await worker.stop();
  process.stdout.write(`worker stopped: ${JSON.stringify(worker.counts)}\n`);
  return ExitCode.ok;
}
