import type { ToolErrorSpec } from '../actors/defineTool.js';
import { ToolError } from '../errors/ToolError.js';

/**
 * Builds a {@link ToolError} whose `type` and `retryable` come from the tool's own error table,
 * so a tool called directly (in a unit test, outside the runtime) fails exactly as it would
 * through `invokeTool`.
 *
 * @example
 * throw toolFailure(errors, 'REPO_NOT_FOUND', `no directory at ${path}`);
 */
export function toolFailure<E extends Readonly<Record<string, ToolErrorSpec>>>(
  errors: E,
  code: keyof E & string,
  message: string,
  details?: unknown,
  cause?: unknown,
): ToolError {
  const spec = errors[code];
  return new ToolError({
    code,
    message,
    ...(spec?.type === undefined ? {} : { type: spec.type }),
    ...(spec?.retryable === undefined ? {} : { retryable: spec.retryable }),
    ...(details === undefined ? {} : { details }),
    ...(cause === undefined ? {} : { cause }),
  });
}
