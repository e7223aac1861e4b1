import { ErrorType, type ErrorInfo } from './ErrorInfo.js';
import { OrchkitError } from './OrchkitError.js';

/** Codes of a rejected write to shared context. */
export const ContextErrorCode = {
  notJson: 'CONTEXT_NOT_JSON',
  entryTooLarge: 'CONTEXT_ENTRY_TOO_LARGE',
  sessionFull: 'CONTEXT_SESSION_FULL',
  invalidType: 'CONTEXT_INVALID_TYPE',
  invalidTtl: 'CONTEXT_INVALID_TTL',
} as const;
export type ContextErrorCode = (typeof ContextErrorCode)[keyof typeof ContextErrorCode];

// Bad data is the caller's mistake (validation); a full session or a big entry is a limit.
const typeOfCode: Record<ContextErrorCode, ErrorType> = {
  CONTEXT_NOT_JSON: ErrorType.validation,
  CONTEXT_ENTRY_TOO_LARGE: ErrorType.limit,
  CONTEXT_SESSION_FULL: ErrorType.limit,
  CONTEXT_INVALID_TYPE: ErrorType.validation,
  CONTEXT_INVALID_TTL: ErrorType.validation,
};

/**
 * A write to shared context that the store refused: data that is not JSON (`path` says where),
 * an entry over the byte limit, a session at its entry limit, a bad `contextType` or `ttlMs`.
 *
 * @example
 * try { ctx.context.share('analysis', result) }
 * catch (e) { if (isContextError(e) && e.code === 'CONTEXT_NOT_JSON') logger.warn({ path: e.path }, e.message) }
 */
export class ContextError extends OrchkitError {
  override readonly name = 'ContextError';
  readonly code: ContextErrorCode;
  readonly type: ErrorType;
  /** Where in the written value the problem is, e.g. `data.items[2].when`. */
  readonly path: string | undefined;

  constructor(code: ContextErrorCode, message: string, options?: { path?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.type = typeOfCode[code];
    this.path = options?.path;
  }

  override toJSON(): ErrorInfo {
    const info: ErrorInfo = { type: this.type, code: this.code, message: this.message };
    if (this.path !== undefined) info.details = { path: this.path };
    return info;
  }
}

/** True when `error` is a {@link ContextError}. */
export function isContextError(error: unknown): error is ContextError {
  return error instanceof ContextError;
}
