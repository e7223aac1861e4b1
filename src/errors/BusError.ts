import { ErrorType, type ErrorInfo } from './ErrorInfo.js';
import { OrchkitError } from './OrchkitError.js';

/** Stable codes of message bus failures; match on these, never on the message text. */
export const BusErrorCode = {
  overflow: 'BUS_OVERFLOW',
  requestTimeout: 'BUS_REQUEST_TIMEOUT',
  requestAborted: 'BUS_REQUEST_ABORTED',
  noResponder: 'BUS_NO_RESPONDER',
  closed: 'BUS_CLOSED',
  invalidMessage: 'BUS_INVALID_MESSAGE',
  invalidPattern: 'BUS_INVALID_PATTERN',
  remoteError: 'BUS_REMOTE_ERROR',
} as const;
export type BusErrorCode = (typeof BusErrorCode)[keyof typeof BusErrorCode];

const typeOfCode: Record<BusErrorCode, string> = {
  BUS_OVERFLOW: ErrorType.limit,
  BUS_REQUEST_TIMEOUT: ErrorType.timeout,
  BUS_REQUEST_ABORTED: ErrorType.cancelled,
  BUS_NO_RESPONDER: ErrorType.unavailable,
  BUS_CLOSED: ErrorType.unavailable,
  BUS_INVALID_MESSAGE: ErrorType.validation,
  BUS_INVALID_PATTERN: ErrorType.validation,
  BUS_REMOTE_ERROR: ErrorType.execution,
};

/** Options of a {@link BusError}. */
export interface BusErrorOptions {
  cause?: unknown;
  /** The error a responder answered with (only for `BUS_REMOTE_ERROR`). */
  remote?: ErrorInfo;
  details?: unknown;
}

/**
 * A failure of the message bus: a full subscription buffer, a request that timed out or found no
 * responder, a closed bus, an envelope that fails its schema, or an error a responder replied with.
 *
 * For `BUS_REMOTE_ERROR` the responder's error travels as JSON in `remote`, and `type` is the
 * remote type, so routing rules that match on type see the real failure.
 *
 * @example
 * try { await bus.request('tool.call', input, { timeoutMs: 5_000 }); }
 * catch (e) {
 *   if (isBusError(e) && e.code === 'BUS_REMOTE_ERROR') throw ToolError.fromInfo(e.remote!);
 * }
 */
export class BusError extends OrchkitError {
  override readonly name = 'BusError';
  readonly code: BusErrorCode;
  readonly type: string;
  readonly remote: ErrorInfo | undefined;
  readonly details: unknown;

  constructor(code: BusErrorCode, message: string, options: BusErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.remote = options.remote;
    this.type = options.remote?.type ?? typeOfCode[code];
    this.details = options.details;
  }

  /** The rejection a requester sees when the responder answered with `remote`. */
  static fromRemote(remote: ErrorInfo): BusError {
    return new BusError(BusErrorCode.remoteError, remote.message, { remote });
  }

  override toJSON(): ErrorInfo {
    const info: ErrorInfo = { type: this.type, code: this.code, message: this.message };
    if (this.remote !== undefined) info.details = { remote: this.remote };
    else if (this.details !== undefined) info.details = this.details;
    return info;
  }
}

/** True when `error` is a {@link BusError}. */
export function isBusError(error: unknown): error is BusError {
  return error instanceof BusError;
}
