import { QueueError } from '../../errors/QueueError.js';

const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * Checks a queue name (`build`, `gpu.large`): letters, digits, `_ . -`, at most 64, else
 * `QUEUE_INVALID_NAME` at `path`.
 *
 * @example
 * const queue = queueName(options.queue, 'queue');
 */
export function queueName(name: unknown, path: string): string {
  if (typeof name !== 'string' || !QUEUE_NAME.test(name)) {
    throw new QueueError('QUEUE_INVALID_NAME', `${path}: ${JSON.stringify(name)} is not a queue name (letters, digits, "_", ".", "-", at most 64, starting with a letter or digit)`, { path });
  }
  return name;
}
