import { ErrorType, type ErrorInfo } from './ErrorInfo.js';
import { OrchkitError } from './OrchkitError.js';

/** Options of a tool failure; `type` and `retryable` default from the tool's declared `errors[code]`. */
export interface ToolErrorOptions {
  code: string;
  message: string;
  type?: string;
  retryable?: boolean;
  tool?: string;
  details?: unknown;
  cause?: unknown;
}

/**
 * How a tool says it failed. Steps retry it unless `retryable` is false.
 *
 * @example
 * throw new ToolError({ code: 'REPO_NOT_FOUND', message: `no directory at ${path}` });
 */
export class ToolError extends OrchkitError {
  override readonly name = 'ToolError';
  readonly code: string;
  readonly type: string;
  readonly retryable: boolean | undefined;
  readonly tool: string | undefined;
  readonly details: unknown;

  constructor(options: ToolErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.type = options.type ?? ErrorType.execution;
    this.retryable = options.retryable;
    this.tool = options.tool;
    this.details = options.details;
  }

  /** A failure that no retry can fix. */
  static nonRetryable(code: string, message: string, details?: unknown): ToolError {
    return new ToolError({ code, message, retryable: false, details });
  }

  /** Rebuilds a `ToolError` from its JSON form. */
  static fromInfo(info: ErrorInfo): ToolError {
    const { retryable, tool, ...rest } = info;
    return new ToolError({ ...rest, ...(retryable === undefined ? {} : { retryable }), ...(tool === undefined ? {} : { tool }) });
  }

  override toJSON(): ErrorInfo {
    const info: ErrorInfo = { type: this.type, code: this.code, message: this.message };
    if (this.retryable !== undefined) info.retryable = this.retryable;
    if (this.tool !== undefined) info.tool = this.tool;
    if (this.details !== undefined) info.details = this.details;
    return info;
  }
}

/** True when `error` is a {@link ToolError}. */
export function isToolError(error: unknown): error is ToolError {
  return error instanceof ToolError;
}
