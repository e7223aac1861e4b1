import { ErrorType, type ErrorInfo } from './ErrorInfo.js';
import { OrchkitError } from './OrchkitError.js';

/** Codes of task-queue errors: bad `queue` options, and a queue that cannot be reached. */
export const QueueErrorCode = {
  /** A queue name that is not `[A-Za-z0-9][A-Za-z0-9_.-]*` (at most 64). */
  invalidName: 'QUEUE_INVALID_NAME',
  /** `createRuntime({ queues })` or a worker's `--tools` names a tool that is not there. */
  unknownTool: 'QUEUE_UNKNOWN_TOOL',
  /** A tool runs on a queue but the runtime has no PostgreSQL store to carry it. */
  storeRequired: 'QUEUE_STORE_REQUIRED',
} as const;
export type QueueErrorCode = (typeof QueueErrorCode)[keyof typeof QueueErrorCode];

/**
 * A task queue that cannot be set up. `path` names the option at fault (`queues.build[1]`,
 * `tools[0].queue`, `--tools`).
 *
 * @example
 * if (isQueueError(e) && e.code === 'QUEUE_UNKNOWN_TOOL') report(e.path);
 */
export class QueueError extends OrchkitError {
  override readonly name = 'QueueError';
  readonly type: ErrorType;
  readonly code: QueueErrorCode;
  readonly path: string | undefined;

  constructor(code: QueueErrorCode, message: string, options?: { cause?: unknown; path?: string }) {
    super(message, options);
    this.code = code;
    this.path = options?.path;
    this.type = code === 'QUEUE_STORE_REQUIRED' ? ErrorType.unavailable : ErrorType.validation;
  }

  override toJSON(): ErrorInfo {
    const info: ErrorInfo = { type: this.type, code: this.code, message: this.message };
    if (this.path !== undefined) info.details = { path: this.path };
    return info;
  }
}

/** True when `error` is a {@link QueueError}. */
export function isQueueError(error: unknown): error is QueueError {
  return error instanceof QueueError;
}
