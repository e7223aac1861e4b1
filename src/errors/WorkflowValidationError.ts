import { ErrorType } from './ErrorInfo.js';
import { OrchkitError } from './OrchkitError.js';

/** One problem found in a workflow definition, with where it is. */
export interface ValidationIssue {
  /** Stable issue code, e.g. `DUPLICATE_STEP_ID`, `CYCLE`, `UNKNOWN_TOOL`. */
  code: string;
  /** Path in the definition, e.g. `steps[3].dependsOn[0]`. */
  path: string;
  message: string;
  /** 1-based source position when the definition came from text. */
  line?: number;
  column?: number;
}

export type WorkflowValidationCode = 'WORKFLOW_INVALID' | 'WORKFLOW_PARSE_ERROR';

/**
 * A definition that cannot run; `issues` lists every problem at once.
 *
 * @example
 * try { parseWorkflow(text) } catch (e) { if (isWorkflowValidationError(e)) e.issues.forEach(...) }
 */
export class WorkflowValidationError extends OrchkitError {
  override readonly name = 'WorkflowValidationError';
  readonly type = ErrorType.validation;
  readonly code: WorkflowValidationCode;
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[], code: WorkflowValidationCode = 'WORKFLOW_INVALID') {
    super(formatIssues(issues));
    this.code = code;
    this.issues = issues;
  }
}

function formatIssues(issues: readonly ValidationIssue[]): string {
  const lines = issues.map((issue) => {
    const where = issue.line === undefined ? issue.path : `${issue.path} (line ${issue.line}, column ${issue.column ?? 1})`;
    return `  ${where || '<root>'}: ${issue.message} [${issue.code}]`;
  });
  return `invalid workflow definition (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`;
}

/** True when `error` is a {@link WorkflowValidationError}. */
export function isWorkflowValidationError(error: unknown): error is WorkflowValidationError {
  return error instanceof WorkflowValidationError;
}
