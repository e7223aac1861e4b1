import { ErrorType, type ErrorInfo } from './ErrorInfo.js';
import { OrchkitError } from './OrchkitError.js';
import type { ValidationIssue } from './WorkflowValidationError.js';

/** Stable codes of failure routing; match on these, never on the message text. */
export const RoutingErrorCode = {
  rulesInvalid: 'ROUTING_RULES_INVALID',
  loop: 'ROUTING_LOOP',
  limit: 'ROUTING_LIMIT',
  noRule: 'ROUTING_NO_RULE',
  remediationFailed: 'ROUTING_REMEDIATION_FAILED',
  cancelled: 'ROUTING_CANCELLED',
  stopped: 'ROUTING_STOPPED',
} as const;
export type RoutingErrorCode = (typeof RoutingErrorCode)[keyof typeof RoutingErrorCode];

const typeOfCode: Record<RoutingErrorCode, ErrorType> = {
  ROUTING_RULES_INVALID: ErrorType.validation,
  ROUTING_LOOP: ErrorType.limit,
  ROUTING_LIMIT: ErrorType.limit,
  ROUTING_NO_RULE: ErrorType.notFound,
  ROUTING_REMEDIATION_FAILED: ErrorType.execution,
  ROUTING_CANCELLED: ErrorType.cancelled,
  ROUTING_STOPPED: ErrorType.unavailable,
};

/**
 * A failure of failure routing: invalid rules at start-up (`ROUTING_RULES_INVALID`, with every
 * problem in `issues`), or why the supervisor escalated instead of remediating — a routing loop,
 * the rule's `maxRoutes` reached, no matching rule, a remediation that failed, a cancelled
 * request, a stopped supervisor. Escalations travel as JSON in `RouteDecision.error`.
 *
 * @example
 * try { createSupervisor({ rules, registry, clock, runRemediation }) }
 * catch (e) { if (isRoutingError(e) && e.code === 'ROUTING_RULES_INVALID') e.issues.forEach((i) => log.error(i)) }
 */
export class RoutingError extends OrchkitError {
  override readonly name = 'RoutingError';
  readonly code: RoutingErrorCode;
  readonly type: ErrorType;
  readonly issues: readonly ValidationIssue[];
  readonly details: unknown;

  constructor(code: RoutingErrorCode, message: string, options: { issues?: readonly ValidationIssue[]; details?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.type = typeOfCode[code];
    this.issues = options.issues ?? [];
    this.details = options.details;
  }

  /** The error thrown for rules that do not fit the registered tools. */
  static invalidRules(issues: readonly ValidationIssue[]): RoutingError {
    const lines = issues.map((issue) => `  ${issue.path}: ${issue.message} [${issue.code}]`);
    const count = `${issues.length} problem${issues.length === 1 ? '' : 's'}`;
    return new RoutingError(RoutingErrorCode.rulesInvalid, `invalid routing rules (${count}):\n${lines.join('\n')}`, { issues });
  }

  override toJSON(): ErrorInfo {
    const info: ErrorInfo = { type: this.type, code: this.code, message: this.message, retryable: false };
    if (this.issues.length > 0) info.details = { issues: this.issues };
    else if (this.details !== undefined) info.details = this.details;
    return info;
  }
}

/** True when `error` is a {@link RoutingError}. */
export function isRoutingError(error: unknown): error is RoutingError {
  return error instanceof RoutingError;
}
