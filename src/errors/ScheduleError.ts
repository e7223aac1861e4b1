import { ErrorType, type ErrorInfo } from './ErrorInfo.js';
import { OrchkitError } from './OrchkitError.js';

/** Codes of schedule errors: a bad `createRuntime({ schedules })` entry, or a control call on a schedule. */
export const ScheduleErrorCode = {
  /** `cron` is not a cron expression croner accepts, or it never matches a time (`0 0 30 2 *`). */
  invalidCron: 'SCHEDULE_INVALID_CRON',
  /** `timezone` is not an IANA time zone this Node.js knows (`Europe/Berlin`, `UTC`). */
  invalidTimezone: 'SCHEDULE_INVALID_TIMEZONE',
  /** `overlap` is not `skip`, `queue` or `allow`. */
  invalidOverlap: 'SCHEDULE_INVALID_OVERLAP',
  /** Any other bad field (`id`, `workflow`, `input`, `catchUp`), or two schedules with one id. */
  invalid: 'SCHEDULE_INVALID',
  /** `pause`, `resume` or `trigger` named a schedule no runtime registered in this store. */
  notFound: 'SCHEDULE_NOT_FOUND',
  /** The store cannot hold schedules shared between processes (only PostgreSQL does). */
  storeUnsupported: 'SCHEDULE_STORE_UNSUPPORTED',
} as const;
export type ScheduleErrorCode = (typeof ScheduleErrorCode)[keyof typeof ScheduleErrorCode];

/**
 * A schedule that cannot be registered or controlled. `path` names the field at fault
 * (`schedules[2].cron`), so a caller can point at it without reading the message.
 *
 * @example
 * try { createRuntime({ schedules: [{ id: 'nightly', workflow, cron: '61 * * * *' }] }); }
 * catch (e) { if (isScheduleError(e) && e.code === 'SCHEDULE_INVALID_CRON') report(e.path); }
 */
export class ScheduleError extends OrchkitError {
  override readonly name = 'ScheduleError';
  readonly type: ErrorType;
  readonly code: ScheduleErrorCode;
  /** The field at fault (`schedules[0].timezone`), or the schedule id for control calls. */
  readonly path: string | undefined;

  constructor(code: ScheduleErrorCode, message: string, options?: { cause?: unknown; path?: string }) {
    super(message, options);
    this.code = code;
    this.path = options?.path;
    this.type = code === 'SCHEDULE_NOT_FOUND' ? ErrorType.notFound : code === 'SCHEDULE_STORE_UNSUPPORTED' ? ErrorType.unavailable : ErrorType.validation;
  }

  override toJSON(): ErrorInfo {
    const info: ErrorInfo = { type: this.type, code: this.code, message: this.message };
    if (this.path !== undefined) info.details = { path: this.path };
    return info;
  }
}

/** True when `error` is a {@link ScheduleError}. */
export function isScheduleError(error: unknown): error is ScheduleError {
  return error instanceof ScheduleError;
}
