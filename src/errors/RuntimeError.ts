import { ErrorType } from './ErrorInfo.js';
import { OrchkitError } from './OrchkitError.js';

/** Codes of errors raised by the runtime itself (not by a tool). */
export const RuntimeErrorCode = {
  runtimeStopped: 'RUNTIME_STOPPED',
  toolNotFound: 'TOOL_NOT_FOUND',
  duplicateTool: 'DUPLICATE_TOOL',
  invalidOption: 'INVALID_OPTION',
  /** A feature needs an optional peer dependency that is not installed (fast-check for property tests). */
  peerDependencyMissing: 'PEER_DEPENDENCY_MISSING',
} as const;
export type RuntimeErrorCode = (typeof RuntimeErrorCode)[keyof typeof RuntimeErrorCode];

/**
 * A misuse of the runtime: a stopped runtime, an unknown tool, a bad option.
 *
 * @example
 * if (isRuntimeError(e) && e.code === 'RUNTIME_STOPPED') ...
 */
export class RuntimeError extends OrchkitError {
  override readonly name = 'RuntimeError';
  readonly type = ErrorType.execution;
  readonly code: RuntimeErrorCode;

  constructor(code: RuntimeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** True when `error` is a {@link RuntimeError}. */
export function isRuntimeError(error: unknown): error is RuntimeError {
  return error instanceof RuntimeError;
}
