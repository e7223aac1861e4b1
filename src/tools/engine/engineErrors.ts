import type { ToolErrorSpec } from '../../actors/defineTool.js';
import { ErrorType } from '../../errors/ErrorInfo.js';
import { commandErrors } from '../commandRunner.js';

/**
 * The error table every container-engine tool (build, tag, push, inspect) spreads into its
 * own `errors`, so a caller matches the same codes whichever engine ran.
 *
 * @example
 * export const tagImage = defineTool({ ..., errors: { ...engineErrors } });
 */
export const engineErrors = {
  ...commandErrors,
  ENGINE_MISSING: { type: ErrorType.unavailable, retryable: false, description: 'Neither docker (with a running engine) nor podman is available; details.hint says how to get one' },
  DOCKER_ENGINE_UNAVAILABLE: { type: ErrorType.unavailable, retryable: false, description: 'The docker CLI is installed but no engine answers; start dockerd or set DOCKER_HOST' },
  REGISTRY_AUTH_FAILED: { type: ErrorType.auth, retryable: false, description: 'The registry refused the credentials (unauthorized, denied, authentication required)' },
  REGISTRY_UNREACHABLE: { type: ErrorType.unavailable, retryable: true, description: 'The registry could not be reached (DNS, connection, TLS or timeout)' },
  IMAGE_NOT_FOUND: { type: ErrorType.notFound, retryable: false, description: 'The engine has no local image of that reference' },
  ENGINE_COMMAND_FAILED: { type: ErrorType.execution, retryable: false, description: 'The engine command failed for another reason; details carry the log tail' },
} as const satisfies Record<string, ToolErrorSpec>;

/** A code of {@link engineErrors}. */
export type EngineErrorCode = keyof typeof engineErrors;
