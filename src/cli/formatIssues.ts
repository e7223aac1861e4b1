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

/** Prints why a definition or input is invalid and that nothing ran; the exit code to use. */
export function reportNotRun(file: string, issues: readonly ValidationIssue[]): ExitCode {
  process.stderr.write(`${formatIssues(file, issues)}\n${file}: ${issues.length} problem(s); nothing was run.\n`);
  return ExitCode.invalid;
}
