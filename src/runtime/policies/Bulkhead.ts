import { z } from 'zod';
import { ErrorType } from '../../errors/ErrorInfo.js';
import { RuntimeError } from '../../errors/RuntimeError.js';
import { ToolError } from '../../errors/ToolError.js';

/** Limits of a {@link Bulkhead}; defaults 64 running and 1000 waiting. */
export const BulkheadSettingsSchema = z
  .object({
    maxConcurrent: z.number().int().min(1).default(64).describe('Calls running at once'),
    maxQueue: z.number().int().min(0).default(1000).describe('Calls waiting for a slot; past it, calls fail with BULKHEAD_FULL'),
  })
  .strict();
export type BulkheadSettings = z.output<typeof BulkheadSettingsSchema>;

/** Options of {@link createBulkhead}. */
export interface BulkheadOptions extends BulkheadSettings {
  /** Named in error messages and set as the errors' `tool`. */
  name?: string;
}

/** A concurrency limit with a bounded waiting queue. */
export interface Bulkhead {
  /**
   * Runs `fn` when a slot is free. Rejects with `BULKHEAD_FULL` (type `limit_exceeded`,
   * retryable) when the queue is full, and with `CANCELLED` when `signal` aborts while waiting.
   */
  run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Calls running now. */
  readonly active: number;
  /** Calls waiting for a slot. */
  readonly queued: number;
}

interface Waiter {
  start(): void;
}

/**
 * Creates a bulkhead: at most `maxConcurrent` calls run at once, `maxQueue` more wait in
 * arrival order, and a waiting call whose signal aborts leaves the queue.
 *
 * @example
 * const bulkhead = createBulkhead({ maxConcurrent: 2, maxQueue: 10, name: 'build_image' });
 * const image = await bulkhead.run(() => buildImage(spec), signal);
 */
export function createBulkhead(options: BulkheadOptions): Bulkhead {
  const { maxConcurrent, maxQueue } = options;
  if (!(maxConcurrent >= 1) || !(maxQueue >= 0)) {
    throw new RuntimeError('INVALID_OPTION', `bulkhead needs maxConcurrent >= 1 and maxQueue >= 0 (got ${maxConcurrent}, ${maxQueue})`);
  }
  const label = options.name === undefined ? 'bulkhead' : `bulkhead of "${options.name}"`;
  const tool = options.name === undefined ? {} : { tool: options.name };
  // A Set keeps arrival order and removes an aborted waiter in O(1).
  const queue = new Set<Waiter>();
  let active = 0;

  const release = (): void => {
    active--;
    const next = queue.values().next();
    if (next.done === true) return;
    queue.delete(next.value);
    next.value.start();
  };

  const execute = <T>(fn: () => Promise<T>): Promise<T> => {
    active++;
    // The executor turns a synchronous throw of `fn` into a rejection.
    const result = new Promise<T>((settle) => settle(fn()));
    return result.finally(release);
  };

  const cancelled = (): ToolError =>
    new ToolError({ code: 'CANCELLED', type: ErrorType.cancelled, retryable: false, ...tool, message: `${label}: the call was cancelled while queued` });

  return {
    run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
      if (signal?.aborted === true) return Promise.reject(cancelled());
      if (active < maxConcurrent) return execute(fn);
      if (queue.size >= maxQueue) {
        return Promise.reject(
          new ToolError({
            code: 'BULKHEAD_FULL',
            type: ErrorType.limit,
            retryable: true,
            ...tool,
            message: `${label} is full: ${active} running, ${queue.size} queued (maxConcurrent ${maxConcurrent}, maxQueue ${maxQueue})`,
            details: { active, queued: queue.size, maxConcurrent, maxQueue },
          }),
        );
      }
      return new Promise<T>((resolve, reject) => {
        const onAbort = (): void => {
          queue.delete(waiter);
          reject(cancelled());
        };
        const waiter: Waiter = {
          start() {
            signal?.removeEventListener('abort', onAbort);
            execute(fn).then(resolve, reject);
          },
        };
        queue.add(waiter);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    get active() {
      return active;
    },
    get queued() {
      return queue.size;
    },
  };
}
