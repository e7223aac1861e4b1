import type { ValidationIssue } from '../errors/WorkflowValidationError.js';
import { ExitCode } from './exitCodes.js';

/** One line per problem, `file:line:column  path  message  [CODE]`, as editors and people read them. */
export function formatIssues(file: string, issues: readonly ValidationIssue[]): string {
  return issues
    .map((issue) => {
      const where = issue.line === undefined ? file : `${file}:${issue.line}:${issue.column ?? 1}`;
      return `${where}  ${issue.path || '<root>'}  ${issue.message}  [${issue.code}]`;
    })
    .join('\n');
}

/**
 * Prints why a definition or input is invalid and that nothing ran (with `json`, as
 * `{ valid: false, code, issues }` on stdout, as `validate --json` does); the exit code to use.
 */
export function reportNotRun(file: string, error: { code: string; issues: readonly ValidationIssue[] }, options: { json?: boolean | undefined } = {}): ExitCode {
  if (options.json) process.stdout.write(`${JSON.stringify({ valid: false, ran: false, code: error.code, issues: error.issues })}\n`);
  else process.stderr.write(`${formatIssues(file, error.issues)}\n${file}: ${error.issues.length} problem(s); nothing was run.\n`);
  return ExitCode.invalid;
}
