import { ErrorType, type ErrorInfo } from './ErrorInfo.js';
import { isOrchkitError } from './OrchkitError.js';

/** The JSON form of anything thrown, for machine context and results. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (isOrchkitError(error)) return error.toJSON();
  if (error instanceof Error) return { type: ErrorType.crash, code: 'UNEXPECTED_ERROR', message: error.message };
  return { type: ErrorType.crash, code: 'UNEXPECTED_ERROR', message: String(error) };
}
