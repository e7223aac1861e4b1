import { ErrorType } from './ErrorInfo.js';
import { OrchkitError } from './OrchkitError.js';

export type ExpressionErrorCode = 'EXPRESSION_INVALID' | 'EXPRESSION_FAILED' | 'EXPRESSION_BUDGET_EXCEEDED';

/**
 * A CEL expression that does not parse or passes a size bound (`EXPRESSION_INVALID`), fails when
 * evaluated (`EXPRESSION_FAILED`, e.g. a missing key), or iterates past its budget
 * (`EXPRESSION_BUDGET_EXCEEDED`, e.g. nested comprehensions over large lists).
 *
 * @example
 * if (isExpressionError(e)) logger.warn({ path: e.path, source: e.source, code: e.code }, e.message);
 */
export class ExpressionError extends OrchkitError {
  override readonly name = 'ExpressionError';
  readonly type = ErrorType.expression;
  readonly code: ExpressionErrorCode;
  /** Where the expression sits in the definition, e.g. `steps[1].input.path`. */
  readonly path: string;
  readonly source: string;

  constructor(code: ExpressionErrorCode, path: string, source: string, reason: string, options?: { cause?: unknown }) {
    super(`${path}: ${reason} in \`${source}\``, options);
    this.code = code;
    this.path = path;
    this.source = source;
  }
}

/** True when `error` is an {@link ExpressionError}. */
export function isExpressionError(error: unknown): error is ExpressionError {
  return error instanceof ExpressionError;
}
