import { ErrorType, type ErrorInfo } from './ErrorInfo.js';
import { OrchkitError } from './OrchkitError.js';

/** Codes of errors raised by the runtime itself (not by a tool). */
export const RuntimeErrorCode = {
  runtimeStopped: 'RUNTIME_STOPPED',
  toolNotFound: 'TOOL_NOT_FOUND',
  duplicateTool: 'DUPLICATE_TOOL',
  invalidOption: 'INVALID_OPTION',
  /** A feature needs an optional peer dependency that is not installed (fast-check for property tests). */
  peerDependencyMissing: 'PEER_DEPENDENCY_MISSING',
  /** `signal()`: no execution with this id (here, or in the store). */
  executionNotFound: 'EXECUTION_NOT_FOUND',
  /** `signal()`: the execution has finished. */
  executionFinished: 'EXECUTION_FINISHED',
  /** `signal()`: a durable execution that is in the store but not running on this runtime (paused, or on another node). */
  executionNotLoaded: 'EXECUTION_NOT_LOADED',
  /** `signal()`: the signal name is not an identifier. */
  signalInvalid: 'SIGNAL_INVALID',
  /** `signal()`: no `wait` step of the execution waits for this signal name. */
  signalUnknown: 'SIGNAL_UNKNOWN',
  /** `signal()`: the payload is not JSON data (`path` says where). */
  signalPayloadNotJson: 'SIGNAL_PAYLOAD_NOT_JSON',
  /** `signal()`: the payload encodes to more bytes than shared context allows an entry. */
  signalPayloadTooLarge: 'SIGNAL_PAYLOAD_TOO_LARGE',
  /** Run by id: no workflow with this id, or no such version of it, is registered (`path`: `id` or `version`). */
  workflowNotFound: 'WORKFLOW_NOT_FOUND',
  /** `registerWorkflow()`: this `(id, version)` is registered with other content. */
  workflowVersionConflict: 'WORKFLOW_VERSION_CONFLICT',
  /** A child run would nest deeper than `createRuntime({ maxWorkflowDepth })`. */
  maxDepthExceeded: 'MAX_DEPTH_EXCEEDED',
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
  /** The argument or field at fault, when one is (`name`, `payload.when`). */
  readonly path: string | undefined;

  constructor(code: RuntimeErrorCode, message: string, options?: { cause?: unknown; path?: string }) {
    super(message, options);
    this.code = code;
    this.path = options?.path;
  }

  override toJSON(): ErrorInfo {
    const info: ErrorInfo = { type: this.type, code: this.code, message: this.message };
    if (this.path !== undefined) info.details = { path: this.path };
    return info;
  }
}

/** True when `error` is a {@link RuntimeError}. */
export function isRuntimeError(error: unknown): error is RuntimeError {
  return error instanceof RuntimeError;
}
