import type { ErrorInfo } from './ErrorInfo.js';

/** Base class of every error orchkit throws; callers match on `code`, never on message text. */
export abstract class OrchkitError extends Error {
  abstract readonly code: string;
  abstract readonly type: string;

  /** The JSON form, safe to store in machine context or send over the wire. */
  toJSON(): ErrorInfo {
    return { type: this.type, code: this.code, message: this.message };
  }
}

/** True for any error raised by orchkit itself. */
export function isOrchkitError(error: unknown): error is OrchkitError {
  return error instanceof OrchkitError;
}
